"""Inpainter: restore with masks, mask validation, hole-weighted loss, fit, presets."""

import keras
import numpy as np
import pytest
from PIL import Image

import zoo
from zoo.data import InpaintBatches
from zoo.models import InpaintUNetBackbone, InpaintUNetInpainter
from zoo.tasks import Inpainter

pytestmark = pytest.mark.backend

TINY = {"width": 4, "depth": 1, "dilations": [2]}


@pytest.fixture
def inpainter():
    keras.utils.set_random_seed(0)
    return InpaintUNetInpainter(backbone=InpaintUNetBackbone(**TINY))


def _image(shape=(97, 131, 3), seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _mask(shape=(97, 131)):
    mask = np.zeros(shape, np.uint8)
    mask[20:50, 30:90] = 1
    return mask


def test_restore_odd_size_keeps_known_pixels(inpainter, tmp_path):
    assert isinstance(inpainter, Inpainter) and inpainter.preset_task == "inpaint"
    image, mask = _image(), _mask()
    out = inpainter.restore(image, mask=mask)
    assert out.shape == image.shape and out.dtype == np.uint8
    np.testing.assert_array_equal(out[mask == 0], image[mask == 0])
    assert np.any(out[mask == 1] != image[mask == 1])
    # The same with a 0/255 PNG mask, a bool mask, tiles, gray and RGBA images.
    Image.fromarray(mask * 255).save(tmp_path / "mask.png")
    np.testing.assert_array_equal(inpainter.restore(image, mask=tmp_path / "mask.png"), out)
    tiled = inpainter.restore(image, mask=mask.astype(bool), tile_size=48, tile_overlap=8)
    np.testing.assert_array_equal(tiled[mask == 0], image[mask == 0])
    gray = inpainter.restore(image[..., 0], mask=mask)
    assert gray.shape == (97, 131)
    np.testing.assert_array_equal(gray[mask == 0], image[..., 0][mask == 0])
    rgba = np.concatenate([image, _image((97, 131, 1), seed=1)], axis=-1)
    out4 = inpainter.restore(rgba, mask=mask)
    assert out4.shape == (97, 131, 4)
    np.testing.assert_array_equal(out4[..., 3], rgba[..., 3])


@pytest.mark.parametrize(
    "mask, words",
    [
        (np.zeros((97, 130), np.uint8), "mask.*shape"),
        (np.zeros((97, 131, 3), np.uint8), "mask.*shape"),
        (np.full((97, 131), 0.5, np.float32), "mask.*binary"),
        (np.arange(97 * 131).reshape(97, 131) % 3, "mask.*binary"),
        (np.ones((97, 131), np.uint8), "mask.*every pixel"),
        (np.full((97, 131), 255, np.uint8), "mask.*every pixel"),
        (None, "mask.*required"),
        ("/no/such/mask.png", "mask.*not found"),
    ],
)
def test_bad_masks_raise(inpainter, mask, words):
    with pytest.raises(ValueError, match=words):
        inpainter.restore(_image(), mask=mask)


def test_predict_needs_images_and_masks(inpainter):
    x = np.zeros((1, 8, 8, 3), np.float32)
    with pytest.raises(ValueError, match="masks"):
        inpainter.predict({"images": x}, verbose=0)
    out = inpainter.predict({"images": x, "masks": np.zeros((1, 8, 8, 1), np.float32)}, verbose=0)
    np.testing.assert_array_equal(out, x)


def test_loss_weighs_the_hole(inpainter):
    inpainter.compile()
    images = np.zeros((1, 4, 4, 3), np.float32)
    masks = np.zeros((1, 4, 4, 1), np.float32)
    masks[0, :2] = 1.0  # half the pixels missing
    y_pred = np.full((1, 4, 4, 3), 0.5, np.float32)
    x = {"images": images, "masks": masks}
    loss = float(keras.ops.convert_to_numpy(inpainter.compute_loss(x, images + 0.1, y_pred)))
    # L1 is 0.4 everywhere; weights 6 (hole) and 1 (valid) average to 3.5.
    assert loss == pytest.approx(0.4 * 3.5, rel=1e-5)


def test_fit_on_clean_images_and_on_batches(inpainter):
    inpainter.compile(optimizer=keras.optimizers.SGD(0.01))
    clean = np.random.default_rng(1).random((4, 32, 32, 3), dtype=np.float32)
    history = inpainter.fit(clean, batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0]) and history.history["loss"][0] > 0
    batches = InpaintBatches({"a": _image((48, 40, 3))}, 32, 2, steps_per_epoch=2, seed=0)
    history = inpainter.fit(batches, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert int(keras.ops.convert_to_numpy(inpainter.optimizer.iterations)) == 4


def test_preset_round_trip(inpainter, tmp_path):
    zoo.save_preset(inpainter, tmp_path / "p", description="tiny")
    loaded = zoo.from_preset(tmp_path / "p")
    assert type(loaded) is InpaintUNetInpainter
    assert (loaded.hole_weight, loaded.valid_weight) == (6.0, 1.0)
    image, mask = _image((40, 52, 3)), _mask((40, 52))
    np.testing.assert_array_equal(loaded.restore(image, mask=mask),
                                  inpainter.restore(image, mask=mask))


def test_mask_images_of_any_mode_are_thresholded(tmp_path):
    from zoo.tasks.inpainter import mask_from_image, read_mask

    gray = np.array([[0, 100, 127, 128, 200, 255]], np.uint8)
    expected = np.array([[0, 0, 0, 1, 1, 1]], np.float32)
    for mode in ("L", "RGB", "P", "LA"):
        path = tmp_path / f"mask_{mode}.png"
        Image.fromarray(gray).convert(mode).save(path)
        np.testing.assert_array_equal(read_mask(path, (1, 6)), expected, err_msg=mode)
    Image.fromarray(gray > 127).save(tmp_path / "mask_1.png")  # mode "1"
    np.testing.assert_array_equal(mask_from_image(tmp_path / "mask_1.png"), expected)
    # White strokes on a transparent layer: transparent pixels are known,
    # whatever colour they hide.
    rgba = np.zeros((1, 4, 4), np.uint8)
    rgba[..., :3] = 255
    rgba[0, :, 3] = [0, 255, 255, 60]
    Image.fromarray(rgba, "RGBA").save(tmp_path / "layer.png")
    np.testing.assert_array_equal(
        mask_from_image(tmp_path / "layer.png"), np.array([[0, 1, 1, 0]], np.float32)
    )
    # A JPEG's ringing is thresholded away.
    block = np.zeros((32, 32), np.uint8)
    block[8:24, 8:24] = 255
    Image.fromarray(block).save(tmp_path / "mask.jpg", quality=50)
    np.testing.assert_array_equal(mask_from_image(tmp_path / "mask.jpg"), block / 255)


def test_mask_file_that_is_not_an_image(inpainter, tmp_path):
    (tmp_path / "mask.png").write_text("not a png")
    with pytest.raises(ValueError, match="`mask`.*not an image"):
        inpainter.restore(_image(), mask=tmp_path / "mask.png")


def test_gray_inputs_does_not_apply(inpainter):
    with pytest.raises(ValueError, match="`gray_inputs`"):
        InpaintUNetInpainter(backbone=inpainter.backbone, gray_inputs="whiten_noise")
    assert "gray_inputs" not in inpainter.get_config()


def test_evaluate_on_clean_images_is_deterministic(inpainter):
    inpainter.compile()
    clean = np.random.default_rng(2).random((4, 32, 32, 3), dtype=np.float32)
    first = inpainter.evaluate(clean, batch_size=2, verbose=0, return_dict=True)
    np.random.seed(123)  # the masks must not follow the global generator
    second = inpainter.evaluate(clean, batch_size=2, verbose=0, return_dict=True)
    assert first == second
    other = inpainter.evaluate(clean, batch_size=2, verbose=0, return_dict=True, seed=1)
    assert other["loss"] != first["loss"]


def _repeat(*batch):
    while True:
        yield batch


def test_generators_are_checked_per_batch(inpainter):
    inpainter.compile(optimizer=keras.optimizers.SGD(0.0))
    batches = InpaintBatches({"a": _image((48, 40, 3))}, 32, 2, steps_per_epoch=1, seed=0)
    x, y = batches[0]
    history = inpainter.fit(_repeat(x, y), steps_per_epoch=1, verbose=0)
    expected = inpainter.evaluate(x, y, verbose=0, return_dict=True)["loss"]
    np.testing.assert_allclose(history.history["loss"][0], expected, rtol=1e-5)
    # Plain clean images get no masks from a generator: said, not a KeyError.
    with pytest.raises(ValueError, match="masks"):
        inpainter.fit(_repeat(y), steps_per_epoch=1, verbose=0)


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"batch_size": -1}, ValueError, "batch_size"),
        ({"batch_size": 2.5}, TypeError, "batch_size"),
        ({"tile_size": 0}, ValueError, "tile_size"),
        ({"tile_overlap": -4}, ValueError, "tile_overlap"),
        ({"tile_size": 32, "tile_overlap": 16}, ValueError, "tile_size.*tile_overlap"),
    ],
)
def test_restore_bad_tiling_raises(inpainter, kwargs, error, words):
    with pytest.raises(error, match=words):
        inpainter.restore(_image((40, 52, 3)), mask=_mask((40, 52)), **kwargs)


def test_a_mask_file_of_levels_0_and_1_is_that_mask(inpainter, tmp_path):
    from zoo.tasks.inpainter import read_mask

    Image.fromarray(_mask()).save(tmp_path / "mask01.png")  # 1 = missing, not 255
    np.testing.assert_array_equal(read_mask(tmp_path / "mask01.png", (97, 131)), _mask())
    Image.fromarray(np.zeros((97, 131), np.uint8)).save(tmp_path / "black.png")
    with pytest.raises(ValueError, match="`mask` marks no pixel missing"):
        inpainter.restore(_image(), mask=tmp_path / "black.png")


def test_dict_inputs_are_scaled_and_checked(inpainter):
    inpainter.compile(optimizer=keras.optimizers.SGD(0.0))  # nothing moves: losses compare
    images = _image((4, 16, 16, 3))
    masks = np.zeros((4, 16, 16, 1), np.uint8)
    masks[:, 4:8] = 1
    floats = {"images": images / np.float32(255), "masks": masks.astype(np.float32)}
    expected = inpainter.evaluate(floats, images / np.float32(255), verbose=0)
    # uint8 images and 0/255 masks mean the same as floats and 0/1 masks.
    loss = inpainter.evaluate({"images": images, "masks": masks * 255}, images, verbose=0)
    assert loss == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(
        inpainter.predict({"images": images, "masks": masks * 255}, verbose=0),
        inpainter.predict(floats, verbose=0), atol=1e-6,
    )
    for bad, words in (
        (masks[..., 0], "`masks` must be \\[B, H, W, 1\\]"),
        (masks * 7, "`masks` must be binary"),
    ):
        with pytest.raises(ValueError, match=words):
            inpainter.fit({"images": images, "masks": bad}, images, verbose=0)
    with pytest.raises(TypeError, match="`images` must be uint8 or float"):
        inpainter.predict({"images": images.astype(np.int16), "masks": masks}, verbose=0)
