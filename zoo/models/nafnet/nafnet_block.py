"""The NAFNet block: LayerNorm, gated depthwise conv, channel attention, FFN."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class SimpleGate(keras.layers.Layer):
    """Splits the channels in two halves and multiplies them (NAFNet).

    Example:
    >>> SimpleGate()(np.ones((1, 4, 4, 8), "float32")).shape
    (1, 4, 4, 4)
    """

    def call(self, inputs):
        first, second = ops.split(inputs, 2, axis=-1)
        return first * second

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] // 2)


@keras.saving.register_keras_serializable(package="zoo")
class ScaledResidual(keras.layers.Layer):
    """`shortcut + scale * branch`, a learnable per-channel `scale` (init 0).

    With the scale at zero a fresh block is the identity (NAFNet's beta and
    gamma), which keeps deep U-Nets stable at the start of training.

    Example:
    ```python
    shortcut = np.ones((1, 4, 4, 8), "float32")
    branch = np.ones((1, 4, 4, 8), "float32")
    out = ScaledResidual()([shortcut, branch])  # equals shortcut: scale starts at 0
    ```
    """

    def build(self, input_shape):
        self.scale = self.add_weight(
            name="scale", shape=(input_shape[0][-1],), initializer="zeros"
        )

    def call(self, inputs):
        shortcut, branch = inputs
        return shortcut + ops.cast(self.scale, branch.dtype) * branch

    def compute_output_shape(self, input_shape):
        return input_shape[0]


def naf_block(x, name, dtype=None):
    """Applies one NAFBlock (Chen et al., 2022) to a functional tensor `x`.

    Spatial mixing: LayerNorm over channels -> 1x1 conv (2x width) -> 3x3
    depthwise -> SimpleGate -> simplified channel attention (global average
    pool -> 1x1 conv -> multiply) -> 1x1 conv, added with beta. Then the
    feed-forward part: LayerNorm -> 1x1 conv (2x) -> SimpleGate -> 1x1 conv,
    added with gamma.

    Example:
    >>> y = naf_block(keras.Input((None, None, 16)), name="enc0_block0")
    """
    channels = x.shape[-1]

    def conv(filters, kernel, suffix):
        return keras.layers.Conv2D(
            filters, kernel, padding="same", dtype=dtype, name=f"{name}_{suffix}"
        )

    def norm(suffix):
        return keras.layers.LayerNormalization(
            epsilon=1e-6, dtype=dtype, name=f"{name}_{suffix}"
        )

    y = norm("norm1")(x)
    y = conv(2 * channels, 1, "conv1")(y)
    y = keras.layers.DepthwiseConv2D(
        3, padding="same", dtype=dtype, name=f"{name}_dwconv"
    )(y)
    y = SimpleGate(dtype=dtype, name=f"{name}_gate1")(y)
    attention = keras.layers.GlobalAveragePooling2D(
        keepdims=True, dtype=dtype, name=f"{name}_pool"
    )(y)
    attention = conv(channels, 1, "sca")(attention)
    y = keras.layers.Multiply(dtype=dtype, name=f"{name}_sca_mul")([y, attention])
    y = conv(channels, 1, "conv3")(y)
    x = ScaledResidual(dtype=dtype, name=f"{name}_beta")([x, y])

    y = norm("norm2")(x)
    y = conv(2 * channels, 1, "conv4")(y)
    y = SimpleGate(dtype=dtype, name=f"{name}_gate2")(y)
    y = conv(channels, 1, "conv5")(y)
    return ScaledResidual(dtype=dtype, name=f"{name}_gamma")([x, y])
