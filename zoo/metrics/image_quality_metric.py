"""The shared base of zoo's per-image Keras quality metrics."""

import keras


class ImageQualityMetric(keras.metrics.MeanMetricWrapper):
    """Mean over images of `fn(y_true, y_pred, crop_border, y_channel)`.

    Subclasses fix `fn` and the default `name`; higher is better.
    """

    def __init__(self, fn, crop_border=0, y_channel=False, name=None, dtype=None):
        super().__init__(
            fn, name=name, dtype=dtype, crop_border=crop_border, y_channel=y_channel
        )
        self.crop_border = crop_border
        self.y_channel = y_channel
        self._direction = "up"

    def get_config(self) -> dict:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "crop_border": self.crop_border,
            "y_channel": self.y_channel,
        }
