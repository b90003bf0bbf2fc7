"""Masked mean pooling of token states, shared by the text encoders."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class MaskedMeanPooling(keras.layers.Layer):
    """Mean of the token states over the non-padding tokens.

    As sentence-transformers' `Pooling(pooling_mode_mean_tokens=True)`:
    `sum(states * mask) / max(sum(mask), 1e-9)`, then optionally as its
    `Normalize` module: `x / max(||x||_2, 1e-12)`. The mask enters as a float
    multiplication only (no boolean ops), so the layer converts to LiteRT.
    Runs in float32 whatever the dtype policy of the model around it.

    Args:
        normalize: L2-normalise the pooled vector.

    Example:
    ```python
    pooled = MaskedMeanPooling()([token_states, padding_mask])  # [N, D]
    ```
    """

    def __init__(self, normalize=False, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)
        self.normalize = bool(normalize)

    def call(self, inputs):
        states, padding_mask = inputs
        states = ops.cast(states, "float32")
        mask = ops.expand_dims(ops.cast(padding_mask, "float32"), axis=-1)
        summed = ops.sum(states * mask, axis=1)
        count = ops.maximum(ops.sum(mask, axis=1), 1e-9)
        pooled = summed / count
        if self.normalize:
            norm = ops.sqrt(ops.sum(ops.square(pooled), axis=-1, keepdims=True))
            pooled = pooled / ops.maximum(norm, 1e-12)
        return pooled

    def compute_output_shape(self, input_shape):
        states_shape = input_shape[0]
        return (states_shape[0], states_shape[-1])

    def get_config(self):
        config = super().get_config()
        config["normalize"] = self.normalize
        return config
