"""Rebuilds the `inpaint_unet` preset from scratch.

Free-form inpainting: a U-Net of gated convolutions (width 24, 3 levels,
dilated context convs, about 4M parameters) trained on random patches of the natural-image
*train* split with free-form masks (4-10 strokes, 15-50% of the patch, in
the manner of DeepFill v2) from `InpaintBatches`: a seeded bank of 2048,
each reused under random flips/rotations (drawing fresh ones is too slow
to feed a GPU);
L1 loss weighted 6 in the hole and 1 outside, Adam with cosine decay. Known
pixels pass through unchanged. Val PSNR/SSIM on the benchmark's seeded
masks (about 25%) and the OpenCV Telea baseline on the same masks go into
the preset's metadata.json.

GPU:
    KERAS_BACKEND=jax python examples/recipes/inpaint_unet.py --mixed-precision --time-budget 420
CPU smoke test:
    python examples/recipes/inpaint_unet.py --steps 4 --batch-size 2 --patch-size 64 --output /tmp/x
"""

import json

from _recipe import fit_in_budget, parse_args, save, save_float32

from zoo.data import InpaintBatches, load_natural_images, load_val_baselines
from zoo.metrics.restoration_protocols import inpainting_scores, telea_inpaint
from zoo.models import InpaintUNetBackbone, InpaintUNetInpainter

PRESET = "inpaint_unet"


def build(width):
    return InpaintUNetInpainter(
        backbone=InpaintUNetBackbone(width=width, depth=3, dilations=(2, 4, 8))
    )


def add_arguments(parser):
    parser.add_argument("--width", type=int, default=24)
    parser.add_argument("--mask-bank", type=int, default=2048,
                        help="masks drawn once and reused under flips/rotations "
                             "(0: draw every mask fresh, slow)")


def main():
    args = parse_args(
        PRESET, __doc__, batch_size=16, patch_size=128, learning_rate=1e-3,
        extra=add_arguments,
    )
    batches = InpaintBatches(
        load_natural_images("train"), args.patch_size, args.batch_size, 500,
        seed=args.seed, workers=4, mask_bank_size=args.mask_bank or None,
    )
    # The hole weighting (6 inside, 1 outside) comes from the task.
    inpainter, steps, seconds = fit_in_budget(lambda: build(args.width), batches, args)
    final = save_float32(inpainter, args, "inpaint")
    val = load_natural_images("val")
    metrics = inpainting_scores(final.restore, val)
    metrics["baseline_splits_json"] = load_val_baselines()["inpaint_freeform25_cv2_telea"]
    try:  # Telea on the same seeded masks (needs opencv)
        metrics["baseline_this_protocol"] = inpainting_scores(telea_inpaint, val)
    except ImportError:
        pass
    save(
        final, args, PRESET, "inpaint", steps=steps, seconds=seconds,
        description=(
            f"Free-form inpainting, gated-conv U-Net (width {args.width}, 3 levels); "
            "known pixels pass through unchanged."
        ),
        data=(
            f"natural-image train split (shared/data/splits.json), random {args.patch_size}x"
            f"{args.patch_size} patches, dihedral augmentation, free-form masks 15-50%"
        ),
        metrics={"val": metrics, "protocol": "zoo.data.protocol_masks(seed=0), about 25% free-form; PSNR/SSIM on the whole image, all channels; baseline: cv2.inpaint Telea radius 5"},
    )
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
