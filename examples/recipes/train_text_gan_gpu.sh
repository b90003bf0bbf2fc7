#!/usr/bin/env bash
# Trains both text-to-image GAN presets side by side on one GPU (JAX, bf16):
# the `train` stage of text_gan_tiny.py and text_gan_minilm.py. Then, on a
# machine with TensorFlow and the MiniLM package, `--stage assemble` builds,
# judges and saves each preset.
#
# Prepare once, where the MiniLM package is installed (the GPU machine needs
# neither it nor TensorFlow; the tokenizer reads only vocab.txt):
#   mkdir -p .gpu && cp "$(python -c 'from zoo.text import minilm_checkpoint_dir as d; print(d()/"vocab.txt")')" .gpu/
#   python examples/recipes/text_gan_minilm.py --stage cache-text --text-cache .gpu/text_gan_minilm_text.npz
# Then, on the GPU machine:
#   BUDGET=480 bash examples/recipes/train_text_gan_gpu.sh /tmp/out [ARGS...]
# (ARGS go to both recipes' `train` stage. Both train with the negative-data
# term, touching and misshapen objects: on the CPU the touching ones cut the
# tiny preset's merged objects by two thirds, the shape ones its shape errors
# by a fifth.)
# and back here:
#   python examples/recipes/text_gan_tiny.py --stage assemble --trained /tmp/out/text_gan_tiny
#   python examples/recipes/text_gan_minilm.py --stage assemble --trained /tmp/out/text_gan_minilm
set -u
dest=${1:-/tmp/text_gan}
shift $(($# < 1 ? $# : 1))
budget=${BUDGET:-480}
hardware=${HARDWARE:-"$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1), shared by 2 concurrent recipes"}
mkdir -p "$dest/logs"
export KERAS_BACKEND=jax PYTHONUNBUFFERED=1 ZOO_MINILM_DIR=${ZOO_MINILM_DIR:-$PWD/.gpu}
export XLA_PYTHON_CLIENT_PREALLOCATE=false XLA_PYTHON_CLIENT_MEM_FRACTION=${GAN_MEM_FRACTION:-0.45}

for encoder in tiny minilm; do
  # With RESUME_DIR, a preset there (e.g. presets/text_gan_tiny) is continued as it is.
  resume=()
  preset=${RESUME_DIR:-}/text_gan_$encoder
  if [ -n "${RESUME_DIR:-}" ] && [ -f "$preset/config.json" ]; then
    # The preset's generator as it is: its width, channel multipliers and
    # coordinate biases (the recipe can only grow a model it resumes).
    read -r -a shape < <("${PYTHON:-python3}" -c "
import json, sys
c = json.load(open(sys.argv[1]))['config']
print('--width', c['width'], '--generator-multipliers', ','.join(map(str, c['channel_multipliers'])),
      *(['--coordinates'] if c.get('coordinates') else []))" "$preset/config.json")
    resume=(--resume "$preset" "${shape[@]}")
  fi
  # Under the device's 600 s a call: a stalled run must leave time to pack the results.
  timeout $((budget + 120)) "${PYTHON:-python3}" "examples/recipes/text_gan_$encoder.py" \
    --stage train --mixed-precision --time-budget "$budget" --hardware "$hardware" \
    --negative-weight 1 --negatives touching,shape \
    --text-cache .gpu/text_gan_minilm_text.npz --trained "$dest/text_gan_$encoder" \
    "$@" "${resume[@]}" \
    >"$dest/logs/text_gan_$encoder.log" 2>&1 &
done
wait
tail -n 3 "$dest"/logs/*.log
