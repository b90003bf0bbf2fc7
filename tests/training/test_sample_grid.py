"""SampleGrid and image_grid: PNG grids of samples with their prompts."""

import numpy as np
import pytest
from PIL import Image

from zoo.training import SampleGrid, image_grid


class StubGenerator:
    """Stands in for a text-to-image model: one flat colour per prompt."""

    def __init__(self):
        self.calls = []

    def generate(self, prompts, seed=None):
        self.calls.append((list(prompts), seed))
        return np.stack(
            [np.full((8, 8, 3), 40 * (i + 1), np.uint8) for i in range(len(prompts))]
        )


def test_image_grid_layout_and_text():
    images = np.stack([np.full((8, 8, 3), 200, np.uint8)] * 3)
    prompts = ["red", "a very long prompt " * 6, "supercalifragilisticexpialidocious" * 2]
    grid = image_grid(images, prompts, columns=2, scale=3)
    assert grid.dtype == np.uint8 and grid.ndim == 3 and grid.shape[-1] == 3
    assert grid.shape[1] == 2 * 24 + 3 * 4  # two columns of 24 px, padding 4
    assert grid.shape[0] > 2 * 24  # two rows, with room for text
    assert (grid < 100).any()  # some text was drawn (black on white)
    with pytest.raises(ValueError, match="prompts"):
        image_grid(images, prompts[:2])
    with pytest.raises(ValueError, match="images"):
        image_grid(images.astype(np.float32), prompts)


def test_writes_a_png_per_period_and_at_the_end(tmp_path):
    model = StubGenerator()
    callback = SampleGrid(["a red circle", "a blue square"], tmp_path / "grids", seed=5, every=2)
    callback.set_model(model)
    for epoch in range(3):
        callback.on_epoch_end(epoch)
    callback.on_train_end()
    names = [p.rsplit("/", 1)[-1] for p in callback.paths]
    assert names == ["epoch_002.png", "epoch_003.png"]
    assert all(call == (["a red circle", "a blue square"], 5) for call in model.calls)
    image = Image.open(callback.paths[0])
    assert image.mode == "RGB" and image.width == 2 * 16 + 3 * 4


def test_arguments(tmp_path):
    with pytest.raises(ValueError, match="prompts"):
        SampleGrid([], tmp_path)
    with pytest.raises(ValueError, match="prompts"):
        SampleGrid("a red circle", tmp_path)
    with pytest.raises(ValueError, match="every"):
        SampleGrid(["x"], tmp_path, every=0)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(filename="e{step}.png"), ValueError, "filename"),
    (dict(filename="e{0}.png"), ValueError, "filename"),
    (dict(filename="e{epoch:s}.png"), ValueError, "filename"),
    (dict(filename=None), TypeError, "filename"),
    (dict(scale=0), ValueError, "scale"),
    (dict(scale=1.5), TypeError, "scale"),
    (dict(columns=-1), ValueError, "columns"),
])
def test_arguments_are_checked_before_training(tmp_path, kwargs, error, name):
    with pytest.raises(error, match=name):
        SampleGrid(["x"], tmp_path, **kwargs)


def test_filename_may_name_a_subdirectory(tmp_path):
    callback = SampleGrid(["x"], tmp_path / "grids", filename="sub/e{epoch}.png")
    callback.set_model(StubGenerator())
    callback.on_epoch_end(0)
    assert callback.paths == [str(tmp_path / "grids" / "sub" / "e1.png")]
    assert Image.open(callback.paths[0]).mode == "RGB"


def test_image_grid_checks_its_arguments():
    images = np.zeros((2, 8, 8, 3), np.uint8)
    prompts = ["a", "b"]
    for kwargs, error, name in [
        (dict(text_lines=0), ValueError, "text_lines"),
        (dict(columns=-1), ValueError, "columns"),
        (dict(columns=0), ValueError, "columns"),
        (dict(scale=0), ValueError, "scale"),
        (dict(padding=-1), ValueError, "padding"),
    ]:
        with pytest.raises(error, match=name):
            image_grid(images, prompts, **kwargs)
    with pytest.raises(TypeError, match="prompts"):
        image_grid(images, [1, 2])
    with pytest.raises(TypeError, match="prompts"):
        image_grid(images[:1], "a")
