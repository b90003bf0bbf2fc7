import keras

from zoo.models.nafnet.nafnet_backbone import NAFNetBackbone
from zoo.tasks.image_restorer import ImageRestorer


@keras.saving.register_keras_serializable(package="zoo")
class NAFNetImageRestorer(ImageRestorer):
    """An `ImageRestorer` on a `NAFNetBackbone`: deblurring (or denoising).

    Example:
    ```python
    deblurrer = zoo.models.NAFNetImageRestorer(
        backbone=zoo.models.NAFNetBackbone(width=32),
        degradation=zoo.data.RandomBlur(seed=0),
    )
    deblurrer.fit(clean_patches, epochs=10)   # blurred on the fly
    sharp = deblurrer.restore("blurred.png")
    ```
    """

    backbone_cls = NAFNetBackbone
    preset_task = "deblur"
