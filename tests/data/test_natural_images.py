import json
import sys
from pathlib import Path

import numpy as np
import pytest

from zoo.data import load_natural_images, load_val_baselines
from zoo.data.natural_images import SPLITS_PATH

SPLITS = json.loads(SPLITS_PATH.read_text())


@pytest.fixture(scope="module")
def train():
    return load_natural_images("train")


def test_train_loads_every_file(train):
    files = [file for names in SPLITS["train"].values() for file in names]
    assert len(files) == 14
    stems = {Path(file).stem for file in files if not file.endswith(".npy")}
    faces = {f"lfw_subset_{i:03d}" for i in range(200)}
    assert set(train) == stems | faces
    assert len(train) == 13 + 200
    for image in train.values():
        assert image.dtype == np.uint8
        assert image.ndim == 2 or image.shape[-1] == 3
    assert train["brick"].ndim == 2
    assert train["china"].shape == (427, 640, 3)


def test_lfw_faces_are_uint8(train):
    face = train["lfw_subset_007"]
    assert face.shape == (25, 25) and face.dtype == np.uint8
    assert face.max() > 100


def test_val_images():
    val = load_natural_images("val")
    assert {name: image.shape for name, image in val.items()} == {
        "camera": (512, 512),
        "chelsea": (300, 451, 3),
        "coffee": (400, 600, 3),
    }


def test_train_and_val_are_disjoint(train):
    assert not set(train) & set(load_natural_images("val"))


@pytest.mark.parametrize("split", ["test", "val_baselines", "about"])
def test_unknown_split(split):
    with pytest.raises(ValueError, match="split"):
        load_natural_images(split)


def test_missing_package_is_named(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="scikit-learn"):
        load_natural_images("train")


def test_val_baselines():
    baselines = load_val_baselines()
    assert baselines["denoise_sigma25_bm3d"]["camera"] == 29.92
    baselines["denoise_sigma25_bm3d"]["camera"] = 0
    assert load_val_baselines()["denoise_sigma25_bm3d"]["camera"] == 29.92
