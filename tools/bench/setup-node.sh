#!/usr/bin/env bash
# onnxruntime-node for the node comparison benchmark, installed into .deps/node-bench without
# running install scripts, and checked to carry the very same libonnxruntime.so.1 as our setup
# (tools/setup/ort.sh), so the comparison measures the front ends and nothing else. Idempotent.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="1.30.0"
dir="$root/.deps/node-bench"
"$root/tools/setup/ort.sh"
case "$(uname -m)" in aarch64|arm64) arch=arm64 ;; *) arch=x64 ;; esac
pkg="$dir/node_modules/onnxruntime-node"
if [ ! -f "$pkg/package.json" ] || [ "$(node -p "require('$pkg/package.json').version")" != "$version" ]; then
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{ "name": "ecgstream-ort-node-bench", "private": true }' > "$dir/package.json"
  (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --silent "onnxruntime-node@$version")
fi
ours="$(sha256sum "$root/.deps/onnxruntime/linux-$arch/libonnxruntime.so.1" | cut -d' ' -f1)"
node_lib="$(ls "$pkg"/bin/napi-v*/linux/$arch/libonnxruntime.so.1 | head -n 1)"
theirs="$(sha256sum "$node_lib" | cut -d' ' -f1)"
if [ "$ours" != "$theirs" ]; then
  echo "setup-node: $node_lib differs from our libonnxruntime.so.1 ($theirs vs $ours)" >&2
  exit 1
fi
echo "setup-node: onnxruntime-node $version ready; same native library as ours (sha256 $ours)"
