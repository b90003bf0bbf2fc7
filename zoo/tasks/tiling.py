"""Tiled inference: restore images of any size in bounded memory."""

import math

import numpy as np

from zoo.arguments import check_int


def _pad_to(image, top, left, bottom, right):
    # "reflect" keeps edges natural; numpy repeats the reflection when a pad is
    # wider than the image, so tiny images work too.
    mode = "reflect" if min(image.shape[:2]) > 1 else "edge"
    return np.pad(image, ((top, bottom), (left, right), (0, 0)), mode=mode)


def _tile_starts(length, tile, core):
    """Tile origins along one axis: stride `core`, the last tile flush with the end."""
    if length <= tile:
        return [0]
    starts = list(range(0, length - tile, core))
    return starts + [length - tile]


def check_tiling(tile_size, overlap, batch_size=1, *, overlap_name="overlap"):
    """Raises unless `tile_size` and `batch_size` are positive ints, `overlap`
    an int >= 0 and `tile_size > 2 * overlap`; `overlap_name` is the caller's
    name of the overlap argument, for the messages."""
    check_int("tile_size", tile_size)
    check_int(overlap_name, overlap, minimum=0)
    check_int("batch_size", batch_size)
    if tile_size <= 2 * overlap:
        raise ValueError(
            f"`tile_size` ({tile_size}) must exceed twice `{overlap_name}` ({overlap}): "
            f"pass a larger `tile_size` or a smaller `{overlap_name}` (at most "
            f"{(tile_size - 1) // 2})."
        )


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

    Tiles lie inside the image and overlap; of each tile only the part at
    least `overlap` pixels away from the tile's inner edges is kept (pixels on
    the image's border come from the tile that touches it). So for a network
    whose receptive field radius is at most `overlap` the result equals
    running `fn` on the whole image at once, borders included. All tiles have
    one shape, so a compiled `fn` is traced once.

    Args:
        fn: maps a float32 batch `[B, h, w, C]` to `[B, h*scale, w*scale, C']`.
        image: float32 array `[H, W, C]`.
        scale: output size / input size.
        multiple: the model needs inputs whose sides are a multiple of this;
            the image is reflect-padded at the bottom and right to it.
        tile_size: side of the tiles fed to `fn` (rounded up to `multiple`),
            a positive int larger than `2 * overlap`.
        overlap: context pixels on each side of a tile's kept centre (int >= 0).
        batch_size: tiles per call of `fn` (positive int).
        progress: show a progress bar over the tiles.

    Returns:
        float32 array `[H*scale, W*scale, C']`.
    """
    check_tiling(tile_size, overlap, batch_size)
    height, width = image.shape[:2]
    tile_size = int(math.ceil(tile_size / multiple) * multiple)
    core = tile_size - 2 * overlap
    padded = _pad_to(image, 0, 0, -height % multiple, -width % multiple)
    padded_h, padded_w = padded.shape[:2]
    if padded_h <= tile_size and padded_w <= tile_size:
        out = fn(padded[None])[0]
        return out[: height * scale, : width * scale]

    tile_h, tile_w = min(tile_size, padded_h), min(tile_size, padded_w)
    rows = _tile_starts(padded_h, tile_h, core)
    cols = _tile_starts(padded_w, tile_w, core)
    origins = [(y, x) for y in rows for x in cols]
    out = None
    batches = range(0, len(origins), batch_size)
    if progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, desc="tiles", unit="batch")
    for start in batches:
        chunk = origins[start : start + batch_size]
        tiles = np.stack([padded[y : y + tile_h, x : x + tile_w] for y, x in chunk])
        results = fn(tiles)
        if out is None:
            out = np.zeros(
                (padded_h * scale, padded_w * scale, results.shape[-1]),
                dtype=np.float32,
            )
        for (y, x), result in zip(chunk, results):
            # Keep what lies `overlap` away from the tile's inner edges.
            top = 0 if y == 0 else overlap
            left = 0 if x == 0 else overlap
            bottom = tile_h if y + tile_h == padded_h else tile_h - overlap
            right = tile_w if x + tile_w == padded_w else tile_w - overlap
            out[
                (y + top) * scale : (y + bottom) * scale,
                (x + left) * scale : (x + right) * scale,
            ] = result[top * scale : bottom * scale, left * scale : right * scale]
    return out[: height * scale, : width * scale]
