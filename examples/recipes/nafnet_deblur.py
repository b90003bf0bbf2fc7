"""Rebuilds the `nafnet_deblur` preset from scratch.

A blind deblurrer: NAFNet (width 32, 3 levels of 2 blocks, 4 middle
blocks, 2.8M parameters) trained on random patches of
the natural-image *train* split, each blurred inside the model by
`RandomBlur` (a random Gaussian, possibly elliptical, or a random linear
motion kernel per patch, then noise of sigma 0-3 on the 0-255 scale), L1
loss, Adam with cosine decay. The network never sees the benchmark's two
kernels in training and is never told the kernel. Val PSNR/SSIM with the
splits.json "deblur_protocol" (Gaussian sigma 2, motion 11 px at 30
degrees), the splits.json baselines and the Wiener baseline measured on
this repo's protocol go into the preset's metadata.json.

GPU:
    KERAS_BACKEND=jax python examples/recipes/nafnet_deblur.py --mixed-precision --time-budget 420
The shipped preset: `train_all_gpu.sh` on one H100 (`--mixed-precision
--batch-size 32 --time-budget 250 --max-minutes 5`, 4000 steps in 180 s);
its evaluation ran past the device call's limit, so the trained weights
were evaluated and saved here with `--trained DIR --steps 4000
--train-seconds 180 --train-backend jax` (the command in its metadata).
CPU smoke test:
    python examples/recipes/nafnet_deblur.py --steps 4 --batch-size 2 --patch-size 64 --output /tmp/x
"""

import json

from _recipe import fit_in_budget, parse_args, save, save_float32

from zoo.data import PatchBatches, RandomBlur, load_natural_images, load_val_baselines
from zoo.metrics.restoration_protocols import deblur_scores, wiener_deblur_scores
from zoo.models import NAFNetBackbone, NAFNetImageRestorer

PRESET = "nafnet_deblur"


def build(seed, width):
    return NAFNetImageRestorer(
        backbone=NAFNetBackbone(
            width=width, enc_blocks=[2, 2, 2], middle_blocks=4, dec_blocks=[2, 2, 2]
        ),
        # The blur runs in float32 even under mixed precision.
        degradation=RandomBlur(seed=seed, dtype="float32"),
    )


def main():
    args = parse_args(
        PRESET, __doc__, batch_size=16, patch_size=128, learning_rate=1e-3,
        extra=lambda parser: parser.add_argument("--width", type=int, default=32),
    )
    batches = PatchBatches(
        load_natural_images("train"), args.patch_size, args.batch_size, 500,
        seed=args.seed, workers=4,
    )
    restorer, steps, seconds = fit_in_budget(
        lambda: build(args.seed, args.width), batches, args
    )
    final = save_float32(restorer, args, "deblur")
    val = load_natural_images("val")
    metrics = deblur_scores(final.restore, val)
    baselines = load_val_baselines()
    metrics["baseline_splits_json"] = {
        kind: {k: v for k, v in baselines[f"deblur_best_classical_{kind}"].items() if k != "about"}
        for kind in ("gauss2", "motion11")
    }
    try:  # the same baseline measured on this repo's protocol (needs scikit-image)
        metrics["baseline_this_protocol"] = wiener_deblur_scores(val)
    except ImportError:
        pass
    save(
        final, args, PRESET, "deblur", steps=steps, seconds=seconds,
        description=(
            "Blind deblurring (Gaussian and linear motion blur, mild noise), "
            f"NAFNet width {args.width}; not told the kernel."
        ),
        data=(
            f"natural-image train split (shared/data/splits.json), random {args.patch_size}x"
            f"{args.patch_size} patches, dihedral augmentation, RandomBlur on the fly"
        ),
        metrics={"val": metrics, "protocol": "splits.json deblur_protocol (zoo.data.blur_protocol), PSNR/SSIM on all channels, no crop; baseline: best of blurred input and Wiener given the true kernel"},
    )
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
