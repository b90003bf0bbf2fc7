"""Rebuilds the `edsr_x2` preset from scratch: a quality ×2 upscaler.

EDSR-baseline (16 residual blocks, 64 filters, pixel-shuffle upsampler,
1.37M parameters), learning a residual over the bicubic upsampling of its
input. Trained on random 96×96 high-res patches (48×48 low-res) of the
natural-image *train* split whose low-res twins come from Pillow-exact
bicubic downsampling inside the model; L1 loss, Adam with cosine decay. Val
Y-PSNR/SSIM (DESIGN.md protocol) go into metadata.json.

GPU:
    KERAS_BACKEND=jax python examples/recipes/edsr_x2.py --mixed-precision --time-budget 420
CPU smoke test:
    python examples/recipes/edsr_x2.py --steps 4 --batch-size 2 --patch-size 48 --output /tmp/edsr_x2
"""

from _super_resolution import train_preset

from zoo.models import EDSRBackbone, EDSRImageRestorer

SCALE = 2


def build():
    return EDSRImageRestorer(
        backbone=EDSRBackbone(
            scale=SCALE, num_blocks=16, filters=64, global_residual=True
        ),
        tile_size=256,
        tile_overlap=40,  # > the receptive radius (~35 low-res px): seamless tiles
    )


if __name__ == "__main__":
    train_preset(
        "edsr_x2", build, SCALE,
        "x2 super-resolution (EDSR-baseline: 16 residual blocks, 64 filters, "
        "residual over bicubic); expects Pillow-bicubic-like low-res input.",
        __doc__, batch_size=16, patch_size=96, learning_rate=2e-4,
    )
