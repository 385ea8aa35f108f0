#!/usr/bin/env bash
# Runs `ecgstream bench inference` and tools/bench/ort-node-bench.js on the same models and the
# same native library, interleaved (ours, node, ours, node …) so machine load hits both alike, and
# prints one JSON line per measurement plus a summary of process CPU time per run (wall-clock
# latency is in the JSON lines; on a loaded machine CPU time is the steadier comparison).
#   tools/bench/compare-node.sh [runs=1000] [repeats=3]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-1000}"
repeats="${2:-3}"
cd "$root"
tools/bench/setup-node.sh >&2
dotnet build src/EcgStream.Cli -c Release -nologo -v q -clp:ErrorsOnly >&2
cli="src/EcgStream.Cli/bin/Release/net10.0/ecgstream"
out="$root/.deps/bench"
mkdir -p "$out"
"$cli" bench inference --builtin encoder --save-model "$out/encoder.onnx" --runs 1 --warmup 0 >/dev/null
"$cli" bench inference --builtin tiny --save-model "$out/tiny.onnx" --runs 1 --warmup 0 >/dev/null

summary=()
for spec in "tiny.onnx 1 $((runs * 10))" "encoder.onnx 1 $runs" "encoder.onnx 8 $((runs / 4))" "encoder.onnx 32 $((runs / 16))"; do
  read -r model batch n <<<"$spec"
  ours_total=0; node_total=0
  for ((r = 0; r < repeats; r++)); do
    ours="$("$cli" bench inference --model "$out/$model" --batch "$batch" --threads 1 --runs "$n" --warmup 20)"
    node="$(node tools/bench/ort-node-bench.js --model "$out/$model" --batch "$batch" --threads 1 --runs "$n" --warmup 20)"
    echo "{\"frontend\":\"ecgstream\",\"result\":$(echo "$ours" | tr -d '\n ')}"
    echo "{\"frontend\":\"node\",\"result\":$(echo "$node" | tr -d '\n ')}"
    ours_total="$(echo "$ours" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).cpu_ms_per_run))' | awk -v t="$ours_total" '{ print t + $1 }')"
    node_total="$(echo "$node" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).cpu_ms_per_run))' | awk -v t="$node_total" '{ print t + $1 }')"
  done
  summary+=("$(awk -v m="$model" -v b="$batch" -v o="$ours_total" -v n="$node_total" -v k="$repeats" \
    'BEGIN { printf "%-14s batch %-3s CPU ms/run: ecgstream %.4f  node %.4f  ecgstream/node %.3f", m, b, o / k, n / k, o / n }')")
done
printf '%s\n' "${summary[@]}" >&2
