"""The GAN's negatives: objects drawn as one blob (render_touching) or misshapen."""

import numpy as np
import pytest

from zoo.data import (
    Scene,
    ShapeObject,
    morph_shape_mask,
    render,
    render_misshapen,
    render_touching,
    sample_scene,
)
from zoo.data.captioned_shapes import COLOR_JITTER, HELD_OUT, PALETTE, SHAPES, layout, shape_mask
from zoo.metrics.shapes_judge import describe, judge_errors


def _two_object_scenes(count, seed=0):
    rng = np.random.default_rng(seed)
    scenes = []
    while len(scenes) < count:
        scene = sample_scene(rng, held_out="include")
        if scene.relation is not None:
            scenes.append(scene)
    return scenes


def test_the_objects_touch_and_keep_their_colours():
    rng = np.random.default_rng(1)
    for scene in _two_object_scenes(60):
        image = render_touching(scene, rng)
        # One 8-connected blob, which the judge reads as a single object.
        assert len(describe(image)) == 1, scene
        colours = np.unique(image.reshape(-1, 3), axis=0)
        colours = colours[colours.max(axis=1) > 0]
        for obj in scene.objects:
            gap = np.abs(colours.astype(int) - PALETTE[obj.color]).max(axis=1)
            assert (gap <= COLOR_JITTER).any(), (scene, obj.color)


def test_deterministic_from_the_generator():
    (scene,) = _two_object_scenes(1, seed=3)
    first = render_touching(scene, np.random.default_rng(7))
    np.testing.assert_array_equal(first, render_touching(scene, np.random.default_rng(7)))


def test_bad_arguments():
    one = Scene((ShapeObject("red", "circle", "large"),), position="left")
    with pytest.raises(ValueError, match="scene"):
        render_touching(one, np.random.default_rng(0))
    (two,) = _two_object_scenes(1)
    with pytest.raises(ValueError, match="max_overlap"):
        render_touching(two, np.random.default_rng(0), max_overlap=-1)


@pytest.mark.parametrize("extent", [10, 16, 23, 30])
def test_morph_runs_from_one_shape_to_the_other(extent):
    for shape in SHAPES:
        for other in SHAPES:
            if other == shape:
                continue
            np.testing.assert_array_equal(
                morph_shape_mask(shape, other, extent, 0.0), shape_mask(shape, extent))
            np.testing.assert_array_equal(
                morph_shape_mask(shape, other, extent, 1.0), shape_mask(other, extent))
    # Halfway from a square to a circle: a rounded square, its fill between
    # theirs (at 10 px the pixel grid leaves no room between them).
    halfway = morph_shape_mask("square", "circle", extent, 0.5).mean()
    assert shape_mask("circle", extent).mean() <= halfway < 1.0
    if extent >= 16:
        assert shape_mask("circle", extent).mean() < halfway


def test_one_object_is_misshapen_at_the_layout_render_draws():
    rng = np.random.default_rng(4)
    scenes = [sample_scene(rng, held_out="include") for _ in range(300)]
    wrong_shape = 0
    for i, scene in enumerate(scenes):
        image = render_misshapen(scene, np.random.default_rng(i))
        boxes = layout(scene, np.random.default_rng(i))
        changed = []
        for obj, (left, top, extent) in zip(scene.objects, boxes):
            drawn = image[top:top + extent, left:left + extent]
            gap = np.abs(drawn.astype(int) - PALETTE[obj.color]).max(axis=-1)
            changed.append(not np.array_equal(gap <= COLOR_JITTER, shape_mask(obj.shape, extent)))
        assert sum(changed) == 1, scene
        wrong_shape += "shape" in judge_errors(describe(image), scene.to_spec())
    # Most morphs go far enough that the judge names the shape wrong; the
    # rest are near-shapes, still never drawn by `render`.
    assert wrong_shape >= 0.7 * len(scenes)


def test_misshapen_is_deterministic_and_checks_its_arguments():
    scene = Scene((ShapeObject("red", "square", "large"),), position="left")
    first = render_misshapen(scene, np.random.default_rng(7))
    np.testing.assert_array_equal(first, render_misshapen(scene, np.random.default_rng(7)))
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match="min_amount"):
            render_misshapen(scene, np.random.default_rng(0), min_amount=bad)
    with pytest.raises(ValueError, match="amount"):
        morph_shape_mask("square", "circle", 12, -0.1)
    with pytest.raises(ValueError, match="masks"):
        render(scene, np.random.default_rng(0), boxes=[(0, 0, 24)], masks=[np.ones((5, 5), bool)])


def test_misshapen_training_scenes_never_show_a_held_out_pair():
    # DESIGN.md keeps the held-out pairs out of all training, and the
    # misshapen renders are shown to the discriminator. Morphing a yellow
    # square toward a triangle passes through what the judge reads as a
    # yellow circle; morphing a magenta circle toward a triangle would
    # draw a magenta triangle.
    rng = np.random.default_rng(0)
    for i in range(1500):
        scene = sample_scene(rng, held_out="exclude")
        drawn = {(o["color"], o["shape"])
                 for o in describe(render_misshapen(scene, np.random.default_rng(i)))}
        assert not drawn & set(HELD_OUT), (scene, drawn)
