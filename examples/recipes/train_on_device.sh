#!/usr/bin/env bash
# Everything the presets need a GPU for, in one device call of under 10 minutes:
# the seven restoration recipes (train_all_gpu.sh) and the two text GAN `train`
# stages (train_text_gan_gpu.sh) side by side on one GPU, written under OUT.
#
# Here first: bash examples/recipes/prepare_device.sh, and keep the working
# tree small (the device copy of it is limited: move presets/ aside). On the
# device, with `.gpu` carried:
#   pip install -q --no-index --no-deps --target /tmp/site .gpu/whl/*.whl \
#     && export PYTHONPATH=/tmp/site:$PWD && bash examples/recipes/train_on_device.sh "$OUT"
# Back here, for each restoration preset in OUT/presets whose val margins beat
# the shipped one, copy it into presets/; then
#   python examples/recipes/text_gan_tiny.py --stage assemble --trained OUT/text_gan/text_gan_tiny
#   python examples/recipes/text_gan_minilm.py --stage assemble --trained OUT/text_gan/text_gan_minilm
# and `make benchmark`.
#
# SMOKE=1 runs the same processes for a few steps at toy sizes (a CPU check
# that the device call will not fail on a typo).
set -u
out=${1:?usage: train_on_device.sh OUT}
here=$(dirname "$0")
mkdir -p "$out"
gpu=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
export HARDWARE="${gpu:-$(uname -m) CPU}, shared by 9 concurrent recipes"
# 7 x 0.07 + 2 x 0.2 of the GPU's memory, allocated on demand.
if [ "${SMOKE:-0}" = 1 ]; then
  restore_args=(--steps 4 --batch-size 2 --patch-size 64)
  gan_args=(--steps 2 --width 2 --renders 1 --batch-size 4 --jit-compile false)
  # A CPU evaluates the val images far slower than the GPU the cap is for.
  RESTORE_CAP_MINUTES=${RESTORE_CAP_MINUTES:-20}
else
  restore_args=()
  gan_args=()
fi
BUDGET=${RESTORE_BUDGET:-270} CAP_MINUTES=${RESTORE_CAP_MINUTES:-5} RESTORE_MEM_FRACTION=0.07 \
  bash "$here/train_all_gpu.sh" "$out/presets" "$out/logs" "${restore_args[@]}" &
BUDGET=${GAN_BUDGET:-420} GAN_MEM_FRACTION=0.2 \
  bash "$here/train_text_gan_gpu.sh" "$out/text_gan" "${gan_args[@]}" &
wait
