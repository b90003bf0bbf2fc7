"""The preset registry: names -> preset directories, and loading by handle."""

import difflib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from zoo import hub

METADATA_FILE = "metadata.json"
TASKS = (
    "denoise",
    "super_resolution",
    "deblur",
    "inpaint",
    "text_to_image",
    "instruct_restore",
)
# Fields a zoo preset's metadata.json carries beside keras-hub's own.
METADATA_FIELDS = (
    "task",
    "description",
    "params",
    "recipe",
    "data",
    "steps",
    "hardware",
    "backend",
    "metrics",
    "command",  # the exact recipe command line that made it
)


def embedded_presets_dir():
    """Where the presets that ship with zoo live.

    In a source checkout (or an editable install) that is `presets/` at the
    repository root; in a wheel the same files are installed as `zoo/_presets`.
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "_presets", package.parent / "presets"):
        if candidate.is_dir():
            return candidate
    return package / "_presets"


def _read_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def list_presets(task=None):
    """Lists the embedded presets as `{name: metadata}`.

    Args:
        task: keep only presets of this task (e.g. `"denoise"`).

    Example:
    ```python
    zoo.list_presets(task="denoise")
    ```
    """
    if task is not None and task not in TASKS:
        raise ValueError(f"`task` must be one of {TASKS}. Received: task={task!r}")
    presets = {}
    root = embedded_presets_dir()
    if not root.is_dir():
        return presets
    for path in sorted(root.iterdir()):
        meta_path = path / METADATA_FILE
        if not meta_path.is_file():
            continue
        metadata = _read_json(meta_path)
        if task is None or metadata.get("task") == task:
            presets[path.name] = metadata
    return presets


def resolve_preset(handle):
    """Turns a preset handle into something keras-hub can load.

    Registered names and archive URLs become local directories; local
    directories are checked; `hf://` and `kaggle://` handles pass through.
    """
    if not isinstance(handle, (str, os.PathLike)):
        raise TypeError(
            "`handle` must be a preset name, a path or a URL string. "
            f"Received: handle={handle!r} of type {type(handle).__name__}"
        )
    handle = os.fspath(handle)
    if not handle:
        raise ValueError("`handle` is empty: give a preset name (see `zoo list`).")
    embedded = embedded_presets_dir() / handle
    if "/" not in handle and os.sep not in handle and (embedded / "config.json").is_file():
        return str(embedded)
    if hub.is_hub_handle(handle):
        return handle
    if hub.is_archive_url(handle):
        return hub.fetch(handle)
    local = os.path.expanduser(handle)  # as `hub.fetch` does: "~/my_preset"
    if os.path.isdir(local):
        return hub.fetch(local)
    names = list(list_presets())
    close = difflib.get_close_matches(handle, names, n=3)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ValueError(
        f"Unknown preset {handle!r}.{hint} Run `zoo list` to see the registered "
        "presets, or pass a preset directory, an https://...tar.gz#sha256=... "
        "archive, or an hf:// / kaggle:// handle."
    )


def _check_local_preset(path):
    weights = Path(path) / "model.weights.h5"
    if not weights.is_file():
        raise ValueError(f"Preset {path!r} has no model.weights.h5.")
    with open(weights, "rb") as f:
        if f.read(8) != b"\x89HDF\r\n\x1a\n":
            raise ValueError(
                f"Preset {path!r}: model.weights.h5 is corrupt (not an HDF5 file)."
            )


def preset_task_class(path):
    """The task class a preset was saved with (from its task.json).

    `path` is a local preset directory or an hf:// / kaggle:// handle, whose
    task.json alone is downloaded.
    """
    if hub.is_hub_handle(path):
        try:
            task_json = Path(hub.hub_file(path, "task.json"))
        except FileNotFoundError:
            task_json = None
    else:
        task_json = Path(path) / "task.json"
    if task_json is None or not task_json.is_file():
        raise ValueError(f"Preset {path!r} has no task.json: it holds no zoo task.")
    import keras

    import zoo.models  # noqa: F401  (registers the classes)

    registered = _read_json(task_json).get("registered_name")
    cls = keras.saving.get_registered_object(registered)
    if cls is None:
        raise ValueError(
            f"Preset {path!r} needs the class {registered!r}, which is not "
            "registered: is this preset from a newer zoo?"
        )
    return cls


def load_preset(handle, expected_cls=None, load_weights=True, **kwargs):
    """Loads the task saved in a preset; the class comes from the preset."""
    path = resolve_preset(handle)
    if load_weights and not hub.is_hub_handle(path):
        _check_local_preset(path)
    cls = preset_task_class(path)
    if expected_cls is not None and not issubclass(cls, expected_cls):
        raise ValueError(
            f"Preset {handle!r} holds a {cls.__name__}, not a "
            f"{expected_cls.__name__}. Load it with `zoo.from_preset` or "
            f"`{cls.__name__}.from_preset`."
        )
    if hub.is_hub_handle(path):
        _check_hub_files(path, load_weights)
    try:
        return keras_hub_task_from_preset(cls, path, load_weights, **kwargs)
    except (OSError, KeyError) as e:
        if hub.is_hub_handle(path):
            raise  # the hub client's own error names the file and the cause
        raise ValueError(
            f"Preset {handle!r}: could not read model.weights.h5 ({e})."
        ) from e


def _check_hub_files(handle, load_weights):
    """Raises unless the hub preset's files are those its metadata.json
    describes (sha256), so its recorded metrics are about these weights."""
    try:
        recorded = _read_json(hub.hub_file(handle, METADATA_FILE)).get("sha256") or {}
    except FileNotFoundError:
        return  # not saved by zoo: nothing recorded to check against
    for name, digest in recorded.items():
        if name.endswith(".weights.h5") and not load_weights:
            continue
        try:
            local = hub.hub_file(handle, name)
        except FileNotFoundError:
            if name == "task.weights.h5":
                continue  # optional for keras-hub: a task without weights of its own
            raise ValueError(f"Preset {handle!r} has no {name}, which its "
                             f"{METADATA_FILE} lists.") from None
        if sha256_of(local) != digest:
            raise ValueError(
                f"Preset {handle!r}: {name} is not the file its {METADATA_FILE} "
                "describes (sha256 differs), so the metrics there are not about "
                "these weights. Ask its author to upload it again with "
                "`zoo.upload_preset`."
            )


def keras_hub_task_from_preset(cls, path, load_weights, **kwargs):
    import keras_hub

    # Call keras-hub's loader directly: `cls.from_preset` is zoo's override.
    return keras_hub.models.Task.from_preset.__func__(
        cls, path, load_weights=load_weights, **kwargs
    )


def sha256_of(path, chunk_size=1 << 20):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk_size), b""):
            digest.update(block)
    return digest.hexdigest()


def _float32_copy(task):
    """The same task in float32: presets never store a mixed policy."""
    if task.dtype_policy.name == "float32":
        return task
    copy = type(task).from_config(_without_mixed_policies(task.get_config()))
    copy.set_weights(task.get_weights())
    return copy


def _without_mixed_policies(config):
    """`config` with every mixed dtype policy (nested layers too) as float32."""
    if isinstance(config, list):
        return [_without_mixed_policies(item) for item in config]
    if not isinstance(config, dict):
        return config
    if config.get("class_name") == "DTypePolicy" and str(
        config.get("config", {}).get("name", "")
    ).startswith("mixed_"):
        return "float32"
    return {
        key: "float32" if key == "dtype" and str(value).startswith("mixed_")
        else _without_mixed_policies(value)
        for key, value in config.items()
    }


def check_preset_target(preset_dir):
    """Raises unless saving to `preset_dir` would replace nothing but an earlier
    preset; returns the handle that loads it back (`./name` where `name` alone
    is a registered preset, which `from_preset` would load instead).

    Check before training, so a long run is not lost to a bad path.

    Example:
    ```python
    handle = zoo.presets.check_preset_target("my_denoiser")  # "my_denoiser"
    ```
    """
    preset_dir = Path(os.path.expanduser(os.fspath(preset_dir)))
    if preset_dir.name in ("", ".."):  # ".", "/", "..": never replace a working directory
        raise ValueError(
            f"`preset_dir` must name a directory to create. Received: {str(preset_dir)!r}"
        )
    handle = str(preset_dir)
    if handle in list_presets():
        handle = os.path.join(".", handle)
    if not preset_dir.exists() and not preset_dir.is_symlink():
        return handle
    if not preset_dir.is_dir():
        raise ValueError(f"`preset_dir` {str(preset_dir)!r} exists and is not a directory.")
    # The old directory is replaced whole: only take an empty one or a preset.
    is_preset = any((preset_dir / name).is_file() for name in (METADATA_FILE, "config.json"))
    if not is_preset and any(preset_dir.iterdir()):
        raise ValueError(
            f"`preset_dir` {str(preset_dir)!r} is a directory that holds files and is not "
            "a preset (no metadata.json or config.json); saving would replace it. Give a "
            "new or empty directory."
        )
    return handle


def save_preset(model, preset_dir, **metadata):
    """Saves `model` as a keras-hub preset plus zoo's metadata, atomically.

    Args:
        model: a zoo task model.
        preset_dir: the directory to create, or to replace if it is empty
            or an earlier preset (never a folder of other files).
        **metadata: the fields of `METADATA_FIELDS` (`task`, `description`,
            `recipe`, `data`, `steps`, `hardware`, `backend`, `metrics`,
            `command`).
            `params` and each file's `sha256` are filled in here.

    Example:
    ```python
    zoo.save_preset(restorer, "my_denoiser", task="denoise",
                    description="DnCNN fine-tuned on my scans")
    ```
    """
    unknown = set(metadata) - set(METADATA_FIELDS)
    if unknown:
        raise ValueError(
            f"Unknown metadata fields {sorted(unknown)}; expected some of "
            f"{METADATA_FIELDS}."
        )
    task_name = metadata.get("task", getattr(model, "preset_task", None))
    if task_name not in TASKS:
        raise ValueError(f"`task` must be one of {TASKS}. Received: task={task_name!r}")
    preset_dir = Path(os.path.expanduser(os.fspath(preset_dir)))
    check_preset_target(preset_dir)
    preset_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{preset_dir.name}.", dir=preset_dir.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a preset is for sharing.
        model = _float32_copy(model)
        # keras-hub's saver writes config.json, model.weights.h5, task.json
        # and its own metadata.json, which we extend.
        import keras_hub

        keras_hub.models.Task.save_to_preset(model, str(staging))
        meta_path = staging / METADATA_FILE
        saved = _read_json(meta_path) if meta_path.is_file() else {}
        saved.update({k: v for k, v in metadata.items()})
        saved["task"] = task_name
        saved["params"] = int(model.backbone.count_params())
        saved["sha256"] = {
            p.name: sha256_of(p)
            for p in sorted(staging.iterdir())
            if p.is_file() and p.name != METADATA_FILE
        }
        with open(meta_path, "w", encoding="utf-8") as f:
            json.dump(saved, f, indent=2)
            f.write("\n")
        old = None
        if preset_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{preset_dir.name}.old.", dir=preset_dir.parent))
            os.replace(preset_dir, old / "preset")
        os.replace(staging, preset_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return str(preset_dir)


def upload_preset(handle, preset_dir):
    """Publishes a zoo preset directory on the Hugging Face Hub or Kaggle Models.

    The preset is checked first: it must hold a zoo task with readable
    weights, and each file must still have the sha256 its `metadata.json`
    recorded (else the metrics there describe other weights).

    - `hf://org/name`: the repo is created if needed and the files go up in
      one commit, with a model card (`README.md`) written from the metadata
      (`zoo.model_card.model_card`), unless the preset has its own README.md
      or the repo already has one. Nothing is written into `preset_dir`.
      Needs a token with write access (`HF_TOKEN` or `hf auth login`).
    - `kaggle://owner/model/keras/variation`: keras-hub's upload (kagglehub).

    Args:
        handle: the `hf://` or `kaggle://` handle to publish to.
        preset_dir: the preset directory (`zoo.save_preset`'s output).

    Returns:
        The handle that loads it back with `zoo.from_preset`.

    Example:
    ```python
    zoo.save_preset(restorer, "my_denoiser", task="denoise")
    zoo.upload_preset("hf://me/my-denoiser", "my_denoiser")
    ```
    """
    if not isinstance(handle, str):
        raise TypeError(f"`handle` must be a string. Received: handle={handle!r}")
    if not hub.is_hub_handle(handle):
        raise ValueError(
            "`handle` must be an hf://org/name or kaggle://owner/model/keras/variation "
            f"handle. Received: handle={handle!r}"
        )
    if not isinstance(preset_dir, (str, os.PathLike)):
        raise TypeError(
            f"`preset_dir` must be a path. Received: preset_dir={preset_dir!r}"
        )
    preset_dir = Path(os.path.expanduser(os.fspath(preset_dir)))
    _check_upload(preset_dir)
    if handle.lower().startswith("kaggle://"):
        import keras_hub

        keras_hub.upload_preset(handle, str(preset_dir))
        return handle

    import huggingface_hub

    from zoo.model_card import model_card

    repo_id = huggingface_hub.create_repo(handle.split("://", 1)[1], exist_ok=True).repo_id
    published = f"hf://{repo_id}"
    with tempfile.TemporaryDirectory() as staging:
        staged = Path(staging) / "preset"
        shutil.copytree(preset_dir, staged)
        card = staged / "README.md"
        if not card.exists() and not huggingface_hub.file_exists(repo_id, "README.md"):
            card.write_text(model_card(staged, published), encoding="utf-8")
        huggingface_hub.upload_folder(
            repo_id=repo_id,
            folder_path=str(staged),
            commit_message=f"Upload zoo preset {preset_dir.name}",
        )
    return published


def _check_upload(preset_dir):
    """Raises unless `preset_dir` holds a zoo preset fit to publish."""
    if not preset_dir.is_dir() or not (preset_dir / "config.json").is_file():
        raise ValueError(
            f"`preset_dir` {str(preset_dir)!r} is not a preset directory (no config.json)."
        )
    if not (preset_dir / METADATA_FILE).is_file():
        raise ValueError(
            f"`preset_dir` {str(preset_dir)!r} has no {METADATA_FILE}: save it with "
            "`zoo.save_preset` first."
        )
    _check_local_preset(preset_dir)
    preset_task_class(preset_dir)
    recorded = _read_json(preset_dir / METADATA_FILE).get("sha256") or {}
    for name, digest in recorded.items():
        file = preset_dir / name
        if not file.is_file() or sha256_of(file) != digest:
            raise ValueError(
                f"`preset_dir` {str(preset_dir)!r}: {name} is missing or not the file "
                f"its {METADATA_FILE} describes (sha256 differs), so the metrics there "
                "would be wrong. Save the preset again with `zoo.save_preset`."
            )
