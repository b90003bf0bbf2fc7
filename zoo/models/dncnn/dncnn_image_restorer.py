import keras

from zoo.models.dncnn.dncnn_backbone import DnCNNBackbone
from zoo.tasks.image_restorer import ImageRestorer


@keras.saving.register_keras_serializable(package="zoo")
class DnCNNImageRestorer(ImageRestorer):
    """An `ImageRestorer` on a `DnCNNBackbone` (denoising).

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
