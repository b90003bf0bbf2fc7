"""whiten_gray_noise: channel-identical noise becomes independent noise."""

import numpy as np
import pytest

from zoo.tasks.gray_noise_whitening import whiten_gray_noise


def test_channel_mean_is_the_gray_image():
    gray = np.random.default_rng(0).random((40, 50), dtype=np.float32)
    rgb = whiten_gray_noise(gray, sigma=25)
    assert rgb.shape == (40, 50, 3) and rgb.dtype == np.float32
    np.testing.assert_allclose(rgb.mean(axis=-1), gray, atol=1e-6)


def test_shared_noise_becomes_white_across_channels():
    sigma = 20.0
    shared = np.random.default_rng(1).normal(0, sigma / 255, (256, 256)).astype(np.float32)
    rgb = whiten_gray_noise(0.5 + shared, sigma=sigma) - 0.5
    covariance = np.cov(rgb.reshape(-1, 3), rowvar=False)
    # Independent channels, each at sigma * sqrt(3).
    expected = (sigma * 3**0.5 / 255) ** 2
    np.testing.assert_allclose(np.diag(covariance), expected, rtol=0.05)
    off_diagonal = covariance[~np.eye(3, dtype=bool)]
    assert np.abs(off_diagonal).max() < 0.05 * expected


def test_estimates_sigma_and_is_deterministic():
    shared = np.random.default_rng(2).normal(0.5, 25 / 255, (128, 128)).astype(np.float32)
    np.testing.assert_array_equal(whiten_gray_noise(shared), whiten_gray_noise(shared))
    np.testing.assert_allclose(
        whiten_gray_noise(shared), whiten_gray_noise(shared, sigma=None, seed=0)
    )
    assert not np.array_equal(whiten_gray_noise(shared), whiten_gray_noise(shared, seed=1))
    spread = np.std(whiten_gray_noise(shared) - shared[..., None])
    assert spread == pytest.approx(25 / 255 * 2**0.5, rel=0.1)  # 2 of 3 axes


def test_rejects_colour_input():
    with pytest.raises(ValueError, match="`gray`"):
        whiten_gray_noise(np.zeros((8, 8, 3), np.float32))


@pytest.mark.parametrize("sigma", [-1.0, float("nan")])
def test_rejects_a_bad_sigma(sigma):
    with pytest.raises(ValueError, match="`sigma`"):
        whiten_gray_noise(np.zeros((8, 8), np.float32), sigma=sigma)


@pytest.mark.parametrize("sigma", ["5", True])
def test_sigma_must_be_a_number(sigma):
    with pytest.raises(ValueError, match="`sigma`"):
        whiten_gray_noise(np.zeros((4, 4), np.float32), sigma=sigma)
