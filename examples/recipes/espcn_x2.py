"""Rebuilds the `espcn_x2` preset from scratch: a phone-size ×2 upscaler.

ESPCN (5×5 conv 64, 3×3 conv 32, tanh, 3×3 conv to 12 channels, pixel
shuffle) learning a residual over the bicubic upsampling of its input: 27k
parameters. Trained on random 64×64 high-res patches of the natural-image
*train* split whose low-res twins come from Pillow-exact bicubic
downsampling inside the model; L1 loss, Adam with cosine decay. Val
Y-PSNR/SSIM (DESIGN.md protocol) go into metadata.json.

GPU:
    KERAS_BACKEND=jax python examples/recipes/espcn_x2.py --mixed-precision --time-budget 250 \
        --max-minutes 5
The preset: that GPU run (5 minutes shared by 7 recipes), then continued
on a 2-core CPU (56 minutes beside the other ESPCN recipe, then 18 minutes
with L2 loss):
    KERAS_BACKEND=tensorflow python examples/recipes/espcn_x2.py --steps 24000 \
        --learning-rate 5e-4 --resume espcn_x2
    KERAS_BACKEND=tensorflow python examples/recipes/espcn_x2.py --steps 8000 \
        --learning-rate 2e-4 --loss l2 --resume espcn_x2
CPU smoke test:
    python examples/recipes/espcn_x2.py --steps 4 --batch-size 2 --output /tmp/espcn_x2
"""

from _super_resolution import train_preset

from zoo.models import ESPCNBackbone, ESPCNImageRestorer

SCALE = 2


def build():
    return ESPCNImageRestorer(backbone=ESPCNBackbone(scale=SCALE, filters=(64, 32)))


if __name__ == "__main__":
    train_preset(
        "espcn_x2", build, SCALE,
        "Phone-size x2 super-resolution (ESPCN, 27k params, residual over "
        "bicubic); expects Pillow-bicubic-like low-res input.",
        __doc__, batch_size=64, patch_size=64, learning_rate=1e-3,
    )
