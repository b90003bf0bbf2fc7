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


def super_resolution_scores(restore, images, scale):
    """Y-PSNR/SSIM of an upscaler with the DESIGN.md super-resolution protocol.

    Each image is cropped to a multiple of `scale` (the high-res reference),
    reduced by Pillow's antialiased `BICUBIC` to the uint8 low-res input, and
    upscaled by `restore`; PSNR and SSIM are taken on the BT.601 Y channel
    (grayscale images as they are) with `scale` pixels cropped at each border.

    Args:
        restore: maps a uint8 low-res image (`HxW` or `HxWx3`) to a uint8 (or
            float in [0, 1]) image `scale` times larger, same layout.
        images: `{name: uint8 image}`, e.g. `load_natural_images("val")`.
        scale: 2, 3 or 4.

    Returns:
        `{name: {"psnr": p, "ssim": q}, ..., "mean_psnr": m}`.

    Example:
    ```python
    upscaler = zoo.from_preset("edsr_x2")
    super_resolution_scores(upscaler.restore, load_natural_images("val"), 2)
    ```
    """
    # Imported here: zoo.data pulls in keras, which metrics users may not need.
    from zoo.data.degradations import bicubic_downsample_pil, modcrop

    scores = {}
    for name, image in images.items():
        low = bicubic_downsample_pil(image, scale)  # checks `scale`
        high = modcrop(image, scale)
        restored = np.asarray(restore(low))
        if restored.shape != high.shape:
            raise ValueError(
                f"`restore` must return an image `scale`={scale} times larger: "
                f"expected shape {high.shape} for {name!r}, got {restored.shape}."
            )
        scores[name] = {
            "psnr": round(psnr(high, restored, crop_border=scale, y_channel=True), 3),
            "ssim": round(ssim(high, restored, crop_border=scale, y_channel=True), 4),
        }
    scores["mean_psnr"] = round(float(np.mean([s["psnr"] for s in scores.values()])), 3)
    return scores


def _scores(pairs):
    """`{name: {"psnr", "ssim"}, "mean_psnr"}` from `{name: (clean, restored)}`."""
    scores = {
        name: {"psnr": round(psnr(clean, out), 3), "ssim": round(ssim(clean, out), 4)}
        for name, (clean, out) in pairs.items()
    }
    scores["mean_psnr"] = round(float(np.mean([s["psnr"] for s in scores.values()])), 3)
    return scores


def deblur_scores(restore, images, kinds=("gauss2", "motion11")):
    """PSNR/SSIM of a deblurrer with splits.json's "deblur_protocol".

    Each image is blurred by `zoo.data.blur_protocol` (15×15 Gaussian sigma
    2.0, or motion of length 11 at 30 degrees; reflect padding; noise sigma 2
    from `np.random.default_rng(0)`; clipped) and restored; scores use all
    channels, no border crop. The splits.json baselines are
    `load_val_baselines()["deblur_best_classical_gauss2"]` / `..._motion11"]`.

    Args:
        restore: maps a float32 image in [0, 1] (`HxW` or `HxWx3`) to a uint8
            or float image of the same layout (the model is not told the kernel).
        images: `{name: uint8 image}`, e.g. `load_natural_images("val")`.
        kinds: protocol kernels to score.

    Returns:
        `{kind: {name: {"psnr": p, "ssim": q}, ..., "mean_psnr": m}}`.

    Example:
    ```python
    deblur_scores(zoo.from_preset("nafnet_deblur").restore, load_natural_images("val"))
    ```
    """
    from zoo.data.blur_kernels import blur_protocol

    return {
        kind: _scores(
            {name: (clean, restore(blur_protocol(clean, kind))) for name, clean in images.items()}
        )
        for kind in kinds
    }


def wiener_deblur_scores(images, kinds=("gauss2", "motion11"), balances=None):
    """The classical deblurring baseline on this protocol, measured here.

    Best of the blurred input and scikit-image's Wiener deconvolution *given
    the true kernel*, over `balances` (default 41 values from 1e-4 to 1),
    per image: splits.json's definition. Needs scikit-image.

    Returns:
        `{kind: {name: {"psnr", "ssim", "balance"}, ..., "mean_psnr": m}}`
        (`balance` None where the blurred input wins).

    Example:
    ```python
    wiener_deblur_scores(load_natural_images("val"))["gauss2"]["camera"]["psnr"]
    ```
    """
    from skimage.restoration import wiener

    from zoo.data.blur_kernels import blur_protocol, protocol_kernel

    balances = np.geomspace(1e-4, 1.0, 41) if balances is None else balances
    results = {}
    for kind in kinds:
        kernel = protocol_kernel(kind)
        scores = {}
        for name, clean in images.items():
            blurred = blur_protocol(clean, kind)
            best = (psnr(clean, blurred), blurred, None)
            channels = blurred[..., None] if blurred.ndim == 2 else blurred
            for balance in balances:
                out = np.stack(
                    [wiener(channels[..., c], kernel, balance) for c in range(channels.shape[-1])],
                    axis=-1,
                ).reshape(blurred.shape)
                out = np.clip(out, 0.0, 1.0)
                score = psnr(clean, out)
                if score > best[0]:
                    best = (score, out, float(balance))
            scores[name] = {
                "psnr": round(best[0], 3),
                "ssim": round(ssim(clean, best[1]), 4),
                "balance": best[2],
            }
        scores["mean_psnr"] = round(float(np.mean([s["psnr"] for s in scores.values()])), 3)
        results[kind] = scores
    return results


def inpainting_scores(restore, images, seed=0):
    """PSNR/SSIM of an inpainter on the benchmark's seeded free-form masks.

    Masks come from `zoo.data.protocol_masks(images, seed)` (about 25% of
    each image). `restore` gets the uint8 image with the missing pixels set
    to 0 and the float32 `HxW` mask (1 = missing); PSNR and SSIM are taken on
    the whole image, all channels (DESIGN.md).

    Args:
        restore: `restore(image_uint8, mask) -> uint8 image`, e.g.
            `inpainter.restore` or `telea_inpaint`.
        images: `{name: uint8 image}`, e.g. `load_natural_images("val")`.
        seed: the mask protocol's seed.

    Returns:
        `{name: {"psnr": p, "ssim": q}, ..., "mean_psnr": m}`.

    Example:
    ```python
    inpainting_scores(inpainter.restore, load_natural_images("val"))
    ```
    """
    from zoo.data.masks import protocol_masks

    masks = protocol_masks(images, seed)
    pairs = {}
    for name, clean in images.items():
        hole = masks[name] > 0
        holed = np.where(hole if clean.ndim == 2 else hole[..., None], 0, clean).astype(np.uint8)
        pairs[name] = (clean, np.asarray(restore(holed, masks[name])))
    return _scores(pairs)


def telea_inpaint(image, mask, radius=5):
    """The classical inpainting baseline: OpenCV Telea (`cv2.inpaint`, radius 5).

    Example:
    >>> inpainting_scores(telea_inpaint, load_natural_images("val"))
    """
    import cv2

    return cv2.inpaint(image, (np.asarray(mask) > 0).astype(np.uint8) * 255, radius,
                       cv2.INPAINT_TELEA)
