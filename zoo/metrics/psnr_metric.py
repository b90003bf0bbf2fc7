"""PSNR as a Keras metric."""

import functools

import keras
from keras import ops

from zoo.metrics._preprocessing import check_crop_border, quantize_batch
from zoo.metrics.image_quality_metric import ImageQualityMetric


def _psnr_per_image(y_true, y_pred, crop_border: int, y_channel: bool, max_psnr: float):
    y_true = quantize_batch(y_true, crop_border, y_channel, "y_true")
    y_pred = quantize_batch(y_pred, crop_border, y_channel, "y_pred")
    mse = ops.mean(ops.square(y_true - y_pred), axis=(1, 2, 3))
    # The MSE floor caps a perfect image at max_psnr: one flat patch would
    # otherwise turn the epoch's running mean into inf.
    return 10.0 * ops.log10(255.0**2 / ops.maximum(mse, 255.0**2 * 10.0 ** (-max_psnr / 10.0)))


@keras.saving.register_keras_serializable(package="zoo")
class PSNR(ImageQualityMetric):
    """Mean per-image PSNR (dB) of NHWC images, float in [0, 1] or uint8.

    Float images are clipped, scaled by 255 and rounded before measuring
    (uint8 images are already on the 0-255 scale), so the
    result matches `zoo.metrics.psnr` averaged over the images, except that
    an image scores at most `max_psnr` (identical images give `inf` there,
    which would make a training log's running mean `inf` for good).

    Args:
        crop_border: pixels removed on each side before measuring
            (a non-negative int).
        max_psnr: the score of a perfect image, in dB.
        y_channel: measure on the BT.601 luma of RGB images.
        name: the metric name.
        dtype: the metric's dtype.

    Example:
    >>> metric = PSNR()
    >>> metric.update_state(np.full((1, 4, 4, 3), 0.5), np.full((1, 4, 4, 3), 0.52))
    >>> float(metric.result())  # 5 levels apart: 10 log10(255^2 / 25)
    34.15...
    >>> model.compile(optimizer="adam", loss="mae", metrics=[PSNR(), SSIM()])
    """

    def __init__(
        self,
        crop_border: int = 0,
        y_channel: bool = False,
        max_psnr: float = 100.0,
        name: str = "psnr",
        dtype=None,
    ):
        self.max_psnr = float(max_psnr)
        super().__init__(
            functools.partial(_psnr_per_image, max_psnr=self.max_psnr),
            check_crop_border(crop_border), y_channel, name=name, dtype=dtype,
        )

    def get_config(self) -> dict:
        return {**super().get_config(), "max_psnr": self.max_psnr}
