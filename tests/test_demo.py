import numpy as np
from PIL import Image

import zoo
from zoo import demo


def test_examples_cover_the_embedded_presets():
    assert "denoise" in demo.EXAMPLES
    tasks = {meta["task"] for meta in zoo.list_presets().values()}
    assert tasks & set(demo.EXAMPLES)


def test_comparison_figure_mixes_sizes_and_modes():
    gray = np.zeros((20, 30), np.uint8)
    rgb = np.full((40, 10, 3), 255, np.uint8)
    figure = demo.comparison_figure([("noisy σ=25 (PSNR 1.00 dB)", gray), ("b", rgb)])
    assert figure.mode == "RGB"
    assert figure.height > 40
    # The first column is at least as wide as its label.
    assert figure.width > 30 + 10


def test_run_writes_input_output_and_comparison(tmp_path, capsys):
    paths = demo.run(str(tmp_path / "outputs"))
    name = "dncnn_color_blind"
    expected = [
        str(tmp_path / "outputs" / f"{name}_{kind}.png")
        for kind in ("input", "output", "comparison")
    ]
    assert paths == expected
    noisy, restored, figure = (Image.open(p) for p in paths)
    clean = zoo.data.load_natural_images("val")["chelsea"]
    assert noisy.size == restored.size == (clean.shape[1], clean.shape[0])
    assert figure.width > 3 * noisy.width
    assert figure.height > noisy.height
    summary = [line for line in capsys.readouterr().out.splitlines() if name in line]
    assert len(summary) == 1 and "PSNR" in summary[0]
