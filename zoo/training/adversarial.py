"""The one adversarial train step every GAN in the zoo uses, on every backend.

Keras 3 runs a custom `train_step` differently per backend: TensorFlow
records gradients with a `GradientTape`, PyTorch with `loss.backward()`, and
JAX wants a pure function of the model state that returns the new state.
This module keeps those three small functions in one place; a GAN only
writes two loss hooks:

* `discriminator_loss(data) -> (loss, logs)` and
* `generator_loss(data) -> (loss, logs)`,

plain Keras code (layers, `keras.ops`, `keras.random` with a
`keras.random.SeedGenerator` held by the model) that reads the weights as
they are, and names the variables each player trains in
`discriminator_trainable_variables` / `generator_trainable_variables`. Each
step first updates the discriminator (with `d_optimizer`), then the
generator (with `g_optimizer`) against the updated discriminator.

On JAX each hook runs inside a `keras.StatelessScope` mapped onto the traced
state, so its variable writes (batch-norm statistics, spectral-norm vectors,
seed generators) come back as the new state, exactly as Keras' own JAX
trainer threads `non_trainable_variables`; the step compiles with
`jit_compile=True`. A hook that overwrites a *trainable* weight during its
forward pass (Keras' `SpectralNormalization` writes the normalised kernel
back) gets the same treatment as on TensorFlow and PyTorch: the optimizer
update applies to the written value. The gradient still differs there (JAX
differentiates through the write, the others do not), which is why the zoo's
discriminators use `zoo.layers.SpectralNormalization`, which writes none.
"""

import keras

# The mean trackers an adversarial model reports unless it names others.
DEFAULT_METRIC_NAMES = ("d_loss", "g_loss")


@keras.saving.register_keras_serializable(package="zoo")
class AdversarialOptimizer(keras.optimizers.Optimizer):
    """Two optimizers, one per player, presented to Keras as one.

    Keras' trainers hold a single `model.optimizer`; this wrapper carries
    `d_optimizer` (discriminator side) and `g_optimizer` (generator side) so
    their state travels with the model on every backend (on JAX it is part
    of the jitted train state). `iterations` counts generator updates.
    Build it with `build_adversarial(d_variables, g_variables)`;
    `AdversarialTrainer.compile` does.

    The wrapper has no learning rate of its own: setting its
    `learning_rate` (as `keras.callbacks.LearningRateScheduler` or
    `ReduceLROnPlateau` do) raises an error; schedule the players' rates
    instead (`d_optimizer.learning_rate`, `g_optimizer.learning_rate`, or a
    `LearningRateSchedule` passed to each). Each player's `use_ema` is
    honoured: at the end of `fit` each optimizer writes its averages into
    its own variables.

    Example:
    ```python
    optimizer = AdversarialOptimizer(
        d_optimizer=keras.optimizers.Adam(4e-4, beta_1=0.0, beta_2=0.9),
        g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9),
    )
    ```
    """

    def __init__(self, d_optimizer, g_optimizer, name="adversarial_optimizer", **kwargs):
        d_optimizer = keras.optimizers.get(d_optimizer)
        g_optimizer = keras.optimizers.get(g_optimizer)
        if d_optimizer is g_optimizer:
            raise ValueError(
                "`d_optimizer` and `g_optimizer` must be two optimizer instances "
                "(each keeps its own moments). Received the same object twice."
            )
        super().__init__(learning_rate=0.0, name=name, **kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.d_variables = []
        self.g_variables = []

    def build(self, var_list):
        if self.built:
            return
        raise ValueError(
            "AdversarialOptimizer needs to know which variables each player "
            "trains: call `build_adversarial(d_variables, g_variables)` "
            "(`AdversarialTrainer.compile` does)."
        )

    def build_adversarial(self, d_variables, g_variables):
        """Builds `d_optimizer` on `d_variables`, `g_optimizer` on `g_variables`."""
        d_variables, g_variables = list(d_variables), list(g_variables)
        shared = {id(v) for v in d_variables} & {id(v) for v in g_variables}
        if shared:
            raise ValueError(
                "A variable cannot be trained by both players. Shared: "
                f"{[v.path for v in d_variables if id(v) in shared]}"
            )
        if not d_variables or not g_variables:
            raise ValueError(
                "Both players need trainable variables. Received "
                f"{len(d_variables)} discriminator and {len(g_variables)} "
                "generator variables."
            )
        self.d_optimizer.build(d_variables)
        self.g_optimizer.build(g_variables)
        self.d_variables = d_variables
        self.g_variables = g_variables
        self.built = True

    @property
    def variables(self):
        return self.d_optimizer.variables + self.g_optimizer.variables

    @property
    def iterations(self):
        return self.g_optimizer.iterations

    @property
    def learning_rate(self):
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        raise TypeError(
            "An AdversarialOptimizer has no learning rate of its own, so "
            "`learning_rate` cannot be set on it (a `LearningRateScheduler` or "
            "`ReduceLROnPlateau` callback does). Schedule each player's instead: "
            "set `model.optimizer.d_optimizer.learning_rate` and "
            "`model.optimizer.g_optimizer.learning_rate` (e.g. from a custom "
            "callback), or pass a `keras.optimizers.schedules.LearningRateSchedule` "
            "to each optimizer."
        )

    def finalize_variable_values(self, var_list):
        # Each player finalizes its own variables (e.g. writes its EMA).
        self.d_optimizer.finalize_variable_values(self.d_variables)
        self.g_optimizer.finalize_variable_values(self.g_variables)

    # Saving walks into `d_optimizer` and `g_optimizer`, which save their own
    # variables; this wrapper has none of its own to write.
    def save_own_variables(self, store):
        pass

    def load_own_variables(self, store):
        pass

    def apply(self, grads, trainable_variables=None):
        raise NotImplementedError(
            "AdversarialOptimizer does not apply gradients itself: "
            "`zoo.training.adversarial_train_step` applies each player's "
            "gradients with `d_optimizer` and `g_optimizer`."
        )

    def stateless_apply(self, optimizer_variables, grads, trainable_variables):
        self.apply(grads)

    def get_config(self):
        return {
            "name": self.name,
            "d_optimizer": keras.optimizers.serialize(self.d_optimizer),
            "g_optimizer": keras.optimizers.serialize(self.g_optimizer),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        for key in ("d_optimizer", "g_optimizer"):
            if isinstance(config[key], dict):
                config[key] = keras.optimizers.deserialize(
                    config[key], custom_objects=custom_objects
                )
        return cls(**config)


class AdversarialTrainer:
    """Mixin that gives a `keras.Model` a two-player `fit`.

    Put it first in the bases (`class MyGAN(AdversarialTrainer, keras.Model)`)
    and implement:

    * `discriminator_loss(data)` and `generator_loss(data)`, each returning
      `(scalar loss, dict of scalar logs)`; `data` is the batch `fit`
      yields: `x`, or `(x, y)` when the data has targets (e.g. labels).
      Draw randomness from a `keras.random.SeedGenerator` held by the model.
    * `discriminator_trainable_variables` and
      `generator_trainable_variables`: disjoint lists of the model's
      trainable variables; by default those of its `discriminator` and
      `generator` attributes.
    * optionally `adversarial_metric_names`: the log keys averaged over an
      epoch (default `("d_loss", "g_loss")`); call `_init_adversarial()` in
      `__init__` to create their trackers.

    Each player's regularization losses (`discriminator.losses`,
    `generator.losses`: weight and activity regularizers) are added to its
    loss. `model.save` keeps both optimizers (and their state) for
    `keras.models.load_model`. The `mixed_float16` policy is refused (one
    loss scale cannot serve two players); `mixed_bfloat16` trains.

    Example:
    ```python
    class TinyGAN(AdversarialTrainer, keras.Model):
        def __init__(self, generator, discriminator):
            super().__init__()
            self.generator, self.discriminator = generator, discriminator
            self.seed_generator = keras.random.SeedGenerator(0)
            self._init_adversarial()

        def discriminator_loss(self, data): ...
        def generator_loss(self, data): ...

    gan = TinyGAN(generator, discriminator)
    gan.compile(d_optimizer=keras.optimizers.Adam(4e-4),
                g_optimizer=keras.optimizers.Adam(1e-4))
    gan.fit(images, epochs=10)
    ```
    """

    adversarial_metric_names = DEFAULT_METRIC_NAMES

    def _init_adversarial(self):
        """Creates one `keras.metrics.Mean` per name in `adversarial_metric_names`."""
        self._adversarial_trackers = [
            keras.metrics.Mean(name=name) for name in self.adversarial_metric_names
        ]

    @property
    def metrics(self):
        return list(getattr(self, "_adversarial_trackers", []))

    @property
    def discriminator_trainable_variables(self):
        return list(self.discriminator.trainable_variables)

    @property
    def generator_trainable_variables(self):
        return list(self.generator.trainable_variables)

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        """Compiles with one optimizer per player.

        Args:
            d_optimizer: optimizer (instance or name) of the discriminator side.
            g_optimizer: optimizer of the generator side (a different instance).
            **kwargs: passed to `keras.Model.compile` (`jit_compile`,
                `steps_per_execution`, `run_eagerly`). A `loss`, `optimizer`
                or `metrics` has no meaning here and raises `ValueError`.
        """
        for key in ("loss", "optimizer", "metrics", "loss_weights", "weighted_metrics"):
            if kwargs.get(key) is not None:
                raise ValueError(
                    f"An adversarial model takes no `{key}`: its losses are its "
                    "`discriminator_loss`/`generator_loss`, its optimizers "
                    "`d_optimizer`/`g_optimizer`."
                )
            kwargs.pop(key, None)
        if self.dtype_policy.name == "mixed_float16" and kwargs.get("auto_scale_loss", True):
            raise ValueError(
                "An adversarial model cannot train under the `mixed_float16` dtype "
                "policy: Keras would wrap its two optimizers in one "
                "`LossScaleOptimizer`, which cannot scale each player's loss. Use "
                "`mixed_bfloat16` (no loss scaling needed) or `float32`. Received: "
                f"dtype policy {self.dtype_policy.name!r}."
            )
        # `fit` feeds training batches, not `call` inputs: the model must not
        # be built from them. Its networks exist, so it is built.
        if all(layer.built for layer in self._flatten_layers(include_self=False)):
            self.built = True
        optimizer = AdversarialOptimizer(d_optimizer, g_optimizer)
        optimizer.build_adversarial(
            self.discriminator_trainable_variables, self.generator_trainable_variables
        )
        keras.Model.compile(self, optimizer=optimizer, **kwargs)
        self._adversarial_compile_kwargs = dict(kwargs)

    def get_compile_config(self):
        """The player optimizers and `compile` arguments, for `model.save`."""
        if not (self.compiled and hasattr(self, "_adversarial_compile_kwargs")):
            return {}
        return {
            "d_optimizer": keras.optimizers.serialize(self.optimizer.d_optimizer),
            "g_optimizer": keras.optimizers.serialize(self.optimizer.g_optimizer),
            **self._adversarial_compile_kwargs,
        }

    def compile_from_config(self, config):
        """Compiles as `get_compile_config` describes (used by `load_model`)."""
        config = dict(config)
        for key in ("d_optimizer", "g_optimizer"):
            if isinstance(config.get(key), dict):
                config[key] = keras.optimizers.deserialize(config[key])
        self.compile(**config)

    def _regularization_losses(self, player):
        """The `losses` (weight and activity regularizers) of `player`'s network
        ("discriminator" or "generator"), added to that player's loss."""
        network = getattr(self, player, None)
        return list(network.losses) if isinstance(network, keras.layers.Layer) else []

    def fit(self, *args, **kwargs):
        """`keras.Model.fit`, refusing callbacks that set the learning rate
        (the wrapper optimizer has none; see `AdversarialOptimizer`) before
        any training starts."""
        check_adversarial_callbacks(kwargs.get("callbacks"))
        return keras.Model.fit(self, *args, **kwargs)

    def train_step(self, *args):
        return adversarial_train_step(self, *args)

    def _adversarial_phases(self):
        optimizer = self.optimizer
        return (
            (
                _regularized(self, self.discriminator_loss, "discriminator"),
                optimizer.d_variables,
                optimizer.d_optimizer,
            ),
            (
                _regularized(self, self.generator_loss, "generator"),
                optimizer.g_variables,
                optimizer.g_optimizer,
            ),
        )

    def _update_adversarial_metrics(self, logs):
        for tracker in self.metrics:
            if tracker.name in logs:
                tracker.update_state(logs[tracker.name])
        return {tracker.name: tracker.result() for tracker in self.metrics}


def check_adversarial_callbacks(callbacks):
    """Raises for callbacks that set `model.optimizer.learning_rate`: on an
    adversarial model that fails at the first epoch (and on JAX leaves the
    model unusable), so it is refused before `fit` starts."""
    setters = (keras.callbacks.LearningRateScheduler, keras.callbacks.ReduceLROnPlateau)
    for callback in callbacks or ():
        if isinstance(callback, setters):
            raise ValueError(
                f"`callbacks`: {type(callback).__name__} sets the model optimizer's "
                "learning rate, which an adversarial model does not have. Schedule each "
                "player's instead: a `keras.optimizers.schedules.LearningRateSchedule` "
                "as the learning rate of `d_optimizer` and of `g_optimizer`."
            )


def _regularized(model, loss_fn, player):
    """`loss_fn` plus the player's regularization losses, read after the
    forward pass (on JAX inside its stateless scope, so they are traced).
    Without any, the loss is returned untouched."""

    def regularized_loss(data):
        loss, logs = loss_fn(data)
        extra = model._regularization_losses(player)
        if extra:
            dtype = keras.backend.standardize_dtype(loss.dtype)
            loss = loss + keras.ops.sum(keras.ops.stack([keras.ops.cast(x, dtype) for x in extra]))
        return loss, logs

    return regularized_loss


def adversarial_train_step(model, *args):
    """One discriminator update then one generator update of `model`.

    Called as `train_step(data)` on TensorFlow and PyTorch and as
    `train_step(state, data)` on JAX (returning `(logs, state)`), which is
    what `AdversarialTrainer.train_step` forwards. `model` follows the
    `AdversarialTrainer` protocol.
    """
    backend = keras.config.backend()
    *state, data = args
    data = _batch(data)
    if backend == "jax":
        return _jax_train_step(model, *state, data)
    if backend == "tensorflow":
        return _tensorflow_train_step(model, data)
    if backend == "torch":
        return _torch_train_step(model, data)
    raise NotImplementedError(
        f"Adversarial training runs on tensorflow, jax and torch, not {backend!r}."
    )


def _batch(data):
    """The batch as the loss hooks see it: `x`, `(x, y)` or `(x, y, sample_weight)`,
    as tensors (run eagerly on JAX, Keras passes numpy on, and layers refuse
    inputs that mix numpy with tensors)."""
    x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
    if sample_weight is not None:
        data = x, y, sample_weight
    elif y is not None:
        data = x, y
    else:
        data = x
    return keras.tree.map_structure(keras.ops.convert_to_tensor, data)


def _tensorflow_train_step(model, data):
    import tensorflow as tf

    # Under tf.distribute each replica sees its share of the batch and the
    # optimizer sums the replicas' gradients: scale to get their mean.
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    logs = {}
    for loss_fn, variables, optimizer in model._adversarial_phases():
        with tf.GradientTape() as tape:
            loss, phase_logs = loss_fn(data)
            loss = loss / replicas if replicas > 1 else loss
        grads = tape.gradient(loss, variables)
        pairs = [(g, v) for g, v in zip(grads, variables) if g is not None]
        optimizer.apply([g for g, _ in pairs], [v for _, v in pairs])
        logs.update(phase_logs)
    return model._update_adversarial_metrics(logs)


def _torch_train_step(model, data):
    import torch

    logs = {}
    for loss_fn, variables, optimizer in model._adversarial_phases():
        for variable in model.trainable_variables:
            variable.value.grad = None
        loss, phase_logs = loss_fn(data)
        loss.backward()
        pairs = [(v.value.grad, v) for v in variables if v.value.grad is not None]
        with torch.no_grad():
            optimizer.apply([g for g, _ in pairs], [v for _, v in pairs])
        logs.update({k: v.detach() if hasattr(v, "detach") else v for k, v in phase_logs.items()})
    for variable in model.trainable_variables:
        variable.value.grad = None
    return model._update_adversarial_metrics(logs)


def _jax_train_step(model, state, data):
    import jax

    trainable, non_trainable, optimizer_values, metrics_values = state
    trainable, non_trainable = list(trainable), list(non_trainable)
    position = {id(v): i for i, v in enumerate(model.trainable_variables)}
    split = len(model.optimizer.d_optimizer.variables)
    optimizer_values = [list(optimizer_values[:split]), list(optimizer_values[split:])]

    logs = {}
    for phase, (loss_fn, variables, optimizer) in enumerate(model._adversarial_phases()):
        index = [position[id(v)] for v in variables]

        def stateless_loss(own, trainable, non_trainable, loss_fn=loss_fn, index=index):
            trainable = list(trainable)
            for i, value in zip(index, own):
                trainable[i] = value
            return _stateless(model, loss_fn, trainable, non_trainable, data)

        grad_fn = jax.value_and_grad(stateless_loss, has_aux=True)
        (_, (phase_logs, trainable, non_trainable)), grads = grad_fn(
            [trainable[i] for i in index], trainable, non_trainable
        )
        updated, optimizer_values[phase] = optimizer.stateless_apply(
            optimizer_values[phase], grads, [trainable[i] for i in index]
        )
        for i, value in zip(index, updated):
            trainable[i] = value
        logs.update(phase_logs)

    with keras.StatelessScope(
        state_mapping=list(zip(model.metrics_variables, metrics_values))
    ) as scope:
        logs = model._update_adversarial_metrics(logs)
    metrics_values = [
        _current(scope, v, old) for v, old in zip(model.metrics_variables, metrics_values)
    ]
    state = (trainable, non_trainable, optimizer_values[0] + optimizer_values[1], metrics_values)
    return logs, state


def _current(scope, variable, old):
    value = scope.get_current_value(variable)
    return old if value is None else value


def _stateless(model, loss_fn, trainable, non_trainable, data):
    """Runs `loss_fn(data)` on the given variable values; returns new values."""
    mapping = list(zip(model.trainable_variables, trainable))
    mapping += list(zip(model.non_trainable_variables, non_trainable))
    # Losses are collected so `layer.losses` (activity regularizers) reads them.
    with keras.StatelessScope(state_mapping=mapping, collect_losses=True) as scope:
        loss, logs = loss_fn(data)
    trainable = [_current(scope, v, old) for v, old in zip(model.trainable_variables, trainable)]
    non_trainable = [
        _current(scope, v, old) for v, old in zip(model.non_trainable_variables, non_trainable)
    ]
    return loss, (logs, trainable, non_trainable)
