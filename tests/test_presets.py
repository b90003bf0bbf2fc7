"""The preset registry: listing, loading by name/dir/URL, errors, atomic saves."""

import functools
import http.server
import json
import shutil
import threading

import pathlib

import numpy as np
import pytest

import zoo
from zoo.presets import embedded_presets_dir, sha256_of

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
NAME = "dncnn_color_blind"
DESIGN_FIELDS = ("task", "description", "params", "recipe", "data", "steps",
                 "hardware", "backend", "metrics", "sha256")


def _x(shape=(1, 24, 24, 3), seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def _copy_embedded(tmp_path, name="copy"):
    target = tmp_path / name
    shutil.copytree(embedded_presets_dir() / NAME, target)
    return target


def _tree(path):
    """{relative path: bytes} of a directory, to check it was left untouched."""
    return {p.relative_to(path).as_posix(): p.read_bytes()
            for p in sorted(path.rglob("*")) if p.is_file()}


# --- listing -----------------------------------------------------------------------


def test_list_presets_has_embedded_denoiser_with_metadata():
    presets = zoo.list_presets()
    assert NAME in presets
    metadata = presets[NAME]
    for field in DESIGN_FIELDS:
        assert field in metadata, field
    assert metadata["task"] == "denoise"
    assert isinstance(metadata["description"], str) and metadata["description"]
    assert isinstance(metadata["params"], int) and metadata["params"] > 0
    assert isinstance(metadata["steps"], int) and metadata["steps"] > 0
    assert metadata["recipe"] == f"examples/recipes/{NAME}.py"
    assert (REPO_ROOT / metadata["recipe"]).is_file()
    for sigma in ("sigma15", "sigma25", "sigma50"):
        assert sigma in metadata["metrics"]["val"]


def test_embedded_sha256_match_files():
    root = embedded_presets_dir() / NAME
    recorded = zoo.list_presets()[NAME]["sha256"]
    files = {p.name for p in root.iterdir() if p.is_file() and p.name != "metadata.json"}
    assert {"config.json", "model.weights.h5", "task.json"} <= files
    assert set(recorded) == files
    for name, digest in recorded.items():
        assert sha256_of(root / name) == digest, name


def test_list_presets_by_task():
    assert NAME in zoo.list_presets(task="denoise")
    assert NAME not in zoo.list_presets(task="inpaint")
    assert all(m["task"] == "inpaint" for m in zoo.list_presets(task="inpaint").values())


@pytest.mark.parametrize("task", ["denoising", "", "DENOISE", 3])
def test_list_presets_bad_task(task):
    with pytest.raises(ValueError, match="task"):
        zoo.list_presets(task=task)


# --- loading -----------------------------------------------------------------------


def test_from_preset_by_name(embedded_restorer):
    assert type(embedded_restorer) is zoo.models.DnCNNImageRestorer
    assert embedded_restorer.backbone.count_params() == zoo.list_presets()[NAME]["params"]


def test_task_class_from_preset_by_name(embedded_restorer):
    loaded = zoo.tasks.ImageRestorer.from_preset(NAME)
    assert type(loaded) is zoo.models.DnCNNImageRestorer
    x = _x()
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), embedded_restorer.predict(x, verbose=0), atol=1e-6
    )


def test_from_preset_local_directory(tmp_path, embedded_restorer):
    loaded = zoo.from_preset(str(_copy_embedded(tmp_path)))
    x = _x()
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), embedded_restorer.predict(x, verbose=0), atol=1e-6
    )


def test_from_preset_expands_user(tmp_path, monkeypatch, embedded_restorer):
    monkeypatch.setenv("HOME", str(tmp_path))
    _copy_embedded(tmp_path, "my_preset")
    assert zoo.presets.resolve_preset("~/my_preset") == str(tmp_path / "my_preset")
    x = _x()
    np.testing.assert_allclose(
        zoo.from_preset("~/my_preset").predict(x, verbose=0),
        embedded_restorer.predict(x, verbose=0), atol=1e-6,
    )


@pytest.mark.parametrize("typo", ["dncnn_colour_blind", "dncnn_color_blnd", "dncnn_color"])
def test_unknown_name_suggests_close_match(typo):
    with pytest.raises(ValueError) as info:
        zoo.from_preset(typo)
    message = str(info.value)
    assert typo in message
    assert f"'{NAME}'" in message
    assert "zoo list" in message


def test_unknown_name_without_close_match():
    with pytest.raises(ValueError, match="zoo list") as info:
        zoo.from_preset("stable_diffusion_xxl")
    assert "Did you mean" not in str(info.value)


@pytest.mark.parametrize("handle", [None, 3, 2.5, ["dncnn_color_blind"]])
def test_bad_handle_type(handle):
    with pytest.raises(TypeError, match="handle"):
        zoo.from_preset(handle)
    with pytest.raises(TypeError, match="handle"):
        zoo.tasks.ImageRestorer.from_preset(handle)


def test_empty_handle():
    with pytest.raises(ValueError, match="handle"):
        zoo.from_preset("")


def test_missing_weights(tmp_path):
    preset = _copy_embedded(tmp_path)
    (preset / "model.weights.h5").unlink()
    with pytest.raises(ValueError, match="model.weights.h5"):
        zoo.from_preset(preset)


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_weights(tmp_path, damage):
    preset = _copy_embedded(tmp_path)
    weights = preset / "model.weights.h5"
    data = weights.read_bytes()
    if damage == "garbage":
        weights.write_bytes(b"this is not an HDF5 file" * 100)
    else:
        weights.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="model.weights.h5"):
        zoo.from_preset(preset)


def test_directory_without_config(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="config.json"):
        zoo.from_preset(tmp_path / "empty")


def test_preset_of_another_task_class(tmp_path):
    import keras

    keras.utils.set_random_seed(0)
    plain = zoo.tasks.ImageRestorer(backbone=zoo.models.DnCNNBackbone(depth=3, filters=8))
    zoo.save_preset(plain, tmp_path / "plain", task="denoise")
    # keras-hub picks the concrete subclass for the backbone when loading.
    assert isinstance(zoo.from_preset(tmp_path / "plain"), zoo.tasks.ImageRestorer)
    with pytest.raises(ValueError, match="DnCNNImageRestorer"):
        zoo.models.DnCNNImageRestorer.from_preset(str(tmp_path / "plain"))


# --- saving ------------------------------------------------------------------------


def test_save_preset_overwrites_existing(tmp_path, tiny_restorer):
    target = tmp_path / "presets" / "mine"
    first = tiny_restorer(seed=1)
    second = tiny_restorer(seed=2)
    x = _x()
    zoo.save_preset(first, target, task="denoise", description="first")
    zoo.save_preset(second, target, task="denoise", description="second")
    metadata = json.loads((target / "metadata.json").read_text())
    assert metadata["description"] == "second"
    np.testing.assert_allclose(
        zoo.from_preset(target).predict(x, verbose=0), second.predict(x, verbose=0), atol=1e-6
    )
    # Staging and backup directories are gone.
    assert sorted(p.name for p in target.parent.iterdir()) == ["mine"]


def test_save_preset_never_replaces_a_folder_of_user_files(tmp_path, tiny_restorer):
    folder = tmp_path / "mydir"
    folder.mkdir()
    (folder / "notes.txt").write_text("x")
    (tmp_path / "file").write_text("y")
    for target in (folder, tmp_path / "file"):
        with pytest.raises(ValueError, match=f"preset_dir.*{target.name}"):
            zoo.save_preset(tiny_restorer(), target, task="denoise")
    assert _tree(tmp_path) == {"file": b"y", "mydir/notes.txt": b"x"}  # no staging left


def test_save_preset_into_an_empty_directory(tmp_path, tiny_restorer):
    (tmp_path / "empty").mkdir()
    zoo.save_preset(tiny_restorer(), tmp_path / "empty", task="denoise")
    assert (tmp_path / "empty" / "metadata.json").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["empty"]


# (Not "/": a regression would then delete far more than tmp_path.)
@pytest.mark.parametrize("path", [".", "sub/.."])
def test_save_preset_path_naming_no_entry_is_refused(tmp_path, monkeypatch, tiny_restorer,
                                                     path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    with pytest.raises(ValueError, match="preset_dir"):
        zoo.save_preset(tiny_restorer(), path, task="denoise")
    assert [p.name for p in tmp_path.iterdir()] == ["sub"]


@pytest.mark.parametrize(
    "metadata, error",
    [
        ({"task": "denoise", "colour": "blue"}, ValueError),  # unknown field
        ({"task": "denoising"}, ValueError),  # unknown task
        ({"task": "denoise", "metrics": {"psnr": object()}}, TypeError),  # fails midway
    ],
    ids=["unknown-field", "bad-task", "unserializable"],
)
def test_failed_save_leaves_target_untouched(tmp_path, tiny_restorer, metadata, error):
    target = tmp_path / "presets" / "mine"
    zoo.save_preset(tiny_restorer(seed=1), target, task="denoise", description="kept")
    before = _tree(target)
    with pytest.raises(error):
        zoo.save_preset(tiny_restorer(seed=2), target, **metadata)
    assert _tree(target) == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["mine"]


def test_failed_save_creates_nothing(tmp_path, tiny_restorer):
    with pytest.raises(TypeError):
        zoo.save_preset(tiny_restorer(), tmp_path / "new", task="denoise", steps=object())
    assert list(tmp_path.iterdir()) == []


# --- archives over HTTP ------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def http_root(tmp_path, monkeypatch):
    """Serves tmp_path/www on 127.0.0.1 from a real HTTP server; yields (dir, url)."""
    root = tmp_path / "www"
    root.mkdir()
    monkeypatch.setenv("ZOO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.parametrize("suffix", [".tar.gz", ".zip"])
def test_from_http_archive(http_root, tmp_path, embedded_restorer, suffix):
    root, base = http_root
    digest = zoo.hub.pack_preset(embedded_presets_dir() / NAME, root / f"x{suffix}")
    loaded = zoo.from_preset(f"{base}/x{suffix}#sha256={digest}")
    assert type(loaded) is zoo.models.DnCNNImageRestorer
    x = _x(seed=3)
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), embedded_restorer.predict(x, verbose=0), atol=1e-6
    )
    cached = tmp_path / "cache" / digest
    assert (cached / "model.weights.h5").is_file()
    assert not any(p.name.startswith(".tmp-") for p in (tmp_path / "cache").iterdir())
    # Cached: a second load works with the server's file gone.
    (root / f"x{suffix}").unlink()
    assert type(zoo.tasks.ImageRestorer.from_preset(f"{base}/x{suffix}#sha256={digest}")) \
        is zoo.models.DnCNNImageRestorer


def test_http_archive_errors(http_root, tmp_path):
    root, base = http_root
    digest = zoo.hub.pack_preset(embedded_presets_dir() / NAME, root / "x.tar.gz")
    wrong = "0" * 64
    with pytest.raises(ValueError) as info:
        zoo.from_preset(f"{base}/x.tar.gz#sha256={wrong}")
    assert wrong in str(info.value) and digest in str(info.value)
    with pytest.raises(OSError, match="404") as info:
        zoo.from_preset(f"{base}/missing.tar.gz#sha256={digest}")
    assert f"{base}/missing.tar.gz" in str(info.value)
    with pytest.raises(ValueError, match="sha256"):
        zoo.from_preset(f"{base}/x.tar.gz")
    # Nothing half-written is left in the cache.
    cache = tmp_path / "cache"
    assert not cache.exists() or not any(p.name.startswith(".tmp-") for p in cache.iterdir())
    assert not (cache / wrong).exists()


def test_save_preset_stores_no_mixed_policy(tmp_path, tiny_restorer):
    import keras

    keras.config.set_dtype_policy("mixed_bfloat16")
    try:
        restorer = tiny_restorer(degradation=zoo.data.RandomGaussianNoise(seed=0))
    finally:
        keras.config.set_dtype_policy("float32")
    path = zoo.save_preset(restorer, tmp_path / "p", task="denoise")
    for name in ("config.json", "task.json"):
        assert "mixed_" not in (pathlib.Path(path) / name).read_text(), name
    loaded = zoo.from_preset(path)
    assert loaded.degradation.dtype_policy.name == "float32"
    np.testing.assert_allclose(loaded.predict(_x(), verbose=0),
                               restorer.predict(_x(), verbose=0), atol=2e-2)
