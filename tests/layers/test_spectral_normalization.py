"""zoo.layers.SpectralNormalization: forward, gradient through sigma, u updates, files."""

import keras
import numpy as np
import pytest

from zoo.layers import SpectralNormalization


def _np(x):
    return np.asarray(keras.ops.convert_to_numpy(x), np.float64)


def _sigma_and_unit_vectors(kernel, u):
    """One power iteration from `u`, in float64: (sigma, u, v)."""
    w = kernel.reshape(-1, kernel.shape[-1])
    v = u @ w.T
    v /= np.linalg.norm(v)
    u = v @ w
    u /= np.linalg.norm(u)
    return (v @ w @ u.T).item(), u, v


def _dense_layer(seed=0):
    keras.utils.set_random_seed(seed)
    layer = SpectralNormalization(keras.layers.Dense(3))
    layer.build((None, 4))
    return layer


@pytest.mark.backend
def test_one_sgd_step_follows_the_gradient_through_sigma():
    layer = _dense_layer()
    x = np.random.default_rng(1).standard_normal((5, 4)).astype("float32")
    t = np.random.default_rng(2).standard_normal((5, 3)).astype("float32")
    w0, b0, u0 = (_np(v) for v in (layer.layer.kernel, layer.layer.bias, layer.vector_u))
    sigma, u1, v1 = _sigma_and_unit_vectors(w0, u0)

    def loss(w):
        # u and v held constant, as the layer's stop_gradient holds them.
        s = (v1 @ w @ u1.T).item()
        return np.mean((x @ (w / s) + b0 - t) ** 2)

    def numeric_gradient(f, w, h=1e-6):
        grad = np.zeros_like(w)
        for i in np.ndindex(w.shape):
            step = np.zeros_like(w)
            step[i] = h
            grad[i] = (f(w + step) - f(w - step)) / (2 * h)
        return grad

    through_sigma = numeric_gradient(loss, w0)
    # What differentiating the normalised kernel alone would give (the write-back).
    normalised = w0 / sigma
    alone = numeric_gradient(lambda w: np.mean((x @ w + b0 - t) ** 2), normalised)

    inputs = keras.Input((4,))
    model = keras.Model(inputs, layer(inputs))
    model.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse")
    model.train_on_batch(x, t)
    step = w0 - _np(layer.layer.kernel)
    np.testing.assert_allclose(step, through_sigma, atol=2e-5)
    assert np.abs(step - alone).max() > 1e-3
    # Training updates u; the kernel stays raw (no write-back): its update is
    # the whole change.
    np.testing.assert_allclose(_np(layer.vector_u), u1, atol=1e-5)


@pytest.mark.backend
def test_conv_output_is_the_conv_of_the_normalised_kernel():
    keras.utils.set_random_seed(0)
    layer = SpectralNormalization(keras.layers.Conv2D(4, 3, padding="same", activation="relu"))
    x = np.random.default_rng(0).standard_normal((2, 7, 9, 3)).astype("float32")
    layer.build(x.shape)
    u0 = _np(layer.vector_u)
    sigma, u1, _ = _sigma_and_unit_vectors(_np(layer.layer.kernel), u0)
    plain = keras.layers.Conv2D(4, 3, padding="same", activation="relu")
    plain.build(x.shape)
    plain.set_weights([_np(layer.layer.kernel) / sigma, _np(layer.layer.bias)])
    expected = _np(plain(x))
    # Inference normalises the same way and leaves u as it is.
    np.testing.assert_allclose(_np(layer(x, training=False)), expected, atol=1e-5)
    np.testing.assert_array_equal(_np(layer.vector_u), u0)
    np.testing.assert_allclose(_np(layer(x, training=True)), expected, atol=1e-5)
    np.testing.assert_allclose(_np(layer.vector_u), u1, atol=1e-6)


def test_loads_keras_spectral_normalization_weights_and_round_trips(tmp_path):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((4,))
    old = keras.Model(inputs, keras.layers.SpectralNormalization(keras.layers.Dense(3))(inputs))
    old.save_weights(tmp_path / "old.weights.h5")
    inputs = keras.Input((4,))
    layer = SpectralNormalization(keras.layers.Dense(3), power_iterations=2)
    new = keras.Model(inputs, layer(inputs))
    new.load_weights(tmp_path / "old.weights.h5")
    for a, b in zip(old.weights, new.weights):
        np.testing.assert_array_equal(_np(a), _np(b))
    clone = keras.Model.from_config(new.get_config())
    clone.set_weights(new.get_weights())
    assert clone.layers[-1].power_iterations == 2
    x = np.ones((2, 4), "float32")
    np.testing.assert_allclose(_np(clone(x)), _np(new(x)), atol=1e-6)


def test_bad_arguments():
    with pytest.raises(TypeError, match="`layer`"):
        SpectralNormalization(keras.layers.Embedding(10, 4))
    with pytest.raises(ValueError, match="`power_iterations`"):
        SpectralNormalization(keras.layers.Dense(3), power_iterations=0)
    with pytest.raises(ValueError, match="channels_last"):
        SpectralNormalization(keras.layers.Conv2D(3, 3, data_format="channels_first"))


def test_zero_kernel_under_float16_gives_zeros_not_nan():
    # The 1e-12 floor on sigma rounds to 0 in float16: computed in float32.
    layer = SpectralNormalization(
        keras.layers.Dense(2, kernel_initializer="zeros", dtype="float16"), dtype="float16"
    )
    y = keras.ops.convert_to_numpy(layer(np.ones((1, 3), "float32"), training=True))
    np.testing.assert_array_equal(y, [[0.0, 0.0]])


def test_bad_arguments_name_them():
    with pytest.raises(ValueError, match="padding='causal'"):
        SpectralNormalization(keras.layers.Conv1D(3, 3, padding="causal"))
    with pytest.raises(TypeError, match="`power_iterations`"):
        SpectralNormalization(keras.layers.Dense(2), power_iterations=1.5)
