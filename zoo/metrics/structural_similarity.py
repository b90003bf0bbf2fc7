"""SSIM with the BasicSR / KAIR conventions."""

import numpy as np
from scipy import ndimage

from zoo.metrics._preprocessing import prepare_pair

WINDOW_SIZE = 11
WINDOW_SIGMA = 1.5
C1 = (0.01 * 255) ** 2
C2 = (0.03 * 255) ** 2


def gaussian_window() -> np.ndarray:
    """The normalized 1-D Gaussian of the SSIM window (as `cv2.getGaussianKernel`)."""
    x = np.arange(WINDOW_SIZE) - WINDOW_SIZE // 2
    window = np.exp(-(x**2) / (2 * WINDOW_SIGMA**2))
    return window / window.sum()


def _filter_valid(image: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Separable 2-D correlation keeping only the fully covered ('valid') area."""
    radius = WINDOW_SIZE // 2
    out = ndimage.correlate1d(image, window, axis=0)
    out = ndimage.correlate1d(out, window, axis=1)
    return out[radius:-radius, radius:-radius]


def _ssim_2d(x: np.ndarray, y: np.ndarray) -> float:
    window = gaussian_window()
    mu_x, mu_y = _filter_valid(x, window), _filter_valid(y, window)
    var_x = _filter_valid(x * x, window) - mu_x**2
    var_y = _filter_valid(y * y, window) - mu_y**2
    cov = _filter_valid(x * y, window) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + C1) * (2 * cov + C2)) / (
        (mu_x**2 + mu_y**2 + C1) * (var_x + var_y + C2)
    )
    return float(ssim_map.mean())


def ssim(
    reference: np.ndarray,
    restored: np.ndarray,
    *,
    crop_border: int = 0,
    y_channel: bool = False,
) -> float:
    """Structural similarity as BasicSR's `calculate_ssim`.

    An 11x11 Gaussian window (sigma 1.5), C1 = (0.01 * 255)^2,
    C2 = (0.03 * 255)^2, on the 0-255 scale; the SSIM map is kept where the
    window lies wholly inside the image ('valid') and averaged; colour
    images average the per-channel SSIMs. Inputs are prepared as in `psnr`.

    Args:
        reference: the ground truth, `HxW` or `HxWxC`, uint8 or float in [0, 1].
        restored: the image to score, same shape as `reference`.
        crop_border: pixels removed on each side before measuring.
        y_channel: measure on the BT.601 luma of RGB images.

    Returns:
        The SSIM, 1.0 for identical images.

    Example:
    >>> image = np.random.default_rng(0).integers(0, 256, (32, 32), np.uint8)
    >>> ssim(image, image)
    1.0
    """
    reference, restored = prepare_pair(reference, restored, crop_border, y_channel)
    if min(reference.shape[:2]) < WINDOW_SIZE:
        raise ValueError(
            f"SSIM needs images of at least {WINDOW_SIZE}x{WINDOW_SIZE} pixels "
            f"after `crop_border`, got shape {reference.shape}."
        )
    if reference.ndim == 2:
        return _ssim_2d(reference, restored)
    return float(
        np.mean(
            [
                _ssim_2d(reference[..., c], restored[..., c])
                for c in range(reference.shape[-1])
            ]
        )
    )
