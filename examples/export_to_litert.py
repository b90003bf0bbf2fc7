"""Export the denoiser to LiteRT for a phone and check it matches Keras.

    python examples/export_to_litert.py denoiser.tflite [--int8] [--size 256x256]
"""

import argparse

import numpy as np

import zoo
from zoo.export import parity

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("path", help="the .tflite file to write")
parser.add_argument("--int8", action="store_true", help="dynamic-range int8 weights")
parser.add_argument("--size", default=None, help="fixed HxW input, e.g. 256x256")
args = parser.parse_args()
if not args.path.endswith(".tflite"):
    parser.error("path must end in .tflite (for a SavedModel use `zoo export`).")
try:
    shape = tuple(int(s) for s in args.size.split("x")) if args.size else None
except ValueError:
    shape = ()
if shape is not None and len(shape) != 2:
    parser.error(f"--size must be HEIGHTxWIDTH, e.g. 256x256. Received: {args.size!r}")

denoiser = zoo.from_preset("dncnn_color_blind")
try:
    zoo.export(denoiser, args.path, quantize="dynamic_int8" if args.int8 else None,
               input_shape=shape)
except ValueError as error:  # e.g. a size that is not positive
    parser.error(str(error))
h, w = shape or (128, 128)
x = np.random.default_rng(0).random((1, h, w, 3), dtype=np.float32)
print(f"wrote {args.path}; max |LiteRT - Keras| = {parity(denoiser, args.path, x):.2e}")
