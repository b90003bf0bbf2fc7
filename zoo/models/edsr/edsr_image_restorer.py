import keras

from zoo.data.degradations import BicubicDownsample
from zoo.models.edsr.edsr_backbone import EDSRBackbone
from zoo.tasks.image_restorer import ImageRestorer


@keras.saving.register_keras_serializable(package="zoo")
class EDSRImageRestorer(ImageRestorer):
    """An `ImageRestorer` on an `EDSRBackbone` (super-resolution).

    `restore` of an `H×W` image returns `(scale·H)×(scale·W)`. Without a
    `degradation`, `fit` on clean high-res images makes the low-res inputs
    with `BicubicDownsample(scale)` (Pillow's bicubic, the benchmark's).

    Example:
    ```python
    upscaler = zoo.models.EDSRImageRestorer(
        backbone=zoo.models.EDSRBackbone(scale=2),
    )
    upscaler.fit(high_res_patches, epochs=10)  # patch sides: even
    big = upscaler.restore("small.png")
    ```
    """

    backbone_cls = EDSRBackbone
    preset_task = "super_resolution"

    def __init__(self, backbone, degradation=None, **kwargs):
        if degradation is None:
            degradation = BicubicDownsample(backbone.scale)
        super().__init__(backbone, degradation=degradation, **kwargs)
