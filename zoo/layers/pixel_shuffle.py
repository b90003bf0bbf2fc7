"""Sub-pixel upsampling (depth to space) on `keras.ops`."""

import keras
from keras import ops

from zoo.arguments import check_int


@keras.saving.register_keras_serializable(package="zoo")
class PixelShuffle(keras.layers.Layer):
    """Rearranges `[N, H, W, C·s²]` into `[N, H·s, W·s, C]` (depth to space).

    The channel order is TensorFlow's `tf.nn.depth_to_space` (NHWC, "DCR"):
    `out[n, h·s + i, w·s + j, c] = in[n, h, w, (i·s + j)·C + c]`. Written with
    `keras.ops.reshape`/`transpose` only, so it runs on every backend, on
    inputs of unknown height and width, and exports to LiteRT.

    Args:
        scale: the upsampling factor `s`, an integer >= 2.

    Example:
    >>> x = np.zeros((1, 5, 7, 12), "float32")
    >>> PixelShuffle(2)(x).shape
    (1, 10, 14, 3)
    """

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = check_int("scale", scale, minimum=2)

    def _check_channels(self, channels):
        if channels is not None and channels % (self.scale**2):
            raise ValueError(
                f"PixelShuffle({self.scale}) needs channels divisible by "
                f"{self.scale**2}. Received: {channels} channels"
            )

    def build(self, input_shape):
        if len(input_shape) != 4:
            raise ValueError(f"PixelShuffle expects NHWC inputs. Received: shape={input_shape}")
        self._check_channels(input_shape[-1])

    def call(self, inputs):
        s = self.scale
        shape = ops.shape(inputs)
        batch, height, width = shape[0], shape[1], shape[2]
        channels = inputs.shape[-1] // (s * s)
        x = ops.reshape(inputs, (batch, height, width, s, s, channels))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))
        return ops.reshape(x, (batch, height * s, width * s, channels))

    def compute_output_shape(self, input_shape):
        self._check_channels(input_shape[-1])
        batch, height, width, channels = input_shape
        s = self.scale
        return (
            batch,
            None if height is None else height * s,
            None if width is None else width * s,
            channels // (s * s),
        )

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def nearest_upsample(x, dtype=None, name="nearest_up"):
    """Nearest-neighbour x2 of a functional tensor, as 4 copies + `PixelShuffle`.

    Unlike `keras.layers.UpSampling2D` (a reshape that loses the static
    height on TensorFlow) the shape stays static, so LiteRT runs the next
    convolution as a builtin CONV_2D, not a TensorFlow op. Makes the layers
    `{name}_copies` and `{name}`.

    Example:
    ```python
    x = nearest_upsample(keras.Input((8, 8, 16)), name="up")  # (None, 16, 16, 16)
    ```
    """
    x = keras.layers.Concatenate(dtype=dtype, name=f"{name}_copies")([x] * 4)
    return PixelShuffle(2, dtype=dtype, name=name)(x)
