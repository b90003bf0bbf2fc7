"""Fetch preset handles into local directories.

A preset handle is one of:

- a local directory holding ``config.json``;
- an ``http(s)://`` or ``file://`` URL of a ``.tar.gz``/``.tgz``/``.tar``/``.zip``
  archive, pinned by sha256 (``...#sha256=<hex>`` or ``sha256=...``);
- an ``hf://`` or ``kaggle://`` handle, passed through for keras-hub to resolve.

Example:

>>> from zoo import hub  # doctest: +SKIP
>>> path = hub.fetch("https://example.com/dncnn.tar.gz#sha256=" + "0" * 64)  # doctest: +SKIP
>>> sorted(os.listdir(path))  # doctest: +SKIP
['config.json', 'model.weights.h5']

Downloads are cached under :func:`cache_dir` as ``<cache>/<sha256>/``.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import pathlib
import re
import shutil
import stat
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, concurrent fetches may race.
    fcntl = None  # type: ignore[assignment]

from tqdm import tqdm

from zoo.atomic_file import atomic_write

__all__ = [
    "PresetFetchError",
    "cache_dir",
    "fetch",
    "hub_file",
    "is_archive_url",
    "is_hub_handle",
    "pack_preset",
]

CONFIG_FILE = "config.json"
_HUB_SCHEMES = ("hf://", "kaggle://")
_URL_SCHEMES = ("http://", "https://", "file://")
_SHA256_RE = re.compile(r"[0-9a-fA-F]{64}")
_CHUNK_SIZE = 1 << 20
_TIMEOUT_S = 60.0
_TMP_PREFIX = ".tmp-"


class PresetFetchError(OSError):
    """Downloading a preset failed (HTTP error, refused connection, truncated body...).

    Example:

    >>> try:  # doctest: +SKIP
    ...     fetch("https://example.com/missing.tar.gz#sha256=" + "0" * 64)
    ... except PresetFetchError as e:
    ...     print(e)
    Could not fetch https://example.com/missing.tar.gz: HTTP 404 Not Found
    """

    def __init__(self, message: str, *, url: str | None = None):
        # A single argument keeps OSError from reading it as (errno, strerror).
        super().__init__(message)
        self.url = url


def cache_dir() -> pathlib.Path:
    """Return the preset cache root (not created here).

    ``$ZOO_CACHE`` if set, else ``$KERAS_HOME/zoo``, else ``~/.keras/zoo``.

    >>> os.environ["ZOO_CACHE"] = "/tmp/zoo-cache"; str(cache_dir())  # doctest: +SKIP
    '/tmp/zoo-cache'
    """
    if os.environ.get("ZOO_CACHE"):
        return pathlib.Path(os.environ["ZOO_CACHE"]).expanduser()
    if os.environ.get("KERAS_HOME"):
        return pathlib.Path(os.environ["KERAS_HOME"]).expanduser() / "zoo"
    return pathlib.Path("~/.keras/zoo").expanduser()


def is_hub_handle(handle: str) -> bool:
    """True for handles keras-hub resolves itself (``hf://``, ``kaggle://``).

    >>> is_hub_handle("hf://org/model"), is_hub_handle("/tmp/preset")
    (True, False)
    """
    return isinstance(handle, str) and handle.lower().startswith(_HUB_SCHEMES)


def hub_file(handle: str, filename: str) -> str:
    """Local path of one file of an ``hf://`` / ``kaggle://`` preset.

    Downloaded and cached by keras-hub's own resolver, so the same settings
    apply as when keras-hub loads the preset (``HF_ENDPOINT``,
    ``HF_HUB_OFFLINE``, ``HF_HOME``, Kaggle credentials).

    Raises:
        FileNotFoundError: the preset has no file ``filename``.

    >>> hub_file("hf://org/my-denoiser", "task.json")  # doctest: +SKIP
    '/home/me/.cache/huggingface/hub/models--org--my-denoiser/snapshots/.../task.json'
    """
    # keras-hub has no public name for its preset file resolver.
    from keras_hub.src.utils.preset_utils import get_file

    return get_file(handle, filename)


def is_archive_url(handle: str) -> bool:
    """True for ``http://``, ``https://`` and ``file://`` URLs.

    >>> is_archive_url("https://example.com/p.tar.gz"), is_archive_url("hf://a/b")
    (True, False)
    """
    return isinstance(handle, str) and handle.lower().startswith(_URL_SCHEMES)


def fetch(
    handle: str | os.PathLike,
    *,
    sha256: str | None = None,
    cache: str | os.PathLike | None = None,
    progress: bool = True,
) -> str:
    """Resolve a preset handle to a local preset directory (or a hub handle).

    Args:
        handle: local directory, archive URL (optionally ``#sha256=<hex>``),
            or ``hf://``/``kaggle://`` handle.
        sha256: expected archive digest, if not in the URL fragment.
        cache: cache root; defaults to :func:`cache_dir`.
        progress: show a download progress bar.

    Returns:
        A directory holding ``config.json``; hub handles are returned unchanged.

    Raises:
        ValueError: bad handle, missing/mismatched sha256, unsafe or malformed archive.
        PresetFetchError: network or HTTP failure.

    >>> fetch("file:///srv/dncnn.tar.gz", sha256="ab" * 32)  # doctest: +SKIP
    '/home/me/.keras/zoo/abab...ab'
    """
    handle = os.fspath(handle)
    if is_hub_handle(handle):
        return handle
    if is_archive_url(handle):
        url, digest = _split_url(handle, sha256)
        root = pathlib.Path(cache).expanduser() if cache is not None else cache_dir()
        return _fetch_archive(url, digest, root, progress)
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", handle):
        raise ValueError(
            f"Unsupported preset handle {handle!r}: expected a local directory, "
            "an http(s):// or file:// archive URL, or an hf:// / kaggle:// handle."
        )
    path = os.path.expanduser(handle)
    if not os.path.isdir(path):
        raise ValueError(
            f"Preset handle {handle!r} is not an existing directory, an archive "
            "URL (http(s)://, file://), or an hf:// / kaggle:// handle."
        )
    if not os.path.isfile(os.path.join(path, CONFIG_FILE)):
        raise ValueError(f"Preset directory {handle!r} has no {CONFIG_FILE}.")
    return path


def pack_preset(preset_dir: str | os.PathLike, archive_path: str | os.PathLike) -> str:
    """Archive a preset directory and return the archive's sha256 hex digest.

    ``.zip`` suffix gives a zip, ``.tar.gz``/``.tgz`` a gzipped tar, ``.tar`` a
    plain tar. Files sit at the archive root; symlinked files are stored as
    regular files. Output is reproducible (sorted, fixed timestamps) and
    written atomically.

    >>> digest = pack_preset("presets/dncnn", "/tmp/dncnn.tar.gz")  # doctest: +SKIP
    >>> fetch(f"file:///tmp/dncnn.tar.gz#sha256={digest}")  # doctest: +SKIP
    """
    src = pathlib.Path(preset_dir)
    dst = pathlib.Path(archive_path)
    if not (src / CONFIG_FILE).is_file():
        raise ValueError(f"Preset directory {str(preset_dir)!r} has no {CONFIG_FILE}.")
    name = dst.name.lower()
    if name.endswith(".zip"):
        writer = _write_zip
    elif name.endswith((".tar.gz", ".tgz")):
        writer = _write_targz
    elif name.endswith(".tar"):
        writer = _write_tar
    else:
        raise ValueError(
            f"Unsupported archive suffix for {str(archive_path)!r}: "
            "use .tar.gz, .tgz, .tar or .zip."
        )
    entries = _list_preset(src)
    with atomic_write(dst) as f:
        writer(src, entries, f)
    return _sha256_file(dst)


# --- URL handling -------------------------------------------------------------


def _normalize_sha(value: str, where: str) -> str:
    if not _SHA256_RE.fullmatch(value):
        raise ValueError(f"Invalid sha256 {value!r} ({where}): expected 64 hex digits.")
    return value.lower()


def _split_url(handle: str, sha256: str | None) -> tuple[str, str]:
    url, fragment = urllib.parse.urldefrag(handle)
    from_fragment = None
    if fragment:
        key, sep, value = fragment.partition("=")
        if key != "sha256" or not sep:
            raise ValueError(
                f"Unsupported URL fragment {fragment!r} in {handle!r}: only '#sha256=<hex>' is allowed."
            )
        from_fragment = _normalize_sha(value, "URL fragment")
    from_arg = _normalize_sha(sha256, "sha256 argument") if sha256 is not None else None
    if from_fragment and from_arg and from_fragment != from_arg:
        raise ValueError(
            f"Conflicting sha256 for {url}: URL fragment says {from_fragment}, "
            f"sha256 argument says {from_arg}."
        )
    digest = from_fragment or from_arg
    if digest is None:
        raise ValueError(
            f"Archive URL {handle!r} needs a sha256 to be verified: append "
            "'#sha256=<64 hex digits>' to the URL or pass fetch(..., sha256=...). "
            "Get it with `sha256sum <archive>` or from zoo.hub.pack_preset()."
        )
    return url, digest


# --- download + cache -----------------------------------------------------------


def _fetch_archive(url: str, digest: str, root: pathlib.Path, progress: bool) -> str:
    final = root / digest
    if _is_complete(final):
        return str(final)
    root.mkdir(parents=True, exist_ok=True)
    with _file_lock(root / f"{digest}.lock"):
        # Another process may have finished while we waited for the lock.
        if _is_complete(final):
            return str(final)
        if final.is_dir() and not final.is_symlink():  # Incomplete leftover: redo it.
            shutil.rmtree(final)
        elif final.exists() or final.is_symlink():
            final.unlink()
        fd, archive = tempfile.mkstemp(dir=root, prefix=_TMP_PREFIX, suffix=".download")
        staging = None
        try:
            with os.fdopen(fd, "wb") as f:
                _download(url, f, digest, progress)
            staging = tempfile.mkdtemp(dir=root, prefix=_TMP_PREFIX)
            _extract(archive, staging, url)
            preset_root = _preset_root(pathlib.Path(staging), url)
            os.chmod(preset_root, 0o755)  # mkdtemp makes it 0o700.
            try:
                os.replace(preset_root, final)
            except OSError:
                if not _is_complete(final):  # Only "someone else won" is fine.
                    raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(archive)
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
    return str(final)


def _is_complete(path: pathlib.Path) -> bool:
    # The final dir only appears via an atomic rename, so config.json means done.
    return (path / CONFIG_FILE).is_file()


@contextlib.contextmanager
def _file_lock(path: pathlib.Path) -> Iterator[None]:
    """Exclusive ``flock`` on ``path``; the lock file is removed on release."""
    if fcntl is None:
        yield
        return
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            # The previous holder unlinks the file on release; if we locked an
            # unlinked inode, retry on the current file.
            if os.fstat(fd).st_ino == os.stat(path).st_ino:
                break
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)


def _download(url: str, out: BinaryIO, digest: str, progress: bool) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "zoo-hub"})
    try:
        response = urllib.request.urlopen(request, timeout=_TIMEOUT_S)
    except urllib.error.HTTPError as e:
        e.close()  # Holds the socket open; the error stays reachable via __cause__.
        raise PresetFetchError(f"Could not fetch {url}: HTTP {e.code} {e.reason}", url=url) from e
    except urllib.error.URLError as e:
        raise PresetFetchError(f"Could not fetch {url}: {_describe(e.reason)}", url=url) from e
    except (OSError, http.client.HTTPException) as e:
        raise PresetFetchError(f"Could not fetch {url}: {_describe(e)}", url=url) from e

    hasher = hashlib.sha256()
    received = 0
    with response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        name = os.path.basename(urllib.parse.urlparse(url).path) or url
        with tqdm(
            total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=name, disable=not progress
        ) as bar:
            try:
                while chunk := response.read(_CHUNK_SIZE):
                    out.write(chunk)
                    hasher.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            except (OSError, http.client.HTTPException) as e:
                # A chunked body cut short raises IncompleteRead; there is no
                # Content-Length for the check below to catch it.
                if isinstance(e, http.client.IncompleteRead):
                    received += len(e.partial)
                raise PresetFetchError(
                    f"Could not fetch {url}: download interrupted after {received} bytes ({_describe(e)})",
                    url=url,
                ) from e
    # http.client's read(n) returns b"" on early EOF instead of raising.
    if total is not None and received != total:
        raise PresetFetchError(
            f"Could not fetch {url}: download truncated, got {received} of {total} bytes.",
            url=url,
        )
    actual = hasher.hexdigest()
    if actual != digest:
        raise ValueError(f"sha256 mismatch for {url}: expected {digest}, got {actual}.")


def _describe(error: object) -> str:
    if isinstance(error, ConnectionRefusedError):
        return f"connection refused ({error})"
    if isinstance(error, TimeoutError):
        return f"timed out ({error})"
    return str(error) or type(error).__name__


# --- archives -------------------------------------------------------------------


def _check_member_name(name: str, url: str) -> None:
    path = name.replace("\\", "/")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise ValueError(f"Refusing archive member {name!r} from {url}: absolute path.")
    if ".." in path.split("/"):
        raise ValueError(f"Refusing archive member {name!r} from {url}: path contains '..'.")
    if "\x00" in path:
        raise ValueError(f"Refusing archive member {name!r} from {url}: NUL in name.")


def _extract(archive: str, dest: str, url: str) -> None:
    if zipfile.is_zipfile(archive):
        _extract_zip(archive, dest, url)
        return
    try:
        tar = tarfile.open(archive, "r:*")
    except tarfile.TarError as e:
        raise ValueError(f"{url} is not a tar or zip archive ({e}).") from e
    with tar:
        _extract_tar(tar, dest, url)


def _extract_tar(tar: tarfile.TarFile, dest: str, url: str) -> None:
    try:
        members = tar.getmembers()
    except tarfile.TarError as e:
        raise ValueError(f"Corrupt tar archive from {url}: {e}") from e
    for member in members:
        _check_member_name(member.name, url)
        if not (member.isreg() or member.isdir()):
            raise ValueError(
                f"Refusing archive member {member.name!r} from {url}: "
                "not a regular file or directory (links and devices are not allowed)."
            )
    if hasattr(tarfile, "data_filter"):  # Defence in depth (Python >= 3.10.12 / 3.11.4).
        tar.extractall(dest, members=members, filter="data")
    else:
        tar.extractall(dest, members=members)


def _extract_zip(archive: str, dest: str, url: str) -> None:
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()
        for info in infos:
            _check_member_name(info.filename, url)
            mode = info.external_attr >> 16
            # Zip stores the unix file type in the high bits; 0 means "unknown" (plain file).
            if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
                raise ValueError(
                    f"Refusing archive member {info.filename!r} from {url}: "
                    "not a regular file or directory (links and devices are not allowed)."
                )
        zf.extractall(dest, members=infos)


def _preset_root(staging: pathlib.Path, url: str) -> pathlib.Path:
    if (staging / CONFIG_FILE).is_file():
        return staging
    entries = [p for p in staging.iterdir() if p.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir() and (entries[0] / CONFIG_FILE).is_file():
        return entries[0]
    raise ValueError(
        f"Archive from {url} has no {CONFIG_FILE} at its root or in a single top-level folder."
    )


# --- packing --------------------------------------------------------------------


def _list_preset(src: pathlib.Path) -> list[tuple[str, pathlib.Path, bool]]:
    """Sorted (archive name, path, is_dir) entries; refuses what can't be a regular file."""
    entries = []
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        base = pathlib.Path(dirpath)
        for d in dirnames:
            if (base / d).is_symlink():
                raise ValueError(f"Cannot pack symlinked directory {str(base / d)!r}.")
            entries.append(((base / d).relative_to(src).as_posix(), base / d, True))
        for f in sorted(filenames):
            path = base / f
            if not path.is_file():  # Follows symlinks: dangling links, fifos, sockets...
                raise ValueError(f"Cannot pack {str(path)!r}: not a regular file.")
            entries.append((path.relative_to(src).as_posix(), path, False))
    return sorted(entries)


def _write_tar(src: pathlib.Path, entries, fileobj) -> None:
    with tarfile.open(fileobj=fileobj, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, path, is_dir in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if is_dir:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.mode = 0o644
                info.size = path.stat().st_size
                with open(path, "rb") as f:
                    tar.addfile(info, f)


def _write_targz(src: pathlib.Path, entries, fileobj) -> None:
    # Fixed mtime and no file name in the gzip header keep the digest reproducible.
    with gzip.GzipFile(filename="", mode="wb", fileobj=fileobj, compresslevel=6, mtime=0) as gz:
        _write_tar(src, entries, gz)


def _write_zip(src: pathlib.Path, entries, fileobj) -> None:
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, path, is_dir in entries:
            info = zipfile.ZipInfo(name + "/" if is_dir else name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = ((stat.S_IFDIR | 0o755) if is_dir else (stat.S_IFREG | 0o644)) << 16
            if is_dir:
                zf.writestr(info, b"")
            else:
                info.compress_type = zipfile.ZIP_DEFLATED
                info.file_size = path.stat().st_size  # Lets zipfile pick zip64 for big weights.
                with open(path, "rb") as f, zf.open(info, "w") as out:
                    shutil.copyfileobj(f, out, _CHUNK_SIZE)


def _sha256_file(path: str | os.PathLike) -> str:
    hasher = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK_SIZE):
            hasher.update(chunk)
    return hasher.hexdigest()
