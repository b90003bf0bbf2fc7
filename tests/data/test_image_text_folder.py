import json

import numpy as np
import pytest
from PIL import Image

from zoo.data.image_text_folder import image_text_folder

RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, (6, 5, 3), np.uint8)
GRAY = RNG.integers(0, 256, (4, 7), np.uint8)
RGBA = RNG.integers(0, 256, (8, 8, 4), np.uint8)


def _write_metadata(folder, records):
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    (folder / "metadata.jsonl").write_text("\n".join(lines) + "\n")


@pytest.fixture
def folder(tmp_path):
    Image.fromarray(RGB).save(tmp_path / "b.png")
    Image.fromarray(GRAY).save(tmp_path / "a.png")
    (tmp_path / "sub").mkdir()
    Image.fromarray(RGBA).save(tmp_path / "sub" / "c.png")
    _write_metadata(tmp_path, [
        {"file_name": "b.png", "text": "a red circle", "extra": 1},
        "",
        {"file_name": "a.png", "text": "a gray square"},
        {"file_name": "sub/c.png", "text": "noise"},
    ])
    return tmp_path


def test_image_text_folder(folder):
    images, texts = image_text_folder(folder)
    assert texts == ["a red circle", "a gray square", "noise"]
    np.testing.assert_array_equal(images[0], RGB)
    np.testing.assert_array_equal(images[1], np.repeat(GRAY[..., None], 3, -1))
    np.testing.assert_array_equal(images[2], RGBA[..., :3])


def test_image_text_folder_resized(folder):
    images, texts = image_text_folder(str(folder), image_size=16)
    assert images.shape == (3, 16, 16, 3) and images.dtype == np.uint8
    images, _ = image_text_folder(folder, image_size=(8, 12))
    assert images.shape == (3, 8, 12, 3)
    resized = np.asarray(Image.fromarray(RGB).resize((12, 8), Image.BICUBIC))
    np.testing.assert_array_equal(images[0], resized)


def test_image_text_folder_errors(tmp_path):
    with pytest.raises(ValueError, match="path"):
        image_text_folder(tmp_path / "missing")
    with pytest.raises(ValueError, match="metadata.jsonl"):
        image_text_folder(tmp_path)
    Image.fromarray(RGB).save(tmp_path / "a.png")
    _write_metadata(tmp_path, [{"file_name": "a.png", "text": "ok"}, "{not json"])
    with pytest.raises(ValueError, match="line 2"):
        image_text_folder(tmp_path)
    _write_metadata(tmp_path, [{"file_name": "a.png"}])
    with pytest.raises(ValueError, match="text.*line 1"):
        image_text_folder(tmp_path)
    _write_metadata(tmp_path, [{"file_name": "a.png", "text": "ok"},
                               {"file_name": "gone.png", "text": "?"}])
    with pytest.raises(ValueError, match="gone.png.*line 2"):
        image_text_folder(tmp_path)
    _write_metadata(tmp_path, [""])
    with pytest.raises(ValueError, match="empty"):
        image_text_folder(tmp_path)
    _write_metadata(tmp_path, ["[1, 2]"])
    with pytest.raises(ValueError, match="JSON object on line 1"):
        image_text_folder(tmp_path)
    _write_metadata(tmp_path, [{"file_name": "a.png", "text": "ok"}])
    with pytest.raises(ValueError, match="image_size"):
        image_text_folder(tmp_path, image_size=0)


def test_image_text_folder_reads_metadata_with_a_bom(tmp_path):
    # Windows editors (Notepad) save UTF-8 with a byte-order mark.
    Image.fromarray(RGB).save(tmp_path / "b.png")
    line = json.dumps({"file_name": "b.png", "text": "un cercle rouge é"}, ensure_ascii=False)
    (tmp_path / "metadata.jsonl").write_bytes(b"\xef\xbb\xbf" + (line + "\n").encode("utf-8"))
    images, texts = image_text_folder(tmp_path)
    assert texts == ["un cercle rouge é"]
    np.testing.assert_array_equal(images[0], RGB)


def test_captions_may_hold_unicode_line_separators_and_crlf(tmp_path):
    # Legal inside JSON strings; str.splitlines would cut the record there.
    Image.fromarray(RGB).save(tmp_path / "b.png")
    Image.fromarray(GRAY).save(tmp_path / "a.png")
    captions = ["a red circle\u2028on the left", "café\x85crème square"]
    lines = [json.dumps({"file_name": name, "text": text}, ensure_ascii=False)
             for name, text in zip(("b.png", "a.png"), captions)]
    (tmp_path / "metadata.jsonl").write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))
    assert image_text_folder(tmp_path)[1] == captions


def test_a_bool_image_size_is_refused(folder):
    with pytest.raises(ValueError, match="`image_size`"):
        image_text_folder(folder, image_size=True)
