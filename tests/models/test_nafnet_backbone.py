"""NAFNetBackbone: shapes, size multiple, config round trip, residual, validation."""

import keras
import numpy as np
import pytest

from zoo.models import NAFNetBackbone

pytestmark = pytest.mark.backend

TINY = {"width": 8, "enc_blocks": [1, 1], "middle_blocks": 1, "dec_blocks": [1, 1]}


def _tiny(seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    return NAFNetBackbone(**{**TINY, **kwargs})


def _images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def test_shape_config_round_trip_and_residual():
    backbone = _tiny()
    assert backbone.size_multiple == 4 and backbone.scale == 1
    x = _images((2, 20, 28, 3))
    out = keras.ops.convert_to_numpy(backbone(x))
    assert out.shape == x.shape and out.dtype == np.float32 and np.all(np.isfinite(out))

    config = backbone.get_config()
    assert {k: config[k] for k in TINY} == TINY and config["channels"] == 3
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(backbone))
    assert isinstance(clone, NAFNetBackbone)
    clone.set_weights(backbone.get_weights())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(x)), out, atol=1e-6)

    # Global residual: with the last conv at zero the network is the identity.
    ending = backbone.get_layer("ending")
    ending.set_weights([np.zeros_like(w) for w in ending.get_weights()])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(backbone(x)), x)


def test_levels_blocks_and_multiple():
    # TINY's weight shapes again: JAX compiles initializers per shape.
    backbone = _tiny(enc_blocks=[2, 0], dec_blocks=[0, 1], middle_blocks=0)
    names = [layer.name for layer in backbone.layers]
    assert sum(n.endswith("_conv1") for n in names) == 2 + 0 + 0 + 1
    assert backbone.get_layer("down1").filters == 32  # width doubles per level
    assert _tiny(enc_blocks=[0, 0, 0], dec_blocks=[0, 0, 0]).size_multiple == 8


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"enc_blocks": [1], "dec_blocks": [1, 1]}, "same length"),
        ({"width": 0}, "width"),
        ({"middle_blocks": -1}, "middle_blocks"),
        ({"enc_blocks": [1, -1]}, "enc_blocks"),
        ({"channels": 0}, "channels"),
    ],
)
def test_bad_arguments_raise(kwargs, word):
    with pytest.raises(ValueError, match=word):
        NAFNetBackbone(**{**TINY, **kwargs})


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"width": 8.0}, "width"),
        ({"width": None}, "width"),
        ({"width": True}, "width"),
        ({"middle_blocks": 1.5}, "middle_blocks"),
        ({"middle_blocks": None}, "middle_blocks"),
        ({"channels": 2.5}, "channels"),
        ({"enc_blocks": [1, 1.5]}, "enc_blocks"),
        ({"enc_blocks": [None, 1]}, "enc_blocks"),
        ({"dec_blocks": [1, True]}, "dec_blocks"),
        ({"dec_blocks": 2}, "dec_blocks"),
    ],
)
def test_non_int_arguments_raise_type_error(kwargs, word):
    with pytest.raises(TypeError, match=word):
        NAFNetBackbone(**{**TINY, **kwargs})
