"""dihedral_mean and `restore(self_ensemble=True)`."""

import keras
import numpy as np
import pytest

import zoo
from zoo.tasks.self_ensemble import dihedral_mean

pytestmark = pytest.mark.backend


def test_dihedral_mean_undoes_each_transform():
    image = np.random.default_rng(0).random((5, 7, 3), dtype=np.float32)
    # An equivariant map (pixel-wise) gives its plain result back.
    np.testing.assert_allclose(dihedral_mean(lambda x: 2 * x, image), 2 * image, atol=1e-6)
    # A map that is not equivariant: every orientation of the input is seen once.
    seen = []

    def first_row_marker(x):
        seen.append(x.shape)
        out = np.zeros_like(x)
        out[0] = 1.0
        return out

    mean = dihedral_mean(first_row_marker, image)
    assert sorted(seen) == sorted([(5, 7, 3)] * 4 + [(7, 5, 3)] * 4)
    # Each of the 4 image sides was the "first row" in 2 of the 8 views.
    np.testing.assert_allclose(mean[0, 3], 0.25)
    np.testing.assert_allclose(mean[2, 0], 0.25)
    np.testing.assert_allclose(mean[2, 3], 0.0)


def test_restore_self_ensemble_is_the_mean_of_the_eight_views(tiny_restorer):
    restorer = tiny_restorer(gray_inputs="repeat")
    image = np.random.default_rng(1).integers(0, 256, (19, 26, 3), dtype=np.uint8)
    x = image.astype(np.float32) / 255
    views = []
    for k in range(8):
        view = np.rot90(x, k % 4)
        view = view[:, ::-1] if k >= 4 else view
        out = keras.ops.convert_to_numpy(restorer.predict_on_batch(view[None].copy()))[0]
        out = out[:, ::-1] if k >= 4 else out
        views.append(np.rot90(out, -(k % 4)))
    expected = np.clip(np.round(np.mean(views, axis=0) * 255), 0, 255)
    ensembled = restorer.restore(image, self_ensemble=True)
    assert ensembled.shape == image.shape and ensembled.dtype == np.uint8
    assert np.abs(ensembled.astype(int) - expected).max() <= 1
    assert not np.array_equal(ensembled, restorer.restore(image))


def test_super_resolution_self_ensemble_odd_size():
    upscaler = zoo.from_preset("espcn_x2")
    low = np.random.default_rng(2).integers(0, 256, (37, 51, 3), dtype=np.uint8)
    assert upscaler.restore(low, self_ensemble=True).shape == (74, 102, 3)


def test_inpainter_self_ensemble_keeps_known_pixels():
    keras.utils.set_random_seed(0)
    inpainter = zoo.models.InpaintUNetInpainter(
        backbone=zoo.models.InpaintUNetBackbone(width=4, depth=2, dilations=(2,))
    )
    image = np.random.default_rng(3).integers(0, 256, (45, 61, 3), dtype=np.uint8)
    mask = np.zeros((45, 61), np.uint8)
    mask[10:30, 5:40] = 1
    out = inpainter.restore(image, mask=mask, self_ensemble=True)
    np.testing.assert_array_equal(out[mask == 0], image[mask == 0])
    assert not np.array_equal(out[mask == 1], inpainter.restore(image, mask=mask)[mask == 1])


def test_embedded_denoiser_self_ensemble_is_better(embedded_restorer):
    from zoo.data import add_gaussian_noise, load_natural_images
    from zoo.metrics import psnr

    clean = load_natural_images("val")["chelsea"][100:196, 150:246]
    noisy = add_gaussian_noise(clean, 25, seed=0)
    single = psnr(clean, embedded_restorer.restore(noisy))
    assert psnr(clean, embedded_restorer.restore(noisy, self_ensemble=True)) > single + 0.05
