"""benchmarks/restoration.py: its LiteRT path restores exactly as `restore` does.

The benchmark runs each exported .tflite through the task's own `restore`
(padding, tiling, gray and uint8 handling) with the interpreter as the
forward pass; these tests keep that path working as the task classes change.
TensorFlow backend only (LiteRT conversion needs TensorFlow): not `backend`.
"""

import importlib.util

import keras
import numpy as np
import pytest

import zoo


@pytest.fixture(scope="module")
def benchmark(repo_root):
    spec = importlib.util.spec_from_file_location(
        "restoration_benchmark", repo_root / "benchmarks" / "restoration.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _image(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


@pytest.mark.parametrize("shape", [(37, 45, 3), (37, 45)])
def test_litert_restore_matches_keras_restore_upscaler(benchmark, tmp_path, shape):
    keras.utils.set_random_seed(0)
    model = zoo.models.ESPCNImageRestorer(
        backbone=zoo.models.ESPCNBackbone(scale=2, filters=(8, 4)),
        tile_size=24, tile_overlap=4,  # several tiles: the tiled path too
    )
    path = zoo.export(model, tmp_path / "espcn.tflite")
    restore = benchmark.litert_restore(model, benchmark.LiteRTRunner(path, threads=1))
    image = _image(shape)
    out, expected = restore(image), model.restore(image)
    assert out.shape == expected.shape == (74, 90, *shape[2:])
    # fp32 parity is <= 1e-4 before rounding: at most one grey level apart.
    assert np.abs(out.astype(int) - expected).max() <= 1


def test_litert_restore_matches_keras_restore_inpainter(benchmark, tmp_path):
    keras.utils.set_random_seed(0)
    model = zoo.models.InpaintUNetInpainter(
        backbone=zoo.models.InpaintUNetBackbone(width=4, depth=1, dilations=[2])
    )
    path = zoo.export(model, tmp_path / "inpaint.tflite")
    restore = benchmark.litert_restore(model, benchmark.LiteRTRunner(path, threads=1))
    image, mask = _image((37, 45, 3)), np.zeros((37, 45), np.uint8)
    mask[10:20, 5:30] = 1
    out, expected = restore(image, mask=mask), model.restore(image, mask=mask)
    assert out.shape == expected.shape == image.shape
    np.testing.assert_array_equal(out[mask == 0], image[mask == 0])
    assert np.abs(out.astype(int) - expected).max() <= 1
