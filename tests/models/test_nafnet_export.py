"""NAFNet exports to LiteRT with fp32 parity (TensorFlow only)."""

import keras
import numpy as np
import pytest

import zoo
from zoo.export import parity, run_exported
from zoo.models import NAFNetBackbone, NAFNetImageRestorer

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "tensorflow", reason="LiteRT conversion needs TensorFlow"
)


def test_litert_parity(tmp_path):
    keras.utils.set_random_seed(0)
    restorer = NAFNetImageRestorer(backbone=NAFNetBackbone(
        width=8, enc_blocks=[1, 1], middle_blocks=1, dec_blocks=[1, 1]))
    # Random beta/gamma: a fresh NAFBlock (scales at 0) would be the identity.
    restorer.set_weights([np.random.default_rng(i).normal(0, 0.3, w.shape).astype("float32")
                          for i, w in enumerate(restorer.get_weights())])
    path = zoo.export(restorer, tmp_path / "nafnet.tflite")
    for shape in [(1, 32, 48, 3), (2, 20, 12, 3)]:  # any multiple of 4, batch > 1
        x = np.random.default_rng(shape[1]).random(shape, dtype=np.float32)
        assert run_exported(path, x).shape == shape
        assert parity(restorer, path, x) <= 1e-4
