"""render_touching: two-object scenes drawn as one blob, the GAN's negatives."""

import numpy as np
import pytest

from zoo.data import Scene, ShapeObject, render_touching, sample_scene
from zoo.data.captioned_shapes import COLOR_JITTER, PALETTE
from zoo.metrics.shapes_judge import describe


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
