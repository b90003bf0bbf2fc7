"""Tests for zoo.model_card: the Hub card written from a preset's metadata."""

import json
import pathlib

import pytest

from zoo.model_card import model_card
from zoo.presets import embedded_presets_dir, list_presets


@pytest.mark.parametrize("name", sorted(list_presets()))
def test_card_of_every_embedded_preset(name):
    preset = embedded_presets_dir() / name
    metadata = json.loads((preset / "metadata.json").read_text())
    card = model_card(preset, f"hf://me/{name}")

    assert card.startswith("---\nlibrary_name: keras-hub\n")
    assert metadata["description"] in card
    assert f'zoo.from_preset("hf://me/{name}")' in card
    for file, digest in metadata["sha256"].items():
        assert f"| `{file}` | `{digest}` |" in card
    verb = "generate" if metadata["task"] == "text_to_image" else "restore"
    assert f"zoo {verb} --preset hf://me/{name}" in card


def test_restoration_rows_hold_each_image_and_its_baseline():
    card = model_card(embedded_presets_dir() / "nafnet_deblur", "hf://me/deblur")
    rows = [line for line in card.splitlines() if line.startswith(("| gauss2 |", "| motion11 |"))]
    assert len(rows) == 6  # 2 kernels x 3 val images
    assert "| motion11 | camera | 24.955 | 0.7287 | 25.332 |" in rows


def test_text_to_image_rates():
    card = model_card(embedded_presets_dir() / "text_gan_minilm", "hf://me/gan")
    assert "pipeline_tag: text-to-image" in card
    assert "| seen | 0.632 |" in card and "| paraphrase | 0.015 |" in card
    assert "| diversity (real) | 0.0972 |" in card


def test_card_without_metrics(tmp_path):
    (tmp_path / "metadata.json").write_text(json.dumps({"task": "denoise"}))
    card = model_card(pathlib.Path(tmp_path), "hf://me/bare")
    assert "## Validation metrics" not in card and "## Training" not in card
    assert "restored = model.restore(image)" in card
