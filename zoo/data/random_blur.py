"""Random Gaussian / motion blur plus mild noise, per sample, on `keras.ops`."""

import math

import keras
from keras import ops

from zoo.data.degradations import check_float_images


@keras.saving.register_keras_serializable(package="zoo")
class RandomBlur(keras.layers.Layer):
    """Blurs each sample with its own random kernel, adds noise, clips to [0, 1].

    Per sample, with probability `motion_probability` a linear motion kernel
    (length `~U(length_range)` pixels, angle `~U(0, 180)` degrees), else a
    Gaussian (sigma `~U(sigma_range)`; with `anisotropic`, two sigmas and a
    random orientation). Kernels are the closed forms of
    `zoo.data.blur_kernels` (anti-aliased segment, sampled Gaussian) on a
    `kernel_size` grid, normalized to sum to 1. Images are reflect-padded
    and convolved, get Gaussian noise of sigma `~U(noise_range)` (0-255
    scale) and are clipped to [0, 1]. A network trained on it is blind to the
    kernel. Called inside a model (as `ImageRestorer.degradation`), it runs
    on every backend.

    Args:
        kernel_size: odd kernel side (15 as the benchmark).
        sigma_range: Gaussian sigmas, pixels.
        length_range: motion lengths, pixels (keep below `kernel_size`).
        motion_probability: chance of a motion kernel.
        anisotropic: draw elliptical Gaussians.
        noise_range: noise sigma on the 0-255 scale.
        seed: seed of the layer's `keras.random.SeedGenerator`.

    Example:
    >>> blur = RandomBlur(seed=0)
    >>> blurred = blur(clean_images)  # float32 NHWC in [0, 1]
    """

    def __init__(
        self,
        kernel_size=15,
        sigma_range=(0.2, 3.0),
        length_range=(3.0, 13.0),
        motion_probability=0.5,
        anisotropic=True,
        noise_range=(0.0, 3.0),
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if int(kernel_size) != kernel_size or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(
                f"`kernel_size` must be an odd positive integer. Received: {kernel_size!r}"
            )
        for name, (low, high), floor in (
            ("sigma_range", sigma_range, 1e-3),
            ("length_range", length_range, 1e-3),
            ("noise_range", noise_range, 0.0),
        ):
            if not floor <= low <= high:
                raise ValueError(
                    f"`{name}` must be (low, high) with {floor} <= low <= high. "
                    f"Received: {name}={(low, high)!r}"
                )
        if not 0.0 <= motion_probability <= 1.0:
            raise ValueError(
                f"`motion_probability` must be in [0, 1]. Received: {motion_probability!r}"
            )
        self.kernel_size = int(kernel_size)
        self.sigma_range = tuple(float(v) for v in sigma_range)
        self.length_range = tuple(float(v) for v in length_range)
        self.motion_probability = float(motion_probability)
        self.anisotropic = bool(anisotropic)
        self.noise_range = tuple(float(v) for v in noise_range)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _uniform(self, batch, low_high):
        return keras.random.uniform(
            (batch, 1, 1), minval=low_high[0], maxval=low_high[1],
            dtype="float32", seed=self.seed_generator,
        )

    def kernels(self, batch):
        """Draws `batch` random kernels, `[batch, kernel_size, kernel_size]`."""
        r = ops.arange(self.kernel_size, dtype="float32") - (self.kernel_size - 1) / 2
        x = ops.reshape(r, (1, 1, -1))
        y = ops.reshape(r, (1, -1, 1))
        angle = self._uniform(batch, (0.0, math.pi))
        cos, sin = ops.cos(angle), ops.sin(angle)
        along = x * cos - y * sin
        across = x * sin + y * cos
        # Linear motion: an anti-aliased segment (see blur_kernels.motion_kernel).
        length = self._uniform(batch, self.length_range)
        motion = ops.relu(1.0 - ops.abs(across)) * ops.clip(
            length / 2.0 + 0.5 - ops.abs(along), 0.0, 1.0
        )
        # Gaussian, elliptical when anisotropic.
        sigma_a = self._uniform(batch, self.sigma_range)
        sigma_b = self._uniform(batch, self.sigma_range) if self.anisotropic else sigma_a
        gaussian = ops.exp(
            -0.5 * (ops.square(along / sigma_a) + ops.square(across / sigma_b))
        )
        is_motion = self._uniform(batch, (0.0, 1.0)) < self.motion_probability
        kernel = ops.where(is_motion, motion, gaussian)
        return kernel / ops.sum(kernel, axis=(1, 2), keepdims=True)

    def call(self, images):
        # Reflect padding needs more pixels than the kernel's half-width.
        images = check_float_images(images, min_size=self.kernel_size // 2 + 1)
        images = ops.cast(images, "float32")
        batch = ops.shape(images)[0]
        out = convolve_per_sample(images, self.kernels(batch))
        sigma = ops.reshape(self._uniform(batch, self.noise_range), (-1, 1, 1, 1))
        noise = keras.random.normal(ops.shape(images), dtype="float32", seed=self.seed_generator)
        out = ops.clip(out + noise * (sigma / 255.0), 0.0, 1.0)
        return ops.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "kernel_size": self.kernel_size,
            "sigma_range": list(self.sigma_range),
            "length_range": list(self.length_range),
            "motion_probability": self.motion_probability,
            "anisotropic": self.anisotropic,
            "noise_range": list(self.noise_range),
            "seed": self.seed,
        }


def convolve_per_sample(images, kernels):
    """Convolves each image of `[B, H, W, C]` with its own `[B, k, k]` kernel.

    Reflect padding (the edge pixel is not repeated), same size out. The
    batch is folded into the channels, so one depthwise convolution applies
    every sample's kernel; it works for a batch size unknown when traced.

    Example:
    >>> out = convolve_per_sample(images, kernels)  # [B, H, W, C]
    """
    images = ops.convert_to_tensor(images, "float32")
    kernels = ops.convert_to_tensor(kernels, "float32")
    size, pad = kernels.shape[-1], kernels.shape[-1] // 2
    shape = ops.shape(images)
    batch, height, width, channels = shape[0], shape[1], shape[2], images.shape[-1]
    x = ops.pad(images, ((0, 0), (pad, pad), (pad, pad), (0, 0)), mode="reflect")
    x = ops.reshape(ops.transpose(x, (1, 2, 0, 3)), (1, height + 2 * pad, width + 2 * pad, -1))
    # depthwise_conv correlates: flip for a true convolution; one kernel per
    # (sample, channel), in the folded channel order.
    k = ops.transpose(ops.flip(kernels, (1, 2)), (1, 2, 0))[..., None]
    k = ops.reshape(ops.repeat(k, channels, axis=-1), (size, size, -1, 1))
    y = ops.depthwise_conv(x, k, padding="valid")
    return ops.transpose(ops.reshape(y, (height, width, batch, channels)), (2, 0, 1, 3))
