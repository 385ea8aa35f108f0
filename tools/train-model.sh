#!/usr/bin/env bash
# Reproduces the shipped model (models/ecgstream.onnx) from ../shared/data and the generator:
# masked pretraining → layer analysis (per-layer probes, last layer, PPA, PMA gates) → PMA head on
# real + synthetic windows (frozen, then fine-tuned with the encoder) with validation thresholds →
# ONNX export (contract v2: the PMA encoder beside the rhythm path) → AF events vs the rules.
# Every step resumes or is cheap to redo; run folders go under RUNS (default runs/, git-ignored).
# Usage: tools/train-model.sh [RUNS]      (after tools/setup.sh; about an hour on 2 CPU cores)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-$root/runs}"
data="${ECGSTREAM_DATA:-$root/../shared/data}"
ecg="$root/tools/ecgstream"
mkdir -p "$runs/layers" "$runs/pma" "$runs/ft"

# 1. Masked pretraining of the default (small) encoder on the real train split.
"$ecg" train pretrain --out "$runs/pre" --config small --data real --data-root "$data" \
  --steps 4000 --batch 32 --warmup 200 --lr 1e-3 --checkpoint-every 250 --seed 1
cp "$runs/pre/splits.json" "$runs/layers/splits.json"
cp "$runs/pre/splits.json" "$runs/pma/splits.json"

# 2. Layer analysis on the real held-out split: a probe per layer, last layer, PPA, both PMA gates.
"$ecg" train layers --encoder "$runs/pre/encoder.safetensors" --out "$runs/layers" --data real --data-root "$data" \
  --steps 1000 --batch 64 --lr 3e-3 --seed 1

# 3. A frozen-encoder PMA head on real + synthetic windows, for comparison with the fine-tuned one.
"$ecg" train probe --encoder "$runs/pre/encoder.safetensors" --out "$runs/pma" --head pma --gate "${GATE:-per-layer}" \
  --data real+synthetic --data-root "$data" --windows 3000 --steps 1500 --batch 64 --lr 3e-3 --seed 1

# 4. The shipped model: encoder + PMA head with the rhythm path (RR features of the last 60 s, contract v2)
#    fine-tuned together on real + synthetic windows with masked labels (the rare classes come from the
#    generator; 2017 "O" and rhythms outside the class set are hard negatives); thresholds chosen on the
#    validation records (median over each record's windows); scored on the real test split and on unseen
#    synthetic patients apart. Then export with contract-v2 metadata.
mkdir -p "$runs/ft" && cp "$runs/pre/splits.json" "$runs/ft/splits.json"
"$ecg" train probe --encoder "$runs/pre/encoder.safetensors" --out "$runs/ft" --head pma --gate "${GATE:-per-layer}" \
  --data real+synthetic --data-root "$data" --windows 3000 --steps 1500 --batch 32 --lr 5e-4 --fine-tune --rhythm-path --seed 1
"$ecg" train export --encoder "$runs/ft/encoder.safetensors" --head "$runs/ft/head.safetensors" \
  --out "$runs/ecgstream.onnx" --model-id "ecgstream-stmem-small-pma-rr-2" \
  --training-data "real train split of ../shared/data + synthetic" --commit "$(git -C "$root" rev-parse --short HEAD)"

# 5. AF episodes, model beside rules, on MIT-BIH 201/203 and CPSC 2021.
"$ecg" evaluate --model "$runs/ecgstream.onnx" "$data/mitdb/201" "$data/mitdb/203" "$data"/cpsc2021/data_* \
  | tee "$runs/evaluate-af.jsonl"
