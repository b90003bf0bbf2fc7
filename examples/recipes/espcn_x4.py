"""Rebuilds the `espcn_x4` preset from scratch: a phone-size ×4 upscaler.

ESPCN (5×5 conv 64, 3×3 conv 32, tanh, 3×3 conv to 48 channels, pixel
shuffle) learning a residual over the bicubic upsampling of its input: 37k
parameters. Trained on random 96×96 high-res patches of the natural-image
*train* split whose low-res twins (24×24) come from Pillow-exact bicubic
downsampling inside the model; L1 loss, Adam with cosine decay. Val
Y-PSNR/SSIM (DESIGN.md protocol) go into metadata.json.

GPU:
    KERAS_BACKEND=jax python examples/recipes/espcn_x4.py --mixed-precision --time-budget 250 \
        --max-minutes 5
The preset: that GPU run (5 minutes shared by 7 recipes), then continued
on a 2-core CPU (50 minutes beside the other ESPCN recipe):
    KERAS_BACKEND=tensorflow python examples/recipes/espcn_x4.py --steps 24000 \
        --learning-rate 5e-4 --resume espcn_x4
CPU smoke test:
    python examples/recipes/espcn_x4.py --steps 4 --batch-size 2 --output /tmp/espcn_x4
"""

from _super_resolution import train_preset

from zoo.models import ESPCNBackbone, ESPCNImageRestorer

SCALE = 4


def build():
    return ESPCNImageRestorer(backbone=ESPCNBackbone(scale=SCALE, filters=(64, 32)))


if __name__ == "__main__":
    train_preset(
        "espcn_x4", build, SCALE,
        "Phone-size x4 super-resolution (ESPCN, 37k params, residual over "
        "bicubic); expects Pillow-bicubic-like low-res input.",
        __doc__, batch_size=64, patch_size=96, learning_rate=1e-3,
    )
