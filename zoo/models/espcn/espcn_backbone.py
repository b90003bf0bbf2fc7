import keras
import keras_hub

from zoo.arguments import check_int
from zoo.layers import BicubicUpsample, PixelShuffle

SCALES = (2, 3, 4)


@keras.saving.register_keras_serializable(package="zoo")
class ESPCNBackbone(keras_hub.models.Backbone):
    """ESPCN: a tiny sub-pixel super-resolution network for phones.

    Three convolutions on the low-res image (5×5, 3×3, then 3×3 to
    `channels·scale²`) and a `PixelShuffle` (Shi et al., 2016). The network
    learns a residual over the bicubic upsampling of its input (Pillow's,
    `BicubicUpsample`), which trains faster and better than the plain
    mapping; its last convolution starts at zero, so training starts from
    exactly the bicubic baseline. About 37k parameters at ×4
    with the default filters. Works on any height and width; the output is
    `scale` times larger.

    Args:
        scale: upsampling factor, 2, 3 or 4.
        channels: image channels in and out (3 for colour).
        filters: feature channels of the first two convolutions.
        activation: activation of the first two convolutions ("tanh" in the
            paper).
        dtype: the layers' dtype policy. The last convolution, the pixel
            shuffle and the residual sum always run in float32.

    Example:
    ```python
    backbone = zoo.models.ESPCNBackbone(scale=4)
    high_res = backbone.predict(low_res)  # float32 NHWC in [0, 1], 4x larger
    ```
    """

    def __init__(
        self,
        scale=2,
        channels=3,
        filters=(64, 32),
        activation="tanh",
        dtype=None,
        **kwargs,
    ):
        scale = check_int("scale", scale)
        if scale not in SCALES:
            raise ValueError(f"`scale` must be one of {SCALES}. Received: scale={scale!r}")
        if isinstance(filters, (str, bytes)) or not hasattr(filters, "__iter__"):
            raise TypeError(f"`filters` must be two positive ints. Received: filters={filters!r}")
        filters = tuple(filters)
        if len(filters) != 2:
            raise ValueError(f"`filters` must be two positive ints. Received: filters={filters}")
        filters = tuple(check_int(f"filters[{i}]", f) for i, f in enumerate(filters))
        channels = check_int("channels", channels)
        images = keras.Input(shape=(None, None, channels), name="images")
        x = keras.layers.Conv2D(
            filters[0], 5, padding="same", activation=activation, dtype=dtype,
            name="conv_1",
        )(images)
        x = keras.layers.Conv2D(
            filters[1], 3, padding="same", activation=activation, dtype=dtype,
            name="conv_2",
        )(x)
        # Zero-initialized: an untrained model is exactly bicubic.
        x = keras.layers.Conv2D(
            channels * scale**2, 3, padding="same", kernel_initializer="zeros",
            dtype="float32", name="conv_3",
        )(x)
        residual = PixelShuffle(scale, dtype="float32", name="pixel_shuffle")(x)
        upsampled = BicubicUpsample(scale, dtype="float32", name="upsample")(images)
        outputs = keras.layers.Add(dtype="float32", name="restored")([upsampled, residual])
        super().__init__(inputs=images, outputs=outputs, dtype=dtype, **kwargs)
        self.scale = scale
        self.channels = channels
        self.filters = filters
        self.activation = activation

    # No striding: any input size works.
    size_multiple = 1

    def get_config(self):
        config = super().get_config()
        config.update(
            scale=self.scale,
            channels=self.channels,
            filters=list(self.filters),
            activation=self.activation,
        )
        return config
