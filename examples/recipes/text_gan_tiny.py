"""Rebuilds the `text_gan_tiny` preset from scratch.

Phone-size text-to-image GAN on the captioned shapes: a tiny trainable transformer text encoder (2 layers, 64-d) + a FiLM generator with cross-attention at 16x16, 64x64 RGB.

Trained on a pool of captioned-shape scenes (the training grammar: the
held-out colour-shape pairs never appear), hinge loss with a matching-aware
term, an auxiliary classifier on the attributes the captions name
(`--attribute-weight`, AC-GAN; 0 turns it off), DiffAugment, EMA of the
generator; scored by the shapes judge on
fresh prompts (`zoo.metrics.text_to_image_scores`). See `_text_gan.py`
for the stages.

GPU (no TensorFlow there):
    ZOO_MINILM_DIR=<dir with vocab.txt> KERAS_BACKEND=jax python examples/recipes/text_gan_tiny.py \
        --stage train --mixed-precision --time-budget 200 --trained /tmp/out/text_gan_tiny
    python examples/recipes/text_gan_tiny.py --stage assemble --trained <that dir>
CPU smoke test:
    python examples/recipes/text_gan_tiny.py --steps 2 --scenes 64 --renders 2 --batch-size 8 \
        --width 16 --trained /tmp/tg --output /tmp/text_gan_tiny
"""

from _text_gan import main

if __name__ == "__main__":
    main("text_gan_tiny", __doc__, "tiny", "Phone-size text-to-image GAN on the captioned shapes: a tiny trainable transformer text encoder (2 layers, 64-d) + a FiLM generator with cross-attention at 16x16, 64x64 RGB.")
