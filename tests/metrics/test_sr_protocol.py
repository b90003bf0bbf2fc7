"""super_resolution_scores: the DESIGN.md protocol reproduces the bicubic baselines."""

import numpy as np
import pytest
from PIL import Image

from zoo.data import load_natural_images, load_val_baselines
from zoo.metrics.restoration_protocols import super_resolution_scores


def pillow_bicubic(scale):
    def restore(low):
        height, width = low.shape[:2]
        return np.asarray(Image.fromarray(low).resize((width * scale, height * scale), Image.BICUBIC))

    return restore


@pytest.mark.parametrize("scale", [2, 4])
def test_bicubic_reproduces_val_baselines(scale):
    images = load_natural_images("val")
    assert images["camera"].ndim == 2  # gray images are scored as gray
    scores = super_resolution_scores(pillow_bicubic(scale), images, scale)
    baseline = load_val_baselines()[f"sr_x{scale}_bicubic_y"]
    for name, psnr in baseline.items():
        assert round(scores[name]["psnr"], 2) == psnr, name
        assert 0.5 < scores[name]["ssim"] < 1
    assert scores["mean_psnr"] == pytest.approx(np.mean([scores[n]["psnr"] for n in baseline]), abs=1e-3)


def test_restore_of_wrong_size_and_bad_scale_raise():
    images = {"small": np.zeros((40, 44, 3), np.uint8)}
    with pytest.raises(ValueError, match="times larger"):
        super_resolution_scores(lambda low: low, images, 2)
    with pytest.raises(ValueError, match="scale"):
        super_resolution_scores(pillow_bicubic(5), images, 5)
