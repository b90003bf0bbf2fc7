"""Negative examples for the captioned shapes: renders the grammar never makes.

A text GAN trained on the captioned shapes often draws a two-object caption
as one blob: the two objects touching or merged, which the judge counts as
one object. Real renders keep objects `MIN_GAP` pixels apart, but nothing
tells the discriminator that touching is wrong until it has seen it.
`render_touching` draws the scene with its two objects pushed together, so
that the discriminator can be shown it as fake (negative data
augmentation, Sinha et al., ICLR 2021).

Its other common failure is a shape between two of the grammar's: a square
with rounded corners, a triangle with a flattened apex. `render_misshapen`
draws the scene with one object morphed part or all of the way into
another shape, a hard negative for the caption that names the true shape.
"""

import numpy as np
from scipy import ndimage

from zoo.data.captioned_shapes import (
    HELD_OUT,
    IMAGE_SIZE,
    SHAPES,
    Scene,
    layout,
    render,
    shape_mask,
)

_EIGHT_CONNECTED = np.ones((3, 3), bool)


def _object_masks(scene, boxes):
    masks = []
    for obj, (left, top, extent) in zip(scene.objects, boxes):
        mask = np.zeros((IMAGE_SIZE, IMAGE_SIZE), bool)
        mask[top:top + extent, left:left + extent] = shape_mask(obj.shape, extent)
        masks.append(mask)
    return masks


def _touch(masks):
    return ndimage.label(masks[0] | masks[1], structure=_EIGHT_CONNECTED)[1] == 1


def render_touching(scene: Scene, rng: np.random.Generator, *, max_overlap: int = 3) -> np.ndarray:
    """Render a two-object scene with its objects touching or overlapping.

    The layout starts as `render` draws it; the second object then slides
    in whole pixels along the line between the two centres until the
    objects form one connected region, and `0..max_overlap` steps further.
    It is then drawn as `render` draws, over the first where they overlap.

    Args:
        scene: a two-object scene (`Scene.relation` set).
        rng: draws the layout, the extra overlap and the colour jitter.
        max_overlap: the most extra one-pixel steps past first contact.

    Returns:
        A uint8 `64x64x3` image: the scene's objects as one blob.

    Example:
    ```python
    scene = Scene((ShapeObject("red", "circle", "large"),
                   ShapeObject("blue", "square", "small")), relation="above")
    render_touching(scene, np.random.default_rng(0)).shape  # (64, 64, 3)
    ```
    """
    if len(scene.objects) != 2:
        raise ValueError(
            f"`scene` must have two objects to touch. Received {len(scene.objects)}: {scene}"
        )
    if int(max_overlap) < 0:
        raise ValueError(f"`max_overlap` must be >= 0. Received: max_overlap={max_overlap}")
    boxes = layout(scene, rng)
    (l0, t0, e0), (l1, t1, e1) = boxes
    start = np.array([l1, t1], float)
    direction = np.array([l0 + e0 / 2 - l1 - e1 / 2, t0 + e0 / 2 - t1 - e1 / 2])
    direction /= max(np.linalg.norm(direction), 1e-6)
    extra = int(rng.integers(0, int(max_overlap) + 1))
    touched_at = None
    for step in range(1, 2 * IMAGE_SIZE):
        left, top = np.rint(start + step * direction).astype(int)
        left = int(np.clip(left, 0, IMAGE_SIZE - e1))
        top = int(np.clip(top, 0, IMAGE_SIZE - e1))
        moved = [boxes[0], (left, top, e1)]
        if touched_at is None and _touch(_object_masks(scene, moved)):
            touched_at = step
        if touched_at is not None and step >= touched_at + extra:
            break
    return render(scene, rng, boxes=moved)


def _signed_distance(mask):
    # Positive outside, negative inside; one pixel of border so that the
    # mask's edge at the box side is an edge too.
    padded = np.pad(mask, 1)
    inside = ndimage.distance_transform_edt(padded)
    outside = ndimage.distance_transform_edt(~padded)
    return (outside - inside)[1:-1, 1:-1]


def morph_shape_mask(shape: str, other: str, extent: int, amount: float) -> np.ndarray:
    """A mask `amount` of the way from `shape` to `other` (signed-distance blend).

    `amount=0` is `shape_mask(shape, extent)`, `1` is `other`'s; `0.5`
    between a square and a circle is a rounded square.

    Example:
    >>> morph_shape_mask("square", "circle", 16, 0.5).mean().round(2)
    np.float64(0.86)
    """
    if not 0.0 <= float(amount) <= 1.0:
        raise ValueError(f"`amount` must be in [0, 1]. Received: amount={amount}")
    blend = ((1.0 - amount) * _signed_distance(shape_mask(shape, extent))
             + amount * _signed_distance(shape_mask(other, extent)))
    return blend < 0


def _read_shape(mask):
    # The shape the judge would read: the nearest fill ratio of the box.
    # Imported here: zoo.metrics imports zoo.data.
    from zoo.metrics.shapes_judge import FILL_RATIOS

    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    fill = mask.sum() / ((rows[-1] - rows[0] + 1) * (cols[-1] - cols[0] + 1))
    return min(FILL_RATIOS, key=lambda name: abs(FILL_RATIOS[name] - fill))


def render_misshapen(
    scene: Scene, rng: np.random.Generator, *, min_amount: float = 0.35
) -> np.ndarray:
    """Render a scene with one object's shape morphed toward another shape.

    One object (chosen at random) is drawn `amount ~ U(min_amount, 1)` of
    the way from its shape to one of the two others (`morph_shape_mask`),
    at the layout `render` would draw; the rest is as `render` draws it. A
    morph that leaves the mask unchanged (tiny extents) goes all the way.
    No `HELD_OUT` colour-shape pair is drawn: the object is never morphed
    toward one, and a morph that would read as one goes all the way.

    Args:
        scene: a one- or two-object scene.
        rng: draws the layout, the object, the other shape, the amount and
            the colour jitter.
        min_amount: the least morph, in (0, 1].

    Returns:
        A uint8 `64x64x3` image with one object morphed away from the shape
        its caption names: most read as another shape to the judge; the
        least morphed are near-shapes (a square with rounded corners) that
        the judge may still accept but `render` never draws, hard
        negatives that ask for crisp shapes.

    Example:
    ```python
    scene = Scene((ShapeObject("red", "square", "large"),), position="left")
    render_misshapen(scene, np.random.default_rng(0)).shape  # (64, 64, 3)
    ```
    """
    if not 0.0 < float(min_amount) <= 1.0:
        raise ValueError(f"`min_amount` must be in (0, 1]. Received: min_amount={min_amount}")
    boxes = layout(scene, rng)
    index = int(rng.integers(len(scene.objects)))
    color, shape = scene.objects[index].color, scene.objects[index].shape
    # Negatives are training data too: the held-out colour-shape pairs must
    # not appear in them, so never morph toward one (each colour has one
    # held-out shape at most, which leaves one or two others).
    other = str(rng.choice([s for s in SHAPES if s != shape and (color, s) not in HELD_OUT]))
    extent = boxes[index][2]
    mask = morph_shape_mask(shape, other, extent, rng.uniform(float(min_amount), 1.0))
    if np.array_equal(mask, shape_mask(shape, extent)) or (color, _read_shape(mask)) in HELD_OUT:
        # Part of the way from a yellow square to a triangle reads as a
        # yellow circle (a held-out pair): go all the way instead.
        mask = shape_mask(other, extent)
    masks = [None] * len(scene.objects)
    masks[index] = mask
    return render(scene, rng, boxes=boxes, masks=masks)
