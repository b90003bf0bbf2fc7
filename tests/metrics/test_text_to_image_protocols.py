"""The text-to-image benchmark protocol: prompt sets and judge-based scores."""

import numpy as np
import pytest

from zoo.data.captioned_shapes import HELD_OUT, CaptionedShapes, Scene, ShapeObject, parse_caption, render
from zoo.metrics import (
    error_rates,
    grammar_prompts,
    paraphrase_prompts,
    paraphrase_word_agreement,
    shape_confusion,
    text_to_image_scores,
)
from zoo.metrics.text_to_image_protocols import (
    PARAPHRASE_COLORS,
    PARAPHRASE_POSITIONS,
    PARAPHRASE_RELATIONS,
    PARAPHRASE_SHAPES,
    PARAPHRASE_SIZES,
    diversity,
)


def _scene(spec):
    objects = tuple(ShapeObject(o["color"], o["shape"], o.get("size", "large"))
                    for o in spec["objects"])
    return Scene(objects, position=spec.get("position"), relation=spec.get("relation"))


def _oracle(prompt_specs):
    """A 'generator' that renders exactly what each prompt names."""
    def generate(prompts, seed=None):
        rng = np.random.default_rng(seed)
        return np.stack([render(_scene(prompt_specs[p]), rng) for p in prompts])
    return generate


def test_grammar_prompts_are_fresh_deterministic_and_respect_held_out():
    prompts, specs = grammar_prompts(200, "exclude")
    assert (prompts, specs) == grammar_prompts(200, "exclude")
    pairs = {(o["color"], o["shape"]) for s in specs for o in s["objects"]}
    assert not pairs & set(HELD_OUT)
    _, held = grammar_prompts(200, "only")
    assert all({(o["color"], o["shape"]) for o in s["objects"]} & set(HELD_OUT) for s in held)


def test_paraphrases_use_wordings_outside_the_caption_grammar():
    prompts, specs = paraphrase_prompts(100)
    assert len(set(prompts)) > 80 and len(specs) == 100
    for prompt in prompts:
        with pytest.raises(ValueError):
            parse_caption(prompt)


def test_scores_of_an_oracle_and_of_a_blank_generator():
    sets = [grammar_prompts(40, "exclude"), grammar_prompts(40, "only"), paraphrase_prompts(200)]
    lookup = {p: s for prompts, specs in sets for p, s in zip(prompts, specs)}
    scores = text_to_image_scores(_oracle(lookup), num_prompts=40, paraphrases=True)
    assert scores["seen"] == scores["held_out"] == scores["paraphrase"] == 1.0
    assert scores["judge_on_real"] == 1.0
    assert scores["diversity"]["generated"] > 0.02
    for name in ("seen", "held_out", "paraphrase"):
        for named, drawn in scores["shape_confusion"][name].items():
            assert drawn[named] == 1.0 and drawn["objects"] > 0, (name, named)

    def blank(prompts, seed=None):
        return np.zeros((len(prompts), 64, 64, 3), np.uint8)

    scores = text_to_image_scores(blank, num_prompts=40)
    assert scores["seen"] == scores["held_out"] == 0.0
    assert scores["diversity"]["generated"] == 0.0
    for name in ("seen", "held_out"):
        assert scores["errors"][name]["missing object"] == 1.0
        assert sum(scores["errors"][name].values()) == 1.0
        assert all(d["objects"] == 0 for d in scores["shape_confusion"][name].values())


def test_real_diversity_renders_each_prompts_own_scene():
    # One small object moves fewer pixels between layouts than two large
    # ones: the real figure must follow the prompts it is given.
    small = ["a small red circle on the left"] * 3
    large = ["a large red circle above a large blue square"] * 3
    never = lambda prompts, seed=None: np.zeros((len(prompts), 64, 64, 3), np.uint8)  # noqa: E731
    assert diversity(never, small)["real"] < 0.5 * diversity(never, large)["real"]
    # An oracle that renders the prompt's scene with its own fresh layouts
    # spreads as the real renders do.
    prompts, specs = grammar_prompts(20, "exclude")
    oracle = _oracle(dict(zip(prompts, specs)))
    scores = diversity(oracle, [p for p, s in zip(prompts, specs)
                                if all("size" in o for o in s["objects"])])
    assert scores["generated"] == pytest.approx(scores["real"], rel=0.35)


def test_error_rates_of_an_oracle_are_zero_and_count_each_error():
    images, _, specs = CaptionedShapes(seed=3).sample(40)
    # One object each: with two, a swapped pairing could read as another error.
    images, specs = zip(*[(i, s) for i, s in zip(images, specs) if len(s["objects"]) == 1])
    assert set(error_rates(images, specs).values()) == {0.0}
    wrong = [dict(spec, objects=[dict(o, color="white" if o["color"] != "white" else "red")
                                 for o in spec["objects"]]) for spec in specs]
    assert error_rates(images, wrong)["color"] == 1.0
    with pytest.raises(ValueError, match="specs"):
        error_rates(images, specs[:3])


def test_shape_confusion_names_the_shape_drawn_for_the_shape_named():
    from zoo.data.captioned_shapes import layout, shape_mask

    prompts, specs = grammar_prompts(120, "exclude")
    rng = np.random.default_rng(0)
    images = []
    for spec in specs:
        scene = _scene(spec)
        boxes = layout(scene, rng)
        # Every square drawn as a circle; circles and triangles as they are.
        masks = [shape_mask("circle", e) if o.shape == "square" else None
                 for o, (_, _, e) in zip(scene.objects, boxes)]
        images.append(render(scene, rng, boxes=boxes, masks=masks))
    confusion = shape_confusion(np.stack(images), specs)
    assert confusion["square"]["circle"] == 1.0 and confusion["square"]["objects"] > 10
    for named in ("circle", "triangle"):
        assert confusion[named][named] == 1.0 and confusion[named]["objects"] > 10
    with pytest.raises(ValueError, match="specs"):
        shape_confusion(np.stack(images), specs[:3])


def _canonical_encoder(meaning):
    """Sentence -> a seeded random vector of the sentence with words replaced.

    `meaning` maps paraphrase words to grammar words: such an encoder
    'understands' exactly those words.
    """
    def encode(sentences):
        vectors = []
        for sentence in sentences:
            for word, grammar_word in meaning.items():
                sentence = sentence.replace(word, grammar_word)
            seed = sum(ord(c) * (i + 1) for i, c in enumerate(sentence))
            vectors.append(np.random.default_rng(seed).normal(size=32))
        return np.stack(vectors)
    return encode


def _all_paraphrases():
    return {
        word: value
        for table in (PARAPHRASE_COLORS, PARAPHRASE_SHAPES, PARAPHRASE_SIZES)
        for value, words in table.items() for word in words
    } | {phrase: value for value, phrase in PARAPHRASE_RELATIONS.items()} | {
        phrase: f"at the {value}" for value, phrase in PARAPHRASE_POSITIONS.items()
    }


def test_word_agreement_is_perfect_for_an_encoder_that_knows_every_synonym():
    scores = paraphrase_word_agreement(_canonical_encoder(_all_paraphrases()))
    for key in ("color", "shape", "size", "position", "relation", "words", "prompts"):
        assert scores[key] == 1.0, key
    assert scores["misses"] == []


def test_word_agreement_counts_each_misread_word_and_the_prompts_using_it():
    meaning = _all_paraphrases() | {"crimson": "blue"}
    scores = paraphrase_word_agreement(_canonical_encoder(meaning))
    assert scores["misses"] == ["crimson -> blue"]
    assert scores["color"] == round(13 / 14, 4) and scores["shape"] == 1.0
    prompts, _ = paraphrase_prompts(200)
    with_crimson = np.mean(["crimson" in p for p in prompts])
    assert 0 < with_crimson < 1
    assert scores["prompts"] == round(1 - with_crimson, 4)


def test_word_agreement_of_an_encoder_that_ignores_meaning_is_low():
    scores = paraphrase_word_agreement(_canonical_encoder({}))
    assert scores["words"] < 0.6 and scores["prompts"] < 0.2
    assert len(scores["misses"]) > 10


def test_word_agreement_rejects_bad_encoders():
    with pytest.raises(TypeError, match="encode"):
        paraphrase_word_agreement("minilm")
    with pytest.raises(ValueError, match="one vector per sentence"):
        paraphrase_word_agreement(lambda sentences: np.zeros((2, 8)))
