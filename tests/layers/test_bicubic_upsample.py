"""BicubicUpsample equals Pillow's float bicubic resize, on every backend."""

import keras
import numpy as np
import pytest
from PIL import Image

from zoo.layers import BicubicUpsample, cubic_kernel

pytestmark = pytest.mark.backend


def _pillow_float(image, scale):
    height, width = image.shape[:2]
    channels = [Image.fromarray(image[..., c], "F") for c in range(image.shape[-1])]
    return np.stack(
        [np.asarray(c.resize((width * scale, height * scale), Image.BICUBIC)) for c in channels], -1
    )


@pytest.mark.parametrize("scale, shape", [(2, (9, 13)), (3, (4, 7)), (4, (1, 5))])
def test_matches_pillow_float_mode(scale, shape):
    image = np.random.default_rng(scale).random((*shape, 3), dtype=np.float32)
    out = keras.ops.convert_to_numpy(BicubicUpsample(scale)(image[None]))[0]
    np.testing.assert_allclose(out, _pillow_float(image, scale), atol=1e-6, rtol=0)


def test_unknown_size_model_and_config():
    inputs = keras.Input((None, None, 2))
    model = keras.Model(inputs, BicubicUpsample(3)(inputs))
    assert model.output_shape == (None, None, None, 2)
    assert tuple(model(np.zeros((2, 3, 5, 2), "float32")).shape) == (2, 9, 15, 2)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(BicubicUpsample(4)))
    assert isinstance(clone, BicubicUpsample) and clone.scale == 4


def test_kernel_and_bad_scale():
    np.testing.assert_allclose(cubic_kernel([0, 0.5, 1, 1.5, 2]), [1, 0.5625, 0, -0.0625, 0])
    assert not np.signbit(cubic_kernel([1.0, -1.0, 2.0, 3.0])).any()  # no -0.0
    with pytest.raises(ValueError, match="scale"):
        BicubicUpsample(1)


@pytest.mark.parametrize("scale", [2.0, 2.5, None, True])
def test_non_int_scale_raises_type_error(scale):
    with pytest.raises(TypeError, match="scale"):
        BicubicUpsample(scale)


def test_numpy_int_scale_stored_as_int():
    layer = BicubicUpsample(np.int64(2))
    assert type(layer.scale) is int and type(layer.get_config()["scale"]) is int


@pytest.mark.parametrize("shape", [(5, 7, 3), (1, 2, 5, 7, 3)])
def test_non_nhwc_input_raises(shape):
    with pytest.raises(ValueError, match=r"NHWC `\[B, H, W, C\]`"):
        BicubicUpsample(2)(np.ones(shape, "float32"))
