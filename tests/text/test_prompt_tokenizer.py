"""PromptTokenizer: input policy, fixed-length packing, truncation, config."""

import json
import warnings

import keras
import numpy as np
import pytest

from zoo.text import PromptTokenizer, minilm_checkpoint_dir

CLS, SEP, PAD = 101, 102, 0
SENTENCES = [
    "A big red circle on the left.",
    "Café naïve: BLUE square, right side!",
    "yellow triangle above a cyan disc",
    "unaffable 42 shapes",
    # Unicode spaces, a line separator, a zero-width space, a soft hyphen, a tab.
    "a\u00a0red\u3000circle\u2028left of a\u200bblue squ\u00adare\tright",
    # No NFKC or full case folding: "ß", ligatures, fractions, full-width letters.
    "großes Quadrat, ﬁne ½ shapes, ＡＢＣ x² ™",
]


@pytest.fixture(scope="module")
def tokenizer():
    return PromptTokenizer(sequence_length=16)


def test_fixed_length_int32_with_cls_sep_and_zero_padding(tokenizer):
    out = tokenizer(["a red circle", "a big green square below a small white triangle"])
    assert set(out) == {"token_ids", "padding_mask"}
    for value in out.values():
        assert isinstance(value, np.ndarray)
        assert value.dtype == np.int32
        assert value.shape == (2, 16)
    ids, mask = out["token_ids"], out["padding_mask"]
    assert np.all(ids[:, 0] == CLS)
    for row, row_mask in zip(ids, mask):
        n = int(row_mask.sum())
        assert np.all(row_mask[:n] == 1) and np.all(row_mask[n:] == 0)
        assert row[n - 1] == SEP
        assert np.all(row[n:] == PAD)
        assert SEP not in row[1 : n - 1]
    assert tokenizer.detokenize(ids[0]) == "a red circle"


def test_a_single_string_is_a_batch_of_one(tokenizer):
    out = tokenizer("a red circle")
    assert out["token_ids"].shape == (1, 16)
    np.testing.assert_array_equal(out["token_ids"], tokenizer(["a red circle"])["token_ids"])
    # numpy arrays of strings and tuples are accepted as well.
    np.testing.assert_array_equal(
        tokenizer(np.array(["a", "b"]))["token_ids"], tokenizer(("a", "b"))["token_ids"]
    )


def test_empty_list_raises_value_error_naming_prompts(tokenizer):
    with pytest.raises(ValueError, match="`prompts`"):
        tokenizer([])
    with pytest.raises(ValueError, match="`prompts`"):
        tokenizer(np.array([], dtype=str))


@pytest.mark.parametrize("bad", [3, None, b"bytes", ["ok", 1], ["ok", None], [b"x"]])
def test_non_strings_raise_type_error(tokenizer, bad):
    with pytest.raises(TypeError, match="`prompts`"):
        tokenizer(bad)


@pytest.mark.parametrize("prompt", ["", " ", "\t \n "])
def test_empty_or_blank_prompt_is_the_unconditional_prompt(tokenizer, prompt):
    out = tokenizer(["a red circle", prompt])
    np.testing.assert_array_equal(out["token_ids"][1], [CLS, SEP] + [PAD] * 14)
    np.testing.assert_array_equal(out["padding_mask"][1], [1, 1] + [0] * 14)
    # Alone or in a batch of blanks too.
    np.testing.assert_array_equal(tokenizer([prompt, ""])["token_ids"], [[CLS, SEP] + [PAD] * 14] * 2)


def test_over_long_prompts_are_truncated_keeping_sep_last():
    tokenizer = PromptTokenizer(sequence_length=8)
    long = "a big red circle on the left above a small blue square"
    full = PromptTokenizer(sequence_length=64)(long)
    with pytest.warns(UserWarning, match="1 of 2 prompts .* truncated"):
        out = tokenizer([long, "a red circle"])
    assert tokenizer.truncated == 1
    ids = out["token_ids"][0]
    np.testing.assert_array_equal(out["padding_mask"][0], np.ones(8))
    # The first L - 2 pieces survive and [SEP] is still last.
    np.testing.assert_array_equal(ids[:7], full["token_ids"][0, :7])
    assert ids[-1] == SEP
    # A call without long prompts resets the count and stays silent.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tokenizer(["a red circle"])
    assert tokenizer.truncated == 0
    # Exactly L - 2 pieces fit without truncation.
    exact = PromptTokenizer(sequence_length=5)("a red circle")
    assert exact["token_ids"][0, -1] == SEP


def test_truncation_warning_can_be_silenced():
    tokenizer = PromptTokenizer(sequence_length=4, warn=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tokenizer("one two three four five")
    assert tokenizer.truncated == 1


def test_deterministic_across_calls_and_instances(tokenizer):
    a = tokenizer(SENTENCES)
    b = tokenizer(SENTENCES)
    c = PromptTokenizer(sequence_length=16)(SENTENCES)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])
        np.testing.assert_array_equal(a[key], c[key])
    # A prompt's encoding does not depend on its batch.
    np.testing.assert_array_equal(tokenizer(SENTENCES[1])["token_ids"][0], a["token_ids"][1])


def test_matches_the_hugging_face_tokenizer_of_minilm():
    tokenizers = pytest.importorskip("tokenizers")
    reference = tokenizers.Tokenizer.from_file(str(minilm_checkpoint_dir() / "tokenizer.json"))
    reference.no_truncation()
    reference.no_padding()
    out = PromptTokenizer(sequence_length=32)(SENTENCES + [""])
    for i, sentence in enumerate(SENTENCES + [""]):
        expected = reference.encode(sentence).ids
        n = int(out["padding_mask"][i].sum())
        assert out["token_ids"][i, :n].tolist() == expected, sentence


def test_config_round_trip_references_the_vocabulary(tokenizer):
    config = tokenizer.get_config()
    assert config == {"sequence_length": 16, "vocabulary": None, "lowercase": True, "warn": True}
    json.dumps(config)
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(tokenizer))
    assert isinstance(clone, PromptTokenizer)
    np.testing.assert_array_equal(clone(SENTENCES)["token_ids"], tokenizer(SENTENCES)["token_ids"])


def test_a_small_custom_vocabulary_is_stored_inline(tmp_path):
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "red", "circle", "##s", "a"]
    tokenizer = PromptTokenizer(sequence_length=6, vocabulary=vocab)
    out = tokenizer("A red circles")
    np.testing.assert_array_equal(out["token_ids"][0], [2, 8, 5, 6, 7, 3])
    assert tokenizer.vocabulary_size == len(vocab)
    assert tokenizer.pad_token_id == 0
    config = tokenizer.get_config()
    assert config["vocabulary"] == vocab
    clone = PromptTokenizer.from_config(json.loads(json.dumps(config)))
    np.testing.assert_array_equal(clone("a red circle")["token_ids"], tokenizer("a red circle")["token_ids"])
    # A vocab.txt path is read and stored the same way.
    (tmp_path / "vocab.txt").write_text("\n".join(vocab) + "\n")
    assert PromptTokenizer(vocabulary=tmp_path / "vocab.txt").get_config()["vocabulary"] == vocab


@pytest.mark.parametrize("length", [0, 1, -3])
def test_sequence_length_must_hold_cls_and_sep(length):
    with pytest.raises(ValueError, match="`sequence_length`"):
        PromptTokenizer(sequence_length=length)


def test_a_numpy_array_vocabulary_is_a_list_of_tokens():
    vocab = np.array(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "red", "circle"])
    ids = PromptTokenizer(sequence_length=6, vocabulary=vocab)("red circle")["token_ids"]
    np.testing.assert_array_equal(ids, [[2, 5, 6, 3, 0, 0]])


def test_bad_vocabulary_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="`vocabulary`"):
        PromptTokenizer(vocabulary=str(tmp_path / "missing.txt"))
    with pytest.raises(TypeError, match="`vocabulary`"):
        PromptTokenizer(vocabulary=3)


@pytest.mark.backend
def test_returns_numpy_on_every_backend(tokenizer):
    out = tokenizer(["a red circle", ""])
    assert isinstance(out["token_ids"], np.ndarray)
    assert out["token_ids"][0, 0] == CLS
