"""A PatchGAN discriminator that also returns its features (for feature matching)."""

import keras
import keras_hub

from zoo.arguments import check_int
from zoo.layers.spectral_normalization import SpectralNormalization

# Channels stop doubling at this multiple of `width` (as pix2pix's PatchGAN).
MAX_MULTIPLIER = 8


def _conv(channels, kernel_size, strides, dtype, name):
    conv = keras.layers.Conv2D(
        channels, kernel_size, strides=strides, padding="same", dtype=dtype, name=name
    )
    return SpectralNormalization(conv, dtype=dtype, name=f"{name}_sn")


@keras.saving.register_keras_serializable(package="zoo")
class PatchDiscriminator(keras_hub.models.Backbone):
    """Scores every patch of an image real or fake (PatchGAN, Isola et al., 2017).

    `num_downsamples` spectrally-normalised 4x4 convolutions of stride 2
    (channels `width`, `2·width`, … up to `8·width`), a 3x3 convolution of
    stride 1, each followed by a LeakyReLU(0.2), then a 3x3 convolution to
    one logit per position. Each logit sees a patch of the input, so the
    network judges local texture, which is what super-resolution gets
    wrong. Spectral normalisation (Miyato et al., 2018) on every layer keeps
    the hinge loss stable without batch statistics.

    Besides the logits it returns the activations of its hidden layers, so a
    generator can match the discriminator's features on real and generated
    images (the feature-matching loss of pix2pixHD, Wang et al., 2018).

    Input: `[N, H, W, channels]` images in [0, 1], any size (mapped to
    [-1, 1] inside). Output: a dict with `"logits"`, `[N, ceil(H / 2**k),
    ceil(W / 2**k), 1]` float32 with `k = num_downsamples`, and
    `"features"`, the list of the `num_downsamples + 1` hidden activations,
    shallowest first.

    Args:
        width: channels of the first convolution.
        num_downsamples: stride-2 convolutions; each logit sees a patch
            that grows with it (54x54 pixels at 3, 110x110 at 4).
        channels: image channels (3 for colour).
        dtype: the layers' dtype policy (the logits are float32).

    Example:
    ```python
    discriminator = PatchDiscriminator(width=32, num_downsamples=3)
    outputs = discriminator(images)   # images: [N, 96, 96, 3] in [0, 1]
    outputs["logits"].shape           # (N, 12, 12, 1)
    len(outputs["features"])          # 4
    ```
    """

    def __init__(self, width=32, num_downsamples=3, channels=3, dtype=None, **kwargs):
        check_int("width", width)
        check_int("num_downsamples", num_downsamples)
        check_int("channels", channels)

        # === Functional model ===
        images = keras.Input(shape=(None, None, channels), name="images")
        x = keras.layers.Rescaling(2.0, offset=-1.0, dtype=dtype, name="to_signed")(images)
        features = []
        for i in range(num_downsamples + 1):
            last = i == num_downsamples
            filters = width * min(2**i, MAX_MULTIPLIER)
            x = _conv(
                filters, 3 if last else 4, 1 if last else 2, dtype,
                name="conv_out" if last else f"down_{i}",
            )(x)
            x = keras.layers.LeakyReLU(
                0.2, dtype=dtype, name=f"{'conv_out' if last else f'down_{i}'}_act"
            )(x)
            features.append(x)
        logits = _conv(1, 3, 1, "float32", "logits")(x)
        super().__init__(
            inputs=images, outputs={"logits": logits, "features": features}, dtype=dtype,
            **kwargs,
        )

        # === Config ===
        self.width = width
        self.num_downsamples = num_downsamples
        self.channels = channels

    def get_config(self):
        config = super().get_config()
        config.update(
            width=self.width, num_downsamples=self.num_downsamples, channels=self.channels
        )
        return config
