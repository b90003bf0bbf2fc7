"""The phone-size upscaler exports to LiteRT with fp32 parity (TensorFlow only)."""

import keras
import numpy as np
import pytest

import zoo
from zoo.export import parity, run_exported
from zoo.models import ESPCNBackbone, ESPCNImageRestorer

pytestmark = pytest.mark.skipif(
    keras.config.backend() != "tensorflow", reason="LiteRT conversion needs TensorFlow"
)


def test_litert_parity(tmp_path):
    keras.utils.set_random_seed(0)
    restorer = ESPCNImageRestorer(backbone=ESPCNBackbone(scale=4))
    rng = np.random.default_rng(0)  # the last conv starts at zero: fill it
    restorer.set_weights([rng.normal(0, 0.1, tuple(w.shape)).astype("float32") for w in restorer.weights])
    path = zoo.export(restorer, tmp_path / "espcn_x4.tflite")
    for shape in [(1, 24, 32, 3), (2, 17, 9, 3)]:  # any size, batch > 1
        x = np.random.default_rng(shape[1]).random(shape, dtype=np.float32)
        assert parity(restorer, path, x) <= 1e-4
        assert run_exported(path, x).shape == (shape[0], shape[1] * 4, shape[2] * 4, 3)
