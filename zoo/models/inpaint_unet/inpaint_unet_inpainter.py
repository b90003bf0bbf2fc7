import keras

from zoo.models.inpaint_unet.inpaint_unet_backbone import InpaintUNetBackbone
from zoo.tasks.inpainter import Inpainter


@keras.saving.register_keras_serializable(package="zoo")
class InpaintUNetInpainter(Inpainter):
    """An `Inpainter` on an `InpaintUNetBackbone` (gated-conv U-Net).

    Example:
    ```python
    inpainter = zoo.models.InpaintUNetInpainter(
        backbone=zoo.models.InpaintUNetBackbone(width=32, depth=3))
    inpainter.compile()
    inpainter.fit(InpaintBatches(load_natural_images(), 128, 16, 500), epochs=5)
    filled = inpainter.restore("photo.png", mask="mask.png")
    ```
    """

    backbone_cls = InpaintUNetBackbone
