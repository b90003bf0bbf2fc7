import keras
import keras_hub

from zoo.arguments import check_int
from zoo.layers import BicubicUpsample, PixelShuffle

SCALES = (2, 3, 4)


@keras.saving.register_keras_serializable(package="zoo")
class EDSRBackbone(keras_hub.models.Backbone):
    """EDSR: residual blocks without batch norm, then sub-pixel upsampling.

    EDSR-baseline (Lim et al., 2017): a head conv, `num_blocks` residual
    blocks (conv-ReLU-conv, scaled by `res_scale`), a body conv with a skip
    from the head, an upsampler (conv + `PixelShuffle(2)` once for ×2, twice
    for ×4; one `PixelShuffle(3)` for ×3) and a tail conv. The image's mean
    (0.5) is subtracted at the input and added back at the output, or, with
    `global_residual`, the bicubic upsampling of the input is added instead
    (and the tail starts at zero: an untrained model is exactly bicubic).
    Works on any height and width; the output is `scale` times larger.

    Args:
        scale: upsampling factor, 2, 3 or 4.
        num_blocks: residual blocks (16 in EDSR-baseline, 32 in EDSR).
        filters: feature channels (64 in EDSR-baseline, 256 in EDSR).
        res_scale: factor on each block's residual (0.1 for wide EDSR).
        channels: image channels in and out (3 for colour).
        global_residual: add the bicubic upsampling of the input (Pillow's,
            `BicubicUpsample`) to the output.
        dtype: the layers' dtype policy. The tail conv and the output sums
            always run in float32.

    Example:
    ```python
    backbone = zoo.models.EDSRBackbone(scale=2)  # EDSR-baseline, 1.37M params
    high_res = backbone.predict(low_res)          # float32 NHWC in [0, 1]
    ```
    """

    def __init__(
        self,
        scale=2,
        num_blocks=16,
        filters=64,
        res_scale=1.0,
        channels=3,
        global_residual=False,
        dtype=None,
        **kwargs,
    ):
        scale = check_int("scale", scale)
        if scale not in SCALES:
            raise ValueError(f"`scale` must be one of {SCALES}. Received: scale={scale!r}")
        num_blocks = check_int("num_blocks", num_blocks, minimum=0)
        filters = check_int("filters", filters)
        channels = check_int("channels", channels)
        if not float(res_scale) > 0:
            raise ValueError(f"`res_scale` must be positive. Received: res_scale={res_scale}")

        # PyTorch's default conv init, as the reference EDSR: Glorot's is
        # 3x larger in variance and blows up through a deep residual stack.
        def conv(width, name, activation=None, layer_dtype=dtype, zero=False):
            init = "zeros" if zero else keras.initializers.VarianceScaling(
                1 / 3, "fan_in", "uniform"
            )
            return keras.layers.Conv2D(
                width, 3, padding="same", activation=activation,
                kernel_initializer=init, dtype=layer_dtype, name=name,
            )

        images = keras.Input(shape=(None, None, channels), name="images")
        x = keras.layers.Rescaling(1.0, offset=-0.5, dtype=dtype, name="sub_mean")(images)
        head = x = conv(filters, "head")(x)
        for i in range(num_blocks):
            y = conv(filters, f"block_{i + 1}_conv_1", "relu")(x)
            y = conv(filters, f"block_{i + 1}_conv_2")(y)
            if res_scale != 1:
                y = keras.layers.Rescaling(res_scale, dtype=dtype, name=f"block_{i + 1}_scale")(y)
            x = keras.layers.Add(dtype=dtype, name=f"block_{i + 1}_add")([x, y])
        x = conv(filters, "body")(x)
        x = keras.layers.Add(dtype=dtype, name="body_add")([head, x])
        steps = [3] if scale == 3 else [2] * (scale // 2)
        for i, step in enumerate(steps):
            x = conv(filters * step**2, f"upsample_{i + 1}_conv")(x)
            x = PixelShuffle(step, dtype=dtype, name=f"upsample_{i + 1}_shuffle")(x)
        # Over bicubic, a zero tail starts training from the bicubic baseline.
        x = conv(channels, "tail", layer_dtype="float32", zero=global_residual)(x)
        if global_residual:
            upsampled = BicubicUpsample(scale, dtype="float32", name="upsample")(images)
            outputs = keras.layers.Add(dtype="float32", name="restored")([upsampled, x])
        else:
            outputs = keras.layers.Rescaling(
                1.0, offset=0.5, dtype="float32", name="add_mean"
            )(x)
        super().__init__(inputs=images, outputs=outputs, dtype=dtype, **kwargs)
        self.scale = scale
        self.num_blocks = num_blocks
        self.filters = filters
        self.res_scale = float(res_scale)
        self.channels = channels
        self.global_residual = bool(global_residual)

    # No striding: any input size works.
    size_multiple = 1

    def get_config(self):
        config = super().get_config()
        config.update(
            scale=self.scale,
            num_blocks=self.num_blocks,
            filters=self.filters,
            res_scale=self.res_scale,
            channels=self.channels,
            global_residual=self.global_residual,
        )
        return config
