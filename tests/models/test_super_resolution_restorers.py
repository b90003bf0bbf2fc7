"""ESPCN and EDSR restorers: restore sizes, fit on clean images and pairs, presets."""

import json

import keras
import numpy as np
import pytest

import zoo
from zoo.data import BicubicDownsample, load_natural_images, load_val_baselines
from zoo.metrics.restoration_protocols import super_resolution_scores
from zoo.models import EDSRBackbone, EDSRImageRestorer, ESPCNBackbone, ESPCNImageRestorer

pytestmark = pytest.mark.backend

ARCHITECTURES = {
    "espcn": (ESPCNImageRestorer, lambda scale: ESPCNBackbone(scale=scale, filters=(8, 8))),
    "edsr": (EDSRImageRestorer, lambda scale: EDSRBackbone(scale=scale, num_blocks=1, filters=8)),
}


def _tiny(arch, scale=2, seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    task_cls, backbone = ARCHITECTURES[arch]
    return task_cls(backbone=backbone(scale), **kwargs)


def _randomize(restorer, seed=0):
    """Random weights everywhere (the residual starts at zero)."""
    rng = np.random.default_rng(seed)
    restorer.set_weights(
        [rng.normal(0.0, 0.1, tuple(w.shape)).astype(np.float32) for w in restorer.weights]
    )
    return restorer


def _images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


@pytest.mark.parametrize("arch, scale", [("espcn", 4), ("edsr", 2)])
def test_restore_odd_size(arch, scale):
    restorer = _randomize(_tiny(arch, scale, tile_size=64, tile_overlap=8))  # 97x131: 6 tiles
    image = np.random.default_rng(0).integers(0, 256, (97, 131, 3), dtype=np.uint8)
    out = restorer.restore(image, batch_size=6)
    assert out.shape == (97 * scale, 131 * scale, 3) and out.dtype == np.uint8
    whole = restorer.restore(image, tile_size=160)  # no tiling: the same pixels
    assert np.abs(out.astype(int) - whole).max() <= 1
    assert restorer.restore(image[..., 0], batch_size=6).shape == (97 * scale, 131 * scale)


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_default_degradation_and_task(arch):
    restorer = _tiny(arch, 3)
    assert isinstance(restorer.degradation, BicubicDownsample)
    assert restorer.degradation.scale == 3 and restorer.scale == 3
    assert type(restorer).preset_task == "super_resolution"


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_fit_on_clean_patches_and_on_pairs(arch):
    restorer = _tiny(arch, 2)
    clean = _images((4, 16, 16, 3))
    history = restorer.fit(clean, epochs=1, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"][-1])
    low = keras.ops.convert_to_numpy(BicubicDownsample(2)(clean))
    history = restorer.fit(low, clean, epochs=1, batch_size=2, verbose=0)
    assert np.isfinite(history.history["loss"][-1])


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_save_preset_round_trip(tmp_path, arch):
    restorer = _randomize(_tiny(arch, 4, tile_size=96, tile_overlap=8))
    preset = tmp_path / f"tiny_{arch}"
    zoo.save_preset(restorer, preset, description="tiny")
    metadata = json.loads((preset / "metadata.json").read_text())
    assert metadata["task"] == "super_resolution"
    assert metadata["params"] == restorer.backbone.count_params()
    loaded = zoo.from_preset(preset)
    assert type(loaded) is type(restorer)
    assert loaded.scale == 4 and loaded.degradation.scale == 4
    assert (loaded.tile_size, loaded.tile_overlap) == (96, 8)
    x = _images((1, 9, 7, 3))
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), restorer.predict(x, verbose=0), atol=1e-6
    )


# Three image sizes cost JAX three compiles; the layers are checked on every backend.
@pytest.mark.skipif(keras.config.backend() != "tensorflow", reason="protocol check")
def test_zero_residual_scores_the_bicubic_baseline():
    """The residual over Pillow's bicubic starts at zero: untrained, it is the baseline."""
    restorer = _tiny("espcn", 2)
    assert not np.any(restorer.backbone.get_layer("conv_3").get_weights()[0])
    scores = super_resolution_scores(restorer.restore, load_natural_images("val"), 2)
    for name, psnr in load_val_baselines()["sr_x2_bicubic_y"].items():
        assert abs(scores[name]["psnr"] - psnr) < 0.02, (name, scores[name])
