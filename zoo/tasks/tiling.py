"""Tiled inference: restore images of any size in bounded memory."""

import math

import numpy as np


def _pad_to(image, top, left, bottom, right):
    # "reflect" keeps edges natural; numpy repeats the reflection when a pad is
    # wider than the image, so tiny images work too.
    mode = "reflect" if min(image.shape[:2]) > 1 else "edge"
    return np.pad(image, ((top, bottom), (left, right), (0, 0)), mode=mode)


def tiled_apply(
    fn,
    image,
    *,
    scale=1,
    multiple=1,
    tile_size=512,
    overlap=32,
    batch_size=4,
    progress=False,
):
    """Applies an image-to-image `fn` to `image` tile by tile.

    Tiles overlap by `overlap` pixels on each side and only their centres are
    kept, so for a network whose receptive field radius is at most `overlap`
    the result equals running on the whole image at once. All tiles have one
    shape, so a compiled `fn` is traced once.

    Args:
        fn: maps a float32 batch `[B, h, w, C]` to `[B, h*scale, w*scale, C']`.
        image: float32 array `[H, W, C]`.
        scale: output size / input size.
        multiple: the model needs inputs whose sides are a multiple of this.
        tile_size: side of the tiles fed to `fn` (rounded up to `multiple`).
        overlap: context pixels on each side of a tile's kept centre.
        batch_size: tiles per call of `fn`.
        progress: show a progress bar over the tiles.

    Returns:
        float32 array `[H*scale, W*scale, C']`.
    """
    height, width = image.shape[:2]
    tile_size = int(math.ceil(tile_size / multiple) * multiple)
    if height <= tile_size and width <= tile_size:
        padded = _pad_to(
            image, 0, 0, -height % multiple, -width % multiple
        )
        out = fn(padded[None])[0]
        return out[: height * scale, : width * scale]

    core = tile_size - 2 * overlap
    if core <= 0:
        raise ValueError(
            f"`tile_size` ({tile_size}) must exceed twice `overlap` ({overlap})."
        )
    rows = math.ceil(height / core)
    cols = math.ceil(width / core)
    padded = _pad_to(
        image,
        overlap,
        overlap,
        rows * core - height + overlap,
        cols * core - width + overlap,
    )
    origins = [(r * core, c * core) for r in range(rows) for c in range(cols)]
    out = None
    batches = range(0, len(origins), batch_size)
    if progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, desc="tiles", unit="batch")
    for start in batches:
        chunk = origins[start : start + batch_size]
        tiles = np.stack(
            [padded[y : y + tile_size, x : x + tile_size] for y, x in chunk]
        )
        results = fn(tiles)
        if out is None:
            out = np.zeros(
                (rows * core * scale, cols * core * scale, results.shape[-1]),
                dtype=np.float32,
            )
        lo, hi = overlap * scale, (overlap + core) * scale
        for (y, x), result in zip(chunk, results):
            out[y * scale : (y + core) * scale, x * scale : (x + core) * scale] = (
                result[lo:hi, lo:hi]
            )
    return out[: height * scale, : width * scale]
