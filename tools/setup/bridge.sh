#!/usr/bin/env bash
# Configure and build the firmware bridge (C library, vdev, tests) with CMake. Idempotent:
# configures once, then rebuilds only what changed. Output: firmware-bridge/build/{vdev,...}.
# Run its tests with: ctest --test-dir firmware-bridge/build --output-on-failure
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src="$root/firmware-bridge"
build="$src/build"
command -v cmake >/dev/null || { echo "bridge.sh: cmake not found (apt-get install cmake)"; exit 1; }
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build" -- -s >/dev/null
echo "bridge.sh: built $build (vdev, test_vectors, fuzz_decoder, bench_decoder)"
