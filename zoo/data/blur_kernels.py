"""Blur kernels in numpy, and the deblurring benchmark protocol.

Both kernels are written as closed-form functions of the pixel grid, so
`RandomBlur` (the training degradation) draws from the same families with
`keras.ops`.
"""

import numpy as np

# splits.json "deblur_protocol": the two val kernels and the noise level.
PROTOCOL_KERNELS = {
    "gauss2": {"kind": "gaussian", "sigma": 2.0},
    "motion11": {"kind": "motion", "length": 11.0, "angle_deg": 30.0},
}
PROTOCOL_KERNEL_SIZE = 15
PROTOCOL_NOISE_SIGMA = 2.0  # on the 0-255 scale


def _grid(size):
    if int(size) != size or size < 1 or size % 2 == 0:
        raise ValueError(f"`size` must be an odd positive integer. Received: size={size!r}")
    r = np.arange(size, dtype=np.float64) - (size - 1) / 2
    return np.meshgrid(r, r, indexing="xy")  # x to the right, y down


def gaussian_kernel(size=15, sigma=2.0):
    """An isotropic Gaussian kernel on a `size`×`size` grid, summing to 1.

    Example:
    >>> k = gaussian_kernel(15, 2.0)
    >>> k.shape, round(float(k.sum()), 6)
    ((15, 15), 1.0)
    """
    if sigma <= 0:
        raise ValueError(f"`sigma` must be positive. Received: sigma={sigma!r}")
    x, y = _grid(size)
    k = np.exp(-(x**2 + y**2) / (2.0 * sigma**2))
    return (k / k.sum()).astype(np.float32)


def motion_kernel(size=15, length=11.0, angle_deg=30.0):
    """A linear motion kernel: an anti-aliased segment through the centre.

    The segment has `length` pixels and makes `angle_deg` with the x axis,
    counter-clockwise as displayed (y points down). Each pixel's weight is
    a tent across the segment (1 - perpendicular distance) times a box
    along it with half-pixel ramps at the ends (`clip(length/2 + 1/2 - |t|,
    0, 1)`); the kernel is normalized to sum to 1.

    Example:
    >>> k = motion_kernel(15, 11, 30)
    >>> round(float(k.sum()), 6), float(k[7, 7]) > 0
    (1.0, True)
    """
    if length <= 0:
        raise ValueError(f"`length` must be positive. Received: length={length!r}")
    x, y = _grid(size)
    angle = np.deg2rad(angle_deg)
    along = x * np.cos(angle) - y * np.sin(angle)
    across = x * np.sin(angle) + y * np.cos(angle)
    k = np.maximum(1.0 - np.abs(across), 0.0) * np.clip(
        length / 2.0 + 0.5 - np.abs(along), 0.0, 1.0
    )
    return (k / k.sum()).astype(np.float32)


def protocol_kernel(kind):
    """The 15×15 kernel of a deblurring protocol: `"gauss2"` or `"motion11"`.

    Example:
    >>> protocol_kernel("motion11").shape
    (15, 15)
    """
    if kind not in PROTOCOL_KERNELS:
        raise ValueError(
            f"`kind` must be one of {sorted(PROTOCOL_KERNELS)}. Received: kind={kind!r}"
        )
    spec = dict(PROTOCOL_KERNELS[kind])
    maker = gaussian_kernel if spec.pop("kind") == "gaussian" else motion_kernel
    return maker(PROTOCOL_KERNEL_SIZE, **spec)


def convolve(image, kernel):
    """2-D convolution of each channel, reflect-padded (the edge pixel repeats,
    as `scipy.ndimage.convolve(mode="reflect")`), same size out, float64.

    Example:
    >>> convolve(np.ones((4, 5, 3)), gaussian_kernel(3, 1.0)).shape
    (4, 5, 3)
    """
    image = np.asarray(image, dtype=np.float64)
    kernel = np.asarray(kernel, dtype=np.float64)[::-1, ::-1]
    kh, kw = kernel.shape
    squeeze = image.ndim == 2
    if squeeze:
        image = image[..., None]
    padded = np.pad(
        image, ((kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)), mode="symmetric"
    )
    windows = np.lib.stride_tricks.sliding_window_view(padded, (kh, kw), axis=(0, 1))
    out = np.einsum("hwcij,ij->hwc", windows, kernel)
    return out[..., 0] if squeeze else out


def blur_protocol(image, kind, seed=0):
    """The deblurring benchmark input of splits.json "deblur_protocol".

    The uint8 image is scaled to [0, 1], convolved with the 15×15 protocol
    kernel (Gaussian sigma 2.0, or motion of length 11 at 30 degrees) with
    reflect padding, then gets Gaussian noise of sigma 2 (0-255 scale) from
    `np.random.default_rng(seed)` and is clipped to [0, 1].

    Args:
        image: a uint8 image, `HxW` or `HxWx3`.
        kind: `"gauss2"` or `"motion11"`.
        seed: the noise generator's seed.

    Returns:
        float32 array of the image's shape, in [0, 1].

    Example:
    >>> blurred = blur_protocol(load_natural_images("val")["camera"], "gauss2")
    """
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise TypeError(f"`image` must be a uint8 array, got dtype {image.dtype}.")
    blurred = convolve(image / 255.0, protocol_kernel(kind))
    rng = np.random.default_rng(seed)
    noisy = blurred + rng.normal(0.0, PROTOCOL_NOISE_SIGMA / 255.0, blurred.shape)
    return np.clip(noisy, 0.0, 1.0).astype(np.float32)
