"""Blur kernels and the deblurring protocol (numpy; no backend needed)."""

import numpy as np
import pytest

from zoo.data import (
    blur_protocol,
    gaussian_kernel,
    load_natural_images,
    load_val_baselines,
    motion_kernel,
)
from zoo.data.blur_kernels import convolve, protocol_kernel


@pytest.mark.parametrize(
    "kernel",
    [gaussian_kernel(15, 2.0), gaussian_kernel(7, 0.3), motion_kernel(15, 11, 30),
     motion_kernel(15, 3, 117), motion_kernel(9, 1, 0)],
)
def test_kernels_are_normalized_and_point_symmetric(kernel):
    assert kernel.dtype == np.float32 and kernel.min() >= 0
    assert kernel.sum() == pytest.approx(1.0, abs=1e-6)
    np.testing.assert_allclose(kernel, kernel[::-1, ::-1], atol=1e-7)


def test_motion_kernel_follows_its_angle_and_length():
    horizontal = motion_kernel(15, 11, 0)
    assert np.count_nonzero(horizontal.sum(axis=1)) == 1  # one row
    assert np.count_nonzero(horizontal[7]) == 11
    assert np.count_nonzero(motion_kernel(15, 12, 0)[7]) == 13  # 11 px + two half ends
    vertical = motion_kernel(15, 11, 90)
    np.testing.assert_allclose(vertical, horizontal.T, atol=1e-6)
    diagonal = motion_kernel(15, 11, 45)  # counter-clockwise as displayed: up-right
    assert diagonal[7 - 3, 7 + 3] > 0 and diagonal[7 + 3, 7 + 3] == 0


def test_gaussian_kernel_spread():
    k = gaussian_kernel(15, 2.0).astype(np.float64)
    r = np.arange(15) - 7
    assert np.sum(k.sum(axis=0) * r**2) == pytest.approx(4.0, rel=0.01)


@pytest.mark.parametrize("bad", [{"size": 14}, {"size": 0}, {"sigma": 0}])
def test_bad_gaussian_arguments(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        gaussian_kernel(**{"size": 15, "sigma": 2.0, **bad})


def test_convolve_is_scipy_reflect_convolution():
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(0)
    image = rng.random((23, 31, 3))
    kernel = rng.random((5, 7))  # asymmetric: checks the flip
    expected = np.stack(
        [ndimage.convolve(image[..., c], kernel, mode="reflect") for c in range(3)], axis=-1
    )
    np.testing.assert_allclose(convolve(image, kernel), expected, atol=1e-12)
    np.testing.assert_allclose(convolve(image[..., 0], kernel), expected[..., 0], atol=1e-12)


@pytest.mark.parametrize("kind", ["gauss2", "motion11"])
def test_blur_protocol_is_reproducible(kind):
    image = np.random.default_rng(1).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    first, second = blur_protocol(image, kind), blur_protocol(image, kind)
    assert first.dtype == np.float32 and first.shape == image.shape
    assert 0.0 <= first.min() and first.max() <= 1.0
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, blur_protocol(image, kind, seed=1))
    gray = blur_protocol(image[..., 0], kind)
    assert gray.shape == (40, 50)


def test_blur_protocol_arguments():
    image = np.zeros((8, 8), np.uint8)
    with pytest.raises(ValueError, match="kind"):
        blur_protocol(image, "box")
    with pytest.raises(TypeError, match="uint8"):
        blur_protocol(image.astype(np.float32), "gauss2")
    assert protocol_kernel("gauss2").shape == protocol_kernel("motion11").shape == (15, 15)


def test_gaussian_protocol_reproduces_the_wiener_baseline():
    """Wiener given the true kernel, best balance: splits.json's numbers."""
    pytest.importorskip("skimage")
    from zoo.metrics.restoration_protocols import wiener_deblur_scores

    scores = wiener_deblur_scores(load_natural_images("val"), kinds=("gauss2",),
                                  balances=np.geomspace(0.01, 0.3, 9))["gauss2"]
    expected = load_val_baselines()["deblur_best_classical_gauss2"]
    for name in ("camera", "chelsea", "coffee"):
        assert scores[name]["psnr"] == pytest.approx(expected[name], abs=0.06), name
