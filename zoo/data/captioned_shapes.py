"""Captioned shapes: a text-to-image toy set whose samples a judge can check.

64x64 RGB images on a black background with one or two solid objects (a
circle, square or upright triangle in one of 7 colours and 2 sizes), and a
caption naming them with a position (one object) or a relation (two). Three
colour-shape pairs (`HELD_OUT`) never appear in training samples; they test
composition. `parse_caption` inverts the caption grammar into the spec that
`zoo.metrics.shapes_judge.judge` checks.
"""

import dataclasses
import re
from collections.abc import Iterator

import numpy as np

from zoo.arguments import check_int

IMAGE_SIZE = 64
SHAPES = ("circle", "square", "triangle")
PALETTE = {
    "red": (220, 40, 40),
    "green": (40, 200, 60),
    "blue": (50, 80, 230),
    "yellow": (230, 210, 40),
    "magenta": (210, 50, 200),
    "cyan": (40, 200, 210),
    "white": (235, 235, 235),
}
COLORS = tuple(PALETTE)
SIZES = {"small": (10, 16), "large": (22, 30)}
POSITIONS = ("left", "right", "top", "bottom", "center")
RELATIONS = ("above", "below", "left of", "right of")
HELD_OUT = (("magenta", "triangle"), ("cyan", "square"), ("yellow", "circle"))
COLOR_JITTER = 8
MIN_GAP = 2

_HELD_OUT_MODES = ("exclude", "only", "include")
_PAIRS = tuple((color, shape) for color in COLORS for shape in SHAPES)
_TRAIN_PAIRS = tuple(pair for pair in _PAIRS if pair not in HELD_OUT)
# Margins (pixels) between a rendered layout and the judge's decision
# boundaries, so that every render is judged the way its words say.
_POSITION_MARGIN = 1.0
_DOMINANCE_MARGIN = 3.0
_CENTER_RADIUS = 5.0


@dataclasses.dataclass(frozen=True)
class ShapeObject:
    """One object of a scene: `color` in `PALETTE`, `shape` in `SHAPES`,
    `size` in `SIZES`."""

    color: str
    shape: str
    size: str

    def __post_init__(self):
        for name, value, allowed in (
            ("color", self.color, COLORS),
            ("shape", self.shape, SHAPES),
            ("size", self.size, tuple(SIZES)),
        ):
            if value not in allowed:
                raise ValueError(f"`{name}` must be one of {allowed}, got {value!r}.")

    def to_spec(self) -> dict:
        return {"color": self.color, "shape": self.shape, "size": self.size}


@dataclasses.dataclass(frozen=True)
class Scene:
    """One object at a `position`, or two with `objects[0] <relation> objects[1]`.

    Example:
    >>> scene = Scene((ShapeObject("red", "circle", "large"),), position="left")
    >>> scene.to_spec()["objects"]
    [{'color': 'red', 'shape': 'circle', 'size': 'large'}]
    """

    objects: tuple[ShapeObject, ...]
    position: str | None = None
    relation: str | None = None

    def __post_init__(self):
        object.__setattr__(self, "objects", tuple(self.objects))
        if len(self.objects) == 1:
            if self.position not in POSITIONS or self.relation is not None:
                raise ValueError(
                    f"A one-object scene needs a `position` in {POSITIONS} and no "
                    f"`relation`, got position={self.position!r}, "
                    f"relation={self.relation!r}."
                )
        elif len(self.objects) == 2:
            if self.relation not in RELATIONS or self.position is not None:
                raise ValueError(
                    f"A two-object scene needs a `relation` in {RELATIONS} and no "
                    f"`position`, got relation={self.relation!r}, "
                    f"position={self.position!r}."
                )
        else:
            raise ValueError(
                f"A scene holds 1 or 2 `objects`, got {len(self.objects)}."
            )

    def to_spec(self) -> dict:
        """The full spec (every attribute named) that `judge` checks."""
        spec = {"objects": [obj.to_spec() for obj in self.objects]}
        if self.position is not None:
            spec["position"] = self.position
        else:
            spec["relation"] = self.relation
        return spec


def _check_held_out(held_out: str) -> None:
    if held_out not in _HELD_OUT_MODES:
        raise ValueError(
            f"`held_out` must be one of {_HELD_OUT_MODES}, got {held_out!r}."
        )


def sample_scene(rng: np.random.Generator, *, held_out: str = "exclude") -> Scene:
    """Draw a random scene of one or two objects.

    The two objects of a scene always differ in colour or shape, so that a
    relation between them is never ambiguous.

    Args:
        rng: a `np.random.Generator`.
        held_out: `"exclude"` never uses a `HELD_OUT` colour-shape pair
            (training), `"only"` gives at least one object a held-out pair
            (composition benchmarks), `"include"` draws from all pairs.

    Example:
    >>> scene = sample_scene(np.random.default_rng(0))
    >>> len(scene.objects) in (1, 2)
    True
    """
    _check_held_out(held_out)
    num_objects = int(rng.integers(1, 3))
    pool = _TRAIN_PAIRS if held_out == "exclude" else _PAIRS
    if held_out == "only":
        pairs = [HELD_OUT[rng.integers(len(HELD_OUT))]]
    else:
        pairs = [pool[rng.integers(len(pool))]]
    if num_objects == 2:
        others = [pair for pair in pool if pair != pairs[0]]
        pairs.append(others[rng.integers(len(others))])
        if rng.integers(2):
            pairs.reverse()
    sizes = [tuple(SIZES)[rng.integers(len(SIZES))] for _ in pairs]
    objects = tuple(ShapeObject(c, s, z) for (c, s), z in zip(pairs, sizes))
    if num_objects == 1:
        return Scene(objects, position=POSITIONS[rng.integers(len(POSITIONS))])
    return Scene(objects, relation=RELATIONS[rng.integers(len(RELATIONS))])


# ----------------------------------------------------------------------------
# Rendering.

_MASKS: dict[tuple[str, int], np.ndarray] = {}


def shape_mask(shape: str, extent: int) -> np.ndarray:
    """The boolean `extent x extent` mask of a shape touching all 4 sides.

    Example:
    >>> shape_mask("triangle", 20).mean().round(2)  # upright, apex on top
    np.float64(0.55)
    """
    key = (shape, int(extent))
    if key not in _MASKS:
        centres = np.arange(extent) + 0.5
        x, y = centres[None, :], centres[:, None]
        half = extent / 2
        if shape == "circle":
            mask = (x - half) ** 2 + (y - half) ** 2 <= half**2
        elif shape == "square":
            mask = np.ones((extent, extent), bool)
        elif shape == "triangle":
            # Row r (from the top) spans a half-width of (r + 1) / 2: the apex
            # row is 1-2 pixels wide, the base row the whole extent.
            rows = np.arange(extent)[:, None]
            mask = np.abs(x - half) <= (rows + 1) / 2
        else:
            raise ValueError(f"`shape` must be one of {SHAPES}, got {shape!r}.")
        mask.setflags(write=False)
        _MASKS[key] = mask
    return _MASKS[key]


def _position_ok(cx: float, cy: float, position: str) -> bool:
    dx, dy = cx - IMAGE_SIZE / 2, cy - IMAGE_SIZE / 2
    third = IMAGE_SIZE / 3
    if position == "center":
        return abs(dx) <= _CENTER_RADIUS and abs(dy) <= _CENTER_RADIUS
    if position in ("left", "right"):
        along, across = dx, dy
    else:
        along, across = dy, dx
    if position in ("right", "bottom"):
        along = -along
    # Centre in the near third, and clearly more off-centre along than across.
    return (
        along <= -(IMAGE_SIZE / 2 - third) - _POSITION_MARGIN
        and abs(across) <= abs(along) - _DOMINANCE_MARGIN
    )


def layout(scene: Scene, rng: np.random.Generator) -> list[tuple[int, int, int]]:
    """Draw extents and placements for a scene's objects.

    Objects lie wholly inside the canvas, at least `MIN_GAP` pixels apart, at
    the scene's position or in its relation (object 0's box entirely above /
    below / left of / right of object 1's, and their centres offset mostly
    along that direction).

    Returns:
        One `(left, top, extent)` box per object, in pixels.

    Example:
    >>> scene = sample_scene(np.random.default_rng(0))
    >>> boxes = layout(scene, np.random.default_rng(1))
    """
    ranges = [SIZES[obj.size] for obj in scene.objects]
    extents = [int(rng.integers(lo, hi + 1)) for lo, hi in ranges]
    for _ in range(10_000):
        if scene.position is not None:
            extent = extents[0]
            left, top = rng.integers(0, IMAGE_SIZE - extent + 1, size=2)
            centre = (left + extent / 2, top + extent / 2)
            if _position_ok(*centre, scene.position):
                return [(int(left), int(top), extent)]
            continue
        # Two objects: `first` is before `second` along the relation's axis.
        vertical = scene.relation in ("above", "below")
        forward = scene.relation in ("above", "left of")
        first, second = (0, 1) if forward else (1, 0)
        e1, e2 = extents[first], extents[second]
        along1 = int(rng.integers(0, IMAGE_SIZE - e1 - MIN_GAP - e2 + 1))
        along2 = int(rng.integers(along1 + e1 + MIN_GAP, IMAGE_SIZE - e2 + 1))
        across1 = int(rng.integers(0, IMAGE_SIZE - e1 + 1))
        across2 = int(rng.integers(0, IMAGE_SIZE - e2 + 1))
        d_along = (along2 + e2 / 2) - (along1 + e1 / 2)
        d_across = (across2 + e2 / 2) - (across1 + e1 / 2)
        if abs(d_across) > d_along - _DOMINANCE_MARGIN:
            continue
        boxes = [None, None]
        for index, along, across, extent in (
            (first, along1, across1, e1),
            (second, along2, across2, e2),
        ):
            left, top = (across, along) if vertical else (along, across)
            boxes[index] = (left, top, extent)
        return boxes
    raise RuntimeError(f"Could not place the objects of {scene}.")  # pragma: no cover


def render(
    scene: Scene,
    rng: np.random.Generator,
    *,
    boxes: list[tuple[int, int, int]] | None = None,
    masks: list[np.ndarray | None] | None = None,
) -> np.ndarray:
    """Render a scene as a uint8 `64x64x3` image on black.

    Each object is one solid colour: its palette colour with a jitter of up
    to `COLOR_JITTER` per channel; no antialiasing.

    Args:
        scene: the scene.
        rng: draws the layout (unless `boxes` is given) and the jitter.
        boxes: `(left, top, extent)` per object, as `layout` returns.
        masks: per object, a boolean `extent x extent` mask drawn instead
            of its shape's (`None` keeps the shape's); for negatives.

    Example:
    >>> rng = np.random.default_rng(0)
    >>> render(sample_scene(rng), rng).shape
    (64, 64, 3)
    """
    if boxes is None:
        boxes = layout(scene, rng)
    if masks is None:
        masks = [None] * len(scene.objects)
    image = np.zeros((IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
    for obj, (left, top, extent), mask in zip(scene.objects, boxes, masks):
        jitter = rng.integers(-COLOR_JITTER, COLOR_JITTER + 1, size=3)
        color = np.clip(np.array(PALETTE[obj.color]) + jitter, 0, 255)
        if mask is None:
            mask = shape_mask(obj.shape, extent)
        elif np.shape(mask) != (extent, extent):
            raise ValueError(
                f"`masks` entries must be {extent}x{extent} like their boxes. "
                f"Received shape {np.shape(mask)}."
            )
        image[top : top + extent, left : left + extent][mask] = color
    return image


# ----------------------------------------------------------------------------
# Captions and their parser.

_SIZE_WORDS = {"large": ("large", "big"), "small": ("small", "little", "tiny")}
_SHAPE_WORDS = {
    "circle": ("circle", "disc", "disk"),
    "square": ("square", "box"),
    "triangle": ("triangle",),
}
_POSITION_PHRASES = {
    "left": ("on the left", "at the left", "to the left", "on the left side"),
    "right": ("on the right", "at the right", "to the right", "on the right side"),
    "top": ("at the top", "on top", "near the top"),
    "bottom": ("at the bottom", "on the bottom", "near the bottom"),
    "center": ("in the middle", "in the center", "in the centre", "at the center"),
}
_POSITION_SHORT = {
    "left": ("left side", "left"),
    "right": ("right side", "right"),
    "top": ("top", "top side"),
    "bottom": ("bottom", "bottom side"),
    "center": ("center", "middle", "centre"),
}
_RELATION_PHRASES = {
    "above": ("above", "over"),
    "below": ("below", "under", "beneath"),
    "left of": ("left of", "to the left of", "on the left of"),
    "right of": ("right of", "to the right of", "on the right of"),
}
_CONVERSE = {"above": "below", "below": "above", "left of": "right of",
             "right of": "left of"}


def _pick(rng: np.random.Generator, options):
    return options[rng.integers(len(options))]


def _object_phrase(obj: ShapeObject, rng: np.random.Generator, article: bool) -> str:
    words = ["a"] if article else []
    if rng.random() < 0.7:
        words.append(_pick(rng, _SIZE_WORDS[obj.size]))
    words += [obj.color, _pick(rng, _SHAPE_WORDS[obj.shape])]
    return " ".join(words)


def caption(scene: Scene, rng: np.random.Generator) -> str:
    """Describe a scene in words, with random templates and synonyms.

    Colours, shapes and the position or relation are always named; sizes
    are named 70% of the time. Two-object captions may name the objects in
    either order (with the converse relation). `parse_caption` recovers what
    a caption names.

    Example:
    >>> scene = Scene((ShapeObject("red", "circle", "large"),), position="left")
    >>> caption(scene, np.random.default_rng(18))
    'a big red disc on the left'
    """
    article = bool(rng.random() < 0.7)
    if scene.position is not None:
        template = rng.integers(4)
        # "there is ..." always takes an article.
        obj = _object_phrase(scene.objects[0], rng, article or template == 3)
        near = _pick(rng, _POSITION_PHRASES[scene.position])
        if template == 0:
            return f"{obj} {near}"
        if template == 1:
            return f"{obj}, {_pick(rng, _POSITION_SHORT[scene.position])}"
        if template == 2:
            return f"{near}, {obj}"
        return f"there is {obj} {near}"
    objects, relation = list(scene.objects), scene.relation
    if rng.random() < 0.3:
        objects, relation = objects[::-1], _CONVERSE[relation]
    template = rng.integers(3)
    first, second = (
        _object_phrase(obj, rng, article or template == 2) for obj in objects
    )
    phrase = _pick(rng, _RELATION_PHRASES[relation])
    if template == 0:
        return f"{first} {phrase} {second}"
    if template == 1:
        return f"{first} is {phrase} {second}"
    return f"there is {first} {phrase} {second}"


def _alternation(table: dict) -> str:
    words = sorted({w for ws in table.values() for w in ws}, key=len, reverse=True)
    return "|".join(re.escape(w) for w in words)


_LOOKUP = {
    "size": {w: k for k, ws in _SIZE_WORDS.items() for w in ws},
    "shape": {w: k for k, ws in _SHAPE_WORDS.items() for w in ws},
    "color": {c: c for c in COLORS},
    "position": {"left": "left", "right": "right", "top": "top",
                 "bottom": "bottom", "center": "center", "centre": "center",
                 "middle": "center"},
    "relation": {w: k for k, ws in _RELATION_PHRASES.items() for w in ws},
}


def _object_pattern(i: int) -> str:
    return (
        rf"(?:(?:a|an|the|one)\s+)?(?:(?P<size{i}>{_alternation(_SIZE_WORDS)})\s+)?"
        rf"(?P<color{i}>{'|'.join(COLORS)})\s+"
        rf"(?P<shape{i}>{_alternation(_SHAPE_WORDS)})"
    )


_POSITION = (
    r"(?:(?:on|at|to|in|near)\s+the\s+|on\s+)?"
    r"(?P<position>left|right|top|bottom|center|centre|middle)(?:\s+side)?"
)
_THERE = r"(?:there\s+is\s+|there's\s+)?"
_RELATION = rf"(?:is\s+)?(?P<relation>{_alternation(_RELATION_PHRASES)})"
_PATTERNS = tuple(
    re.compile(p)
    for p in (
        rf"^{_THERE}{_object_pattern(0)}\s*(?:,\s*|\s+){_POSITION}$",
        rf"^{_POSITION}\s*[,:]?\s*{_THERE}{_object_pattern(0)}$",
        rf"^{_THERE}{_object_pattern(0)}\s+{_RELATION}\s+{_object_pattern(1)}$",
    )
)


def parse_caption(text: str) -> dict:
    """Recover the spec a caption names (the inverse of `caption`'s grammar).

    Case, extra spaces and a final full stop are ignored. Sizes are in the
    spec only when the caption names them; objects stay in caption order.

    Args:
        text: a caption.

    Returns:
        `{"objects": [{"color", "shape"[, "size"]}, ...]}` with `"position"`
        (one object) or `"relation"` (two).

    Example:
    >>> parse_caption("red disc, left side")
    {'objects': [{'color': 'red', 'shape': 'circle'}], 'position': 'left'}
    >>> parse_caption("a tiny blue box above a big green triangle")["relation"]
    'above'
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a string, got {type(text).__name__}.")
    normal = " ".join(text.lower().split()).rstrip(".!").strip()
    for pattern in _PATTERNS:
        match = pattern.match(normal)
        if match is None:
            continue
        groups = match.groupdict()
        objects = []
        for i in range(2):
            if groups.get(f"color{i}") is None:
                continue
            obj = {
                "color": groups[f"color{i}"],
                "shape": _LOOKUP["shape"][groups[f"shape{i}"]],
            }
            if groups[f"size{i}"] is not None:
                obj["size"] = _LOOKUP["size"][groups[f"size{i}"]]
            objects.append(obj)
        spec = {"objects": objects}
        if groups.get("position") is not None:
            spec["position"] = _LOOKUP["position"][groups["position"]]
        else:
            relation = " ".join(groups["relation"].split())
            spec["relation"] = _LOOKUP["relation"][relation]
        return spec
    raise ValueError(
        f"Cannot parse the caption `text`={text!r}: expected e.g. "
        "'a big red circle on the left' or 'a small blue square above a green "
        "triangle'."
    )


# ----------------------------------------------------------------------------
# Datasets.


class CaptionedShapes:
    """A seeded stream of captioned-shape samples.

    Args:
        seed: seed of the `np.random.default_rng` behind every draw.
        held_out: `"exclude"`, `"only"` or `"include"` (see `sample_scene`).

    Example:
    >>> images, captions, specs = CaptionedShapes(seed=0).sample(8)
    >>> images.shape, images.dtype
    ((8, 64, 64, 3), dtype('uint8'))
    >>> bool(judge_batch(images, specs).all())
    True
    """

    def __init__(self, seed: int = 0, held_out: str = "exclude"):
        _check_held_out(held_out)
        self.seed = check_int("seed", seed, minimum=0)
        self.held_out = held_out
        self._rng = np.random.default_rng(seed)

    def sample(self, n: int) -> tuple[np.ndarray, list[str], list[dict]]:
        """Draw `n` samples, continuing the stream.

        Returns:
            uint8 images `[n, 64, 64, 3]`, their captions, and the specs the
            captions name (`parse_caption` of each caption).
        """
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise ValueError(f"`n` must be a non-negative integer, got {n!r}.")
        images = np.empty((n, IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
        captions = []
        for i in range(n):
            scene = sample_scene(self._rng, held_out=self.held_out)
            images[i] = render(scene, self._rng)
            captions.append(caption(scene, self._rng))
        return images, captions, [parse_caption(text) for text in captions]

    def batches(self, batch_size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Endless `(images, captions)` batches, captions as a numpy bytes array."""
        while True:
            images, captions, _ = self.sample(batch_size)
            yield images, np.array([c.encode() for c in captions], dtype=object)


def shapes_dataset(batch_size: int, seed: int = 0, held_out: str = "exclude"):
    """An infinite `tf.data.Dataset` of captioned-shape batches.

    Iterating the dataset again repeats the same stream (a fresh
    `CaptionedShapes(seed, held_out)` each time).

    Args:
        batch_size: samples per batch.
        seed: seed of the stream.
        held_out: `"exclude"` (training), `"only"` or `"include"`.

    Returns:
        A dataset of `(images, captions)`: uint8 `[batch_size, 64, 64, 3]`
        and `tf.string` `[batch_size]`.

    Example:
    >>> dataset = shapes_dataset(batch_size=64)
    >>> images, captions = next(iter(dataset))
    """
    import tensorflow as tf  # Only data pipelines need TensorFlow.

    check_int("batch_size", batch_size)
    check_int("seed", seed, minimum=0)
    _check_held_out(held_out)

    def batches():
        return CaptionedShapes(seed, held_out).batches(batch_size)

    signature = (
        tf.TensorSpec((batch_size, IMAGE_SIZE, IMAGE_SIZE, 3), tf.uint8),
        tf.TensorSpec((batch_size,), tf.string),
    )
    dataset = tf.data.Dataset.from_generator(batches, output_signature=signature)
    return dataset.prefetch(tf.data.AUTOTUNE)
