"""A PNG grid of generated samples, with their prompts, written during `fit`."""

import os

import keras
import numpy as np

from zoo.arguments import check_int


def _wrap(draw, font, text, width):
    """Splits `text` into lines no wider than `width` pixels."""
    lines = []
    for paragraph in text.splitlines() or [""]:
        words = paragraph.split()
        line = ""
        for word in words:
            candidate = f"{line} {word}".strip()
            if draw.textlength(candidate, font=font) <= width or not line:
                line = candidate
            else:
                lines.append(line)
                line = word
        lines.append(line)
    out = []
    for line in lines:  # a single word wider than the cell: cut it
        while line and draw.textlength(line, font=font) > width and len(line) > 1:
            cut = max(1, int(len(line) * width / draw.textlength(line, font=font)))
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return out


def image_grid(images, prompts, columns=None, scale=2, text_lines=3, padding=4):
    """uint8 images and their prompts -> one uint8 RGB grid image.

    Each image is enlarged `scale` times (nearest) and its prompt is written
    under it in Pillow's default font, wrapped to the cell width (at most
    `text_lines` lines).

    Example:
    ```python
    grid = image_grid(gan.generate(prompts, seed=0), prompts)
    PIL.Image.fromarray(grid).save("grid.png")
    ```
    """
    from PIL import Image, ImageDraw, ImageFont

    if columns is not None:
        columns = check_int("columns", columns)
    scale = check_int("scale", scale)
    text_lines = check_int("text_lines", text_lines)
    padding = check_int("padding", padding, minimum=0)
    if isinstance(prompts, str) or not all(isinstance(p, str) for p in prompts):
        raise TypeError(f"`prompts` must be a list of strings. Received: prompts={prompts!r}")
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[-1] != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"`images` must be uint8 [N, H, W, 3]. Received: {images.dtype} {images.shape}"
        )
    if len(prompts) != len(images):
        raise ValueError(f"`prompts` must hold {len(images)} strings, one per image.")
    count, height, width = images.shape[:3]
    columns = columns or int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / columns))
    cell_w, cell_h = width * scale, height * scale
    font = ImageFont.load_default()
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    left, top, right, bottom = probe.textbbox((0, 0), "Ag", font=font)
    line_h = bottom - top + 2
    text_h = line_h * text_lines
    grid = Image.new(
        "RGB",
        (columns * (cell_w + padding) + padding, rows * (cell_h + text_h + padding) + padding),
        (255, 255, 255),
    )
    draw = ImageDraw.Draw(grid)
    for i, (image, prompt) in enumerate(zip(images, prompts)):
        row, col = divmod(i, columns)
        x = padding + col * (cell_w + padding)
        y = padding + row * (cell_h + text_h + padding)
        tile = Image.fromarray(image).resize((cell_w, cell_h), Image.NEAREST)
        grid.paste(tile, (x, y))
        lines = _wrap(draw, font, prompt, cell_w)
        if len(lines) > text_lines:
            lines = lines[:text_lines]
            lines[-1] = lines[-1][: max(1, len(lines[-1]) - 3)] + "..."
        for j, line in enumerate(lines):
            draw.text((x, y + cell_h + 1 + j * line_h - top), line, fill=(0, 0, 0), font=font)
    return np.asarray(grid)


class SampleGrid(keras.callbacks.Callback):
    """Writes a PNG grid of samples for fixed prompts after every `every` epochs.

    Uses the same seed every time, so successive grids show how the same
    noise evolves. With a `GeneratorEMA`, the grid shows the averaged
    generator.

    Args:
        prompts: the prompts (each one a cell, its text under it).
        directory: where the PNGs go (created if missing).
        filename: pattern formatted with `epoch` (1-based); may name
            subdirectories of `directory` (created too).
        seed: seed of the samples' noise.
        every: write every `every` epochs (and after the last one).
        ema: a `GeneratorEMA` whose average to sample from, if any.
        columns, scale: the grid's layout (see `image_grid`).

    After each write, `paths` lists the files written so far.

    Example:
    ```python
    grid = zoo.training.SampleGrid(["a red circle", "a blue square"], "samples/")
    gan.fit(data, epochs=10, callbacks=[grid])   # samples/epoch_001.png, ...
    ```
    """

    def __init__(self, prompts, directory, filename="epoch_{epoch:03d}.png", seed=0, every=1,
                 ema=None, columns=None, scale=2):
        super().__init__()
        if isinstance(prompts, str) or not prompts or not all(isinstance(p, str) for p in prompts):
            raise ValueError("`prompts` must be a non-empty list of strings.")
        check_int("every", every)
        if columns is not None:
            columns = check_int("columns", columns)
        scale = check_int("scale", scale)
        if not isinstance(filename, str):
            raise TypeError(f"`filename` must be a str. Received: filename={filename!r}")
        try:
            filename.format(epoch=1)
        except (KeyError, IndexError, ValueError, AttributeError) as error:
            raise ValueError(
                "`filename` must be a pattern formatted with `epoch` only, "
                f"e.g. 'epoch_{{epoch:03d}}.png'. Received: filename={filename!r} ({error!r})"
            ) from None
        self.prompts = list(prompts)
        self.directory = os.fspath(directory)
        self.filename = filename
        self.seed = seed
        self.every = int(every)
        self.ema = ema
        self.columns = columns
        self.scale = scale
        self.paths = []
        self._last_epoch = None

    def write(self, epoch):
        """Generates the grid now and writes it for `epoch` (1-based)."""
        from PIL import Image

        model = self.model
        if self.ema is not None and self.ema.average is not None:
            with self.ema.swapped():
                images = model.generate(self.prompts, seed=self.seed)
        else:
            images = model.generate(self.prompts, seed=self.seed)
        grid = image_grid(images, self.prompts, columns=self.columns, scale=self.scale)
        path = os.path.join(self.directory, self.filename.format(epoch=epoch))
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        Image.fromarray(grid).save(path)
        self.paths.append(path)
        return path

    def on_epoch_end(self, epoch, logs=None):
        self._last_epoch = epoch
        if (epoch + 1) % self.every == 0:
            self.write(epoch + 1)

    def on_train_end(self, logs=None):
        if self._last_epoch is not None and (self._last_epoch + 1) % self.every:
            self.write(self._last_epoch + 1)
