"""Random training patches from a set of images."""

from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from zoo.arguments import check_int
from zoo.data.image_folder import read_image


def _eligible_rgb(
    images: Sequence[np.ndarray] | Mapping[str, np.ndarray], patch_size: int
) -> list[np.ndarray]:
    if isinstance(images, Mapping):
        images = list(images.values())
    elif isinstance(images, np.ndarray) and images.ndim == 3 and images.shape[-1] in (3, 4):
        # Iterating one HxWxC image would yield H strips taken for gray images.
        raise TypeError(
            f"`images` must be a list of images; got one image of shape {images.shape}: "
            "pass `[image]`."
        )
    images = [read_image(image, keep_alpha=False) for image in images]
    rgb = [
        np.repeat(image[..., None], 3, axis=-1) if image.ndim == 2 else image
        for image in images
        if min(image.shape[:2]) >= patch_size
    ]
    if not rgb:
        raise ValueError(
            f"`images` holds no image of at least {patch_size}x{patch_size} "
            f"pixels (`patch_size`={patch_size})."
        )
    return rgb


def _sample(
    images: list[np.ndarray],
    patch_size: int,
    num_patches: int,
    rng: np.random.Generator,
    augment: bool,
) -> np.ndarray:
    areas = np.array([image.shape[0] * image.shape[1] for image in images], float)
    choices = rng.choice(len(images), size=num_patches, p=areas / areas.sum())
    patches = np.empty((num_patches, patch_size, patch_size, 3), np.uint8)
    for i, choice in enumerate(choices):
        image = images[choice]
        top = rng.integers(image.shape[0] - patch_size + 1)
        left = rng.integers(image.shape[1] - patch_size + 1)
        patch = image[top : top + patch_size, left : left + patch_size]
        if augment:
            # One of the 8 dihedral transforms: 4 rotations, with or without a flip.
            transform = rng.integers(8)
            patch = np.rot90(patch, k=transform % 4)
            if transform >= 4:
                patch = patch[:, ::-1]
        patches[i] = patch
    return patches


def random_patches(
    images: Sequence[np.ndarray] | Mapping[str, np.ndarray],
    patch_size: int,
    num_patches: int,
    *,
    seed: int = 0,
    augment: bool = True,
) -> np.ndarray:
    """Crop random square patches, picking images in proportion to their area.

    Grayscale images are replicated to 3 channels; images smaller than
    `patch_size` are skipped. Deterministic for a given `seed`.

    Args:
        images: uint8 images (`HxW`, `HxWx3` or `HxWx4`), a list or a dict
            such as `load_natural_images()`.
        patch_size: the patch side in pixels.
        num_patches: how many patches.
        seed: seed of the `np.random.default_rng` that draws them.
        augment: apply one of the 8 flips / 90-degree rotations to each patch.

    Returns:
        A uint8 array `[num_patches, patch_size, patch_size, 3]`.

    Example:
    >>> patches = random_patches(load_natural_images(), 64, 1000, seed=1)
    >>> patches.shape, patches.dtype
    ((1000, 64, 64, 3), dtype('uint8'))
    """
    check_int("patch_size", patch_size)
    check_int("num_patches", num_patches)
    images = _eligible_rgb(images, patch_size)
    rng = np.random.default_rng(seed)
    return _sample(images, patch_size, num_patches, rng, augment)


def patch_dataset(
    images: Sequence[np.ndarray] | Mapping[str, np.ndarray],
    patch_size: int,
    batch_size: int,
    *,
    seed: int = 0,
    augment: bool = True,
):
    """An infinite `tf.data.Dataset` of fresh random patch batches.

    Each batch is drawn as `random_patches` does, from one generator seeded
    by `seed`, so iterating the dataset again repeats the same stream.

    Args:
        images: uint8 images, a list or a dict (see `random_patches`).
        patch_size: the patch side in pixels.
        batch_size: patches per batch.
        seed: seed of the stream.
        augment: apply a random flip / 90-degree rotation to each patch.

    Returns:
        A `tf.data.Dataset` of float32 `[batch_size, patch_size, patch_size, 3]`
        batches in [0, 1].

    Example:
    >>> dataset = patch_dataset(load_natural_images(), 64, batch_size=16)
    >>> model.fit(dataset, steps_per_epoch=500, epochs=10)
    """
    import tensorflow as tf  # Only data pipelines need TensorFlow.

    check_int("patch_size", patch_size)
    check_int("batch_size", batch_size)
    images = _eligible_rgb(images, patch_size)

    def batches() -> Iterator[np.ndarray]:
        rng = np.random.default_rng(seed)
        while True:
            patches = _sample(images, patch_size, batch_size, rng, augment)
            yield patches.astype(np.float32) / 255.0

    spec = tf.TensorSpec((batch_size, patch_size, patch_size, 3), tf.float32)
    dataset = tf.data.Dataset.from_generator(batches, output_signature=spec)
    return dataset.prefetch(tf.data.AUTOTUNE)
