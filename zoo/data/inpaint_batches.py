"""Training batches for inpainting: clean images with free-form masks drawn on the fly.

Free-form strokes are drawn with Pillow, so masks are made here, in the
data pipeline (numpy, any backend), not inside the model. Each batch is
`({"images": clean, "masks": masks}, clean)`: the model hides the masked
pixels itself (it only ever sees `images * (1 - masks)`).
"""

import math

import keras
import numpy as np

from zoo.arguments import check_int
from zoo.data.masks import random_masks
from zoo.data.patch_batches import PatchBatches


class InpaintBatches(PatchBatches):
    """Random patches of `images` with fresh free-form masks, for `fit`.

    Batch `i` of epoch `e` is reproducible from `seed` (see `PatchBatches`).

    Args:
        images, patch_size, batch_size, steps_per_epoch, seed, augment:
            as `PatchBatches`.
        coverage: `(low, high)` fraction of each patch that is missing.
        mask_bank_size: if set, draw this many masks once (seeded) and give
            each sample a random one of them under a random flip/rotation,
            instead of drawing every mask fresh: drawing strokes in Python
            costs ~10 ms a mask, too slow to feed a GPU.
        **kwargs: `workers`, `use_multiprocessing`, `max_queue_size`.

    Example:
    ```python
    batches = InpaintBatches(load_natural_images(), 128, 16, steps_per_epoch=500)
    inpainter.fit(batches, epochs=10)
    ```
    """

    def __init__(self, images, patch_size, batch_size, steps_per_epoch, *,
                 coverage=(0.15, 0.5), mask_bank_size=None, **kwargs):
        super().__init__(images, patch_size, batch_size, steps_per_epoch, **kwargs)
        self.coverage = coverage
        self.mask_bank = None
        if mask_bank_size is not None:
            check_int("mask_bank_size", mask_bank_size)
            rng = np.random.default_rng((self.seed, 2))
            self.mask_bank = random_masks(
                int(mask_bank_size), patch_size, patch_size, rng, coverage
            )

    def __getitem__(self, index):
        patches = super().__getitem__(index)
        rng = np.random.default_rng((self.seed, self.epoch, index, 1))
        if self.mask_bank is None:
            masks = random_masks(len(patches), self.patch_size, self.patch_size, rng, self.coverage)
        else:
            picks = rng.integers(0, len(self.mask_bank), len(patches))
            turns = rng.integers(0, 8, len(patches))
            masks = np.stack([
                _dihedral(self.mask_bank[i], t) for i, t in zip(picks, turns)
            ])
        return {"images": patches, "masks": masks}, patches


class MaskedImages(keras.utils.PyDataset):
    """Batches of given same-size images with fresh free-form masks each epoch.

    What `Inpainter.fit(images)` wraps a plain image array in.

    Args:
        images: `[N, H, W, C]` array, uint8 or float in [0, 1].
        batch_size: images per batch (a positive int).
        seed: seed of the masks and the shuffling.
        coverage: `(low, high)` fraction of each image that is missing.
        shuffle: reshuffle the images every epoch.

    Example:
    ```python
    inpainter.fit(MaskedImages(images, batch_size=8), epochs=5)
    ```
    """

    def __init__(self, images, batch_size=32, *, seed=0, coverage=(0.15, 0.5),
                 shuffle=True, **kwargs):
        super().__init__(**kwargs)
        check_int("batch_size", batch_size)
        check_int("seed", seed, minimum=0)
        images = np.asarray(images)
        if images.ndim != 4 or images.shape[0] == 0:
            raise ValueError(
                f"`images` must be a non-empty [N, H, W, C] array. Received: shape={images.shape}"
            )
        if images.dtype == np.uint8:
            images = images.astype(np.float32) / 255.0
        elif images.dtype.kind != "f":
            raise TypeError(
                f"`images` must be uint8 or float in [0, 1]. Received: dtype={images.dtype}"
            )
        elif not (np.all(np.isfinite(images)) and images.min() >= 0 and images.max() <= 1):
            raise ValueError(
                "`images` must be uint8 or float in [0, 1]. Received: floats in "
                f"[{np.nanmin(images):g}, {np.nanmax(images):g}]"
                + ("" if np.all(np.isfinite(images)) else " with NaN or infinite values")
            )
        self.images = images.astype(np.float32)
        self.batch_size = int(batch_size)
        self.seed = seed
        self.coverage = coverage
        self.shuffle = shuffle
        self.epoch = 0

    def __len__(self):
        return math.ceil(len(self.images) / self.batch_size)

    def __getitem__(self, index):
        order = np.arange(len(self.images))
        if self.shuffle:
            order = np.random.default_rng((self.seed, self.epoch)).permutation(order)
        batch = self.images[order[index * self.batch_size : (index + 1) * self.batch_size]]
        rng = np.random.default_rng((self.seed, self.epoch, index, 1))
        masks = random_masks(len(batch), *batch.shape[1:3], rng, self.coverage)
        return {"images": batch, "masks": masks}, batch

    def on_epoch_end(self):
        self.epoch += 1


def _dihedral(mask, turn):
    """One of the 8 flips/rotations of a square `[H, W, 1]` mask."""
    mask = np.rot90(mask, turn % 4)
    return np.ascontiguousarray(mask[:, ::-1] if turn >= 4 else mask)

