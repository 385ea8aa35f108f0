#!/usr/bin/env bash
# One rhythm-path head (contract v2) on a frozen encoder: trained on OUT/splits.json's train records, exported to
# OUT/model.onnx and scored on that split's PhysioNet 2017 validation records (OUT/validation/benchmark.jsonl).
# Prints the score, AF AUROC + SR AUROC (threshold-free), as its last line, or "none" where the benchmark gave none.
# With the learning rate reached after 20 steps, 8 of 21 heads in session 17 stalled on a training-loss plateau
# (validation score 1.78-1.82 against 1.87-1.89); with 300 steps of warm-up (WARMUP) each of six such heads trained
# normally (docs/runs/2026-12-05/head-warmup/). Heads still vary with their seed, so callers train a few and keep the
# best score: tools/train-model.sh for the teacher, tools/cross-validate.sh per fold.
# The test records are not read.
#
#   tools/rhythm-head.sh ENCODER SPLITS OUT SEED MODEL_ID TRAINING_DATA      (env: DATA, STEPS, WARMUP, ECGSTREAM)
#
# Resumable: the head is redone when its model is missing, older than ENCODER or made with other settings (seed, steps,
# warm-up: OUT/recipe.txt); the benchmark when it is older than the model or lacks its summary line (an interrupted run).
# Runs shorter than 301 steps warm up for STEPS-1 (they never reach the cosine decay: smoke tests).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -eq 6 ] || { echo "usage: tools/rhythm-head.sh ENCODER SPLITS OUT SEED MODEL_ID TRAINING_DATA" >&2; exit 2; }
encoder=$1; splits=$2; out=$3; seed=$4; model_id=$5; training_data=$6
data=${DATA:-$root/../shared/data}; steps=${STEPS:-3000}
warmup=${WARMUP:-$(( steps > 300 ? 300 : steps - 1 ))}
ecg=${ECGSTREAM:-$root/tools/ecgstream}
[ -f "$encoder" ] || { echo "rhythm-head.sh: encoder '$encoder': no such file" >&2; exit 2; }
[ -f "$splits" ] || { echo "rhythm-head.sh: splits '$splits': no such file" >&2; exit 2; }
mkdir -p "$out"
[ "$splits" -ef "$out/splits.json" ] || cp "$splits" "$out/splits.json"
# a step's output goes to OUT/train.log; where it fails, its last lines come to stderr
logged() { local what=$1; shift; "$@" >> "$out/train.log" 2>&1 || { echo "rhythm-head.sh: $what failed ($out/train.log):" >&2; tail -n 3 "$out/train.log" >&2; exit 1; }; }
recipe="seed $seed, steps $steps, warm-up $warmup, batch 64, lr 3e-3, windows 3000"
if [ ! "$out/model.onnx" -nt "$encoder" ] || [ "$(cat "$out/recipe.txt" 2>/dev/null)" != "$recipe" ]; then
  rm -f "$out/model.onnx" "$out/recipe.txt"; : > "$out/train.log"
  logged "train probe" "$ecg" train probe --encoder "$encoder" --out "$out" --head pma --rhythm-path --data real+synthetic --data-root "$data" \
    --windows 3000 --steps "$steps" --warmup "$warmup" --batch 64 --lr 3e-3 --seed "$seed"
  # exported under another name first: an interrupted export leaves no model.onnx that looks finished
  logged "train export" "$ecg" train export --encoder "$encoder" --head "$out/head.safetensors" --out "$out/model.tmp.onnx" --model-id "$model_id" \
    --training-data "$training_data" --commit "$(git -C "$root" rev-parse --short HEAD)"
  mv "$out/model.tmp.onnx" "$out/model.onnx" && echo "$recipe" > "$out/recipe.txt"
fi
bench="$out/validation/benchmark.jsonl"
{ [ "$bench" -nt "$out/model.onnx" ] && grep -q '"record":"ALL"' "$bench"; } || logged "benchmark" "$ecg" benchmark --data-root "$data" \
  --split "$out/splits.json" --records validation --datasets physionet2017 --model "$out/model.onnx" --out "$out/validation"
# both AUROCs are required: a null one (a class without validation records) gives no score
score=$(sed -n 's/.*"record":"ALL".*"auroc_a":\([0-9.][0-9.]*\),"auroc_n":\([0-9.][0-9.]*\),.*/\1 \2/p' "$bench" \
  | awk '{ printf "%.4f", $1 + $2 }')
echo "${score:-none}"
