"""The zoo's text-to-image GAN: TextGANGenerator + TextGANDiscriminator."""

import keras

from zoo.models.text_gan.diff_augment import DiffAugment
from zoo.models.text_gan.text_gan_discriminator import TextGANDiscriminator
from zoo.models.text_gan.text_gan_generator import TextGANGenerator
from zoo.tasks.text_to_image import TextToImageGAN


@keras.saving.register_keras_serializable(package="zoo")
class TextGANTextToImage(TextToImageGAN):
    """A `TextToImageGAN` on a `TextGANGenerator` and a `TextGANDiscriminator`.

    Defaults to `DiffAugment()` on the discriminator's inputs. Build one
    from scratch with `from_scratch`, or load a preset with `from_preset`.

    Example:
    ```python
    gan = zoo.models.TextGANTextToImage.from_scratch(text_encoder="tiny")
    gan.fit(zoo.data.shapes_dataset(64), steps_per_epoch=1000, epochs=5)
    gan.generate("a big red circle on the left", seed=0)  # uint8 [64, 64, 3]
    ```
    """

    backbone_cls = TextGANGenerator

    def __init__(self, generator, discriminator, text_encoder, tokenizer, augment="default",
                 **kwargs):
        if isinstance(augment, str) and augment == "default":
            seed = kwargs.get("seed")
            augment = DiffAugment(seed=None if seed is None else seed + 1)
        super().__init__(
            generator=generator,
            discriminator=discriminator,
            text_encoder=text_encoder,
            tokenizer=tokenizer,
            augment=augment,
            **kwargs,
        )

    @classmethod
    def from_scratch(
        cls,
        text_encoder="tiny",
        sequence_length=20,
        image_size=64,
        generator_width=64,
        discriminator_width=64,
        noise_dim=128,
        attention_resolutions=(16,),
        generator_coordinates=False,
        generator_channel_multipliers=None,
        attribute_classes=(),
        seed=None,
        **kwargs,
    ):
        """A freshly initialised GAN with the zoo's tokenizer and a text encoder.

        Args:
            text_encoder: `"tiny"` (a trainable `zoo.text.TinyTextEncoder`),
                `"minilm"` (the frozen pretrained `zoo.text.MiniLMEncoder`),
                or a text encoder model.
            sequence_length: tokens per prompt, `[CLS]` and `[SEP]` included
                (20 holds every captioned-shapes caption; 16 cuts about 1%).
            image_size: image side (64 for the captioned shapes).
            generator_width, discriminator_width: channel units.
            noise_dim: width of the generator's noise.
            attention_resolutions: where the generator cross-attends to the
                tokens (`()` for none).
            generator_coordinates: give the generator's blocks
                `zoo.layers.CoordinateBias` (see `TextGANGenerator`).
            generator_channel_multipliers: the generator's channels per
                stage in units of `generator_width` (default `(8, 8, 4, 2,
                1)` at 64x64; see `TextGANGenerator`).
            attribute_classes: class counts of the discriminator's auxiliary
                attribute heads (`zoo.data.ATTRIBUTE_CLASSES` for the
                captioned shapes; `()`: none). Train with batches that carry
                `"attribute_labels"`.
            seed: seeds the weights' initialisation (via
                `keras.utils.set_random_seed`) and the training noise.
            **kwargs: passed to the constructor (`mismatch_weight`,
                `attribute_weight`, `augment`, `compile`).

        Example:
        ```python
        gan = TextGANTextToImage.from_scratch("minilm", generator_width=32, seed=0)
        ```
        """
        from zoo.text import MiniLMEncoder, PromptTokenizer, TinyTextEncoder

        if seed is not None:
            keras.utils.set_random_seed(seed)
        tokenizer = PromptTokenizer(sequence_length=sequence_length)
        if isinstance(text_encoder, str):
            if text_encoder == "tiny":
                text_encoder = TinyTextEncoder(
                    vocabulary_size=tokenizer.vocabulary_size, sequence_length=sequence_length
                )
            elif text_encoder == "minilm":
                text_encoder = MiniLMEncoder()
            else:
                raise ValueError(
                    "`text_encoder` must be 'tiny', 'minilm' or a model. "
                    f"Received: {text_encoder!r}"
                )
        text_dim = _text_dim(text_encoder, sequence_length)
        generator = TextGANGenerator(
            text_dim=text_dim, noise_dim=noise_dim, image_size=image_size,
            width=generator_width, attention_resolutions=attention_resolutions,
            coordinates=generator_coordinates,
            channel_multipliers=generator_channel_multipliers,
        )
        discriminator = TextGANDiscriminator(
            text_dim=text_dim, image_size=image_size, width=discriminator_width,
            attribute_classes=attribute_classes,
        )
        return cls(
            generator=generator,
            discriminator=discriminator,
            text_encoder=text_encoder,
            tokenizer=tokenizer,
            seed=seed,
            **kwargs,
        )


def _text_dim(text_encoder, sequence_length):
    for attr in ("hidden_dim",):
        if isinstance(getattr(text_encoder, attr, None), int):
            return int(getattr(text_encoder, attr))
    import numpy as np

    tokens = {
        "token_ids": np.zeros((1, sequence_length), np.int32),
        "padding_mask": np.ones((1, sequence_length), np.int32),
    }
    return int(text_encoder(tokens)["pooled"].shape[-1])
