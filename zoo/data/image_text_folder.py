"""Captioned image folders (the Hugging Face `imagefolder` convention)."""

import json
from os import PathLike
from pathlib import Path

import numpy as np
from PIL import Image

from zoo.data.image_folder import read_image


def _image_size(image_size) -> tuple[int, int] | None:
    if image_size is None:
        return None
    size = (image_size, image_size) if np.isscalar(image_size) else tuple(image_size)
    if len(size) != 2 or not all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in size
    ):
        raise ValueError(
            "`image_size` must be a positive integer or a (height, width) pair, "
            f"got {image_size!r}."
        )
    return int(size[0]), int(size[1])


def _rgb(image: np.ndarray) -> np.ndarray:
    return np.repeat(image[..., None], 3, axis=-1) if image.ndim == 2 else image


def image_text_folder(
    path: str | PathLike, image_size: int | tuple[int, int] | None = None
) -> tuple[list[np.ndarray] | np.ndarray, list[str]]:
    """Read a folder of images captioned by its `metadata.jsonl`.

    Each non-empty line of `metadata.jsonl` is a JSON object with a
    `file_name` (relative to the folder) and a `text`; other keys are
    ignored. Images are read as RGB uint8 (grayscale replicated, alpha
    dropped), in the order of the lines.

    Args:
        path: the folder.
        image_size: resize every image to this size (an int for squares or
            `(height, width)`) with Pillow's bicubic filter and stack them;
            `None` keeps each image's own size.

    Returns:
        `(images, texts)`: a list of `HxWx3` uint8 arrays (a
        `[N, height, width, 3]` array when `image_size` is given) and the
        list of captions.

    Example:
    >>> # my_set/metadata.jsonl: {"file_name": "0001.png", "text": "a red circle"}
    >>> images, texts = image_text_folder("my_set/", image_size=64)
    >>> images.shape, texts[0]
    ((1, 64, 64, 3), 'a red circle')
    """
    size = _image_size(image_size)
    folder = Path(path)
    if not folder.is_dir():
        raise ValueError(f"`path` is not a folder: {str(folder)!r}.")
    metadata = folder / "metadata.jsonl"
    if not metadata.is_file():
        raise ValueError(
            f"`path` {str(folder)!r} has no metadata.jsonl (one "
            '{"file_name": ..., "text": ...} JSON object per line).'
        )
    images, texts = [], []
    # utf-8-sig also reads files saved with a byte-order mark (Windows Notepad).
    # Split on "\n" only: captions may hold U+2028 or U+0085, legal in JSON
    # strings, which `str.splitlines` would split on.
    lines = [line.rstrip("\r") for line in metadata.read_text(encoding="utf-8-sig").split("\n")]
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"line {number} of metadata.jsonl in `path`={str(folder)!r}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"Bad JSON on {where}: {error.msg}.") from error
        if not isinstance(record, dict):
            raise ValueError(f"Expected a JSON object on {where}, got {line!r}.")
        file_name, text = record.get("file_name"), record.get("text")
        if not isinstance(file_name, str) or not isinstance(text, str):
            raise ValueError(
                "Expected a string 'file_name' and a string 'text' on "
                f"{where}, got {line.strip()!r}."
            )
        file = folder / file_name
        if not file.is_file():
            raise ValueError(f"Missing image {file_name!r} named on {where}.")
        image = _rgb(read_image(file, keep_alpha=False))
        if size is not None and image.shape[:2] != size:
            pil = Image.fromarray(image).resize((size[1], size[0]), Image.BICUBIC)
            image = np.asarray(pil)
        images.append(image)
        texts.append(text)
    if not images:
        raise ValueError(f"The metadata.jsonl of `path` {str(folder)!r} is empty.")
    if size is not None:
        return np.stack(images), texts
    return images, texts
