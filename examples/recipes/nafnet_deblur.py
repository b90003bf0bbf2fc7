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
CPU smoke test:
    python examples/recipes/nafnet_deblur.py --steps 4 --batch-size 2 --patch-size 64 --output /tmp/x
"""

import argparse
import json
import os
import platform
import time

import keras

import zoo
from zoo.training import StopAfter, measure_steps_per_second
from zoo.data import PatchBatches, RandomBlur, load_natural_images, load_val_baselines
from zoo.metrics.restoration_protocols import deblur_scores, wiener_deblur_scores
from zoo.models import NAFNetBackbone, NAFNetImageRestorer

PRESET = "nafnet_deblur"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="auto",
                        help="training steps, or 'auto' to fill --time-budget")
    parser.add_argument("--time-budget", type=float, default=420.0,
                        help="seconds of training when --steps auto")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--patch-size", type=int, default=128)
    parser.add_argument("--width", type=int, default=32)
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



def build(seed, width):
    return NAFNetImageRestorer(
        backbone=NAFNetBackbone(
            width=width, enc_blocks=[2, 2, 2], middle_blocks=4, dec_blocks=[2, 2, 2]
        ),
        # The blur runs in float32 even under mixed precision.
        degradation=RandomBlur(seed=seed, dtype="float32"),
    )


def steps_per_second(restorer, batches):
    """Times a few steps after compilation to size an --steps auto run."""
    restorer.compile()
    return measure_steps_per_second(restorer, batches, probe_steps=30, warmup_steps=5)


def main():
    args = parse_args()
    keras.utils.set_random_seed(args.seed)
    if args.mixed_precision:
        keras.config.set_dtype_policy("mixed_bfloat16")
    steps_per_epoch = 500
    batches = PatchBatches(
        load_natural_images("train"), args.patch_size, args.batch_size, steps_per_epoch,
        seed=args.seed, workers=4,
    )
    if args.steps == "auto":
        rate = steps_per_second(build(args.seed, args.width), batches)
        steps = max(steps_per_epoch, int(rate * args.time_budget) // steps_per_epoch * steps_per_epoch)
        print(f"{rate:.1f} steps/s -> {steps} steps")
    else:
        steps = int(args.steps)
    epochs = max(1, round(steps / steps_per_epoch))
    steps = steps // epochs * epochs
    batches.steps_per_epoch = steps // epochs
    keras.utils.set_random_seed(args.seed)
    restorer = build(args.seed, args.width)
    schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, decay_steps=steps, alpha=0.01)
    restorer.compile(optimizer=keras.optimizers.Adam(schedule), loss=keras.losses.MeanAbsoluteError())
    callbacks = [StopAfter(args.max_minutes * 60)] if args.max_minutes else []
    start = time.perf_counter()
    restorer.fit(batches, epochs=epochs, verbose=2, callbacks=callbacks)
    train_seconds = time.perf_counter() - start
    steps = int(keras.ops.convert_to_numpy(restorer.optimizer.iterations))

    keras.config.set_dtype_policy("float32")
    path = zoo.save_preset(restorer, args.output, task="deblur")
    final = zoo.from_preset(path)
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
    hardware = args.hardware or f"{platform.processor() or platform.machine()} CPU"
    zoo.save_preset(
        final,
        args.output,
        task="deblur",
        description=(
            "Blind deblurring (Gaussian and linear motion blur, mild noise), "
            f"NAFNet width {args.width}; not told the kernel."
        ),
        recipe=f"examples/recipes/{PRESET}.py",
        data=(
            f"natural-image train split (shared/data/splits.json), random {args.patch_size}x"
            f"{args.patch_size} patches, dihedral augmentation, RandomBlur on the fly"
        ),
        steps=steps,
        hardware=hardware,
        backend=f"{keras.config.backend()}{' mixed_bfloat16' if args.mixed_precision else ''}, {train_seconds:.0f} s of training",
        metrics={"val": metrics, "protocol": "splits.json deblur_protocol (zoo.data.blur_protocol), PSNR/SSIM on all channels, no crop; baseline: best of blurred input and Wiener given the true kernel"},
    )
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
