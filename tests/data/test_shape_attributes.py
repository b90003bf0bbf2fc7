"""attribute_labels: captioned-shape specs as per-head class labels."""

import numpy as np
import pytest

from zoo.data import (
    ATTRIBUTE_CLASSES,
    ATTRIBUTE_HEADS,
    CaptionedShapes,
    attribute_labels,
    parse_caption,
)
from zoo.data.captioned_shapes import COLORS, POSITIONS, SHAPES


def _labels(text):
    return dict(zip((name for name, _ in ATTRIBUTE_HEADS),
                    attribute_labels([parse_caption(text)])[0]))


def test_one_object_names_its_position_and_only_what_the_caption_says():
    labels = _labels("a big green triangle at the top")
    assert labels["count"] == 0 and labels["position"] == POSITIONS.index("top")
    assert labels["color_0"] == COLORS.index("green")
    assert labels["shape_0"] == SHAPES.index("triangle") and labels["size_0"] == 1
    assert labels["axis"] == labels["color_1"] == labels["shape_1"] == labels["size_1"] == -1
    assert _labels("green triangle, top")["size_0"] == -1


def test_two_objects_in_canonical_order_whatever_the_wording():
    above = _labels("a small red circle above a large blue square")
    below = _labels("a large blue square below a small red circle")
    assert above == below
    assert above["axis"] == 0 and above["color_0"] == COLORS.index("red")
    assert above["position"] == -1 and above["count"] == 1
    right = _labels("a white box to the right of a cyan disc")
    assert right["axis"] == 1 and right["color_0"] == COLORS.index("cyan")
    assert right["color_1"] == COLORS.index("white")


def test_labels_fit_their_heads_on_generated_captions():
    _, captions, specs = CaptionedShapes(seed=3).sample(200)
    labels = attribute_labels(specs)
    assert labels.shape == (200, len(ATTRIBUTE_CLASSES)) and labels.dtype == np.int32
    assert np.all(labels < np.array(ATTRIBUTE_CLASSES))
    np.testing.assert_array_equal(labels, attribute_labels([parse_caption(c) for c in captions]))
    # Every head is labelled somewhere, and unknowns are -1 only.
    assert np.all((labels >= 0).any(axis=0)) and labels.min() == -1


def test_bad_specs():
    with pytest.raises(ValueError, match="spec"):
        attribute_labels([{"objects": []}])
    with pytest.raises(ValueError, match="1 or 2"):
        attribute_labels([{"objects": [{"color": "red", "shape": "circle"}] * 3}])


@pytest.mark.parametrize("field, spec", [
    ("relation", {"objects": [{"color": "red", "shape": "circle"},
                              {"color": "blue", "shape": "square"}], "relation": "next to"}),
    ("color", {"objects": [{"color": "pink", "shape": "circle"}], "position": "left"}),
    ("position", {"objects": [{"color": "red", "shape": "circle"}], "position": "corner"}),
])
def test_unknown_attributes_are_named(field, spec):
    with pytest.raises(ValueError, match=f"unknown {field}"):
        attribute_labels([spec])
