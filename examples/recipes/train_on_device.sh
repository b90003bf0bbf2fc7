#!/usr/bin/env bash
# Everything the presets need a GPU for, in one device call of under 10 minutes:
# the seven restoration recipes (train_all_gpu.sh) and the two text GAN
# `train` stages (train_text_gan_gpu.sh) side by side on one GPU. Each one
# continues from its preset in presets/ where that travelled (the GANs at
# their width, 8), else starts afresh (the GANs at width 24).
#
# Here first: bash examples/recipes/prepare_device.sh. The device copy of the
# working tree is limited to 64 MiB and presets/ + .gpu/ hold about 70: move
# presets/inpaint_unet (16 MiB) out of the tree, so it alone starts afresh. On
# the device, with `.gpu` carried:
#   pip install -q --no-index --no-deps --target /tmp/site .gpu/whl/*.whl \
#     && export PYTHONPATH=/tmp/site:$PWD && bash examples/recipes/train_on_device.sh "$OUT"
# At most 8 files of 16 MiB come back from OUT, so everything lands there as
# one tar in 15 MiB parts. Back here (and move the presets back):
#   mkdir -p /tmp/dev && cat OUT/results.tar.part-* | tar -xf - -C /tmp/dev
# copy each restoration preset in /tmp/dev/presets whose val margins beat the
# shipped one into presets/ (a resumed one holds the shipped one's history); then
#   python examples/recipes/text_gan_tiny.py --stage assemble --width 8 \
#     --generator-multipliers 8,8,4,2,1 --trained /tmp/dev/text_gan/text_gan_tiny
#   python examples/recipes/text_gan_minilm.py --stage assemble --width 8 \
#     --generator-multipliers 8,8,4,4,4 --trained /tmp/dev/text_gan/text_gan_minilm
# (the flags as in the presets' config.json, as train_text_gan_gpu.sh reads them)
# and `make benchmark`.
#
# SMOKE=1 runs the same processes for a few steps at toy sizes (a CPU check
# that the device call will not fail on a typo).
set -u
out=${1:?usage: train_on_device.sh OUT}
work=${WORK:-/tmp/zoo_device}
here=$(dirname "$0")
mkdir -p "$out" "$work"
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
export HARDWARE="${gpu:-$(uname -m) CPU}, shared by 9 concurrent recipes"
if [ "${SMOKE:-0}" = 1 ]; then
  restore_args=(--steps 4 --batch-size 2 --patch-size 64)
  gan_args=(--steps 2 --width 2 --renders 1 --batch-size 4 --jit-compile false)
  # A CPU is far slower than the GPU the caps are for (evaluation, eager steps).
  RESTORE_CAP_MINUTES=${RESTORE_CAP_MINUTES:-30}
  GAN_BUDGET=${GAN_BUDGET:-1800}
else
  restore_args=()
  gan_args=()
fi
# 7 x 0.07 + 2 x 0.2 of the GPU's memory, allocated on demand.
BUDGET=${RESTORE_BUDGET:-270} CAP_MINUTES=${RESTORE_CAP_MINUTES:-5} RESTORE_MEM_FRACTION=0.07 \
  RESUME_DIR=${RESUME_DIR:-presets} \
  bash "$here/train_all_gpu.sh" "$work/presets" "$work/logs" "${restore_args[@]}" &
BUDGET=${GAN_BUDGET:-400} GAN_MEM_FRACTION=0.2 RESUME_DIR=${RESUME_DIR:-presets} \
  bash "$here/train_text_gan_gpu.sh" "$work/text_gan" "${gan_args[@]}" &
wait
tar -C "$work" -cf - . | split -b 15m -d - "$out/results.tar.part-"
ls -l "$out"
