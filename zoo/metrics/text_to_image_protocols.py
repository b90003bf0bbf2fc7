"""Scoring a captioned-shapes generator with the shapes judge (issue goals).

Three prompt sets, all fresh (seeded apart from any training stream):
`seen` (the training grammar), `held_out` (every prompt names one of the
held-out colour-shape pairs) and `paraphrase` (wordings the caption
templates never use, e.g. "crimson orb near the left edge"). The judge
accepts an image when every attribute its prompt names holds.
"""

import re

import numpy as np

from zoo.data.captioned_shapes import (
    _POSITION_PHRASES,
    _RELATION_PHRASES,
    _SHAPE_WORDS,
    _SIZE_WORDS,
    COLORS,
    SHAPES,
    SIZES,
    CaptionedShapes,
    Scene,
    ShapeObject,
    caption,
    parse_caption,
    render,
    sample_scene,
)
from zoo.metrics.shapes_judge import ERRORS, describe, judge_batch, judge_errors, match_objects

# Words the templates never use, each mapped to the grammar's attribute.
PARAPHRASE_COLORS = {
    "red": ("crimson", "scarlet"), "green": ("emerald", "lime-green"),
    "blue": ("azure", "navy"), "yellow": ("golden", "lemon-coloured"),
    "magenta": ("purple", "fuchsia"), "cyan": ("turquoise", "aqua"),
    "white": ("snow-white", "ivory"),
}
PARAPHRASE_SHAPES = {
    "circle": ("orb", "round dot"), "square": ("block", "tile"),
    "triangle": ("pyramid", "wedge"),
}
PARAPHRASE_SIZES = {"small": ("miniature", "petite"), "large": ("huge", "giant")}
PARAPHRASE_POSITIONS = {
    "left": "near the left edge", "right": "close to the right edge",
    "top": "up at the top", "bottom": "down at the bottom", "center": "right in the middle",
}
PARAPHRASE_RELATIONS = {
    "above": "sitting over", "below": "underneath", "left of": "to the west of",
    "right of": "to the east of",
}


def _phrase(obj, rng):
    """A paraphrased object phrase, and whether it names the size."""
    named_size = bool(rng.random() < 0.7)
    words = [str(rng.choice(PARAPHRASE_SIZES[obj.size]))] if named_size else []
    words += [str(rng.choice(PARAPHRASE_COLORS[obj.color])),
              str(rng.choice(PARAPHRASE_SHAPES[obj.shape]))]
    return " ".join(words), named_size


def paraphrase_prompts(count=200, seed=2):
    """`count` prompts in wordings the templates never use, with their specs.

    Example:
    >>> prompts, specs = paraphrase_prompts(3)
    """
    rng = np.random.default_rng(seed)
    prompts, specs = [], []
    for _ in range(count):
        scene = sample_scene(rng, held_out="include")
        spec = scene.to_spec()
        phrases = []
        for i, obj in enumerate(scene.objects):
            phrase, named_size = _phrase(obj, rng)
            if not named_size:
                spec["objects"][i].pop("size", None)
            phrases.append(phrase)
        if scene.position is not None:
            prompts.append(f"a {phrases[0]} {PARAPHRASE_POSITIONS[scene.position]}")
        else:
            prompts.append(f"a {phrases[0]} {PARAPHRASE_RELATIONS[scene.relation]} a {phrases[1]}")
        specs.append(spec)
    return prompts, specs


# Per attribute: a carrier sentence, the grammar's words for each value, and
# the paraphrase words for each value.
_WORD_FAMILIES = {
    "color": ("a {} circle", {c: (c,) for c in COLORS}, PARAPHRASE_COLORS),
    "shape": ("a red {}", _SHAPE_WORDS, PARAPHRASE_SHAPES),
    "size": ("a {} red circle", _SIZE_WORDS, PARAPHRASE_SIZES),
    "position": ("a red circle {}", _POSITION_PHRASES,
                 {k: (v,) for k, v in PARAPHRASE_POSITIONS.items()}),
    "relation": ("a red circle {} a blue square", _RELATION_PHRASES,
                 {k: (v,) for k, v in PARAPHRASE_RELATIONS.items()}),
}


def paraphrase_word_agreement(encode):
    """How often a text encoder puts each paraphrase word nearest its meaning.

    Each paraphrase word (e.g. "crimson") and each of the caption grammar's
    words ("red", "blue", ...) is embedded in the same carrier sentence
    ("a crimson circle", "a red circle", ...); the paraphrase word counts as
    understood when its sentence vector is nearest (cosine) to a grammar
    sentence of the same value. A generator trained on the grammar only
    sees the encoder's vectors, so this bounds, roughly, what it can make
    of the paraphrase benchmark: `prompts` is the share of the 200
    paraphrase prompts in which every paraphrase word is understood.

    Args:
        encode: maps a list of strings to `[N, D]` sentence vectors.

    Returns:
        `{"color": acc, "shape": acc, "size": acc, "position": acc,
        "relation": acc, "words": acc, "prompts": acc, "misses":
        ["crimson -> magenta", ...]}`.

    Example:
    ```python
    encoder, tokenizer = MiniLMEncoder(), PromptTokenizer(20)
    paraphrase_word_agreement(lambda t: encoder(tokenizer(t))["pooled"])
    ```
    """
    if not callable(encode):
        raise TypeError(f"`encode` must be callable. Received: {type(encode).__name__}")
    scores, understood, misses = {}, {}, []
    for family, (carrier, grammar, paraphrases) in _WORD_FAMILIES.items():
        anchors = [(value, word) for value, words in grammar.items() for word in words]
        queries = [(value, word) for value, words in paraphrases.items() for word in words]
        sentences = [carrier.format(word) for _, word in anchors + queries]
        vectors = np.asarray(encode(sentences), dtype=np.float64)
        if vectors.ndim != 2 or len(vectors) != len(sentences):
            raise ValueError(
                f"`encode` must return one vector per sentence, shape [{len(sentences)}, D]. "
                f"Received shape: {vectors.shape}"
            )
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        similarity = vectors[len(anchors):] @ vectors[:len(anchors)].T
        for (value, word), nearest in zip(queries, similarity.argmax(axis=1)):
            guess = anchors[nearest][0]
            understood[word] = guess == value
            if guess != value:
                misses.append(f"{word} -> {guess}")
        scores[family] = round(float(np.mean([understood[w] for _, w in queries])), 4)
    scores["words"] = round(float(np.mean(list(understood.values()))), 4)
    prompts, _ = paraphrase_prompts(200)
    scores["prompts"] = round(float(np.mean([
        all(ok for word, ok in understood.items() if re.search(rf"\b{re.escape(word)}\b", prompt))
        for prompt in prompts
    ])), 4)
    scores["misses"] = misses
    return scores


def grammar_prompts(count=500, held_out="exclude", seed=1):
    """`count` fresh prompts from the caption grammar, with the specs they name."""
    rng = np.random.default_rng((seed, 11))
    prompts = [caption(sample_scene(rng, held_out=held_out), rng) for _ in range(count)]
    return prompts, [parse_caption(p) for p in prompts]


def _pairwise_distance(images):
    x = images.reshape(len(images), -1).astype(np.float32) / 255.0
    return float(np.mean([np.abs(x[i] - x[j]).mean()
                          for i in range(len(x)) for j in range(i + 1, len(x))]))


def _scene_of(spec, rng):
    """A scene drawing `spec` (`parse_caption`'s), sizes it leaves out drawn."""
    objects = tuple(
        ShapeObject(obj["color"], obj["shape"], obj.get("size") or str(rng.choice(tuple(SIZES))))
        for obj in spec["objects"]
    )
    return Scene(objects, position=spec.get("position"), relation=spec.get("relation"))


def diversity(generate, prompts, seeds=(0, 1, 2, 3)):
    """Mean pairwise pixel distance across seeds per prompt, generated and real.

    The real figure renders each prompt's own scene once per seed, with
    fresh layouts (and fresh sizes where the prompt names none), so the two
    compare directly: a collapsed generator scores near 0.
    """
    rng = np.random.default_rng(5)
    generated, real = [], []
    for prompt in prompts:
        images = np.stack([generate([prompt], seed=s)[0] for s in seeds])
        generated.append(_pairwise_distance(images))
        spec = parse_caption(prompt)
        renders = [render(_scene_of(spec, rng), rng) for _ in seeds]
        real.append(_pairwise_distance(np.stack(renders)))
    return {"generated": round(float(np.mean(generated)), 4), "real": round(float(np.mean(real)), 4)}


def error_rates(images, specs):
    """Share of the samples with each of the judge's `ERRORS` (`judge_errors`).

    A sample can fail in several ways (a wrong colour and a wrong shape), so
    the shares may add up to more than the failure rate.

    Example:
    >>> error_rates(np.zeros((2, 64, 64, 3), np.uint8), specs)["missing object"]
    1.0
    """
    return _rates([judge_errors(objects, spec) for objects, spec in _judged(images, specs)])


def shape_confusion(images, specs):
    """Which shape was drawn for each shape the prompts name.

    Over the objects the judge can pair with the spec's (`match_objects`:
    images with the right object count), `{named: {drawn: share}}` for the
    three shapes, with `"objects"`: how many were paired per named shape.

    Example (`text_gan_tiny` at 43,193 steps, 500 seen prompts):
    >>> shape_confusion(images, specs)["square"]
    {'circle': 0.4216, 'square': 0.5196, 'triangle': 0.0588, 'objects': 204}
    """
    return _confusion(_judged(images, specs))


def _judged(images, specs):
    # One `describe` per image serves the accuracy, the error rates and
    # the shape confusion.
    if len(images) != len(specs):
        raise ValueError(
            f"`images` and `specs` differ in length: {len(images)} vs {len(specs)}."
        )
    return [(describe(image), spec) for image, spec in zip(images, specs)]


def _rates(errors):
    counts = dict.fromkeys(ERRORS, 0)
    for sample in errors:
        for error in sample:
            counts[error] += 1
    return {error: round(count / max(len(errors), 1), 4) for error, count in counts.items()}


def _confusion(judged):
    counts = {named: dict.fromkeys(SHAPES, 0) for named in SHAPES}
    for objects, spec in judged:
        for wanted, found in match_objects(objects, spec) or ():
            if "shape" in wanted:
                counts[wanted["shape"]][found["shape"]] += 1
    confusion = {}
    for named, drawn in counts.items():
        total = sum(drawn.values())
        confusion[named] = {shape: round(n / max(total, 1), 4) for shape, n in drawn.items()}
        confusion[named]["objects"] = total
    return confusion


def text_to_image_scores(generate, num_prompts=500, paraphrases=False, seed=0):
    """Judge accuracy of `generate(prompts, seed=...)` on the benchmark sets.

    Returns:
        `{"seen": acc, "held_out": acc, ["paraphrase": acc,] "diversity": {...},
        "judge_on_real": acc, "errors": {set: error_rates(...)},
        "shape_confusion": {set: shape_confusion(...)}}`, accuracies
        in [0, 1]; `judge_on_real` is the judge on 200 real renders of
        random scenes of the training grammar (`CaptionedShapes(seed=99)`: its
        own ceiling); `diversity` is measured on the first 25 seen prompts;
        `errors` says how each set's images fail, `shape_confusion` which
        shapes they draw for the shapes named.
    """
    scores, errors, confusion = {}, {}, {}
    sets = {"seen": grammar_prompts(num_prompts, "exclude"),
            "held_out": grammar_prompts(num_prompts, "only")}
    if paraphrases:
        sets["paraphrase"] = paraphrase_prompts(200)
    for name, (prompts, specs) in sets.items():
        judged = _judged(generate(prompts, seed=seed), specs)
        found = [judge_errors(objects, spec) for objects, spec in judged]
        scores[name] = round(float(np.mean([not e for e in found])), 4)
        errors[name] = _rates(found)
        confusion[name] = _confusion(judged)
    real, _, real_specs = CaptionedShapes(seed=99).sample(200)
    scores["judge_on_real"] = round(float(np.mean(judge_batch(real, real_specs))), 4)
    scores["diversity"] = diversity(generate, sets["seen"][0][:25])
    scores["errors"] = errors
    scores["shape_confusion"] = confusion
    scores["protocol"] = (
        f"{num_prompts} fresh grammar prompts (seen pairs), {num_prompts} naming a held-out "
        "pair" + (", 200 paraphrases" if paraphrases else "") + "; one image each, seed "
        f"{seed}; zoo.metrics.shapes_judge; diversity = mean pairwise L1 over 4 seeds "
        "on the first 25 seen prompts"
    )
    return scores
