"""Training within a wall-clock budget."""

import math
import numbers
import time

import keras

from zoo.arguments import check_int


class StopAfter(keras.callbacks.Callback):
    """Stops training once `seconds` of wall-clock time have passed.

    Example:
    ```python
    model.fit(batches, epochs=100, callbacks=[StopAfter(3600)])
    int(model.optimizer.iterations)  # the steps actually done
    ```
    """

    def __init__(self, seconds):
        super().__init__()
        if isinstance(seconds, bool) or not isinstance(seconds, numbers.Real):
            raise TypeError(f"`seconds` must be a number. Received: seconds={seconds!r}")
        if not (math.isfinite(seconds) and seconds > 0):
            raise ValueError(
                f"`seconds` must be a finite positive number. Received: seconds={seconds!r}"
            )
        self.seconds = float(seconds)
        self.deadline = None

    def on_train_begin(self, logs=None):
        self.deadline = time.monotonic() + self.seconds

    def on_train_batch_end(self, batch, logs=None):
        if time.monotonic() > self.deadline:
            self.model.stop_training = True


def _iterations(model):
    return int(keras.ops.convert_to_numpy(model.optimizer.iterations))


def measure_steps_per_second(model, data, probe_steps=30, warmup_steps=5):
    """Training steps per second of a compiled `model` on `data`.

    Runs `warmup_steps` first (compilation), then times `probe_steps`, so a
    recipe can size its run to a time budget. The steps do train the model:
    measure on a throwaway copy. `data` must last `probe_steps` batches (a
    repeated dataset does); a `ValueError` is raised when fewer steps ran.
    """
    probe_steps = check_int("probe_steps", probe_steps)
    warmup_steps = check_int("warmup_steps", warmup_steps, minimum=0)
    if getattr(model, "optimizer", None) is None:
        raise ValueError("`model` must be compiled before measure_steps_per_second.")
    if warmup_steps:
        model.fit(data, epochs=1, steps_per_epoch=warmup_steps, verbose=0)
    before = _iterations(model)
    start = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=probe_steps, verbose=0)
    elapsed = time.perf_counter() - start
    ran = _iterations(model) - before
    if ran < probe_steps:
        raise ValueError(
            f"`data` ran out after {ran} of probe_steps={probe_steps} training steps, "
            "so the rate cannot be measured: repeat `data` (e.g. `dataset.repeat()`) "
            "or lower `probe_steps`."
        )
    return ran / elapsed
