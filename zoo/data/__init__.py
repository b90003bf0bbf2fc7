"""Training and evaluation data: natural images, patches, folders, degradations."""

from zoo.data.degradations import RandomGaussianNoise, add_gaussian_noise
from zoo.data.image_folder import load_image_folder, read_image
from zoo.data.natural_images import load_natural_images, load_val_baselines
from zoo.data.patch_batches import PatchBatches
from zoo.data.patches import patch_dataset, random_patches

__all__ = [
    "PatchBatches",
    "RandomGaussianNoise",
    "add_gaussian_noise",
    "load_image_folder",
    "load_natural_images",
    "load_val_baselines",
    "patch_dataset",
    "random_patches",
    "read_image",
]
