"""Training and evaluation data: natural images, patches, folders, degradations."""

from zoo.data.blur_kernels import (
    blur_protocol,
    gaussian_kernel,
    motion_kernel,
    protocol_kernel,
)
from zoo.data.degradations import (
    BicubicDownsample,
    RandomGaussianNoise,
    add_gaussian_noise,
    bicubic_downsample_pil,
    modcrop,
)
from zoo.data.image_folder import load_image_folder, read_image
from zoo.data.inpaint_batches import InpaintBatches, MaskedImages
from zoo.data.masks import free_form_mask, protocol_masks, random_masks
from zoo.data.natural_images import load_natural_images, load_val_baselines
from zoo.data.patch_batches import PatchBatches
from zoo.data.patches import patch_dataset, random_patches
from zoo.data.random_blur import RandomBlur
from zoo.data.random_jpeg import RandomJPEG
from zoo.data.random_low_light import RandomLowLight

__all__ = [
    "BicubicDownsample",
    "InpaintBatches",
    "MaskedImages",
    "PatchBatches",
    "RandomBlur",
    "RandomGaussianNoise",
    "RandomJPEG",
    "RandomLowLight",
    "add_gaussian_noise",
    "bicubic_downsample_pil",
    "blur_protocol",
    "free_form_mask",
    "gaussian_kernel",
    "load_image_folder",
    "load_natural_images",
    "load_val_baselines",
    "modcrop",
    "motion_kernel",
    "patch_dataset",
    "protocol_kernel",
    "protocol_masks",
    "random_masks",
    "random_patches",
    "read_image",
]
from zoo.data.captioned_shapes import (  # noqa: E402
    CaptionedShapes,
    Scene,
    ShapeObject,
    caption,
    parse_caption,
    render,
    sample_scene,
    shapes_dataset,
)
from zoo.data.image_text_folder import image_text_folder  # noqa: E402
from zoo.data.shape_attributes import (  # noqa: E402
    ATTRIBUTE_CLASSES,
    ATTRIBUTE_HEADS,
    attribute_labels,
)
from zoo.data.shape_negatives import (  # noqa: E402
    morph_shape_mask,
    render_misshapen,
    render_touching,
)

__all__ += [
    "ATTRIBUTE_CLASSES",
    "ATTRIBUTE_HEADS",
    "CaptionedShapes",
    "Scene",
    "ShapeObject",
    "attribute_labels",
    "caption",
    "image_text_folder",
    "morph_shape_mask",
    "parse_caption",
    "render",
    "render_misshapen",
    "render_touching",
    "sample_scene",
    "shapes_dataset",
]
