import keras
import numpy as np
import pytest

from zoo.data import (
    BicubicDownsample,
    RandomGaussianNoise,
    add_gaussian_noise,
    load_natural_images,
    load_val_baselines,
    modcrop,
)
from zoo.metrics import psnr

IMAGES = np.random.default_rng(0).random((4, 64, 64, 3)).astype(np.float32)


def _sigmas(noisy) -> np.ndarray:
    return np.std((keras.ops.convert_to_numpy(noisy) - IMAGES) * 255, axis=(1, 2, 3))


@pytest.mark.backend
def test_fixed_sigma():
    noisy = RandomGaussianNoise(sigma_range=(25, 25), seed=0)(IMAGES)
    assert tuple(noisy.shape) == IMAGES.shape
    np.testing.assert_allclose(_sigmas(noisy), 25, atol=1)
    assert keras.ops.convert_to_numpy(noisy).max() > 1  # not clipped


@pytest.mark.backend
def test_sigma_is_drawn_per_sample():
    sigmas = _sigmas(RandomGaussianNoise(sigma_range=(0, 55), seed=1)(IMAGES))
    assert np.all(sigmas < 57) and np.ptp(sigmas) > 2


@pytest.mark.backend
def test_seed_determinism():
    first = RandomGaussianNoise(seed=3)
    second = RandomGaussianNoise(seed=3)
    to_numpy = keras.ops.convert_to_numpy
    a, b = to_numpy(first(IMAGES)), to_numpy(second(IMAGES))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(to_numpy(first(IMAGES)), a)


@pytest.mark.backend
def test_gray_samples_get_channel_shared_noise():
    gray = np.repeat(IMAGES[:2, ..., :1], 3, axis=-1)
    images = np.concatenate([gray, IMAGES[2:]])
    layer = RandomGaussianNoise(sigma_range=(25, 25), seed=0, gray_shared_noise=1.0)
    noise = keras.ops.convert_to_numpy(layer(images)) - images
    for sample in noise[:2]:  # gray: identical across channels
        np.testing.assert_allclose(sample, np.repeat(sample[..., :1], 3, axis=-1), atol=1e-6)
    for sample in noise[2:]:  # colour: independent
        assert np.abs(sample[..., 1] - sample[..., 0]).mean() > 0.05
    layer.gray_shared_noise = 0.0
    noise = keras.ops.convert_to_numpy(layer(gray)) - gray
    assert np.abs(noise[..., 1] - noise[..., 0]).mean() > 0.05
    with pytest.raises(ValueError, match="gray_shared_noise"):
        RandomGaussianNoise(gray_shared_noise=1.5)


@pytest.mark.backend
def test_inside_a_compiled_model():
    noise = RandomGaussianNoise((25, 25), seed=0)
    model = keras.Sequential([keras.Input((64, 64, 3)), noise])
    np.testing.assert_allclose(_sigmas(model.predict(IMAGES, verbose=0)), 25, atol=1)


@pytest.mark.backend
def test_config_round_trip():
    layer = RandomGaussianNoise(sigma_range=(5, 50), seed=7, name="noise")
    restored = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(restored, RandomGaussianNoise)
    assert restored.get_config() == layer.get_config()
    assert restored.sigma_range == (5.0, 50.0)


def test_invalid_sigma_range():
    with pytest.raises(ValueError, match="sigma_range"):
        RandomGaussianNoise(sigma_range=(30, 10))


def test_add_gaussian_noise_protocol():
    image = np.random.default_rng(1).integers(0, 256, (16, 16, 3), np.uint8)
    noisy = add_gaussian_noise(image, 25, seed=2)
    expected = image / 255 + np.random.default_rng(2).normal(0, 25 / 255, image.shape)
    assert noisy.dtype == np.float32
    np.testing.assert_allclose(noisy, expected, atol=1e-6)
    assert noisy.min() < 0 < 1 < noisy.max()  # not clipped
    with pytest.raises(TypeError, match="float64"):
        add_gaussian_noise(image / 255, 25)


def test_add_gaussian_noise_reproduces_the_val_baselines():
    baselines = load_val_baselines()["denoise_sigma25_noisy_input"]
    for name, image in load_natural_images("val").items():
        assert round(psnr(image, add_gaussian_noise(image, 25)), 2) == baselines[name]


@pytest.mark.backend
@pytest.mark.parametrize("layer", [RandomGaussianNoise((25, 25), seed=0), BicubicDownsample(2)])
def test_degradations_refuse_integer_images(layer):
    # On the 0-255 scale they would come out saturated, silently.
    with pytest.raises(TypeError, match="`images` must be float"):
        layer(np.full((1, 8, 8, 3), 128, np.uint8))


@pytest.mark.backend
def test_bicubic_downsample_refuses_images_smaller_than_the_scale():
    with pytest.raises(ValueError, match="`images` must be at least 4x4"):
        BicubicDownsample(4)(np.full((1, 3, 3, 3), 0.5, np.float32))


@pytest.mark.parametrize("scale", [0, -1, 2.5])
def test_modcrop_checks_scale(scale):
    with pytest.raises((TypeError, ValueError), match="`scale`"):
        modcrop(np.zeros((9, 9, 3), np.uint8), scale)


@pytest.mark.parametrize("sigma", [-5, float("nan")])
def test_add_gaussian_noise_checks_sigma(sigma):
    with pytest.raises(ValueError, match="`sigma`"):
        add_gaussian_noise(np.zeros((4, 4), np.uint8), sigma)
