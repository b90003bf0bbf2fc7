"""BT.601 luma, as used to report super-resolution PSNR/SSIM."""

import numpy as np

# BT.601 "studio swing" coefficients on the 0-255 scale (MATLAB `rgb2ycbcr`).
Y_WEIGHTS = (65.481, 128.553, 24.966)
Y_OFFSET = 16.0


def rgb_to_y(image: np.ndarray) -> np.ndarray:
    """Return the BT.601 luma of an RGB image, not rounded.

    `Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255` with R, G, B on the
    0-255 scale, as BasicSR's `to_y_channel` and MATLAB's `rgb2ycbcr`.

    Args:
        image: `HxWx3` array of uint8-scale values (0-255).

    Returns:
        A float64 `HxW` array with values in [16, 235].

    Example:
    >>> float(rgb_to_y(np.full((2, 2, 3), 255, np.uint8))[0, 0])
    235.0
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(
            f"`image` must be an HxWx3 RGB array, got shape {image.shape}."
        )
    return Y_OFFSET + image.astype(np.float64) @ np.array(Y_WEIGHTS) / 255.0
