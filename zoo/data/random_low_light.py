"""Random under-exposure per sample (gamma + gain), on `keras.ops`."""

import math

import keras
from keras import ops

from zoo.data.degradations import check_float_images


def _check_range(name, value, low_ok, high_ok, bounds):
    """`value` as a float pair `(low, high)` within `bounds`, or a `ValueError`."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"`{name}` must be (low, high). Received: {name}={value!r}") from None
    if not (math.isfinite(low) and math.isfinite(high) and low_ok(low) and high_ok(high)
            and low <= high):
        raise ValueError(
            f"`{name}` must be (low, high) with {bounds}. Received: {name}={tuple(value)!r}"
        )
    return low, high


@keras.saving.register_keras_serializable(package="zoo")
class RandomLowLight(keras.layers.Layer):
    """Darkens each sample as an under-exposed photo: `gain * images ** gamma`.

    Per sample `gamma ~ U(gamma_range)` (above 1: contrast compressed into
    the shadows) and `gain ~ U(gain_range)` (exposure). Images are clipped
    to [0, 1] first, so the output is in [0, 1]. Called inside a model (as
    `ImageRestorer.degradation`), it runs on every backend.

    Args:
        gamma_range: `(low, high)` exponents, `0 < low <= high`.
        gain_range: `(low, high)` gains, `0 < low <= high <= 1`.
        seed: seed of the layer's `keras.random.SeedGenerator`.

    Example:
    >>> dark = RandomLowLight(gamma_range=(1.5, 3.0), gain_range=(0.2, 0.6), seed=0)
    >>> low_light = dark(clean_images)  # float32 NHWC in [0, 1]
    """

    def __init__(self, gamma_range=(1.5, 3.0), gain_range=(0.2, 0.6), seed=None, **kwargs):
        super().__init__(**kwargs)
        self.gamma_range = _check_range(
            "gamma_range", gamma_range, lambda v: v > 0, lambda v: True, "0 < low <= high"
        )
        self.gain_range = _check_range(
            "gain_range", gain_range, lambda v: v > 0, lambda v: v <= 1,
            "0 < low <= high <= 1",
        )
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def _uniform(self, batch, low_high):
        return keras.random.uniform(
            (batch, 1, 1, 1), minval=low_high[0], maxval=low_high[1],
            dtype="float32", seed=self.seed_generator,
        )

    def call(self, images):
        images = check_float_images(images)
        x = ops.clip(ops.cast(images, "float32"), 0.0, 1.0)
        batch = ops.shape(x)[0]
        gamma = self._uniform(batch, self.gamma_range)
        gain = self._uniform(batch, self.gain_range)
        return ops.cast(gain * ops.power(x, gamma), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "gamma_range": list(self.gamma_range),
            "gain_range": list(self.gain_range),
            "seed": self.seed,
        }
