"""Fine-tune the denoiser on your own folder of clean images.

    KERAS_BACKEND=jax python examples/finetune_denoiser.py my_photos/ my_denoiser

The task degrades the clean patches on the fly (Gaussian noise, sigma 0-55),
so only clean images are needed. Works on tensorflow, jax and torch.
"""

import argparse

import keras

import zoo

parser = argparse.ArgumentParser()
parser.add_argument("folder")
parser.add_argument("output")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--steps-per-epoch", type=int, default=200)
parser.add_argument("--learning-rate", type=float, default=1e-4)
args = parser.parse_args()

denoiser = zoo.from_preset("dncnn_color_blind")
images = zoo.data.load_image_folder(args.folder)
batches = zoo.data.PatchBatches(images, 64, 16, args.steps_per_epoch)
denoiser.compile(optimizer=keras.optimizers.Adam(args.learning_rate))
denoiser.fit(batches, epochs=args.epochs)
denoiser.save_to_preset(
    args.output, task="denoise", description=f"dncnn_color_blind fine-tuned on {args.folder}"
)
print(f"saved {args.output}; load it with zoo.from_preset({args.output!r})")
