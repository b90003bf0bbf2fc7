import keras
import keras_hub

from zoo.arguments import check_int
from zoo.layers import GatedConv2D, nearest_upsample
from zoo.models.inpaint_unet.masking import HideMissing, KeepKnown


@keras.saving.register_keras_serializable(package="zoo")
class InpaintUNetBackbone(keras_hub.models.Backbone):
    """A U-Net of gated convolutions that fills the masked pixels of an image.

    Inputs `{"images": [B, H, W, C], "masks": [B, H, W, 1]}` (float, mask 1 =
    missing). The network sees `images * (1 - masks)` and the mask: a 5×5
    gated conv to `width`, per level a stride-2 gated conv doubling the
    channels and a 3×3 gated conv, dilated gated convs at the lowest
    resolution for context, then per level a nearest ×2 upsampling, the skip
    concatenated and a gated conv; a 3×3 conv predicts the image. The output
    is `masks * predicted + (1 - masks) * images` (in float32), so known
    pixels pass through exactly. Sides must be a multiple of `size_multiple
    = 2 ** depth`; `Inpainter.restore` pads.

    Args:
        width: channels of the first level.
        depth: number of down/up-sampling levels.
        dilations: dilation rates of the context convs at the bottom.
        channels: image channels.
        dtype: the layers' dtype policy.

    Example:
    ```python
    backbone = zoo.models.InpaintUNetBackbone(width=32, depth=3)
    out = backbone.predict({"images": images, "masks": masks})
    ```
    """

    def __init__(self, width=32, depth=3, dilations=(2, 4, 8), channels=3, dtype=None, **kwargs):
        width = check_int("width", width)
        depth = check_int("depth", depth, minimum=0)
        channels = check_int("channels", channels)
        if isinstance(dilations, (str, bytes)) or not hasattr(dilations, "__iter__"):
            raise TypeError(f"`dilations` must be positive ints. Received: dilations={dilations!r}")
        dilations = [check_int(f"dilations[{i}]", d) for i, d in enumerate(dilations)]
        images = keras.Input(shape=(None, None, channels), name="images")
        masks = keras.Input(shape=(None, None, 1), name="masks")
        x = HideMissing(dtype=dtype, name="hide_missing")([images, masks])
        chan = width
        x = GatedConv2D(chan, 5, dtype=dtype, name="stem")(x)
        skips = []
        for level in range(depth):
            skips.append(x)
            chan *= 2
            x = GatedConv2D(chan, 3, strides=2, dtype=dtype, name=f"down{level}")(x)
            x = GatedConv2D(chan, 3, dtype=dtype, name=f"enc{level}")(x)
        for i, rate in enumerate(dilations):
            x = GatedConv2D(chan, 3, dilation_rate=rate, dtype=dtype, name=f"context{i}")(x)
        for level in reversed(range(depth)):
            x = nearest_upsample(x, dtype, name=f"up{level}")
            chan //= 2
            x = keras.layers.Concatenate(dtype=dtype, name=f"skip{level}")([x, skips.pop()])
            x = GatedConv2D(chan, 3, dtype=dtype, name=f"dec{level}")(x)
        predicted = keras.layers.Conv2D(
            channels, 3, padding="same", dtype="float32", name="to_image"
        )(x)
        outputs = KeepKnown(dtype="float32", name="inpainted")([images, masks, predicted])
        super().__init__(
            inputs={"images": images, "masks": masks}, outputs=outputs, dtype=dtype, **kwargs
        )
        self.width = width
        self.depth = depth
        self.dilations = dilations
        self.channels = channels
        self.size_multiple = 2**depth

    scale = 1

    @property
    def int8_float_layers(self):
        """Layers a dynamic-int8 LiteRT export keeps in float32 by default.

        All but the ones at the lowest resolution (the last `down`/`enc`
        pair and the context convs: three quarters of the weights at the
        default size). LiteRT quantizes each layer's input to int8 at run
        time; at full and half resolution that error reaches the filled
        pixels (all-int8 lost up to 2.3 dB on train-split crops), at the
        bottom it is averaged away (0.07 dB at worst on the same crops).
        """
        lowest = {f"down{self.depth - 1}", f"enc{self.depth - 1}"} | {
            f"context{i}" for i in range(len(self.dilations))
        }
        return [layer.name for layer in self.layers if layer.weights and layer.name not in lowest]

    def get_config(self):
        config = super().get_config()
        config.update(
            width=self.width,
            depth=self.depth,
            dilations=list(self.dilations),
            channels=self.channels,
        )
        return config
