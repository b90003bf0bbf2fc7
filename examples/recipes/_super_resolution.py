"""The training loop shared by the super-resolution recipes (`espcn_x*.py`, `edsr_x*.py`).

Trains an upscaler on random high-res patches of the natural-image *train*
split; the restorer's `BicubicDownsample(scale)` degradation makes the
low-res inputs inside the model (Pillow's bicubic, as the benchmark), L1
loss, Adam with cosine decay. Then saves the preset with its val Y-PSNR/SSIM
(DESIGN.md super-resolution protocol) and the bicubic baseline beside it.
"""

import argparse
import json
import os
import platform
import time

import keras

import zoo
from zoo.training import StopAfter, measure_steps_per_second
from zoo.data import PatchBatches, load_natural_images, load_val_baselines
from zoo.metrics.restoration_protocols import super_resolution_scores


def parse_args(preset, doc, batch_size, patch_size, learning_rate):
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--steps", default="auto",
                        help="training steps, or 'auto' to fill --time-budget")
    parser.add_argument("--time-budget", type=float, default=420.0,
                        help="seconds of training when --steps auto")
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--patch-size", type=int, default=patch_size,
                        help="high-res patch side (a multiple of the scale)")
    parser.add_argument("--learning-rate", type=float, default=learning_rate)
    parser.add_argument("--mixed-precision", action="store_true",
                        help="train in mixed_bfloat16 (GPU); saved in float32")
    parser.add_argument("--output", default=os.path.join("presets", preset))
    parser.add_argument("--hardware", default=None,
                        help="what trained it, for metadata (default: guessed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-minutes", type=float, default=None,
                        help="wall-clock cap: stop early (metadata records the steps done)")
    return parser.parse_args()



def steps_per_second(restorer, batches):
    """Times a few steps after compilation to size an --steps auto run."""
    restorer.compile(jit_compile="auto")
    return measure_steps_per_second(restorer, batches, probe_steps=60, warmup_steps=10)


def train_preset(preset, build, scale, description, doc, *, batch_size,
                 patch_size, learning_rate):
    """Trains `build()` on train-split HR patches, saves `presets/<preset>`."""
    args = parse_args(preset, doc, batch_size, patch_size, learning_rate)
    if args.patch_size % scale:
        raise SystemExit(f"--patch-size must be a multiple of the scale ({scale}).")
    keras.utils.set_random_seed(args.seed)
    if args.mixed_precision:
        keras.config.set_dtype_policy("mixed_bfloat16")
    steps_per_epoch = 500
    batches = PatchBatches(
        load_natural_images("train"), args.patch_size, args.batch_size,
        steps_per_epoch, seed=args.seed, workers=4,
    )
    if args.steps == "auto":
        rate = steps_per_second(build(), batches)
        steps = max(steps_per_epoch, int(rate * args.time_budget) // steps_per_epoch * steps_per_epoch)
        print(f"{rate:.1f} steps/s -> {steps} steps")
    else:
        steps = int(args.steps)
    # Whole epochs that add up to exactly `steps`.
    epochs = max(1, round(steps / steps_per_epoch))
    steps = steps // epochs * epochs
    batches.steps_per_epoch = steps // epochs
    keras.utils.set_random_seed(args.seed)
    restorer = build()
    schedule = keras.optimizers.schedules.CosineDecay(
        args.learning_rate, decay_steps=steps, alpha=0.01
    )
    restorer.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.MeanAbsoluteError(),
        jit_compile="auto",
    )
    callbacks = [StopAfter(args.max_minutes * 60)] if args.max_minutes else []
    start = time.perf_counter()
    restorer.fit(batches, epochs=epochs, verbose=2, callbacks=callbacks)
    train_seconds = time.perf_counter() - start
    steps = int(keras.ops.convert_to_numpy(restorer.optimizer.iterations))

    keras.config.set_dtype_policy("float32")
    path = zoo.save_preset(restorer, args.output, task="super_resolution")
    final = zoo.from_preset(path)
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
    hardware = args.hardware or f"{platform.processor() or platform.machine()} CPU"
    zoo.save_preset(
        final,
        args.output,
        task="super_resolution",
        description=description,
        recipe=f"examples/recipes/{preset}.py",
        data=(
            f"natural-image train split (shared/data/splits.json), random "
            f"{args.patch_size}x{args.patch_size} HR patches, dihedral "
            f"augmentation, LR by BicubicDownsample({scale})"
        ),
        steps=steps,
        hardware=hardware,
        backend=f"{keras.config.backend()}{' mixed_bfloat16' if args.mixed_precision else ''}, {train_seconds:.0f} s of training",
        metrics=metrics,
    )
    print(json.dumps(metrics, indent=2))
