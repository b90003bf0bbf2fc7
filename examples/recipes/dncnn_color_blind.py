"""Rebuilds the `dncnn_color_blind` preset from scratch.

A blind colour denoiser: DnCNN-17 (64 filters, batch norm, residual
learning), trained on random 64×64 patches of the natural-image *train*
split with Gaussian noise of a random sigma in [0, 55] per patch, L1 loss,
Adam with cosine decay. Val PSNR/SSIM at sigma 15/25/50 go into the
preset's metadata.json.

The shipped preset (no GPU was lent to the session that made it):
    python examples/recipes/dncnn_color_blind.py --steps 2200 \
        --max-minutes 100 --batch-size 16 --patch-size 48
  on 2 CPU cores, stopped by the cap at step 1934: far too little training
  for DnCNN, which is why its val PSNR is low. On a GPU:
    KERAS_BACKEND=jax python examples/recipes/dncnn_color_blind.py \
        --mixed-precision --time-budget 420
"""

import argparse
import json
import os
import platform
import sys
import time

import keras
import numpy as np

import zoo
from zoo.training import StopAfter, measure_steps_per_second
from zoo.data import PatchBatches, RandomGaussianNoise, load_natural_images
from zoo.metrics.restoration_protocols import denoising_scores
from zoo.models import DnCNNBackbone, DnCNNImageRestorer

PRESET = "dncnn_color_blind"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="auto",
                        help="training steps, or 'auto' to fill --time-budget")
    parser.add_argument("--time-budget", type=float, default=420.0,
                        help="seconds of training when --steps auto")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--patch-size", type=int, default=64)
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



def build(seed):
    return DnCNNImageRestorer(
        backbone=DnCNNBackbone(depth=17, filters=64, channels=3),
        degradation=RandomGaussianNoise(sigma_range=(0, 55), seed=seed),
    )


def steps_per_second(restorer, batches):
    """Times a few steps after compilation to size an --steps auto run."""
    restorer.compile(jit_compile=True)
    return measure_steps_per_second(restorer, batches, probe_steps=60, warmup_steps=10)


def main():
    args = parse_args()
    keras.utils.set_random_seed(args.seed)
    if args.mixed_precision:
        keras.config.set_dtype_policy("mixed_bfloat16")
    images = load_natural_images("train")
    steps_per_epoch = 500
    batches = PatchBatches(
        images, args.patch_size, args.batch_size, steps_per_epoch,
        seed=args.seed, workers=4,
    )
    if args.steps == "auto":
        rate = steps_per_second(build(args.seed), batches)
        steps = max(steps_per_epoch, int(rate * args.time_budget) // steps_per_epoch * steps_per_epoch)
        print(f"{rate:.1f} steps/s -> {steps} steps")
    else:
        steps = int(args.steps)
    # Whole epochs that add up to exactly `steps`.
    epochs = max(1, round(steps / steps_per_epoch))
    steps = steps // epochs * epochs
    batches.steps_per_epoch = steps_per_epoch = steps // epochs
    keras.utils.set_random_seed(args.seed)
    restorer = build(args.seed)
    schedule = keras.optimizers.schedules.CosineDecay(
        args.learning_rate, decay_steps=steps, alpha=0.01,
        warmup_target=None,
    )
    restorer.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss=keras.losses.MeanAbsoluteError(),
        jit_compile=True,
    )
    callbacks = []
    if args.max_minutes:
        callbacks.append(StopAfter(args.max_minutes * 60))
    start = time.perf_counter()
    restorer.fit(batches, epochs=epochs, verbose=2, callbacks=callbacks)
    train_seconds = time.perf_counter() - start
    steps = int(keras.ops.convert_to_numpy(restorer.optimizer.iterations))

    keras.config.set_dtype_policy("float32")
    path = zoo.save_preset(restorer, args.output, task="denoise")
    final = zoo.from_preset(path)
    metrics = denoising_scores(final.restore, load_natural_images("val"))
    hardware = args.hardware or f"{platform.processor() or platform.machine()} CPU"
    zoo.save_preset(
        final,
        args.output,
        task="denoise",
        description=(
            "Blind colour Gaussian denoiser (sigma 0-55 on the 0-255 scale), "
            "DnCNN-17 with 64 filters; also denoises grayscale images."
        ),
        recipe=f"examples/recipes/{PRESET}.py",
        command=" ".join(["python", f"examples/recipes/{PRESET}.py", *sys.argv[1:]]),
        data=(
            "natural-image train split (shared/data/splits.json), random "
            f"{args.patch_size}x{args.patch_size} patches, batch {args.batch_size}, "
            "dihedral augmentation"
        ),
        steps=steps,
        hardware=hardware,
        backend=f"{keras.config.backend()}{' mixed_bfloat16' if args.mixed_precision else ''}, {train_seconds:.0f} s of training",
        metrics={"val": metrics, "protocol": "DESIGN.md denoising: float noise, rng(0) per image, unclipped input, PSNR on all channels"},
    )
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
