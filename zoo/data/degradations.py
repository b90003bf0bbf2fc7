"""Degradations applied on the fly while training, and their benchmark twins."""

import keras
import numpy as np
from keras import ops


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

    Example:
    >>> noise = RandomGaussianNoise(sigma_range=(15, 50), seed=0)
    >>> noisy = noise(clean_images)  # float32 NHWC in [0, 1]
    """

    def __init__(
        self,
        sigma_range: tuple[float, float] = (0, 55),
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
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
        images = ops.convert_to_tensor(images, self.compute_dtype)
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
        return images + noise * (sigma / 255.0)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "sigma_range": list(self.sigma_range),
            "seed": self.seed,
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
    rng = np.random.default_rng(seed)
    noisy = image / 255.0 + rng.normal(0.0, sigma / 255.0, image.shape)
    return noisy.astype(np.float32)
