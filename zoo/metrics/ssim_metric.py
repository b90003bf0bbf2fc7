"""SSIM as a Keras metric."""

import keras
from keras import ops

from zoo.metrics._preprocessing import check_crop_border, quantize_batch
from zoo.metrics.image_quality_metric import ImageQualityMetric
from zoo.metrics.structural_similarity import C1, C2, gaussian_window


def _ssim_per_image(y_true, y_pred, crop_border: int, y_channel: bool):
    x = quantize_batch(y_true, crop_border, y_channel, "y_true")
    y = quantize_batch(y_pred, crop_border, y_channel, "y_pred")
    channels = x.shape[-1]
    window = ops.convert_to_tensor(gaussian_window(), x.dtype)
    rows = ops.tile(ops.reshape(window, (-1, 1, 1, 1)), (1, 1, channels, 1))
    cols = ops.tile(ops.reshape(window, (1, -1, 1, 1)), (1, 1, channels, 1))

    def blur(z):
        z = ops.depthwise_conv(z, rows, padding="valid")
        return ops.depthwise_conv(z, cols, padding="valid")

    mu_x, mu_y = blur(x), blur(y)
    var_x = blur(x * x) - mu_x**2
    var_y = blur(y * y) - mu_y**2
    cov = blur(x * y) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + C1) * (2 * cov + C2)) / (
        (mu_x**2 + mu_y**2 + C1) * (var_x + var_y + C2)
    )
    return ops.mean(ssim_map, axis=(1, 2, 3))


@keras.saving.register_keras_serializable(package="zoo")
class SSIM(ImageQualityMetric):
    """Mean per-image SSIM of NHWC images, float in [0, 1] or uint8 (0-255).

    Same window, constants and quantization as `zoo.metrics.ssim`, whose
    result it matches averaged over the images. Images must be at least
    11x11 after `crop_border`.

    Args:
        crop_border: pixels removed on each side before measuring
            (a non-negative int).
        y_channel: measure on the BT.601 luma of RGB images.
        name: the metric name.
        dtype: the metric's dtype.

    Example:
    >>> metric = SSIM()
    >>> images = np.random.default_rng(0).random((2, 16, 16, 3))
    >>> metric.update_state(images, images)
    >>> float(metric.result())
    1.0
    """

    def __init__(
        self,
        crop_border: int = 0,
        y_channel: bool = False,
        name: str = "ssim",
        dtype=None,
    ):
        super().__init__(
            _ssim_per_image, check_crop_border(crop_border), y_channel, name=name, dtype=dtype
        )
