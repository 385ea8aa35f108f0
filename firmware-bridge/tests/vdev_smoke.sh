#!/bin/sh
# vdev smoke test: options are validated, --parent-pid ends it, and its output decodes with no gap or loss.
set -eu
VDEV="$1"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$VDEV" --help >/dev/null
if "$VDEV" --drop 2 2>/dev/null; then echo "vdev accepted --drop 2"; exit 1; fi
if "$VDEV" --leads 0x1FFF --frames 1 >/dev/null 2>&1; then echo "vdev accepted a 13-bit lead mask"; exit 1; fi
if "$VDEV" --parent-pid 0 2>/dev/null; then echo "vdev accepted --parent-pid 0"; exit 1; fi
# a PID that names no process is a usage error (status 2), not a parent that has ended (status 0)
sleep 0 & gone=$!; wait "$gone"
set +e; "$VDEV" --tcp-listen 0 --parent-pid "$gone" 2>/dev/null; status=$?; set -e
[ "$status" -eq 2 ] || { echo "vdev --parent-pid of no process: status $status, 2 expected"; exit 1; }
# --parent-pid: a listener with no client would wait for ever; it ends (status 0) once that process is killed
sleep 60 & parent=$!
timeout 10 "$VDEV" --tcp-listen 0 --parent-pid "$parent" > "$out" & listener=$!
i=0; until [ -s "$out" ]; do i=$((i + 1)); [ "$i" -le 100 ] || { echo "vdev --tcp-listen did not start"; exit 1; }; sleep 0.1; done
kill -9 "$parent"
wait "$parent" 2>/dev/null || true # reaped: a zombie still answers kill -0
status=0; wait "$listener" || status=$?
[ "$status" -eq 0 ] || { echo "vdev --parent-pid: status $status after its parent was killed (124: still running 10 s later)"; exit 1; }
"$VDEV" --max --frames 200 --leads 12 > "$out"
# 1 INFO (31 bytes + 15 firmware) + 200 DATA frames of 260 bytes + 3 repeated INFO (every 50 frames)
size=$(wc -c < "$out")
want=$(( (31 + 15) * 4 + 200 * 260 ))
[ "$size" -eq "$want" ] || { echo "vdev wrote $size bytes, expected $want"; exit 1; }
echo ok
