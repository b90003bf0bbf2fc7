"""The generator of the text-conditioned GAN: noise + text -> image."""

import keras
import keras_hub

from zoo.arguments import check_int
from zoo.layers import CoordinateBias, nearest_upsample
from zoo.models.text_gan.text_gan_layers import ConditionalBatchNorm, TextCrossAttention


def _default_generator_multipliers(num_blocks):
    # 64x64: 4x4 at 8w, then 8w, 4w, 2w, 1w after each upsampling.
    return tuple([8] + [min(8, 2 ** (num_blocks - 1 - i)) for i in range(num_blocks)])


def _check_image_size(image_size):
    """The number of x2 blocks between 4x4 and `image_size`, which must be 4 * 2**k."""
    image_size = check_int("image_size", image_size)
    quarter = image_size // 4
    if image_size < 8 or image_size % 4 or quarter & (quarter - 1):
        raise ValueError(
            f"`image_size` must be 4 * 2**k with k >= 1 (8, 16, 32, 64, ...). "
            f"Received: image_size={image_size}"
        )
    return quarter.bit_length() - 1


def _check_ints(name, values, minimum=1):
    """`values` (an iterable) as a tuple of ints, each checked by `check_int`."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"`{name}` must be a sequence of ints. Received: {name}={values!r}")
    return tuple(check_int(f"{name}[{i}]", v, minimum) for i, v in enumerate(values))


@keras.saving.register_keras_serializable(package="zoo")
class TextGANGenerator(keras_hub.models.Backbone):
    """Noise and a text embedding to an image in [-1, 1] (a BigGAN-style ResNet).

    The text conditions every block strongly: the pooled text vector goes
    through a small MLP, is concatenated with the noise `z`, and this
    condition sets the scale and shift of every batch norm (conditional BN /
    FiLM). Optionally, at the resolutions in `attention_resolutions`, the
    image features also cross-attend to the prompt's token states. Blocks
    upsample 4 -> 8 -> 16 -> 32 -> 64 (nearest + 3x3 convs, residual), and a
    final BN-ReLU-conv-tanh gives RGB. With `coordinates=True` each block's
    first convolution also gets a learned ramp in `x` and `y`
    (`zoo.layers.CoordinateBias`), so the conditional norm after it can
    place straight edges where the text says, at every resolution.

    Inputs (a dict): `"noise"` `[N, noise_dim]`, `"text"` `[N, text_dim]`
    (the encoder's pooled vector) and, when attention is used,
    `"token_states"` `[N, L, text_dim]` and `"padding_mask"` `[N, L]`.
    Output: `[N, image_size, image_size, 3]` float32 in [-1, 1].

    Args:
        text_dim: width of the text encoder's outputs (64 for
            `TinyTextEncoder`, 384 for `MiniLMEncoder`).
        noise_dim: width of `z`.
        image_size: output side, 4 * 2**k.
        width: channel unit; block channels are `width * multiplier`.
        channel_multipliers: one for the 4x4 input then one per block
            (default `(8, 8, 4, 2, 1)` at 64x64).
        embedding_dim: width of the text embedding in the condition.
        attention_resolutions: sides at which features cross-attend to the
            tokens (e.g. `(16,)`; `()` for none).
        num_heads: heads of the cross-attention.
        coordinates: add `CoordinateBias` after each block's first
            convolution (its weights start at zero, so a generator trained
            without it loads into one with it and draws the same images).
        dtype: the layers' dtype policy (the output is float32).

    Example:
    ```python
    generator = TextGANGenerator(text_dim=64, width=64)
    images = generator({"noise": z, "text": pooled,
                        "token_states": states, "padding_mask": mask})
    ```
    """

    def __init__(
        self,
        text_dim=64,
        noise_dim=128,
        image_size=64,
        width=64,
        channel_multipliers=None,
        embedding_dim=128,
        attention_resolutions=(16,),
        num_heads=4,
        coordinates=False,
        dtype=None,
        **kwargs,
    ):
        image_size = check_int("image_size", image_size)
        num_blocks = _check_image_size(image_size)
        if channel_multipliers is None:
            channel_multipliers = _default_generator_multipliers(num_blocks)
        channel_multipliers = _check_ints("channel_multipliers", channel_multipliers)
        if len(channel_multipliers) != num_blocks + 1:
            raise ValueError(
                f"`channel_multipliers` needs {num_blocks + 1} entries for "
                f"image_size={image_size} (the 4x4 input, then one per block). "
                f"Received: {channel_multipliers}"
            )
        text_dim = check_int("text_dim", text_dim)
        noise_dim = check_int("noise_dim", noise_dim)
        width = check_int("width", width)
        embedding_dim = check_int("embedding_dim", embedding_dim)
        num_heads = check_int("num_heads", num_heads)
        attention_resolutions = _check_ints("attention_resolutions", attention_resolutions)
        sides = [4 * 2 ** (i + 1) for i in range(num_blocks)]
        for side in attention_resolutions:
            if side not in sides:
                raise ValueError(
                    f"`attention_resolutions` must be among the block sides {sides}. "
                    f"Received: {attention_resolutions}"
                )
        channels = [width * m for m in channel_multipliers]

        # === Functional model ===
        inputs = {
            "noise": keras.Input(shape=(noise_dim,), name="noise"),
            "text": keras.Input(shape=(text_dim,), name="text"),
        }
        if attention_resolutions:
            inputs["token_states"] = keras.Input(shape=(None, text_dim), name="token_states")
            inputs["padding_mask"] = keras.Input(shape=(None,), dtype="int32", name="padding_mask")

        text = keras.layers.LayerNormalization(epsilon=1e-5, dtype=dtype, name="text_norm")(
            inputs["text"]
        )
        text = keras.layers.Dense(embedding_dim, dtype=dtype, name="text_dense_1")(text)
        text = keras.layers.LeakyReLU(0.2, dtype=dtype, name="text_act")(text)
        text = keras.layers.Dense(embedding_dim, dtype=dtype, name="text_dense_2")(text)
        condition = keras.layers.Concatenate(dtype=dtype, name="condition")(
            [inputs["noise"], text]
        )

        x = keras.layers.Dense(4 * 4 * channels[0], dtype=dtype, name="stem")(condition)
        x = keras.layers.Reshape((4, 4, channels[0]), dtype=dtype, name="stem_reshape")(x)
        states = None
        if attention_resolutions:
            states = keras.layers.LayerNormalization(
                epsilon=1e-5, dtype=dtype, name="token_norm"
            )(inputs["token_states"])
        for i, out_channels in enumerate(channels[1:]):
            x = _up_block(x, condition, out_channels, coordinates, dtype, name=f"block_{i}")
            if sides[i] in attention_resolutions:
                x = TextCrossAttention(
                    out_channels, num_heads=num_heads, dtype=dtype,
                    name=f"cross_attention_{sides[i]}",
                )([x, states, inputs["padding_mask"]])
        x = keras.layers.BatchNormalization(
            momentum=0.9, epsilon=1e-5, dtype=dtype, name="out_norm"
        )(x)
        x = keras.layers.ReLU(dtype=dtype, name="out_act")(x)
        x = keras.layers.Conv2D(3, 3, padding="same", dtype=dtype, name="out_conv")(x)
        images = keras.layers.Activation("tanh", dtype="float32", name="images")(x)
        super().__init__(inputs=inputs, outputs=images, dtype=dtype, **kwargs)

        # === Config ===
        self.text_dim = text_dim
        self.noise_dim = noise_dim
        self.image_size = image_size
        self.width = width
        self.channel_multipliers = channel_multipliers
        self.embedding_dim = embedding_dim
        self.attention_resolutions = attention_resolutions
        self.num_heads = num_heads
        self.coordinates = bool(coordinates)

    @property
    def uses_token_states(self):
        """Whether the generator reads `token_states` and `padding_mask`."""
        return bool(self.attention_resolutions)

    def get_config(self):
        config = super().get_config()
        config.update(
            text_dim=self.text_dim,
            noise_dim=self.noise_dim,
            image_size=self.image_size,
            width=self.width,
            channel_multipliers=list(self.channel_multipliers),
            embedding_dim=self.embedding_dim,
            attention_resolutions=list(self.attention_resolutions),
            num_heads=self.num_heads,
            coordinates=self.coordinates,
        )
        return config


def _up_block(x, condition, channels, coordinates, dtype, name):
    """CBN-ReLU-up-conv-CBN-ReLU-conv, plus an upsampled 1x1 shortcut."""
    in_channels = x.shape[-1]
    h = ConditionalBatchNorm(in_channels, dtype=dtype, name=f"{name}_norm_1")([x, condition])
    h = keras.layers.ReLU(dtype=dtype, name=f"{name}_act_1")(h)
    h = nearest_upsample(h, dtype, name=f"{name}_up")
    h = keras.layers.Conv2D(channels, 3, padding="same", dtype=dtype, name=f"{name}_conv_1")(h)
    if coordinates:
        h = CoordinateBias(dtype=dtype, name=f"{name}_coordinates")(h)
    h = ConditionalBatchNorm(channels, dtype=dtype, name=f"{name}_norm_2")([h, condition])
    h = keras.layers.ReLU(dtype=dtype, name=f"{name}_act_2")(h)
    h = keras.layers.Conv2D(channels, 3, padding="same", dtype=dtype, name=f"{name}_conv_2")(h)
    s = nearest_upsample(x, dtype, name=f"{name}_shortcut_up")
    s = keras.layers.Conv2D(channels, 1, dtype=dtype, name=f"{name}_shortcut")(s)
    return keras.layers.Add(dtype=dtype, name=f"{name}_add")([s, h])

