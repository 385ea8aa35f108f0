#!/usr/bin/env bash
# Leave-patient-out cross-validation of the rhythm-path head over the annotated streams (MIT-BIH, CPSC 2021):
# the patients are dealt into K folds (`benchmark folds`); per fold a head is trained without that fold's patients
# (`train probe` on the fold's split file), exported, and the fold's records are replayed (`benchmark --fold`);
# `benchmark pool` pools the folds. Nothing is tuned on the fold it reports: thresholds come from the base file's
# validation split, the fusion settings are the defaults.
#
#   tools/cross-validate.sh ENCODER BASE_SPLITS OUT_DIR      (env: DATA, FOLDS, STEPS, ECGSTREAM)
#
# ENCODER should not have been fine-tuned with labels of these patients: the self-supervised pretraining encoder
# (`train pretrain`'s encoder.safetensors) is; a fine-tuned encoder (runs/ft) has seen them and would leak.
# Resumable: a fold whose model or benchmark exists is not redone.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -eq 3 ] || { echo "usage: tools/cross-validate.sh ENCODER BASE_SPLITS OUT_DIR" >&2; exit 2; }
encoder=$1; base=$2; out=$3
data=${DATA:-$root/../shared/data}; folds=${FOLDS:-5}; steps=${STEPS:-3000}
ecg=${ECGSTREAM:-$root/tools/ecgstream}
mkdir -p "$out"
"$ecg" benchmark folds --split "$base" --data-root "$data" --folds "$folds" --out "$out" > "$out/folds.jsonl"
for ((k = 0; k < folds; k++)); do
  d="$out/fold-$k"
  if [ ! -f "$d/model.onnx" ]; then
    "$ecg" train probe --encoder "$encoder" --out "$d" --head pma --rhythm-path --data real+synthetic --data-root "$data" \
      --windows 3000 --steps "$steps" --batch 64 --lr 3e-3 --seed 1 > "$d/train.log" 2>&1
    "$ecg" train export --encoder "$encoder" --head "$d/head.safetensors" --out "$d/model.onnx" --model-id "cv-fold-$k" \
      --training-data "fold $k of $base: its patients held out" --commit "$(git -C "$root" rev-parse --short HEAD)" >> "$d/train.log" 2>&1
  fi
  if [ ! -f "$d/benchmark/benchmark.md" ]; then
    "$ecg" benchmark --data-root "$data" --split "$d/splits.json" --records test --datasets mitdb cpsc2021 \
      --model "$d/model.onnx" --fold "$k" --out "$d/benchmark" > "$d/benchmark.log" 2>&1
  fi
  echo "fold $k done"
done
"$ecg" benchmark pool "$out"/fold-*/benchmark/benchmark.jsonl --out "$out/pooled" > /dev/null
echo "pooled: $out/pooled/benchmark.md"
