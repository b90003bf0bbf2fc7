import numpy as np
import pytest

from zoo.data import patch_dataset, random_patches


def _ramp(size: int = 100) -> np.ndarray:
    """An RGB image whose red counts rows and green counts columns."""
    rows, cols = np.mgrid[:size, :size]
    return np.stack([rows, cols, np.zeros_like(rows)], axis=-1).astype(np.uint8)


def _orientation(patch: np.ndarray) -> tuple:
    """How red and green change along the patch rows and columns."""
    red, green = patch[..., 0].astype(int), patch[..., 1].astype(int)
    return (
        red[1, 0] - red[0, 0],
        red[0, 1] - red[0, 0],
        green[1, 0] - green[0, 0],
        green[0, 1] - green[0, 0],
    )


def test_shape_dtype_and_determinism():
    images = [_ramp(), np.zeros((40, 50), np.uint8)]
    patches = random_patches(images, 16, 30, seed=3)
    assert patches.shape == (30, 16, 16, 3) and patches.dtype == np.uint8
    np.testing.assert_array_equal(patches, random_patches(images, 16, 30, seed=3))
    assert not np.array_equal(patches, random_patches(images, 16, 30, seed=4))


def test_augment_uses_all_eight_transforms():
    plain = random_patches([_ramp()], 8, 200, augment=False)
    assert {_orientation(p) for p in plain} == {(1, 0, 0, 1)}
    augmented = random_patches([_ramp()], 8, 200)
    assert len({_orientation(p) for p in augmented}) == 8


def test_small_images_are_skipped_and_gray_replicated():
    images = {
        "small": np.full((10, 10), 7, np.uint8),
        "big": np.full((40, 40), 200, np.uint8),
    }
    patches = random_patches(images, 32, 20)
    assert np.all(patches == 200)
    with pytest.raises(ValueError, match="patch_size"):
        random_patches(images, 64, 5)


def test_images_are_sampled_in_proportion_to_area():
    images = [np.zeros((64, 64, 3), np.uint8), np.full((128, 128, 3), 255, np.uint8)]
    patches = random_patches(images, 16, 2000)
    share_of_large = np.mean(patches[:, 0, 0, 0] == 255)
    assert 0.75 < share_of_large < 0.85  # 128^2 / (64^2 + 128^2) = 0.8


@pytest.mark.parametrize("argument", ["patch_size", "num_patches"])
def test_invalid_sizes(argument):
    kwargs = {"patch_size": 8, "num_patches": 4, argument: 0}
    with pytest.raises(ValueError, match=argument):
        random_patches([_ramp()], **kwargs)


def test_patch_dataset():
    images = [_ramp(), np.full((30, 30), 9, np.uint8)]
    dataset = patch_dataset(images, 16, batch_size=4, seed=5)
    batches = [batch.numpy() for batch in dataset.take(3)]
    for batch in batches:
        assert batch.shape == (4, 16, 16, 3) and batch.dtype == np.float32
        assert 0 <= batch.min() and batch.max() <= 1
    # The first batch is what random_patches draws with the same seed.
    expected = random_patches(images, 16, 4, seed=5).astype(np.float32) / 255
    np.testing.assert_array_equal(batches[0], expected)
    assert not np.array_equal(batches[0], batches[1])


def test_one_image_instead_of_a_list_is_refused():
    # Iterating an HxWx3 array would give H one-pixel-high "gray images".
    with pytest.raises(TypeError, match="pass `\\[image\\]`"):
        random_patches(np.zeros((97, 131, 3), np.uint8), 64, 2)
    assert random_patches([np.zeros((97, 131, 3), np.uint8)], 64, 2).shape == (2, 64, 64, 3)
