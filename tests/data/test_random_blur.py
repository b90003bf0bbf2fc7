"""RandomBlur: per-sample random kernels on every backend."""

import keras
import numpy as np
import pytest

from zoo.data import RandomBlur, gaussian_kernel, motion_kernel
from zoo.data.blur_kernels import convolve
from zoo.data.random_blur import convolve_per_sample

pytestmark = pytest.mark.backend


def _images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def test_output_range_shape_and_seed():
    x = _images((3, 24, 20, 3))
    out = keras.ops.convert_to_numpy(RandomBlur(seed=1)(x))
    assert out.shape == x.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_allclose(keras.ops.convert_to_numpy(RandomBlur(seed=1)(x)), out, atol=1e-6)
    assert np.abs(out - x).mean() > 0.01  # random images get visibly blurred


def test_kernels_are_normalized_point_symmetric_and_per_sample():
    layer = RandomBlur(kernel_size=15, seed=3)
    kernels = keras.ops.convert_to_numpy(layer.kernels(6))
    assert kernels.shape == (6, 15, 15)
    np.testing.assert_allclose(kernels.sum(axis=(1, 2)), 1.0, atol=1e-5)
    np.testing.assert_allclose(kernels, kernels[:, ::-1, ::-1], atol=1e-6)
    assert len({k.tobytes() for k in kernels}) == 6


def test_kernel_families_match_the_numpy_kernels():
    motion = RandomBlur(length_range=(11, 11), motion_probability=1.0, seed=0)
    for k in keras.ops.convert_to_numpy(motion.kernels(4)):
        # Find its angle among the numpy kernels: one must match closely.
        errors = [np.abs(k - motion_kernel(15, 11, a)).max() for a in np.arange(0, 180, 0.25)]
        assert min(errors) < 2e-3
    gauss = RandomBlur(sigma_range=(2, 2), motion_probability=0.0, anisotropic=False, seed=0)
    for k in keras.ops.convert_to_numpy(gauss.kernels(2)):
        np.testing.assert_allclose(k, gaussian_kernel(15, 2.0), atol=1e-6)


def test_convolve_per_sample_matches_numpy_inside():
    x = _images((2, 30, 26, 3), seed=1)
    kernels = np.stack([motion_kernel(15, 9, 20), gaussian_kernel(15, 1.5)])
    kernels[0, 2, 3] += 0.05  # asymmetric: checks the flip
    out = keras.ops.convert_to_numpy(convolve_per_sample(x, kernels))
    for i in range(2):
        # Borders differ (reflect vs symmetric padding); the inside must not.
        np.testing.assert_allclose(out[i, 7:-7, 7:-7], convolve(x[i], kernels[i])[7:-7, 7:-7],
                                   atol=1e-5)


def test_delta_kernel_without_noise_is_identity():
    layer = RandomBlur(sigma_range=(1e-3, 1e-3), motion_probability=0.0,
                       noise_range=(0, 0), seed=0)
    x = _images((2, 17, 19, 3), seed=2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), x, atol=1e-6)


def test_config_round_trip_and_bad_arguments():
    layer = RandomBlur(kernel_size=9, sigma_range=(0.5, 2), length_range=(2, 7),
                       motion_probability=0.3, anisotropic=False, noise_range=(1, 2), seed=4)
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(clone, RandomBlur)
    assert clone.get_config() == layer.get_config()
    for kwargs, word in [
        ({"kernel_size": 8}, "kernel_size"),
        ({"sigma_range": (2, 1)}, "sigma_range"),
        ({"noise_range": (-1, 1)}, "noise_range"),
        ({"motion_probability": 2}, "motion_probability"),
    ]:
        with pytest.raises(ValueError, match=word):
            RandomBlur(**kwargs)


def test_integer_or_too_small_images_name_the_argument():
    # uint8 would come out saturated (all white), silently.
    with pytest.raises(TypeError, match="`images` must be float"):
        RandomBlur(seed=0)(np.full((1, 24, 24, 3), 128, np.uint8))
    # Reflect padding needs more pixels than the kernel's half-width (7).
    with pytest.raises(ValueError, match="`images` must be at least 8x8"):
        RandomBlur(seed=0)(_images((2, 7, 30, 3)))
    assert RandomBlur(seed=0)(_images((2, 8, 8, 3))).shape == (2, 8, 8, 3)
