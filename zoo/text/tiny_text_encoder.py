"""A small trainable transformer text encoder (same interface as MiniLM)."""

import keras
import keras_hub
import numpy as np

from zoo.text.pooling import MaskedMeanPooling


@keras.saving.register_keras_serializable(package="zoo")
class TinyTextEncoder(keras_hub.models.Backbone):
    """A small transformer encoder to train from scratch with a generator.

    Token + learned position embeddings, `num_layers` pre-norm
    `keras_hub.layers.TransformerEncoder` blocks (padding tokens are masked
    out of attention), a final layer norm, and a masked mean pool: padding
    tokens change neither `pooled` nor the states of the real tokens. Runs
    on TensorFlow, JAX and PyTorch and exports to LiteRT.

    Args:
        vocabulary_size: token ids are in `[0, vocabulary_size)`; 30522 fits
            `PromptTokenizer`'s default (MiniLM) vocabulary.
        sequence_length: the longest input (position embeddings).
        hidden_dim: width of the token states and of `pooled`.
        num_layers, num_heads, intermediate_dim: the transformer blocks.
        dropout: dropout inside the blocks while training.
        dtype: the layers' dtype policy (`pooled` is always float32).

    Call: `{"token_ids", "padding_mask"}` (int `[N, L]`, `L <= sequence_length`)
    -> `{"token_states": [N, L, hidden_dim], "pooled": [N, hidden_dim]}`.
    A longer `token_ids` raises a `ValueError` (when its length is static).

    Example:
    ```python
    tokenizer = zoo.text.PromptTokenizer(sequence_length=16)
    encoder = zoo.text.TinyTextEncoder(sequence_length=16)
    out = encoder(tokenizer(["a red circle", "a blue square"]))
    out["pooled"].shape  # (2, 64)
    ```
    """

    def __init__(
        self,
        vocabulary_size=30522,
        sequence_length=16,
        hidden_dim=64,
        num_layers=2,
        num_heads=2,
        intermediate_dim=128,
        dropout=0.0,
        dtype=None,
        **kwargs,
    ):
        for arg, value in {
            "vocabulary_size": vocabulary_size,
            "sequence_length": sequence_length,
            "hidden_dim": hidden_dim,
            "num_layers": num_layers,
            "num_heads": num_heads,
            "intermediate_dim": intermediate_dim,
        }.items():
            if int(value) < 1:
                raise ValueError(f"`{arg}` must be positive. Received: {arg}={value}")
        if int(hidden_dim) % int(num_heads):
            raise ValueError(
                "`hidden_dim` must be divisible by `num_heads`. Received: "
                f"hidden_dim={hidden_dim}, num_heads={num_heads}"
            )
        if not 0 <= float(dropout) < 1:
            raise ValueError(f"`dropout` must be in [0, 1). Received: dropout={dropout}")

        # === Layers ===
        self.token_embedding = keras.layers.Embedding(
            int(vocabulary_size), int(hidden_dim),
            embeddings_initializer=keras.initializers.TruncatedNormal(stddev=0.02),
            dtype=dtype, name="token_embedding",
        )
        self.position_embedding = keras_hub.layers.PositionEmbedding(
            int(sequence_length),
            initializer=keras.initializers.TruncatedNormal(stddev=0.02),
            dtype=dtype, name="position_embedding",
        )
        blocks = [
            keras_hub.layers.TransformerEncoder(
                intermediate_dim=int(intermediate_dim),
                num_heads=int(num_heads),
                dropout=float(dropout),
                activation="gelu",
                normalize_first=True,
                dtype=dtype,
                name=f"transformer_layer_{i}",
            )
            for i in range(int(num_layers))
        ]
        final_norm = keras.layers.LayerNormalization(epsilon=1e-5, dtype=dtype, name="final_norm")
        pooling = MaskedMeanPooling(name="pooling")

        # === Functional model ===
        token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")
        padding_mask = keras.Input(shape=(None,), dtype="int32", name="padding_mask")
        x = self.token_embedding(token_ids)
        x = keras.layers.Add(dtype=dtype, name="embeddings_add")([x, self.position_embedding(x)])
        for block in blocks:
            x = block(x, padding_mask=padding_mask)
        x = final_norm(x)
        pooled = pooling([x, padding_mask])
        super().__init__(
            inputs={"token_ids": token_ids, "padding_mask": padding_mask},
            outputs={"token_states": x, "pooled": pooled},
            dtype=dtype,
            **kwargs,
        )

        # === Config ===
        self.vocabulary_size = int(vocabulary_size)
        self.sequence_length = int(sequence_length)
        self.hidden_dim = int(hidden_dim)
        self.num_layers = int(num_layers)
        self.num_heads = int(num_heads)
        self.intermediate_dim = int(intermediate_dim)
        self.dropout = float(dropout)

    def _check_length(self, inputs):
        # Past `sequence_length` the position embedding fails with a
        # backend-specific slicing error that names neither.
        token_ids = inputs.get("token_ids") if isinstance(inputs, dict) else None
        shape = getattr(token_ids, "shape", None)
        if token_ids is not None and shape is None:
            shape = np.shape(token_ids)
        length = shape[-1] if shape is not None and len(shape) > 1 else None
        if length is not None and length > self.sequence_length:
            raise ValueError(
                f"`token_ids` has length {length}, longer than the encoder's "
                f"`sequence_length` ({self.sequence_length}); tokenize with "
                f"`sequence_length={self.sequence_length}` or build a longer encoder."
            )

    def call(self, inputs, training=None, mask=None, **kwargs):
        self._check_length(inputs)
        return super().call(inputs, training=training, mask=mask, **kwargs)

    def compute_output_spec(self, inputs, training=None, mask=None):
        # Symbolic calls (building a bigger functional model) skip `call`.
        self._check_length(inputs)
        return super().compute_output_spec(inputs, training=training, mask=mask)

    def get_config(self):
        config = super().get_config()
        config.update(
            vocabulary_size=self.vocabulary_size,
            sequence_length=self.sequence_length,
            hidden_dim=self.hidden_dim,
            num_layers=self.num_layers,
            num_heads=self.num_heads,
            intermediate_dim=self.intermediate_dim,
            dropout=self.dropout,
        )
        return config
