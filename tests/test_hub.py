"""Tests for zoo.hub: fetching preset handles, with a real local HTTP server."""

from __future__ import annotations

import collections
import hashlib
import http.server
import io
import os
import pathlib
import pickle
import socket
import stat
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
from dataclasses import dataclass

import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
try:
    from zoo import hub
except ModuleNotFoundError as e:  # Repo neither installed nor on sys.path (plain `pytest`).
    if e.name != "zoo":
        raise
    sys.path.insert(0, str(REPO_ROOT))
    from zoo import hub

PRESET_FILES = {
    "config.json": b'{"class_name": "DnCNN", "depth": 3}',
    "model.weights.h5": bytes(range(256)) * 64,
    "assets/notes.txt": b"hello\n",
}


# --- helpers ----------------------------------------------------------------------


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def make_tar(files: dict[str, bytes], *, top: str | None = None, gz: bool = True) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}/{name}" if top else name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def make_zip(files: dict[str, bytes], *, top: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(f"{top}/{name}" if top else name, data)
    return buf.getvalue()


def make_bad_tar(kind: str, tmp_path: pathlib.Path) -> bytes:
    """A tar holding config.json plus one malicious member of the given kind."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        good = tarfile.TarInfo("config.json")
        good.size = 2
        tar.addfile(good, io.BytesIO(b"{}"))
        if kind == "traversal":
            info = tarfile.TarInfo("../evil.txt")
        elif kind == "absolute":
            info = tarfile.TarInfo(str(tmp_path / "abs_evil.txt"))
        elif kind == "symlink":
            info = tarfile.TarInfo("link")
            info.type, info.linkname = tarfile.SYMTYPE, str(tmp_path / "evil.txt")
        elif kind == "hardlink":
            info = tarfile.TarInfo("hard")
            info.type, info.linkname = tarfile.LNKTYPE, "config.json"
        elif kind == "device":
            info = tarfile.TarInfo("dev")
            info.type, info.devmajor, info.devminor = tarfile.CHRTYPE, 1, 3
        elif kind == "fifo":
            info = tarfile.TarInfo("fifo")
            info.type = tarfile.FIFOTYPE
        else:
            raise AssertionError(kind)
        if info.isreg():
            info.size = 4
            tar.addfile(info, io.BytesIO(b"evil"))
        else:
            tar.addfile(info)
    return buf.getvalue()


def read_tree(root: str | pathlib.Path) -> dict[str, bytes]:
    root = pathlib.Path(root)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def write_preset(root: pathlib.Path, files: dict[str, bytes] = PRESET_FILES) -> pathlib.Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def file_url(path: pathlib.Path) -> str:
    return path.resolve().as_uri()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- HTTP server fixture ------------------------------------------------------------


@dataclass
class Route:
    body: bytes
    delay: float = 0.0
    truncate: bool = False
    chunked: bool = False  # with truncate: one chunk announced in full, cut short


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        with server.lock:
            server.counts[self.path] += 1
        route = server.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        time.sleep(route.delay)
        body = route.body[: len(route.body) // 2] if route.truncate else route.body
        if route.chunked:
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(f"{len(route.body):x}\r\n".encode() + body)
            if not route.truncate:
                self.wfile.write(b"\r\n0\r\n\r\n")
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(route.body)))  # full length, even if truncated
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def log_message(self, *args):
        pass


class Server:
    def __init__(self, httpd: http.server.ThreadingHTTPServer):
        self.httpd = httpd
        self.base = f"http://127.0.0.1:{httpd.server_address[1]}"

    def add(self, path: str, body: bytes, **kwargs) -> str:
        self.httpd.routes[path] = Route(body, **kwargs)
        return self.base + path

    def count(self, path: str) -> int:
        return self.httpd.counts[path]


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.routes = {}
    httpd.counts = collections.Counter()
    httpd.lock = threading.Lock()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Server(httpd)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> pathlib.Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("ZOO_CACHE", str(path))
    return path


def cache_listing(cache: pathlib.Path) -> list[str]:
    return sorted(os.listdir(cache)) if cache.exists() else []


# --- handles and cache dir ----------------------------------------------------------


def test_cache_dir_env(monkeypatch, tmp_path):
    monkeypatch.delenv("ZOO_CACHE", raising=False)
    monkeypatch.delenv("KERAS_HOME", raising=False)
    assert hub.cache_dir() == pathlib.Path.home() / ".keras" / "zoo"
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert hub.cache_dir() == tmp_path / "kh" / "zoo"
    monkeypatch.setenv("ZOO_CACHE", str(tmp_path / "zc"))
    assert hub.cache_dir() == tmp_path / "zc"


def test_handle_kinds():
    assert hub.is_hub_handle("hf://org/model")
    assert hub.is_hub_handle("kaggle://org/model/keras/v1")
    assert not hub.is_hub_handle("https://x/y.tar.gz")
    for url in ("http://x/a.tgz", "https://x/a.zip", "file:///tmp/a.tar"):
        assert hub.is_archive_url(url)
    assert not hub.is_archive_url("hf://org/model")
    assert not hub.is_archive_url("/tmp/preset")
    assert hub.fetch("hf://org/model") == "hf://org/model"
    assert hub.fetch("kaggle://org/model/keras/v1") == "kaggle://org/model/keras/v1"


def test_unknown_handle_raises(cache):
    with pytest.raises(ValueError, match="gs://bucket/p"):
        hub.fetch("gs://bucket/p")
    with pytest.raises(ValueError, match="no/such/dir"):
        hub.fetch("no/such/dir")


def test_local_dir(tmp_path):
    preset = write_preset(tmp_path / "preset")
    assert hub.fetch(str(preset)) == str(preset)
    assert hub.fetch(preset) == str(preset)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="config.json") as e:
        hub.fetch(str(empty))
    assert str(empty) in str(e.value)


# --- downloads ---------------------------------------------------------------------


def test_fetch_http_and_cache_hit(server, cache):
    data = make_tar(PRESET_FILES)
    url = server.add("/p.tar.gz", data)
    path = hub.fetch(f"{url}#sha256={sha(data)}", progress=False)
    assert path == str(cache / sha(data))
    assert read_tree(path) == PRESET_FILES
    assert server.count("/p.tar.gz") == 1
    assert cache_listing(cache) == [sha(data)]  # no temp files or lock left behind

    again = hub.fetch(url, sha256=sha(data), progress=False)
    assert again == path
    assert server.count("/p.tar.gz") == 1


def test_cached_dir_needs_no_network(cache):
    digest = "ab" * 32
    write_preset(cache / digest)
    url = f"http://127.0.0.1:{free_port()}/gone.tar.gz#sha256={digest}"
    assert hub.fetch(url, progress=False) == str(cache / digest)


def test_explicit_cache_argument(server, tmp_path, cache):
    data = make_tar(PRESET_FILES)
    url = server.add("/p.tgz", data)
    other = tmp_path / "other"
    path = hub.fetch(url, sha256=sha(data).upper(), cache=other, progress=False)
    assert path == str(other / sha(data))
    assert not cache.exists()


def test_sha256_argument_validation(cache):
    digest = "cd" * 32
    url = "https://example.invalid/p.tar.gz"
    with pytest.raises(ValueError, match="#sha256="):
        hub.fetch(url)
    with pytest.raises(ValueError, match="Conflicting sha256"):
        hub.fetch(f"{url}#sha256={digest}", sha256="ef" * 32)
    with pytest.raises(ValueError, match="64 hex"):
        hub.fetch(url, sha256="abc")
    with pytest.raises(ValueError, match="fragment"):
        hub.fetch(f"{url}#md5=0")
    assert cache_listing(cache) == []


def test_bad_hash(server, cache):
    data = make_tar(PRESET_FILES)
    url = server.add("/p.tar.gz", data)
    wrong = "00" * 32
    with pytest.raises(ValueError) as e:
        hub.fetch(url, sha256=wrong, progress=False)
    msg = str(e.value)
    assert f"expected {wrong}" in msg and f"got {sha(data)}" in msg and url in msg
    assert cache_listing(cache) == []


def test_truncated_body(server, cache):
    data = make_tar(PRESET_FILES)
    url = server.add("/short.tar.gz", data, truncate=True)
    with pytest.raises(hub.PresetFetchError, match="truncated") as e:
        hub.fetch(url, sha256=sha(data), progress=False)
    assert url in str(e.value)
    assert cache_listing(cache) == []


@pytest.mark.parametrize("truncate", [False, True])
def test_chunked_body(truncate, server, cache):
    data = make_tar(PRESET_FILES)
    url = server.add("/chunked.tar.gz", data, chunked=True, truncate=truncate)
    if not truncate:
        assert read_tree(hub.fetch(url, sha256=sha(data), progress=False)) == PRESET_FILES
        return
    # No Content-Length to compare with: the cut-short chunk itself must be
    # reported, not a sha256 mismatch on partial data.
    with pytest.raises(hub.PresetFetchError, match="interrupted") as e:
        hub.fetch(url, sha256=sha(data), progress=False)
    assert url in str(e.value) and "sha256" not in str(e.value)
    assert cache_listing(cache) == []


def test_http_404(server, cache):
    url = server.base + "/missing.tar.gz"
    with pytest.raises(hub.PresetFetchError, match="HTTP 404") as e:
        hub.fetch(url, sha256="00" * 32, progress=False)
    assert url in str(e.value)
    assert isinstance(e.value, OSError) and e.value.url == url
    assert server.count("/missing.tar.gz") == 1
    assert cache_listing(cache) == []
    # Survives pickling (e.g. raised in a worker process).
    again = pickle.loads(pickle.dumps(e.value))
    assert str(again) == str(e.value) and again.url == url


def test_connection_refused(cache):
    url = f"http://127.0.0.1:{free_port()}/p.tar.gz"
    with pytest.raises(hub.PresetFetchError, match="connection refused") as e:
        hub.fetch(url, sha256="00" * 32, progress=False)
    assert url in str(e.value)
    assert cache_listing(cache) == []


def test_file_url(tmp_path, cache):
    data = make_tar(PRESET_FILES, gz=False)
    archive = tmp_path / "p.tar"
    archive.write_bytes(data)
    path = hub.fetch(file_url(archive) + f"#sha256={sha(data)}")  # progress bar on
    assert read_tree(path) == PRESET_FILES


def test_file_url_missing(tmp_path, cache):
    url = file_url(tmp_path / "nope.tar.gz")
    with pytest.raises(hub.PresetFetchError) as e:
        hub.fetch(url, sha256="00" * 32, progress=False)
    assert url in str(e.value)
    assert cache_listing(cache) == []


def test_zip_with_top_level_folder(server, cache):
    data = make_zip(PRESET_FILES, top="dncnn-v1")
    url = server.add("/p.zip", data)
    path = hub.fetch(url, sha256=sha(data), progress=False)
    # The single top-level folder is flattened: the cache entry is the preset itself.
    assert path == str(cache / sha(data))
    assert read_tree(path) == PRESET_FILES
    assert cache_listing(cache) == [sha(data)]


def test_tar_with_top_level_folder(tmp_path, cache):
    data = make_tar(PRESET_FILES, top="preset")
    archive = tmp_path / "p.tar.gz"
    archive.write_bytes(data)
    assert read_tree(hub.fetch(file_url(archive), sha256=sha(data), progress=False)) == PRESET_FILES


@pytest.mark.parametrize(
    "files",
    [
        {"weights.h5": b"x"},  # no config.json at all
        {"a/config.json": b"{}", "b/config.json": b"{}"},  # two top-level folders
        {"a/b/config.json": b"{}"},  # nested too deep
    ],
)
def test_archive_without_config(files, tmp_path, cache):
    data = make_tar(files)
    archive = tmp_path / "p.tar.gz"
    archive.write_bytes(data)
    with pytest.raises(ValueError, match="config.json"):
        hub.fetch(file_url(archive), sha256=sha(data), progress=False)
    assert cache_listing(cache) == []


def test_not_an_archive(tmp_path, cache):
    data = b"this is not an archive" * 10
    archive = tmp_path / "p.tar.gz"
    archive.write_bytes(data)
    with pytest.raises(ValueError, match="not a tar or zip"):
        hub.fetch(file_url(archive), sha256=sha(data), progress=False)
    assert cache_listing(cache) == []


# --- archive safety -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["traversal", "absolute", "symlink", "hardlink", "device", "fifo"])
def test_unsafe_tar_members(kind, server, tmp_path, cache):
    data = make_bad_tar(kind, tmp_path)
    url = server.add(f"/{kind}.tar.gz", data)
    with pytest.raises(ValueError, match="Refusing archive member"):
        hub.fetch(url, sha256=sha(data), progress=False)
    assert cache_listing(cache) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]  # nothing written outside


@pytest.mark.parametrize("kind", ["traversal", "absolute", "symlink"])
def test_unsafe_zip_members(kind, tmp_path, cache):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("config.json", b"{}")
        if kind == "traversal":
            zf.writestr("../evil.txt", b"evil")
        elif kind == "absolute":
            zf.writestr(zipfile.ZipInfo(str(tmp_path / "abs_evil.txt")), b"evil")
        else:
            info = zipfile.ZipInfo("link")
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, str(tmp_path / "evil.txt"))
    data = buf.getvalue()
    archive = tmp_path / "bad.zip"
    archive.write_bytes(data)
    with pytest.raises(ValueError, match="Refusing archive member"):
        hub.fetch(file_url(archive), sha256=sha(data), progress=False)
    assert cache_listing(cache) == []
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "abs_evil.txt").exists()


# --- concurrency ----------------------------------------------------------------------

_CHILD = """
import importlib.util, sys
# Load hub.py by path: skips zoo/__init__ (which may import keras) to keep startup fast.
spec = importlib.util.spec_from_file_location("zoo_hub", sys.argv[1])
hub = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hub)
print(hub.fetch(sys.argv[2], progress=False))
"""


def test_concurrent_fetch_downloads_once(server, cache):
    data = make_tar(PRESET_FILES)
    url = server.add("/slow.tar.gz", data, delay=0.5) + f"#sha256={sha(data)}"
    env = {**os.environ, "ZOO_CACHE": str(cache)}
    cmd = [sys.executable, "-c", _CHILD, hub.__file__, url]
    procs = [
        subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [p.communicate(timeout=30) for p in procs]
    for p, (out, err) in zip(procs, results):
        assert p.returncode == 0, err
    paths = {out.strip() for out, _ in results}
    assert paths == {str(cache / sha(data))}
    assert server.count("/slow.tar.gz") == 1
    assert read_tree(cache / sha(data)) == PRESET_FILES
    assert cache_listing(cache) == [sha(data)]


def test_fetch_waits_for_lock_then_reuses_result(tmp_path, cache):
    """A fetch blocked on the lock re-checks the cache once it gets it."""
    fcntl = pytest.importorskip("fcntl")
    digest = "ef" * 32
    cache.mkdir()
    unreachable = f"http://127.0.0.1:{free_port()}/p.tar.gz#sha256={digest}"
    lock_fd = os.open(cache / f"{digest}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(lock_fd, fcntl.LOCK_EX)
    result = {}
    thread = threading.Thread(target=lambda: result.update(path=hub.fetch(unreachable, progress=False)))
    thread.start()
    time.sleep(0.2)
    assert thread.is_alive()  # blocked on our lock
    write_preset(cache / digest)  # "the other process" finishes
    os.unlink(cache / f"{digest}.lock")
    os.close(lock_fd)
    thread.join(timeout=5)
    assert result["path"] == str(cache / digest)


# --- pack_preset ------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".tar.gz", ".tgz", ".tar", ".zip"])
def test_pack_preset_roundtrip(suffix, tmp_path, cache):
    preset = write_preset(tmp_path / "preset")
    os.symlink(preset / "model.weights.h5", preset / "alias.h5")  # stored as a regular file
    archive = tmp_path / "out" / f"preset{suffix}"
    digest = hub.pack_preset(preset, archive)
    assert digest == sha(archive.read_bytes())
    assert sorted(os.listdir(archive.parent)) == [archive.name]  # atomic: no temp left

    if suffix == ".zip":
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
    else:
        with tarfile.open(archive) as tar:
            assert all(m.isreg() or m.isdir() for m in tar.getmembers())
            names = tar.getnames()
    assert "config.json" in names and not any(n.startswith(("/", "./")) for n in names)

    path = hub.fetch(file_url(archive) + f"#sha256={digest}", progress=False)
    expected = {**PRESET_FILES, "alias.h5": PRESET_FILES["model.weights.h5"]}
    assert read_tree(path) == expected

    # Reproducible: same content, same digest.
    assert hub.pack_preset(preset, tmp_path / "again" / f"p{suffix}") == digest


def test_pack_preset_errors(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="config.json"):
        hub.pack_preset(empty, tmp_path / "x.tar.gz")
    preset = write_preset(tmp_path / "preset")
    with pytest.raises(ValueError, match="suffix"):
        hub.pack_preset(preset, tmp_path / "x.rar")
    os.symlink(tmp_path / "missing", preset / "dangling")
    with pytest.raises(ValueError, match="dangling"):
        hub.pack_preset(preset, tmp_path / "x.tar.gz")
    assert not (tmp_path / "x.tar.gz").exists()
