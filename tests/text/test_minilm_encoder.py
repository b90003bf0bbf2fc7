"""MiniLMEncoder: parity with an independent all-MiniLM-L6-v2, frozen, saved by reference."""

import json
import os

import keras
import numpy as np
import pytest

from zoo.text import MiniLMEncoder, PromptTokenizer, minilm_checkpoint_dir

SENTENCES = [
    "A big red circle on the left.",
    "blue square, right side",
    "a small yellow triangle above a large white circle",
    "The quick brown fox jumps over the lazy dog.",
    "",
]


@pytest.fixture(scope="module")
def encoder():
    return MiniLMEncoder()


@pytest.fixture(scope="module")
def tokenizer():
    return PromptTokenizer(sequence_length=32)


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _reference_embeddings(sentences, fallback_ids):
    """sentence-transformers' all-MiniLM-L6-v2, rewritten in plain torch.

    An implementation independent of keras-hub and of the code under test:
    the Hugging Face fast tokenizer (`tokenizers`, from tokenizer.json) when
    installed, a straightforward BERT forward on the safetensors weights, mean
    pooling and L2 normalisation as in the model card. Each sentence runs
    alone, unpadded. Returns (token states, pooled) per sentence.
    """
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file

    path = minilm_checkpoint_dir()
    config = json.loads((path / "config.json").read_text())
    w = load_file(str(path / "model.safetensors"))
    heads, eps = config["num_attention_heads"], config["layer_norm_eps"]
    try:
        import tokenizers

        hf = tokenizers.Tokenizer.from_file(str(path / "tokenizer.json"))
        hf.no_truncation()
        hf.no_padding()
        all_ids = [hf.encode(s).ids for s in sentences]
    except ImportError:
        all_ids = fallback_ids

    def linear(x, name):
        return x @ w[f"{name}.weight"].T + w[f"{name}.bias"]

    def norm(x, name):
        return torch.nn.functional.layer_norm(
            x, x.shape[-1:], w[f"{name}.weight"], w[f"{name}.bias"], eps
        )

    states, pooled = [], []
    with torch.no_grad():
        for ids in all_ids:
            ids = torch.tensor(ids)
            n = len(ids)
            x = (
                w["embeddings.word_embeddings.weight"][ids]
                + w["embeddings.position_embeddings.weight"][:n]
                + w["embeddings.token_type_embeddings.weight"][0]
            )
            x = norm(x, "embeddings.LayerNorm")
            for i in range(config["num_hidden_layers"]):
                p = f"encoder.layer.{i}"

                def split(t):
                    return t.reshape(n, heads, -1).transpose(0, 1)

                q = split(linear(x, f"{p}.attention.self.query"))
                k = split(linear(x, f"{p}.attention.self.key"))
                v = split(linear(x, f"{p}.attention.self.value"))
                scores = q @ k.transpose(1, 2) / q.shape[-1] ** 0.5
                context = (scores.softmax(-1) @ v).transpose(0, 1).reshape(n, -1)
                x = norm(x + linear(context, f"{p}.attention.output.dense"),
                         f"{p}.attention.output.LayerNorm")
                h = torch.nn.functional.gelu(linear(x, f"{p}.intermediate.dense"))
                x = norm(x + linear(h, f"{p}.output.dense"), f"{p}.output.LayerNorm")
            mean = x.mean(0)
            states.append(x.numpy())
            pooled.append((mean / mean.norm().clamp(min=1e-12)).numpy())
    return states, np.stack(pooled)


@pytest.mark.backend
@pytest.mark.slow
def test_matches_an_independent_sentence_transformers_pipeline(encoder, tokenizer):
    batch = tokenizer(SENTENCES)
    ours = encoder(batch)
    assert _np(ours["token_states"]).shape == (len(SENTENCES), 32, 384)
    assert _np(ours["pooled"]).shape == (len(SENTENCES), 384)
    lengths = batch["padding_mask"].sum(axis=1)
    fallback = [row[:n].tolist() for row, n in zip(batch["token_ids"], lengths)]
    ref_states, ref_pooled = _reference_embeddings(SENTENCES, fallback)
    pooled = _np(ours["pooled"])
    cosine = np.sum(pooled * ref_pooled, axis=1) / (
        np.linalg.norm(pooled, axis=1) * np.linalg.norm(ref_pooled, axis=1)
    )
    assert np.all(cosine > 0.999), cosine
    np.testing.assert_allclose(pooled, ref_pooled, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(pooled, axis=1), 1.0, atol=1e-5)
    states = _np(ours["token_states"])
    for i, n in enumerate(lengths):
        assert ref_states[i].shape[0] == n  # the two tokenizers agree on length
        np.testing.assert_allclose(states[i, :n], ref_states[i], atol=5e-5)


def test_normalize_false_gives_the_plain_masked_mean():
    plain = MiniLMEncoder(normalize=False)
    batch = PromptTokenizer(sequence_length=12)(["a red circle", "a blue square below"])
    out = plain(batch)
    states, mask = _np(out["token_states"]), batch["padding_mask"][..., None]
    expected = (states * mask).sum(1) / mask.sum(1)
    np.testing.assert_allclose(_np(out["pooled"]), expected, rtol=1e-5, atol=1e-6)
    assert not np.allclose(np.linalg.norm(expected, axis=1), 1.0)


def test_frozen_by_default(encoder):
    assert encoder.trainable is False
    assert encoder.trainable_weights == []
    assert encoder.count_params() > 22_000_000
    assert len(encoder.non_trainable_weights) > 100
    # Unfrozen, it trains and is saved in full (not by reference).
    unfrozen = MiniLMEncoder(trainable=True)
    assert len(unfrozen.trainable_weights) == len(encoder.non_trainable_weights)
    assert "backbone" in dir(unfrozen)
    assert "backbone" not in dir(encoder)


def test_config_is_a_reference_without_weights(encoder, tokenizer):
    config = encoder.get_config()
    assert config["preset"] == "all_minilm_l6_v2"
    assert config["trainable"] is False and config["normalize"] is True
    assert len(json.dumps(config)) < 1000
    clone = keras.saving.deserialize_keras_object(
        json.loads(json.dumps(keras.saving.serialize_keras_object(encoder)))
    )
    assert isinstance(clone, MiniLMEncoder)
    assert clone.trainable is False
    batch = tokenizer(SENTENCES[:2])
    np.testing.assert_allclose(_np(clone(batch)["pooled"]), _np(encoder(batch)["pooled"]), atol=1e-6)


def _head_model(encoder, length=8):
    inputs = {
        "token_ids": keras.Input((length,), dtype="int32", name="token_ids"),
        "padding_mask": keras.Input((length,), dtype="int32", name="padding_mask"),
    }
    pooled = encoder(inputs)["pooled"]
    return keras.Model(inputs, keras.layers.Dense(3, name="head")(pooled))


def test_saved_models_refer_to_the_frozen_weights(encoder, tmp_path):
    keras.utils.set_random_seed(0)
    model = _head_model(encoder)
    batch = PromptTokenizer(sequence_length=8)(["a red circle", ""])
    expected = _np(model(batch))
    # Only the head is written: the 90 MB of MiniLM stay in their package.
    model.save_weights(tmp_path / "m.weights.h5")
    assert os.path.getsize(tmp_path / "m.weights.h5") < 1_000_000
    model.save(tmp_path / "m.keras")
    assert os.path.getsize(tmp_path / "m.keras") < 1_000_000
    reloaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(_np(reloaded(batch)), expected, atol=1e-5)
    fresh = _head_model(MiniLMEncoder())
    fresh.load_weights(tmp_path / "m.weights.h5")
    np.testing.assert_allclose(_np(fresh(batch)), expected, atol=1e-5)


def test_unknown_preset_is_rejected():
    with pytest.raises(ValueError, match="`preset`"):
        MiniLMEncoder(preset="bert_base_en")


def test_token_ids_longer_than_the_position_table_are_named(encoder):
    ids = np.ones((1, 600), np.int32)
    with pytest.raises(ValueError, match="`token_ids` has length 600; MiniLM takes at most 512"):
        encoder({"token_ids": ids, "padding_mask": ids})
