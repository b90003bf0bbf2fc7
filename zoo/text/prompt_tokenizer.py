"""Prompts to fixed-length WordPiece token ids (numpy), for the text encoders."""

import unicodedata
import warnings
from pathlib import Path

import keras
import numpy as np

from zoo.arguments import check_int
from zoo.text.minilm import minilm_checkpoint_dir

MINILM_VOCABULARY = "all_minilm_l6_v2"


def check_prompts(prompts):
    """`prompts` as a list of str, or a `ValueError`/`TypeError` naming it.

    A `str` or a non-empty list/tuple/1-D array of `str`.
    """
    if isinstance(prompts, str):
        return [prompts]
    if isinstance(prompts, np.ndarray):
        if prompts.ndim != 1:
            raise ValueError(
                "`prompts` must be a string or a 1-D list of strings. "
                f"Received: an array of shape {prompts.shape}"
            )
        prompts = prompts.tolist()
    if not isinstance(prompts, (list, tuple)):
        raise TypeError(
            "`prompts` must be a string or a list of strings. "
            f"Received: {type(prompts).__name__}"
        )
    if len(prompts) == 0:
        raise ValueError("`prompts` must hold at least one prompt. Received: an empty list")
    for i, prompt in enumerate(prompts):
        if not isinstance(prompt, str):
            raise TypeError(
                f"`prompts` must hold only strings. Received: prompts[{i}] of "
                f"type {type(prompt).__name__}"
            )
    return list(prompts)


def clean_text(text):
    """BERT's text cleaning: any Unicode space becomes " ", control and format
    characters and U+FFFD are dropped. tensorflow-text splits on ASCII spaces
    only, so a non-breaking space would otherwise make "a red" one `[UNK]`."""
    return "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace()
        or (unicodedata.category(char) not in ("Cc", "Cf") and char != "\ufffd")
    )


@keras.saving.register_keras_serializable(package="zoo")
class PromptTokenizer:
    """WordPiece prompts -> `{"token_ids", "padding_mask"}`, int32 `[N, L]`.

    Tokenizes with keras-hub's `BertTokenizer` (tensorflow-text WordPiece,
    the uncased BERT normalisation: lowercase and strip accents) on the
    all-MiniLM-L6-v2 vocabulary by default, then packs each prompt as
    `[CLS] pieces… [SEP] 0 0 …` (`padding_mask` is 1 on `[CLS]`, the pieces
    and `[SEP]`, 0 on the padding). The ids match the Hugging Face tokenizer
    of all-MiniLM-L6-v2. Results are numpy arrays, usable on every backend.

    Policy:
    * `prompts` is a `str` or a non-empty list/tuple/1-D array of `str`; an
      empty list raises `ValueError` naming `prompts`, anything that is not a
      string raises `TypeError`.
    * An empty or whitespace-only prompt is valid: it encodes to
      `[CLS][SEP]`, the unconditional prompt of classifier-free guidance.
    * A prompt with more than `L - 2` word pieces keeps its first `L - 2` and
      still ends with `[SEP]`. After each call, `truncated` holds how many
      prompts were cut; a `UserWarning` says so too (`warn=False` silences).

    Args:
        sequence_length: `L`, the fixed length (at least 2).
        vocabulary: `None` for the all-MiniLM-L6-v2 vocabulary (referenced by
            name in the config, not copied), a list of tokens, or the path of
            a one-token-per-line `vocab.txt` (either is stored in the config).
            It must hold `[CLS]`, `[SEP]`, `[PAD]`, `[UNK]` and `[MASK]`.
        lowercase: lowercase and strip accents (uncased BERT); keep `True`
            for MiniLM.
        warn: warn when prompts get truncated.

    Example:
    ```python
    tokenizer = zoo.text.PromptTokenizer(sequence_length=16)
    batch = tokenizer(["a big red circle on the left", ""])
    batch["token_ids"].shape  # (2, 16); batch["token_ids"][1, :3] == [101, 102, 0]
    tokenizer.truncated       # 0
    ```
    """

    def __init__(self, sequence_length=16, vocabulary=None, lowercase=True, warn=True):
        import keras_hub

        check_int("sequence_length", sequence_length, minimum=2)  # [CLS] and [SEP]
        self.sequence_length = int(sequence_length)
        self.lowercase = bool(lowercase)
        self.warn = bool(warn)
        if isinstance(vocabulary, np.ndarray):
            vocabulary = vocabulary.tolist()
        if vocabulary is None or (isinstance(vocabulary, str) and vocabulary == MINILM_VOCABULARY):
            self.vocabulary = None
            # Read here, not by path: keras-hub refuses vocabulary files while
            # deserializing in safe mode.
            path = minilm_checkpoint_dir(required=("vocab.txt",)) / "vocab.txt"
            source = path.read_text(encoding="utf-8").splitlines()
        elif isinstance(vocabulary, (str, Path)):
            path = Path(vocabulary)
            if not path.is_file():
                raise ValueError(
                    "`vocabulary` must be None, a list of tokens or a vocab.txt "
                    f"file. Received: vocabulary={str(vocabulary)!r} (no such file)"
                )
            self.vocabulary = path.read_text(encoding="utf-8").splitlines()
            source = self.vocabulary
        elif isinstance(vocabulary, (list, tuple)) and all(isinstance(t, str) for t in vocabulary):
            self.vocabulary = list(vocabulary)
            source = self.vocabulary
        else:
            raise TypeError(
                "`vocabulary` must be None, a list of str or a path. Received: "
                f"{type(vocabulary).__name__}"
            )
        # Lowercasing and accent stripping happen in `_normalize`, as the
        # Hugging Face BERT normaliser does them: tensorflow-text's case
        # folding also applies NFKC ("ß" -> "ss", "ﬁ" -> "fi"), which it does not.
        self.tokenizer = keras_hub.models.BertTokenizer(
            vocabulary=source, lowercase=False, strip_accents=False
        )
        self.cls_token_id = int(self.tokenizer.cls_token_id)
        self.sep_token_id = int(self.tokenizer.sep_token_id)
        self.pad_token_id = int(self.tokenizer.pad_token_id)
        self.truncated = 0

    @property
    def vocabulary_size(self):
        return int(self.tokenizer.vocabulary_size())

    def __call__(self, prompts):
        """Tokenizes `prompts`: `{"token_ids", "padding_mask"}`, int32 `[N, L]`."""
        prompts = check_prompts(prompts)
        pieces = self.tokenizer.tokenize([self._normalize(prompt) for prompt in prompts])
        room = self.sequence_length - 2
        token_ids = np.full((len(prompts), self.sequence_length), self.pad_token_id, np.int32)
        padding_mask = np.zeros((len(prompts), self.sequence_length), np.int32)
        truncated = 0
        for i, ids in enumerate(pieces):
            ids = list(ids)
            if len(ids) > room:
                truncated += 1
                ids = ids[:room]
            row = [self.cls_token_id, *ids, self.sep_token_id]
            token_ids[i, : len(row)] = row
            padding_mask[i, : len(row)] = 1
        self.truncated = truncated
        if truncated and self.warn:
            warnings.warn(
                f"{truncated} of {len(prompts)} prompts were longer than "
                f"sequence_length={self.sequence_length} tokens and were truncated.",
                UserWarning,
                stacklevel=2,
            )
        return {"token_ids": token_ids, "padding_mask": padding_mask}

    def _normalize(self, prompt):
        """BERT's cleaning, then (uncased) lowercase and strip accents ("café" -> "cafe")."""
        text = clean_text(prompt)
        if not self.lowercase:
            return text
        text = unicodedata.normalize("NFD", text.lower())
        return "".join(char for char in text if unicodedata.category(char) != "Mn")

    def detokenize(self, token_ids):
        """Token ids (one row or a batch) back to text, special tokens dropped."""
        token_ids = np.asarray(token_ids)
        rows = token_ids[None] if token_ids.ndim == 1 else token_ids
        special = {self.cls_token_id, self.sep_token_id, self.pad_token_id}
        texts = [
            self.tokenizer.detokenize([[int(t) for t in row if int(t) not in special]])[0]
            for row in rows
        ]
        texts = [t.decode("utf-8") if isinstance(t, bytes) else str(t) for t in texts]
        return texts[0] if token_ids.ndim == 1 else texts

    def get_config(self):
        return {
            "sequence_length": self.sequence_length,
            "vocabulary": self.vocabulary,
            "lowercase": self.lowercase,
            "warn": self.warn,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        vocabulary = MINILM_VOCABULARY if self.vocabulary is None else f"{len(self.vocabulary)} tokens"
        return (
            f"PromptTokenizer(sequence_length={self.sequence_length}, "
            f"vocabulary={vocabulary}, lowercase={self.lowercase})"
        )
