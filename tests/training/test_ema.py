"""GeneratorEMA: the average it keeps, and swapping it in and out."""

import keras
import numpy as np
import pytest

from zoo.training import GeneratorEMA

pytestmark = pytest.mark.backend


def _weights(variables):
    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


class Record(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.weights = []

    def on_train_batch_end(self, batch, logs=None):
        self.weights.append(_weights(self.model.trainable_variables))


def _fit(ema, steps=4):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    ema.generator = model
    record = Record()
    initial = _weights(model.trainable_variables)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4 * steps, 3)).astype("float32")
    y = rng.normal(size=(4 * steps, 2)).astype("float32")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[record, ema])
    return model, initial, record.weights


@pytest.mark.parametrize(
    "every, start_step, warmup", [(1, 0, False), (2, 0, False), (1, 2, False), (1, 0, True)]
)
def test_average_follows_the_formula(every, start_step, warmup):
    ema = GeneratorEMA(decay=0.8, every=every, start_step=start_step, warmup=warmup,
                       swap_on_train_end=False)
    model, expected, history = _fit(ema, steps=6)
    updates = 0
    for step, weights in enumerate(history, start=1):
        if step % every:
            continue
        if step <= start_step:
            expected = weights
        else:
            decay = min(0.8, (1 + updates) / (10 + updates)) if warmup else 0.8
            updates += 1
            d = decay**every
            expected = [d * e + (1 - d) * w for e, w in zip(expected, weights)]
    for average, value in zip(ema.average, expected):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(average), value, rtol=1e-5,
                                   atol=1e-6)
    # Not swapped in: the model keeps its trained weights.
    for variable, value in zip(model.trainable_variables, history[-1]):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), value)


def test_swap_in_at_train_end_and_back_at_train_begin():
    ema = GeneratorEMA(decay=0.5)
    model, _, history = _fit(ema)
    average = _weights(ema.average)
    for variable, value in zip(model.trainable_variables, average):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), value)
    ema.on_train_begin()  # a new fit starts from the raw weights
    for variable, value in zip(model.trainable_variables, history[-1]):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), value)
    with ema.swapped() as network:
        assert network is model
        for variable, value in zip(model.trainable_variables, average):
            np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), value)
    for variable, value in zip(model.trainable_variables, history[-1]):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(variable), value)


def test_arguments():
    with pytest.raises(ValueError, match="decay"):
        GeneratorEMA(decay=1.0)
    with pytest.raises(ValueError, match="every"):
        GeneratorEMA(every=0)
    with pytest.raises(ValueError, match="train"):
        network = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        GeneratorEMA(generator=network).swap_in()


@pytest.mark.parametrize("every, start_step", [(1, 2), (4, 0), (1, 3)])
def test_counts_training_steps_with_steps_per_execution(every, start_step):
    if keras.config.backend() == "torch":
        pytest.skip("steps_per_execution must be 1 on torch")
    ema = GeneratorEMA(decay=0.8, every=every, start_step=start_step, warmup=False,
                       swap_on_train_end=False)
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(keras.optimizers.SGD(0.1), "mse", steps_per_execution=2)
    ema.generator = model
    record = Record()
    expected = _weights(model.trainable_variables)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3)).astype("float32")
    y = rng.normal(size=(32, 2)).astype("float32")
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[record, ema])
    history = record.weights
    assert len(history) == 4  # one call per 2 steps
    assert ema.steps == 8 == int(keras.ops.convert_to_numpy(model.optimizer.iterations))
    # Each call sees 2 steps: the update steps among them, compounded.
    previous = 0
    for step, weights in zip((2, 4, 6, 8), history):
        if min(step, start_step) // every > previous // every:
            expected = weights
        updates = step // every - max(previous, start_step) // every
        if updates > 0:
            d = 0.8 ** (every * updates)
            expected = [d * e + (1 - d) * w for e, w in zip(expected, weights)]
        previous = step
    for average, value in zip(ema.average, expected):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(average), value, rtol=1e-5,
                                   atol=1e-6)
