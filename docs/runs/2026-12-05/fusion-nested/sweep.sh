#!/usr/bin/env bash
# Every fold's held-out records (leave-patient-out, DS1 + CPSC 2021) replayed under each fusion setting: model-confident
# MC × not-against NA. Fold models: tools/cross-validate.sh's OUT/fold-K/model.onnx. Resumable.
#   sweep.sh CV_DIR OUT "MC values" "NA values"        (env: ECGSTREAM, DATA)
set -uo pipefail
cv=$1; out=$2; mcs=$3; nas=$4
E=${ECGSTREAM:-tools/ecgstream}; D=${DATA:-../shared/data}
for mc in $mcs; do for na in $nas; do for k in 0 1 2 3 4; do
  d=$out/mc$mc-na$na/fold-$k; [ -f $d/benchmark.jsonl ] && continue; mkdir -p $(dirname $d)
  $E benchmark --data-root $D --split $cv/fold-$k/splits.json --records test --datasets mitdb cpsc2021 \
    --model $cv/fold-$k/model.onnx --fold $k --fusion-model-confident $mc --fusion-not-against $na --out $d > $d.log 2>&1 \
    || echo "failed: $d"
done; done; done
