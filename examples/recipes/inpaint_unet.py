"""Rebuilds the `inpaint_unet` preset from scratch.

Free-form inpainting: a U-Net of gated convolutions (width 24, 3 levels,
dilated context convs, about 4M parameters) trained on random patches of the natural-image
*train* split with free-form masks (4-10 strokes, 15-50% of the patch, in
the manner of DeepFill v2) drawn fresh for every batch by `InpaintBatches`;
L1 loss weighted 6 in the hole and 1 outside, Adam with cosine decay. Known
pixels pass through unchanged. Val PSNR/SSIM on the benchmark's seeded
masks (about 25%) and the OpenCV Telea baseline on the same masks go into
the preset's metadata.json.

GPU:
    KERAS_BACKEND=jax python examples/recipes/inpaint_unet.py --mixed-precision --time-budget 420
CPU smoke test:
    python examples/recipes/inpaint_unet.py --steps 4 --batch-size 2 --patch-size 64 --output /tmp/x
"""

import argparse
import json
import os
import platform
import time

import keras

import zoo
from zoo.training import StopAfter, measure_steps_per_second
from zoo.data import InpaintBatches, load_natural_images, load_val_baselines
from zoo.metrics.restoration_protocols import inpainting_scores, telea_inpaint
from zoo.models import InpaintUNetBackbone, InpaintUNetInpainter

PRESET = "inpaint_unet"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="auto",
                        help="training steps, or 'auto' to fill --time-budget")
    parser.add_argument("--time-budget", type=float, default=420.0,
                        help="seconds of training when --steps auto")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--patch-size", type=int, default=128)
    parser.add_argument("--width", type=int, default=24)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--mixed-precision", action="store_true",
                        help="train in mixed_bfloat16 (GPU); saved in float32")
    parser.add_argument("--output", default=os.path.join("presets", PRESET))
    parser.add_argument("--hardware", default=None,
                        help="what trained it, for metadata (default: guessed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="wall-clock cap: stop early (metadata records the steps done)")
    return parser.parse_args()



def build(width):
    return InpaintUNetInpainter(
        backbone=InpaintUNetBackbone(width=width, depth=3, dilations=(2, 4, 8))
    )


def steps_per_second(inpainter, batches):
    """Times a few steps after compilation to size an --steps auto run."""
    inpainter.compile()
    return measure_steps_per_second(inpainter, batches, probe_steps=30, warmup_steps=5)


def main():
    args = parse_args()
    keras.utils.set_random_seed(args.seed)
    if args.mixed_precision:
        keras.config.set_dtype_policy("mixed_bfloat16")
    steps_per_epoch = 500
    batches = InpaintBatches(
        load_natural_images("train"), args.patch_size, args.batch_size, steps_per_epoch,
        seed=args.seed, workers=4,
    )
    if args.steps == "auto":
        rate = steps_per_second(build(args.width), batches)
        steps = max(steps_per_epoch, int(rate * args.time_budget) // steps_per_epoch * steps_per_epoch)
        print(f"{rate:.1f} steps/s -> {steps} steps")
    else:
        steps = int(args.steps)
    epochs = max(1, round(steps / steps_per_epoch))
    steps = steps // epochs * epochs
    batches.steps_per_epoch = steps // epochs
    keras.utils.set_random_seed(args.seed)
    inpainter = build(args.width)
    schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, decay_steps=steps, alpha=0.01)
    # The hole weighting (6 inside, 1 outside) comes from the task.
    inpainter.compile(optimizer=keras.optimizers.Adam(schedule), loss=keras.losses.MeanAbsoluteError())
    callbacks = [StopAfter(args.max_minutes * 60)] if args.max_minutes else []
    start = time.perf_counter()
    inpainter.fit(batches, epochs=epochs, verbose=2, callbacks=callbacks)
    train_seconds = time.perf_counter() - start
    steps = int(keras.ops.convert_to_numpy(inpainter.optimizer.iterations))

    keras.config.set_dtype_policy("float32")
    path = zoo.save_preset(inpainter, args.output, task="inpaint")
    final = zoo.from_preset(path)
    val = load_natural_images("val")
    metrics = inpainting_scores(final.restore, val)
    metrics["baseline_splits_json"] = load_val_baselines()["inpaint_freeform25_cv2_telea"]
    try:  # Telea on the same seeded masks (needs opencv)
        metrics["baseline_this_protocol"] = inpainting_scores(telea_inpaint, val)
    except ImportError:
        pass
    hardware = args.hardware or f"{platform.processor() or platform.machine()} CPU"
    zoo.save_preset(
        final,
        args.output,
        task="inpaint",
        description=(
            f"Free-form inpainting, gated-conv U-Net (width {args.width}, 3 levels); "
            "known pixels pass through unchanged."
        ),
        recipe=f"examples/recipes/{PRESET}.py",
        data=(
            f"natural-image train split (shared/data/splits.json), random {args.patch_size}x"
            f"{args.patch_size} patches, dihedral augmentation, free-form masks 15-50%"
        ),
        steps=steps,
        hardware=hardware,
        backend=f"{keras.config.backend()}{' mixed_bfloat16' if args.mixed_precision else ''}, {train_seconds:.0f} s of training",
        metrics={"val": metrics, "protocol": "zoo.data.protocol_masks(seed=0), about 25% free-form; PSNR/SSIM on the whole image, all channels; baseline: cv2.inpaint Telea radius 5"},
    )
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
