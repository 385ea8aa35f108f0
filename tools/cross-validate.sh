#!/usr/bin/env bash
# Leave-patient-out cross-validation of the rhythm-path head over the annotated streams (MIT-BIH, CPSC 2021):
# the patients are dealt into K folds (`benchmark folds`); per fold a head is trained without that fold's patients
# (`train probe` on the fold's split file), exported, and the fold's records are replayed (`benchmark --fold`);
# `benchmark pool` pools the folds. As for the shipped teacher, each fold trains a head per seed in HEAD_SEEDS and
# keeps the one with the best PhysioNet 2017 validation score (tools/rhythm-head.sh; heads now and then stall).
# Nothing is tuned on the fold it reports: the head is chosen and its thresholds set on the base file's validation
# split, the fusion settings are the defaults.
#
#   tools/cross-validate.sh ENCODER BASE_SPLITS OUT_DIR      (env: DATA, FOLDS, STEPS, HEAD_SEEDS, ECGSTREAM)
#
# ENCODER should not have been fine-tuned with labels of these patients: the self-supervised pretraining encoder
# (`train pretrain`'s encoder.safetensors) is; a fine-tuned encoder (runs/ft) has seen them and would leak.
# Resumable: a fold whose model or benchmark exists is not redone, so a changed recipe needs a new OUT_DIR.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -eq 3 ] || { echo "usage: tools/cross-validate.sh ENCODER BASE_SPLITS OUT_DIR" >&2; exit 2; }
encoder=$1; base=$2; out=$3
data=${DATA:-$root/../shared/data}; folds=${FOLDS:-5}; steps=${STEPS:-3000}; head_seeds=(${HEAD_SEEDS:-1 2 3})
ecg=${ECGSTREAM:-$root/tools/ecgstream}
mkdir -p "$out"
"$ecg" benchmark folds --split "$base" --data-root "$data" --folds "$folds" --out "$out" > "$out/folds.jsonl"
for ((k = 0; k < folds; k++)); do
  d="$out/fold-$k"
  if [ ! -f "$d/model.onnx" ]; then
    # a head per seed, each scored on the PhysioNet 2017 validation records (not the fold's): the best is the fold's
    # model, as tools/train-model.sh chooses the shipped teacher
    best=""; best_score=-1
    for h in "${head_seeds[@]}"; do
      score=$(DATA="$data" STEPS="$steps" ECGSTREAM="$ecg" "$root/tools/rhythm-head.sh" "$encoder" "$d/splits.json" "$d/head-s$h" "$h" \
        "cv-fold-$k" "fold $k of $base: its patients held out (head seed $h)" | tail -1)
      echo "fold $k, head seed $h: 2017 validation AF AUROC + SR AUROC = $score"
      if [ "$score" != none ] && awk -v a="$score" -v b="$best_score" 'BEGIN { exit !(a > b) }'; then
        best=$h; best_score=$score
      fi
    done
    [ -n "$best" ] || { echo "cross-validate.sh: fold $k: no head was scored on the validation records" >&2; exit 1; }
    echo "head seed $best (2017 validation AF AUROC + SR AUROC $best_score)" > "$d/head-choice.txt"
    cp "$d/head-s$best/model.onnx" "$d/model.tmp.onnx" && mv "$d/model.tmp.onnx" "$d/model.onnx"   # a partial copy is never the fold's model
  fi
  if [ ! -f "$d/benchmark/benchmark.md" ]; then
    "$ecg" benchmark --data-root "$data" --split "$d/splits.json" --records test --datasets mitdb cpsc2021 \
      --model "$d/model.onnx" --fold "$k" --out "$d/benchmark" > "$d/benchmark.log" 2>&1
  fi
  echo "fold $k done"
done
"$ecg" benchmark pool "$out"/fold-*/benchmark/benchmark.jsonl --out "$out/pooled" > /dev/null
echo "pooled: $out/pooled/benchmark.md"
