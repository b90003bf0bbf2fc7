"""Text-to-image GANs: what a user holds to generate from prompts and fine-tune."""

import keras
import keras_hub
import numpy as np
from keras import ops

from zoo.arguments import check_int
from zoo.text.prompt_tokenizer import check_prompts
from zoo.training.adversarial import AdversarialTrainer

# Batches a `fit` data source may yield, besides `(images, captions)` pairs.
_TOKEN_KEYS = ("token_ids", "padding_mask")


def images_to_uint8(images):
    """Generator outputs (float in [-1, 1]) -> uint8 in [0, 255], as `generate` rounds them.

    `round((x + 1) * 127.5)`, clipped: use it on what an exported generator
    returns to get the images `generate` gives.

    Example:
    ```python
    from zoo.export import run_exported

    out = run_exported("g.tflite", gan.export_inputs(prompts, seed=0))
    images_to_uint8(out)  # == gan.generate(prompts, seed=0)
    ```
    """
    images = np.asarray(images, np.float32)
    if not np.all(np.isfinite(images)):
        raise ValueError("`images` contains NaN or infinite values (a diverged generator?).")
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def _check_captions(captions, count=None):
    if isinstance(captions, np.ndarray):
        captions = captions.tolist()
    if isinstance(captions, str) or not isinstance(captions, (list, tuple)):
        raise TypeError(
            "`captions` must be a list of strings (one per image). Received: "
            f"{type(captions).__name__}"
        )
    out = []
    for i, text in enumerate(captions):
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if not isinstance(text, str):
            raise TypeError(
                f"`captions` must hold only strings. Received: captions[{i}] of "
                f"type {type(text).__name__}"
            )
        out.append(text)
    if count is not None and len(out) != count:
        raise ValueError(
            f"`captions` must have one caption per image: {count} images, "
            f"{len(out)} captions."
        )
    return out


def _image_range(images, image_range):
    if image_range is not None:
        image_range = tuple(float(v) for v in image_range)
        if image_range not in ((0.0, 1.0), (-1.0, 1.0)):
            raise ValueError(
                f"`image_range` must be None, (0, 1) or (-1, 1). Received: {image_range}"
            )
        return image_range
    # Auto: float images with negative values are in [-1, 1], others in [0, 1].
    return (-1.0, 1.0) if float(np.min(images)) < 0 else (0.0, 1.0)


def to_model_range(images, image_size, image_range=None):
    """uint8 `[0, 255]`, float `[0, 1]` or float `[-1, 1]` images -> float32 `[-1, 1]`.

    Integer images must be uint8 (other integer dtypes raise `TypeError`:
    their scale is ambiguous). For float images `image_range`
    says which range they are in; `None` decides per call: `(-1, 1)` when
    any value is negative, else `(0, 1)`.
    """
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[1:] != (image_size, image_size, 3):
        raise ValueError(
            f"`images` must be [N, {image_size}, {image_size}, 3]. "
            f"Received: shape={images.shape}"
        )
    if images.shape[0] == 0:
        raise ValueError("`images` is empty.")
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 127.5 - 1.0
    if images.dtype.kind != "f":
        # Other integer types have no agreed scale (uint16 is 0-65535, int8
        # signed): dividing them by 127.5 would leave [-1, 1] silently.
        raise TypeError(f"`images` must be uint8 or float. Received: dtype={images.dtype}")
    if not np.all(np.isfinite(images)):
        raise ValueError("`images` contains NaN or infinite values.")
    low, high = _image_range(images, image_range)
    # A little rounding slack; 0-255 floats would otherwise train on garbage.
    if images.min() < low - 1e-3 or images.max() > high + 1e-3:
        raise ValueError(
            f"`images` are floats in [{images.min():g}, {images.max():g}], outside "
            f"their range ({low:g}, {high:g}): pass uint8, or floats in [0, 1] or [-1, 1]."
        )
    images = images.astype(np.float32)
    return images if low < 0 else images * 2.0 - 1.0


class CaptionedImageBatches(keras.utils.PyDataset):
    """`(images, captions)` arrays -> shuffled, tokenized training batches.

    Each batch is `{"images": float32 [-1, 1], "token_ids", "padding_mask"}`;
    tokenizing here, in the data path, is what lets `fit` run on JAX and
    PyTorch, which cannot take strings. A remainder smaller than
    `batch_size` is dropped (unless it is the only batch), so every step
    has the same shape.
    """

    def __init__(self, images, captions, tokenizer, image_size, batch_size=32, shuffle=True,
                 seed=None, image_range=None, **kwargs):
        super().__init__(**kwargs)
        images = np.asarray(images)
        captions = _check_captions(captions, count=len(images))
        if images.dtype.kind == "f":
            image_range = _image_range(images, image_range)
        self.images = to_model_range(images, image_size, image_range)
        self.captions = captions
        self.tokenizer = tokenizer
        self.batch_size = check_int("batch_size", batch_size)
        self.shuffle = bool(shuffle)
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(self.images))
        self.on_epoch_end()

    def __len__(self):
        return max(1, len(self.images) // self.batch_size)

    def __getitem__(self, index):
        rows = self._order[index * self.batch_size: (index + 1) * self.batch_size]
        tokens = self.tokenizer([self.captions[i] for i in rows])
        return ({"images": self.images[rows], **_tokens(tokens)},)

    def on_epoch_end(self):
        if self.shuffle:
            self._order = self._rng.permutation(len(self.images))


def _tokens(tokens):
    return {key: np.asarray(tokens[key], dtype=np.int32) for key in _TOKEN_KEYS}


@keras.saving.register_keras_serializable(package="zoo")
class TextToImageGAN(AdversarialTrainer, keras_hub.models.Task):
    """A text-conditioned GAN: prompts to images in one pass, trained with `fit`.

    Holds a `tokenizer` (prompts -> token ids), a `text_encoder` (token ids
    -> `{"token_states", "pooled"}`), a `generator` (the preset backbone:
    noise + text -> image in [-1, 1]) and a `discriminator` (image + pooled
    text -> logit). Any networks with those contracts fit; see
    `zoo.models.TextGANTextToImage` for the zoo's own.

    Training (`fit`) alternates, each step, one discriminator and one
    generator update (`zoo.training.adversarial_train_step`, on TensorFlow,
    JAX and PyTorch) with two optimizers:

    * discriminator, hinge loss with a matching-aware term:
      `relu(1 - D(x, t)) + (1 - w) relu(1 + D(G(z, t), t))
      + w relu(1 + D(x, roll(t)))`, where `roll(t)` gives each real image
      the caption of its neighbour in the batch and `w = mismatch_weight`;
    * generator: `-D(G(z, t), t)`;
    * with a discriminator that has attribute heads (`attribute_classes`)
      and batches that carry `"attribute_labels"` (`[N, heads]` ints, -1
      where the caption does not say; `zoo.data.attribute_labels`), an
      auxiliary-classifier term (AC-GAN) weighted by `attribute_weight`:
      the heads learn the attributes of real images, and the generator is
      pushed to draw images the heads read as its caption's attributes;
    * with batches that carry `"negative_images"` (renders the real data
      never holds, e.g. `zoo.data.render_touching`: two objects that touch)
      and `"negative_mask"` (`[N]`, 1 where a row has one), a negative-data
      term weighted by `negative_weight`: `relu(1 + D(negative, t))`, so the
      discriminator learns those as fake (Sinha et al., 2021);
    * with `diversity_weight > 0`, a mode-seeking term (MSGAN, Mao et al.,
      CVPR 2019) against a generator that ignores its noise: the generator
      step draws the first half of the batch's captions twice, with two
      noises, and adds `diversity_weight / (d_image / d_noise + 1e-5)`,
      the mean absolute distances between the two images and between the
      two noises of each pair (logged as `g_diversity`, `d_image /
      d_noise`);
    * `augment` (DiffAugment) transforms real and fake images alike before
      the discriminator.

    The text encoder is shared. A frozen encoder (`MiniLMEncoder`) never
    trains. A trainable one (`TinyTextEncoder`) is trained with the
    discriminator, by its loss through the projection term: matching
    captions must score above mismatched ones, which teaches it the words
    that tell images apart (colour, shape, size, place). The generator reads
    the text features with their gradient stopped.

    Args:
        generator: the backbone; a dict-input model with `"noise"`, `"text"`
            (and `"token_states"`, `"padding_mask"` when its
            `uses_token_states` is true), attributes `noise_dim`,
            `image_size`, `text_dim`.
        discriminator: model of `{"images", "text"}` -> `[N, 1]` logits.
        text_encoder: model of `{"token_ids", "padding_mask"}` ->
            `{"token_states", "pooled"}`.
        tokenizer: callable, list of str -> `{"token_ids", "padding_mask"}`
            numpy arrays (`zoo.text.PromptTokenizer`).
        augment: layer applied to the discriminator's inputs while training
            (`None`: none).
        mismatch_weight: `w` above, in [0, 1).
        attribute_weight: weight of the auxiliary-classifier term.
        negative_weight: weight of the negative-data term.
        diversity_weight: weight of the mode-seeking term (0: none).
        text_noise: standard deviation of Gaussian noise added to the text
            vector the generator sees while training (conditioning
            augmentation, as in StackGAN): a prompt whose vector lies off
            the training captions' then still draws objects.
        seed: seed of the model's noise `SeedGenerator` (training noise).

    Export (`zoo.export(gan, "g.tflite")`, `gan.export(...)`) writes one
    graph, text encoder and generator together (`export_model()`): inputs
    `token_ids` and `padding_mask` (int32 `[N, L]`, `L` the tokenizer's
    `sequence_length`) and `noise` (float32 `[N, noise_dim]`), output the
    images, float32 `[N, S, S, 3]` in [-1, 1]. Tokenizing stays outside the
    file (a phone app ships the WordPiece vocabulary, or precomputed ids):
    `export_inputs(prompts, seed)` gives the tokens and the very noise
    `generate(prompts, seed)` draws, and `images_to_uint8` turns the output
    into `generate`'s uint8 images.

    Example:
    ```python
    gan = zoo.models.TextGANTextToImage.from_scratch(text_encoder="tiny")
    gan.fit((images, captions), batch_size=64, epochs=10)  # uint8 images
    images = gan.generate(["a big red circle on the left"], seed=0)  # uint8
    ```
    """

    preset_task = "text_to_image"
    adversarial_metric_names = (
        "d_loss", "g_loss", "real_score", "fake_score", "mismatch_score",
    )

    def __init__(
        self,
        generator,
        discriminator,
        text_encoder,
        tokenizer,
        augment=None,
        mismatch_weight=0.5,
        attribute_weight=1.0,
        negative_weight=1.0,
        text_noise=0.0,
        diversity_weight=0.0,
        seed=None,
        name=None,
        dtype=None,
        compile=True,
        **kwargs,
    ):
        if not 0.0 <= float(mismatch_weight) < 1.0:
            raise ValueError(
                f"`mismatch_weight` must be in [0, 1). Received: mismatch_weight={mismatch_weight}"
            )
        if float(attribute_weight) < 0:
            raise ValueError(
                f"`attribute_weight` must be >= 0. Received: attribute_weight={attribute_weight}"
            )
        if float(text_noise) < 0:
            raise ValueError(f"`text_noise` must be >= 0. Received: text_noise={text_noise}")
        if float(diversity_weight) < 0:
            raise ValueError(
                f"`diversity_weight` must be >= 0. Received: diversity_weight={diversity_weight}"
            )
        if float(negative_weight) < 0:
            raise ValueError(
                f"`negative_weight` must be >= 0. Received: negative_weight={negative_weight}"
            )
        for attr in ("noise_dim", "image_size", "text_dim"):
            if not hasattr(generator, attr):
                raise ValueError(f"`generator` must have an `{attr}` attribute.")
        # Ids past the encoder's embedding table fail deep in a gather (or,
        # on JAX, silently give NaN images): check the two agree up front.
        tokens = getattr(tokenizer, "vocabulary_size", None)
        table = getattr(text_encoder, "vocabulary_size", None) or getattr(
            getattr(text_encoder, "backbone", None), "vocabulary_size", None
        )
        if isinstance(tokens, int) and isinstance(table, int) and tokens > table:
            raise ValueError(
                f"The `tokenizer` has {tokens} tokens but the `text_encoder` embeds only "
                f"{table}: build the encoder with `vocabulary_size={tokens}`."
            )
        # A subclassed Task: every network is set after Model.__init__ so
        # that Keras tracks it on every backend (torch included).
        super().__init__(name=name, dtype=dtype, compile=False, **kwargs)
        self.backbone = generator
        self.discriminator = discriminator
        self.text_encoder = text_encoder
        self.tokenizer = tokenizer
        self.augment = augment
        self.mismatch_weight = float(mismatch_weight)
        self.attribute_weight = float(attribute_weight)
        self.negative_weight = float(negative_weight)
        self.text_noise = float(text_noise)
        self.diversity_weight = float(diversity_weight)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        if getattr(discriminator, "attribute_classes", ()):
            self.adversarial_metric_names += ("attribute_loss", "g_attribute_loss")
        if self.diversity_weight > 0:
            self.adversarial_metric_names += ("g_diversity",)
        self._init_adversarial()
        self._build_networks()
        self.built = True
        if compile:
            self.compile()

    # === Networks ===

    @property
    def generator(self):
        """The generator (this task's preset backbone)."""
        return self.backbone

    @property
    def noise_dim(self):
        return int(self.generator.noise_dim)

    @property
    def image_size(self):
        return int(self.generator.image_size)

    def _build_networks(self):
        """Builds every sublayer with one tiny forward pass (no state change)."""
        length = int(getattr(self.tokenizer, "sequence_length", 8))
        tokens = {
            "token_ids": np.zeros((1, length), np.int32),
            "padding_mask": np.ones((1, length), np.int32),
        }
        encoded = self.text_encoder(tokens, training=False)
        pooled_dim = int(encoded["pooled"].shape[-1])
        if pooled_dim != int(self.generator.text_dim):
            raise ValueError(
                f"The text encoder gives {pooled_dim}-d text vectors but the "
                f"generator takes text_dim={self.generator.text_dim}."
            )
        if self.augment is not None and not self.augment.built:
            self.augment.build((None, self.image_size, self.image_size, 3))

    def _encode(self, tokens, training=False):
        training = bool(training and self.text_encoder.trainable)
        return self.text_encoder(
            {"token_ids": tokens["token_ids"], "padding_mask": tokens["padding_mask"]},
            training=training,
        )

    def _generator_inputs(self, noise, encoded, padding_mask, training=False):
        text = ops.stop_gradient(encoded["pooled"])
        if training and self.text_noise > 0:
            text = text + self.text_noise * keras.random.normal(
                ops.shape(text), seed=self.seed_generator
            )
        inputs = {"noise": noise, "text": text}
        if getattr(self.generator, "uses_token_states", False):
            inputs["token_states"] = ops.stop_gradient(encoded["token_states"])
            inputs["padding_mask"] = padding_mask
        return inputs

    def _noise(self, batch):
        return keras.random.normal((batch, self.noise_dim), seed=self.seed_generator)

    def call(self, inputs, training=False):
        """`{"token_ids", "padding_mask"[, "noise"]}` -> images in [-1, 1].

        Without `"noise"`, it is drawn from the model's seed generator.
        """
        encoded = self._encode(inputs, training=False)
        noise = inputs.get("noise") if isinstance(inputs, dict) else None
        if noise is None:
            noise = self._noise(ops.shape(inputs["token_ids"])[0])
        return self.generator(
            self._generator_inputs(noise, encoded, inputs["padding_mask"]), training=training
        )

    # === Training ===

    @property
    def discriminator_trainable_variables(self):
        """The discriminator's and the (trainable) text encoder's variables."""
        variables = list(self.discriminator.trainable_variables)
        if self.text_encoder.trainable:
            variables += self.text_encoder.trainable_variables
        return variables

    def compile(self, g_optimizer="auto", d_optimizer="auto", **kwargs):
        """Compiles with one optimizer per player.

        Args:
            g_optimizer: `"auto"` is `Adam(1e-4, beta_1=0, beta_2=0.9)`.
            d_optimizer: `"auto"` is `Adam(4e-4, beta_1=0, beta_2=0.9)`
                (the two-time-scale rule); it also trains a trainable text
                encoder.
            **kwargs: `jit_compile`, `steps_per_execution`, `run_eagerly`.

        Example:
        ```python
        gan.compile(g_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0),
                    d_optimizer=keras.optimizers.Adam(2e-4, beta_1=0.0))
        ```
        """
        if g_optimizer == "auto":
            g_optimizer = keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)
        if d_optimizer == "auto":
            d_optimizer = keras.optimizers.Adam(4e-4, beta_1=0.0, beta_2=0.9)
        super().compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer, **kwargs)

    def _batch(self, data):
        x, _, _ = keras.utils.unpack_x_y_sample_weight(data)
        return x

    def discriminator_loss(self, data):
        x = self._batch(data)
        real = ops.cast(x["images"], "float32")
        batch = ops.shape(real)[0]
        encoded = self._encode(x, training=True)
        fake = self.generator(
            self._generator_inputs(self._noise(batch), encoded, x["padding_mask"], training=True),
            training=True,
        )
        fake = ops.stop_gradient(ops.cast(fake, "float32"))
        pooled = encoded["pooled"]
        # One discriminator call: (real, text), (fake, text), (real, wrong
        # text) and, when the batch has them, (negative, text).
        images = [real, fake, real]
        texts = [pooled, pooled, ops.roll(pooled, 1, axis=0)]
        negatives = "negative_images" in x
        if negatives:
            images.append(ops.cast(x["negative_images"], "float32"))
            texts.append(pooled)
        images, texts = ops.concatenate(images, axis=0), ops.concatenate(texts, axis=0)
        if self.augment is not None:
            images = self.augment(images, training=True)
        logits, attributes = self._discriminate(images, texts, training=True)
        logits = ops.reshape(logits, (4 if negatives else 3, -1))
        real_logits, fake_logits, mismatch_logits = logits[0], logits[1], logits[2]
        w = self.mismatch_weight
        loss = (
            ops.mean(ops.relu(1.0 - real_logits))
            + (1.0 - w) * ops.mean(ops.relu(1.0 + fake_logits))
            + w * ops.mean(ops.relu(1.0 + mismatch_logits))
        )
        logs = {}
        if negatives:
            mask = ops.cast(x["negative_mask"], "float32")
            negative_loss = ops.sum(mask * ops.relu(1.0 + logits[3])) / ops.maximum(
                ops.sum(mask), 1.0
            )
            loss = loss + self.negative_weight * negative_loss
        if attributes is not None and "attribute_labels" in x:
            real_attributes = attributes[: ops.shape(real_logits)[0]]
            attribute_loss = self._attribute_loss(real_attributes, x["attribute_labels"])
            loss = loss + self.attribute_weight * attribute_loss
            logs["attribute_loss"] = attribute_loss
        logs |= {
            "d_loss": loss,
            "real_score": ops.mean(real_logits),
            "fake_score": ops.mean(fake_logits),
            "mismatch_score": ops.mean(mismatch_logits),
        }
        return loss, logs

    def generator_loss(self, data):
        x = self._batch(data)
        batch = ops.shape(x["token_ids"])[0]
        encoded = self._encode(x, training=False)
        padding_mask, labels = x["padding_mask"], x.get("attribute_labels")
        if self.diversity_weight > 0:
            # Pairs for the mode-seeking term: the first half's captions
            # twice, so the step costs what it costs without the term.
            half = batch // 2

            def twice(t):
                return ops.concatenate([t[:half], t[:half]], axis=0)

            encoded = {key: twice(value) for key, value in encoded.items()}
            padding_mask = twice(padding_mask)
            labels = None if labels is None else twice(labels)
            batch = 2 * half
        noise = self._noise(batch)
        fake = self.generator(
            self._generator_inputs(noise, encoded, padding_mask, training=True),
            training=True,
        )
        fake = ops.cast(fake, "float32")
        logs = {}
        if self.diversity_weight > 0:
            image_gap = ops.mean(ops.abs(fake[:half] - fake[half:]))
            noise_gap = ops.mean(ops.abs(noise[:half] - noise[half:]))
            logs["g_diversity"] = image_gap / noise_gap
        if self.augment is not None:
            fake = self.augment(fake, training=True)
        logits, attributes = self._discriminate(
            fake, ops.stop_gradient(encoded["pooled"]), training=False
        )
        loss = -ops.mean(logits)
        if attributes is not None and labels is not None:
            attribute_loss = self._attribute_loss(attributes, labels)
            loss = loss + self.attribute_weight * attribute_loss
            logs["g_attribute_loss"] = attribute_loss
        if self.diversity_weight > 0:
            loss = loss + self.diversity_weight / (logs["g_diversity"] + 1e-5)
        return loss, logs | {"g_loss": loss}

    def _discriminate(self, images, texts, training):
        """The discriminator's logits and its attribute logits (or `None`)."""
        out = self.discriminator({"images": images, "text": texts}, training=training)
        if isinstance(out, dict):
            return ops.cast(out["logits"], "float32"), ops.cast(out["attributes"], "float32")
        return ops.cast(out, "float32"), None

    def _attribute_loss(self, logits, labels):
        """Cross-entropy per attribute head over the known labels, summed over heads."""
        labels = ops.cast(labels, "int32")
        total, start = 0.0, 0
        for head, classes in enumerate(self.discriminator.attribute_classes):
            head_labels = labels[:, head]
            known = ops.cast(head_labels >= 0, "float32")
            losses = keras.losses.sparse_categorical_crossentropy(
                ops.maximum(head_labels, 0), logits[:, start:start + classes], from_logits=True
            )
            total = total + ops.sum(losses * known) / ops.maximum(ops.sum(known), 1.0)
            start += classes
        return total

    def fit(self, x=None, y=None, batch_size=None, epochs=1, *, image_range=None,
            steps_per_epoch=None, shuffle=True, seed=None, **kwargs):
        """Trains on captioned images.

        Args:
            x: the data, one of
                * `(images, captions)`, or `x=images, y=captions`: arrays of
                  `[N, S, S, 3]` images and a list of N strings, batched,
                  shuffled each epoch and tokenized on the fly;
                * a `tf.data.Dataset`, `keras.utils.PyDataset` or any
                  iterable of `(images, captions)` batches (captions as
                  str or bytes), e.g. `zoo.data.shapes_dataset(64)`: an
                  endless source needs `steps_per_epoch`;
                * batches already tokenized:
                  `{"images", "token_ids", "padding_mask"}` dicts.
                A dict batch may add `"attribute_labels"` (`[N, heads]`,
                e.g. `zoo.data.attribute_labels(specs)`) for a discriminator
                with attribute heads, and `"negative_images"` (with an
                optional `"negative_mask"`) for the negative-data term.
                Images are uint8 (0-255) or float in `[0, 1]` or `[-1, 1]`.
            image_range: `(0, 1)` or `(-1, 1)` for float images; `None`
                infers it (negative values mean `[-1, 1]`).
            batch_size: for arrays (default 32).
            steps_per_epoch: steps per epoch (needed for endless sources).
            shuffle: reshuffle arrays each epoch.
            seed: seed of the array shuffling.
            **kwargs: passed to `keras.Model.fit` (`callbacks`, `verbose`...).

        Example:
        ```python
        images, captions, _ = zoo.data.CaptionedShapes(seed=0).sample(1024)
        gan.fit((images, captions), batch_size=64, epochs=20)
        gan.fit(zoo.data.shapes_dataset(64), steps_per_epoch=500, epochs=4)
        ```
        """
        data = self._training_data(x, y, batch_size, shuffle, seed, image_range)
        if steps_per_epoch is None and not isinstance(data, keras.utils.PyDataset):
            steps_per_epoch = self._known_steps(x)
            if steps_per_epoch is None:
                raise ValueError(
                    "This data source has no known length: pass `steps_per_epoch`."
                )
        # Shuffling happens in `CaptionedImageBatches`; streams come as they are.
        return super().fit(
            data, epochs=epochs, steps_per_epoch=steps_per_epoch, shuffle=False, **kwargs
        )

    def evaluate(self, *args, **kwargs):
        raise NotImplementedError(
            "A GAN has no held-out loss to evaluate: judge its `generate` "
            "outputs (e.g. zoo.metrics.shapes_judge) instead."
        )

    def _training_data(self, x, y, batch_size, shuffle, seed, image_range):
        size = self.image_size
        if y is not None:
            x = (x, y)
        if isinstance(x, tuple) and len(x) == 2 and not isinstance(x[0], dict):
            images, captions = x
            if keras.ops.is_tensor(images):
                images = keras.ops.convert_to_numpy(images)
            if isinstance(images, (np.ndarray, list)):
                batch_size = 32 if batch_size is None else check_int("batch_size", batch_size)
                if isinstance(images, list) and len({np.shape(i) for i in images}) > 1:
                    raise ValueError(
                        "`images` have different sizes: resize them to "
                        f"{size}x{size} first (e.g. `image_text_folder(path, image_size={size})`)."
                    )
                if self.diversity_weight > 0 and min(batch_size, len(images)) < 2:
                    raise ValueError(
                        "`diversity_weight > 0` pairs the rows of a batch: batches need at "
                        f"least 2 images. Received batch_size={batch_size} for "
                        f"{len(images)} images."
                    )
                return CaptionedImageBatches(
                    images, captions, self.tokenizer, size, batch_size=batch_size,
                    shuffle=shuffle, seed=seed, image_range=image_range,
                )
        if isinstance(x, dict):
            raise ValueError(
                "Pass tokenized data as an iterable of batches; for arrays pass "
                "`(images, captions)`."
            )
        if x is None:
            raise ValueError("`x` is required: `(images, captions)` or a dataset of them.")
        if batch_size is not None:
            raise ValueError("`batch_size` is only for arrays: a dataset is already batched.")
        return self._batches_from(x, image_range)

    @staticmethod
    def _known_steps(source):
        try:
            import tensorflow as tf

            if isinstance(source, tf.data.Dataset):
                n = int(source.cardinality())
                return n if n > 0 else None
        except ImportError:  # pragma: no cover - tensorflow is a dependency
            pass
        try:
            return len(source)
        except TypeError:
            return None

    def _prepare(self, batch, image_range):
        """One source batch -> `{"images", "token_ids", "padding_mask"}` numpy."""
        if isinstance(batch, dict):
            images = batch.get("images")
            if all(k in batch for k in _TOKEN_KEYS):
                tokens = _tokens(batch)
            else:
                captions = batch.get("captions", batch.get("text"))
                if images is None or captions is None:
                    raise ValueError(
                        "A batch dict needs `images` and `captions` (or `token_ids` "
                        f"and `padding_mask`). Received keys: {sorted(batch)}"
                    )
                tokens = _tokens(self.tokenizer(_check_captions(_numpy(captions))))
        elif isinstance(batch, (tuple, list)) and len(batch) >= 2:
            images, captions = batch[0], batch[1]
            tokens = _tokens(self.tokenizer(_check_captions(_numpy(captions))))
        else:
            raise ValueError(
                "Each batch must be `(images, captions)` or a dict. Received: "
                f"{type(batch).__name__}"
            )
        images = _numpy(images)
        if np.asarray(images).dtype.kind == "f":
            # Negatives are read in the images' range: a row of black could
            # not tell the two ranges apart.
            image_range = _image_range(images, image_range)
        images = to_model_range(images, self.image_size, image_range)
        if len(images) != len(tokens["token_ids"]):
            raise ValueError(
                f"A batch has {len(images)} images but {len(tokens['token_ids'])} captions."
            )
        if self.diversity_weight > 0 and len(images) < 2:
            raise ValueError(
                "`diversity_weight > 0` pairs the rows of a batch: batches need at least "
                f"2 images. Received a batch of {len(images)}."
            )
        batch_out = {"images": images, **tokens}
        if isinstance(batch, dict) and "negative_images" in batch:
            batch_out |= self._negatives(batch, len(images), image_range)
        if isinstance(batch, dict) and "attribute_labels" in batch:
            if not getattr(self.discriminator, "attribute_classes", ()):
                raise ValueError(
                    "The batches carry `attribute_labels` but the discriminator has "
                    "no attribute heads (build it with `attribute_classes`)."
                )
            labels = np.asarray(_numpy(batch["attribute_labels"]), np.int32)
            heads = len(self.discriminator.attribute_classes)
            if labels.shape != (len(images), heads):
                raise ValueError(
                    f"`attribute_labels` must have shape ({len(images)}, {heads}). "
                    f"Received: {labels.shape}"
                )
            batch_out["attribute_labels"] = labels
        return batch_out

    def _negatives(self, batch, count, image_range):
        try:
            negatives = to_model_range(
                _numpy(batch["negative_images"]), self.image_size, image_range
            )
        except ValueError as error:
            raise ValueError(f"`negative_images`: {error}") from None
        mask = batch.get("negative_mask")
        mask = np.ones(count, np.float32) if mask is None else np.asarray(_numpy(mask), np.float32)
        if len(negatives) != count or mask.shape != (count,):
            raise ValueError(
                f"A batch of {count} images needs `negative_images` [{count}, ...] and "
                f"`negative_mask` [{count}]. Received: {negatives.shape} and {mask.shape}"
            )
        if not np.all((mask == 0) | (mask == 1)):
            raise ValueError("`negative_mask` must hold only 0 and 1.")
        return {"negative_images": negatives, "negative_mask": mask}

    def _batches_from(self, source, image_range):
        try:
            import tensorflow as tf

            is_tf = isinstance(source, tf.data.Dataset)
        except ImportError:  # pragma: no cover
            is_tf = False
        prepare = self._prepare

        def batches():
            if is_tf:
                return source.as_numpy_iterator()
            if isinstance(source, keras.utils.PyDataset):
                return (source[i] for i in range(len(source)))
            return iter(source)

        def generate():
            # Restart finite sources each epoch; a one-shot iterator ends.
            while True:
                iterator = batches()
                count = 0
                for batch in iterator:
                    count += 1
                    yield (prepare(batch, image_range),)
                if isinstance(source, keras.utils.PyDataset):
                    source.on_epoch_end()
                if count == 0 or iterator is source:
                    return

        return generate()

    # === Generation ===

    def generate(self, prompts, seed=None, num_steps=None, guidance_scale=None, *,
                 num_per_prompt=1, batch_size=64):
        """Generates images from prompts (keras-hub `TextToImage` conventions).

        Args:
            prompts: a string (returns one `[S, S, 3]` image) or a non-empty
                list of strings (returns `[N * num_per_prompt, S, S, 3]`).
            seed: int: the same seed gives the same images (on the same
                backend); `None` draws fresh noise.
            num_steps, guidance_scale: accepted for compatibility with the
                diffusion generators; a GAN samples in one pass and ignores them.
            num_per_prompt: images per prompt (consecutive in the output).
            batch_size: images per forward pass (positive int).

        Returns:
            uint8 images.

        Example:
        ```python
        images = gan.generate(["a small blue square at the top",
                               "red triangle, left side"], seed=0)
        images.shape  # (2, 64, 64, 3)
        ```
        """
        batch_size = check_int("batch_size", batch_size)
        single = isinstance(prompts, str)
        inputs = self.export_inputs(prompts, seed=seed, num_per_prompt=num_per_prompt)
        count = len(inputs["noise"])
        outputs = []
        for start in range(0, count, batch_size):
            batch = {k: v[start: start + batch_size] for k, v in inputs.items()}
            images = self.predict_on_batch(batch)
            outputs.append(np.asarray(keras.ops.convert_to_numpy(images), np.float32))
        images = images_to_uint8(np.concatenate(outputs, axis=0))
        return images[0] if single and num_per_prompt == 1 else images

    def export_inputs(self, prompts, seed=None, num_per_prompt=1):
        """The inputs of the exported generator for `prompts`, with `generate`'s noise.

        Args:
            prompts: a string or a non-empty list of strings.
            seed: int or None; the noise is
                `np.random.default_rng(seed).standard_normal((N, noise_dim))`,
                exactly what `generate(prompts, seed=seed)` draws.
            num_per_prompt: rows per prompt (consecutive), as in `generate`.

        Returns:
            `{"token_ids": int32 [N, L], "padding_mask": int32 [N, L],
            "noise": float32 [N, noise_dim]}` numpy arrays, `N = len(prompts)
            * num_per_prompt`: what `run_exported` (`from zoo.export import
            run_exported`) and `export_model().predict` take.

        Example:
        ```python
        from zoo.export import run_exported

        zoo.export(gan, "g.tflite")
        out = run_exported("g.tflite", gan.export_inputs(prompts, seed=0))
        images_to_uint8(out)  # == gan.generate(prompts, seed=0)
        ```
        """
        prompts = check_prompts(prompts)
        num_per_prompt = check_int("num_per_prompt", num_per_prompt)
        if seed is not None:
            seed = check_int("seed", seed, minimum=0)
        prompts = [p for p in prompts for _ in range(num_per_prompt)]
        noise = np.random.default_rng(seed).standard_normal((len(prompts), self.noise_dim))
        return {**_tokens(self.tokenizer(prompts)), "noise": noise.astype(np.float32)}

    @property
    def sequence_length(self):
        """Tokens per prompt (the exported model's `L`)."""
        length = getattr(self.tokenizer, "sequence_length", None)
        if length is None:
            length = np.shape(self.tokenizer([""])["token_ids"])[-1]
        return int(length)

    def export_model(self):
        """The text encoder and generator as one functional Keras model, for export.

        Inputs (a dict): `"token_ids"` and `"padding_mask"` int32 `[N, L]`
        (`L = sequence_length`, as the tokenizer packs them), `"noise"`
        float32 `[N, noise_dim]`; output: images float32 `[N, S, S, 3]` in
        [-1, 1] (inference mode). It shares this model's weights; it is what
        `export` writes, and on the same inputs it gives what `generate`
        computes before `images_to_uint8`.

        Example:
        ```python
        model = gan.export_model()
        images = model.predict(gan.export_inputs(["a red circle"], seed=0))
        ```
        """
        length = self.sequence_length
        inputs = {
            "token_ids": keras.Input((length,), dtype="int32", name="token_ids"),
            "padding_mask": keras.Input((length,), dtype="int32", name="padding_mask"),
            "noise": keras.Input((self.noise_dim,), dtype="float32", name="noise"),
        }
        encoded = self.text_encoder(
            {"token_ids": inputs["token_ids"], "padding_mask": inputs["padding_mask"]},
            training=False,
        )
        generator_inputs = {"noise": inputs["noise"], "text": encoded["pooled"]}
        if getattr(self.generator, "uses_token_states", False):
            generator_inputs["token_states"] = encoded["token_states"]
            generator_inputs["padding_mask"] = inputs["padding_mask"]
        images = self.generator(generator_inputs, training=False)
        return keras.Model(inputs, images, name=f"{self.name}_generator")

    def export(self, filepath, format="tf_saved_model", verbose=None, input_signature=None,
               **kwargs):
        """Exports `export_model()` (token ids + padding mask + noise -> image).

        Keras' `Model.export` on that model (TensorFlow backend for
        LiteRT); `zoo.export(gan, path)` does the same from any backend and
        writes atomically.

        Example:
        ```python
        gan.export("generator.tflite", format="litert")
        ```
        """
        return self.export_model().export(
            filepath, format=format, verbose=verbose, input_signature=input_signature, **kwargs
        )

    # === Presets ===

    @classmethod
    def from_preset(cls, preset, load_weights=True, **kwargs):
        """Loads a text-to-image GAN from a preset name, directory, URL or hub handle.

        Example:
        ```python
        gan = zoo.tasks.TextToImageGAN.from_preset("text_gan_tiny")
        ```
        """
        from zoo.presets import load_preset

        return load_preset(preset, expected_cls=cls, load_weights=load_weights, **kwargs)

    def save_to_preset(self, preset_dir, max_shard_size=10, **metadata):
        """Saves a preset directory with zoo's metadata (see `zoo.save_preset`).

        The generator is the preset's backbone (`model.weights.h5`); the
        discriminator and a trainable text encoder go to `task.weights.h5`.
        A frozen `MiniLMEncoder` is stored by name only: its weights come
        back from its own package on load. Weights are written unsharded;
        `max_shard_size` exists for keras-hub's signature and takes only its
        default (10) or None.
        """
        from zoo.presets import save_preset

        if max_shard_size not in (10, None):
            raise ValueError(
                "`max_shard_size` is not supported: zoo presets keep their weights in "
                f"one unsharded file. Received: max_shard_size={max_shard_size!r}"
            )
        return save_preset(self, preset_dir, **metadata)

    def _not_task_weights(self):
        # The backbone has its own file; optimizer moments are no preset's business.
        skip = list(self.backbone._flatten_layers())
        if getattr(self, "optimizer", None) is not None:
            skip += [self.optimizer]
            skip += [getattr(self.optimizer, k, None) for k in ("d_optimizer", "g_optimizer")]
        return [obj for obj in skip if obj is not None]

    def save_task_weights(self, filepath):
        """Saves the discriminator's and text encoder's weights (not the optimizers')."""
        keras.saving.save_weights(self, filepath, objects_to_skip=self._not_task_weights())

    def load_task_weights(self, filepath):
        """Loads what `save_task_weights` wrote."""
        keras.saving.load_weights(self, filepath, objects_to_skip=self._not_task_weights())

    def get_config(self):
        return {
            "name": self.name,
            "backbone": keras.layers.serialize(self.generator),
            "discriminator": keras.layers.serialize(self.discriminator),
            "text_encoder": keras.layers.serialize(self.text_encoder),
            "tokenizer": keras.saving.serialize_keras_object(self.tokenizer),
            "augment": None if self.augment is None else keras.layers.serialize(self.augment),
            "mismatch_weight": self.mismatch_weight,
            "attribute_weight": self.attribute_weight,
            "negative_weight": self.negative_weight,
            "text_noise": self.text_noise,
            "diversity_weight": self.diversity_weight,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        # Registers the text encoders and the tokenizer: a fresh process
        # (`zoo generate`, the export subprocess) may not have imported them.
        import zoo.text  # noqa: F401

        config = dict(config)
        config["generator"] = config.pop("backbone")
        for key in ("generator", "discriminator", "text_encoder", "augment"):
            if isinstance(config.get(key), dict):
                config[key] = keras.layers.deserialize(config[key])
        if isinstance(config.get("tokenizer"), dict):
            config["tokenizer"] = keras.saving.deserialize_keras_object(config["tokenizer"])
        config.pop("preprocessor", None)
        return cls(**config)


def _numpy(value):
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    return value
