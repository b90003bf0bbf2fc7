"""Denoise an image with the embedded preset, offline.

    python examples/quickstart_restore.py noisy.png clean.png
"""

import argparse

import zoo
from zoo.cli import save_image

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("input", help="image to denoise")
parser.add_argument("output", help="where to write the result (.png, .jpg, ...)")
args = parser.parse_args()

denoiser = zoo.from_preset("dncnn_color_blind")
try:
    save_image(denoiser.restore(args.input, verbose=True), args.output)
except ValueError as error:  # unreadable input, unknown output extension
    parser.error(str(error))
print(f"wrote {args.output}")
