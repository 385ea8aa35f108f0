#!/usr/bin/env bash
# Synthetic AF mimics without AF, five patients each, 15 min per record (1.25 h per kind), 2 leads at 250 Hz, SNR 24 dB;
# every source's false AF episodes. Kinds: sinus rhythm with premature atrial beats (PAC) at 10, 20, 30 % of the sinus
# beats; sinus bradycardia at 48/min with 40 % PACs; sinus arrhythmia at 58/min.
# usage (from the repository root): docs/runs/2026-12-05/pac-synthetic/run.sh OUT
set -euo pipefail
out=${1:?usage: run.sh OUT}; mkdir -p "$out/scen" "$out/rec"; : > "$out/evaluate.jsonl"
segment() {
  case $1 in
    pac10|pac20|pac30) echo "{ \"rhythm\": \"PAC\", \"durationSeconds\": 900, \"ectopyRate\": 0.${1#pac} }" ;;
    sbrad-pac40) echo '{ "rhythm": "SBRAD", "durationSeconds": 900, "heartRate": 48, "ectopy": "pac", "ectopyRate": 0.4 }' ;;
    sinus-arrhythmia) echo '{ "rhythm": "SINUS_ARRHYTHMIA", "durationSeconds": 900, "heartRate": 58 }' ;;
  esac
}
for kind in pac10 pac20 pac30 sbrad-pac40 sinus-arrhythmia; do
  for seed in 1 2 3 4 5; do
    n=$kind-s$seed
    cat > "$out/scen/$n.json" <<JSON
{ "seed": $seed, "sampleRate": 250, "leads": ["I", "II"], "noise": { "snr": 24, "baselineWander": 1, "muscle": 0.5 },
  "segments": [ $(segment $kind) ] }
JSON
    tools/ecgstream simulate --scenario "$out/scen/$n.json" --out "$out/rec" > /dev/null 2>&1
  done
  tools/ecgstream evaluate $(ls "$out"/rec/$kind-s*.hea | sed 's/.hea$//') --model models/ecgstream.onnx 2> /dev/null \
    | sed "s/^{/{\"kind\":\"$kind\",/" >> "$out/evaluate.jsonl"
done
grep '"record":"ALL"' "$out/evaluate.jsonl"
