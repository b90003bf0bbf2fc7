"""RandomJPEG: a per-sample JPEG round trip on keras.ops, checked against Pillow."""

import io

import keras
import numpy as np
import pytest
from PIL import Image

from zoo.data import RandomJPEG, load_natural_images
from zoo.data.random_jpeg import quantization_tables

pytestmark = pytest.mark.backend


def _images(shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


@pytest.fixture(scope="module")
def coffee():
    return load_natural_images("val")["coffee"][:64, :96]


def _pillow_jpeg(image, quality, subsampling=0):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality, subsampling=subsampling)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue()))).astype(np.float32) / 255


def _layer_jpeg(image, quality, **kwargs):
    x = image[None].astype(np.float32) / 255
    return keras.ops.convert_to_numpy(RandomJPEG((quality, quality), seed=0, **kwargs)(x))[0]


# Measured mean |layer - Pillow| (0-255 scale): 0.10 at q=30, 0.23 at 75, 0.21 at 95;
# libjpeg's integer DCT rounds differently.
@pytest.mark.parametrize("quality", [30, 75, 95])
def test_matches_pillow_jpeg_444(coffee, quality):
    out = _layer_jpeg(coffee, quality)
    reference = _pillow_jpeg(coffee, quality)
    assert np.abs(out - reference).mean() < 0.4 / 255
    if quality == 30:
        # Much closer to Pillow's JPEG than to the clean input.
        distortion = np.abs(out - coffee / 255).mean()
        assert distortion > 1.5 / 255
        assert np.abs(out - reference).mean() < 0.1 * distortion


def test_subsampled_chroma_is_close_to_pillow_420(coffee):
    # Pillow's decoder upsamples the chroma with a triangle filter, the layer
    # by repetition: looser. Measured 0.39/255.
    out = _layer_jpeg(coffee, 30, chroma_subsampling=True)
    reference = _pillow_jpeg(coffee, 30, subsampling=2)
    assert np.abs(out - reference).mean() < 0.8 / 255
    assert np.abs(out - reference).mean() < 0.25 * np.abs(out - coffee / 255).mean()
    assert np.abs(out - _layer_jpeg(coffee, 30)).mean() > 0.05 / 255  # not 4:4:4


def test_grayscale_matches_pillow(coffee):
    gray = np.asarray(Image.fromarray(coffee).convert("L"))
    out = _layer_jpeg(gray[..., None], 50)[..., 0]
    assert np.abs(out - _pillow_jpeg(gray, 50)).mean() < 0.4 / 255


def test_quantization_tables_follow_libjpeg():
    tables = keras.ops.convert_to_numpy(quantization_tables(np.array([50, 10, 95, 100, 1])))
    assert tables.shape == (5, 2, 64)
    assert tables[0, 0, 0] == 16 and tables[0, 1, 0] == 17  # q=50: the base tables
    assert tables[1, 0, 0] == 80  # q=10: scale 500
    assert tables[2, 0, 0] == 2  # q=95: scale 10, (160 + 50) // 100
    assert (tables[3] == 1).all() and (tables[4] == 255).all()


def test_odd_sizes_range_levels_and_seed():
    x = _images((3, 37, 53, 3))
    out = keras.ops.convert_to_numpy(RandomJPEG(seed=1)(x))
    assert out.shape == x.shape and out.dtype == np.float32
    assert out.min() >= 0.0 and out.max() <= 1.0
    np.testing.assert_allclose(out * 255, np.round(out * 255), atol=1e-3)  # uint8 levels
    again = keras.ops.convert_to_numpy(RandomJPEG(seed=1)(x))
    np.testing.assert_array_equal(again, out)
    subsampled = RandomJPEG(seed=1, chroma_subsampling=True)(x)
    assert tuple(subsampled.shape) == x.shape


def test_samples_get_different_qualities():
    layer = RandomJPEG(quality_range=(10, 95), seed=2)
    qualities = keras.ops.convert_to_numpy(layer.qualities(32))
    assert qualities.min() >= 10 and qualities.max() <= 95
    assert len(set(qualities.tolist())) > 10
    x = np.repeat(_images((1, 16, 16, 3), seed=3), 4, axis=0)
    out = keras.ops.convert_to_numpy(layer(x))
    assert len({o.tobytes() for o in out}) > 1


def test_runs_inside_a_compiled_model():
    model = keras.Sequential([keras.Input((20, 28, 3)), RandomJPEG((50, 50), seed=0)])
    x = _images((2, 20, 28, 3), seed=4)
    out = model.predict(x, verbose=0)
    eager = keras.ops.convert_to_numpy(RandomJPEG((50, 50), seed=0)(x))
    np.testing.assert_allclose(out, eager, atol=1.5 / 255)


def test_config_round_trip_and_bad_arguments():
    layer = RandomJPEG(quality_range=(40, 60), seed=5, chroma_subsampling=True)
    clone = keras.layers.deserialize(keras.layers.serialize(layer))
    assert isinstance(clone, RandomJPEG)
    assert clone.get_config() == layer.get_config()
    for quality_range in [(0, 50), (50, 101), (80, 40), (30,)]:
        with pytest.raises(ValueError, match="quality_range"):
            RandomJPEG(quality_range=quality_range)
    with pytest.raises(TypeError, match="quality_range"):
        RandomJPEG(quality_range=(30.5, 40))


def test_integer_or_odd_channel_images_name_the_argument():
    with pytest.raises(TypeError, match="`images` must be float"):
        RandomJPEG(seed=0)(np.full((1, 16, 16, 3), 128, np.uint8))
    with pytest.raises(ValueError, match="`images` must have 1 or 3 channels"):
        RandomJPEG(seed=0)(_images((1, 16, 16, 2)))


@pytest.mark.parametrize("degradation", ["jpeg", "low_light"])
def test_a_restorer_trains_with_it_on_the_fly(tiny_restorer, degradation):
    from zoo.data import RandomLowLight

    layer = RandomJPEG((10, 50), seed=0) if degradation == "jpeg" else RandomLowLight(seed=0)
    restorer = tiny_restorer(degradation=layer)
    before = [w.copy() for w in restorer.get_weights()]
    clean = np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32)
    history = restorer.fit(clean, batch_size=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    assert any(not np.array_equal(b, a) for b, a in zip(before, restorer.get_weights()))
