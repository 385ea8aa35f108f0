#!/usr/bin/env bash
# Synthetic sinus rhythm with premature atrial beats (PAC) at 10, 20, 30 % of the sinus beats, five patients each,
# 15 min per record, 2 leads at 250 Hz, SNR 24 dB; every source's false AF episodes (no AF in the truth).
# usage (from the repository root): docs/runs/2026-12-05/pac-synthetic/run.sh OUT
set -euo pipefail
out=${1:?usage: run.sh OUT}; mkdir -p "$out/scen" "$out/rec"
for rate in 10 20 30; do
  for seed in 1 2 3 4 5; do
    n=pac-r$rate-s$seed
    cat > "$out/scen/$n.json" <<JSON
{ "seed": $seed, "sampleRate": 250, "leads": ["I", "II"], "noise": { "snr": 24, "baselineWander": 1, "muscle": 0.5 },
  "segments": [ { "rhythm": "PAC", "durationSeconds": 900, "ectopyRate": 0.$rate } ] }
JSON
    tools/ecgstream simulate --scenario "$out/scen/$n.json" --out "$out/rec" > /dev/null 2>&1
  done
  tools/ecgstream evaluate $(ls "$out"/rec/pac-r$rate-s*.hea | sed 's/.hea$//') --model models/ecgstream.onnx 2> /dev/null \
    | sed "s/^{/{\"pac_rate\":0.$rate,/" >> "$out/evaluate.jsonl"
done
grep '"record":"ALL"' "$out/evaluate.jsonl"
