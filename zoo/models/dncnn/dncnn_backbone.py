import keras
import keras_hub

from zoo.arguments import check_int


@keras.saving.register_keras_serializable(package="zoo")
class DnCNNBackbone(keras_hub.models.Backbone):
    """DnCNN: a plain stack of 3×3 conv + BN + ReLU that predicts the noise.

    Residual learning (Zhang et al., 2017): the network estimates the
    degradation and subtracts it from its input, so the output is the clean
    image. Works on any height and width.

    Args:
        depth: number of conv layers (17 in the paper).
        filters: feature channels of the hidden layers.
        channels: image channels in and out (3 for colour).
        use_batch_norm: batch norm after the hidden convs.
        dtype: the layers' dtype policy. The residual subtraction always runs
            in float32: in bfloat16 it would cost about 1/256 of precision,
            ruinous for PSNR.

    Example:
    ```python
    backbone = zoo.models.DnCNNBackbone(depth=17, filters=64)
    clean = backbone.predict(noisy)  # float32 NHWC in [0, 1]
    ```
    """

    def __init__(
        self,
        depth=17,
        filters=64,
        channels=3,
        use_batch_norm=True,
        dtype=None,
        **kwargs,
    ):
        depth = check_int("depth", depth, minimum=2)
        filters = check_int("filters", filters)
        channels = check_int("channels", channels)
        images = keras.Input(shape=(None, None, channels), name="images")
        x = keras.layers.Conv2D(
            filters, 3, padding="same", activation="relu", dtype=dtype,
            name="conv_in",
        )(images)
        for i in range(depth - 2):
            x = keras.layers.Conv2D(
                filters, 3, padding="same", use_bias=not use_batch_norm,
                dtype=dtype, name=f"conv_{i + 1}",
            )(x)
            if use_batch_norm:
                x = keras.layers.BatchNormalization(
                    momentum=0.99, epsilon=1e-4, dtype=dtype, name=f"bn_{i + 1}"
                )(x)
            x = keras.layers.ReLU(dtype=dtype, name=f"relu_{i + 1}")(x)
        residual = keras.layers.Conv2D(
            channels, 3, padding="same", dtype="float32", name="conv_out"
        )(x)
        outputs = keras.layers.Subtract(dtype="float32", name="restored")(
            [images, residual]
        )
        super().__init__(inputs=images, outputs=outputs, dtype=dtype, **kwargs)
        self.depth = depth
        self.filters = filters
        self.channels = channels
        self.use_batch_norm = bool(use_batch_norm)

    # Inputs padded to this multiple come back the same size (no striding).
    size_multiple = 1
    scale = 1

    def get_config(self):
        config = super().get_config()
        config.update(
            depth=self.depth,
            filters=self.filters,
            channels=self.channels,
            use_batch_norm=self.use_batch_norm,
        )
        return config
