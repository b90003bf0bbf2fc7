import numpy as np
import pytest

from zoo.data.captioned_shapes import (
    HELD_OUT,
    IMAGE_SIZE,
    MIN_GAP,
    PALETTE,
    POSITIONS,
    RELATIONS,
    SHAPES,
    SIZES,
    CaptionedShapes,
    Scene,
    ShapeObject,
    caption,
    layout,
    parse_caption,
    render,
    sample_scene,
    shape_mask,
)

CONVERSE = {"above": "below", "below": "above", "left of": "right of",
            "right of": "left of"}


def canonical(spec):
    """Two-object specs with the objects in the order of `above` / `left of`."""
    spec = {k: (list(v) if k == "objects" else v) for k, v in spec.items()}
    if spec.get("relation") in ("below", "right of"):
        spec["objects"].reverse()
        spec["relation"] = CONVERSE[spec["relation"]]
    return spec


def test_constants():
    assert SHAPES == ("circle", "square", "triangle")
    assert PALETTE["magenta"] == (210, 50, 200) and len(PALETTE) == 7
    assert SIZES == {"small": (10, 16), "large": (22, 30)}
    assert len(POSITIONS) == 5 and len(RELATIONS) == 4
    assert ("cyan", "square") in HELD_OUT


def test_held_out_modes():
    rng = np.random.default_rng(0)
    for _ in range(5000):
        scene = sample_scene(rng, held_out="exclude")
        assert all((o.color, o.shape) not in HELD_OUT for o in scene.objects)
    counts = {1: 0, 2: 0}
    for _ in range(1000):
        scene = sample_scene(rng, held_out="only")
        assert any((o.color, o.shape) in HELD_OUT for o in scene.objects)
        counts[len(scene.objects)] += 1
    assert min(counts.values()) > 300
    included = [sample_scene(rng, held_out="include") for _ in range(1000)]
    assert any((o.color, o.shape) in HELD_OUT for s in included for o in s.objects)
    with pytest.raises(ValueError, match="held_out"):
        sample_scene(rng, held_out="never")


def test_two_objects_differ():
    rng = np.random.default_rng(1)
    for _ in range(2000):
        scene = sample_scene(rng, held_out="include")
        if len(scene.objects) == 2:
            first, second = scene.objects
            assert (first.color, first.shape) != (second.color, second.shape)


def test_scene_validation():
    red = ShapeObject("red", "circle", "large")
    with pytest.raises(ValueError, match="position"):
        Scene((red,), relation="above")
    with pytest.raises(ValueError, match="relation"):
        Scene((red, red), position="left")
    with pytest.raises(ValueError, match="color"):
        ShapeObject("purple", "circle", "large")
    assert Scene((red,), position="left").to_spec() == {
        "objects": [{"color": "red", "shape": "circle", "size": "large"}],
        "position": "left",
    }


def test_shape_masks():
    for extent in range(10, 31):
        for shape in SHAPES:
            mask = shape_mask(shape, extent)
            assert mask.shape == (extent, extent)
            # The shape touches all four sides of its box.
            assert mask[0].any() and mask[-1].any()
            assert mask[:, 0].any() and mask[:, -1].any()
        triangle = shape_mask("triangle", extent)
        assert triangle[-1].all() and triangle[0].sum() <= 2  # apex up
        assert abs(shape_mask("circle", extent).mean() - np.pi / 4) < 0.04


def _boxes_apart(a, b):
    (ax, ay, ae), (bx, by, be) = a, b
    return (bx - (ax + ae) >= MIN_GAP or ax - (bx + be) >= MIN_GAP
            or by - (ay + ae) >= MIN_GAP or ay - (by + be) >= MIN_GAP)


def test_layout_geometry():
    rng = np.random.default_rng(2)
    third = IMAGE_SIZE / 3
    for _ in range(2000):
        scene = sample_scene(rng, held_out="include")
        boxes = layout(scene, rng)
        for obj, (left, top, extent) in zip(scene.objects, boxes):
            lo, hi = SIZES[obj.size]
            assert lo <= extent <= hi
            assert 0 <= left and left + extent <= IMAGE_SIZE
            assert 0 <= top and top + extent <= IMAGE_SIZE
        centres = [(x + e / 2, y + e / 2) for x, y, e in boxes]
        if scene.position is not None:
            cx, cy = centres[0]
            assert {
                "left": cx < third, "right": cx > 2 * third,
                "top": cy < third, "bottom": cy > 2 * third,
                "center": abs(cx - 32) <= 6 and abs(cy - 32) <= 6,
            }[scene.position]
            continue
        a, b = boxes
        assert _boxes_apart(a, b)
        gap = {
            "above": b[1] - (a[1] + a[2]), "below": a[1] - (b[1] + b[2]),
            "left of": b[0] - (a[0] + a[2]), "right of": a[0] - (b[0] + b[2]),
        }[scene.relation]
        assert gap >= MIN_GAP


def test_render():
    rng = np.random.default_rng(3)
    for _ in range(300):
        scene = sample_scene(rng, held_out="include")
        boxes = layout(scene, rng)
        image = render(scene, rng, boxes=boxes)
        assert image.shape == (64, 64, 3) and image.dtype == np.uint8
        covered = np.zeros((64, 64), bool)
        for obj, (left, top, extent) in zip(scene.objects, boxes):
            patch = image[top : top + extent, left : left + extent]
            mask = shape_mask(obj.shape, extent)
            colors = np.unique(patch[mask], axis=0)
            assert len(colors) == 1  # solid, no antialiasing
            assert np.abs(colors[0].astype(int) - PALETTE[obj.color]).max() <= 8
            covered[top : top + extent, left : left + extent] |= mask
        assert not image[~covered].any()  # black background


def test_captions_round_trip():
    rng = np.random.default_rng(4)
    captions = set()
    sizes_named = 0
    for _ in range(5000):
        scene = sample_scene(rng, held_out="include")
        text = caption(scene, rng)
        captions.add(text)
        spec = canonical(parse_caption(text))
        full = canonical(scene.to_spec())
        assert spec.keys() == full.keys(), text
        for key in ("position", "relation"):
            assert spec.get(key) == full.get(key), text
        for named, true in zip(spec["objects"], full["objects"]):
            sizes_named += "size" in named
            assert named == {k: true[k] for k in named}, text
            assert {"color", "shape"} <= named.keys()
    assert len(captions) > 3000  # many templates and synonyms
    assert 0.5 < sizes_named / 7500 < 0.9


@pytest.mark.parametrize(
    "text, spec",
    [
        ("a big red circle on the left",
         {"objects": [{"color": "red", "shape": "circle", "size": "large"}],
          "position": "left"}),
        ("red disc, left side",
         {"objects": [{"color": "red", "shape": "circle"}], "position": "left"}),
        ("  In the middle, a tiny White box. ",
         {"objects": [{"color": "white", "shape": "square", "size": "small"}],
          "position": "center"}),
        ("a small blue square above a large green triangle",
         {"objects": [{"color": "blue", "shape": "square", "size": "small"},
                      {"color": "green", "shape": "triangle", "size": "large"}],
          "relation": "above"}),
        ("a green triangle is to the right of a red disk",
         {"objects": [{"color": "green", "shape": "triangle"},
                      {"color": "red", "shape": "circle"}],
          "relation": "right of"}),
    ],
)
def test_parse_caption(text, spec):
    assert parse_caption(text) == spec


@pytest.mark.parametrize(
    "text", ["", "a red circle", "a purple circle on the left",
             "a red hexagon on the left", "a red circle above", "hello world"]
)
def test_parse_caption_errors(text):
    with pytest.raises(ValueError, match="text"):
        parse_caption(text)


def test_captioned_shapes_determinism():
    images, captions, specs = CaptionedShapes(seed=5).sample(30)
    again = CaptionedShapes(seed=5).sample(30)
    np.testing.assert_array_equal(images, again[0])
    assert captions == again[1] and specs == again[2]
    other = CaptionedShapes(seed=6).sample(30)
    assert not np.array_equal(images, other[0])
    assert images.shape == (30, 64, 64, 3) and images.dtype == np.uint8
    assert specs == [parse_caption(c) for c in captions]
    # The stream continues from call to call.
    stream = CaptionedShapes(seed=5)
    first, second = stream.sample(10)[0], stream.sample(20)[0]
    np.testing.assert_array_equal(np.concatenate([first, second]), images)


def test_captioned_shapes_held_out_only():
    _, _, specs = CaptionedShapes(seed=0, held_out="only").sample(100)
    for spec in specs:
        assert any((o["color"], o["shape"]) in HELD_OUT for o in spec["objects"])


def test_shapes_dataset():
    from zoo.data.captioned_shapes import shapes_dataset

    dataset = shapes_dataset(4, seed=7)
    batches = list(dataset.take(2))
    assert len(batches) == 2
    images, captions = batches[0]
    assert images.shape == (4, 64, 64, 3) and images.dtype.name == "uint8"
    assert captions.shape == (4,) and captions.dtype.name == "string"
    expected, texts, _ = CaptionedShapes(seed=7).sample(4)
    np.testing.assert_array_equal(images.numpy(), expected)
    assert [c.decode() for c in captions.numpy()] == texts
    # Iterating again repeats the stream.
    np.testing.assert_array_equal(next(iter(dataset))[0].numpy(), expected)
    with pytest.raises(ValueError, match="batch_size"):
        shapes_dataset(0)


def test_seeds_are_checked_where_they_are_passed():
    from zoo.data.captioned_shapes import shapes_dataset

    with pytest.raises(TypeError, match="`seed`"):
        CaptionedShapes("x")
    with pytest.raises(ValueError, match="`seed`"):
        shapes_dataset(4, seed=-1)
