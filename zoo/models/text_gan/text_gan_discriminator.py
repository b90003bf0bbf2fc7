"""The discriminator of the text-conditioned GAN: a projection discriminator."""

import keras
import keras_hub

from zoo.arguments import check_int
from zoo.layers.spectral_normalization import SpectralNormalization
from zoo.models.text_gan.text_gan_generator import _check_image_size, _check_ints


def _sn(layer):
    return SpectralNormalization(layer, name=f"{layer.name}_sn")


def _conv(channels, size, dtype, name):
    return _sn(keras.layers.Conv2D(channels, size, padding="same", dtype=dtype, name=name))


@keras.saving.register_keras_serializable(package="zoo")
class TextGANDiscriminator(keras_hub.models.Backbone):
    """Scores (image, text) pairs with a projection head (Miyato & Koyama, 2018).

    Residual downsampling blocks (SNGAN's ResNet discriminator) turn the
    image into features `phi(x)` (ReLU, then summed over space); the score
    is `psi(phi(x)) + <embed(text), phi(x)>`, where `embed` is a small MLP of
    the pooled text vector. The inner product is what makes the text
    matter: a real image with the wrong caption scores low. Every conv and
    dense layer is wrapped in `zoo.layers.SpectralNormalization`. Outputs
    an unbounded logit per pair, for the hinge loss.

    With `attribute_classes`, an auxiliary classifier (AC-GAN, Odena et al.,
    2017) also reads `phi(x)`: one softmax head per attribute (e.g. the
    colour, shape and size of each object, `zoo.data.ATTRIBUTE_CLASSES`),
    which gives the generator a direct signal per attribute the caption
    names.

    Inputs (a dict): `"images"` `[N, S, S, 3]` in [-1, 1] and `"text"`
    `[N, text_dim]`. Output: `[N, 1]` float32, or with `attribute_classes`
    a dict of `"logits"` `[N, 1]` and `"attributes"` `[N, sum(classes)]`
    (the heads' logits side by side).

    Args:
        text_dim: width of the pooled text vector.
        image_size: input side, 4 * 2**k.
        width: channel unit; block channels are `width * multiplier`.
        channel_multipliers: one per downsampling block, then one for the
            final 4x4 block (default `(1, 2, 4, 8, 8)` at 64x64).
        attribute_classes: class counts of the auxiliary heads (`()`: none).
        dtype: the layers' dtype policy (the score is float32).

    Example:
    ```python
    discriminator = TextGANDiscriminator(text_dim=64, width=64)
    logits = discriminator({"images": images, "text": pooled})  # [N, 1]
    ```
    """

    def __init__(
        self,
        text_dim=64,
        image_size=64,
        width=64,
        channel_multipliers=None,
        attribute_classes=(),
        dtype=None,
        **kwargs,
    ):
        image_size = check_int("image_size", image_size)
        num_blocks = _check_image_size(image_size)
        if channel_multipliers is None:
            channel_multipliers = tuple(min(8, 2**i) for i in range(num_blocks)) + (
                min(8, 2 ** (num_blocks - 1)),
            )
        channel_multipliers = _check_ints("channel_multipliers", channel_multipliers)
        if len(channel_multipliers) != num_blocks + 1:
            raise ValueError(
                f"`channel_multipliers` needs {num_blocks + 1} entries for "
                f"image_size={image_size} (one per downsampling block, then "
                f"the final 4x4 block). Received: {channel_multipliers}"
            )
        text_dim = check_int("text_dim", text_dim)
        width = check_int("width", width)
        attribute_classes = _check_ints("attribute_classes", attribute_classes, minimum=2)
        channels = [width * m for m in channel_multipliers]

        # === Functional model ===
        inputs = {
            "images": keras.Input(shape=(image_size, image_size, 3), name="images"),
            "text": keras.Input(shape=(text_dim,), name="text"),
        }
        x = inputs["images"]
        for i, out_channels in enumerate(channels):
            x = _down_block(
                x, out_channels, downsample=i < num_blocks, first=i == 0, dtype=dtype,
                name=f"block_{i}",
            )
        x = keras.layers.ReLU(dtype=dtype, name="features_act")(x)
        # Sum over space (as SNGAN): mean times the number of positions.
        features = keras.layers.GlobalAveragePooling2D(dtype=dtype, name="features_mean")(x)
        features = keras.layers.Rescaling(16.0, dtype=dtype, name="features")(features)
        unconditional = _sn(keras.layers.Dense(1, dtype=dtype, name="unconditional"))(features)

        text = keras.layers.LayerNormalization(epsilon=1e-5, dtype=dtype, name="text_norm")(
            inputs["text"]
        )
        text = _sn(keras.layers.Dense(channels[-1], dtype=dtype, name="text_dense_1"))(text)
        text = keras.layers.LeakyReLU(0.2, dtype=dtype, name="text_act")(text)
        embedding = _sn(
            keras.layers.Dense(channels[-1], use_bias=False, dtype=dtype, name="text_embedding")
        )(text)
        projection = keras.layers.Dot(axes=1, dtype=dtype, name="projection")([embedding, features])
        logits = keras.layers.Add(dtype="float32", name="logits")([unconditional, projection])
        outputs = logits
        if attribute_classes:
            attributes = keras.layers.Dense(
                sum(attribute_classes), dtype=dtype, name="attribute_logits"
            )(features)
            attributes = keras.layers.Activation(
                "linear", dtype="float32", name="attributes"
            )(attributes)
            outputs = {"logits": logits, "attributes": attributes}
        super().__init__(inputs=inputs, outputs=outputs, dtype=dtype, **kwargs)

        # === Config ===
        self.text_dim = text_dim
        self.image_size = image_size
        self.width = width
        self.channel_multipliers = channel_multipliers
        self.attribute_classes = attribute_classes

    def get_config(self):
        config = super().get_config()
        config.update(
            text_dim=self.text_dim,
            image_size=self.image_size,
            width=self.width,
            channel_multipliers=list(self.channel_multipliers),
            attribute_classes=list(self.attribute_classes),
        )
        return config


def _down_block(x, channels, downsample, first, dtype, name):
    """SNGAN's discriminator block; the first one does not start with a ReLU."""
    in_channels = x.shape[-1]
    h = x if first else keras.layers.ReLU(dtype=dtype, name=f"{name}_act_1")(x)
    h = _conv(channels, 3, dtype, f"{name}_conv_1")(h)
    h = keras.layers.ReLU(dtype=dtype, name=f"{name}_act_2")(h)
    h = _conv(channels, 3, dtype, f"{name}_conv_2")(h)
    if downsample:
        h = keras.layers.AveragePooling2D(2, dtype=dtype, name=f"{name}_pool")(h)
    s = x
    if first and downsample:
        # Pool first, then project: cheaper on the 3-channel input.
        s = keras.layers.AveragePooling2D(2, dtype=dtype, name=f"{name}_shortcut_pool")(s)
        s = _conv(channels, 1, dtype, f"{name}_shortcut")(s)
    elif downsample or in_channels != channels:
        s = _conv(channels, 1, dtype, f"{name}_shortcut")(s)
        if downsample:
            s = keras.layers.AveragePooling2D(2, dtype=dtype, name=f"{name}_shortcut_pool")(s)
    return keras.layers.Add(dtype=dtype, name=f"{name}_add")([s, h])
