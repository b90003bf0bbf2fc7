"""EDSRBackbone: shapes, layout, config round trip, validation, mean shift."""

import keras
import numpy as np
import pytest

from zoo.layers import BicubicUpsample, PixelShuffle
from zoo.models import EDSRBackbone

pytestmark = pytest.mark.backend


def _tiny(seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    return EDSRBackbone(**{"scale": 2, "num_blocks": 1, "filters": 8, **kwargs})


def _images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


@pytest.mark.parametrize("scale, shuffles", [(2, [2]), (3, [3]), (4, [2, 2])])
def test_output_size_and_upsampler(scale, shuffles):
    backbone = _tiny(scale=scale)
    out = keras.ops.convert_to_numpy(backbone(_images((2, 5, 7, 3))))
    assert out.shape == (2, 5 * scale, 7 * scale, 3) and out.dtype == np.float32
    assert [layer.scale for layer in backbone.layers if isinstance(layer, PixelShuffle)] == shuffles


# Backend-independent, and new weight shapes cost JAX a compile each: TF only.
@pytest.mark.skipif(keras.config.backend() != "tensorflow", reason="same on every backend")
def test_baseline_size():
    # EDSR-baseline x2: 16 blocks of 64 filters, 1.37M parameters (paper).
    backbone = EDSRBackbone(scale=2)
    assert round(backbone.count_params() / 1e6, 2) == 1.37


def test_block_count():
    blocks = _tiny(num_blocks=3, res_scale=0.1)
    assert len([layer for layer in blocks.layers if layer.name.endswith("_add")]) == 4


def test_config_round_trip_gives_same_output():
    backbone = _tiny(scale=4, res_scale=0.5, global_residual=True, channels=1)
    config = backbone.get_config()
    expected = {"scale": 4, "num_blocks": 1, "filters": 8, "res_scale": 0.5,
                "channels": 1, "global_residual": True}
    assert {key: config[key] for key in expected} == expected
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(backbone))
    assert isinstance(clone, EDSRBackbone)
    clone.set_weights(backbone.get_weights())
    x = _images((1, 6, 5, 1), seed=1)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(clone(x)), keras.ops.convert_to_numpy(backbone(x)), atol=1e-6
    )


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"scale": 5}, "scale"),
        ({"scale": 1}, "scale"),
        ({"num_blocks": -1}, "num_blocks"),
        ({"filters": 0}, "filters"),
        ({"channels": 0}, "channels"),
        ({"res_scale": 0}, "res_scale"),
    ],
)
def test_bad_arguments_raise(kwargs, word):
    with pytest.raises(ValueError, match=word):
        EDSRBackbone(**{"num_blocks": 1, "filters": 8, **kwargs})


@pytest.mark.parametrize("global_residual", [False, True])
def test_zero_tail_gives_mean_or_bicubic(global_residual):
    backbone = _tiny(global_residual=global_residual)
    tail = backbone.get_layer("tail")
    tail.set_weights([np.zeros_like(w) for w in tail.get_weights()])
    x = _images((1, 4, 6, 3), seed=2)
    out = keras.ops.convert_to_numpy(backbone(x))
    if global_residual:
        expected = BicubicUpsample(2)(x)
        np.testing.assert_allclose(out, keras.ops.convert_to_numpy(expected), atol=1e-6)
    else:
        np.testing.assert_array_equal(out, np.full((1, 8, 12, 3), 0.5, np.float32))


@pytest.mark.parametrize("name", ["scale", "num_blocks", "filters", "channels"])
@pytest.mark.parametrize("value", [2.5, 2.0, None, True])
def test_non_int_arguments_raise_type_error(name, value):
    with pytest.raises(TypeError, match=name):
        EDSRBackbone(**{"num_blocks": 1, "filters": 8, name: value})
