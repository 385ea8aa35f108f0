#!/usr/bin/env bash
# capture each fold model of session 17 on its held-out DS1 + CPSC 2021 records with the rules of this build (FusionEval capture); usage: capture-folds.sh NAME
set -euo pipefail
B=tools/bench/EcgStream.FusionEval/bin/Release/net10.0/EcgStream.FusionEval
CV=${CV:-runs/cv-seeds/folds}; OUT=${OUT:-runs/odd-reach/cap}
for v in "$@"; do
  for k in 0 1 2 3 4; do
    recs=$(python3 - $CV/folds.jsonl $k <<'PY'
import json,sys,glob,os
for l in open(sys.argv[1]):
    d=json.loads(l)
    if d['fold']!=int(sys.argv[2]): continue
    for p in d['patients']:
        ds,pat=p.split('/'); pid=pat.split('-')[1]
        if ds=='mitdb':
            if pid in ('102','104','107','217'): continue
            print(f"../shared/data/mitdb/{pid}")
        else:
            for h in sorted(glob.glob(f"../shared/data/cpsc2021/data_{pid}_*.hea")): print(h[:-4])
PY
)
    [ -d $OUT/lopo-$v/fold-$k ] || $B capture --model $CV/fold-$k/model.onnx --out $OUT/lopo-$v/fold-$k $recs 2> $OUT/lopo-$v-fold-$k.log
  done
done
