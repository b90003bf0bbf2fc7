"""Fine-tune a deblurring preset on your own folder of sharp images.

    python examples/finetune_deblur.py --images my_photos/ --output my_deblur
    KERAS_BACKEND=jax python examples/finetune_deblur.py --images my_photos/ \
        --preset nafnet_deblur --epochs 5 --output my_deblur
    zoo restore --preset my_deblur blurred.png -o sharp.png

Only sharp images are needed: the preset's `RandomBlur` blurs random
patches on the fly (a random Gaussian, possibly elliptical, or linear
motion kernel per patch, plus mild noise). `--patch-size` must be a
multiple of the network's size multiple. Works on tensorflow, jax and torch;
`--data-parallel` splits each batch over every GPU (jax, tensorflow;
torch: launch with `torchrun --nproc-per-node=GPUS`).
"""

import argparse
import contextlib

import keras

import zoo
from zoo.cli import positive_int, preset_target

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--images", required=True, metavar="DIR", help="folder of sharp images")
parser.add_argument("--preset", default="nafnet_deblur", help="deblurring preset to start from")
parser.add_argument("--epochs", type=positive_int, default=5)
# Checked before training (a bad one would throw the run away); the
# value becomes the handle that loads the preset back.
parser.add_argument("--output", required=True, metavar="DIR", type=preset_target,
                    help="preset directory to write")
parser.add_argument("--steps-per-epoch", type=positive_int, default=200)
parser.add_argument("--batch-size", type=positive_int, default=8)
parser.add_argument("--patch-size", type=positive_int, default=128)
parser.add_argument("--learning-rate", type=float, default=1e-4)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--data-parallel", action="store_true",
                    help="split each batch over every GPU (jax, tensorflow; torch under torchrun)")
args = parser.parse_args()

keras.utils.set_random_seed(args.seed)
# --data-parallel: build and fit inside the scope that splits each batch
# over every GPU (zoo.training.data_parallel; on torch, one process per GPU).
with zoo.training.data_parallel() if args.data_parallel else contextlib.nullcontext():
    deblurrer = zoo.from_preset(args.preset)
    if not isinstance(getattr(deblurrer, "degradation", None), zoo.data.RandomBlur):
        parser.error(f"--preset {args.preset!r} is not a restorer that blurs its own inputs.")
    if args.patch_size % deblurrer.size_multiple:
        parser.error(f"--patch-size must be a multiple of {deblurrer.size_multiple}.")

    images = zoo.data.load_image_folder(args.images)
    # Under torchrun each process (one per GPU) reads its own share of a batch.
    rank = zoo.training.process_index()
    batches = zoo.data.PatchBatches(
        images, args.patch_size, zoo.training.process_batch_size(args.batch_size),
        args.steps_per_epoch, seed=args.seed + rank,
    )
    deblurrer.compile(optimizer=keras.optimizers.Adam(args.learning_rate))
    deblurrer.fit(batches, epochs=args.epochs, verbose=2)  # sharp patches: blurred inside
if rank == 0:  # one writer
    deblurrer.save_to_preset(
        args.output, task="deblur",
        description=f"{args.preset} fine-tuned on {args.images}",
    )
    print(f"Saved {args.output}; load it with zoo.from_preset({args.output!r})")
