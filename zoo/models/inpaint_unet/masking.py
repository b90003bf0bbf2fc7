"""What the inpainting network sees, and how its output keeps the known pixels."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="zoo")
class HideMissing(keras.layers.Layer):
    """`concat(images * (1 - masks), masks)`: the hole is zeroed, the mask shown.

    Example:
    ```python
    images = np.ones((1, 8, 8, 3), "float32")
    masks = np.zeros((1, 8, 8, 1), "float32")  # 1 = missing
    x = HideMissing()([images, masks])  # (1, 8, 8, 4): [B, H, W, C + 1]
    ```
    """

    def call(self, inputs):
        images, masks = inputs
        masks = ops.cast(masks, images.dtype)
        return ops.concatenate([images * (1.0 - masks), masks], axis=-1)

    def compute_output_shape(self, input_shape):
        images, masks = input_shape
        return (*images[:-1], images[-1] + masks[-1])


@keras.saving.register_keras_serializable(package="zoo")
class KeepKnown(keras.layers.Layer):
    """`masks * predicted + (1 - masks) * images`: known pixels pass unchanged.

    With a 0/1 mask the known pixels are copied bit for bit.

    Example:
    ```python
    images = np.ones((1, 8, 8, 3), "float32")
    masks = np.zeros((1, 8, 8, 1), "float32")  # 1 = missing
    predicted = np.zeros((1, 8, 8, 3), "float32")
    out = KeepKnown(dtype="float32")([images, masks, predicted])  # equals images
    ```
    """

    def call(self, inputs):
        images, masks, predicted = (ops.cast(t, self.compute_dtype) for t in inputs)
        return masks * predicted + (1.0 - masks) * images

    def compute_output_shape(self, input_shape):
        return input_shape[0]
