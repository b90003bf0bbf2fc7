"""ImageRestorer: fit (clean images or pairs), predict, restore, tiling, bad inputs.

Tiny DnCNN restorers (depth 3, 8 filters) on every backend. A restorer whose
`conv_out` is zeroed is the identity, which makes the losses exact: fitting
on `(clean + 0.05, clean)` pairs must report an L1 loss of exactly 0.05, while
the on-the-fly degradation (sigma 50) would give about
`50 / 255 * sqrt(2 / pi) = 0.156`.
"""

import keras
import numpy as np
import pytest
from PIL import Image

import zoo

pytestmark = pytest.mark.backend

SIGMA = 50.0
NOISE_MAE = SIGMA / 255.0 * np.sqrt(2.0 / np.pi)  # E|N(0, sigma)| = 0.1565
OFFSET = 0.05


def _noise(seed=1):
    return zoo.data.RandomGaussianNoise(sigma_range=(SIGMA, SIGMA), seed=seed)


def _clean(n=8, size=16, seed=0):
    return np.random.default_rng(seed).random((n, size, size, 3), dtype=np.float32)


def _uint8(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def _numpy(x):
    return keras.ops.convert_to_numpy(x)


# --- fit / evaluate / predict --------------------------------------------------


def _zero_conv_out(restorer):
    layer = restorer.backbone.get_layer("conv_out")
    layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])


def test_fit_on_clean_images_trains(tiny_restorer):
    restorer = tiny_restorer(degradation=_noise())
    before = [w.copy() for w in restorer.get_weights()]
    clean = _clean()
    history = restorer.fit(clean, epochs=3, batch_size=4, verbose=0)
    losses = history.history["loss"]
    assert len(losses) == 3
    assert np.all(np.isfinite(losses))
    assert "psnr" in history.history  # compiled by default with PSNR
    assert losses[-1] < losses[0]
    assert restorer._degrade_inputs is False  # set only while a step runs
    after = restorer.get_weights()
    assert any(not np.array_equal(b, a) for b, a in zip(before, after))
    # predict never degrades: deterministic, and equal to the backbone.
    first = restorer.predict(clean, verbose=0)
    assert restorer._degrade_inputs is False
    np.testing.assert_array_equal(restorer.predict(clean, verbose=0), first)
    np.testing.assert_allclose(first, _numpy(restorer.backbone(clean)), atol=1e-5)


def test_fit_on_clean_images_without_degradation_raises(tiny_restorer):
    restorer = tiny_restorer()
    with pytest.raises(ValueError, match="degradation"):
        restorer.fit(_clean(), epochs=1, verbose=0)
    with pytest.raises(ValueError, match="degradation"):
        restorer.evaluate(_clean(), verbose=0)


def test_fit_numpy_clean_then_pairs(tiny_restorer):
    restorer = tiny_restorer(degradation=_noise(), zero_output=True)
    clean = _clean()
    # Identity model: the clean-image loss is exactly the noise added.
    history = restorer.fit(clean, epochs=1, batch_size=8, verbose=0)
    assert restorer._degrade_inputs is False  # set only while a step runs
    assert abs(history.history["loss"][0] - NOISE_MAE) < 0.03
    # The pairs fit must not reuse the compiled step that degrades.
    _zero_conv_out(restorer)
    history = restorer.fit(clean + OFFSET, clean, epochs=1, batch_size=8, verbose=0)
    assert restorer._degrade_inputs is False
    assert abs(history.history["loss"][0] - OFFSET) < 1e-5
    _zero_conv_out(restorer)
    pairs = restorer.evaluate(clean + OFFSET, clean, batch_size=8, verbose=0, return_dict=True)
    assert abs(pairs["loss"] - OFFSET) < 1e-5
    alone = restorer.evaluate(clean, batch_size=8, verbose=0, return_dict=True)
    assert abs(alone["loss"] - NOISE_MAE) < 0.03


def test_uint8_arrays_are_scaled_and_other_integers_refused(tiny_restorer):
    restorer = tiny_restorer(degradation=_noise(), zero_output=True)
    clean = _uint8((8, 16, 16, 3))
    noisy = np.clip(clean.astype(int) + 13, 0, 255).astype(np.uint8)
    # Identity model: the loss of uint8 pairs is their difference on [0, 1].
    expected = np.abs(noisy / 255.0 - clean / 255.0).mean()
    pairs = restorer.evaluate(noisy, clean, batch_size=8, verbose=0, return_dict=True)
    assert abs(pairs["loss"] - expected) < 1e-5
    alone = restorer.evaluate(clean, batch_size=8, verbose=0, return_dict=True)
    assert abs(alone["loss"] - NOISE_MAE) < 0.03  # sigma 50 on [0, 1], not on 0-255
    with pytest.raises(TypeError, match="`x` must be uint8 or float"):
        restorer.fit(clean.astype(np.int16), epochs=1, verbose=0)
    with pytest.raises(TypeError, match="`y` must be uint8 or float"):
        restorer.evaluate(noisy / 255.0, clean.astype(np.int32), verbose=0)


def test_fit_tf_dataset_pairs_then_clean(tiny_restorer):
    import tensorflow as tf

    restorer = tiny_restorer(degradation=_noise(), zero_output=True)
    clean = _clean()
    pairs = tf.data.Dataset.from_tensor_slices((clean + OFFSET, clean)).batch(8)
    history = restorer.fit(pairs, epochs=1, shuffle=False, verbose=0)
    assert restorer._degrade_inputs is False
    assert abs(history.history["loss"][0] - OFFSET) < 1e-5
    _zero_conv_out(restorer)
    images = tf.data.Dataset.from_tensor_slices(clean).batch(8)
    history = restorer.fit(images, epochs=1, shuffle=False, verbose=0)
    assert restorer._degrade_inputs is False  # set only while a step runs
    assert abs(history.history["loss"][0] - NOISE_MAE) < 0.03


def _repeat(*batch):
    """An endless Python generator of `batch`: `(clean,)` or `(degraded, clean)`."""
    while True:
        yield batch


def test_fit_python_generator_of_pairs_and_of_clean_images(tiny_restorer):
    # Whether a batch is clean images or a pair is decided per batch, not
    # from the container: a generator of pairs must not be degraded again.
    restorer = tiny_restorer(degradation=_noise(), zero_output=True)
    clean = _clean()
    history = restorer.fit(_repeat(clean + OFFSET, clean), steps_per_epoch=1, verbose=0)
    assert abs(history.history["loss"][0] - OFFSET) < 1e-5
    _zero_conv_out(restorer)
    history = restorer.fit(_repeat(clean), steps_per_epoch=1, verbose=0)
    assert abs(history.history["loss"][0] - NOISE_MAE) < 0.03
    _zero_conv_out(restorer)
    pairs = restorer.evaluate(_repeat(clean + OFFSET, clean), steps=1, verbose=0,
                              return_dict=True)
    assert abs(pairs["loss"] - OFFSET) < 1e-5
    # No step leaves the degradation on for predict.
    np.testing.assert_allclose(restorer.predict(clean, verbose=0), clean, atol=1e-6)


def test_generator_of_clean_images_without_degradation_raises(tiny_restorer):
    with pytest.raises(ValueError, match="degradation"):
        tiny_restorer().fit(_repeat(_clean()), steps_per_epoch=1, verbose=0)


def _tiny_upscaler():
    keras.utils.set_random_seed(0)
    backbone = zoo.models.ESPCNBackbone(scale=2, filters=(4, 4))
    return zoo.models.ESPCNImageRestorer(backbone=backbone)


def test_super_resolution_generator_of_pairs_and_of_clean_images():
    restorer = _tiny_upscaler()
    restorer.compile(optimizer=keras.optimizers.SGD(0.0))  # weights stay put
    high = _clean(n=2, size=16)
    low = _numpy(restorer.degradation(high))
    assert low.shape == (2, 8, 8, 3)
    # (8x8, 16x16) pairs used to be downscaled again: "16 and 8" mismatch.
    fitted = restorer.fit(_repeat(low, high), steps_per_epoch=1, verbose=0).history["loss"][0]
    pairs = restorer.evaluate(_repeat(low, high), steps=1, verbose=0, return_dict=True)
    alone = restorer.evaluate(_repeat(high), steps=1, verbose=0, return_dict=True)
    arrays = restorer.evaluate(low, high, verbose=0, return_dict=True)["loss"]
    pairs, alone = pairs["loss"], alone["loss"]
    np.testing.assert_allclose([fitted, pairs, alone], [arrays] * 3, rtol=1e-5)


def test_torch_dataloader_of_pairs():
    torch = pytest.importorskip("torch")
    restorer = _tiny_upscaler()
    restorer.compile(optimizer=keras.optimizers.SGD(0.0))
    high = _clean(n=4, size=16)
    low = _numpy(restorer.degradation(high))
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(low), torch.from_numpy(high)),
        batch_size=2,
    )
    history = restorer.fit(loader, epochs=1, verbose=0)
    expected = restorer.evaluate(low, high, batch_size=2, verbose=0, return_dict=True)["loss"]
    np.testing.assert_allclose(history.history["loss"][0], expected, rtol=1e-5)


def test_predict_float32_nhwc(tiny_restorer):
    restorer = tiny_restorer()
    x = _clean(n=2, size=20)[:, :, :17]
    y = restorer.predict(x, verbose=0)
    assert y.shape == (2, 20, 17, 3)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, _numpy(restorer.backbone(x)), atol=1e-5)
    assert restorer.scale == 1 and restorer.size_multiple == 1 and restorer.channels == 3


# --- restore ---------------------------------------------------------------------


def test_restore_identity_model_returns_input(tiny_restorer):
    restorer = tiny_restorer(zero_output=True)
    gray = _uint8((23, 31))
    rgb = _uint8((23, 31, 3), seed=1)
    rgba = _uint8((23, 31, 4), seed=2)
    for image in (gray, rgb, rgba):
        out = restorer.restore(image)
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(out, image)


def test_restore_layouts(tiny_restorer):
    restorer = tiny_restorer()
    gray = restorer.restore(_uint8((21, 34)))
    assert gray.shape == (21, 34) and gray.dtype == np.uint8
    rgb_in = _uint8((21, 34, 3), seed=1)
    rgb = restorer.restore(rgb_in)
    assert rgb.shape == (21, 34, 3) and rgb.dtype == np.uint8
    assert not np.array_equal(rgb, rgb_in)  # a random model changes the image
    rgba_in = np.concatenate([rgb_in, _uint8((21, 34, 1), seed=3)], axis=-1)
    rgba = restorer.restore(rgba_in)
    assert rgba.shape == (21, 34, 4)
    np.testing.assert_array_equal(rgba[..., 3], rgba_in[..., 3])  # alpha untouched
    np.testing.assert_array_equal(rgba[..., :3], rgb)


def test_restore_gray_repeated_is_channel_mean_of_rgb_restore(tiny_restorer):
    restorer = tiny_restorer(gray_inputs="repeat")
    gray = _uint8((19, 22))
    x = np.repeat(gray.astype(np.float32)[..., None] / 255.0, 3, axis=-1)
    expected = restorer.predict(x[None], verbose=0)[0].mean(axis=-1)
    expected = np.clip(np.round(expected * 255.0), 0, 255)
    diff = np.abs(restorer.restore(gray).astype(int) - expected)
    assert diff.max() <= 1  # rounding at .5 may differ by one
    assert np.mean(diff) < 0.01


def test_restore_path_equals_array(tiny_restorer, tmp_path):
    restorer = tiny_restorer()
    rgb = _uint8((25, 30, 3))
    gray = _uint8((25, 30), seed=1)
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    Image.fromarray(gray).save(tmp_path / "gray.png")
    np.testing.assert_array_equal(restorer.restore(tmp_path / "rgb.png"), restorer.restore(rgb))
    np.testing.assert_array_equal(restorer.restore(str(tmp_path / "gray.png")), restorer.restore(gray))
    np.testing.assert_array_equal(restorer.restore(Image.fromarray(rgb)), restorer.restore(rgb))


def test_restore_float_input(tiny_restorer):
    restorer = tiny_restorer()
    rgb = _uint8((18, 27, 3))
    as_float = rgb.astype(np.float32) / 255.0
    np.testing.assert_array_equal(restorer.restore(as_float), restorer.restore(rgb))
    # Unclipped noisy floats are allowed; the identity model clips them to uint8.
    identity = tiny_restorer(zero_output=True)
    noisy = np.linspace(-0.3, 1.3, 18 * 27, dtype=np.float32).reshape(18, 27)
    out = identity.restore(noisy)
    assert out.shape == (18, 27) and out.dtype == np.uint8
    np.testing.assert_array_equal(out, np.clip(np.round(noisy * 255.0), 0, 255).astype(np.uint8))
    assert identity.restore(noisy[..., None]).shape == (18, 27)  # HxWx1 float


@pytest.mark.parametrize("layout", ["gray", "rgb", "rgba"])
def test_tiled_restore_equals_whole_image(tiny_restorer, layout):
    restorer = tiny_restorer(depth=3)  # receptive field radius 3
    shape = {"gray": (97, 131), "rgb": (97, 131, 3), "rgba": (97, 131, 4)}[layout]
    image = _uint8(shape, seed=4)
    whole = restorer.restore(image, tile_size=256)
    tiled = restorer.restore(image, tile_size=32, tile_overlap=3, batch_size=3)
    np.testing.assert_array_equal(tiled, whole)


def test_tiled_float_output_equals_predict(tiny_restorer):
    from zoo.tasks.tiling import tiled_apply

    restorer = tiny_restorer(depth=3)
    x = np.random.default_rng(5).random((97, 131, 3), dtype=np.float32)
    whole = restorer.predict(x[None], verbose=0)[0]

    def run(batch):
        return np.asarray(_numpy(restorer.predict_on_batch(batch)), np.float32)

    for tile, overlap in [(32, 3), (40, 5), (17, 3)]:
        tiled = tiled_apply(run, x, tile_size=tile, overlap=overlap, batch_size=4)
        np.testing.assert_allclose(tiled, whole, atol=1e-6, err_msg=f"tile {tile}, overlap {overlap}")
    # Too little overlap breaks the equality: the check above is meaningful.
    seams = tiled_apply(run, x, tile_size=32, overlap=1)
    assert np.abs(seams - whole).max() > 1e-3


def test_restore_defaults_come_from_constructor(tiny_restorer):
    restorer = tiny_restorer(tile_size=24, tile_overlap=4)
    assert (restorer.tile_size, restorer.tile_overlap) == (24, 4)
    image = _uint8((50, 61, 3))
    np.testing.assert_array_equal(restorer.restore(image), restorer.restore(image, tile_size=512))


# --- bad inputs -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"batch_size": 0}, ValueError, "`batch_size` must be an int >= 1"),
        ({"batch_size": -1}, ValueError, "`batch_size` must be an int >= 1"),
        ({"batch_size": 2.5}, TypeError, "`batch_size` must be an int"),
        ({"tile_size": 0}, ValueError, "`tile_size` must be an int >= 1"),  # not the default
        ({"tile_overlap": -4}, ValueError, "`tile_overlap` must be an int >= 0"),
        ({"tile_size": 32, "tile_overlap": 16}, ValueError,
         r"`tile_size` \(32\) must exceed twice `tile_overlap` \(16\).*smaller `tile_overlap`"),
    ],
)
def test_restore_bad_tiling_raises(tiny_restorer, kwargs, error, words):
    restorer = tiny_restorer(tile_size=24, tile_overlap=4)
    with pytest.raises(error, match=words):
        restorer.restore(_uint8((50, 61, 3)), **kwargs)


@pytest.mark.parametrize(
    "kwargs, error",
    [({"tile_size": 0}, ValueError), ({"tile_overlap": -1}, ValueError),
     ({"tile_size": 64, "tile_overlap": 32}, ValueError), ({"tile_size": 64.5}, TypeError)],
)
def test_constructor_bad_tiling_raises(tiny_restorer, kwargs, error):
    with pytest.raises(error, match="tile_"):
        tiny_restorer(**kwargs)


def test_save_to_preset_refuses_sharding(tiny_restorer, tmp_path):
    restorer = tiny_restorer()
    with pytest.raises(ValueError, match="max_shard_size"):
        restorer.save_to_preset(tmp_path / "p", max_shard_size=0.001)
    assert not (tmp_path / "p").exists()
    restorer.save_to_preset(tmp_path / "p", max_shard_size=None)
    assert (tmp_path / "p" / "config.json").is_file()


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((8, 8, 3), np.int32),
        np.zeros((8, 8, 3), bool),
        np.zeros((8, 8), np.uint16),
        None,
        3,
        [[0, 1], [2, 3]],
    ],
    ids=["int32", "bool", "uint16", "None", "int", "list"],
)
def test_restore_bad_type_raises_type_error(tiny_restorer, image):
    with pytest.raises(TypeError, match="image"):
        tiny_restorer().restore(image)


@pytest.mark.parametrize(
    "image",
    [
        np.full((8, 8, 3), np.nan, np.float32),
        np.where(np.eye(8, dtype=bool), np.inf, 0.5).astype(np.float32),
        np.zeros((8, 8, 5), np.uint8),
        np.zeros((8, 8, 5), np.float32),
        np.zeros((8, 8, 2), np.float32),
        np.zeros((1, 8, 8, 3), np.uint8),
        np.zeros((1, 8, 8, 3), np.float32),
        np.zeros((8,), np.float32),
        np.zeros((0, 8, 3), np.uint8),
        np.zeros((0, 8, 3), np.float32),
    ],
    ids=["nan", "inf", "5ch-uint8", "5ch-float", "2ch-float", "batch-uint8",
         "batch-float", "1d", "empty-uint8", "empty-float"],
)
def test_restore_bad_value_raises_value_error(tiny_restorer, image):
    with pytest.raises(ValueError, match="image"):
        tiny_restorer().restore(image)


def test_restore_bad_files_raise(tiny_restorer, tmp_path):
    restorer = tiny_restorer()
    with pytest.raises(ValueError, match="not found"):
        restorer.restore(tmp_path / "missing.png")
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image")
    with pytest.raises(ValueError, match="junk.png"):
        restorer.restore(junk)
