"""The restoration recipes continued from a saved preset (`--resume`, `--loss`).

A preset trained on a GPU can be fine-tuned further elsewhere; the new preset
must start from the old weights, and its metadata must add the steps up and
keep every command, backend and machine in order.
"""

import json
import runpy
import sys

import keras
import numpy as np
import pytest

import zoo

SMALL = ["--steps", "2", "--batch-size", "2", "--patch-size", "32"]


@pytest.fixture()
def run_recipe(monkeypatch, repo_root):
    monkeypatch.syspath_prepend(str(repo_root / "examples" / "recipes"))

    def run(name, *args):
        path = repo_root / "examples" / "recipes" / f"{name}.py"
        monkeypatch.setattr(sys, "argv", [str(path), *args])
        runpy.run_path(str(path), run_name="__main__")
        keras.config.set_dtype_policy("float32")

    return run


@pytest.mark.backend
def test_resume_starts_from_the_preset_and_adds_up_its_history(run_recipe, tmp_path):
    before = zoo.list_presets()["espcn_x2"]
    out = tmp_path / "espcn_x2"
    run_recipe("espcn_x2", *SMALL, "--resume", "espcn_x2", "--loss", "l2",
               "--learning-rate", "1e-5", "--hardware", "test machine",
               "--output", str(out))

    with open(out / "metadata.json") as f:
        metadata = json.load(f)
    assert metadata["steps"] == before["steps"] + 2
    # The preset's own history (one sitting or several), then this one.
    history, _, latest = metadata["command"].rpartition(" && ")
    assert history == before["command"]
    assert "--resume espcn_x2" in latest and "--loss l2" in latest
    assert metadata["backend"].startswith(before["backend"] + "; then ")
    assert metadata["backend"].endswith(", l2 loss")
    assert keras.config.backend() in metadata["backend"].split("; then ")[-1]
    assert metadata["hardware"] == f"{before['hardware']}; then test machine"
    # Other patches than the preset's: its data, then this sitting's.
    assert metadata["data"].startswith(before["data"] + "; then ")
    assert "random 32x32 HR patches" in metadata["data"].split("; then ")[-1]

    # Two tiny steps from the preset: close to its weights, yet moved.
    old = zoo.from_preset("espcn_x2").get_weights()
    new = zoo.from_preset(str(out)).get_weights()
    drift = max(float(np.max(np.abs(a - b))) for a, b in zip(old, new))
    assert 0 < drift < 1e-3
    # The val numbers come from the fine-tuned weights, near the preset's.
    assert abs(metadata["metrics"]["val"]["mean_psnr"]
               - before["metrics"]["val"]["mean_psnr"]) < 0.1


def test_resume_from_another_architecture_says_so(run_recipe, tmp_path):
    with pytest.raises(SystemExit, match="--resume espcn_x4: its weights do not fit"):
        run_recipe("espcn_x2", *SMALL, "--resume", "espcn_x4",
                   "--output", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_resume_into_the_same_folder_keeps_its_history(run_recipe, tmp_path):
    # As the recipes' docstrings do it: `--resume espcn_x2` writing to itself.
    preset = tmp_path / "espcn_x2"
    zoo.from_preset("espcn_x2").save_to_preset(str(preset))
    (preset / "metadata.json").write_text(
        json.dumps({**json.loads((preset / "metadata.json").read_text()),
                    **{k: zoo.list_presets()["espcn_x2"][k]
                       for k in ("steps", "command", "hardware", "backend")}})
    )
    before = json.loads((preset / "metadata.json").read_text())
    run_recipe("espcn_x2", *SMALL, "--resume", str(preset), "--hardware",
               before["hardware"].split("; then ")[-1], "--output", str(preset))
    metadata = json.loads((preset / "metadata.json").read_text())
    assert metadata["steps"] == before["steps"] + 2
    assert metadata["command"].startswith(before["command"] + " && ")
    assert metadata["hardware"] == before["hardware"]  # the same machine: not repeated
