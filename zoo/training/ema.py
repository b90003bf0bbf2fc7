"""An exponential moving average of a generator's weights, kept during `fit`."""

import contextlib

import keras
from keras import ops

from zoo.arguments import check_int


class GeneratorEMA(keras.callbacks.Callback):
    """Keeps an exponential moving average (EMA) of the generator's weights.

    GAN generators oscillate; the average of their recent weights draws
    cleaner samples (as in ProGAN and BigGAN). Every `every` training steps
    `ema = d * ema + (1 - d) * w` with `d = decay ** every` over the
    generator's trainable weights (batch-norm statistics stay the live
    ones). Steps are the model optimizer's iterations, so with
    `compile(steps_per_execution=k)` (the callback then runs once per k
    steps) the updates of the steps in between are compounded into one with
    the weights at hand. Until `start_step` the average just copies the weights. With
    `warmup`, the decay of the n-th update is `min(decay, (1 + n) / (10 + n))`
    (as `tf.train.ExponentialMovingAverage` with `num_updates`), so a short
    run is not averaged mostly with its random initial weights.

    When training ends the average is swapped into the generator, so that
    `generate`, `save_to_preset` and `export` use it; the raw weights are
    kept and swapped back when training starts again, so a later `fit`
    continues from them. Inside training (e.g. in `SampleGrid`), use
    `with ema.swapped(): ...`.

    Args:
        decay: per-step decay, e.g. 0.999.
        every: update period in steps (cheaper; the decay is compounded).
        start_step: steps during which the average tracks the weights exactly.
        warmup: ramp the decay up over the first updates (see above).
        swap_on_train_end: swap the average in when `fit` ends.
        generator: the network to average; default `model.generator`.

    Example:
    ```python
    ema = zoo.training.GeneratorEMA(decay=0.999)
    gan.fit(data, epochs=10, callbacks=[ema])
    gan.generate(prompts, seed=0)       # with the averaged weights
    ```
    """

    def __init__(self, decay=0.999, every=1, start_step=0, warmup=True, swap_on_train_end=True,
                 generator=None):
        super().__init__()
        if not 0.0 <= float(decay) < 1.0:
            raise ValueError(f"`decay` must be in [0, 1). Received: decay={decay}")
        self.decay = float(decay)
        self.every = check_int("every", every)
        self.start_step = check_int("start_step", start_step, minimum=0)
        self.warmup = bool(warmup)
        self.updates = 0  # averaging updates made (after `start_step`)
        self.swap_on_train_end = bool(swap_on_train_end)
        self.generator = generator
        self.average = None  # one tensor per trainable generator weight
        self.steps = 0  # training steps seen (the optimizer's iterations)
        self._last_iterations = None
        self._raw = None  # the training weights while the average is swapped in

    def _model_or_none(self):
        # Reading `self.model` also attaches JAX's training state to the
        # variables (Keras syncs it for callbacks).
        return self.model if getattr(self, "_model", None) is not None else None

    def _network(self):
        model = self._model_or_none()
        if self.generator is not None:
            return self.generator
        if model is None:
            raise ValueError("GeneratorEMA needs a `generator` or a model with one.")
        return model.generator

    def _variables(self):
        return list(self._network().trainable_variables)

    @staticmethod
    def _read(variable):
        return ops.stop_gradient(ops.convert_to_tensor(variable))

    def _iterations(self):
        """The training steps the model's optimizer has taken, or None without one."""
        optimizer = getattr(self._model_or_none(), "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        if iterations is None:
            return None
        return int(ops.convert_to_numpy(iterations))

    def on_train_begin(self, logs=None):
        if self._raw is not None:
            self.swap_out()
        if self.average is None:
            self.average = [ops.copy(self._read(v)) for v in self._variables()]
        # Steps are read from the optimizer: with `steps_per_execution=k`
        # this callback runs once per k steps.
        self._last_iterations = self._iterations()

    def on_train_batch_end(self, batch, logs=None):
        iterations = self._iterations()
        last = self._last_iterations
        if iterations is None or last is None or iterations < last:
            elapsed = 1  # no optimizer to read: one call, one step
        else:
            elapsed = iterations - last
        self._last_iterations = iterations
        if elapsed <= 0:
            return
        previous, self.steps = self.steps, self.steps + elapsed
        every, start = self.every, self.start_step
        if self.steps // every == previous // every:
            return  # no update step among those that ran
        variables = self._variables()
        if min(self.steps, start) // every > previous // every:
            # An update step within `start_step` ran: the average copies.
            self.average = [ops.copy(self._read(v)) for v in variables]
        # The update steps after `start_step` that ran, compounded.
        updates = self.steps // every - max(previous, start) // every
        if updates <= 0:
            return
        d = 1.0
        for _ in range(updates):
            decay = self.decay
            if self.warmup:
                decay = min(decay, (1.0 + self.updates) / (10.0 + self.updates))
            self.updates += 1
            d *= decay**every
        self.average = [
            d * a + (1.0 - d) * self._read(v) for a, v in zip(self.average, variables)
        ]

    def on_train_end(self, logs=None):
        if self.swap_on_train_end:
            self.swap_in()

    def swap_in(self):
        """Puts the average into the generator (keeps the raw weights)."""
        if self.average is None:
            raise ValueError("GeneratorEMA has no average yet: train with it first.")
        if self._raw is not None:
            return
        variables = self._variables()
        self._raw = [ops.copy(self._read(v)) for v in variables]
        for variable, value in zip(variables, self.average):
            # A copy: on JAX a variable adopts the array it is assigned, and
            # the next compiled call donates (frees) it.
            variable.assign(ops.copy(value))

    def swap_out(self):
        """Puts the raw training weights back."""
        if self._raw is None:
            return
        for variable, value in zip(self._variables(), self._raw):
            variable.assign(value)
        self._raw = None

    @contextlib.contextmanager
    def swapped(self):
        """Context in which the generator holds the averaged weights.

        Example:
        ```python
        with ema.swapped():
            images = gan.generate(prompts, seed=0)
        ```
        """
        was_in = self._raw is not None
        self.swap_in()
        try:
            yield self._network()
        finally:
            if not was_in:
                self.swap_out()
