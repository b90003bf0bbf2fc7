"""InpaintUNetBackbone: dict inputs, known pixels pass through exactly, config."""

import keras
import numpy as np
import pytest

from zoo.models import InpaintUNetBackbone

pytestmark = pytest.mark.backend

TINY = {"width": 4, "depth": 1, "dilations": [2]}


def _inputs(batch, height, width, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.random((batch, height, width, 3), dtype=np.float32)
    masks = (rng.random((batch, height, width, 1)) < 0.3).astype(np.float32)
    return {"images": images, "masks": masks}


def test_known_pixels_pass_through_and_hole_is_filled():
    keras.utils.set_random_seed(0)
    backbone = InpaintUNetBackbone(**TINY)
    assert backbone.size_multiple == 2 and backbone.scale == 1
    x = _inputs(2, 24, 36)
    out = keras.ops.convert_to_numpy(backbone(x))
    assert out.shape == (2, 24, 36, 3) and out.dtype == np.float32
    known = np.broadcast_to(x["masks"] == 0, out.shape)
    np.testing.assert_array_equal(out[known], x["images"][known])  # bit for bit
    assert np.abs(out[~known] - x["images"][~known]).mean() > 1e-3

    # The network never sees what lies under the mask.
    changed = dict(x, images=np.where(x["masks"] > 0, 1.0 - x["images"], x["images"]))
    out2 = keras.ops.convert_to_numpy(backbone(changed))
    np.testing.assert_allclose(out2[~known], out[~known], atol=1e-6)


def test_config_round_trip():
    keras.utils.set_random_seed(1)
    backbone = InpaintUNetBackbone(**TINY)
    config = backbone.get_config()
    assert {k: config[k] for k in TINY} == TINY
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(backbone))
    assert isinstance(clone, InpaintUNetBackbone)
    clone.set_weights(backbone.get_weights())
    x = _inputs(1, 24, 36, seed=2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(x)),
                               keras.ops.convert_to_numpy(backbone(x)), atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, word",
    [({"width": 0}, "width"), ({"depth": -1}, "depth"), ({"dilations": [0]}, "dilations")],
)
def test_bad_arguments_raise(kwargs, word):
    with pytest.raises(ValueError, match=word):
        InpaintUNetBackbone(**{**TINY, **kwargs})


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"width": 2.5}, "width"),
        ({"width": None}, "width"),
        ({"width": True}, "width"),
        ({"depth": 1.5}, "depth"),
        ({"depth": None}, "depth"),
        ({"depth": True}, "depth"),
        ({"dilations": (1.5,)}, "dilations"),
        ({"dilations": (2, None)}, "dilations"),
        ({"dilations": (True,)}, "dilations"),
        ({"dilations": 2}, "dilations"),
        ({"channels": 2.5}, "channels"),
        ({"channels": None}, "channels"),
    ],
)
def test_non_int_arguments_raise_type_error(kwargs, word):
    with pytest.raises(TypeError, match=word):
        InpaintUNetBackbone(**{**TINY, **kwargs})


def test_config_holds_plain_ints():
    backbone = InpaintUNetBackbone(width=np.int64(4), depth=np.int32(1), dilations=np.array([2]))
    config = backbone.get_config()
    assert {k: config[k] for k in TINY} == TINY
    assert all(type(v) is int for v in [config["width"], config["depth"], *config["dilations"]])
