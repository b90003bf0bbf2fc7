import numpy as np
import pytest

import keras

from zoo.training import StopAfter, measure_steps_per_second


def _model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


@pytest.mark.backend
def test_stop_after_ends_training_early():
    model = _model()
    x, y = np.ones((64, 4), "float32"), np.ones((64, 1), "float32")
    model.fit(x, y, batch_size=1, epochs=50, verbose=0, callbacks=[StopAfter(1e-9)])
    # Stopped after the first batch instead of 50 epochs of 64 steps.
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 1


@pytest.mark.backend
def test_measure_steps_per_second_trains_and_reports_a_rate():
    model = _model()
    data = (np.ones((16, 4), "float32"), np.ones((16, 1), "float32"))
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(data).batch(4).repeat()
    rate = measure_steps_per_second(model, dataset, probe_steps=3, warmup_steps=1)
    assert rate > 0
    assert int(keras.ops.convert_to_numpy(model.optimizer.iterations)) == 4


def test_stop_after_rejects_non_positive_seconds():
    with pytest.raises(ValueError, match="seconds"):
        StopAfter(0)


@pytest.mark.backend
def test_measure_steps_per_second_refuses_data_shorter_than_the_probe():
    model = _model()
    data = (np.ones((16, 4), "float32"), np.ones((16, 1), "float32"))
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices(data).batch(4)  # 4 batches, not repeated
    with pytest.raises(ValueError, match="probe_steps"):
        measure_steps_per_second(model, dataset, probe_steps=30, warmup_steps=1)


def test_measure_steps_per_second_checks_its_arguments():
    model = _model()
    data = (np.ones((4, 4), "float32"), np.ones((4, 1), "float32"))
    with pytest.raises(ValueError, match="probe_steps"):
        measure_steps_per_second(model, data, probe_steps=0)
    with pytest.raises(TypeError, match="warmup_steps"):
        measure_steps_per_second(model, data, warmup_steps=1.5)
    uncompiled = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="model"):
        measure_steps_per_second(uncompiled, data)


@pytest.mark.parametrize("seconds, error", [
    ("10", TypeError), (None, TypeError), (True, TypeError),
    (float("nan"), ValueError), (float("inf"), ValueError), (-1.0, ValueError),
])
def test_stop_after_rejects_bad_seconds(seconds, error):
    with pytest.raises(error, match="seconds"):
        StopAfter(seconds)


def test_stop_after_accepts_numpy_numbers():
    assert StopAfter(np.float32(2.5)).seconds == 2.5
    assert StopAfter(np.int64(3)).seconds == 3.0
