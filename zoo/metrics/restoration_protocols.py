"""The val-split protocols behind every restoration number zoo reports."""

import numpy as np

from zoo.metrics.peak_signal_noise_ratio import psnr
from zoo.metrics.structural_similarity import ssim


def denoising_scores(restore, images, sigmas=(15, 25, 50)):
    """PSNR/SSIM of a denoiser with the DESIGN.md denoising protocol.

    Noise is added in float with `np.random.default_rng(0)` per image, the
    noisy input is not clipped, and scores use all channels, no border crop.
    Grayscale images are denoised as grayscale (`restore` receives `HxW`).

    Args:
        restore: maps a float32 image in [0, 1] (`HxW` or `HxWx3`, unclipped)
            to a uint8 or float image of the same layout.
        images: `{name: uint8 image}`, e.g. `load_natural_images("val")`.
        sigmas: noise levels on the 0–255 scale.

    Returns:
        `{f"sigma{s}": {name: {"psnr": p, "ssim": q}, ..., "mean_psnr": m}}`.
    """
    # Imported here: zoo.data pulls in keras, which metrics users may not need.
    from zoo.data.degradations import add_gaussian_noise

    results = {}
    for sigma in sigmas:
        scores = {}
        for name, clean in images.items():
            noisy = add_gaussian_noise(clean, sigma, seed=0)
            restored = restore(noisy.astype(np.float32))
            scores[name] = {
                "psnr": round(psnr(clean, restored), 3),
                "ssim": round(ssim(clean, restored), 4),
            }
        scores["mean_psnr"] = round(
            float(np.mean([s["psnr"] for s in scores.values()])), 3
        )
        results[f"sigma{sigma}"] = scores
    return results
