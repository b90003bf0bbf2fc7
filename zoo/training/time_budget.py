"""Training within a wall-clock budget."""

import time

import keras


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
        if seconds <= 0:
            raise ValueError(f"`seconds` must be positive. Received: {seconds}")
        self.seconds = seconds
        self.deadline = None

    def on_train_begin(self, logs=None):
        self.deadline = time.monotonic() + self.seconds

    def on_train_batch_end(self, batch, logs=None):
        if time.monotonic() > self.deadline:
            self.model.stop_training = True


def measure_steps_per_second(model, data, probe_steps=30, warmup_steps=5):
    """Training steps per second of a compiled `model` on `data`.

    Runs `warmup_steps` first (compilation), then times `probe_steps`, so a
    recipe can size its run to a time budget. The steps do train the model:
    measure on a throwaway copy.
    """
    model.fit(data, epochs=1, steps_per_epoch=warmup_steps, verbose=0)
    start = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=probe_steps, verbose=0)
    return probe_steps / (time.perf_counter() - start)
