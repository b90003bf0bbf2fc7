"""The text-to-image benchmark protocol: prompt sets and judge-based scores."""

import numpy as np
import pytest

from zoo.data.captioned_shapes import HELD_OUT, Scene, ShapeObject, parse_caption, render
from zoo.metrics import grammar_prompts, paraphrase_prompts, text_to_image_scores


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

    def blank(prompts, seed=None):
        return np.zeros((len(prompts), 64, 64, 3), np.uint8)

    scores = text_to_image_scores(blank, num_prompts=40)
    assert scores["seen"] == scores["held_out"] == 0.0
    assert scores["diversity"]["generated"] == 0.0
