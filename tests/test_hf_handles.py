"""`hf://` preset handles end to end, against a Hugging Face Hub stand-in on
127.0.0.1: the real `huggingface_hub` client downloads, caches and uploads.

The stand-in answers what the client asks for a download (`HEAD` and `GET
/{repo}/resolve/{revision}/{path}`, with the Hub's `X-Repo-Commit`, `ETag`,
`Content-Length`, and `X-Error-Code` on a 404) and for an upload over the
Hub's plain LFS protocol (repo creation, YAML check, preupload, LFS batch
and PUT, ndjson commit). Uploads take that protocol here because the Xet
storage protocol the client prefers needs Hugging Face's CAS servers
(`HF_HUB_DISABLE_XET`).
"""

import base64
import hashlib
import http.server
import json
import pathlib
import re
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
    protocol_version = "HTTP/1.1"

    def _path(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        self.server.requests.append((self.command, path, self.headers.get("Authorization")))
        return path

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                chunk = self.rfile.read(size + 2)[:size]  # each chunk ends in CRLF
                if not size:
                    return data
                data += chunk
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, code, body=b"", headers=(), send_body=True):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers = (*headers, ("Content-Type", "application/json"))
        self.send_response(code)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _resolve(self, send_body):
        parts = self._path().lstrip("/").split("/")
        repo = self.server.repos.get("/".join(parts[:2]))
        if len(parts) < 5 or parts[2] != "resolve" or repo is None:
            return self._send(404, headers=[("X-Error-Code", "RepoNotFound")])
        data = repo.get("/".join(parts[4:]))
        if data is None:
            return self._send(404, headers=[("X-Error-Code", "EntryNotFound")])
        etag = f'"{hashlib.sha256(data).hexdigest()}"'
        self._send(200, data, [("X-Repo-Commit", COMMIT), ("ETag", etag)], send_body)

    def do_HEAD(self):
        self._resolve(send_body=False)

    def do_GET(self):
        self._resolve(send_body=True)

    def do_PUT(self):  # an LFS object, at the address the batch answer gave
        oid = self._path().rsplit("/", 1)[-1]
        data = self._body()
        assert hashlib.sha256(data).hexdigest() == oid
        self.server.blobs[oid] = data
        self._send(200)

    def do_POST(self):
        path, body = self._path(), self._body()
        if path == "/api/repos/create":
            request = json.loads(body)
            repo_id = f"{request.get('organization') or 'zoo-user'}/{request['name']}"
            url = f"{self.server.url}/{repo_id}"
            if repo_id in self.server.repos:
                return self._send(409, {"error": "You already created this model repo", "url": url})
            self.server.repos[repo_id] = {}
            return self._send(200, {"url": url})
        if path == "/api/validate-yaml":
            return self._send(200, {"errors": [], "warnings": []})
        if match := re.fullmatch(r"/api/models/(.+)/preupload/main", path):
            files = json.loads(body)["files"]
            return self._send(200, {"files": [
                {"path": f["path"], "shouldIgnore": False,
                 "uploadMode": "lfs" if f["path"].endswith(".h5") else "regular"}
                for f in files
            ]})
        if match := re.fullmatch(r"/(.+)\.git/info/lfs/objects/batch", path):
            return self._send(200, {"transfer": "basic", "objects": [
                {"oid": o["oid"], "size": o["size"], "actions": {
                    "upload": {"href": f"{self.server.url}/lfs-upload/{o['oid']}"}}}
                for o in json.loads(body)["objects"]
            ]})
        if match := re.fullmatch(r"/api/models/(.+)/commit/main", path):
            repo = self.server.repos[match[1]]
            for line in body.splitlines():
                item = json.loads(line)
                value = item["value"]
                if item["key"] == "file":
                    repo[value["path"]] = base64.b64decode(value["content"])
                elif item["key"] == "lfsFile":
                    repo[value["path"]] = self.server.blobs[value["oid"]]
            self.server.commits.append(match[1])
            return self._send(200, {"commitUrl": f"{self.server.url}/{match[1]}/commit/{COMMIT}",
                                    "commitOid": COMMIT})
        self._send(404, headers=[("X-Error-Code", "RepoNotFound")])

    def log_message(self, *args):
        pass


class Hub:
    """The running stand-in: `add(repo_id, preset_dir)`, `files(repo_id)`,
    `requests` as `(method, path, authorization)`, `url`."""

    def __init__(self):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HubHandler)
        self.url = self.httpd.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.httpd.repos, self.httpd.blobs = {}, {}
        self.httpd.requests, self.httpd.commits = [], []
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, repo_id, preset_dir):
        root = pathlib.Path(preset_dir)
        self.httpd.repos[repo_id] = {
            str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    def files(self, repo_id):
        return self.httpd.repos[repo_id]

    @property
    def requests(self):
        return self.httpd.requests

    @property
    def commits(self):
        return self.httpd.commits

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """A stand-in Hub, with `huggingface_hub` pointed at it and a fresh cache,
    as `HF_ENDPOINT` and `HF_HOME` would at import time."""
    from huggingface_hub import constants, hf_api

    server = Hub()
    monkeypatch.setattr(constants, "ENDPOINT", server.url)
    # `huggingface_hub.create_repo` and co. are methods of an HfApi made at import.
    monkeypatch.setattr(hf_api.api, "endpoint", server.url)
    monkeypatch.setattr(
        constants,
        "HUGGINGFACE_CO_URL_TEMPLATE",
        server.url + "/{repo_id}/resolve/{revision}/{filename}",
    )
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf_cache"))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setenv("HF_TOKEN", "hf_stand_in_token")
    server.env = {"HF_ENDPOINT": server.url, "HF_HOME": str(tmp_path / "hf_home"),
                  "HF_HUB_DISABLE_XET": "1", "HF_TOKEN": "hf_stand_in_token"}
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
    fetched = {path.rsplit("/", 1)[-1] for method, path, _ in hub.requests if method == "GET"}
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
    assert "/zoo-user/text-gan-tiny/resolve/main/task.weights.h5" in {
        path for method, path, _ in hub.requests if method == "GET"
    }


def test_wrong_task_class_is_refused_before_the_weights(hub):
    from zoo.tasks import TextToImageGAN

    hub.add("zoo-user/espcn-x2", REPO_ROOT / "presets" / "espcn_x2")
    with pytest.raises(ValueError, match="holds a ESPCNImageRestorer, not a TextToImageGAN"):
        TextToImageGAN.from_preset("hf://zoo-user/espcn-x2")
    assert not [path for _, path, _ in hub.requests if path.endswith(".weights.h5")]


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


def _user_preset(tmp_path, name="my_upscaler"):
    """A copy of `espcn_x2` standing for a preset the user saved."""
    return pathlib.Path(shutil.copytree(REPO_ROOT / "presets" / "espcn_x2", tmp_path / name))


def _tree(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.backend
def test_upload_then_load_back(hub, tmp_path):
    import zoo

    preset = _user_preset(tmp_path)
    before = _tree(preset)
    handle = zoo.upload_preset("hf://zoo-user/my-upscaler", preset)

    assert handle == "hf://zoo-user/my-upscaler"
    remote = hub.files("zoo-user/my-upscaler")
    assert {name: remote[name] for name in before} == before
    card = remote["README.md"].decode()
    assert 'zoo.from_preset("hf://zoo-user/my-upscaler")' in card
    assert "| coffee | 32.318 | 0.9206 | 30.59 |" in card  # val PSNR, SSIM, bicubic
    assert "pipeline_tag: image-to-image" in card
    assert _tree(preset) == before  # nothing written into the user's folder
    # The API calls carry the token (LFS PUTs go to presigned addresses).
    calls = [auth for method, _, auth in hub.requests if method == "POST"]
    assert calls and set(calls) == {"Bearer hf_stand_in_token"}

    restored = zoo.from_preset(handle).restore(_low_res_image())
    np.testing.assert_array_equal(restored, zoo.from_preset("espcn_x2").restore(_low_res_image()))


def test_upload_keeps_an_authors_card(hub, tmp_path):
    import zoo

    hub.add("zoo-user/edited", tmp_path)  # an existing repo with its own card
    hub.files("zoo-user/edited")["README.md"] = b"# my edited card\n"
    zoo.upload_preset("hf://zoo-user/edited", _user_preset(tmp_path))
    assert hub.files("zoo-user/edited")["README.md"] == b"# my edited card\n"
    assert "model.weights.h5" in hub.files("zoo-user/edited")

    own = _user_preset(tmp_path, "with_card")
    (own / "README.md").write_text("# the preset's own card\n")
    zoo.upload_preset("hf://zoo-user/with-card", own)
    assert hub.files("zoo-user/with-card")["README.md"] == b"# the preset's own card\n"


def test_upload_refuses_before_any_request(hub, tmp_path):
    import zoo

    preset = _user_preset(tmp_path)
    with pytest.raises(TypeError, match="`handle`"):
        zoo.upload_preset(None, preset)
    with pytest.raises(ValueError, match="`handle` must be an hf://"):
        zoo.upload_preset("https://example.com/x.tar.gz", preset)
    with pytest.raises(TypeError, match="`preset_dir`"):
        zoo.upload_preset("hf://zoo-user/x", 3)
    with pytest.raises(ValueError, match="not a preset directory"):
        zoo.upload_preset("hf://zoo-user/x", tmp_path / "nowhere")
    (preset / "metadata.json").rename(tmp_path / "metadata.json")
    with pytest.raises(ValueError, match="has no metadata.json"):
        zoo.upload_preset("hf://zoo-user/x", preset)
    (tmp_path / "metadata.json").rename(preset / "metadata.json")
    with open(preset / "config.json", "a") as f:
        f.write("\n")  # edited after saving: the recorded metrics no longer apply
    with pytest.raises(ValueError, match="config.json is missing or not the file"):
        zoo.upload_preset("hf://zoo-user/x", preset)
    assert hub.requests == []


def test_cli_upload(hub, tmp_path, subprocess_env):
    preset = _user_preset(tmp_path)
    run = subprocess.run(
        [sys.executable, "-m", "zoo", "upload", str(preset), "hf://zoo-user/cli-upscaler"],
        env=subprocess_env(**hub.env), capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "zoo.from_preset('hf://zoo-user/cli-upscaler')" in run.stdout
    remote = hub.files("zoo-user/cli-upscaler")
    assert remote["model.weights.h5"] == (preset / "model.weights.h5").read_bytes()
    assert "README.md" in remote

    bad = subprocess.run(
        [sys.executable, "-m", "zoo", "upload", str(tmp_path / "nowhere"), "hf://zoo-user/x"],
        env=subprocess_env(**hub.env), capture_output=True, text=True, timeout=300,
    )
    assert bad.returncode == 2
    assert "zoo: error: `preset_dir`" in bad.stderr and "not a preset directory" in bad.stderr


def test_files_that_differ_from_the_metadata_are_refused(hub, tmp_path):
    """A repo whose weights were replaced after saving: its metrics would lie."""
    import zoo

    hub.add("zoo-user/edited-weights", REPO_ROOT / "presets" / "espcn_x2")
    other = (REPO_ROOT / "presets" / "espcn_x4" / "model.weights.h5").read_bytes()
    hub.files("zoo-user/edited-weights")["model.weights.h5"] = other
    with pytest.raises(ValueError, match="model.weights.h5 is not the file its metadata.json"):
        zoo.from_preset("hf://zoo-user/edited-weights")
    # Without weights, the weight files are not fetched nor checked.
    restorer = zoo.from_preset("hf://zoo-user/edited-weights", load_weights=False)
    assert restorer.backbone.scale == 2
