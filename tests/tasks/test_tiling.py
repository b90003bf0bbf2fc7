"""tiled_apply: exact reassembly, scale, multiples, receptive fields, large images."""

import numpy as np
import pytest

from zoo.tasks.tiling import tiled_apply

SIZES = [(1, 1), (5, 7), (37, 53), (97, 131), (64, 64), (65, 200)]
TILINGS = [(8, 2), (16, 3), (32, 0), (32, 15), (19, 4), (512, 32)]


def _image(height, width, channels=3, seed=0):
    return np.random.default_rng(seed).random((height, width, channels), dtype=np.float32)


class Recorder:
    """Wraps a batch fn and records the batch shapes it was called with."""

    def __init__(self, fn):
        self.fn = fn
        self.shapes = []

    def __call__(self, batch):
        assert batch.ndim == 4 and batch.dtype == np.float32
        self.shapes.append(batch.shape)
        return self.fn(batch)


def identity(batch):
    return batch.copy()


def upsample2(batch):
    return np.repeat(np.repeat(batch, 2, axis=1), 2, axis=2)


def blur(batch, times):
    """`times` 3x3 box blurs with zero padding: receptive radius `times`."""
    out = batch.astype(np.float32)
    for _ in range(times):
        padded = np.pad(out, ((0, 0), (1, 1), (1, 1), (0, 0)))
        h, w = out.shape[1:3]
        out = sum(
            padded[:, dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)
        ) / np.float32(9)
    return out


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tile_size, overlap", TILINGS)
def test_identity_scale_1_is_exact(size, tile_size, overlap):
    image = _image(*size)
    fn = Recorder(identity)
    out = tiled_apply(fn, image, tile_size=tile_size, overlap=overlap, batch_size=3)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, image)
    # One tile shape for the whole image (a compiled fn traces once), bounded.
    assert len({s[1:] for s in fn.shapes}) == 1
    assert all(s[0] <= 3 and s[1] <= tile_size and s[2] <= tile_size for s in fn.shapes)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tile_size, overlap", [(8, 2), (16, 3), (19, 4), (40, 0)])
def test_nearest_upsampling_scale_2_is_exact(size, tile_size, overlap):
    image = _image(*size, channels=2)
    out = tiled_apply(upsample2, image, scale=2, tile_size=tile_size, overlap=overlap)
    expected = np.repeat(np.repeat(image, 2, axis=0), 2, axis=1)
    assert out.shape == (size[0] * 2, size[1] * 2, 2)
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("multiple", [2, 4, 8])
@pytest.mark.parametrize("size", [(5, 7), (37, 53), (97, 131)])
def test_multiple_pads_and_crops(multiple, size):
    image = _image(*size)

    def fn(batch):
        assert batch.shape[1] % multiple == 0 and batch.shape[2] % multiple == 0
        return batch[..., :1] * 2.0  # fewer output channels

    out = tiled_apply(fn, image, multiple=multiple, tile_size=30, overlap=4)
    np.testing.assert_allclose(out, image[..., :1] * 2.0, rtol=0, atol=0)


@pytest.mark.parametrize("radius, overlap", [(1, 1), (3, 3), (3, 5), (4, 6)])
@pytest.mark.parametrize("tile_size", [16, 23, 32])
def test_equals_whole_image_when_overlap_covers_receptive_field(radius, overlap, tile_size):
    image = _image(41, 57, seed=1)
    whole = blur(image[None], radius)[0]
    out = tiled_apply(lambda b: blur(b, radius), image, tile_size=tile_size, overlap=overlap)
    np.testing.assert_allclose(out, whole, rtol=0, atol=1e-6)


def test_too_little_overlap_shows_seams():
    image = _image(41, 57, seed=1)
    whole = blur(image[None], 3)[0]
    out = tiled_apply(lambda b: blur(b, 3), image, tile_size=16, overlap=1)
    assert np.abs(out - whole).max() > 1e-3


@pytest.mark.parametrize("tile_size, overlap", [(16, 8), (10, 8), (4, 2), (0, 0)])
@pytest.mark.parametrize("size", [(100, 100), (3, 3)])
def test_tile_not_larger_than_twice_overlap_raises(tile_size, overlap, size):
    with pytest.raises(ValueError, match="tile_size"):
        tiled_apply(identity, _image(*size), tile_size=tile_size, overlap=overlap)


def test_progress_bar_runs():
    image = _image(40, 40)
    out = tiled_apply(identity, image, tile_size=16, overlap=2, progress=True)
    np.testing.assert_array_equal(out, image)


def test_large_image_identity_bounded_tiles():
    image = np.zeros((4000, 3000, 3), np.float32)
    image[::7, ::5, 0] = 1.0
    image[123, 2999, 2] = 0.5
    fn = Recorder(identity)
    out = tiled_apply(fn, image, tile_size=512, overlap=32, batch_size=4)
    assert out.shape == (4000, 3000, 3)
    # Memory is bounded by the batch of tiles, never the whole image.
    assert max(s[0] for s in fn.shapes) <= 4
    assert {s[1:] for s in fn.shapes} == {(512, 512, 3)}
    np.testing.assert_array_equal(out, image)


@pytest.mark.backend  # about 5 s on this CPU: not `slow`
def test_tiny_dncnn_restores_4000x3000(tiny_restorer):
    restorer = tiny_restorer(depth=2, filters=4, tile_size=512, tile_overlap=8)
    calls = []
    predict = restorer.predict_on_batch

    def spy(batch):
        calls.append(batch.shape)
        return predict(batch)

    restorer.predict_on_batch = spy
    image = np.random.default_rng(0).integers(0, 256, (4000, 3000, 3), dtype=np.uint8)
    out = restorer.restore(image, batch_size=4)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert {c[1:] for c in calls} == {(512, 512, 3)}
    assert max(c[0] for c in calls) <= 4


@pytest.mark.parametrize(
    "kwargs, error, words",
    [
        ({"batch_size": 0}, ValueError, "`batch_size` must be an int >= 1"),
        ({"batch_size": -1}, ValueError, "`batch_size` must be an int >= 1"),
        ({"batch_size": 2.5}, TypeError, "`batch_size` must be an int"),
        ({"batch_size": True}, TypeError, "`batch_size` must be an int"),
        ({"tile_size": 0}, ValueError, "`tile_size` must be an int >= 1"),
        ({"tile_size": 16.0}, TypeError, "`tile_size` must be an int"),
        ({"overlap": -4}, ValueError, "`overlap` must be an int >= 0"),
        ({"tile_size": 16, "overlap": 8}, ValueError, "smaller `overlap`"),
    ],
)
def test_bad_tiling_arguments_raise(kwargs, error, words):
    # A large image, so that every argument is used.
    with pytest.raises(error, match=words):
        tiled_apply(identity, _image(100, 100), **{"tile_size": 32, "overlap": 4, **kwargs})
