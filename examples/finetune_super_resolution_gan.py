"""Fine-tune a super-resolution preset adversarially (SRGAN-style) on your own images.

    python examples/finetune_super_resolution_gan.py --images my_photos/ --output my_x4_gan
    KERAS_BACKEND=jax python examples/finetune_super_resolution_gan.py --images my_photos/ \
        --preset espcn_x2 --epochs 5 --adversarial-weight 1e-2 --output my_x2_gan
    zoo restore --preset my_x4_gan small.png -o big.png

The preset's restorer (the generator) is trained against a fresh
`PatchDiscriminator` on pixel L1 + hinge adversarial + discriminator
feature-matching losses (the feature matching stands in for a VGG
"perceptual" loss: no pretrained network is needed). Expect sharper
textures and a slightly lower PSNR than plain L1 fine-tuning
(examples/finetune_super_resolution.py). Only high-res images are needed:
the preset's `BicubicDownsample(scale)` makes the low-res inputs of random
patches on the fly. `--patch-size` is the high-res patch side, a multiple
of the scale. Works on tensorflow, jax and torch;
`--data-parallel` splits each batch over every GPU (jax, tensorflow;
torch: launch with `torchrun --nproc-per-node=GPUS`).
"""

import argparse
import contextlib

import keras

import zoo
from zoo.cli import positive_int, preset_target
from zoo.tasks.adversarial_upscaler import AdversarialUpscaler
from zoo.tasks.image_restorer import ImageRestorer

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--images", required=True, metavar="DIR", help="folder of high-res images")
parser.add_argument("--preset", default="espcn_x4",
                    help="super-resolution preset to start from (espcn_x2/x4, edsr_x2/x4)")
parser.add_argument("--epochs", type=positive_int, default=5)
# Checked before training (a bad one would throw the run away); the
# value becomes the handle that loads the preset back.
parser.add_argument("--output", required=True, metavar="DIR", type=preset_target,
                    help="preset directory to write")
parser.add_argument("--steps-per-epoch", type=positive_int, default=200)
parser.add_argument("--batch-size", type=positive_int, default=16)
parser.add_argument("--patch-size", type=positive_int, default=96, help="high-res patch side")
parser.add_argument("--adversarial-weight", type=float, default=5e-3,
                    help="weight of the adversarial loss (the pixel L1 loss has weight 1)")
parser.add_argument("--learning-rate", type=float, default=1e-4,
                    help="the restorer's; the discriminator learns 4x faster")
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--data-parallel", action="store_true",
                    help="split each batch over every GPU (jax, tensorflow; torch under torchrun)")
args = parser.parse_args()

keras.utils.set_random_seed(args.seed)
# --data-parallel: build and fit inside the scope that splits each batch
# over every GPU (zoo.training.data_parallel; on torch, one process per GPU).
with zoo.training.data_parallel() if args.data_parallel else contextlib.nullcontext():
    restorer = zoo.from_preset(args.preset)
    if not isinstance(restorer, ImageRestorer) or restorer.scale == 1:
        parser.error(f"--preset {args.preset!r} does not upscale: pick a super-resolution preset.")
    multiple = restorer.scale * restorer.size_multiple
    if args.patch_size % multiple:
        parser.error(f"--patch-size must be a multiple of {multiple} for {args.preset!r}.")
    if args.adversarial_weight < 0:
        parser.error("--adversarial-weight must be >= 0.")

    images = zoo.data.load_image_folder(args.images)
    # Under torchrun each process (one per GPU) reads its own share of a batch.
    rank = zoo.training.process_index()
    batches = zoo.data.PatchBatches(
        images, args.patch_size, zoo.training.process_batch_size(args.batch_size),
        args.steps_per_epoch, seed=args.seed + rank,
    )
    upscaler = AdversarialUpscaler(
        restorer, adversarial_weight=args.adversarial_weight, seed=args.seed, compile=False
    )
    upscaler.compile(
        d_optimizer=keras.optimizers.Adam(4 * args.learning_rate, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(args.learning_rate, beta_1=0.5),
    )
    upscaler.fit(batches, epochs=args.epochs, verbose=2)  # high-res patches: downscaled inside
if rank == 0:  # one writer
    upscaler.restorer.save_to_preset(
        args.output, task="super_resolution",
        description=(
            f"{args.preset} (x{restorer.scale}) fine-tuned on {args.images} adversarially "
            f"(adversarial weight {args.adversarial_weight}, feature matching)"
        ),
    )
    print(f"Saved {args.output}; load it with zoo.from_preset({args.output!r})")
