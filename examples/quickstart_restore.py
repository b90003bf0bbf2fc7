"""Denoise an image with the embedded preset, offline.

    python examples/quickstart_restore.py noisy.png clean.png
"""

import sys

from PIL import Image

import zoo

denoiser = zoo.from_preset("dncnn_color_blind")
Image.fromarray(denoiser.restore(sys.argv[1], verbose=True)).save(sys.argv[2])
print(f"wrote {sys.argv[2]}")
