#!/usr/bin/env bash
# ONNX Runtime native library for EcgStream.Inference, taken from the npm package onnxruntime-node
# at a pinned version. The tarball is fetched with `npm pack` (no install scripts run), checked
# against the SHA-256 committed beside this script, and only libonnxruntime.so.1 for linux-x64 and
# linux-arm64 is extracted to .deps/onnxruntime/linux-<arch>/. EcgStream.Inference.csproj copies the
# host's copy beside every build output that references it.
# Idempotent: a second run checks a stamp and exits without downloading anything.
# Environment: ORT_NPM_TARBALL=/path/to/onnxruntime-node-X.tgz uses a local tarball (offline).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="1.30.0"
hash_file="$root/tools/setup/onnxruntime-node.sha256"
deps="$root/.deps"
tgz_name="onnxruntime-node-$version.tgz"
tgz="$deps/npm/$tgz_name"
out="$deps/onnxruntime"
stamp="$out/.stamp"
say() { printf '\033[1mort:\033[0m %s\n' "$*"; }

expected="$(awk -v f="$tgz_name" '$2 == f { print $1 }' "$hash_file")"
[ -n "$expected" ] || { echo "ort: no SHA-256 for $tgz_name in $hash_file" >&2; exit 1; }

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$expected" ] \
   && [ -f "$out/linux-x64/libonnxruntime.so.1" ] && [ -f "$out/linux-arm64/libonnxruntime.so.1" ]; then
  say "onnxruntime $version present ($out)"
  exit 0
fi

mkdir -p "$deps/npm"
if [ ! -f "$tgz" ]; then
  if [ -n "${ORT_NPM_TARBALL:-}" ]; then
    cp "$ORT_NPM_TARBALL" "$tgz"
  else
    command -v npm >/dev/null || { echo "ort: npm not found (apt-get install npm)" >&2; exit 1; }
    say "fetching onnxruntime-node@$version with npm pack (no install scripts)"
    (cd "$deps/npm" && npm pack "onnxruntime-node@$version" --ignore-scripts --silent >/dev/null)
  fi
fi

actual="$(sha256sum "$tgz" | awk '{ print $1 }')"
if [ "$actual" != "$expected" ]; then
  rm -f "$tgz"
  echo "ort: SHA-256 mismatch for $tgz_name: expected $expected, got $actual (file removed)" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$tgz" -C "$tmp" --wildcards 'package/bin/napi-v*/linux/*/libonnxruntime.so.1'
for arch in x64 arm64; do
  src="$(ls "$tmp"/package/bin/napi-v*/linux/$arch/libonnxruntime.so.1 | head -n 1)"
  [ -f "$src" ] || { echo "ort: $tgz_name holds no linux/$arch/libonnxruntime.so.1" >&2; exit 1; }
  mkdir -p "$out/linux-$arch"
  install -m 0644 "$src" "$out/linux-$arch/libonnxruntime.so.1"
done
echo "$expected" > "$stamp"
say "onnxruntime $version unpacked to $out (linux-x64, linux-arm64)"
