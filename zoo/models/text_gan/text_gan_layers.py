"""Blocks of the text-conditioned GAN: conditional batch norm, text cross-attention."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class ConditionalBatchNorm(keras.layers.Layer):
    """Batch norm whose scale and shift come from a condition vector (FiLM).

    `BN(x) * (1 + gamma(c)) + beta(c)`, per sample, with `gamma` and `beta`
    linear maps of the condition (noise and text embedding), as in the
    generators of BigGAN and the projection-discriminator GANs. The maps
    start at zero, so at initialisation it is plain batch norm.

    Call: `[x (NHWC), condition (N, D)]` -> NHWC.

    Args:
        channels: channels of `x`.
        momentum, epsilon: of the underlying `BatchNormalization`.

    Example:
    ```python
    h = ConditionalBatchNorm(128)([features, condition], training=True)
    ```
    """

    def __init__(self, channels, momentum=0.9, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.norm = keras.layers.BatchNormalization(
            center=False, scale=False, momentum=self.momentum, epsilon=self.epsilon,
            dtype=self.dtype_policy, name="norm",
        )
        self.gamma = keras.layers.Dense(
            self.channels, kernel_initializer="zeros", dtype=self.dtype_policy, name="gamma"
        )
        self.beta = keras.layers.Dense(
            self.channels, kernel_initializer="zeros", dtype=self.dtype_policy, name="beta"
        )

    def build(self, input_shape):
        x_shape, c_shape = input_shape
        self.norm.build(x_shape)
        self.gamma.build(c_shape)
        self.beta.build(c_shape)

    def call(self, inputs, training=None):
        x, condition = inputs
        x = self.norm(x, training=training)
        gamma = self.gamma(condition)[:, None, None, :]
        beta = self.beta(condition)[:, None, None, :]
        return x * (1.0 + gamma) + beta

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(channels=self.channels, momentum=self.momentum, epsilon=self.epsilon)
        return config


@keras.saving.register_keras_serializable(package="zoo")
class TextCrossAttention(keras.layers.Layer):
    """Image features attend to the prompt's token states (padding masked).

    `x + gate * MHA(LayerNorm(x), tokens)` over the `H*W` positions, with a
    scalar `gate` that starts at 0 (as SAGAN's attention), so the block is
    the identity at initialisation and learns how much to listen. Lets each
    region pick the words that concern it (which object goes left, which is
    red) beyond the pooled sentence vector.

    Call: `[x (N, H, W, C), token_states (N, L, D), padding_mask (N, L)]`.

    Args:
        channels: channels of `x`.
        num_heads: attention heads (`channels` must be divisible by it).

    Example:
    ```python
    x = TextCrossAttention(128)([x, token_states, padding_mask])
    ```
    """

    def __init__(self, channels, num_heads=4, **kwargs):
        super().__init__(**kwargs)
        self.channels = int(channels)
        self.num_heads = int(num_heads)
        if self.channels % self.num_heads:
            raise ValueError(
                "`channels` must be divisible by `num_heads`. Received: "
                f"channels={channels}, num_heads={num_heads}"
            )
        self.norm = keras.layers.LayerNormalization(
            epsilon=1e-5, dtype=self.dtype_policy, name="norm"
        )
        self.attention = keras.layers.MultiHeadAttention(
            self.num_heads, self.channels // self.num_heads, dtype=self.dtype_policy,
            name="attention",
        )

    def build(self, input_shape):
        x_shape, states_shape, _ = input_shape
        height, width = x_shape[1], x_shape[2]
        tokens = None if height is None or width is None else height * width
        self.norm.build(x_shape)
        self.attention.build(
            (x_shape[0], tokens, self.channels), (states_shape[0], states_shape[1], states_shape[2])
        )
        self.gate = self.add_weight(shape=(), initializer="zeros", name="gate")

    def call(self, inputs, training=None):
        x, states, padding_mask = inputs
        height, width = x.shape[1], x.shape[2]
        query = ops.reshape(self.norm(x), (-1, height * width, self.channels))
        mask = ops.cast(padding_mask, "bool")[:, None, :]
        mask = ops.repeat(mask, height * width, axis=1)
        states = ops.cast(states, query.dtype)
        out = self.attention(query, states, attention_mask=mask, training=training)
        out = ops.reshape(out, (-1, height, width, self.channels))
        return x + ops.cast(self.gate, out.dtype) * out

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        config = super().get_config()
        config.update(channels=self.channels, num_heads=self.num_heads)
        return config
