#!/bin/sh
# vdev smoke test: options are validated, --parent-pid ends it, and its output decodes with no gap or loss.
set -eu
VDEV="$1"
out=$(mktemp)
parent=""; listener=""
# nothing of this script outlives it (a process left holding ctest's output pipe keeps ctest waiting)
trap 'kill $parent $listener 2>/dev/null || true; rm -f "$out"' EXIT
# Every vdev run is bounded: vdev's default is to run for ever, so an option it wrongly accepted would hang the test.
# A refused option is a usage error, status 2 (124: still running after 10 s).
usage_error() {
  set +e; timeout 10 "$VDEV" "$@" >/dev/null 2>&1; status=$?; set -e
  [ "$status" -eq 2 ] || { echo "vdev $*: status $status, 2 (usage error) expected"; exit 1; }
}
timeout 10 "$VDEV" --help >/dev/null
usage_error --drop 2
usage_error --leads 0x1FFF --frames 1
usage_error --parent-pid 0
# a PID that names no process is a usage error, not a parent that has ended (status 0)
sleep 0 & gone=$!; wait "$gone"
usage_error --tcp-listen 0 --parent-pid "$gone"
# --parent-pid: a listener with no client would wait for ever; it ends (status 0) once that process is killed
sleep 60 & parent=$!
timeout 10 "$VDEV" --tcp-listen 0 --parent-pid "$parent" > "$out" & listener=$!
i=0; until [ -s "$out" ]; do i=$((i + 1)); [ "$i" -le 100 ] || { echo "vdev --tcp-listen did not start"; exit 1; }; sleep 0.1; done
kill -9 "$parent"
wait "$parent" 2>/dev/null || true # reaped: a zombie still answers kill -0
status=0; wait "$listener" || status=$?
[ "$status" -eq 0 ] || { echo "vdev --parent-pid: status $status after its parent was killed (124: still running 10 s later)"; exit 1; }
timeout 10 "$VDEV" --max --frames 200 --leads 12 > "$out"
# 1 INFO (31 bytes + 15 firmware) + 200 DATA frames of 260 bytes + 3 repeated INFO (every 50 frames)
size=$(wc -c < "$out")
want=$(( (31 + 15) * 4 + 200 * 260 ))
[ "$size" -eq "$want" ] || { echo "vdev wrote $size bytes, expected $want"; exit 1; }
echo ok
