import numpy as np
import pytest

from zoo.data.captioned_shapes import (
    COLORS,
    POSITIONS,
    RELATIONS,
    SHAPES,
    CaptionedShapes,
    Scene,
    ShapeObject,
    render,
    sample_scene,
)
from zoo.data.shape_negatives import render_touching
from zoo.metrics.shapes_judge import describe, judge, judge_batch, judge_errors, match_objects


@pytest.fixture(scope="module")
def renders():
    """1000 renders (held-out pairs included), their scenes and caption specs."""
    rng = np.random.default_rng(0)
    scenes = [sample_scene(rng, held_out="include") for _ in range(1000)]
    images = np.stack([render(scene, rng) for scene in scenes])
    return images, scenes


def test_judge_accepts_renders_from_captions():
    images, captions, specs = CaptionedShapes(seed=1, held_out="include").sample(1000)
    assert judge_batch(images, specs).mean() >= 0.99


def test_judge_accepts_full_specs(renders):
    images, scenes = renders
    correct = judge_batch(images, [scene.to_spec() for scene in scenes])
    assert correct.dtype == np.bool_ and correct.shape == (1000,)
    assert correct.mean() >= 0.99


def test_describe(renders):
    images, scenes = renders
    for image, scene in zip(images[:200], scenes[:200]):
        found = describe(image)
        assert len(found) == len(scene.objects)
        if scene.position is not None:
            assert found[0]["position"] == scene.position
        found = sorted((o["color"], o["shape"], o["size"]) for o in found)
        assert found == sorted((o.color, o.shape, o.size) for o in scene.objects)


def _mutate(spec, key, rng):
    spec = {k: ([dict(o) for o in v] if k == "objects" else v) for k, v in spec.items()}
    if key in ("color", "shape"):
        obj = spec["objects"][rng.integers(len(spec["objects"]))]
        choices = [c for c in (COLORS if key == "color" else SHAPES) if c != obj[key]]
        obj[key] = choices[rng.integers(len(choices))]
    elif key == "size":
        obj = spec["objects"][rng.integers(len(spec["objects"]))]
        obj["size"] = "small" if obj["size"] == "large" else "large"
    elif "position" in spec:
        choices = [p for p in POSITIONS if p != spec["position"]]
        spec["position"] = choices[rng.integers(len(choices))]
    else:
        choices = [r for r in RELATIONS if r != spec["relation"]]
        spec["relation"] = choices[rng.integers(len(choices))]
    return spec


@pytest.mark.parametrize("key", ["color", "shape", "size", "place"])
def test_judge_rejects_mutations(renders, key):
    images, scenes = renders
    rng = np.random.default_rng(1)
    specs = [_mutate(scene.to_spec(), key, rng) for scene in scenes]
    assert (~judge_batch(images, specs)).mean() >= 0.95


def test_judge_rejects_wrong_count(renders):
    images, scenes = renders
    for image, scene in zip(images[:100], scenes[:100]):
        spec = scene.to_spec()
        spec["objects"] = spec["objects"] + [{"color": "red", "shape": "circle"}]
        assert not judge(image, spec)
    assert not judge(np.zeros((64, 64, 3), np.uint8), scenes[0].to_spec())


def test_judge_ignores_specks_and_unnamed_attributes():
    scene = Scene((ShapeObject("blue", "triangle", "small"),), position="top")
    image = render(scene, np.random.default_rng(2))
    image[60:62, 60:62] = 255  # a 4-pixel speck
    assert judge(image, {"objects": [{"color": "blue", "shape": "triangle"}],
                         "position": "top"})
    assert judge(image, {"objects": [{"color": "blue", "shape": "triangle"}]})
    assert not judge(image, {"objects": [{"color": "blue", "shape": "triangle"}],
                             "position": "bottom"})


def test_judge_errors():
    with pytest.raises(TypeError, match="image"):
        judge(np.zeros((64, 64, 3), np.float32), {"objects": [{}]})
    with pytest.raises(ValueError, match="spec"):
        judge(np.zeros((64, 64, 3), np.uint8), {"position": "left"})
    with pytest.raises(ValueError, match="specs"):
        judge_batch(np.zeros((2, 64, 64, 3), np.uint8), [{"objects": [{}]}])


@pytest.mark.parametrize("key", ["color", "shape", "size", "place"])
def test_judge_errors_name_the_mutated_attribute(renders, key):
    images, scenes = renders
    rng = np.random.default_rng(1)
    named = []
    for image, scene in zip(images[:300], scenes[:300]):
        spec = _mutate(scene.to_spec(), key, rng)
        errors = judge_errors(describe(image), spec)
        assert judge(image, spec) == (not errors)
        place = "position" if "position" in spec else "relation"
        named.append(errors == ((place if key == "place" else key),))
    assert np.mean(named) >= 0.95


def test_judge_errors_count_merged_and_extra_objects(renders):
    images, scenes = renders
    assert all(judge_errors(describe(image), scene.to_spec()) == ()
               for image, scene in zip(images[:100], scenes[:100]))
    rng = np.random.default_rng(3)
    two = [scene for scene in scenes if scene.relation is not None][:20]
    for scene in two:
        merged = render_touching(scene, rng)
        assert judge_errors(describe(merged), scene.to_spec()) == ("missing object",)
    one = next(s for s in scenes if s.position is not None)
    spec = one.to_spec()
    assert judge_errors(describe(render(two[0], rng)), spec) == ("extra object",)


def test_match_objects_pairs_each_named_object_with_its_drawing(renders):
    images, scenes = renders
    for image, scene in zip(images[:200], scenes[:200]):
        pairs = match_objects(describe(image), scene.to_spec())
        # Reading order may differ from the caption's: the pairing undoes it.
        assert [(w["color"], w["shape"]) for w, _ in pairs] == [
            (o.color, o.shape) for o in scene.objects]
        assert all(f["color"] == w["color"] and f["shape"] == w["shape"] for w, f in pairs)
    two = next(s for s in scenes if s.relation is not None)
    assert match_objects([], two.to_spec()) is None
