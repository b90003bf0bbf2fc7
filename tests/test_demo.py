"""zoo.demo: one labelled figure per task, on a small crop to stay fast."""

import keras
import numpy as np
import pytest
from PIL import Image

import zoo
from zoo import demo

TASKS = {"denoise", "super_resolution", "deblur", "inpaint", "text_to_image"}


@pytest.fixture
def small_crop(monkeypatch):
    monkeypatch.setattr(demo, "CROP", 64)


def _figure_ok(path, crop=64):
    with Image.open(path) as figure:
        assert figure.mode == "RGB"
        assert figure.width > 3 * crop  # three panels side by side
        assert figure.height > crop  # plus the titles


def test_examples_cover_every_task():
    assert set(demo.EXAMPLES) == TASKS
    chosen = demo.demo_presets()
    embedded = zoo.list_presets()
    for task, name in chosen.items():
        assert embedded[name]["task"] == task
    assert chosen["denoise"] == "dncnn_color_blind"
    if "inpaint_unet" in embedded:
        assert chosen["inpaint"] == "inpaint_unet"


def test_demo_presets_prefers_x4_and_skips_missing(monkeypatch):
    fake = {
        "espcn_x2": {"task": "super_resolution"},
        "espcn_x4": {"task": "super_resolution"},
        "dncnn_color_blind": {"task": "denoise"},
    }
    monkeypatch.setattr(zoo, "list_presets", lambda task=None: fake)
    assert demo.demo_presets() == {
        "denoise": "dncnn_color_blind",
        "super_resolution": "espcn_x4",
    }
    with pytest.raises(ValueError, match="tasks"):
        demo.demo_presets(["colorize"])


def test_comparison_figure_mixes_sizes_and_modes():
    gray = np.zeros((20, 30), np.uint8)
    rgb = np.full((40, 10, 3), 255, np.uint8)
    figure = demo.comparison_figure([("noisy σ=25 (PSNR 1.00 dB)", gray), ("b", rgb)])
    assert figure.mode == "RGB"
    assert figure.height > 40
    # The first column is at least as wide as its label.
    assert figure.width > 30 + 10


def test_run_writes_one_png_per_task(tmp_path, capsys, small_crop):
    out = tmp_path / "outputs"
    tasks = ["denoise", "super_resolution"]
    chosen = demo.demo_presets(tasks)
    paths = demo.run(str(out), tasks=tasks)
    assert paths == [str(out / f"{task}_{chosen[task]}.png") for task in tasks]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{task}_{chosen[task]}.png" for task in tasks
    )
    for path in paths:
        _figure_ok(path)
    lines = capsys.readouterr().out.splitlines()
    for task in tasks:
        line = next(line for line in lines if line.startswith(f"{task}:"))
        assert chosen[task] in line
        assert line.count("dB") == 2 and "->" in line  # input and output PSNR


def test_run_notes_a_task_without_preset(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(zoo, "list_presets", lambda task=None: {})
    assert demo.run(str(tmp_path), tasks=["deblur"]) == []
    assert "deblur: skipped" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def _tiny_preset(path, task):
    keras.utils.set_random_seed(0)
    if task == "deblur":
        model = zoo.models.NAFNetImageRestorer(
            backbone=zoo.models.NAFNetBackbone(
                width=4, enc_blocks=[1], middle_blocks=1, dec_blocks=[1]
            )
        )
    else:
        model = zoo.models.InpaintUNetInpainter(
            backbone=zoo.models.InpaintUNetBackbone(width=4, depth=1, dilations=[2])
        )
    return zoo.save_preset(model, path, task=task)


@pytest.mark.parametrize("task", ["deblur", "inpaint"])
def test_deblur_and_inpaint_examples(tmp_path, small_crop, task):
    preset = _tiny_preset(tmp_path / f"tiny_{task}", task)
    result = demo.EXAMPLES[task](preset, tmp_path / "out")
    assert result.paths == [str(tmp_path / "out" / f"{task}_tiny_{task}.png")]
    _figure_ok(result.paths[0])
    assert result.summary.startswith(f"{task}: tiny_{task} ")
    assert result.summary.count("dB") == 2


# text_to_image: a grid of generated images, or one line when no preset is embedded.


def _tiny_text_gan_preset(path):
    from zoo.text import TinyTextEncoder

    keras.utils.set_random_seed(0)
    encoder = TinyTextEncoder(sequence_length=12, hidden_dim=8, num_layers=1, num_heads=2,
                              intermediate_dim=16)
    gan = zoo.models.TextGANTextToImage.from_scratch(
        encoder, sequence_length=12, image_size=16, generator_width=4, discriminator_width=4,
        noise_dim=4, attention_resolutions=(), seed=0,
    )
    return gan.save_to_preset(str(path), task="text_to_image")


@pytest.fixture(scope="module")
def text_gan_preset(tmp_path_factory):
    return _tiny_text_gan_preset(tmp_path_factory.mktemp("presets") / "tiny_gan")


def test_text_to_image_example_writes_a_grid(tmp_path, text_gan_preset):
    from zoo.cli import generated_figure

    result = demo.text_to_image_example(text_gan_preset, tmp_path / "out")
    assert result.paths == [str(tmp_path / "out" / "text_to_image_tiny_gan.png")]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["text_to_image_tiny_gan.png"]
    prompts = list(demo.TEXT_TO_IMAGE_PROMPTS)
    images = zoo.from_preset(text_gan_preset).generate(
        prompts, seed=demo.TEXT_TO_IMAGE_SEED, num_per_prompt=demo.TEXT_TO_IMAGE_SAMPLES
    )
    expected = generated_figure(images, prompts, demo.TEXT_TO_IMAGE_SAMPLES)
    np.testing.assert_array_equal(np.asarray(Image.open(result.paths[0])), expected)
    assert result.summary.startswith("text_to_image: tiny_gan, 4 prompts x 3 samples")
    assert result.paths[0] in result.summary


def test_run_generates_with_a_text_to_image_preset(tmp_path, capsys, monkeypatch,
                                                   text_gan_preset):
    monkeypatch.setattr(demo, "demo_presets", lambda tasks=None: {"text_to_image": text_gan_preset})
    assert demo.run(str(tmp_path), tasks=["text_to_image"]) == [
        str(tmp_path / "text_to_image_tiny_gan.png")
    ]
    assert capsys.readouterr().out.startswith("text_to_image: tiny_gan, ")


def test_run_skips_text_to_image_without_preset(tmp_path, capsys, monkeypatch):
    embedded = zoo.list_presets()
    monkeypatch.setattr(
        zoo, "list_presets",
        lambda task=None: {n: m for n, m in embedded.items() if m.get("task") != "text_to_image"},
    )
    assert demo.run(str(tmp_path), tasks=["text_to_image"]) == []
    assert capsys.readouterr().out == "text_to_image: skipped, no embedded preset yet\n"
    assert list(tmp_path.iterdir()) == []


def test_text_to_image_example_refuses_a_restorer(tmp_path):
    with pytest.raises(ValueError, match="text_to_image"):
        demo.text_to_image_example("dncnn_color_blind", tmp_path)
    assert list(tmp_path.iterdir()) == []
