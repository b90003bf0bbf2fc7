"""TinyTextEncoder: shapes, padding invariance, config, training step, LiteRT."""

import keras
import numpy as np
import pytest

from zoo.text import PromptTokenizer, TinyTextEncoder

PROMPTS = ["a red circle", "a big blue square below a small green triangle", ""]


def _np(x):
    return keras.ops.convert_to_numpy(x)


def _tiny(seed=0, **kwargs):
    keras.utils.set_random_seed(seed)
    return TinyTextEncoder(**{"sequence_length": 16, **kwargs})


@pytest.fixture(scope="module")
def tokenizer():
    return PromptTokenizer(sequence_length=16)


@pytest.mark.backend
def test_output_shapes_and_dtypes(tokenizer):
    encoder = _tiny(hidden_dim=32, num_heads=4, intermediate_dim=48)
    out = encoder(tokenizer(PROMPTS))
    assert set(out) == {"token_states", "pooled"}
    states, pooled = _np(out["token_states"]), _np(out["pooled"])
    assert states.shape == (3, 16, 32)
    assert pooled.shape == (3, 32)
    assert pooled.dtype == np.float32
    assert np.all(np.isfinite(states)) and np.all(np.isfinite(pooled))
    # The same interface as MiniLMEncoder: the pooled vector is the masked mean.
    mask = tokenizer(PROMPTS)["padding_mask"][..., None]
    np.testing.assert_allclose(pooled, (states * mask).sum(1) / mask.sum(1), atol=1e-5)


@pytest.mark.backend
def test_padding_tokens_change_nothing(tokenizer):
    encoder = _tiny()
    batch = tokenizer(PROMPTS)
    out = encoder(batch)
    # Different ids at the padding positions.
    noisy = dict(batch)
    rng = np.random.default_rng(0)
    junk = rng.integers(1, 30522, batch["token_ids"].shape).astype("int32")
    noisy["token_ids"] = np.where(batch["padding_mask"] == 1, batch["token_ids"], junk)
    out_noisy = encoder(noisy)
    np.testing.assert_allclose(_np(out_noisy["pooled"]), _np(out["pooled"]), atol=1e-5)
    # Less padding (a shorter L) gives the same pooled vector and real-token states.
    short = {k: v[:, :12] for k, v in tokenizer(PROMPTS[:1] + PROMPTS[2:]).items()}
    out_short = encoder(short)
    np.testing.assert_allclose(_np(out_short["pooled"]), _np(out["pooled"])[[0, 2]], atol=1e-5)
    n = int(batch["padding_mask"][0].sum())
    np.testing.assert_allclose(
        _np(out_short["token_states"])[0, :n], _np(out["token_states"])[0, :n], atol=1e-5
    )


def test_the_prompt_changes_the_output(tokenizer):
    pooled = _np(_tiny()(tokenizer(PROMPTS))["pooled"])
    assert np.abs(pooled[0] - pooled[1]).max() > 1e-3


def test_config_round_trip_gives_same_output(tokenizer):
    encoder = _tiny(hidden_dim=32, num_layers=1, num_heads=2, intermediate_dim=40, dropout=0.1)
    config = encoder.get_config()
    expected = {
        "vocabulary_size": 30522, "sequence_length": 16, "hidden_dim": 32,
        "num_layers": 1, "num_heads": 2, "intermediate_dim": 40, "dropout": 0.1,
    }
    for key, value in expected.items():
        assert config[key] == value
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(encoder))
    assert isinstance(clone, TinyTextEncoder)
    clone.set_weights(encoder.get_weights())
    batch = tokenizer(PROMPTS)
    np.testing.assert_allclose(
        _np(clone(batch)["pooled"]), _np(encoder(batch)["pooled"]), atol=1e-6
    )


def test_default_size_is_small():
    encoder = TinyTextEncoder()
    assert encoder.hidden_dim == 64 and encoder.num_layers == 2
    # Dominated by the 30522 x 64 token embedding.
    assert encoder.count_params() < 2_100_000


@pytest.mark.parametrize(
    "kwargs, arg",
    [({"hidden_dim": 30, "num_heads": 4}, "hidden_dim"), ({"num_layers": 0}, "num_layers"),
     ({"sequence_length": 0}, "sequence_length"), ({"dropout": 1.0}, "dropout")],
)
def test_bad_arguments_are_rejected(kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`"):
        TinyTextEncoder(**kwargs)


@pytest.mark.backend
def test_one_training_step_on_this_backend(tokenizer):
    encoder = _tiny(vocabulary_size=30522, hidden_dim=16, num_heads=2, intermediate_dim=32)
    inputs = {
        "token_ids": keras.Input((None,), dtype="int32", name="token_ids"),
        "padding_mask": keras.Input((None,), dtype="int32", name="padding_mask"),
    }
    head = keras.layers.Dense(2, name="head")
    model = keras.Model(inputs, head(encoder(inputs)["pooled"]))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    batch = tokenizer(PROMPTS)
    targets = np.array([[1, 0], [0, 1], [0, 0]], np.float32)
    before = [np.array(_np(w)) for w in encoder.trainable_weights]
    loss = float(np.asarray(model.train_on_batch(batch, targets)))
    assert np.isfinite(loss)
    after = [_np(w) for w in encoder.trainable_weights]
    changed = [not np.allclose(a, b) for a, b in zip(before, after)]
    assert len(changed) > 10 and all(changed)
    assert all(np.all(np.isfinite(w)) for w in after)


@pytest.mark.skipif(
    keras.config.backend() != "tensorflow", reason="LiteRT conversion needs TensorFlow"
)
def test_litert_export_matches_keras(tmp_path, tokenizer):
    from ai_edge_litert.interpreter import Interpreter

    encoder = _tiny()
    path = tmp_path / "tiny_text_encoder.tflite"
    encoder.export(str(path), format="litert", verbose=False)
    runner = Interpreter(model_path=str(path)).get_signature_runner()
    for prompts in (PROMPTS, ["one prompt"]):
        batch = tokenizer(prompts)
        got = runner(token_ids=batch["token_ids"], padding_mask=batch["padding_mask"])
        expected = encoder.predict(batch, verbose=0)
        for key in ("token_states", "pooled"):
            np.testing.assert_allclose(got[key], expected[key], atol=1e-4)


def test_token_ids_longer_than_sequence_length_are_rejected():
    encoder = _tiny(hidden_dim=16, num_heads=2, intermediate_dim=32)
    long = {"token_ids": np.ones((2, 20), "int32"), "padding_mask": np.ones((2, 20), "int32")}
    with pytest.raises(ValueError, match=r"`token_ids`.*20.*sequence_length.*16"):
        encoder(long)
    symbolic = {name: keras.Input((20,), dtype="int32", name=name) for name in long}
    with pytest.raises(ValueError, match="sequence_length"):
        encoder(symbolic)
    short = {name: value[:, :10] for name, value in long.items()}
    assert _np(encoder(short)["token_states"]).shape == (2, 10, 16)
    # Last: on JAX, an error raised while `predict` traces leaves the model unusable.
    with pytest.raises(ValueError, match="sequence_length"):
        encoder.predict(long, verbose=0)
