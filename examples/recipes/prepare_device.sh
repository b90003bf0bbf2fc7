#!/usr/bin/env bash
# Prepares, on this machine, what a one-call GPU run needs in .gpu/ (git-ignored):
# Keras wheels for Python 3.12 (the device has JAX and no Keras), MiniLM's
# vocab.txt and the frozen MiniLM sentence vectors of the GAN's caption pool
# (the device has neither TensorFlow nor the MiniLM package).
#
#   bash examples/recipes/prepare_device.sh        # needs the .venv (make setup)
#
# Then see train_on_device.sh for the device command.
set -eu
python=${PYTHON:-.venv/bin/python}
mkdir -p .gpu/whl
"$python" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  -d .gpu/whl keras namex optree keras-hub kagglehub kagglesdk
cp "$("$python" -c 'from zoo.text import minilm_checkpoint_dir as d; print(d() / "vocab.txt")')" .gpu/
PYTHONPATH=.:examples/recipes "$python" examples/recipes/text_gan_minilm.py \
  --stage cache-text --text-cache .gpu/text_gan_minilm_text.npz
du -sh .gpu
# The device copy (working tree + .gpu) must stay under 64 MiB.
total=$( (git ls-files -co --exclude-standard; find .gpu -type f) | sort -u \
  | while read -r f; do [ -f "$f" ] && stat -c %s "$f"; done | awk '{s += $1} END {print int(s / 1048576)}')
echo "device copy: about $total MiB (limit 64)"
if [ "$total" -ge 62 ]; then
  echo "too large: move presets/inpaint_unet out of the tree for the device call (train_on_device.sh)"
fi
