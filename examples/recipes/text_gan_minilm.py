"""Rebuilds the `text_gan_minilm` preset from scratch.

Text-to-image GAN on the captioned shapes conditioned on the frozen pretrained all-MiniLM-L6-v2 sentence vector (stored by name, not copied), 64x64 RGB.

Trained on a pool of captioned-shape scenes (the training grammar: the
held-out colour-shape pairs never appear), hinge loss with a matching-aware
term, an auxiliary classifier on the attributes the captions name
(`--attribute-weight`, AC-GAN; 0 turns it off), DiffAugment, EMA of the
generator; scored by the shapes judge on
fresh prompts (`zoo.metrics.text_to_image_scores`). See `_text_gan.py`
for the stages.

GPU (no TensorFlow there):
    python examples/recipes/text_gan_minilm.py --stage cache-text   # here, once
    ZOO_MINILM_DIR=<dir with vocab.txt> KERAS_BACKEND=jax python examples/recipes/text_gan_minilm.py \
        --stage train --mixed-precision --time-budget 200 --trained /tmp/out/text_gan_minilm
    python examples/recipes/text_gan_minilm.py --stage assemble --trained <that dir>
CPU smoke test:
    python examples/recipes/text_gan_minilm.py --steps 2 --scenes 64 --renders 2 --batch-size 8 \
        --width 16 --text-cache /tmp/tg_text.npz --trained /tmp/tg --output /tmp/text_gan_minilm
    (its own --text-cache: the default one is the device's, for 8,192 scenes)
"""

from _text_gan import main

if __name__ == "__main__":
    main("text_gan_minilm", __doc__, "minilm", "Text-to-image GAN on the captioned shapes conditioned on the frozen pretrained all-MiniLM-L6-v2 sentence vector (stored by name, not copied), 64x64 RGB.")
