"""zoo: a Keras 3 model zoo for image generation and restoration.

Example:
```python
import zoo
denoiser = zoo.from_preset("dncnn_color_blind")
clean = denoiser.restore("noisy.png")
zoo.export(denoiser, "denoiser.tflite")
```
"""

import importlib
import os

# TensorFlow's C++ start-up chatter is noise for users of a CLI and notebooks.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from zoo.export import export  # noqa: E402
from zoo.presets import list_presets, save_preset, upload_preset  # noqa: E402
from zoo.presets import load_preset as _load_preset  # noqa: E402

__version__ = "0.1.0"

# Heavy submodules (Keras, keras-hub, TensorFlow) load on first use, so
# `zoo list` and `zoo --help` start fast.
_LAZY_SUBMODULES = ("data", "hub", "metrics", "models", "tasks", "text", "training")


def __getattr__(name):
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"zoo.{name}")
    raise AttributeError(f"module 'zoo' has no attribute {name!r}")


def from_preset(handle, *, load_weights=True, **kwargs):
    """Loads any zoo model from a preset; its class comes from the preset.

    Args:
        handle: a registered name (`zoo.list_presets()`), a local preset
            directory, an `https://…/x.tar.gz#sha256=…` or `file://` archive
            URL, or an `hf://` / `kaggle://` handle (downloaded and cached by
            keras-hub; `HF_ENDPOINT` / `HF_HUB_OFFLINE` apply).
        load_weights: load the trained weights (else random init).
        **kwargs: passed to the task's constructor (e.g. `tile_size`).

    Example:
    ```python
    denoiser = zoo.from_preset("dncnn_color_blind")
    ```
    """
    return _load_preset(handle, load_weights=load_weights, **kwargs)


__all__ = [
    "data",
    "export",
    "from_preset",
    "list_presets",
    "metrics",
    "models",
    "save_preset",
    "tasks",
    "upload_preset",
]
