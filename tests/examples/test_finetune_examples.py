"""examples/finetune_*.py run end to end on a folder of images (so they can't rot).

Each script runs as `__main__` with its own command line, for 2 steps of
batch 2 on 16-pixel patches, starting from a tiny preset built here (the
embedded presets would only make it slower). The four run one after the
other in a single child Python, so TensorFlow is imported once, not four
times (that alone takes most of a minute on 2 busy cores).
"""

import json
import os
import re
import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

import zoo

SCRIPTS = {
    "denoise": "finetune_denoiser.py",
    "super_resolution": "finetune_super_resolution.py",
    "deblur": "finetune_deblur.py",
    "inpaint": "finetune_inpainting.py",
}


def _tiny_model(task):
    keras.utils.set_random_seed(0)
    if task == "denoise":
        return zoo.models.DnCNNImageRestorer(
            backbone=zoo.models.DnCNNBackbone(depth=3, filters=8),
            degradation=zoo.data.RandomGaussianNoise(sigma_range=(0, 55), seed=0),
        )
    if task == "super_resolution":
        return zoo.models.ESPCNImageRestorer(
            backbone=zoo.models.ESPCNBackbone(scale=2, filters=(8, 4))
        )
    if task == "deblur":
        return zoo.models.NAFNetImageRestorer(
            backbone=zoo.models.NAFNetBackbone(
                width=4, enc_blocks=[1], middle_blocks=1, dec_blocks=[1]
            ),
            degradation=zoo.data.RandomBlur(seed=0),
        )
    return zoo.models.InpaintUNetInpainter(
        backbone=zoo.models.InpaintUNetBackbone(width=4, depth=1, dilations=[2])
    )


# Runs each script given as JSON [{"task", "argv"}] as __main__, between markers.
DRIVER = """
import json, runpy, sys, traceback
for spec in json.loads(sys.argv[1]):
    print("=== start", spec["task"], flush=True)
    sys.argv = spec["argv"]
    try:
        runpy.run_path(spec["argv"][0], run_name="__main__")
        code = 0
    except SystemExit as exit:
        code = exit.code if isinstance(exit.code, int) else 1
    except Exception:
        traceback.print_exc()
        code = 1
    sys.stderr.flush()
    print("=== end", spec["task"], code, flush=True)
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory, repo_root):
    """Runs every script once: {task: (exit status, its output, its --output dir)}."""
    root = tmp_path_factory.mktemp("finetune")
    folder = root / "my_photos"
    folder.mkdir()
    rng = np.random.default_rng(0)
    coffee = zoo.data.load_natural_images("val")["coffee"]
    Image.fromarray(coffee[100:140, 200:248]).save(folder / "a.png")
    Image.fromarray(coffee[150:190, 300:340]).save(folder / "b.jpg")
    Image.fromarray(rng.integers(0, 256, (36, 44), dtype=np.uint8)).save(folder / "c.png")
    (folder / "notes.txt").write_text("not an image")
    specs, outputs = [], {}
    for task, script in SCRIPTS.items():
        preset = zoo.save_preset(_tiny_model(task), root / f"tiny_{task}", task=task)
        outputs[task] = root / f"tuned_{task}"
        argv = [
            str(repo_root / "examples" / script),
            "--images", str(folder), "--preset", preset, "--epochs", "1",
            "--output", str(outputs[task]), "--steps-per-epoch", "2", "--batch-size", "2",
            "--patch-size", "16",
        ] + (["--data-parallel"] if task == "deblur" else [])  # a one-device MirroredStrategy
        specs.append({"task": task, "argv": argv})
    # A patch that the x2 upscaler cannot halve: a one-line usage error.
    bad = [a.replace("tuned_super_resolution", "never") for a in specs[1]["argv"]]
    specs.append({"task": "bad_patch", "argv": bad[:-1] + ["15"]})
    outputs["bad_patch"] = root / "never"
    # An --output that holds the user's files: refused before any training.
    bad = [str(folder) if a == str(outputs["denoise"]) else a for a in specs[0]["argv"]]
    specs.append({"task": "bad_output", "argv": bad})
    outputs["bad_output"] = folder
    # A denoising preset given to the deblurring script: refused, not mislabelled.
    bad = [a.replace("tiny_deblur", "tiny_denoise").replace("tuned_deblur", "never")
           for a in specs[2]["argv"]]
    specs.append({"task": "wrong_task", "argv": bad})
    outputs["wrong_task"] = root / "never"
    env = dict(
        os.environ, KERAS_BACKEND="tensorflow", PYTHONPATH=str(repo_root),
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(specs)], cwd=root, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
    )
    results = {}
    for task in outputs:
        match = re.search(
            rf"=== start {task}\n(.*?)=== end {task} (\d+)\n", done.stdout, re.S
        )
        assert match, done.stdout[-3000:]
        results[task] = (int(match.group(2)), match.group(1), outputs[task])
    return results


@pytest.mark.parametrize("task", list(SCRIPTS))
def test_finetune_script_writes_a_loadable_preset(runs, task):
    returncode, log, output = runs[task]
    assert returncode == 0, log[-3000:]
    assert f"Saved {output}" in log
    assert "loss" in log  # it really trained
    tuned = zoo.from_preset(output)
    metadata = json.loads((output / "metadata.json").read_text())
    assert metadata["task"] == task
    assert "fine-tuned on" in metadata["description"]
    assert tuned.count_params() == _tiny_model(task).count_params()


@pytest.mark.parametrize("script", sorted(SCRIPTS.values()))
def test_finetune_script_documents_its_usage(repo_root, script):
    text = (repo_root / "examples" / script).read_text()
    doc = text.split('"""')[1]
    for flag in ("--images", "--output", "--preset", "--epochs"):
        assert flag in text
    assert f"examples/{script}" in doc


def test_finetune_script_rejects_a_bad_patch_size(runs):
    returncode, log, output = runs["bad_patch"]
    assert returncode == 2
    assert "--patch-size must be a multiple of 2" in log
    assert "Traceback" not in log
    assert not output.exists()


def _one_image_folder(root):
    folder = root / "my_photos"
    folder.mkdir()
    coffee = zoo.data.load_natural_images("val")["coffee"]
    Image.fromarray(coffee[100:140, 200:248]).save(folder / "a.png")
    return folder


def test_finetune_super_resolution_gan_script_writes_a_trained_preset(tmp_path, repo_root):
    """The adversarial SR example: 2 steps on the tiny x2 upscaler, saved as a preset."""
    script = repo_root / "examples" / "finetune_super_resolution_gan.py"
    doc = script.read_text().split('"""')[1]
    assert "examples/finetune_super_resolution_gan.py" in doc
    folder = _one_image_folder(tmp_path)
    start = _tiny_model("super_resolution")
    preset = zoo.save_preset(start, tmp_path / "tiny_x2", task="super_resolution")
    output = tmp_path / "tuned_gan"
    argv = [
        sys.executable, str(script), "--images", str(folder), "--preset", preset,
        "--epochs", "1", "--output", str(output), "--steps-per-epoch", "2",
        "--batch-size", "2", "--patch-size", "16", "--adversarial-weight", "0.01",
    ]
    env = dict(
        os.environ, KERAS_BACKEND="tensorflow", PYTHONPATH=str(repo_root),
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    done = subprocess.run(
        argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert f"Saved {output}" in done.stdout
    for name in ("d_loss", "g_loss", "feature_matching_loss"):
        assert name in done.stdout  # it really trained adversarially
    tuned = zoo.from_preset(output)
    metadata = json.loads((output / "metadata.json").read_text())
    assert metadata["task"] == "super_resolution"
    assert "adversarial" in metadata["description"]
    assert tuned.count_params() == start.count_params()
    moved = [
        not np.allclose(a, b)
        for a, b in zip(tuned.backbone.get_weights(), start.backbone.get_weights())
    ]
    assert any(moved), "the restorer's weights were fine-tuned"


@pytest.mark.backend
@pytest.mark.skipif(keras.config.backend() != "torch", reason="torchrun: torch only")
def test_finetune_script_under_torchrun_trains_on_two_processes(tmp_path, repo_root):
    """`torchrun --nproc-per-node=2 finetune_denoiser.py --data-parallel` on the CPU."""
    folder = _one_image_folder(tmp_path)
    start = _tiny_model("denoise")
    preset = zoo.save_preset(start, tmp_path / "tiny_denoise", task="denoise")
    output = tmp_path / "tuned"
    argv = [  # --standalone: a local rendezvous on a free port
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2",
        str(repo_root / "examples" / "finetune_denoiser.py"), "--data-parallel",
        "--images", str(folder), "--preset", preset, "--epochs", "1", "--output", str(output),
        "--steps-per-epoch", "2", "--batch-size", "4", "--patch-size", "16",
    ]
    env = dict(os.environ, KERAS_BACKEND="torch", PYTHONPATH=str(repo_root))
    done = subprocess.run(argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert done.stdout.count(f"Saved {output}") == 1  # process 0 alone writes
    tuned = zoo.from_preset(output)
    moved = [not np.allclose(a, b)
             for a, b in zip(tuned.backbone.get_weights(), start.backbone.get_weights())]
    assert any(moved)


def test_finetune_script_checks_output_before_training(runs):
    returncode, log, folder = runs["bad_output"]
    assert returncode == 2, log[-3000:]
    assert "--output: `preset_dir`" in log and "holds files" in log
    assert "loss" not in log and "Traceback" not in log  # nothing trained, nothing lost
    assert sorted(p.name for p in folder.iterdir()) == ["a.png", "b.jpg", "c.png", "notes.txt"]


def test_finetune_deblur_refuses_a_preset_that_does_not_blur(runs):
    returncode, log, output = runs["wrong_task"]
    assert returncode == 2, log[-3000:]
    assert "is not a restorer that blurs its own inputs" in log
    assert not output.exists()
