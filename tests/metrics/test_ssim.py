import numpy as np
import pytest
from skimage.metrics import structural_similarity

from zoo.data import load_natural_images
from zoo.metrics import rgb_to_y, ssim

SKIMAGE_ARGS = dict(
    gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255
)


@pytest.fixture(scope="module")
def pair():
    """A natural colour image and a noisy, quantized copy of it."""
    clean = load_natural_images("val")["chelsea"][:96, :128]
    noise = np.random.default_rng(0).normal(0, 20, clean.shape)
    return clean, np.clip(np.round(clean + noise), 0, 255).astype(np.uint8)


def test_identical_images_give_one():
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3), np.uint8)
    assert ssim(image, image) == 1.0


# skimage filters the whole image with a Gaussian of 11 taps (truncate 3.5,
# sigma 1.5) and 'reflect' padding, then drops (11 - 1) // 2 = 5 pixels on
# each side before averaging. Those are exactly the pixels whose window leaves
# the image, so its mean covers the same 'valid' region as BasicSR and the two
# agree to rounding error; 1e-6 leaves room for summation order.
def test_matches_skimage_on_a_colour_image(pair):
    clean, noisy = pair
    expected = structural_similarity(clean, noisy, channel_axis=-1, **SKIMAGE_ARGS)
    assert ssim(clean, noisy) == pytest.approx(expected, abs=1e-6)
    assert ssim(clean, noisy) < 0.9


def test_matches_skimage_on_a_gray_image(pair):
    clean, noisy = (image[..., 1] for image in pair)
    expected = structural_similarity(clean, noisy, **SKIMAGE_ARGS)
    assert ssim(clean, noisy) == pytest.approx(expected, abs=1e-6)


def test_y_channel_and_crop_border(pair):
    clean, noisy = pair
    expected = structural_similarity(
        rgb_to_y(clean)[4:-4, 4:-4], rgb_to_y(noisy)[4:-4, 4:-4], **SKIMAGE_ARGS
    )
    value = ssim(clean, noisy, crop_border=4, y_channel=True)
    assert value == pytest.approx(expected, abs=1e-6)


def test_float_inputs_are_quantized(pair):
    clean, noisy = pair
    expected = ssim(clean, noisy)
    assert ssim(clean / 255, noisy / 255) == pytest.approx(expected, abs=1e-12)


def test_invalid_inputs():
    image = np.zeros((16, 16), np.uint8)
    with pytest.raises(ValueError, match="restored"):
        ssim(image, np.zeros((16, 15), np.uint8))
    with pytest.raises(ValueError, match="11x11"):
        ssim(image, image, crop_border=3)
