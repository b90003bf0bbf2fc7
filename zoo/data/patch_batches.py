"""Random patch batches as a `keras.utils.PyDataset` (no tf.data needed)."""

import keras
import numpy as np

from zoo.arguments import check_int
from zoo.data.patches import _eligible_rgb, _sample


class PatchBatches(keras.utils.PyDataset):
    """Fresh random patches each epoch, for `fit` on any backend.

    Batch `i` of epoch `e` is drawn from `np.random.default_rng((seed, e, i))`,
    so a run is reproducible and workers can build batches in any order.

    Args:
        images: uint8 images, a list or a dict (see `random_patches`).
        patch_size: the patch side in pixels.
        batch_size: patches per batch.
        steps_per_epoch: batches per epoch.
        seed: seed of the stream.
        augment: apply a random flip / 90-degree rotation to each patch.
        **kwargs: `workers`, `use_multiprocessing`, `max_queue_size`.

    Example:
    ```python
    batches = PatchBatches(load_natural_images(), 64, 32, steps_per_epoch=500)
    denoiser.fit(batches, epochs=10)
    ```
    """

    def __init__(
        self,
        images,
        patch_size,
        batch_size,
        steps_per_epoch,
        *,
        seed=0,
        augment=True,
        **kwargs,
    ):
        super().__init__(**kwargs)
        check_int("patch_size", patch_size)
        check_int("batch_size", batch_size)
        check_int("steps_per_epoch", steps_per_epoch)
        check_int("seed", seed, minimum=0)  # batch i of epoch e is (seed, e, i)'s draw
        self.images = _eligible_rgb(images, patch_size)
        self.patch_size = patch_size
        self.batch_size = batch_size
        self.steps_per_epoch = steps_per_epoch
        self.seed = seed
        self.augment = augment
        self.epoch = 0

    def __len__(self):
        return self.steps_per_epoch

    def __getitem__(self, index):
        rng = np.random.default_rng((self.seed, self.epoch, index))
        patches = _sample(
            self.images, self.patch_size, self.batch_size, rng, self.augment
        )
        return patches.astype(np.float32) / 255.0

    def on_epoch_end(self):
        self.epoch += 1
