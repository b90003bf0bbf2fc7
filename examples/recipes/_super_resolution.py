"""The training loop shared by the super-resolution recipes (`espcn_x*.py`, `edsr_x*.py`).

Trains an upscaler on random high-res patches of the natural-image *train*
split; the restorer's `BicubicDownsample(scale)` degradation makes the
low-res inputs inside the model (Pillow's bicubic, as the benchmark), L1
loss, Adam with cosine decay. Then saves the preset with its val Y-PSNR/SSIM
(DESIGN.md super-resolution protocol) and the bicubic baseline beside it.
"""

import json

from _recipe import fit_in_budget, parse_args, save, save_float32

from zoo.data import PatchBatches, load_natural_images, load_val_baselines
from zoo.metrics.restoration_protocols import super_resolution_scores


def train_preset(preset, build, scale, description, doc, *, batch_size,
                 patch_size, learning_rate):
    """Trains `build()` on train-split HR patches, saves `presets/<preset>`."""
    args = parse_args(preset, doc, batch_size=batch_size, patch_size=patch_size,
                      learning_rate=learning_rate)
    if args.patch_size % scale:
        raise SystemExit(f"--patch-size must be a multiple of the scale ({scale}).")
    batches = PatchBatches(
        load_natural_images("train"), args.patch_size, args.batch_size, 500,
        seed=args.seed, workers=4,
    )
    restorer, steps, seconds = fit_in_budget(build, batches, args)
    final = save_float32(restorer, args, "super_resolution")
    scores = super_resolution_scores(final.restore, load_natural_images("val"), scale)
    metrics = {
        "val": scores,
        "protocol": (
            f"DESIGN.md super-resolution x{scale}: HR cropped to a multiple of "
            f"{scale}, LR by Pillow BICUBIC, Y-channel PSNR/SSIM, border {scale}"
        ),
    }
    baseline = load_val_baselines().get(f"sr_x{scale}_bicubic_y")
    if baseline:
        metrics["bicubic_psnr"] = baseline
    save(
        final, args, preset, "super_resolution", steps=steps, seconds=seconds,
        description=description,
        data=(
            f"natural-image train split (shared/data/splits.json), random "
            f"{args.patch_size}x{args.patch_size} HR patches, dihedral "
            f"augmentation, LR by BicubicDownsample({scale})"
        ),
        metrics=metrics,
    )
    print(json.dumps(metrics, indent=2))
