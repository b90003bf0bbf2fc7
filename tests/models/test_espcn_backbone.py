"""ESPCNBackbone: shapes, size, config round trip, validation, residual learning."""

import keras
import numpy as np
import pytest

from zoo.layers import BicubicUpsample
from zoo.models import ESPCNBackbone

pytestmark = pytest.mark.backend


def _tiny(seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    return ESPCNBackbone(**{"scale": 2, "filters": (8, 8), **kwargs})


def _images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_output_is_scale_times_larger(scale):
    out = keras.ops.convert_to_numpy(_tiny(scale=scale)(_images((2, 7, 9, 3))))
    assert out.shape == (2, 7 * scale, 9 * scale, 3) and out.dtype == np.float32
    assert np.all(np.isfinite(out))


# Backend-independent, and new weight shapes cost JAX a compile each: TF only.
@pytest.mark.skipif(keras.config.backend() != "tensorflow", reason="same on every backend")
def test_default_x4_is_phone_size():
    backbone = ESPCNBackbone(scale=4)
    assert backbone.count_params() < 100_000
    assert (backbone.scale, backbone.size_multiple) == (4, 1)


def test_gray_config_round_trip_gives_same_output():
    backbone = _tiny(scale=3, channels=1, activation="relu")
    config = backbone.get_config()
    for key, value in {"scale": 3, "channels": 1, "filters": [8, 8], "activation": "relu"}.items():
        assert config[key] == value
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(backbone))
    assert isinstance(clone, ESPCNBackbone)
    clone.set_weights(backbone.get_weights())
    x = _images((1, 11, 13, 1), seed=1)
    assert tuple(backbone(x).shape) == (1, 33, 39, 1)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(clone(x)), keras.ops.convert_to_numpy(backbone(x)), atol=1e-6
    )


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"scale": 1}, "scale"),
        ({"scale": 8}, "scale"),
        ({"filters": (8,)}, "filters"),
        ({"filters": (8, 0)}, "filters"),
        ({"channels": 0}, "channels"),
    ],
)
def test_bad_arguments_raise(kwargs, word):
    with pytest.raises(ValueError, match=word):
        ESPCNBackbone(**{"filters": (8, 8), **kwargs})


def test_untrained_backbone_is_bicubic_upsampling():
    backbone = _tiny()  # the last conv starts at zero
    x = _images((1, 6, 5, 3), seed=2)
    expected = BicubicUpsample(2)(x)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(backbone(x)), keras.ops.convert_to_numpy(expected), atol=1e-6
    )


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"scale": 2.0}, "scale"),
        ({"scale": 2.5}, "scale"),
        ({"scale": None}, "scale"),
        ({"scale": True}, "scale"),
        ({"channels": 2.5}, "channels"),
        ({"channels": None}, "channels"),
        ({"channels": True}, "channels"),
        ({"filters": (8, 2.5)}, "filters"),
        ({"filters": (None, 8)}, "filters"),
        ({"filters": (8, True)}, "filters"),
        ({"filters": 8}, "filters"),
    ],
)
def test_non_int_arguments_raise_type_error(kwargs, word):
    with pytest.raises(TypeError, match=word):
        ESPCNBackbone(**{"filters": (8, 8), **kwargs})
