"""Grayscale input for a colour denoiser trained on independent channel noise."""

import numpy as np

from zoo.metrics.noise_level import estimate_noise_sigma

# An orthonormal basis of the chroma plane (orthogonal to (1, 1, 1) / sqrt(3)).
_CHROMA = np.array([[1, -1, 0], [1, 1, -2]], np.float64) / np.array([[2**0.5], [6**0.5]])


def whiten_gray_noise(gray, sigma=None, seed=0):
    """Repeats a noisy gray image to RGB so that its noise looks independent.

    Repeating `HxW` to RGB gives noise identical on the three channels: all
    of it along the luminance axis (sigma * sqrt(3) there) and none across
    chroma. A colour denoiser trained on independent channel noise reads the
    missing chroma noise as "clean" and leaves the image nearly untouched.
    Adding Gaussian noise of the same sigma * sqrt(3) in the two chroma
    directions makes the noise white across channels, at level
    sigma * sqrt(3); averaging the restored channels then drops the chroma.

    Args:
        gray: float `HxW` image, 0-1 scale.
        sigma: its noise sigma on the 0-255 scale; estimated with
            `zoo.metrics.estimate_noise_sigma` when None.
        seed: seed of the added chroma noise (fixed, so `restore` is
            deterministic).

    Returns:
        float32 `HxWx3`.

    Example:
    >>> rgb = whiten_gray_noise(noisy_gray)  # then denoise, average channels
    """
    gray = np.asarray(gray, np.float32)
    if gray.ndim != 2:
        raise ValueError(f"`gray` must be an HxW image, got shape {gray.shape}.")
    if sigma is None:
        sigma = estimate_noise_sigma(gray)
    elif isinstance(sigma, (bool, str)) or not np.isfinite(sigma) or sigma < 0:
        raise ValueError(f"`sigma` must be a finite level >= 0 (0-255 scale), got {sigma!r}.")
    level = float(sigma) / 255.0 * 3**0.5
    chroma = np.random.default_rng(seed).standard_normal(gray.shape + (2,)) @ _CHROMA
    return (gray[..., None] + level * chroma).astype(np.float32)
