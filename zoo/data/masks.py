"""Free-form inpainting masks (DeepFill v2 style) and the benchmark's masks."""

import math

import numpy as np
from PIL import Image, ImageDraw

from zoo.arguments import check_int

# The benchmark protocol: about 25% of each val image, fixed by the seed.
PROTOCOL_COVERAGE = (0.24, 0.26)
_MIN_STROKES, _MAX_STROKES = 4, 10
# Rounds of strokes before giving up on reaching `coverage[0]`.
_MAX_ROUNDS = 5 * _MAX_STROKES


def _stroke(draw, height, width, rng):
    """One DeepFill v2 stroke: a polyline of 4-8 vertices with round joints."""
    side = min(height, width)
    radius = math.hypot(height, width) / 8  # mean segment length
    mean_angle, angle_range = 2 * math.pi / 5, 2 * math.pi / 15
    low = mean_angle - rng.uniform(0, angle_range)
    high = mean_angle + rng.uniform(0, angle_range)
    stroke_width = max(1, int(round(rng.uniform(0.03, 0.08) * side)))
    x, y = rng.uniform(0, width), rng.uniform(0, height)
    vertices = [(x, y)]
    for i in range(int(rng.integers(4, 9))):
        angle = rng.uniform(low, high)
        angle = 2 * math.pi - angle if i % 2 == 0 else angle
        length = np.clip(rng.normal(radius, radius / 2), 0, 2 * radius)
        x = float(np.clip(x + length * math.cos(angle), 0, width))
        y = float(np.clip(y + length * math.sin(angle), 0, height))
        vertices.append((x, y))
    draw.line(vertices, fill=255, width=stroke_width)
    r = stroke_width / 2
    for vx, vy in vertices:
        draw.ellipse((vx - r, vy - r, vx + r, vy + r), fill=255)


def free_form_mask(height, width, rng, coverage=(0.15, 0.5), max_tries=20):
    """A random free-form mask of brush strokes (1 = missing).

    Strokes as in DeepFill v2 (Yu et al., 2019): polylines with random
    vertex angles and lengths, of a random width (3-8% of the shorter side),
    drawn with Pillow lines and circles at the joints. A target coverage is
    drawn from `coverage`; strokes are added until it is reached (at least
    4; past 10 only while the mask is still under `coverage[0]`, up to 50
    rounds). A stroke that would overshoot `coverage[1]` is drawn again, up
    to `max_tries` times; a round in which every try overshoots adds no
    stroke, so the mask's coverage lies in `coverage`, unless the mask is
    too small for any stroke to fit (a few pixels a side). Sizes scale with
    the image, so patches and full images look alike.

    Args:
        height, width: the mask size.
        rng: a `np.random.Generator`.
        coverage: `(low, high)` fraction of missing pixels.
        max_tries: redraws of a stroke that overshoots.

    Returns:
        float32 array `[height, width]` of 0 and 1.

    Example:
    >>> m = free_form_mask(256, 256, np.random.default_rng(0))
    >>> bool(0.15 <= m.mean() <= 0.5)
    True
    """
    low, high = (float(c) for c in coverage)
    if not 0.0 < low <= high < 1.0:
        raise ValueError(
            f"`coverage` must be (low, high) with 0 < low <= high < 1. Received: {coverage!r}"
        )
    check_int("height", height)
    check_int("width", width)
    check_int("max_tries", max_tries)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a np.random.Generator. Received: {type(rng).__name__}")
    target = rng.uniform(low, high)
    mask = Image.new("L", (width, height), 0)
    covered = 0.0
    strokes = rounds = 0
    while True:
        best = None
        for _ in range(max_tries):
            candidate = mask.copy()
            _stroke(ImageDraw.Draw(candidate), height, width, rng)
            candidate_covered = np.asarray(candidate).mean() / 255.0
            if best is None or candidate_covered < best[1]:
                best = (candidate, candidate_covered)
            if candidate_covered <= high:
                break
        rounds += 1
        # When every try overshoots, add nothing this round (keeping the
        # smallest overshoot put masks above `coverage[1]`); masks that never
        # get here are drawn as before, so the benchmark's masks are unchanged.
        # Only when no stroke can fit is the smallest overshoot kept.
        if best[1] <= high or (rounds >= _MAX_ROUNDS and covered < low):
            mask, covered = best
            strokes += 1
        if covered >= target and strokes >= _MIN_STROKES:
            break
        if rounds >= _MAX_STROKES and (
            (covered >= low and strokes >= _MIN_STROKES) or rounds >= _MAX_ROUNDS
        ):
            break
    return (np.asarray(mask) > 127).astype(np.float32)


def protocol_masks(images, seed=0):
    """The inpainting benchmark's masks: about 25% free-form per image.

    Each image gets `free_form_mask(h, w, np.random.default_rng(seed),
    coverage=PROTOCOL_COVERAGE)` (a fresh generator per image, so a mask
    depends on the seed and the image size only).

    Args:
        images: `{name: image}` (e.g. `load_natural_images("val")`).
        seed: the protocol seed.

    Returns:
        `{name: float32 HxW mask}`, 1 = missing.

    Example:
    >>> masks = protocol_masks(load_natural_images("val"))
    >>> round(float(masks["camera"].mean()), 2)
    0.26
    """
    return {
        name: free_form_mask(
            *np.shape(image)[:2], np.random.default_rng(seed), coverage=PROTOCOL_COVERAGE
        )
        for name, image in images.items()
    }


def random_masks(count, height, width, rng, coverage=(0.15, 0.5)):
    """`count` free-form masks as a float32 batch `[count, height, width, 1]`.

    Example:
    >>> random_masks(8, 64, 64, np.random.default_rng(0)).shape
    (8, 64, 64, 1)
    """
    masks = [free_form_mask(height, width, rng, coverage) for _ in range(count)]
    return np.stack(masks)[..., None]
