"""DnCNNBackbone: shapes, config round trip, validation, residual learning."""

import keras
import numpy as np
import pytest

from zoo.models import DnCNNBackbone

pytestmark = pytest.mark.backend


def _tiny(seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    return DnCNNBackbone(**{"depth": 3, "filters": 8, **kwargs})


def _images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


@pytest.mark.parametrize("shape", [(1, 37, 53, 3), (2, 1, 1, 3), (1, 8, 5, 3)])
def test_output_shape_equals_input_shape(shape):
    backbone = _tiny()
    out = keras.ops.convert_to_numpy(backbone(_images(shape)))
    assert out.shape == shape
    assert out.dtype == np.float32
    assert np.all(np.isfinite(out))


def test_gray_channels():
    backbone = _tiny(channels=1)
    out = keras.ops.convert_to_numpy(backbone(_images((1, 9, 11, 1))))
    assert out.shape == (1, 9, 11, 1)


def test_config_round_trip_gives_same_output():
    backbone = _tiny(use_batch_norm=True)
    config = backbone.get_config()
    for key, value in {"depth": 3, "filters": 8, "channels": 3, "use_batch_norm": True}.items():
        assert config[key] == value
    clone = DnCNNBackbone.from_config(config)
    clone.set_weights(backbone.get_weights())
    assert clone.count_params() == backbone.count_params()
    x = _images((1, 37, 53, 3), seed=1)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(clone(x)),
        keras.ops.convert_to_numpy(backbone(x)),
        atol=1e-6,
    )


def test_serialize_round_trip_through_registry():
    backbone = _tiny(use_batch_norm=False)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(backbone))
    assert isinstance(clone, DnCNNBackbone)
    assert clone.use_batch_norm is False
    assert not any("bn" in layer.name for layer in clone.layers)


def test_layer_count_follows_depth():
    # Same weight shapes as the other tests: JAX compiles initializers per shape.
    backbone = _tiny(depth=5, filters=8)
    convs = [layer for layer in backbone.layers if isinstance(layer, keras.layers.Conv2D)]
    assert len(convs) == 5
    assert [c.filters for c in convs] == [8, 8, 8, 8, 3]
    assert len([layer for layer in backbone.layers
                if isinstance(layer, keras.layers.BatchNormalization)]) == 3


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"depth": 1}, "depth"),
        ({"depth": 0}, "depth"),
        ({"filters": 0}, "filters"),
        ({"filters": -3}, "filters"),
        ({"channels": 0}, "channels"),
    ],
)
def test_bad_arguments_raise(kwargs, word):
    with pytest.raises(ValueError, match=word):
        DnCNNBackbone(**{"depth": 3, "filters": 8, **kwargs})


def test_residual_zero_conv_out_returns_input():
    backbone = _tiny()
    conv_out = backbone.get_layer("conv_out")
    conv_out.set_weights([np.zeros_like(w) for w in conv_out.get_weights()])
    x = _images((2, 13, 17, 3), seed=2) * 2.0 - 0.5  # outside [0, 1] too
    out = keras.ops.convert_to_numpy(backbone(x))
    np.testing.assert_array_equal(out, x)


def test_residual_output_is_input_minus_predicted_noise():
    backbone = _tiny()
    x = _images((1, 16, 16, 3), seed=3)
    noise_model = keras.Model(backbone.input, backbone.get_layer("conv_out").output)
    noise = keras.ops.convert_to_numpy(noise_model(x))
    assert np.abs(noise).max() > 0
    out = keras.ops.convert_to_numpy(backbone(x))
    np.testing.assert_allclose(out, x - noise, atol=1e-6)


@pytest.mark.parametrize("name", ["depth", "filters", "channels"])
@pytest.mark.parametrize("value", [3.5, 3.0, None, True])
def test_non_int_arguments_raise_type_error(name, value):
    with pytest.raises(TypeError, match=name):
        DnCNNBackbone(**{"depth": 3, "filters": 8, name: value})
