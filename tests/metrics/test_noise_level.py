"""estimate_noise_sigma on real photos with known noise."""

import numpy as np
import pytest

from zoo.data import add_gaussian_noise, load_natural_images
from zoo.metrics import estimate_noise_sigma


@pytest.fixture(scope="module")
def val():
    return load_natural_images("val")


@pytest.mark.parametrize("name", ["camera", "coffee"])
@pytest.mark.parametrize("sigma", [15, 25, 50])
def test_estimate_is_close_on_noisy_photos(val, name, sigma):
    noisy = add_gaussian_noise(val[name], sigma, seed=0)
    # Texture leaks into the finest band: the estimate reads a little high.
    assert sigma <= estimate_noise_sigma(noisy) <= 1.12 * sigma


def test_uint8_and_float_scales_agree(val):
    noisy = np.clip(add_gaussian_noise(val["camera"], 25, seed=1), 0, 1)
    as_uint8 = np.round(noisy * 255).astype(np.uint8)
    assert estimate_noise_sigma(as_uint8) == pytest.approx(
        estimate_noise_sigma(noisy), abs=0.5
    )


def test_clean_photo_reads_low(val):
    assert estimate_noise_sigma(val["chelsea"]) < 3


@pytest.mark.parametrize(
    "image, error",
    [
        (np.zeros(5), ValueError),
        (np.zeros((1, 8)), ValueError),
        (np.array([["a", "b"], ["c", "d"]]), TypeError),
    ],
)
def test_bad_image(image, error):
    with pytest.raises(error, match="`image`"):
        estimate_noise_sigma(image)


def test_integer_images_other_than_uint8_are_refused():
    camera16 = load_natural_images("val")["camera"].astype(np.uint16) * 257
    with pytest.raises(TypeError, match="`image` must be uint8 or float"):
        estimate_noise_sigma(camera16)
