#!/usr/bin/env bash
# whole-pipeline check of the LOPO figures: session 17's fold models, today's rules (a Release build of e81b5bd)
set -euo pipefail
E=${ECGSTREAM:-tools/ecgstream}; D=../shared/data; CV=${CV:-runs/cv-seeds/folds}; O=${OUT:-runs/odd-reach/bench}
mkdir -p $O
for k in 0 1 2 3 4; do
  [ -f $O/fold-$k/benchmark.md ] || $E benchmark --data-root $D --split $CV/fold-$k/splits.json --records test --datasets mitdb cpsc2021 \
      --model $CV/fold-$k/model.onnx --fold $k --out $O/fold-$k > $O/fold-$k.log 2>&1
done
cat $O/fold-*/benchmark.jsonl | grep -v -E '"record":"(ALL|102|104|107|217)"' | grep '"rhythm":"AF"' > $O/ds1-cpsc.jsonl
$E benchmark pool $O/ds1-cpsc.jsonl --out $O/pooled
