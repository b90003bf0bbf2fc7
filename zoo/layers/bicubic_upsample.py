"""Pillow's bicubic upscaling by an integer factor, on `keras.ops`."""

import keras
import numpy as np
from keras import ops

from zoo.arguments import check_int


def cubic_kernel(x, a=-0.5):
    """The cubic convolution kernel of Pillow's BICUBIC (Keys, a = -0.5), support 2.

    Example:
    >>> cubic_kernel(np.array([0.0, 1.0, 0.5]))
    array([1.    , 0.    , 0.5625])
    """
    x = np.abs(np.asarray(x, np.float64))
    kernel = np.where(
        x < 1,
        ((a + 2) * x - (a + 3)) * x * x + 1,
        np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0.0),
    )
    kernel += 0.0  # -0.0 (at |x| = 1: 0 * a) becomes 0.0; every other value is unchanged
    return kernel


@keras.saving.register_keras_serializable(package="zoo")
class BicubicUpsample(keras.layers.Layer):
    """Bicubic upsampling by an integer factor, equal to Pillow's in float.

    Output pixel `o` of each axis reads the 5 input pixels around
    `(o + 0.5) / scale - 0.5` with the cubic kernel (a = -0.5); at the borders
    the taps outside the image are dropped and the rest renormalized, as
    Pillow's `Image.resize(..., Image.BICUBIC)` does (its float "F" mode, to
    float32 round-off; its uint8 mode rounds after each pass). Built from a
    fixed depthwise convolution per axis and an interleave, so it runs on
    every backend, on any height and width, and exports to LiteRT; the
    super-resolution models learn a residual over it. Unclipped.

    Args:
        scale: the upsampling factor, an integer >= 2.

    Example:
    >>> BicubicUpsample(2)(np.ones((1, 5, 7, 3), "float32")).shape
    (1, 10, 14, 3)
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = check_int("scale", scale, minimum=2)
        # taps[k, i]: weight of input pixel h + k - 2 for output pixel h·s + i.
        phase = (np.arange(self.scale) + 0.5) / self.scale - 0.5
        self._taps = cubic_kernel(np.arange(-2, 3)[:, None] - phase[None, :])

    def _upsample(self, x, axis):
        """Upsamples along `axis` (1: rows, 2: columns)."""
        s, channels = self.scale, x.shape[-1]
        taps = ops.convert_to_tensor(self._taps.astype("float32"), x.dtype)
        kernel = ops.reshape(taps, (5, 1, 1, s) if axis == 1 else (1, 5, 1, s))
        pad = [[0, 0], [2, 2], [0, 0], [0, 0]] if axis == 1 else [[0, 0], [0, 0], [2, 2], [0, 0]]
        ones = ops.ones_like(x[:1, :, :1, :1] if axis == 1 else x[:1, :1, :, :1])
        norm = ops.depthwise_conv(ops.pad(ones, pad), kernel, 1, "valid")
        kernel = ops.tile(kernel, (1, 1, channels, 1))
        y = ops.depthwise_conv(ops.pad(x, pad), kernel, 1, "valid")  # [.., C·s]
        shape = ops.shape(y)
        y = ops.reshape(y, (shape[0], shape[1], shape[2], channels, s))
        y = y / ops.expand_dims(norm, 3)
        if axis == 1:
            y = ops.transpose(y, (0, 1, 4, 2, 3))
            return ops.reshape(y, (shape[0], shape[1] * s, shape[2], channels))
        y = ops.transpose(y, (0, 1, 2, 4, 3))
        return ops.reshape(y, (shape[0], shape[1], shape[2] * s, channels))

    def _check_rank(self, shape):
        if len(shape) != 4:
            raise ValueError(
                f"BicubicUpsample expects NHWC `[B, H, W, C]` inputs. Received: shape={shape}"
            )

    def build(self, input_shape):
        self._check_rank(input_shape)

    def call(self, images):
        x = ops.convert_to_tensor(images, self.compute_dtype)
        self._check_rank(tuple(x.shape))
        return self._upsample(self._upsample(x, axis=2), axis=1)

    def compute_output_shape(self, input_shape):
        self._check_rank(input_shape)
        batch, height, width, channels = input_shape
        s = self.scale
        return (
            batch,
            None if height is None else height * s,
            None if width is None else width * s,
            channels,
        )

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}
