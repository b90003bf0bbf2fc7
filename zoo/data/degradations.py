"""Degradations applied on the fly while training, and their benchmark twins."""

import keras
import numpy as np
from keras import ops

from zoo.arguments import check_int
from zoo.layers.bicubic_upsample import cubic_kernel


def check_float_images(images, min_size=1):
    """`images` as a tensor, or a `TypeError` for integer images (the
    degradations work on floats in [0, 1]: uint8 would come out saturated)
    and a `ValueError` when a known side is below `min_size`."""
    dtype = keras.backend.standardize_dtype(getattr(images, "dtype", None) or "float32")
    if "int" in dtype or dtype == "bool":
        raise TypeError(
            f"`images` must be float images in [0, 1], got dtype {dtype}: "
            "divide uint8 images by 255 first."
        )
    images = ops.convert_to_tensor(images)
    if len(images.shape) != 4:
        raise ValueError(f"`images` must be a batch [B, H, W, C], got shape {images.shape}.")
    sides = [side for side in images.shape[1:3] if side is not None]
    if any(side < min_size for side in sides):
        raise ValueError(
            f"`images` must be at least {min_size}x{min_size} pixels for this "
            f"degradation, got shape {tuple(images.shape)}."
        )
    return images


@keras.saving.register_keras_serializable(package="zoo")
class RandomGaussianNoise(keras.layers.Layer):
    """Add Gaussian noise with a random sigma per sample (0-255 scale).

    Each sample draws `sigma ~ U(sigma_range)` and gets `N(0, sigma / 255)`
    noise; the output is not clipped, as in the denoising benchmark. The noise
    is added whenever the layer is called (training or not): the caller
    decides when to degrade. Use it inside a model or `fit`, not in a
    `tf.data` pipeline on the JAX or PyTorch backend.

    Args:
        sigma_range: `(low, high)` noise levels on the 0-255 scale.
        seed: seed of the layer's `keras.random.SeedGenerator`.
        gray_shared_noise: probability that a grayscale sample (all channels
            equal) gets the same noise on every channel. A grayscale photo
            restored as `HxW` is repeated to RGB *after* its noise was added,
            so its noise is identical across channels: a denoiser trained
            only on independent noise mistakes it for image detail.

    Example:
    >>> noise = RandomGaussianNoise(sigma_range=(15, 50), seed=0)
    >>> noisy = noise(clean_images)  # float32 NHWC in [0, 1]
    """

    def __init__(
        self,
        sigma_range: tuple[float, float] = (0, 55),
        seed: int | None = None,
        gray_shared_noise: float = 0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not 0 <= gray_shared_noise <= 1:
            raise ValueError(
                f"`gray_shared_noise` must be a probability in [0, 1], "
                f"got {gray_shared_noise!r}."
            )
        self.gray_shared_noise = float(gray_shared_noise)
        low, high = (float(s) for s in sigma_range)
        if not 0 <= low <= high:
            raise ValueError(
                f"`sigma_range` must be (low, high) with 0 <= low <= high, "
                f"got {sigma_range!r}."
            )
        self.sigma_range = (low, high)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images):
        images = ops.cast(check_float_images(images), self.compute_dtype)
        sigma_shape = (ops.shape(images)[0],) + (1,) * (len(images.shape) - 1)
        sigma = keras.random.uniform(
            sigma_shape,
            minval=self.sigma_range[0],
            maxval=self.sigma_range[1],
            dtype=self.compute_dtype,
            seed=self.seed_generator,
        )
        noise = keras.random.normal(
            ops.shape(images), dtype=self.compute_dtype, seed=self.seed_generator
        )
        if self.gray_shared_noise > 0 and images.shape[-1] not in (None, 1):
            spread = ops.max(images, axis=-1) - ops.min(images, axis=-1)
            is_gray = ops.max(ops.reshape(spread, (ops.shape(images)[0], -1)), axis=-1) == 0
            draw = keras.random.uniform(
                (ops.shape(images)[0],), dtype="float32", seed=self.seed_generator
            )
            shared = ops.logical_and(is_gray, draw < self.gray_shared_noise)
            noise = ops.where(
                ops.reshape(shared, sigma_shape), noise[..., :1], noise
            )
        return images + noise * (sigma / 255.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "sigma_range": list(self.sigma_range),
            "seed": self.seed,
            "gray_shared_noise": self.gray_shared_noise,
        }


def add_gaussian_noise(
    image: np.ndarray, sigma: float, seed: int = 0
) -> np.ndarray:
    """The denoising benchmark protocol: `image / 255 + N(0, sigma / 255)`.

    The noise comes from `np.random.default_rng(seed)` (one generator per
    image) and the result is not clipped, as DESIGN.md prescribes.

    Args:
        image: a uint8 image, any shape.
        sigma: the noise level on the 0-255 scale.
        seed: the generator seed.

    Returns:
        A float32 array of the image's shape, on the 0-1 scale.

    Example:
    >>> camera = load_natural_images("val")["camera"]
    >>> round(psnr(camera, add_gaussian_noise(camera, 25)), 2)
    20.59
    """
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise TypeError(f"`image` must be a uint8 array, got dtype {image.dtype}.")
    if not (np.isfinite(sigma) and sigma >= 0):
        raise ValueError(f"`sigma` must be a finite noise level >= 0, got {sigma!r}.")
    rng = np.random.default_rng(seed)
    noisy = image / 255.0 + rng.normal(0.0, sigma / 255.0, image.shape)
    return noisy.astype(np.float32)


SR_SCALES = (2, 3, 4)


def _check_scale(scale):
    if isinstance(scale, bool) or scale not in SR_SCALES:
        raise ValueError(f"`scale` must be one of {SR_SCALES}. Received: scale={scale!r}")
    return int(scale)


def bicubic_taps(scale):
    """Unnormalized 1-D taps of Pillow's antialiased bicubic reduction by `scale`.

    Output pixel `o` reads input pixels `o·scale - pad + k`, k < len(taps),
    with weight `cubic((p + 0.5 - (o + 0.5)·scale) / scale)`; Pillow divides
    by the sum of the weights of the pixels that lie inside the image.

    Returns:
        `(taps, pad)`: the float64 weights and the left (= right) padding.
    """
    scale = _check_scale(scale)
    j = np.arange(-3 * scale, 3 * scale + 1)
    taps = cubic_kernel((j + 0.5 - 0.5 * scale) / scale)
    keep = np.nonzero(taps)[0]
    taps, first = taps[keep[0] : keep[-1] + 1], j[keep[0]]
    # Padding both sides by `pad` gives exactly H / scale outputs.
    assert len(taps) - scale == -2 * first
    return taps, int(-first)


@keras.saving.register_keras_serializable(package="zoo")
class BicubicDownsample(keras.layers.Layer):
    """Antialiased bicubic downsampling by an integer factor, as Pillow's.

    Matches `Image.resize((W // s, H // s), Image.BICUBIC)` on images whose
    sides are multiples of `s`. Pillow's kernel is the cubic (a = -0.5)
    stretched by `s` (4·s taps), applied at stride `s` along the rows, then
    along the columns; at the borders the taps that fall outside the image
    are dropped and the rest renormalized (here: a zero-padded convolution
    divided by the same convolution of ones). With `quantize=True`, each pass
    is rounded to 1/255 and clipped to [0, 1] as Pillow does on uint8 images,
    so the output is the benchmark's low-res input (equal to Pillow's up to
    a rare 1/255 at rounding ties); with `quantize=False` it is Pillow's
    float ("F" mode) result, up to float32 round-off. Sides that are not
    multiples of `s` give `floor(H / s) x floor(W / s)` outputs that differ
    from Pillow's (whose stretch is then not exactly `s`): crop first
    (`modcrop`). Computes in float32 unless given another `dtype`.

    Args:
        scale: 2, 3 or 4.
        quantize: round and clip after each pass, as Pillow on uint8 images.

    Example:
    >>> low_res = BicubicDownsample(2)(np.ones((1, 48, 48, 3), "float32"))
    >>> low_res.shape
    (1, 24, 24, 3)
    """

    def __init__(self, scale, quantize=True, **kwargs):
        # A fixed preprocessing step: float32 keeps its 1/255 levels exact
        # under a mixed-precision policy.
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.scale = _check_scale(scale)
        self.quantize = bool(quantize)
        self._taps, self._pad = bicubic_taps(self.scale)

    def _pass(self, x, axis):
        """One strided pass along `axis` (1: rows, 2: columns), normalized."""
        taps = ops.convert_to_tensor(self._taps.astype("float32"), x.dtype)
        shape = (-1, 1) if axis == 1 else (1, -1)
        strides = (self.scale, 1) if axis == 1 else (1, self.scale)
        pad = [[0, 0], [0, 0], [0, 0], [0, 0]]
        pad[axis] = [self._pad, self._pad]
        # A diagonal kernel keeps channels apart: TensorFlow's depthwise
        # convolution takes equal strides only.
        eye = ops.eye(x.shape[-1], dtype=x.dtype)
        kernel = ops.reshape(taps, shape)[:, :, None, None] * eye
        ones = ops.ones_like(x[:1, :, :1, :1] if axis == 1 else x[:1, :1, :, :1])
        norm = ops.conv(ops.pad(ones, pad), kernel[:, :, :1, :1], strides, "valid")
        return ops.conv(ops.pad(x, pad), kernel, strides, "valid") / norm

    def call(self, images):
        x = ops.cast(check_float_images(images, min_size=self.scale), self.compute_dtype)
        if not self.quantize:
            return self._pass(self._pass(x, axis=2), axis=1)

        # Pillow's uint8 arithmetic: levels 0-255, rounded half up, clipped.
        # On that scale the x2 and x4 taps are dyadic, so ties are exact.
        def levels(v):
            return ops.clip(ops.floor(v + 0.5), 0.0, 255.0)

        x = levels(x * 255.0)
        x = levels(self._pass(x, axis=2))
        return levels(self._pass(x, axis=1)) / 255.0

    def compute_output_shape(self, input_shape):
        batch, height, width, channels = input_shape
        s = self.scale
        return (
            batch,
            None if height is None else height // s,
            None if width is None else width // s,
            channels,
        )

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "quantize": self.quantize}


def modcrop(image, scale):
    """Crops an image's bottom and right so its sides are multiples of `scale`.

    Example:
    >>> modcrop(np.zeros((97, 131, 3), np.uint8), 4).shape
    (96, 128, 3)
    """
    check_int("scale", scale)
    image = np.asarray(image)
    height, width = image.shape[:2]
    return image[: height - height % scale, : width - width % scale]


def bicubic_downsample_pil(image, scale):
    """The super-resolution benchmark's low-res input, made with Pillow.

    The image is first cropped to a multiple of `scale` (`modcrop`), then
    reduced with `Image.resize(..., Image.BICUBIC)` (antialiased), as
    DESIGN.md prescribes.

    Args:
        image: a uint8 `HxW` or `HxWx3` image.
        scale: 2, 3 or 4.

    Returns:
        The uint8 low-res image, `(H // scale) x (W // scale)`.

    Example:
    >>> camera = load_natural_images("val")["camera"]
    >>> bicubic_downsample_pil(camera, 4).shape
    (128, 128)
    """
    from PIL import Image

    scale = _check_scale(scale)
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise TypeError(f"`image` must be a uint8 array, got dtype {image.dtype}.")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] != 3):
        raise ValueError(f"`image` must be HxW or HxWx3, got shape {image.shape}.")
    high = modcrop(image, scale)
    height, width = high.shape[:2]
    if height < scale or width < scale:
        raise ValueError(f"`image` of shape {image.shape} is smaller than `scale`={scale}.")
    size = (width // scale, height // scale)
    return np.asarray(Image.fromarray(high).resize(size, Image.BICUBIC))
