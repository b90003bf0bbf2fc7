import keras

from zoo.data.degradations import BicubicDownsample
from zoo.models.espcn.espcn_backbone import ESPCNBackbone
from zoo.tasks.image_restorer import ImageRestorer


@keras.saving.register_keras_serializable(package="zoo")
class ESPCNImageRestorer(ImageRestorer):
    """An `ImageRestorer` on an `ESPCNBackbone` (super-resolution).

    `restore` of an `H×W` image returns `(scale·H)×(scale·W)`. Without a
    `degradation`, `fit` on clean high-res images makes the low-res inputs
    with `BicubicDownsample(scale)` (Pillow's bicubic, the benchmark's).

    Example:
    ```python
    upscaler = zoo.models.ESPCNImageRestorer(
        backbone=zoo.models.ESPCNBackbone(scale=4),
    )
    upscaler.fit(high_res_patches, epochs=10)  # patch sides: multiples of 4
    big = upscaler.restore("small.png")
    ```
    """

    backbone_cls = ESPCNBackbone
    preset_task = "super_resolution"

    def __init__(self, backbone, degradation=None, **kwargs):
        if degradation is None:
            degradation = BicubicDownsample(backbone.scale)
        super().__init__(backbone, degradation=degradation, **kwargs)
