import keras

from zoo.models.dncnn.dncnn_backbone import DnCNNBackbone
from zoo.tasks.image_restorer import ImageRestorer


@keras.saving.register_keras_serializable(package="zoo")
class DnCNNImageRestorer(ImageRestorer):
    """An `ImageRestorer` on a `DnCNNBackbone` (denoising).

    Grayscale images given to `restore` get their noise whitened across the
    colour channels by default (`gray_inputs="whiten_noise"`): a colour
    denoiser trained on independent channel noise otherwise leaves the
    channel-identical noise of a gray photo in place.

    Example:
    ```python
    denoiser = zoo.models.DnCNNImageRestorer(
        backbone=zoo.models.DnCNNBackbone(),
        degradation=zoo.data.RandomGaussianNoise(sigma_range=(0, 55)),
    )
    denoiser.fit(clean_patches, epochs=10)
    ```
    """

    backbone_cls = DnCNNBackbone

    def __init__(self, backbone, preprocessor=None, degradation=None,
                 gray_inputs="whiten_noise", **kwargs):
        super().__init__(backbone, preprocessor, degradation,
                         gray_inputs=gray_inputs, **kwargs)
