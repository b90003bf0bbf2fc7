"""Image preparation shared by the metrics (BasicSR conventions).

Float images in [0, 1] are clipped, scaled to 0-255 and rounded, as they
would be when saved as uint8; then the border is cropped and, if asked, the
BT.601 luma is taken. The numpy and the `keras.ops` versions agree.
"""

import numbers

import keras
import numpy as np
from keras import ops

from zoo.metrics.color import Y_OFFSET, Y_WEIGHTS, rgb_to_y


def check_crop_border(crop_border) -> int:
    """Validate `crop_border` (a non-negative int) and return it as an int."""
    # bool is an int to Python, but `crop_border=True` is surely a mistake.
    if (
        isinstance(crop_border, bool)
        or not isinstance(crop_border, numbers.Integral)
        or crop_border < 0
    ):
        raise ValueError(
            "`crop_border` must be a non-negative int. "
            f"Received: crop_border={crop_border!r}"
        )
    return int(crop_border)


def to_uint8_scale(image: np.ndarray, name: str) -> np.ndarray:
    """Validate one image and return it as float64 on the 0-255 scale."""
    image = np.asarray(image)
    if image.ndim not in (2, 3):
        raise ValueError(
            f"`{name}` must be an HxW or HxWxC image, got shape {image.shape}."
        )
    if image.dtype == np.uint8:
        return image.astype(np.float64)
    if not np.issubdtype(image.dtype, np.floating):
        raise TypeError(
            f"`{name}` must be uint8 (0-255) or float (0-1), got dtype "
            f"{image.dtype}."
        )
    if not np.all(np.isfinite(image)):
        raise ValueError(f"`{name}` contains NaN or infinite values.")
    return np.round(np.clip(image, 0, 1) * 255).astype(np.float64)


def prepare_pair(
    reference: np.ndarray,
    restored: np.ndarray,
    crop_border: int,
    y_channel: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Quantize, crop and optionally convert to luma a pair of images."""
    reference = to_uint8_scale(reference, "reference")
    restored = to_uint8_scale(restored, "restored")
    if restored.shape != reference.shape:
        raise ValueError(
            f"`restored` must have the shape of `reference` "
            f"{reference.shape}, got {restored.shape}."
        )
    crop_border = check_crop_border(crop_border)
    height, width = reference.shape[:2]
    if 2 * crop_border >= min(height, width):
        raise ValueError(
            f"`crop_border` must be in [0, {(min(height, width) - 1) // 2}] "
            f"for images of shape {reference.shape}, got {crop_border}."
        )
    if crop_border:
        crop = slice(crop_border, -crop_border)
        reference, restored = reference[crop, crop], restored[crop, crop]
    if y_channel and reference.ndim == 3 and reference.shape[-1] == 3:
        reference, restored = rgb_to_y(reference), rgb_to_y(restored)
    return reference, restored


def quantize_batch(images, crop_border: int, y_channel: bool, name: str = "images"):
    """`keras.ops` twin of `prepare_pair` for NHWC batches.

    As `to_uint8_scale`: float images are taken in [0, 1] (clipped, scaled
    by 255, rounded), uint8 images on the 0-255 scale; any other dtype
    raises a `TypeError` naming `name`. Returns a float tensor
    `[N, H', W', C']` on the 0-255 scale (C' = 1 when `y_channel` is set and
    the images are RGB).
    """
    dtype = getattr(images, "dtype", None)
    dtype = keras.backend.standardize_dtype(
        np.asarray(images).dtype if dtype is None else dtype
    )
    if dtype == "uint8":
        images = ops.convert_to_tensor(images)
        images = ops.cast(images, keras.backend.floatx())
    elif "float" in dtype:
        images = ops.convert_to_tensor(images, dtype=keras.backend.floatx())
        images = ops.round(ops.clip(images, 0.0, 1.0) * 255.0)
    else:
        # Casting them to float would read 0-255 (or 0-65535) values as
        # 0-1 and clip them: a silently wrong score.
        raise TypeError(
            f"`{name}` must be uint8 (0-255) or float (0-1), got dtype {dtype}."
        )
    height, width = images.shape[1:3]
    if height is not None and width is not None and 2 * crop_border >= min(height, width):
        raise ValueError(
            f"`crop_border` must be in [0, {(min(height, width) - 1) // 2}] "
            f"for `{name}` of shape {tuple(images.shape)}, got {crop_border}."
        )
    if crop_border:
        images = images[:, crop_border:-crop_border, crop_border:-crop_border]
    if y_channel and images.shape[-1] == 3:
        weights = ops.convert_to_tensor(np.array(Y_WEIGHTS) / 255.0, images.dtype)
        images = Y_OFFSET + ops.sum(images * weights, axis=-1, keepdims=True)
    return images
