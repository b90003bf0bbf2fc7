"""DiffAugment: colour-safe, differentiable, seeded augmentation on every backend."""

import keras
import numpy as np
import pytest
from keras import ops

from zoo.models import DiffAugment

pytestmark = pytest.mark.backend


def _images(n=4, size=16, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 3)).astype("float32")


def test_identity_at_inference_and_shapes_in_training():
    x = _images()
    augment = DiffAugment(seed=0)
    np.testing.assert_array_equal(ops.convert_to_numpy(augment(x)), x)
    y = ops.convert_to_numpy(augment(x, training=True))
    assert y.shape == x.shape and np.all(np.isfinite(y))
    assert not np.allclose(y, x)


def test_seeded_layers_repeat():
    x = _images()
    a = ops.convert_to_numpy(DiffAugment(seed=3)(x, training=True))
    b = ops.convert_to_numpy(DiffAugment(seed=3)(x, training=True))
    np.testing.assert_array_equal(a, b)


def test_translation_shifts_and_fills_black():
    shift = DiffAugment._shift_matrix(ops.convert_to_tensor(np.array([2, -1], np.int32)), 5,
                                      "float32")
    shift = ops.convert_to_numpy(shift)
    row = np.arange(1, 6, dtype="float32")
    np.testing.assert_array_equal(shift[0] @ row, [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(shift[1] @ row, [2, 3, 4, 5, 0])

    x = np.full((8, 16, 16, 3), -1.0, np.float32)
    x[:, 6:10, 6:10] = 0.5  # a square on black
    y = ops.convert_to_numpy(DiffAugment(translation=0.125, cutout=0, brightness=0, seed=1)(
        x, training=True))
    assert set(np.unique(y)) <= {-1.0, 0.5}
    assert np.all((y == 0.5).sum(axis=(1, 2, 3)) == 4 * 4 * 3)  # moved, not cut


def test_cutout_and_brightness_keep_hue():
    x = np.full((6, 16, 16, 3), 0.2, np.float32)
    x[..., 0] = 0.8
    y = ops.convert_to_numpy(DiffAugment(translation=0, cutout=0.25, brightness=0, seed=2)(
        x, training=True))
    holes = np.all(y == 0.0, axis=-1)
    assert np.all(holes.sum(axis=(1, 2)) > 0) and np.all(holes.sum(axis=(1, 2)) <= 16)
    z = ops.convert_to_numpy(DiffAugment(translation=0, cutout=0, brightness=0.5, seed=2)(
        x, training=True))
    shift = z - x  # one constant per image, the same on every channel
    assert np.allclose(shift, shift[:, :1, :1, :1], atol=1e-6)
    assert np.all(np.abs(shift[:, 0, 0, 0]) <= 0.25)


def test_gradients_flow_through():
    x = ops.convert_to_tensor(_images(2, 8))
    augment = DiffAugment(seed=0)
    backend = keras.config.backend()
    if backend == "jax":
        import jax

        grad = jax.grad(lambda v: ops.sum(augment(v, training=True)))(x)
    elif backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(x)
            total = ops.sum(augment(x, training=True))
        grad = tape.gradient(total, x)
    else:
        x = x.clone().requires_grad_(True)
        ops.sum(augment(x, training=True)).backward()
        grad = x.grad
    grad = ops.convert_to_numpy(grad)
    assert np.any(grad != 0) and np.all(np.isfinite(grad))


def test_config_round_trip_and_validation():
    augment = DiffAugment(translation=0.1, cutout=0.2, brightness=0.3, seed=4)
    restored = DiffAugment.from_config(augment.get_config())
    assert (restored.translation, restored.cutout, restored.brightness, restored.seed) == (
        0.1, 0.2, 0.3, 4)
    with pytest.raises(ValueError, match="cutout"):
        DiffAugment(cutout=1.5)
