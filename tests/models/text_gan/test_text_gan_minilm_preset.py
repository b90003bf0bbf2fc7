"""A MiniLM-conditioned GAN preset names its encoder instead of copying it."""

import json
import os

import numpy as np

import zoo
from zoo.models import TextGANTextToImage

PROMPTS = ["a big red circle on the left", "small blue square, top"]


def test_minilm_preset_stores_no_minilm_weights(tmp_path):
    gan = TextGANTextToImage.from_scratch(
        "minilm", sequence_length=12, image_size=16, generator_width=4,
        discriminator_width=4, noise_dim=4, attention_resolutions=(8,), seed=0,
    )
    assert not gan.text_encoder.trainable
    encoder_ids = {id(w) for w in gan.text_encoder.weights}
    trained = gan.discriminator_trainable_variables + gan.generator_trainable_variables
    assert not any(id(v) in encoder_ids for v in trained)
    expected = gan.generate(PROMPTS, seed=1)

    preset = tmp_path / "minilm_gan"
    gan.save_to_preset(preset)
    total = sum(os.path.getsize(p) for p in preset.iterdir())
    assert total < 2_000_000, f"{total} bytes: MiniLM (90 MB) must not be copied"
    task = json.loads((preset / "task.json").read_text())
    encoder = task["config"]["text_encoder"]
    assert encoder["class_name"] == "MiniLMEncoder"
    assert encoder["config"]["preset"] == "all_minilm_l6_v2"

    loaded = zoo.from_preset(str(preset))
    assert type(loaded) is TextGANTextToImage
    np.testing.assert_array_equal(loaded.generate(PROMPTS, seed=1), expected)
