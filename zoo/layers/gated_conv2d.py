"""Gated convolution (Yu et al., 2019): a learned soft mask per pixel and channel."""

import keras
from keras import ops

from zoo.arguments import check_int


@keras.saving.register_keras_serializable(package="zoo")
class GatedConv2D(keras.layers.Layer):
    """`activation(features) * sigmoid(gate)`, both from one convolution.

    One `Conv2D` with `2 * filters` outputs gives the features and the gate,
    so the layer learns where its input is valid (e.g. outside an
    inpainting hole) instead of being told, as partial convolutions are.

    Args:
        filters: output channels.
        kernel_size, strides, dilation_rate: as `keras.layers.Conv2D`
            (padding is always "same").
        activation: applied to the features ("elu" as DeepFill v2).

    Example:
    >>> layer = GatedConv2D(16, 3, strides=2)
    >>> layer(np.zeros((1, 32, 32, 4), "float32")).shape
    (1, 16, 16, 16)
    """

    def __init__(
        self,
        filters,
        kernel_size=3,
        strides=1,
        dilation_rate=1,
        activation="elu",
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.filters = check_int("filters", filters)
        self.kernel_size = kernel_size
        self.strides = strides
        self.dilation_rate = dilation_rate
        self.activation = keras.activations.get(activation)
        self.conv = keras.layers.Conv2D(
            2 * self.filters,
            kernel_size,
            strides=strides,
            dilation_rate=dilation_rate,
            padding="same",
            dtype=self.dtype_policy,
            name="conv",
        )

    def build(self, input_shape):
        self.conv.build(input_shape)

    def call(self, inputs):
        x = self.conv(inputs)
        features, gate = x[..., : self.filters], x[..., self.filters :]
        return self.activation(features) * ops.sigmoid(gate)

    def compute_output_shape(self, input_shape):
        shape = self.conv.compute_output_shape(input_shape)
        return (*shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "dilation_rate": self.dilation_rate,
            "activation": keras.activations.serialize(self.activation),
        }
