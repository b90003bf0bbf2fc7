#!/usr/bin/env bash
# Rebuilds every restoration preset at once on one GPU (JAX, mixed_bfloat16).
#
# The recipes run side by side, one process each, sharing the GPU: small
# models leave most of an H100 idle, so seven together train far more per
# minute than seven in a row. Each one sizes its steps to BUDGET seconds
# from its measured rate and stops at CAP_MINUTES whatever happens.
#
#   BUDGET=240 CAP_MINUTES=5 bash examples/recipes/train_all_gpu.sh presets logs [ARGS...]
#
# Presets land in $1 (default presets/), one log per recipe in $2; ARGS go to
# every recipe, after its own. With RESUME_DIR (e.g. presets), a recipe whose
# preset is there continues from it (`--resume`) instead of starting over, so
# each GPU call adds to the training of the last.
set -u
dest=${1:-presets}
logs=${2:-logs}
shift $(($# < 2 ? $# : 2))
extra=("$@")
budget=${BUDGET:-240}
cap=${CAP_MINUTES:-5}
hardware=${HARDWARE:-"$(nvidia-smi --query-gpu=name --format=csv,noheader | head -1), shared by 7 concurrent recipes"}
mkdir -p "$dest" "$logs"
export KERAS_BACKEND=jax PYTHONUNBUFFERED=1
export XLA_PYTHON_CLIENT_PREALLOCATE=false XLA_PYTHON_CLIENT_MEM_FRACTION=${RESTORE_MEM_FRACTION:-0.13}

recipe() {
  local name=$1 resume=()
  shift
  if [ -n "${RESUME_DIR:-}" ] && [ -f "$RESUME_DIR/$name/config.json" ]; then
    resume=(--resume "$RESUME_DIR/$name")
  fi
  timeout $((cap * 60 + 200)) "${PYTHON:-python3}" "examples/recipes/$name.py" \
    --mixed-precision --time-budget "$budget" --max-minutes "$cap" \
    --hardware "$hardware" --output "$dest/$name" "${resume[@]}" "$@" "${extra[@]}" >"$logs/$name.log" 2>&1
  echo "$name exit $?"
}

recipe dncnn_color_blind &
recipe espcn_x2 &
recipe espcn_x4 &
recipe edsr_x2 &
recipe edsr_x4 &
recipe nafnet_deblur --batch-size 32 &
recipe inpaint_unet --batch-size 32 &
wait
