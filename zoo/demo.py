"""`zoo demo`: one worked example per embedded preset, offline.

Each task has an example function in `EXAMPLES`; `run` calls it for every
embedded preset of that task. An example loads its preset, runs it on a val
image that ships with the installed packages, writes its images and returns
what it wrote with a one-line summary. To cover a new task, write
`def _my_task_example(name, output_dir) -> Example` and add it to `EXAMPLES`.

Example:
```python
import zoo.demo
zoo.demo.run("outputs")  # outputs/dncnn_color_blind_comparison.png, ...
```
"""

from pathlib import Path
from typing import NamedTuple

import numpy as np

from zoo.cli import console_text, save_image

DENOISE_IMAGE = "chelsea"
DENOISE_SIGMA = 25
LABEL_SIZE = 14
PAD = 8


class Example(NamedTuple):
    """What one preset's example wrote, and a one-line summary of it."""

    paths: list
    summary: str


# --------------------------------------------------------------------------
# Figures


def _font():
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=LABEL_SIZE)
    except TypeError:  # Pillow < 10.1 or no FreeType: the small bitmap font.
        return ImageFont.load_default()


def _has_glyph(font, char):
    """Whether `font` draws `char` (rather than its "missing glyph" box)."""
    try:
        glyph = font.getmask(char)
        missing = font.getmask("\uffff")
    except (UnicodeEncodeError, UnicodeError, OSError):
        return False
    return not (
        glyph.size == missing.size
        and np.array_equal(np.asarray(glyph), np.asarray(missing))
    )


def _drawable(font, text):
    if "σ" in text and not _has_glyph(font, "σ"):
        text = text.replace("σ", "sigma")
    try:
        font.getmask(text)
    except UnicodeError:
        text = text.encode("latin-1", "replace").decode("latin-1")
    return text


def comparison_figure(panels):
    """Images side by side, each with a label above it.

    Args:
        panels: `[(label, uint8 image), ...]`; images may be gray or RGB(A)
            and of different sizes (they are top-aligned).

    Returns:
        An RGB PIL image.
    """
    from PIL import Image, ImageDraw

    font = _font()
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    items = []
    for label, image in panels:
        image = Image.fromarray(np.asarray(image)).convert("RGB")
        label = _drawable(font, label)
        left, top, right, bottom = probe.textbbox((0, 0), label, font=font)
        items.append((label, image, right - left, bottom - top, left, top))
    label_height = max(h for _, _, _, h, _, _ in items)
    widths = [max(image.width, text_w) for _, image, text_w, _, _, _ in items]
    height = PAD + label_height + PAD + max(item[1].height for item in items) + PAD
    width = PAD + sum(w + PAD for w in widths)
    figure = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(figure)
    x = PAD
    for (label, image, text_w, _, left, top), column in zip(items, widths):
        draw.text((x + (column - text_w) // 2 - left, PAD - top), label, fill="black", font=font)
        figure.paste(image, (x + (column - image.width) // 2, PAD + label_height + PAD))
        x += column + PAD
    return figure


def _to_uint8(image):
    return np.clip(np.round(np.asarray(image, np.float64) * 255.0), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------
# One example per task


def _denoise_example(name, output_dir):
    import zoo
    from zoo.data import add_gaussian_noise, load_natural_images
    from zoo.metrics import psnr

    clean = load_natural_images("val")[DENOISE_IMAGE]
    noisy = add_gaussian_noise(clean, DENOISE_SIGMA, seed=0)
    restored = zoo.from_preset(name).restore(noisy)
    # DESIGN.md protocol: PSNR of the unclipped float input (clipped and
    # rounded by `psnr`), so the numbers match the preset's metadata.
    psnr_in = psnr(clean, noisy)
    psnr_out = psnr(clean, restored)
    noisy = _to_uint8(noisy)
    figure = comparison_figure(
        [
            (f"noisy σ={DENOISE_SIGMA} (PSNR {psnr_in:.2f} dB)", noisy),
            (f"{name} (PSNR {psnr_out:.2f} dB)", restored),
            ("clean", clean),
        ]
    )
    output_dir = Path(output_dir)
    paths = [
        save_image(noisy, output_dir / f"{name}_input.png"),
        save_image(restored, output_dir / f"{name}_output.png"),
        save_image(figure, output_dir / f"{name}_comparison.png"),
    ]
    summary = (
        f"{name}: {DENOISE_IMAGE} with noise σ={DENOISE_SIGMA}, PSNR "
        f"{psnr_in:.2f} dB -> {psnr_out:.2f} dB; see {paths[-1]}"
    )
    return Example(paths, summary)


# task -> example; a task without one is skipped.
EXAMPLES = {
    "denoise": _denoise_example,
}


def run(output_dir="outputs"):
    """Runs the example of every embedded preset whose task has one.

    Args:
        output_dir: where to write the images (created if needed).

    Returns:
        The paths written.
    """
    import zoo

    written = []
    for name, metadata in zoo.list_presets().items():
        example = EXAMPLES.get(metadata.get("task"))
        if example is None:
            continue
        result = example(name, output_dir)
        print(console_text(result.summary))
        written.extend(result.paths)
    return written
