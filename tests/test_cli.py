import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import zoo
from zoo.cli import main, main_metric, save_image
from zoo.data import add_gaussian_noise, load_natural_images
from zoo.metrics import psnr

PRESET = "dncnn_color_blind"
REPO_ROOT = Path(__file__).resolve().parents[1]


def run_cli(argv):
    """main(argv)'s exit status, argparse's SystemExit included."""
    try:
        return main(argv)
    except SystemExit as exit:
        return exit.code


def assert_one_line_error(err, *fragments):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("zoo: error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def clean_crop():
    return load_natural_images("val")["coffee"][:64, :64]


def noisy_uint8(image, sigma=25):
    noisy = add_gaussian_noise(image, sigma, seed=0)
    return np.clip(np.round(noisy * 255), 0, 255).astype(np.uint8)


# zoo list


def test_list_shows_preset_and_its_psnr(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert PRESET in out
    mean = zoo.list_presets()[PRESET]["metrics"]["val"]["sigma25"]["mean_psnr"]
    line = next(line for line in out.splitlines() if line.startswith(PRESET))
    assert "denoise" in line
    assert f"{mean:.2f} dB" in line
    assert "PSNR" in line


def test_list_task_filter(capsys):
    assert main(["list", "--task", "denoise"]) == 0
    assert PRESET in capsys.readouterr().out
    assert main(["list", "--task", "inpaint"]) == 0
    assert PRESET not in capsys.readouterr().out


def test_list_unknown_task(capsys):
    assert main(["list", "--task", "colorize"]) == 2
    assert_one_line_error(capsys.readouterr().err, "colorize")


def test_main_metric_generic_and_missing():
    assert main_metric({"task": "inpaint"}) == "-"
    assert main_metric({"task": "inpaint", "metrics": {}}) == "-"
    generic = {"task": "super_resolution", "metrics": {"val": {"x4": {"mean_psnr": 27.5}}}}
    assert main_metric(generic) == "PSNR x4 27.50 dB"
    other = {"task": "text_to_image", "metrics": {"val": {"judge_accuracy": 0.75}}}
    assert main_metric(other) == "judge_accuracy 0.75"


def test_python_dash_m_zoo_list():
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    done = subprocess.run(
        [sys.executable, "-m", "zoo", "list"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert PRESET in done.stdout


# zoo restore


def test_restore_denoises_a_png(tmp_path, capsys, clean_crop):
    noisy = noisy_uint8(clean_crop)
    src = tmp_path / "noisy.png"
    Image.fromarray(noisy).save(src)
    out = tmp_path / "new" / "dir" / "clean.png"
    assert main(["restore", "--preset", PRESET, str(src), "-o", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    restored = np.asarray(Image.open(out))
    assert restored.shape == clean_crop.shape
    assert psnr(clean_crop, restored) > psnr(clean_crop, noisy)
    assert sorted(p.name for p in out.parent.iterdir()) == ["clean.png"]


def test_restore_gray_png_stays_gray(tmp_path, clean_crop):
    gray = noisy_uint8(clean_crop.mean(axis=-1).astype(np.uint8))
    gray = np.concatenate([gray, gray[:, :36]], axis=1)  # 64x100: not square
    src = tmp_path / "gray.png"
    Image.fromarray(gray).save(src)
    out = tmp_path / "gray_out.png"
    argv = ["restore", "--preset", PRESET, str(src), "-o", str(out), "--tile-size", "72"]
    assert main(argv) == 0
    with Image.open(out) as image:
        assert image.mode == "L"
        assert image.size == (100, 64)


def test_restore_unknown_preset(tmp_path, capsys):
    src = tmp_path / "in.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src)
    argv = ["restore", "--preset", "dncnn_colour_blnd", str(src), "-o", str(tmp_path / "o.png")]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert_one_line_error(captured.err, "Unknown preset", PRESET)
    assert not (tmp_path / "o.png").exists()


def test_restore_missing_input(tmp_path, capsys):
    missing = tmp_path / "missing.png"
    argv = ["restore", "--preset", PRESET, str(missing), "-o", str(tmp_path / "o.png")]
    assert main(argv) == 2
    assert_one_line_error(capsys.readouterr().err, "not found", "missing.png")


def test_restore_unknown_output_extension(tmp_path, capsys):
    src = tmp_path / "in.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src)
    argv = ["restore", "--preset", PRESET, str(src), "-o", str(tmp_path / "out.xyz")]
    assert main(argv) == 2
    assert_one_line_error(capsys.readouterr().err, ".xyz")


def test_restore_mask_needs_an_inpainting_preset(tmp_path, capsys):
    src = tmp_path / "in.png"
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(src)
    argv = [
        "restore", "--preset", "espcn_x2", str(src), "-o", str(tmp_path / "o.png"),
        "--mask", str(src),
    ]
    assert main(argv) == 2
    assert_one_line_error(capsys.readouterr().err, "--mask", "inpainting", "espcn_x2")
    assert not (tmp_path / "o.png").exists()


@pytest.fixture(scope="module")
def inpaint_preset(tmp_path_factory):
    """A tiny inpainting preset directory (the embedded one is 4M params)."""
    import keras

    keras.utils.set_random_seed(0)
    model = zoo.models.InpaintUNetInpainter(
        backbone=zoo.models.InpaintUNetBackbone(width=4, depth=1, dilations=[2])
    )
    return zoo.save_preset(model, tmp_path_factory.mktemp("presets") / "tiny_inpaint")


def _inpaint_files(tmp_path, clean_crop, mask_size=(64, 64), mask_mode="L", fill=255):
    """in.png (a 64x64 crop) and mask.png (a soft-edged square of `fill`)."""
    Image.fromarray(clean_crop).save(tmp_path / "in.png")
    mask = np.zeros(mask_size[::-1], np.uint8)
    mask[16:40, 20:44] = fill
    mask[16:40, 19] = 100  # an antialiased edge: gray <= 127 is known
    mask[16:40, 44] = 180  # gray > 127 is missing
    Image.fromarray(mask).convert(mask_mode).save(tmp_path / "mask.png")
    return tmp_path / "in.png", tmp_path / "mask.png"


@pytest.mark.parametrize("mask_mode", ["L", "RGB"])
def test_restore_inpaints_with_a_mask(tmp_path, capsys, clean_crop, inpaint_preset, mask_mode):
    src, mask = _inpaint_files(tmp_path, clean_crop, mask_mode=mask_mode)
    out = tmp_path / "filled.png"
    argv = ["restore", "--preset", inpaint_preset, str(src), "--mask", str(mask), "-o", str(out)]
    assert main(argv) == 0
    assert str(out) in capsys.readouterr().out
    filled = np.asarray(Image.open(out))
    assert filled.shape == clean_crop.shape
    hole = np.zeros((64, 64), bool)
    hole[16:40, 20:45] = True
    np.testing.assert_array_equal(filled[~hole], clean_crop[~hole])
    assert np.any(filled[hole] != clean_crop[hole])


@pytest.mark.parametrize(
    "case, fragments",
    [
        ("no_mask", ["--mask is required", "inpainting"]),
        ("wrong_size", ["--mask", "48x64", "64x64", "same size"]),
        ("all_missing", ["--mask", "every pixel missing"]),
        ("not_an_image", ["--mask", "not an image"]),
        ("missing_file", ["--mask", "not found"]),
    ],
)
def test_restore_bad_masks(tmp_path, capsys, clean_crop, inpaint_preset, case, fragments):
    src, mask = _inpaint_files(
        tmp_path, clean_crop, mask_size=(48, 64) if case == "wrong_size" else (64, 64)
    )
    if case == "all_missing":
        Image.new("L", (64, 64), 255).save(mask)
    elif case == "not_an_image":
        mask.write_text("no pixels here")
    elif case == "missing_file":
        mask = tmp_path / "nowhere.png"
    out = tmp_path / "out.png"
    argv = ["restore", "--preset", inpaint_preset, str(src), "-o", str(out)]
    if case != "no_mask":
        argv += ["--mask", str(mask)]
    assert main(argv) == 2
    assert_one_line_error(capsys.readouterr().err, *fragments)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_restore_empty_mask_warns(tmp_path, capsys, clean_crop, inpaint_preset):
    src, mask = _inpaint_files(tmp_path, clean_crop, fill=0)
    Image.new("L", (64, 64), 0).save(mask)
    out = tmp_path / "out.png"
    argv = ["restore", "--preset", inpaint_preset, str(src), "--mask", str(mask), "-o", str(out)]
    assert main(argv) == 0
    assert "marks no pixel missing" in capsys.readouterr().err
    np.testing.assert_array_equal(np.asarray(Image.open(out)), clean_crop)


@pytest.mark.parametrize("value", ["0", "-3", "big"])
def test_restore_bad_tile_size(tmp_path, capsys, value):
    argv = ["restore", "--preset", PRESET, "in.png", "-o", "o.png", "--tile-size", value]
    assert run_cli(argv) == 2
    assert "--tile-size" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["-1", "big"])
def test_restore_bad_tile_overlap(tmp_path, capsys, value):
    argv = ["restore", "--preset", PRESET, "in.png", "-o", "o.png", "--tile-overlap", value]
    assert run_cli(argv) == 2
    assert "--tile-overlap" in capsys.readouterr().err


def test_restore_small_tile_says_how_to_fix_it(tmp_path, capsys, clean_crop):
    src, out = tmp_path / "in.png", tmp_path / "out.png"
    Image.fromarray(noisy_uint8(clean_crop)).save(src)
    argv = ["restore", "--preset", PRESET, str(src), "-o", str(out)]
    # The preset's overlap is 32: a 32-pixel tile has no core.
    assert run_cli(argv + ["--tile-size", "32"]) == 2
    assert_one_line_error(
        capsys.readouterr().err, "tile size 32", "overlap 32 (the preset's)",
        "--tile-overlap 15 or less",
    )
    assert not out.exists()
    # --tile-overlap is passed through: with the receptive radius (17) as
    # overlap, small tiles give the whole-image result (up to rounding).
    assert main(argv + ["--tile-size", "40", "--tile-overlap", "18"]) == 0
    tiled = np.asarray(Image.open(out)).astype(int)
    assert main(argv) == 0
    assert np.abs(tiled - np.asarray(Image.open(out))).max() <= 1


def test_save_image_leaves_no_half_file(tmp_path, monkeypatch):
    out = tmp_path / "keep.png"
    save_image(np.full((4, 4), 7, np.uint8), out)
    before = out.read_bytes()

    def broken_save(self, fp, *args, **kwargs):
        fp.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        save_image(np.zeros((4, 4, 3), np.uint8), out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["keep.png"]


def test_save_image_rgba_to_jpeg(tmp_path):
    path = save_image(np.full((4, 4, 4), 200, np.uint8), tmp_path / "a.jpg")
    with Image.open(path) as image:
        assert image.format == "JPEG" and image.mode == "RGB"


# zoo export


@pytest.mark.parametrize("value", ["64", "0x64", "ax64", "64x64x3", "64x-1"])
def test_export_bad_input_shape(tmp_path, capsys, value):
    argv = [
        "export", "--preset", PRESET, "--format", "litert",
        "-o", str(tmp_path / "m.tflite"), "--input-shape", value,
    ]
    assert run_cli(argv) == 2
    assert "--input-shape" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_export_quantize_needs_litert(tmp_path, capsys):
    argv = [
        "export", "--preset", PRESET, "--format", "tf_saved_model",
        "-o", str(tmp_path / "saved"), "--quantize", "dynamic_int8",
    ]
    assert main(argv) == 2
    assert_one_line_error(capsys.readouterr().err, "quantize")


def test_export_litert_with_check(tmp_path, capsys):
    out = tmp_path / "export" / "denoiser.tflite"
    argv = ["export", "--preset", PRESET, "--format", "litert", "-o", str(out), "--check"]
    assert main(argv) == 0
    assert out.is_file() and out.stat().st_size > 0
    stdout = capsys.readouterr().out
    match = re.search(r"max abs diff ([0-9.eE+-]+)", stdout)
    assert match, stdout
    assert float(match.group(1)) <= 1e-4


@pytest.mark.parametrize(
    "fmt, name, extra",
    [("litert", "inpaint.tflite", []), ("tf_saved_model", "inpaint_sm", ["--input-shape", "32x48"])],
)
def test_export_inpainter_with_check(tmp_path, capsys, inpaint_preset, fmt, name, extra):
    out = tmp_path / name
    argv = ["export", "--preset", inpaint_preset, "--format", fmt, "-o", str(out), "--check"]
    assert main(argv + extra) == 0
    assert out.exists()
    stdout = capsys.readouterr().out
    assert "images" in stdout and "masks" in stdout
    match = re.search(r"max abs diff ([0-9.eE+-]+)", stdout)
    assert match, stdout
    assert float(match.group(1)) <= 1e-4


# zoo generate and zoo export of a text_to_image preset

PROMPT = "a large red circle above a small blue square"


@pytest.fixture(scope="module")
def t2i_preset(tmp_path_factory):
    """A tiny text_to_image preset (16x16 images, a tiny trainable encoder)."""
    import keras

    from zoo.text import TinyTextEncoder

    keras.utils.set_random_seed(0)
    encoder = TinyTextEncoder(sequence_length=12, hidden_dim=8, num_layers=1, num_heads=2,
                              intermediate_dim=16)
    gan = zoo.models.TextGANTextToImage.from_scratch(
        encoder, sequence_length=12, image_size=16, generator_width=4, discriminator_width=4,
        noise_dim=4, attention_resolutions=(8,), seed=0,
    )
    path = tmp_path_factory.mktemp("presets") / "tiny_gan"
    gan.save_to_preset(str(path), task="text_to_image")
    return str(path)


@pytest.fixture(scope="module")
def t2i_model(t2i_preset):
    return zoo.from_preset(t2i_preset)


def test_generate_one_image(tmp_path, capsys, t2i_preset, t2i_model):
    out = tmp_path / "out" / "one.png"
    argv = ["generate", "--preset", t2i_preset, PROMPT, "-o", str(out), "--seed", "3"]
    assert main(argv) == 0
    stdout = capsys.readouterr().out
    assert str(out) in stdout and "1 image" in stdout and "seed 3" in stdout
    image = np.asarray(Image.open(out))
    np.testing.assert_array_equal(image, t2i_model.generate(PROMPT, seed=3))
    assert sorted(p.name for p in out.parent.iterdir()) == ["one.png"]


def test_generate_grid_with_prompts_under_images(tmp_path, capsys, t2i_preset, t2i_model):
    from zoo.cli import generated_figure

    prompts = [PROMPT, "green triangle, left"]
    out = tmp_path / "grid.jpg"
    argv = ["generate", "--preset", t2i_preset, *prompts, "-o", str(out), "--num", "3",
            "--seed", "1"]
    assert main(argv) == 0
    assert "6 images in a grid" in capsys.readouterr().out
    images = t2i_model.generate(prompts, seed=1, num_per_prompt=3)
    expected = generated_figure(images, prompts, 3)
    with Image.open(out) as grid:
        assert grid.size == (expected.shape[1], expected.shape[0])
    # Three columns (one row per prompt) of 2x-enlarged 16x16 images, text below.
    assert expected.shape[1] > 3 * 32 and expected.shape[0] > 2 * 32 + 20
    # The first cell is the first image, enlarged; white (text area) under the cells.
    np.testing.assert_array_equal(expected[4:36:2, 4:36:2], images[0])
    # One prompt with --num 4: a 2x2 grid.
    single = generated_figure(images[:4], [PROMPT], 4)
    assert single.shape[1] < expected.shape[1]


def test_generate_without_seed_prints_one(tmp_path, capsys, t2i_preset, t2i_model):
    out = tmp_path / "fresh.png"
    assert main(["generate", "--preset", t2i_preset, PROMPT, "-o", str(out)]) == 0
    seed = int(re.search(r"seed (\d+)", capsys.readouterr().out).group(1))
    np.testing.assert_array_equal(np.asarray(Image.open(out)),
                                  t2i_model.generate(PROMPT, seed=seed))


def test_python_dash_m_zoo_generate(tmp_path, t2i_preset, t2i_model, subprocess_env):
    """A fresh process loads the preset (its text encoder class included)."""
    out = tmp_path / "fresh.png"
    done = subprocess.run(
        [sys.executable, "-m", "zoo", "generate", "--preset", t2i_preset, PROMPT,
         "-o", str(out), "--seed", "2"],
        cwd=REPO_ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    np.testing.assert_array_equal(np.asarray(Image.open(out)),
                                  t2i_model.generate(PROMPT, seed=2))


@pytest.mark.parametrize(
    "case, fragments",
    [
        ("unknown_preset", ["Unknown preset", "tiny_gn"]),
        ("other_task", ["DnCNNImageRestorer", "text_to_image"]),
        ("no_prompt", ["No prompt"]),
        ("blank_prompt", ["Prompt 2 is empty"]),
        ("num_zero", ["--num", "at least 1"]),
        ("negative_seed", ["--seed", "non-negative"]),
        ("bad_extension", [".xyz"]),
    ],
)
def test_generate_errors(tmp_path, capsys, t2i_preset, case, fragments):
    out = tmp_path / ("out.xyz" if case == "bad_extension" else "out.png")
    preset = {"unknown_preset": "tiny_gn", "other_task": PRESET}.get(case, t2i_preset)
    prompts = {"no_prompt": [], "blank_prompt": [PROMPT, "  "]}.get(case, [PROMPT])
    argv = ["generate", "--preset", preset, *prompts, "-o", str(out)]
    argv += {"num_zero": ["--num", "0"], "negative_seed": ["--seed", "-1"]}.get(case, [])
    assert main(argv) == 2
    assert_one_line_error(capsys.readouterr().err, *fragments)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("fmt, name", [("litert", "g.tflite"), ("tf_saved_model", "g_sm")])
def test_export_text_to_image_with_check(tmp_path, capsys, t2i_preset, fmt, name):
    out = tmp_path / name
    argv = ["export", "--preset", t2i_preset, "--format", fmt, "-o", str(out), "--check"]
    assert main(argv) == 0
    assert out.exists()
    stdout = capsys.readouterr().out
    assert "token_ids 1x12" in stdout and "padding_mask 1x12" in stdout
    assert "noise 1x4" in stdout
    match = re.search(r"max abs diff ([0-9.eE+-]+)", stdout)
    assert match, stdout
    assert float(match.group(1)) <= 1e-4


def test_export_text_to_image_input_shape_is_an_error(tmp_path, capsys, t2i_preset):
    argv = ["export", "--preset", t2i_preset, "-o", str(tmp_path / "g.tflite"),
            "--input-shape", "16x16"]
    assert main(argv) == 2
    assert_one_line_error(capsys.readouterr().err, "input_shape", "text-to-image")
    assert list(tmp_path.iterdir()) == []


# zoo demo


def test_demo_command_calls_run(tmp_path, capsys, monkeypatch):
    import zoo.demo

    calls = []
    monkeypatch.setattr(zoo.demo, "run", lambda output_dir: calls.append(output_dir) or ["a"])
    assert main(["demo", "--output-dir", str(tmp_path)]) == 0
    assert calls == [str(tmp_path)]
    assert f"Wrote 1 file to {tmp_path}" in capsys.readouterr().out


def test_no_command_is_a_usage_error(capsys):
    assert run_cli([]) == 2
    assert "usage: zoo" in capsys.readouterr().err


def test_export_int8_float_layers(tmp_path, capsys):
    from zoo.quantization import int8_weight_scopes

    out = tmp_path / "d8.tflite"
    argv = ["export", "--preset", PRESET, "-o", str(out), "--quantize", "dynamic_int8",
            "--float-layers", "conv_in,conv_out"]
    assert main(argv) == 0
    scopes = int8_weight_scopes(out)
    assert len(scopes) == 15 and not any({"conv_in", "conv_out"} & s for s in scopes)
    bad = argv[:-1] + ["conv_in,not_a_layer"]
    bad[4] = str(tmp_path / "bad.tflite")
    assert main(bad) == 2
    assert_one_line_error(capsys.readouterr().err, "float_layers")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d8.tflite"]


def test_restore_self_ensemble(tmp_path, clean_crop):
    noisy = noisy_uint8(clean_crop)
    src = tmp_path / "noisy.png"
    Image.fromarray(noisy).save(src)
    single, ensembled = tmp_path / "single.png", tmp_path / "x8.png"
    assert main(["restore", "--preset", PRESET, str(src), "-o", str(single)]) == 0
    assert main(["restore", "--preset", PRESET, str(src), "-o", str(ensembled),
                 "--self-ensemble"]) == 0
    a, b = np.asarray(Image.open(single)), np.asarray(Image.open(ensembled))
    assert a.shape == b.shape == clean_crop.shape and not np.array_equal(a, b)
    assert psnr(clean_crop, b) > psnr(clean_crop, a)


def test_a_reader_that_leaves_early_is_not_an_error(subprocess_env):
    # `zoo list | head -1`: the pipe closes before zoo has written it all.
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "zoo", "list"], stdout=write, stderr=subprocess.PIPE,
            cwd=REPO_ROOT, env=subprocess_env(), text=True, timeout=300,
        )
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr
    assert "Broken pipe" not in done.stderr and "Traceback" not in done.stderr


def test_missing_optional_package_is_a_one_line_error(tmp_path, subprocess_env):
    # MiniLM's checkpoint missing: an ImportError that says how to install it.
    done = subprocess.run(
        [sys.executable, "-m", "zoo", "generate", "--preset", "text_gan_minilm",
         "a red circle", "-o", str(tmp_path / "out.png")],
        cwd=REPO_ROOT, env=subprocess_env(ZOO_MINILM_DIR=str(tmp_path)),
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 2, done.stderr
    # (TensorFlow may log a few lines of its own first.)
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("zoo: error: ") and "has no" in last and "pip install" in last
    assert not (tmp_path / "out.png").exists()


def test_wrote_line_on_an_ascii_console(tmp_path, clean_crop, subprocess_env):
    source = tmp_path / "ünï.png"
    Image.fromarray(noisy_uint8(clean_crop)).save(source)
    out = tmp_path / "out_ö.png"
    done = subprocess.run(
        [sys.executable, "-m", "zoo", "restore", "--preset", PRESET, str(source), "-o", str(out)],
        cwd=REPO_ROOT, env=subprocess_env(PYTHONIOENCODING="ascii"),
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Wrote" in done.stdout and out.is_file()


def test_an_image_past_pillows_bomb_guard_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    Image.new("RGB", (64, 64)).save(path)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 64x64 is past twice this
    with pytest.raises(ValueError, match="decompression bombs.*MAX_IMAGE_PIXELS = None"):
        zoo.data.read_image(path)


def test_check_preset_target_names_the_local_copy_of_a_registered_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert zoo.presets.check_preset_target("my_denoiser") == "my_denoiser"
    assert zoo.presets.check_preset_target(PRESET) == os.path.join(".", PRESET)
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.png").write_bytes(b"")
    with pytest.raises(ValueError, match="holds files"):
        zoo.presets.check_preset_target("photos")
