"""Blind estimate of the level of additive white Gaussian noise in an image."""

import numpy as np

# median(|N(0, 1)|): turns a median absolute value into a standard deviation.
_MAD_TO_SIGMA = 0.6745


def estimate_noise_sigma(image) -> float:
    """Estimates the sigma (0-255 scale) of white Gaussian noise in `image`.

    Donoho's robust estimator: the median absolute value of the finest
    diagonal Haar wavelet coefficients, divided by 0.6745. Little image
    content reaches that band, so on natural photos the estimate is within
    about 10% from sigma 15 up (a little high: texture adds to the band); on
    a clean photo it reports its finest texture, typically 0.5-2.

    Args:
        image: `HxW` or `HxWxC`, uint8 (0-255) or float (0-1 scale, values
            outside allowed), at least 2x2. Channels are pooled.

    Returns:
        The estimated sigma on the 0-255 scale.

    Example:
    >>> noisy = zoo.data.add_gaussian_noise(image, sigma=25)
    >>> zoo.metrics.estimate_noise_sigma(noisy)  # about 25
    """
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(f"`image` must be HxW or HxWxC, got shape {image.shape}.")
    if image.dtype != np.uint8 and image.dtype.kind != "f":
        # Other integer types have no agreed scale (uint16 is 0-65535).
        raise TypeError(f"`image` must be uint8 or float, got dtype {image.dtype}.")
    if min(image.shape[:2]) < 2:
        raise ValueError(f"`image` must be at least 2x2, got shape {image.shape}.")
    x = image.astype(np.float64)
    if image.dtype.kind == "f":
        x = x * 255.0
    if x.ndim == 2:
        x = x[..., None]
    height, width = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    x = x[:height, :width]
    diagonal = (x[0::2, 0::2] - x[0::2, 1::2] - x[1::2, 0::2] + x[1::2, 1::2]) / 2
    return float(np.median(np.abs(diagonal)) / _MAD_TO_SIGMA)
