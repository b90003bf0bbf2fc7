"""Spectral normalization that trains the same on every backend."""

import keras
from keras import ops

from zoo.arguments import check_int


@keras.saving.register_keras_serializable(package="zoo")
class SpectralNormalization(keras.layers.Wrapper):
    """Divides a `Dense` or convolution kernel by its largest singular value.

    Spectral normalization (Miyato et al., 2018) as `torch.nn.utils.spectral_norm`
    computes it: the layer keeps its raw kernel `W` and runs on `W / sigma(W)`,
    where `sigma` comes from one power iteration from a stored vector `u` (`u`
    and `v` held constant for the gradient), and training updates `u`. The
    gradient flows through `sigma`.

    Unlike `keras.layers.SpectralNormalization`, it never writes the
    normalised kernel back into the trainable weight. That write-back makes
    the gradient depend on the backend: TensorFlow and PyTorch differentiate
    with respect to the written kernel, JAX through the normalization, so a
    GAN trained on one backend and resumed on another changed course. The
    weights (`W`, bias, `vector_u`) are laid out as Keras' layer lays them out.

    Args:
        layer: a `keras.layers.Dense` or convolution layer (`Conv1D/2D/3D`,
            channels last).
        power_iterations: power-iteration steps per call.

    Example:
    ```python
    conv = zoo.layers.SpectralNormalization(keras.layers.Conv2D(16, 3))
    y = conv(np.ones((1, 8, 8, 3), "float32"), training=True)  # (1, 6, 6, 16)
    ```
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        if not isinstance(layer, (keras.layers.Dense, keras.layers.Conv1D,
                                  keras.layers.Conv2D, keras.layers.Conv3D)):
            raise TypeError(
                "`layer` must be a keras Dense or Conv1D/2D/3D layer. "
                f"Received: layer={layer!r}"
            )
        if getattr(layer, "data_format", "channels_last") != "channels_last":
            raise ValueError("`layer` must use data_format='channels_last'.")
        if getattr(layer, "padding", None) == "causal":
            # `call` runs the convolution op itself, which knows no causal padding.
            raise ValueError("`layer` must not use padding='causal'.")
        power_iterations = check_int("power_iterations", power_iterations)
        super().__init__(layer, **kwargs)
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        # Tracked here too, before `vector_u`, as Keras' layer does: its
        # weight files then load as they are.
        self.kernel = self.layer.kernel
        self.vector_u = self.add_weight(
            shape=(1, self.layer.kernel.shape[-1]),
            initializer=keras.initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            name="vector_u",
            dtype=self.layer.kernel.dtype,
        )

    def normalized_kernel(self):
        """`(kernel / sigma, new u)`, in the kernel's variable dtype."""
        # In float32: under a float16 policy the 1e-12 floor would round to
        # 0, and an all-zero kernel give 0 / 0.
        dtype = self.layer.kernel.dtype
        kernel = ops.cast(self.layer.kernel.value, "float32")
        weights = ops.reshape(kernel, (-1, kernel.shape[-1]))
        u = ops.cast(self.vector_u.value, "float32")
        for _ in range(self.power_iterations):
            v = ops.normalize(ops.matmul(u, ops.transpose(weights)), axis=None)
            u = ops.normalize(ops.matmul(v, weights), axis=None)
        u, v = ops.stop_gradient(u), ops.stop_gradient(v)
        sigma = ops.sum(ops.matmul(v, weights) * u)
        return ops.cast(kernel / ops.maximum(sigma, 1e-12), dtype), ops.cast(u, dtype)

    def call(self, inputs, training=False):
        kernel, u = self.normalized_kernel()
        if training:
            self.vector_u.assign(u)
        layer = self.layer
        x = ops.cast(inputs, layer.compute_dtype)
        kernel = ops.cast(kernel, layer.compute_dtype)
        if isinstance(layer, keras.layers.Dense):
            y = ops.matmul(x, kernel)
        else:
            y = layer.convolution_op(x, kernel)
        if layer.use_bias:
            y = y + ops.cast(layer.bias, layer.compute_dtype)
        if layer.activation is not None:
            y = layer.activation(y)
        return ops.cast(y, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
