"""Captioned-shape specs as class labels, for an auxiliary-classifier GAN term.

A spec (`parse_caption`'s output) becomes one integer per attribute head,
`-1` where the caption does not say (an unnamed size, the relation of a
one-object scene). Two-object specs are put in a canonical order first:
`"below"` and `"right of"` swap the objects, so the first slot is always
the upper (or the left) object and the labels depend on the image only,
not on how the caption happened to word it.
"""

import numpy as np

from zoo.data.captioned_shapes import COLORS, POSITIONS, SHAPES, SIZES

_SIZES = tuple(SIZES)
_AXES = ("vertical", "horizontal")
_SWAPPED = {"below": "above", "right of": "left of"}

# (head name, its classes), in the order of the label columns.
ATTRIBUTE_HEADS = (
    ("count", ("one", "two")),
    ("position", POSITIONS),
    ("axis", _AXES),
    ("color_0", COLORS),
    ("shape_0", SHAPES),
    ("size_0", _SIZES),
    ("color_1", COLORS),
    ("shape_1", SHAPES),
    ("size_1", _SIZES),
)
ATTRIBUTE_CLASSES = tuple(len(classes) for _, classes in ATTRIBUTE_HEADS)


def _canonical(spec):
    if not isinstance(spec, dict) or not spec.get("objects"):
        raise ValueError(
            f"Each spec must be a dict with a non-empty 'objects' list, got {spec!r}."
        )
    objects = list(spec["objects"])
    relation = spec.get("relation")
    if len(objects) == 2 and relation in _SWAPPED:
        objects, relation = objects[::-1], _SWAPPED[relation]
    return objects, spec.get("position"), relation


def _index(field, value, allowed):
    if value not in allowed:
        raise ValueError(f"`specs`: unknown {field} {value!r}; expected one of {tuple(allowed)}.")
    return allowed.index(value)


def attribute_labels(specs):
    """Integer labels `[N, len(ATTRIBUTE_HEADS)]` for a list of specs, -1 unknown.

    Args:
        specs: specs as `parse_caption` returns them.

    Example:
    >>> attribute_labels([parse_caption("a tiny blue box below a red disc")])[0]
    array([ 1, -1,  0,  0,  0, -1,  2,  1,  0], dtype=int32)
    """
    labels = np.full((len(specs), len(ATTRIBUTE_HEADS)), -1, np.int32)
    for row, spec in enumerate(specs):
        objects, position, relation = _canonical(spec)
        if len(objects) not in (1, 2):
            raise ValueError(f"A spec names 1 or 2 objects, got {len(objects)}.")
        labels[row, 0] = len(objects) - 1
        if position is not None:
            labels[row, 1] = _index("position", position, POSITIONS)
        if relation is not None:
            # Canonical relations: "below" and "right of" were swapped to these.
            labels[row, 2] = _index("relation", relation, ("above", "left of"))
        for i, obj in enumerate(objects):
            labels[row, 3 + 3 * i] = _index("color", obj["color"], COLORS)
            labels[row, 4 + 3 * i] = _index("shape", obj["shape"], SHAPES)
            if "size" in obj:
                labels[row, 5 + 3 * i] = _index("size", obj["size"], _SIZES)
    return labels
