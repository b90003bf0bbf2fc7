"""`hf://` preset handles end to end, against a Hugging Face Hub stand-in on
127.0.0.1: the real `huggingface_hub` client downloads and caches the files.

The server answers the two requests `hf_hub_download` makes for a file,
`HEAD` and `GET /{repo}/resolve/{revision}/{path}`, with the headers the Hub
sends (`X-Repo-Commit`, `ETag`, `Content-Length`, and `X-Error-Code` on a
404), from preset directories on disk.
"""

import hashlib
import http.server
import pathlib
import shutil
import subprocess
import sys
import threading
import urllib.parse

import numpy as np
import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
COMMIT = "3" * 40


class HubHandler(http.server.BaseHTTPRequestHandler):
    def _answer(self, send_body):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        self.server.requests.append((self.command, path))
        parts = path.lstrip("/").split("/")
        repo = "/".join(parts[:2])
        if len(parts) < 5 or parts[2] != "resolve" or repo not in self.server.repos:
            return self._not_found("RepoNotFound")
        file = self.server.repos[repo] / "/".join(parts[4:])
        if not file.is_file():
            return self._not_found("EntryNotFound")
        data = file.read_bytes()
        self.send_response(200)
        self.send_header("X-Repo-Commit", COMMIT)
        self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if send_body:
            self.wfile.write(data)

    def _not_found(self, code):
        self.send_response(404)
        self.send_header("X-Error-Code", code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self):
        self._answer(send_body=False)

    def do_GET(self):
        self._answer(send_body=True)

    def log_message(self, *args):
        pass


class Hub:
    """The running stand-in: `add(repo_id, preset_dir)`, `requests`, `url`."""

    def __init__(self):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HubHandler)
        self.httpd.repos = {}
        self.httpd.requests = []
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, repo_id, preset_dir):
        self.httpd.repos[repo_id] = pathlib.Path(preset_dir)

    @property
    def requests(self):
        return self.httpd.requests

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """A stand-in Hub, with `huggingface_hub` pointed at it and a fresh cache,
    as `HF_ENDPOINT` and `HF_HOME` would at import time."""
    from huggingface_hub import constants

    server = Hub()
    monkeypatch.setattr(constants, "ENDPOINT", server.url)
    monkeypatch.setattr(
        constants,
        "HUGGINGFACE_CO_URL_TEMPLATE",
        server.url + "/{repo_id}/resolve/{revision}/{filename}",
    )
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf_cache"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    server.env = {"HF_ENDPOINT": server.url, "HF_HOME": str(tmp_path / "hf_home")}
    yield server
    server.stop()


def _low_res_image():
    return np.random.default_rng(0).integers(0, 256, (24, 20, 3), dtype=np.uint8)


@pytest.mark.backend
def test_from_preset_downloads_the_saved_task(hub):
    import zoo
    from zoo.models import ESPCNImageRestorer

    hub.add("zoo-user/espcn-x2", REPO_ROOT / "presets" / "espcn_x2")
    restorer = zoo.from_preset("hf://zoo-user/espcn-x2")

    assert isinstance(restorer, ESPCNImageRestorer)
    got = restorer.restore(_low_res_image())
    want = zoo.from_preset("espcn_x2").restore(_low_res_image())
    np.testing.assert_array_equal(got, want)
    fetched = {path.rsplit("/", 1)[-1] for method, path in hub.requests if method == "GET"}
    assert {"task.json", "config.json", "model.weights.h5"} <= fetched


def test_task_class_and_weights_of_a_text_gan(hub):
    import zoo
    from zoo.tasks import TextToImageGAN

    hub.add("zoo-user/text-gan-tiny", REPO_ROOT / "presets" / "text_gan_tiny")
    gan = TextToImageGAN.from_preset("hf://zoo-user/text-gan-tiny")

    prompt = ["a large red circle above a small blue square"]
    want = zoo.from_preset("text_gan_tiny").generate(prompt, seed=3)
    np.testing.assert_array_equal(gan.generate(prompt, seed=3), want)
    # The discriminator and text encoder come from task.weights.h5.
    assert ("GET", "/zoo-user/text-gan-tiny/resolve/main/task.weights.h5") in hub.requests


def test_wrong_task_class_is_refused_before_the_weights(hub):
    from zoo.tasks import TextToImageGAN

    hub.add("zoo-user/espcn-x2", REPO_ROOT / "presets" / "espcn_x2")
    with pytest.raises(ValueError, match="holds a ESPCNImageRestorer, not a TextToImageGAN"):
        TextToImageGAN.from_preset("hf://zoo-user/espcn-x2")
    assert not [path for _, path in hub.requests if path.endswith(".weights.h5")]


def test_repo_without_task_json(hub, tmp_path):
    import zoo

    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(REPO_ROOT / "presets" / "espcn_x2" / "config.json", bare)
    hub.add("zoo-user/bare", bare)
    with pytest.raises(ValueError, match="has no task.json"):
        zoo.from_preset("hf://zoo-user/bare")


def test_unknown_repo_names_the_url(hub):
    import zoo

    with pytest.raises(OSError, match="Repository Not Found.*zoo-user/missing"):
        zoo.from_preset("hf://zoo-user/missing")


def test_downloaded_preset_loads_with_the_hub_gone(hub):
    """Offline on a laptop: once fetched, the hub cache serves the preset."""
    import zoo

    hub.add("zoo-user/espcn-x2", REPO_ROOT / "presets" / "espcn_x2")
    want = zoo.from_preset("hf://zoo-user/espcn-x2").restore(_low_res_image())
    hub.stop()

    got = zoo.from_preset("hf://zoo-user/espcn-x2").restore(_low_res_image())
    np.testing.assert_array_equal(got, want)


def test_cli_restore_with_hf_endpoint(hub, tmp_path, subprocess_env):
    """The user's route: `HF_ENDPOINT` in the environment, `zoo restore`."""
    from PIL import Image

    import zoo

    hub.add("zoo-user/espcn-x2", REPO_ROOT / "presets" / "espcn_x2")
    Image.fromarray(_low_res_image()).save(tmp_path / "in.png")
    out = tmp_path / "out.png"
    run = subprocess.run(
        [sys.executable, "-m", "zoo", "restore", "--preset", "hf://zoo-user/espcn-x2",
         str(tmp_path / "in.png"), "-o", str(out)],
        env=subprocess_env(**hub.env), capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    want = zoo.from_preset("espcn_x2").restore(_low_res_image())
    np.testing.assert_array_equal(np.asarray(Image.open(out)), want)

    missing = subprocess.run(
        [sys.executable, "-m", "zoo", "restore", "--preset", "hf://zoo-user/missing",
         str(tmp_path / "in.png"), "-o", str(tmp_path / "none.png")],
        env=subprocess_env(**hub.env), capture_output=True, text=True, timeout=300,
    )
    assert missing.returncode == 2
    assert "zoo: error: " in missing.stderr and "Repository Not Found" in missing.stderr
    assert not (tmp_path / "none.png").exists()
