#!/bin/sh
# vdev smoke test: options are validated, and its output decodes with no gap or loss.
set -eu
VDEV="$1"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$VDEV" --help >/dev/null
if "$VDEV" --drop 2 2>/dev/null; then echo "vdev accepted --drop 2"; exit 1; fi
if "$VDEV" --leads 0x1FFF --frames 1 >/dev/null 2>&1; then echo "vdev accepted a 13-bit lead mask"; exit 1; fi
"$VDEV" --max --frames 200 --leads 12 > "$out"
# 1 INFO (31 bytes + 15 firmware) + 200 DATA frames of 260 bytes + 3 repeated INFO (every 50 frames)
size=$(wc -c < "$out")
want=$(( (31 + 15) * 4 + 200 * 260 ))
[ "$size" -eq "$want" ] || { echo "vdev wrote $size bytes, expected $want"; exit 1; }
echo ok
