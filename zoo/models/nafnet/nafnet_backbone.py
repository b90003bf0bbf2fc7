import keras
import keras_hub

from zoo.arguments import check_int
from zoo.layers import PixelShuffle
from zoo.models.nafnet.nafnet_block import naf_block


def _check_blocks(name, value):
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"`{name}` must hold non-negative ints. Received: {name}={value!r}")
    return [check_int(f"{name}[{i}]", b, minimum=0) for i, b in enumerate(value)]


@keras.saving.register_keras_serializable(package="zoo")
class NAFNetBackbone(keras_hub.models.Backbone):
    """NAFNet (Chen et al., 2022): a U-Net of nonlinear-activation-free blocks.

    A 3×3 conv to `width` channels; per encoder level, `enc_blocks[i]`
    NAFBlocks then a stride-2 2×2 conv doubling the channels; `middle_blocks`
    blocks; per decoder level, a 1×1 conv + depth-to-space (PixelShuffle)
    halving the channels and doubling the size, the skip added, then
    `dec_blocks[i]` blocks; a 3×3 conv back to `channels`, added to the input
    (global residual, in float32). Inputs need sides that are a multiple of
    `size_multiple = 2 ** len(enc_blocks)`; `ImageRestorer.restore` pads.

    Args:
        width: channels of the first level (32 in the paper's light models).
        enc_blocks: NAFBlocks per encoder level (its length = levels).
        middle_blocks: NAFBlocks at the lowest resolution.
        dec_blocks: NAFBlocks per decoder level (as many levels).
        channels: image channels in and out.
        dtype: the layers' dtype policy.

    Example:
    ```python
    backbone = zoo.models.NAFNetBackbone(width=32, enc_blocks=[1, 1, 1, 28],
                                         middle_blocks=1, dec_blocks=[1, 1, 1, 1])
    sharp = backbone.predict(blurred)  # float32 NHWC, sides a multiple of 16
    ```
    """

    def __init__(
        self,
        width=32,
        enc_blocks=(1, 1, 1, 8),
        middle_blocks=1,
        dec_blocks=(1, 1, 1, 1),
        channels=3,
        dtype=None,
        **kwargs,
    ):
        enc_blocks = _check_blocks("enc_blocks", enc_blocks)
        dec_blocks = _check_blocks("dec_blocks", dec_blocks)
        if len(enc_blocks) != len(dec_blocks):
            raise ValueError(
                "`enc_blocks` and `dec_blocks` must have the same length (one "
                f"entry per level). Received: {enc_blocks} and {dec_blocks}"
            )
        width = check_int("width", width)
        channels = check_int("channels", channels)
        middle_blocks = check_int("middle_blocks", middle_blocks, minimum=0)
        images = keras.Input(shape=(None, None, channels), name="images")
        x = keras.layers.Conv2D(width, 3, padding="same", dtype=dtype, name="intro")(images)
        skips = []
        chan = width
        for level, count in enumerate(enc_blocks):
            for b in range(count):
                x = naf_block(x, f"enc{level}_block{b}", dtype)
            skips.append(x)
            chan *= 2
            x = keras.layers.Conv2D(chan, 2, strides=2, dtype=dtype, name=f"down{level}")(x)
        for b in range(middle_blocks):
            x = naf_block(x, f"middle_block{b}", dtype)
        for level, count in enumerate(dec_blocks):
            x = keras.layers.Conv2D(
                chan * 2, 1, use_bias=False, dtype=dtype, name=f"up{level}_conv"
            )(x)
            x = PixelShuffle(2, dtype=dtype, name=f"up{level}_shuffle")(x)
            chan //= 2
            x = keras.layers.Add(dtype=dtype, name=f"skip{level}")([x, skips.pop()])
            for b in range(count):
                x = naf_block(x, f"dec{level}_block{b}", dtype)
        residual = keras.layers.Conv2D(
            channels, 3, padding="same", dtype="float32", name="ending"
        )(x)
        outputs = keras.layers.Add(dtype="float32", name="restored")([images, residual])
        super().__init__(inputs=images, outputs=outputs, dtype=dtype, **kwargs)
        self.width = width
        self.enc_blocks = enc_blocks
        self.middle_blocks = middle_blocks
        self.dec_blocks = dec_blocks
        self.channels = channels
        self.size_multiple = 2 ** len(enc_blocks)

    scale = 1

    def get_config(self):
        config = super().get_config()
        config.update(
            width=self.width,
            enc_blocks=list(self.enc_blocks),
            middle_blocks=self.middle_blocks,
            dec_blocks=list(self.dec_blocks),
            channels=self.channels,
        )
        return config
