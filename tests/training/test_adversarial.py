"""The multi-backend adversarial train step, on a toy GAN with every kind of state."""

import keras
import numpy as np
import pytest
from keras import ops

from zoo.training import AdversarialOptimizer, AdversarialTrainer

pytestmark = pytest.mark.backend


class ToyGAN(AdversarialTrainer, keras.Model):
    """1-D GAN whose step touches BN statistics, spectral-norm state and seeds."""

    adversarial_metric_names = ("d_loss", "g_loss", "real_score")

    def __init__(self, seed=0, **kwargs):
        super().__init__(**kwargs)
        self.generator = keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(8),
                keras.layers.BatchNormalization(),
                keras.layers.ReLU(),
                keras.layers.Dense(2),
            ],
            name="generator",
        )
        self.discriminator = keras.Sequential(
            [
                keras.Input((2,)),
                keras.layers.SpectralNormalization(keras.layers.Dense(8)),
                keras.layers.ReLU(),
                keras.layers.Dense(1),
            ],
            name="discriminator",
        )
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._init_adversarial()

    def call(self, z):
        return self.generator(z)

    def _fake(self, batch):
        z = keras.random.normal((batch, 4), seed=self.seed_generator)
        return self.generator(z, training=True)

    def discriminator_loss(self, real):
        fake = ops.stop_gradient(self._fake(ops.shape(real)[0]))
        logits = self.discriminator(ops.concatenate([real, fake]), training=True)
        real_logits, fake_logits = ops.split(logits, 2)
        loss = ops.mean(ops.relu(1 - real_logits)) + ops.mean(ops.relu(1 + fake_logits))
        return loss, {"d_loss": loss, "real_score": ops.mean(real_logits)}

    def generator_loss(self, real):
        logits = self.discriminator(self._fake(ops.shape(real)[0]), training=False)
        loss = -ops.mean(logits)
        return loss, {"g_loss": loss}


def _real(n=32):
    rng = np.random.default_rng(0)
    return (rng.normal(size=(n, 2)) * 0.3 + np.array([2.0, -1.0])).astype("float32")


def _snapshot(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _moved(before, variables):
    return [not np.allclose(b, a) for b, a in zip(before, _snapshot(variables))]


def test_fit_updates_both_players_and_threads_state():
    # XLA on JAX and TensorFlow; PyTorch runs eagerly.
    jit_compile = keras.config.backend() != "torch"
    keras.utils.set_random_seed(0)
    gan = ToyGAN()
    gan.compile(
        d_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.0),
        g_optimizer=keras.optimizers.Adam(1e-2, beta_1=0.0),
        jit_compile=jit_compile,
    )
    d_vars, g_vars = gan.discriminator.trainable_variables, gan.generator.trainable_variables
    state = {
        "bn_mean": gan.generator.layers[1].moving_mean,
        "sn_u": gan.discriminator.layers[0].vector_u,
        "seed": gan.seed_generator.state,
    }
    d_before, g_before = _snapshot(d_vars), _snapshot(g_vars)
    state_before = {k: _snapshot([v])[0] for k, v in state.items()}

    history = gan.fit(_real(), batch_size=8, epochs=2, verbose=0, shuffle=False)

    # (The last bias may stand still: its hinge gradients cancel while every
    # logit is inside the margin.)
    assert all(_moved(d_before[:-1], d_vars[:-1])), "every discriminator weight trains"
    assert all(_moved(g_before, g_vars)), "every generator weight trains"
    for name, variable in state.items():
        assert _moved([state_before[name]], [variable]) == [True], f"{name} was not updated"
    assert set(history.history) == {"d_loss", "g_loss", "real_score"}
    for values in history.history.values():
        assert len(values) == 2 and np.all(np.isfinite(values))
    # 4 batches x 2 epochs; one update per player per step.
    assert int(gan.optimizer.iterations) == 8
    assert int(gan.optimizer.d_optimizer.iterations) == 8


def test_spectral_norm_write_back_is_kept():
    """SpectralNormalization writes the normalised kernel; the update builds on it."""
    keras.utils.set_random_seed(1)
    gan = ToyGAN()
    sn = gan.discriminator.layers[0]
    sn.kernel.assign(sn.kernel * 50.0)  # far from unit spectral norm
    gan.compile(
        d_optimizer=keras.optimizers.SGD(1e-6), g_optimizer=keras.optimizers.SGD(1e-6)
    )
    gan.fit(_real(64), batch_size=64, epochs=30, verbose=0)
    sigma = np.linalg.svd(keras.ops.convert_to_numpy(sn.kernel), compute_uv=False)[0]
    assert sigma == pytest.approx(1.0, abs=0.05)


def test_train_on_batch_and_steps_per_execution():
    keras.utils.set_random_seed(2)
    gan = ToyGAN()
    # PyTorch's trainer runs one step per execution only.
    steps = 1 if keras.config.backend() == "torch" else 2
    gan.compile(d_optimizer="adam", g_optimizer="adam", steps_per_execution=steps)
    gan.fit(_real(), batch_size=8, epochs=1, verbose=0)
    assert int(gan.optimizer.iterations) == 4
    logs = gan.train_on_batch(_real(8), return_dict=True)
    assert np.isfinite(logs["d_loss"]) and int(gan.optimizer.iterations) == 5


def test_compile_rejects_what_has_no_meaning_here():
    gan = ToyGAN()
    shared = keras.optimizers.Adam()
    with pytest.raises(ValueError, match="two optimizer instances"):
        gan.compile(d_optimizer=shared, g_optimizer=shared)
    with pytest.raises(ValueError, match="`loss`"):
        gan.compile(d_optimizer="adam", g_optimizer="adam", loss="mse")


def test_adversarial_optimizer_config_and_build():
    optimizer = AdversarialOptimizer(
        keras.optimizers.Adam(4e-4, beta_1=0.0), keras.optimizers.SGD(1e-3)
    )
    with pytest.raises(ValueError, match="build_adversarial"):
        optimizer.build([])
    restored = AdversarialOptimizer.from_config(optimizer.get_config())
    assert isinstance(restored.d_optimizer, keras.optimizers.Adam)
    assert float(restored.d_optimizer.learning_rate) == pytest.approx(4e-4)
    assert isinstance(restored.g_optimizer, keras.optimizers.SGD)
    a, b = keras.Variable(np.zeros(2)), keras.Variable(np.zeros(3))
    with pytest.raises(ValueError, match="both players"):
        optimizer.build_adversarial([a], [a, b])
    optimizer.build_adversarial([a], [b])
    assert len(optimizer.variables) == len(optimizer.d_optimizer.variables) + len(
        optimizer.g_optimizer.variables
    )


def test_save_and_load_keep_both_optimizers(tmp_path):
    keras.utils.set_random_seed(3)
    gan = ToyGAN()
    gan.compile(
        d_optimizer=keras.optimizers.SGD(0.01, momentum=0.9),
        g_optimizer=keras.optimizers.SGD(0.001, momentum=0.9),
    )
    gan.fit(_real(16), batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    gan.save(path)
    loaded = keras.models.load_model(path, custom_objects={"ToyGAN": ToyGAN})
    for player in ("d_optimizer", "g_optimizer"):
        saved, restored = getattr(gan.optimizer, player), getattr(loaded.optimizer, player)
        assert isinstance(restored, keras.optimizers.SGD)
        assert float(restored.learning_rate) == pytest.approx(float(saved.learning_rate))
        assert float(restored.momentum) == pytest.approx(0.9)
        for a, b in zip(saved.variables, restored.variables):
            np.testing.assert_allclose(_snapshot([a])[0], _snapshot([b])[0])
    assert int(loaded.optimizer.iterations) == 2
    assert int(loaded.optimizer.d_optimizer.iterations) == 2


def test_mixed_float16_is_refused_and_mixed_bfloat16_trains():
    previous = keras.config.dtype_policy()
    try:
        keras.config.set_dtype_policy("mixed_float16")
        with pytest.raises(ValueError, match="mixed_float16"):
            ToyGAN().compile(d_optimizer="adam", g_optimizer="adam")
        keras.config.set_dtype_policy("mixed_bfloat16")
        keras.utils.set_random_seed(4)
        gan = ToyGAN()
        gan.compile(d_optimizer="adam", g_optimizer="adam")
        logs = gan.train_on_batch(_real(8), return_dict=True)
    finally:
        keras.config.set_dtype_policy(previous)
    assert np.isfinite(logs["d_loss"]) and int(gan.optimizer.iterations) == 1


def test_learning_rate_callbacks_are_refused():
    keras.utils.set_random_seed(5)
    gan = ToyGAN()
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    scheduler = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.0)
    # Refused before fit starts (a refusal mid-fit leaves a JAX model unusable).
    for callback in (scheduler, keras.callbacks.ReduceLROnPlateau()):
        with pytest.raises(ValueError, match="`callbacks`.*g_optimizer"):
            gan.fit(_real(16), batch_size=8, epochs=1, verbose=0, callbacks=[callback])
    assert int(gan.optimizer.iterations) == 0
    # Setting the wrapper's rate directly is refused too.
    with pytest.raises(TypeError, match="g_optimizer.learning_rate"):
        gan.optimizer.learning_rate = 0.0
    gan.fit(_real(16), batch_size=8, epochs=1, verbose=0)  # still trains
    assert int(gan.optimizer.iterations) == 2
    # The players' own learning rates stay settable.
    gan.optimizer.d_optimizer.learning_rate = 0.05
    assert float(gan.optimizer.d_optimizer.learning_rate) == pytest.approx(0.05)


def test_player_ema_is_written_at_the_end_of_fit():
    keras.utils.set_random_seed(5)
    gan = ToyGAN()
    g_optimizer = keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.9)
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=g_optimizer)
    gan.fit(_real(16), batch_size=8, epochs=1, verbose=0, shuffle=False)
    ema = _snapshot(g_optimizer._model_variables_moving_average)
    for average, weight in zip(ema, _snapshot(gan.generator.trainable_variables)):
        np.testing.assert_allclose(weight, average)


def _plain_gan(discriminator_regularizer=None, generator_regularizer=None):
    """A ToyGAN with plain Dense networks, weights fixed by the seed."""
    keras.utils.set_random_seed(6)
    gan = ToyGAN()
    gan.generator = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(2, activity_regularizer=generator_regularizer),
        ],
        name="generator",
    )
    gan.discriminator = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(8, activation="relu", kernel_regularizer=discriminator_regularizer),
            keras.layers.Dense(1),
        ],
        name="discriminator",
    )
    gan.compile(d_optimizer=keras.optimizers.SGD(0.1), g_optimizer=keras.optimizers.SGD(0.1))
    return gan


def test_regularization_losses_join_their_players_loss():
    plain = _plain_gan()
    kernel = _snapshot([plain.discriminator.layers[0].kernel])[0]
    plain.train_on_batch(_real(8))
    # A weight regularizer on the discriminator: its update gains -lr * 2c * W.
    weighted = _plain_gan(discriminator_regularizer=keras.regularizers.L2(0.5))
    weighted.train_on_batch(_real(8))
    difference = _snapshot([weighted.discriminator.layers[0].kernel])[0] - _snapshot(
        [plain.discriminator.layers[0].kernel]
    )[0]
    np.testing.assert_allclose(difference, -0.1 * 2 * 0.5 * kernel, atol=1e-5)

    # An activity regularizer on the generator changes only the generator step.
    active = _plain_gan(generator_regularizer=keras.regularizers.L2(10.0))
    active.train_on_batch(_real(8))
    for a, b in zip(_snapshot(plain.discriminator.trainable_variables),
                    _snapshot(active.discriminator.trainable_variables)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    assert any(_moved(_snapshot(plain.generator.trainable_variables),
                      active.generator.trainable_variables))
