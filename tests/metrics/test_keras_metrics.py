import keras
import numpy as np
import pytest

from zoo.data import load_natural_images
from zoo.metrics import PSNR, SSIM, psnr, ssim

pytestmark = pytest.mark.backend


@pytest.fixture(scope="module")
def batch():
    """Three natural 24x32 RGB crops and noisy float copies, in [0, 1]."""
    image = load_natural_images("val")["coffee"]
    clean = np.stack([image[:24, :32], image[100:124, 200:232], image[-24:, -32:]])
    clean = clean.astype(np.float32) / 255
    rng = np.random.default_rng(0)
    noisy = clean + rng.normal(0, 0.08, clean.shape).astype(np.float32)
    return clean, noisy


def _numpy_mean(fn, clean, noisy, **kwargs):
    return np.mean([fn(c, n, **kwargs) for c, n in zip(clean, noisy)])


@pytest.mark.parametrize(
    "metric_cls, fn, tolerance", [(PSNR, psnr, 1e-3), (SSIM, ssim, 1e-4)]
)
@pytest.mark.parametrize(
    "kwargs", [{}, {"crop_border": 2, "y_channel": True}], ids=["rgb", "y_crop"]
)
def test_agrees_with_numpy(batch, metric_cls, fn, tolerance, kwargs):
    clean, noisy = batch
    metric = metric_cls(**kwargs)
    metric.update_state(clean[:2], noisy[:2])
    metric.update_state(clean[2:], noisy[2:])
    expected = _numpy_mean(fn, clean, noisy, **kwargs)
    assert float(metric.result()) == pytest.approx(expected, abs=tolerance)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_in_compile_and_evaluate(batch):
    clean, _ = batch
    model = keras.Sequential([keras.Input((24, 32, 3)), keras.layers.Rescaling(0.9)])
    model.compile(loss="mae", metrics=[PSNR(), SSIM()])
    results = model.evaluate(clean, clean, batch_size=2, verbose=0, return_dict=True)
    dimmed = clean * 0.9
    assert results["psnr"] == pytest.approx(_numpy_mean(psnr, clean, dimmed), abs=1e-3)
    assert results["ssim"] == pytest.approx(_numpy_mean(ssim, clean, dimmed), abs=1e-4)


@pytest.mark.parametrize("metric_cls", [PSNR, SSIM])
def test_config_round_trip(metric_cls):
    metric = metric_cls(crop_border=4, y_channel=True, name="val_metric")
    restored = keras.metrics.deserialize(keras.metrics.serialize(metric))
    assert type(restored) is metric_cls
    assert restored.get_config() == metric.get_config()


def test_psnr_of_a_perfect_image_is_capped_not_inf(batch):
    clean, noisy = batch
    metric = PSNR(max_psnr=100.0)
    metric.update_state(clean[:1], clean[:1])
    assert float(metric.result()) == pytest.approx(100.0, abs=1e-3)
    metric.update_state(clean[1:], noisy[1:])
    expected = (100.0 + sum(psnr(c, n) for c, n in zip(clean[1:], noisy[1:]))) / 3
    assert float(metric.result()) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(
    "metric_cls, fn, tolerance", [(PSNR, psnr, 1e-3), (SSIM, ssim, 1e-4)]
)
def test_uint8_batches_are_on_the_0_255_scale(batch, metric_cls, fn, tolerance):
    # As the numpy functions: uint8 means 0-255, float means 0-1.
    clean, noisy = batch
    clean8 = np.round(clean * 255).astype(np.uint8)
    noisy8 = np.round(np.clip(noisy, 0, 1) * 255).astype(np.uint8)
    expected = _numpy_mean(fn, clean8, noisy8)
    for y_true, y_pred in [(clean8, noisy8), (clean8, noisy), (clean, noisy8)]:
        metric = metric_cls()
        metric.update_state(y_true, y_pred)
        assert float(metric.result()) == pytest.approx(expected, abs=tolerance)


@pytest.mark.parametrize("metric_cls", [PSNR, SSIM])
def test_other_integer_batches_raise(batch, metric_cls):
    clean, _ = batch
    wide = np.round(clean * 255).astype(np.int32)
    with pytest.raises(TypeError, match="y_pred"):
        metric_cls().update_state(clean, wide)
    with pytest.raises(TypeError, match="y_true"):
        metric_cls().update_state(wide, clean)


@pytest.mark.parametrize("metric_cls", [PSNR, SSIM])
@pytest.mark.parametrize("crop_border", [-2, 1.5, True, "2"])
def test_bad_crop_border_raises_in_the_constructor(metric_cls, crop_border):
    with pytest.raises(ValueError, match="crop_border"):
        metric_cls(crop_border=crop_border)


def test_crop_border_too_large_for_the_batch_raises(batch):
    clean, noisy = batch
    with pytest.raises(ValueError, match="crop_border"):
        PSNR(crop_border=12).update_state(clean, noisy)
    assert PSNR(crop_border=np.int64(2)).crop_border == 2
