"""The wheel ships the embedded presets and works offline once installed."""

import hashlib
import importlib.util
import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

# Runs from the installed wheel, with the network cut off.
OFFLINE_SCRIPT = r"""
import socket
import sys

def no_network(*args, **kwargs):
    raise OSError("network access attempted in an offline test")

socket.socket.connect = no_network
socket.socket.connect_ex = no_network
socket.create_connection = no_network

import numpy as np
import zoo
from zoo.presets import embedded_presets_dir

site = sys.argv[1]
assert zoo.__file__.startswith(site), zoo.__file__
assert str(embedded_presets_dir()).startswith(site), embedded_presets_dir()
assert "dncnn_color_blind" in zoo.list_presets(task="denoise")
model = zoo.from_preset("dncnn_color_blind")
assert type(model).__name__ == "DnCNNImageRestorer", type(model)
x = np.random.default_rng(0).random((1, 32, 32, 3), dtype=np.float32)
y = model.predict(x, verbose=0)
assert y.shape == x.shape and np.all(np.isfinite(y))
image = (x[0] * 255).astype(np.uint8)
assert model.restore(image).shape == image.shape
print("OFFLINE_OK")
"""


def _require(module):
    if importlib.util.find_spec(module) is None:
        pytest.skip(
            f"`{module}` is not installed in this environment, so the wheel "
            f"cannot be built offline (`pip install {module}`; `make setup` does)."
        )


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    _require("hatchling")
    _require("build")
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out),
         str(REPO_ROOT)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    wheels = list(out.glob("zoo-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_wheel_contains_presets_and_data(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        preset_files = [p for p in sorted((REPO_ROOT / "presets").rglob("*")) if p.is_file()]
        assert preset_files, "no embedded presets in the checkout"
        for path in preset_files:
            member = "zoo/_presets/" + path.relative_to(REPO_ROOT / "presets").as_posix()
            assert member in names, member
            assert _sha256(zf.read(member)) == _sha256(path.read_bytes()), member
        assert "zoo/data/splits.json" in names
        assert "zoo/__init__.py" in names
        assert not any(n.startswith("tests/") or "__pycache__" in n for n in names)
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        assert "zoo = zoo.cli:main" in zf.read(entry_points).decode()


def test_installed_wheel_loads_preset_offline(wheel, tmp_path):
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
         "--target", str(site), str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert (site / "zoo" / "_presets" / "dncnn_color_blind" / "model.weights.h5").is_file()

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ZOO_CACHE")}
    env.update(
        PYTHONPATH=str(site),
        KERAS_BACKEND="tensorflow",
        ZOO_CACHE=str(tmp_path / "cache"),
        KERAS_HOME=str(tmp_path / "keras_home"),
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    run_dir = tmp_path / "elsewhere"  # the repo must not be importable from here
    run_dir.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT, str(site)],
        cwd=run_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    assert "OFFLINE_OK" in done.stdout
