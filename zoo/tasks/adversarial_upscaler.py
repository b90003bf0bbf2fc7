"""Adversarial fine-tuning of a super-resolution restorer (SRGAN-style)."""

import keras
import numpy as np
from keras import ops

from zoo.models.patch_discriminator.patch_discriminator import PatchDiscriminator
from zoo.tasks.image_restorer import ImageRestorer, _float_images
from zoo.training.adversarial import AdversarialTrainer


def _check_weight(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError(f"`{name}` must be a number >= 0. Received: {name}={value!r}")
    return float(value)


def _l1(a, b):
    return ops.mean(ops.abs(a - b))


@keras.saving.register_keras_serializable(package="zoo")
class AdversarialUpscaler(AdversarialTrainer, keras.Model):
    """Fine-tunes a super-resolution `ImageRestorer` against a `PatchDiscriminator`.

    An SRGAN-style mode (Ledig et al., 2017) for sharper textures than an L1
    loss alone gives. Each step first trains the discriminator with the
    hinge loss on real high-res patches and the restorer's outputs, then the
    restorer's backbone (the generator) on

        content_weight * L1(sr, hr)
        + adversarial_weight * (-mean(D(sr)))           # hinge generator loss
        + feature_matching_weight * feature_matching(sr, hr)

    SRGAN's "perceptual" term compares VGG features, but no pretrained
    network is available offline, so here it is a **discriminator
    feature-matching loss** (as pix2pixHD): the L1 distance between the
    discriminator's hidden activations on the real high-res image and on
    the super-resolved one, averaged over its layers. It uses no pretrained
    weights and moves with the discriminator as it learns.

    `fit` takes what the restorer's `fit` takes: clean high-res images
    (float32 NHWC in [0, 1], sides a multiple of the scale), degraded on the
    fly by the restorer's `degradation` (a `BicubicDownsample` for the zoo's
    upscalers), or `(low_res, high_res)` pairs. Sample weights are ignored.
    It logs `d_loss`, `g_loss`, `content_loss`, `adversarial_loss` and
    `feature_matching_loss`. Only the restorer's backbone trains on the
    generator side; afterwards `upscaler.restorer` is the fine-tuned
    restorer, used, saved and exported as any other.

    Args:
        restorer: an `ImageRestorer` with `scale > 1`.
        discriminator: a `PatchDiscriminator` (or any model of the same
            contract: images in [0, 1] to `{"logits", "features"}`); by
            default `PatchDiscriminator(channels=restorer.channels)`.
        content_weight: weight of the pixel L1 loss.
        adversarial_weight: weight of the generator's hinge loss.
        feature_matching_weight: weight of the feature-matching loss.
        seed: seeds the weights of the default discriminator (through
            `keras.utils.set_random_seed`).
        compile: compile with the default optimizers (see `compile`).

    Example:
    ```python
    restorer = zoo.from_preset("espcn_x4")
    upscaler = AdversarialUpscaler(restorer, adversarial_weight=5e-3)
    upscaler.fit(zoo.data.PatchBatches(images, 96, 16, 200), epochs=5)
    upscaler.restorer.save_to_preset("my_x4_gan", task="super_resolution")
    ```
    """

    adversarial_metric_names = (
        "d_loss", "g_loss", "content_loss", "adversarial_loss", "feature_matching_loss",
    )

    def __init__(
        self,
        restorer,
        discriminator=None,
        content_weight=1.0,
        adversarial_weight=5e-3,
        feature_matching_weight=1.0,
        seed=None,
        compile=True,
        **kwargs,
    ):
        if not isinstance(restorer, ImageRestorer):
            raise TypeError(
                "`restorer` must be a zoo `ImageRestorer` (e.g. "
                f"`zoo.from_preset('espcn_x4')`). Received: {type(restorer).__name__}"
            )
        if restorer.scale <= 1:
            raise ValueError(
                "`restorer` must upscale (scale > 1): adversarial fine-tuning here is "
                f"for super-resolution. Received a restorer with scale={restorer.scale}."
            )
        weights = {
            name: _check_weight(name, value)
            for name, value in (
                ("content_weight", content_weight),
                ("adversarial_weight", adversarial_weight),
                ("feature_matching_weight", feature_matching_weight),
            )
        }
        if discriminator is None:
            if seed is not None:
                keras.utils.set_random_seed(seed)
            discriminator = PatchDiscriminator(channels=restorer.channels)
        elif not isinstance(discriminator, keras.Model):
            raise TypeError(
                "`discriminator` must be a Keras model such as a `PatchDiscriminator`. "
                f"Received: {type(discriminator).__name__}"
            )
        super().__init__(**kwargs)
        # Networks are set after Model.__init__ so Keras tracks them on every
        # backend (torch included).
        self.restorer = restorer
        self.discriminator = discriminator
        self.content_weight = weights["content_weight"]
        self.adversarial_weight = weights["adversarial_weight"]
        self.feature_matching_weight = weights["feature_matching_weight"]
        self.seed = seed
        self._init_adversarial()
        # `call` is the generator alone and every network is built: nothing
        # is left for Keras to build from the first batch.
        self.built = True
        if compile:
            self.compile()

    @property
    def generator(self):
        """The restorer's backbone: the only network the generator step trains."""
        return self.restorer.backbone

    @property
    def scale(self):
        return self.restorer.scale

    def call(self, low_res, training=False):
        """Low-res images -> super-resolved images, as the restorer's backbone."""
        return self.generator(low_res, training=training)

    # === Training ===

    def compile(self, d_optimizer="auto", g_optimizer="auto", **kwargs):
        """Compiles with one optimizer per player.

        Args:
            d_optimizer: `"auto"` is `Adam(4e-4, beta_1=0.5, beta_2=0.999)`.
            g_optimizer: `"auto"` is `Adam(1e-4, beta_1=0.5, beta_2=0.999)`
                (a small step: the restorer starts trained).
            **kwargs: `jit_compile`, `steps_per_execution`, `run_eagerly`.

        Example:
        ```python
        upscaler.compile(d_optimizer=keras.optimizers.Adam(1e-4),
                         g_optimizer=keras.optimizers.Adam(1e-5))
        ```
        """
        if isinstance(d_optimizer, str) and d_optimizer == "auto":
            d_optimizer = keras.optimizers.Adam(4e-4, beta_1=0.5, beta_2=0.999)
        if isinstance(g_optimizer, str) and g_optimizer == "auto":
            g_optimizer = keras.optimizers.Adam(1e-4, beta_1=0.5, beta_2=0.999)
        super().compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer, **kwargs)

    def _pair(self, data):
        """A batch -> (low-res inputs, high-res targets), both float32."""
        x, y, _ = keras.utils.unpack_x_y_sample_weight(data)
        if y is not None:
            return ops.cast(x, "float32"), ops.cast(y, "float32")
        degradation = self.restorer.degradation
        if degradation is None:
            raise ValueError(
                "The restorer has no `degradation`, so it cannot train on high-res "
                "images alone: pass `(low_res, high_res)` pairs."
            )
        high_res = ops.cast(x, "float32")
        return ops.stop_gradient(degradation(high_res)), high_res

    def discriminator_loss(self, data):
        low_res, high_res = self._pair(data)
        fake = ops.stop_gradient(ops.cast(self.generator(low_res, training=True), "float32"))
        # One call on real and fake together (no batch statistics to mix).
        logits = self.discriminator(ops.concatenate([high_res, fake]), training=True)["logits"]
        real_logits, fake_logits = ops.split(ops.cast(logits, "float32"), 2)
        loss = ops.mean(ops.relu(1.0 - real_logits)) + ops.mean(ops.relu(1.0 + fake_logits))
        return loss, {"d_loss": loss}

    def generator_loss(self, data):
        low_res, high_res = self._pair(data)
        fake = ops.cast(self.generator(low_res, training=True), "float32")
        outputs = self.discriminator(ops.concatenate([high_res, fake]), training=False)
        _, fake_logits = ops.split(ops.cast(outputs["logits"], "float32"), 2)
        matching = []
        for features in outputs["features"]:
            real_features, fake_features = ops.split(ops.cast(features, "float32"), 2)
            matching.append(_l1(ops.stop_gradient(real_features), fake_features))
        content_loss = _l1(high_res, fake)
        adversarial_loss = -ops.mean(fake_logits)
        feature_matching_loss = ops.mean(ops.stack(matching))
        loss = (
            self.content_weight * content_loss
            + self.adversarial_weight * adversarial_loss
            + self.feature_matching_weight * feature_matching_loss
        )
        return loss, {
            "g_loss": loss,
            "content_loss": content_loss,
            "adversarial_loss": adversarial_loss,
            "feature_matching_loss": feature_matching_loss,
        }

    _NO_EVALUATION = (
        "AdversarialUpscaler only trains: evaluate the fine-tuned "
        "`upscaler.restorer` (e.g. `upscaler.restorer.evaluate(...)`)."
    )

    def fit(self, x=None, y=None, *args, **kwargs):
        """Trains on clean high-res images or `(low_res, high_res)` pairs.

        Arrays are checked before training starts: high-res sides must be a
        multiple of `scale` and a pair's high-res side `scale` times its
        low-res side; uint8 arrays are scaled to [0, 1], other integer
        dtypes are refused. There is no validation (see `evaluate`).
        """
        for key, given in (
            ("validation_data", kwargs.get("validation_data") is not None),
            ("validation_split", bool(kwargs.get("validation_split"))),
        ):
            if given:
                raise ValueError(f"`{key}` is not supported: {self._NO_EVALUATION}")
        x, y = self._check_arrays(x, y)
        return super().fit(x, y, *args, **kwargs)

    def _check_arrays(self, x, y):
        # Arrays show what every batch will be, so a batch the step would
        # refuse is refused before Keras starts: on JAX an error in the first
        # step leaves the restorer's variables emptied.
        x, y = _float_images("x", x), _float_images("y", y)
        shapes = {}
        for name, value in (("x", x), ("y", y)):
            if isinstance(value, np.ndarray) or ops.is_tensor(value):
                shape = tuple(value.shape)
                if len(shape) != 4:
                    raise ValueError(
                        f"`{name}` must be a batch of images (N, H, W, C). "
                        f"Received: {name}.shape={shape}"
                    )
                shapes[name] = shape
        scale = self.scale
        if y is None and "x" in shapes:
            if self.restorer.degradation is None:
                raise ValueError(
                    "The restorer has no `degradation`, so it cannot train on high-res "
                    "images alone: pass `(low_res, high_res)` pairs as `x`, `y`."
                )
            height, width = shapes["x"][1:3]
            if any(side is not None and side % scale for side in (height, width)):
                raise ValueError(
                    f"The high-res images `x` must have sides that are a multiple of "
                    f"the scale ({scale}). Received: x.shape={shapes['x']}"
                )
        if "x" in shapes and "y" in shapes:
            low, high = shapes["x"][1:3], shapes["y"][1:3]
            if None not in low + high and (high[0] != low[0] * scale or high[1] != low[1] * scale):
                raise ValueError(
                    f"The high-res targets `y` must be {scale}x the low-res inputs `x` "
                    f"(scale={scale}). Received: x.shape={shapes['x']}, "
                    f"y.shape={shapes['y']}"
                )
        return x, y

    def evaluate(self, *args, **kwargs):
        raise NotImplementedError(self._NO_EVALUATION)

    def get_config(self):
        config = super().get_config()
        restorer = keras.saving.serialize_keras_object(self.restorer)
        # The restorer's own optimizer and loss play no part here.
        restorer.pop("compile_config", None)
        config.update(
            restorer=restorer,
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            content_weight=self.content_weight,
            adversarial_weight=self.adversarial_weight,
            feature_matching_weight=self.feature_matching_weight,
            seed=self.seed,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("restorer", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)
