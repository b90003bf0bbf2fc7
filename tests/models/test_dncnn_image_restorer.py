"""DnCNNImageRestorer: presets saved on this backend, and outputs across backends."""

import json
import subprocess
import sys

import keras
import numpy as np
import pytest

import zoo
from zoo.models import DnCNNImageRestorer
from zoo.presets import METADATA_FIELDS, sha256_of
from zoo.tasks import ImageRestorer

pytestmark = pytest.mark.backend

# Runs under KERAS_BACKEND=tensorflow: the reference every backend must match.
TF_REFERENCE = """
import sys
import numpy as np
import keras
import zoo

assert keras.config.backend() == "tensorflow", keras.config.backend()
x = np.load(sys.argv[1])
for handle, out in zip(sys.argv[2::2], sys.argv[3::2]):
    model = zoo.from_preset(handle)
    assert type(model).__name__ == "DnCNNImageRestorer", type(model)
    np.save(out, model.predict(x, verbose=0))
"""


def _randomize(restorer, seed=0):
    """Random weights everywhere, BN moving statistics included."""
    rng = np.random.default_rng(seed)
    weights = []
    for variable in restorer.weights:
        value = rng.normal(0.0, 0.2, tuple(variable.shape)).astype(np.float32)
        if "variance" in variable.path:
            value = np.abs(value) + 0.5
        weights.append(value)
    restorer.set_weights(weights)
    return restorer


def _images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def test_save_preset_round_trip(tiny_restorer, tmp_path):
    degradation = zoo.data.RandomGaussianNoise(sigma_range=(5, 30), seed=3)
    restorer = _randomize(tiny_restorer(degradation=degradation, tile_size=96, tile_overlap=8))
    preset = tmp_path / "tiny_denoiser"
    returned = zoo.save_preset(restorer, preset, task="denoise", description="tiny test model")
    assert str(returned) == str(preset)

    metadata = json.loads((preset / "metadata.json").read_text())
    assert metadata["task"] == "denoise"
    assert metadata["description"] == "tiny test model"
    assert metadata["params"] == restorer.backbone.count_params()
    for name in ("config.json", "model.weights.h5", "task.json"):
        assert metadata["sha256"][name] == sha256_of(preset / name)

    x = _images((2, 19, 23, 3))
    expected = restorer.predict(x, verbose=0)
    for loader in (zoo.from_preset, ImageRestorer.from_preset, DnCNNImageRestorer.from_preset):
        loaded = loader(str(preset))
        assert type(loaded) is DnCNNImageRestorer
        assert (loaded.tile_size, loaded.tile_overlap) == (96, 8)
        assert loaded.degradation.sigma_range == (5.0, 30.0)
        assert loaded.backbone.depth == 3 and loaded.backbone.filters == 8
        np.testing.assert_allclose(loaded.predict(x, verbose=0), expected, atol=1e-6)

    overridden = zoo.from_preset(preset, tile_size=48)  # a PathLike handle, kwargs
    assert overridden.tile_size == 48


def test_save_to_preset_method_defaults_task(tiny_restorer, tmp_path):
    restorer = _randomize(tiny_restorer())
    restorer.save_to_preset(str(tmp_path / "p"))
    metadata = json.loads((tmp_path / "p" / "metadata.json").read_text())
    assert metadata["task"] == "denoise"
    x = _images((1, 11, 13, 3))
    np.testing.assert_allclose(
        zoo.from_preset(tmp_path / "p").predict(x, verbose=0),
        restorer.predict(x, verbose=0),
        atol=1e-6,
    )


def test_load_without_weights(tmp_path, tiny_restorer):
    restorer = _randomize(tiny_restorer())
    zoo.save_preset(restorer, tmp_path / "p", task="denoise")
    (tmp_path / "p" / "model.weights.h5").unlink()
    fresh = zoo.from_preset(tmp_path / "p", load_weights=False)
    assert type(fresh) is DnCNNImageRestorer
    assert fresh.count_params() == restorer.count_params()


def test_metadata_fields_are_the_design_ones():
    for field in ("task", "description", "params", "recipe", "data", "steps",
                  "hardware", "backend", "metrics"):
        assert field in METADATA_FIELDS


@pytest.mark.skipif(keras.config.backend() == "tensorflow",
                    reason="the reference is TensorFlow itself")
def test_embedded_preset_matches_tensorflow_reference(tmp_path, tiny_restorer, subprocess_env):
    """The embedded preset (trained on another backend) and a preset saved on
    this backend give, on this backend, TensorFlow's outputs within 1e-4."""
    x = np.random.default_rng(0).random((1, 48, 48, 3), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    tiny = _randomize(tiny_restorer(), seed=7)
    zoo.save_preset(tiny, tmp_path / "tiny", task="denoise")

    done = subprocess.run(
        [sys.executable, "-c", TF_REFERENCE, str(tmp_path / "x.npy"),
         "dncnn_color_blind", str(tmp_path / "ref_embedded.npy"),
         str(tmp_path / "tiny"), str(tmp_path / "ref_tiny.npy")],
        env=subprocess_env("tensorflow"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]

    embedded = zoo.from_preset("dncnn_color_blind")
    assert type(embedded) is DnCNNImageRestorer
    out = embedded.predict(x, verbose=0)
    reference = np.load(tmp_path / "ref_embedded.npy")
    assert out.shape == reference.shape == (1, 48, 48, 3)
    assert np.abs(out - x).max() > 1e-3  # the preset does change its input
    np.testing.assert_allclose(out, reference, atol=1e-4, rtol=0)

    np.testing.assert_allclose(
        tiny.predict(x, verbose=0), np.load(tmp_path / "ref_tiny.npy"), atol=1e-4, rtol=0
    )


def test_embedded_preset_restores_uint8(embedded_restorer):
    image = np.random.default_rng(1).integers(0, 256, (33, 45, 3), dtype=np.uint8)
    out = embedded_restorer.restore(image)
    assert out.shape == image.shape and out.dtype == np.uint8
    gray = embedded_restorer.restore(image[..., 0])
    assert gray.shape == (33, 45) and gray.dtype == np.uint8
    assert keras.config.backend() in ("tensorflow", "jax", "torch")


def test_embedded_preset_denoises_gray_photos(embedded_restorer):
    from zoo.data import add_gaussian_noise, load_natural_images
    from zoo.metrics import psnr

    clean = load_natural_images("val")["camera"][200:328, 200:328]
    noisy = add_gaussian_noise(clean, 25, seed=0)
    assert embedded_restorer.gray_inputs == "whiten_noise"
    whitened = embedded_restorer.restore(noisy)
    repeated = DnCNNImageRestorer(
        backbone=embedded_restorer.backbone, gray_inputs="repeat"
    ).restore(noisy)
    # Repeating leaves channel-identical noise the colour model never saw.
    assert psnr(clean, whitened) > psnr(clean, repeated) + 5
    assert psnr(clean, whitened) > psnr(clean, noisy) + 6
    # A gray photo stored as RGB takes the same path and stays gray.
    as_rgb = embedded_restorer.restore(np.repeat(noisy[..., None], 3, axis=-1))
    assert as_rgb.shape == (128, 128, 3)
    for channel in range(3):
        np.testing.assert_array_equal(as_rgb[..., channel], whitened)


def test_gray_inputs_is_checked_and_saved(tiny_restorer):
    with pytest.raises(ValueError, match="`gray_inputs`"):
        tiny_restorer(gray_inputs="average")
    restorer = tiny_restorer(gray_inputs="repeat")
    assert DnCNNImageRestorer.from_config(restorer.get_config()).gray_inputs == "repeat"
    assert tiny_restorer().gray_inputs == "whiten_noise"
