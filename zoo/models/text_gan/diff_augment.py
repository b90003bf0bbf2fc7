"""DiffAugment: differentiable augmentation of real and fake images alike."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class DiffAugment(keras.layers.Layer):
    """Differentiable augmentation for data-efficient GANs (Zhao et al., 2020).

    Applied, while training, to both the real and the generated images
    before the discriminator sees them, so the discriminator cannot memorise
    the few training images and the generator still gets gradients through
    the augmentation. Only colour-safe transforms: in a text-to-image task
    colour is part of the label, so there is no saturation or hue jitter.

    * translation: per image, an integer shift of up to
      `translation * size` pixels along each axis; the uncovered border is
      filled with black (-1), the background of the shapes data;
    * cutout: per image, a `cutout * size` square at a random place set to 0
      (mid grey);
    * brightness: per image, `+ (u - 0.5) * brightness` with `u ~ U(0, 1)`
      added to every channel (a shift that keeps the hue).

    Written with `keras.ops` and `keras.random` only (the shifts are one-hot
    matrix products), so it runs, differentiates and compiles on every
    backend. Images are NHWC in [-1, 1]. At inference (`training=False`) it
    is the identity.

    Args:
        translation: largest shift as a fraction of the side (0 disables).
        cutout: side of the cut-out square as a fraction of the side
            (0 disables).
        brightness: range of the brightness shift (0 disables).
        seed: seed of the layer's `SeedGenerator`.

    Example:
    ```python
    augment = DiffAugment(translation=0.0625, cutout=0.25, brightness=0.5)
    d_inputs = augment(ops.concatenate([real, fake]), training=True)
    ```
    """

    def __init__(self, translation=0.0625, cutout=0.25, brightness=0.5, seed=None, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("translation", translation), ("cutout", cutout)):
            if not 0.0 <= float(value) < 1.0:
                raise ValueError(f"`{name}` must be in [0, 1). Received: {name}={value}")
        if float(brightness) < 0:
            raise ValueError(f"`brightness` must be >= 0. Received: brightness={brightness}")
        self.translation = float(translation)
        self.cutout = float(cutout)
        self.brightness = float(brightness)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def call(self, images, training=False):
        if not training:
            return images
        x = images
        if self.brightness > 0:
            x = self._brightness(x)
        if self.translation > 0:
            x = self._translate(x)
        if self.cutout > 0:
            x = self._cutout(x)
        return x

    def _brightness(self, x):
        batch = ops.shape(x)[0]
        shift = keras.random.uniform((batch, 1, 1, 1), seed=self.seed_generator, dtype=x.dtype)
        return x + (shift - 0.5) * self.brightness

    @staticmethod
    def _shift_matrix(offsets, size, dtype):
        # M[n, i, j] = 1 where j == i - offset[n]: out[i] = in[i - offset].
        i = ops.arange(size, dtype="int32")[None, :, None]
        j = ops.arange(size, dtype="int32")[None, None, :]
        return ops.cast(ops.equal(j, i - offsets[:, None, None]), dtype)

    def _translate(self, x):
        batch = ops.shape(x)[0]
        height, width = x.shape[1], x.shape[2]
        dy_max = int(height * self.translation + 0.5)
        dx_max = int(width * self.translation + 0.5)
        if dy_max == 0 and dx_max == 0:
            return x
        dy = keras.random.randint((batch,), -dy_max, dy_max + 1, seed=self.seed_generator)
        dx = keras.random.randint((batch,), -dx_max, dx_max + 1, seed=self.seed_generator)
        rows = self._shift_matrix(ops.cast(dy, "int32"), height, x.dtype)
        cols = self._shift_matrix(ops.cast(dx, "int32"), width, x.dtype)
        # Shift x + 1 so the uncovered border becomes 0, i.e. -1 (black) after.
        shifted = ops.einsum("nij,njwc->niwc", rows, x + 1.0)
        shifted = ops.einsum("nij,nhjc->nhic", cols, shifted)
        return shifted - 1.0

    def _cutout(self, x):
        batch = ops.shape(x)[0]
        height, width = x.shape[1], x.shape[2]
        cut_h = int(height * self.cutout + 0.5)
        cut_w = int(width * self.cutout + 0.5)
        if cut_h == 0 or cut_w == 0:
            return x
        cy = keras.random.randint((batch,), 0, height + (1 - cut_h % 2), seed=self.seed_generator)
        cx = keras.random.randint((batch,), 0, width + (1 - cut_w % 2), seed=self.seed_generator)
        ys = ops.arange(height, dtype="int32")[None, :]
        xs = ops.arange(width, dtype="int32")[None, :]
        top = ops.cast(cy, "int32")[:, None] - cut_h // 2
        left = ops.cast(cx, "int32")[:, None] - cut_w // 2
        in_rows = ops.logical_and(ys >= top, ys < top + cut_h)
        in_cols = ops.logical_and(xs >= left, xs < left + cut_w)
        hole = ops.logical_and(in_rows[:, :, None], in_cols[:, None, :])
        keep = 1.0 - ops.cast(hole, x.dtype)
        return x * keep[..., None]

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            translation=self.translation,
            cutout=self.cutout,
            brightness=self.brightness,
            seed=self.seed,
        )
        return config
