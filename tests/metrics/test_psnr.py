import math

import numpy as np
import pytest
from PIL import Image

from zoo.data import load_natural_images, load_val_baselines
from zoo.metrics import psnr, rgb_to_y


def _expected(level_difference: float) -> float:
    return 10 * math.log10(255**2 / level_difference**2)


@pytest.mark.parametrize("difference", [1, 5])
def test_constant_images_differing_by_levels(difference):
    reference = np.full((16, 16, 3), 100, np.uint8)
    restored = reference + np.uint8(difference)
    assert psnr(reference, restored) == pytest.approx(_expected(difference), abs=1e-12)


def test_identical_images_give_inf():
    image = np.random.default_rng(0).integers(0, 256, (8, 8, 3), np.uint8)
    assert psnr(image, image) == float("inf")


def test_float_and_uint8_inputs_agree():
    rng = np.random.default_rng(0)
    reference = rng.integers(0, 256, (20, 20, 3), np.uint8)
    restored = rng.integers(0, 256, (20, 20, 3), np.uint8)
    expected = psnr(reference, restored)
    # Values within half a level round back to the same uint8.
    jitter = rng.uniform(-0.4, 0.4, restored.shape) / 255
    assert psnr(reference / 255, restored / 255 + jitter) == expected
    assert psnr(reference, (restored / 255).astype(np.float32)) == expected


def test_float_inputs_are_clipped():
    reference = np.full((4, 4), 255, np.uint8)
    assert psnr(reference, np.full((4, 4), 1.3)) == float("inf")


def test_y_channel_on_a_crafted_case():
    reference = np.full((8, 8, 3), 100, np.uint8)
    restored = reference.copy()
    restored[..., 0] += 10  # only red changes
    # All channels: one channel in three differs by 10 levels.
    assert psnr(reference, restored) == pytest.approx(
        10 * math.log10(255**2 / (100 / 3))
    )
    # Luma: Y differs by 65.481 * 10 / 255 everywhere.
    assert psnr(reference, restored, y_channel=True) == pytest.approx(
        _expected(65.481 * 10 / 255)
    )


def test_y_channel_is_ignored_for_gray_images():
    reference = np.full((8, 8), 50, np.uint8)
    restored = reference + np.uint8(2)
    assert psnr(reference, restored, y_channel=True) == psnr(reference, restored)


def test_crop_border_on_a_crafted_case():
    reference = np.full((8, 8), 100, np.uint8)
    restored = reference.copy()
    restored[0, :] = restored[-1, :] = restored[:, 0] = restored[:, -1] = 103
    # 28 of the 64 pixels are 3 levels off.
    assert psnr(reference, restored) == pytest.approx(
        10 * math.log10(255**2 / (9 * 28 / 64))
    )
    assert psnr(reference, restored, crop_border=1) == float("inf")


def test_rgb_to_y():
    image = np.array([[[0, 0, 0], [255, 255, 255], [255, 0, 0]]], np.uint8)
    y = rgb_to_y(image)
    assert y.dtype == np.float64 and y.shape == (1, 3)
    np.testing.assert_allclose(y[0], [16.0, 235.0, 16 + 65.481])
    with pytest.raises(ValueError, match="image"):
        rgb_to_y(np.zeros((4, 4)))


def test_invalid_inputs():
    image = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match="restored"):
        psnr(image, np.zeros((8, 9, 3), np.uint8))
    with pytest.raises(TypeError, match="int16"):
        psnr(image.astype(np.int16), image)
    with pytest.raises(ValueError, match="reference"):
        psnr(np.zeros((1, 8, 8, 3)), image)
    with pytest.raises(ValueError, match="restored"):
        psnr(image, np.full((8, 8, 3), np.nan))
    with pytest.raises(ValueError, match="crop_border"):
        psnr(image, image, crop_border=4)


def test_matches_the_super_resolution_baselines():
    # DESIGN.md protocol: crop HR to a multiple of the scale, Pillow BICUBIC
    # down and up, Y channel, border crop = scale.
    baselines = load_val_baselines()
    for name, image in load_natural_images("val").items():
        for scale in (2, 4):
            height, width = (s - s % scale for s in image.shape[:2])
            high_res = Image.fromarray(image[:height, :width])
            low_res = high_res.resize((width // scale, height // scale), Image.BICUBIC)
            upscaled = np.asarray(low_res.resize((width, height), Image.BICUBIC))
            value = psnr(
                np.asarray(high_res), upscaled, crop_border=scale, y_channel=True
            )
            assert round(value, 2) == baselines[f"sr_x{scale}_bicubic_y"][name]
