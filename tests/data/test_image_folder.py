import numpy as np
import pytest
from PIL import Image

from zoo.data import load_image_folder, read_image

RNG = np.random.default_rng(0)
GRAY = RNG.integers(0, 256, (6, 5), np.uint8)
RGB = RNG.integers(0, 256, (6, 5, 3), np.uint8)
RGBA = RNG.integers(0, 256, (6, 5, 4), np.uint8)


@pytest.fixture
def folder(tmp_path):
    Image.fromarray(GRAY).save(tmp_path / "a_gray.png")
    Image.fromarray(RGB).save(tmp_path / "b_rgb.BMP")
    Image.fromarray(RGBA).save(tmp_path / "c_rgba.png")
    Image.fromarray(RGB).save(tmp_path / "d_photo.jpg")
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "sub").mkdir()
    Image.fromarray(GRAY).save(tmp_path / "sub" / "e_nested.tif")
    Image.fromarray(RGB).save(tmp_path / "sub" / "f_nested.webp", lossless=True)
    return tmp_path


def test_load_image_folder(folder):
    gray, rgb, rgba, photo = load_image_folder(folder)
    np.testing.assert_array_equal(gray, GRAY)
    np.testing.assert_array_equal(rgb, RGB)
    np.testing.assert_array_equal(rgba, RGBA[..., :3])
    assert photo.shape == (6, 5, 3) and photo.dtype == np.uint8


def test_load_image_folder_recursive(folder):
    images = load_image_folder(str(folder), recursive=True)
    assert len(images) == 6
    np.testing.assert_array_equal(images[-2], GRAY)
    np.testing.assert_array_equal(images[-1], RGB)


def test_load_image_folder_errors(tmp_path):
    with pytest.raises(ValueError, match="path"):
        load_image_folder(tmp_path / "missing")
    (tmp_path / "notes.txt").write_text("not an image")
    with pytest.raises(ValueError, match="path"):
        load_image_folder(tmp_path)


def test_read_image_sources(folder):
    rgba = read_image(folder / "c_rgba.png")
    np.testing.assert_array_equal(rgba, RGBA)
    assert rgba.flags.writeable
    np.testing.assert_array_equal(read_image(str(folder / "a_gray.png")), GRAY)
    from_pil = read_image(Image.fromarray(RGBA), keep_alpha=False)
    np.testing.assert_array_equal(from_pil, RGBA[..., :3])
    assert read_image(RGB) is RGB
    np.testing.assert_array_equal(read_image(RGBA, keep_alpha=False), RGBA[..., :3])


def test_read_image_16_bit_png(tmp_path):
    Image.fromarray(np.array([[0, 256, 65535]], np.uint16)).save(tmp_path / "deep.png")
    np.testing.assert_array_equal(read_image(tmp_path / "deep.png"), [[0, 1, 255]])


def test_read_image_errors(tmp_path):
    with pytest.raises(TypeError, match="float32"):
        read_image(np.zeros((4, 4, 3), np.float32))
    with pytest.raises(TypeError, match="list"):
        read_image([[0, 1]])
    with pytest.raises(ValueError, match="HxWx3"):
        read_image(np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(ValueError, match="HxWx3"):
        read_image(np.zeros((1, 4, 4, 3), np.uint8))
    with pytest.raises(ValueError, match="image"):
        read_image(tmp_path / "missing.png")
    (tmp_path / "fake.png").write_text("not an image")
    with pytest.raises(ValueError, match="image"):
        read_image(tmp_path / "fake.png")


def test_read_image_16_bit_pgm_mode_i(tmp_path):
    # Pillow opens 16-bit PGM as mode "I": scaled like "I;16", not clipped at 255.
    deep = (np.arange(256).reshape(16, 16) * 256).astype(np.uint16)
    Image.fromarray(deep).save(tmp_path / "deep.pgm")
    assert Image.open(tmp_path / "deep.pgm").mode == "I"
    np.testing.assert_array_equal(read_image(tmp_path / "deep.pgm"), deep >> 8)


def test_read_image_32_bit_int_uses_the_int32_range():
    values = np.array([[0, 2**23, 2**31 - 1]], np.int32)
    np.testing.assert_array_equal(read_image(Image.fromarray(values, "I")), [[0, 1, 255]])
    with pytest.raises(ValueError, match="negative"):
        read_image(Image.fromarray(np.array([[-1, 5]], np.int32), "I"))


def test_read_image_float_tiff(tmp_path):
    values = np.array([[0.0, 0.5, 1.0, 0.2]], np.float32)
    Image.fromarray(values).save(tmp_path / "float.tif")
    np.testing.assert_array_equal(read_image(tmp_path / "float.tif"), [[0, 128, 255, 51]])
    Image.fromarray(values * 255).save(tmp_path / "wide.tif")
    with pytest.raises(ValueError, match="wide.tif"):
        read_image(tmp_path / "wide.tif")


def test_read_image_truncated_file(tmp_path):
    Image.fromarray(RGB).save(tmp_path / "whole.png")
    data = (tmp_path / "whole.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="cut.png"):
        read_image(tmp_path / "cut.png")
    with pytest.raises(ValueError, match="cut.png"):
        load_image_folder(tmp_path)
