"""A judge for captioned-shape images: does an image show what its spec says?

It segments the objects (non-black pixels, 8-connected components, specks
ignored), names each one's colour (nearest `PALETTE` colour of its median
pixel), shape (nearest fill ratio of its bounding box: circle ~0.785, square
~1, triangle ~0.5), size (small when its longer box side is at most 19 px)
and position (from its box centre), and scores a sample correct when the
number of objects matches and every attribute the spec names holds.
"""

from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from zoo.data.captioned_shapes import PALETTE

BLACK_THRESHOLD = 60
MIN_PIXELS = 12
SMALL_MAX_EXTENT = 19
FILL_RATIOS = {"circle": np.pi / 4, "square": 1.0, "triangle": 0.5}

_COLOR_NAMES = tuple(PALETTE)
_COLOR_VALUES = np.array([PALETTE[name] for name in _COLOR_NAMES], np.float64)
_SHAPE_NAMES = tuple(FILL_RATIOS)
_SHAPE_RATIOS = np.array([FILL_RATIOS[name] for name in _SHAPE_NAMES])
_EIGHT_CONNECTED = np.ones((3, 3), bool)


def _check_image(image) -> np.ndarray:
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise TypeError(
            f"`image` must be a uint8 array (0-255), got dtype {image.dtype}."
        )
    if image.ndim != 3 or image.shape[-1] != 3:
        raise ValueError(f"`image` must have shape HxWx3, got {image.shape}.")
    return image


def describe(image: np.ndarray) -> list[dict]:
    """Detect the objects of a shapes image.

    Args:
        image: a uint8 `HxWx3` image on a black background.

    Returns:
        One dict per object (components of at least `MIN_PIXELS` pixels), in
        reading order: `color`, `shape`, `size`, `bbox` as
        `(top, left, bottom, right)` (bottom/right exclusive), `center` as
        `(x, y)`, `position`, `pixels` and `fill` (pixels / box area).

    Example:
    >>> scene = Scene((ShapeObject("red", "circle", "large"),), position="left")
    >>> image = render(scene, np.random.default_rng(0))
    >>> [(o["color"], o["shape"], o["size"], o["position"]) for o in describe(image)]
    [('red', 'circle', 'large', 'left')]
    """
    image = _check_image(image)
    mask = image.max(axis=-1) > BLACK_THRESHOLD
    labels, count = ndimage.label(mask, structure=_EIGHT_CONNECTED)
    if count == 0:
        return []
    pixels = np.bincount(labels.ravel(), minlength=count + 1)
    height, width = mask.shape
    objects = []
    for index, slices in enumerate(ndimage.find_objects(labels), start=1):
        if pixels[index] < MIN_PIXELS:
            continue
        rows, cols = slices
        top, bottom, left, right = rows.start, rows.stop, cols.start, cols.stop
        box_h, box_w = bottom - top, right - left
        region = labels[slices] == index
        median = np.median(image[slices][region], axis=0)
        color = _COLOR_NAMES[
            int(np.argmin(((_COLOR_VALUES - median) ** 2).sum(axis=1)))
        ]
        fill = pixels[index] / (box_h * box_w)
        shape = _SHAPE_NAMES[int(np.argmin(np.abs(_SHAPE_RATIOS - fill)))]
        center = ((left + right) / 2, (top + bottom) / 2)
        objects.append(
            {
                "color": color,
                "shape": shape,
                "size": "small" if max(box_h, box_w) <= SMALL_MAX_EXTENT else "large",
                "bbox": (top, left, bottom, right),
                "center": center,
                "position": position_of(center, (height, width)),
                "pixels": int(pixels[index]),
                "fill": float(fill),
            }
        )
    return objects


def position_of(center: tuple[float, float], image_shape: tuple[int, int]) -> str:
    """The position word for a box centre `(x, y)` in an `(height, width)` image.

    `"center"` when the centre lies in the middle third both ways, else the
    side it is furthest off-centre towards (`"left"`, `"right"`, `"top"`,
    `"bottom"`).

    Example:
    >>> position_of((10, 30), (64, 64))
    'left'
    """
    height, width = image_shape
    dx = (center[0] - width / 2) / width
    dy = (center[1] - height / 2) / height
    if abs(dx) <= 1 / 6 and abs(dy) <= 1 / 6:
        return "center"
    if abs(dx) >= abs(dy):
        return "left" if dx < 0 else "right"
    return "top" if dy < 0 else "bottom"


def relation_of(first: dict, second: dict) -> str:
    """The relation of `first` to `second` (objects from `describe`).

    Decided by the offset of their box centres: `"above"` / `"below"` when
    it is mostly vertical, else `"left of"` / `"right of"`.

    Example:
    >>> relation_of({"center": (10, 10)}, {"center": (12, 40)})
    'above'
    """
    dx = first["center"][0] - second["center"][0]
    dy = first["center"][1] - second["center"][1]
    if abs(dy) > abs(dx):
        return "above" if dy < 0 else "below"
    return "left of" if dx < 0 else "right of"


# What `judge_errors` can report, in the order it reports them.
ERRORS = ("missing object", "extra object", "color", "shape", "size", "position", "relation")


def _wrong(found: dict, wanted: dict) -> list[str]:
    return [key for key in ("color", "shape", "size") if key in wanted and found[key] != wanted[key]]


def _check_spec(spec: dict) -> list[dict]:
    if not isinstance(spec, dict) or not spec.get("objects"):
        raise ValueError(
            f"`spec` must be a dict with a non-empty 'objects' list, got {spec!r}."
        )
    return spec["objects"]


def _pairing_errors(pairs: list[tuple[dict, dict]], spec: dict) -> tuple[str, ...]:
    errors = set()
    for wanted, found in pairs:
        errors.update(_wrong(found, wanted))
    if len(pairs) == 1 and "position" in spec and pairs[0][1]["position"] != spec["position"]:
        errors.add("position")
    if len(pairs) == 2 and "relation" in spec:
        if relation_of(pairs[0][1], pairs[1][1]) != spec["relation"]:
            errors.add("relation")
    return tuple(e for e in ERRORS if e in errors)


def _best_pairing(found: list[dict], spec: dict):
    wanted = _check_spec(spec)
    if len(found) != len(wanted):
        return None, (("missing object",) if len(found) < len(wanted) else ("extra object",))
    if len(wanted) > 2:
        raise ValueError(f"`spec` names 1 or 2 objects, got {len(wanted)}.")
    orders = [found] if len(found) == 1 else [found, found[::-1]]
    scored = [(_pairing_errors(list(zip(wanted, order)), spec), list(zip(wanted, order)))
              for order in orders]
    errors, pairs = min(scored, key=lambda item: len(item[0]))
    return pairs, errors


def match_objects(found: list[dict], spec: dict) -> list[tuple[dict, dict]] | None:
    """The spec's objects paired with the found ones as `judge_errors` pairs them.

    Returns `[(wanted, found), ...]` in the spec's order (for two objects the
    pairing with fewest failures), or `None` when the counts differ.

    Example:
    >>> [(w["shape"], f["shape"]) for w, f in match_objects(describe(image), spec)]
    [('square', 'circle')]
    """
    return _best_pairing(found, spec)[0]


def judge_errors(found: list[dict], spec: dict) -> tuple[str, ...]:
    """What the judge finds wrong with the objects `describe` found; `()` if nothing.

    A count that differs from the spec's is `"missing object"` (e.g. two
    objects drawn touching, which segment as one) or `"extra object"`;
    otherwise the attributes (of `ERRORS`) that fail, for two objects under
    the pairing with fewest failures (`match_objects`).

    Example:
    >>> judge_errors(describe(image), parse_caption("a red circle above a blue square"))
    ('missing object',)
    """
    return _best_pairing(found, spec)[1]


def judge_objects(found: list[dict], spec: dict) -> bool:
    """`judge` on the output of `describe`."""
    return not judge_errors(found, spec)


def judge(image: np.ndarray, spec: dict) -> bool:
    """Whether an image shows exactly what a spec names.

    Args:
        image: a uint8 `HxWx3` image on a black background.
        spec: `{"objects": [{"color", "shape"[, "size"]}, ...]}` with
            `"position"` (one object) or `"relation"` (two:
            `objects[0] <relation> objects[1]`), as `parse_caption` returns.
            Attributes the spec leaves out are not checked.

    Example:
    >>> judge(image, parse_caption("a big red circle on the left"))
    True
    """
    image = _check_image(image)
    return judge_objects(describe(image), spec)


def judge_batch(
    images: np.ndarray | Sequence[np.ndarray], specs: Sequence[dict]
) -> np.ndarray:
    """`judge` for each `(image, spec)` pair; a boolean array.

    Example:
    >>> images, captions, specs = CaptionedShapes(seed=0).sample(100)
    >>> judge_batch(images, specs).mean()
    1.0
    """
    if len(images) != len(specs):
        raise ValueError(
            f"`images` and `specs` differ in length: {len(images)} vs {len(specs)}."
        )
    return np.array([judge(image, spec) for image, spec in zip(images, specs)], bool)
