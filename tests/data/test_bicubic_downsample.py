"""BicubicDownsample against Pillow's BICUBIC resize, and the SR protocol helpers.

Measured on random and val images: with `quantize=True` (default) the layer
equals Pillow's uint8 result exactly at x2 and x4 except a rare 1/255 at
rounding ties, and within 1/255 at x3 (border pixels only, where Pillow's
fixed-point weights round differently); with `quantize=False` it equals
Pillow's float ("F" mode) result to float32 round-off (< 1e-6).
"""

import keras
import numpy as np
import pytest
from PIL import Image

from zoo.data import BicubicDownsample, bicubic_downsample_pil, load_natural_images, modcrop

pytestmark = pytest.mark.backend


def _pillow(image, scale, mode=None):
    """Pillow's bicubic reduction, per channel in float mode when asked."""
    size = (image.shape[1] // scale, image.shape[0] // scale)
    if mode == "F":
        channels = [Image.fromarray(image[..., c].astype(np.float32), "F") for c in range(image.shape[-1])]
        return np.stack([np.asarray(c.resize(size, Image.BICUBIC)) for c in channels], -1) / 255.0
    return np.asarray(Image.fromarray(image).resize(size, Image.BICUBIC)) / 255.0


def _layer(image, scale, **kwargs):
    x = image.astype(np.float32)[None] / 255.0
    return keras.ops.convert_to_numpy(BicubicDownsample(scale, **kwargs)(x))[0]


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_matches_pillow_uint8_on_random_image(scale):
    image = np.random.default_rng(scale).integers(0, 256, (48, 60, 3), dtype=np.uint8)
    out, reference = _layer(image, scale), _pillow(image, scale)
    assert out.shape == reference.shape == (48 // scale, 60 // scale, 3)
    diff = np.abs(out - reference)
    assert diff.max() <= 1.0 / 255 + 1e-6
    assert np.mean(diff > 1e-6) < 0.01  # equal almost everywhere
    if scale != 3:  # x3 weights are not dyadic: Pillow's fixed-point rounding differs at ties
        inner = diff[2:-2, 2:-2]
        assert np.mean(inner > 1e-6) < 0.005


@pytest.mark.parametrize("scale", [2, 3, 4])
def test_float_mode_matches_pillow_float(scale):
    image = np.random.default_rng(10 + scale).integers(0, 256, (36, 24, 3), dtype=np.uint8)
    out = _layer(image, scale, quantize=False)
    np.testing.assert_allclose(out, _pillow(image, scale, "F"), atol=1e-6, rtol=0)


@pytest.mark.skipif(keras.config.backend() != "tensorflow", reason="random images cover backends")
def test_matches_pillow_on_a_val_image():
    chelsea = modcrop(load_natural_images("val")["chelsea"][:120, :160], 2)
    out = np.round(_layer(chelsea, 2) * 255).astype(np.uint8)
    np.testing.assert_array_equal(out, bicubic_downsample_pil(chelsea, 2))


def test_unknown_size_model_and_config():
    inputs = keras.Input((None, None, 1))
    model = keras.Model(inputs, BicubicDownsample(4)(inputs))
    assert model.output_shape == (None, None, None, 1)
    assert tuple(model(np.zeros((2, 8, 12, 1), "float32")).shape) == (2, 2, 3, 1)
    layer = BicubicDownsample(3, quantize=False)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert (clone.scale, clone.quantize, clone.compute_dtype) == (3, False, "float32")


def test_computes_in_float32_under_mixed_precision():
    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        layer = BicubicDownsample(2)
    finally:
        keras.config.set_dtype_policy("float32")
    out = layer(np.full((1, 4, 4, 3), 0.5, "float32"))
    assert keras.backend.standardize_dtype(out.dtype) == "float32"


@pytest.mark.parametrize("scale", [1, 5, 2.5, True, "2"])
def test_bad_scale_raises(scale):
    with pytest.raises(ValueError, match="scale"):
        BicubicDownsample(scale)
    with pytest.raises(ValueError, match="scale"):
        bicubic_downsample_pil(np.zeros((8, 8), np.uint8), scale)


def test_bicubic_downsample_pil_crops_to_a_multiple():
    image = np.random.default_rng(0).integers(0, 256, (97, 131, 3), dtype=np.uint8)
    assert modcrop(image, 4).shape == (96, 128, 3)
    low = bicubic_downsample_pil(image, 4)
    assert low.shape == (24, 32, 3) and low.dtype == np.uint8
    expected = Image.fromarray(image[:96, :128]).resize((32, 24), Image.BICUBIC)
    np.testing.assert_array_equal(low, np.asarray(expected))
    assert bicubic_downsample_pil(image[..., 0], 3).shape == (32, 43)
    with pytest.raises(TypeError, match="uint8"):
        bicubic_downsample_pil(image.astype(np.float32), 2)
    with pytest.raises(ValueError, match="shape"):
        bicubic_downsample_pil(np.zeros((8, 8, 4), np.uint8), 2)
