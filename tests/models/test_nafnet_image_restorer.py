"""NAFNetImageRestorer: restore odd sizes, fit on clean images and pairs, presets."""

import keras
import numpy as np
import pytest

import zoo
from zoo.data import RandomBlur
from zoo.models import NAFNetBackbone, NAFNetImageRestorer

pytestmark = pytest.mark.backend

TINY = {"width": 8, "enc_blocks": [1, 1], "middle_blocks": 1, "dec_blocks": [1, 1]}


def _restorer(seed=0, **backbone_kwargs):
    keras.utils.set_random_seed(seed)
    return NAFNetImageRestorer(
        backbone=NAFNetBackbone(**{**TINY, **backbone_kwargs}),
        degradation=RandomBlur(seed=seed),
    )


def test_restore_odd_sizes_and_layouts():
    restorer = _restorer()
    assert restorer.preset_task == "deblur" and restorer.size_multiple == 4
    image = np.random.default_rng(0).integers(0, 256, (97, 131, 3), dtype=np.uint8)
    out = restorer.restore(image)
    assert out.shape == (97, 131, 3) and out.dtype == np.uint8
    assert restorer.restore(image[..., 0]).shape == (97, 131)


def test_fit_on_clean_images_then_pairs():
    restorer = _restorer()
    restorer.compile(optimizer=keras.optimizers.SGD(0.01))
    clean = np.random.default_rng(1).random((4, 32, 32, 3), dtype=np.float32)
    history = restorer.fit(clean, batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    blurred = keras.ops.convert_to_numpy(RandomBlur(seed=2)(clean))
    history = restorer.fit(blurred, clean, batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert int(keras.ops.convert_to_numpy(restorer.optimizer.iterations)) == 4


def test_preset_round_trip(tmp_path):
    restorer = _restorer(seed=3)
    zoo.save_preset(restorer, tmp_path / "p", description="tiny")
    loaded = zoo.from_preset(tmp_path / "p")
    assert type(loaded) is NAFNetImageRestorer
    assert isinstance(loaded.degradation, RandomBlur)
    assert loaded.backbone.enc_blocks == [1, 1]
    x = np.random.default_rng(4).random((1, 16, 20, 3), dtype=np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), restorer.predict(x, verbose=0),
                               atol=1e-6)
