"""RandomLowLight: per-sample gamma and gain on every backend."""

import keras
import numpy as np
import pytest

from zoo.data import RandomLowLight

pytestmark = pytest.mark.backend


def _images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def test_fixed_ranges_give_the_exact_formula():
    x = _images((2, 9, 11, 3))
    out = keras.ops.convert_to_numpy(RandomLowLight((2, 2), (0.5, 0.5), seed=0)(x))
    assert out.shape == x.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, 0.5 * x**2, rtol=1e-5, atol=1e-7)


def test_range_per_sample_draws_and_seed():
    x = np.repeat(_images((1, 8, 8, 3), seed=1), 6, axis=0)
    out = keras.ops.convert_to_numpy(RandomLowLight(seed=3)(x))
    assert out.min() >= 0.0 and out.max() <= 0.6 + 1e-6
    assert (out <= x + 1e-6).all()  # darker everywhere
    assert len({o.tobytes() for o in out}) == 6
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(RandomLowLight(seed=3)(x)), out)
    # Per-sample gamma and gain recovered from two pixel values.
    a, b = x[0].flat[:2]
    gamma = np.log(out[:, 0, 0, 0] / out[:, 0, 0, 1]) / np.log(a / b)
    gain = out[:, 0, 0, 0] / a**gamma
    assert (gamma > 1.5 - 1e-3).all() and (gamma < 3.0 + 1e-3).all()
    assert (gain > 0.2 - 1e-3).all() and (gain < 0.6 + 1e-3).all()


def test_out_of_range_inputs_stay_in_range():
    x = np.array([-0.1, 0.0, 0.5, 1.0, 1.2], np.float32).reshape(1, 1, 5, 1)
    out = keras.ops.convert_to_numpy(RandomLowLight(seed=0)(x))
    assert np.isfinite(out).all() and out.min() >= 0.0 and out.max() <= 1.0


def test_config_round_trip_and_bad_arguments():
    layer = RandomLowLight(gamma_range=(1.2, 2.0), gain_range=(0.3, 0.9), seed=4)
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(clone, RandomLowLight)
    assert clone.get_config() == layer.get_config()
    for kwargs, word in [
        ({"gamma_range": (0, 2)}, "gamma_range"),
        ({"gamma_range": (-1, 2)}, "gamma_range"),
        ({"gamma_range": (3, 2)}, "gamma_range"),
        ({"gamma_range": 2.0}, "gamma_range"),
        ({"gain_range": (0, 0.5)}, "gain_range"),
        ({"gain_range": (0.5, 1.5)}, "gain_range"),
        ({"gain_range": (0.6, 0.2)}, "gain_range"),
    ]:
        with pytest.raises(ValueError, match=word):
            RandomLowLight(**kwargs)


def test_integer_images_are_refused():
    with pytest.raises(TypeError, match="`images` must be float"):
        RandomLowLight(seed=0)(np.full((1, 8, 8, 3), 128, np.uint8))
