"""PSNR with the BasicSR / KAIR conventions."""

import numpy as np

from zoo.metrics._preprocessing import prepare_pair


def psnr(
    reference: np.ndarray,
    restored: np.ndarray,
    *,
    crop_border: int = 0,
    y_channel: bool = False,
) -> float:
    """Peak signal-to-noise ratio in dB, `10 log10(255^2 / MSE)`.

    Float images (values in [0, 1]) are first clipped, scaled by 255 and
    rounded, as BasicSR does before saving an output; the MSE is taken in
    float64 on the 0-255 scale over all pixels and channels.

    Args:
        reference: the ground truth, `HxW` or `HxWxC`, uint8 or float in [0, 1].
        restored: the image to score, same shape as `reference`.
        crop_border: pixels removed on each side before measuring
            (the scale factor for super-resolution).
        y_channel: measure on the BT.601 luma of RGB images
            (see `rgb_to_y`); ignored for grayscale images.

    Returns:
        The PSNR in dB; `inf` for identical images.

    Example:
    >>> clean = np.full((8, 8), 100, np.uint8)
    >>> round(psnr(clean, clean + 5), 2)  # 10 log10(255^2 / 25)
    34.15
    """
    reference, restored = prepare_pair(reference, restored, crop_border, y_channel)
    mse = np.mean((reference - restored) ** 2)
    if mse == 0:
        return float("inf")
    return float(10.0 * np.log10(255.0**2 / mse))
