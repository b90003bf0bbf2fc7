"""A learned function of the pixel coordinates added to features (CoordConv)."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class CoordinateBias(keras.layers.Layer):
    """Adds `kx[c] * x + ky[c] * y` to channel `c` of every pixel.

    `x` and `y` run from -1 (left, top) to 1 (right, bottom) across the
    feature map, as CoordConv's coordinate channels (Liu et al., 2018); a
    1x1 convolution of those two channels is this per-channel pair of
    weights. Convolutions are translation-equivariant, so on their own they
    know where a pixel is only from the borders; with a ramp in the
    features, a following (conditional) norm and ReLU can place a straight
    edge at a position the input chooses, at full resolution. The weights
    start at zero: the layer is the identity at initialisation, so it can be
    added to a trained network without changing its outputs.

    Call: NHWC features -> the same shape (static height and width).

    Example:
    >>> x = np.zeros((1, 4, 4, 8), "float32")
    >>> CoordinateBias()(x).shape
    (1, 4, 4, 8)
    """

    def build(self, input_shape):
        if len(input_shape) != 4 or None in input_shape[1:]:
            raise ValueError(
                "CoordinateBias expects NHWC inputs with a known height, width and "
                f"channels. Received: shape={input_shape}"
            )
        channels = input_shape[-1]
        self.kernel = self.add_weight(shape=(2, channels), initializer="zeros", name="kernel")

    def call(self, inputs):
        height, width = inputs.shape[1], inputs.shape[2]
        y = ops.linspace(-1.0, 1.0, height)[:, None] * ops.ones((1, width))
        x = ops.ones((height, 1)) * ops.linspace(-1.0, 1.0, width)[None, :]
        coordinates = ops.cast(ops.stack([x, y], axis=-1), self.compute_dtype)
        bias = ops.matmul(coordinates, ops.cast(self.kernel, self.compute_dtype))
        return inputs + bias[None]

    def compute_output_shape(self, input_shape):
        return input_shape
