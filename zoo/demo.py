"""`zoo demo`: one labelled example per task with an embedded preset, offline.

For each task with an embedded preset, the demo degrades a crop of a val
image (`zoo.data.load_natural_images("val")`, about 256x256 so it runs in
seconds on a laptop CPU), restores it and writes one side-by-side figure,
`<task>_<preset>.png`: degraded input | restored | reference, each titled
with its PSNR, and prints the input and output PSNR.

| task | degradation | preset (first embedded one) |
| --- | --- | --- |
| denoise | Gaussian noise, sigma 25 | `dncnn_color_blind` |
| super_resolution | Pillow bicubic x4 (shown bicubic-upscaled) | `edsr_x4`, `espcn_x4` |
| deblur | protocol Gaussian blur (sigma 2) + noise sigma 2 | `nafnet_deblur` |
| inpaint | seeded free-form mask (holes shown white) | `inpaint_unet` |
| text_to_image | 4 shapes prompts x 3 samples, seed 0: a grid, prompts under images | first one |

PSNRs follow DESIGN.md (super-resolution: Y channel, border = scale).
A task without an embedded preset is skipped with a one-line note. To cover a new
task, write `def _my_task_example(name, output_dir) -> Example` and add it
to `EXAMPLES` (and its preferred presets to `DEMO_PRESETS`).

Example:
```python
import zoo.demo
zoo.demo.run("outputs")            # outputs/denoise_dncnn_color_blind.png, ...
zoo.demo.run("outputs", tasks=["inpaint"])
zoo.demo.text_to_image_example("my_gan_preset_dir", "outputs")  # any preset handle
```
"""

from pathlib import Path
from typing import NamedTuple

import numpy as np

from zoo.cli import console_text, save_image

CROP = 256  # side of the val crop each example restores
DENOISE_IMAGE = "chelsea"
DENOISE_SIGMA = 25
SR_IMAGE = "coffee"
DEBLUR_IMAGE = "camera"
DEBLUR_KERNEL = "gauss2"  # zoo.data.blur_protocol: Gaussian sigma 2, noise sigma 2
INPAINT_IMAGE = "chelsea"
INPAINT_COVERAGE = (0.15, 0.3)
# Captioned-shapes prompts; the magenta triangle is a pair held out of training.
TEXT_TO_IMAGE_PROMPTS = (
    "a large red circle above a small blue square",
    "a small green triangle on the left",
    "a big yellow square at the bottom",
    "a magenta triangle in the center",
)
TEXT_TO_IMAGE_SAMPLES = 3  # images per prompt (one row each)
TEXT_TO_IMAGE_SEED = 0
LABEL_SIZE = 14
PAD = 8

# task -> presets to show, best first; when none of them is embedded, the
# first embedded preset of the task is used.
DEMO_PRESETS = {
    "denoise": ("dncnn_color_blind",),
    "super_resolution": ("edsr_x4", "espcn_x4", "edsr_x2", "espcn_x2"),
    "deblur": ("nafnet_deblur",),
    "inpaint": ("inpaint_unet",),
    "text_to_image": ("text_gan_tiny",),  # the better-scoring one, and no MiniLM to load
}


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


def _val_crop(image_name, multiple=1):
    """A centred crop of a val image, at most `CROP` square, sides a multiple of `multiple`."""
    from zoo.data import load_natural_images

    image = load_natural_images("val")[image_name]
    height, width = (min(CROP, side) // multiple * multiple for side in image.shape[:2])
    top, left = (image.shape[0] - height) // 2, (image.shape[1] - width) // 2
    return image[top : top + height, left : left + width]


def _stem(name):
    """A file-name-safe stem for a preset name or directory."""
    stem = Path(str(name).rstrip("/\\")).name or "preset"
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)


def _write(task, name, panels, summary, output_dir):
    figure = comparison_figure(panels)
    path = save_image(figure, Path(output_dir) / f"{task}_{_stem(name)}.png")
    return Example([path], f"{summary}; see {path}")


def _denoise_example(name, output_dir):
    import zoo
    from zoo.data import add_gaussian_noise
    from zoo.metrics import psnr

    clean = _val_crop(DENOISE_IMAGE)
    noisy = add_gaussian_noise(clean, DENOISE_SIGMA, seed=0)
    restored = zoo.from_preset(name).restore(noisy)
    # DESIGN.md protocol: PSNR of the unclipped float input (clipped and
    # rounded by `psnr`), so the numbers match the preset's metadata.
    psnr_in, psnr_out = psnr(clean, noisy), psnr(clean, restored)
    panels = [
        (f"noisy σ={DENOISE_SIGMA} (PSNR {psnr_in:.2f} dB)", _to_uint8(noisy)),
        (f"{_stem(name)} (PSNR {psnr_out:.2f} dB)", restored),
        ("clean", clean),
    ]
    summary = (
        f"denoise: {_stem(name)} on {DENOISE_IMAGE} with noise σ={DENOISE_SIGMA}, "
        f"PSNR {psnr_in:.2f} dB -> {psnr_out:.2f} dB"
    )
    return _write("denoise", name, panels, summary, output_dir)


def _super_resolution_example(name, output_dir):
    from PIL import Image

    import zoo
    from zoo.data import bicubic_downsample_pil
    from zoo.metrics import psnr

    model = zoo.from_preset(name)
    scale = model.scale
    high = _val_crop(SR_IMAGE, multiple=scale)
    low = bicubic_downsample_pil(high, scale)
    bicubic = np.asarray(Image.fromarray(low).resize(high.shape[1::-1], Image.BICUBIC))
    restored = model.restore(low)
    psnr_in = psnr(high, bicubic, crop_border=scale, y_channel=True)
    psnr_out = psnr(high, restored, crop_border=scale, y_channel=True)
    panels = [
        (f"bicubic x{scale} (Y-PSNR {psnr_in:.2f} dB)", bicubic),
        (f"{_stem(name)} (Y-PSNR {psnr_out:.2f} dB)", restored),
        ("high-res", high),
    ]
    summary = (
        f"super_resolution: {_stem(name)} on {SR_IMAGE}, x{scale} from "
        f"{low.shape[1]}x{low.shape[0]}, Y-PSNR bicubic {psnr_in:.2f} dB -> {psnr_out:.2f} dB"
    )
    return _write("super_resolution", name, panels, summary, output_dir)


def _deblur_example(name, output_dir):
    import zoo
    from zoo.data import blur_protocol
    from zoo.metrics import psnr

    sharp = _val_crop(DEBLUR_IMAGE)
    blurred = blur_protocol(sharp, DEBLUR_KERNEL, seed=0)
    restored = zoo.from_preset(name).restore(blurred)
    psnr_in, psnr_out = psnr(sharp, blurred), psnr(sharp, restored)
    panels = [
        (f"blurred Gaussian σ=2 (PSNR {psnr_in:.2f} dB)", _to_uint8(blurred)),
        (f"{_stem(name)} (PSNR {psnr_out:.2f} dB)", restored),
        ("sharp", sharp),
    ]
    summary = (
        f"deblur: {_stem(name)} on {DEBLUR_IMAGE} blurred by the protocol Gaussian "
        f"kernel, PSNR {psnr_in:.2f} dB -> {psnr_out:.2f} dB"
    )
    return _write("deblur", name, panels, summary, output_dir)


def _inpaint_example(name, output_dir):
    import zoo
    from zoo.data import free_form_mask
    from zoo.metrics import psnr

    clean = _val_crop(INPAINT_IMAGE)
    mask = free_form_mask(*clean.shape[:2], np.random.default_rng(0), INPAINT_COVERAGE)
    hole = mask > 0
    masked = clean.copy()
    masked[hole] = 255  # holes shown (and scored) white
    restored = zoo.from_preset(name).restore(masked, mask=mask)
    psnr_in, psnr_out = psnr(clean, masked), psnr(clean, restored)
    panels = [
        (f"{hole.mean():.0%} missing (PSNR {psnr_in:.2f} dB)", masked),
        (f"{_stem(name)} (PSNR {psnr_out:.2f} dB)", restored),
        ("original", clean),
    ]
    summary = (
        f"inpaint: {_stem(name)} on {INPAINT_IMAGE} with {hole.mean():.0%} of the pixels "
        f"missing (free-form mask), PSNR {psnr_in:.2f} dB -> {psnr_out:.2f} dB"
    )
    return _write("inpaint", name, panels, summary, output_dir)


def text_to_image_example(name, output_dir):
    """Generates `TEXT_TO_IMAGE_PROMPTS` with a text_to_image preset into one grid.

    Args:
        name: a preset handle (registered name, directory, URL).
        output_dir: where `text_to_image_<preset>.png` goes (created if needed).

    Returns:
        An `Example`: the grid's path and a one-line summary.

    Example:
    ```python
    zoo.demo.text_to_image_example("presets/my_gan", "outputs").paths
    ```
    """
    import zoo
    from zoo.cli import generated_figure
    from zoo.tasks import TextToImageGAN

    model = zoo.from_preset(name)
    if not isinstance(model, TextToImageGAN):
        raise ValueError(
            f"Preset {str(name)!r} holds a {type(model).__name__}, not a text_to_image model."
        )
    prompts = list(TEXT_TO_IMAGE_PROMPTS)
    images = model.generate(prompts, seed=TEXT_TO_IMAGE_SEED, num_per_prompt=TEXT_TO_IMAGE_SAMPLES)
    grid = generated_figure(images, prompts, TEXT_TO_IMAGE_SAMPLES)
    path = save_image(grid, Path(output_dir) / f"text_to_image_{_stem(name)}.png")
    size = model.image_size
    summary = (
        f"text_to_image: {_stem(name)}, {len(prompts)} prompts x {TEXT_TO_IMAGE_SAMPLES} "
        f"samples at {size}x{size} (seed {TEXT_TO_IMAGE_SEED}); see {path}"
    )
    return Example([path], summary)


# task -> example; a task without one is skipped.
EXAMPLES = {
    "denoise": _denoise_example,
    "super_resolution": _super_resolution_example,
    "deblur": _deblur_example,
    "inpaint": _inpaint_example,
    "text_to_image": text_to_image_example,
}


def demo_presets(tasks=None):
    """The preset each task's example uses: `{task: name}`, embedded ones only.

    Args:
        tasks: the tasks to cover (default: every task of `EXAMPLES`).

    Example:
    >>> zoo.demo.demo_presets(["denoise"])
    {'denoise': 'dncnn_color_blind'}
    """
    import zoo

    tasks = list(EXAMPLES) if tasks is None else list(tasks)
    unknown = [t for t in tasks if t not in EXAMPLES]
    if unknown:
        raise ValueError(f"`tasks` must be among {list(EXAMPLES)}. Received: {unknown}")
    available = zoo.list_presets()
    chosen = {}
    for task in tasks:
        preferred = [n for n in DEMO_PRESETS.get(task, ()) if n in available]
        others = [n for n, meta in available.items() if meta.get("task") == task]
        if preferred or others:
            chosen[task] = (preferred or others)[0]
    return chosen


def run(output_dir="outputs", tasks=None):
    """Writes one labelled figure per task that has an embedded preset.

    Args:
        output_dir: where to write the figures (created if needed).
        tasks: the tasks to show (default: all of `EXAMPLES`).

    Returns:
        The paths written, one per task shown. A task with no embedded
        preset prints one line and is skipped.

    Example:
    ```python
    zoo.demo.run("outputs")  # prints the input and output PSNR per task
    ```
    """
    chosen = demo_presets(tasks)
    written = []
    for task in EXAMPLES if tasks is None else tasks:
        if task not in chosen:
            print(console_text(f"{task}: skipped, no embedded preset yet"))
            continue
        result = EXAMPLES[task](chosen[task], output_dir)
        print(console_text(result.summary))
        written.extend(result.paths)
    return written
