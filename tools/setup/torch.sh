#!/usr/bin/env bash
# Installs what the libtorch binding needs on Debian 12 and builds its native shim.
#   tools/setup/torch.sh            # install if missing, check BLAS, build libecgtorch.so
#   Torch_DIR=/opt/libtorch/share/cmake/Torch tools/setup/torch.sh   # another libtorch (e.g. CUDA)
#   ECGT_BUILD_DIR=/tmp/ecgt tools/setup/torch.sh                    # build elsewhere
# Idempotent: a second run installs nothing and CMake rebuilds nothing that is up to date.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src="$repo/src/EcgStream.Torch/native"
build="${ECGT_BUILD_DIR:-$src/build}"
multiarch="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"

# ---- packages (only when missing) ----
missing=()
if [[ -z "${Torch_DIR:-}" ]]; then
  for pkg in libtorch-dev libopenblas0-pthread; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
fi
command -v cmake >/dev/null || missing+=(cmake)
command -v g++ >/dev/null || missing+=(g++)
if ((${#missing[@]})); then
  echo "torch.sh: installing ${missing[*]}"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

# ---- BLAS: Debian's libtorch calls whatever libblas.so.3 resolves to ----
# The reference BLAS makes matrix products ~20x slower (7 vs 155 GFLOP/s measured here).
if [[ -z "${Torch_DIR:-}" ]]; then
  blas="$(update-alternatives --query "libblas.so.3-$multiarch" 2>/dev/null | awk '/^Value:/ {print $2}')"
  if [[ "$blas" != *openblas* ]]; then
    echo "torch.sh: ERROR: libblas.so.3 resolves to '${blas:-nothing}', not OpenBLAS." >&2
    echo "  fix: sudo update-alternatives --set libblas.so.3-$multiarch /usr/lib/$multiarch/openblas-pthread/libblas.so.3" >&2
    exit 1
  fi
  echo "torch.sh: BLAS is OpenBLAS ($blas)"
fi

# ---- the shim ----
torch_dir="${Torch_DIR:-}"
if [[ -z "$torch_dir" ]]; then
  for candidate in "/usr/lib/$multiarch/cmake/Torch" /usr/share/cmake/Torch /usr/local/share/cmake/Torch; do
    [[ -f "$candidate/TorchConfig.cmake" ]] && { torch_dir="$candidate"; break; }
  done
fi
[[ -f "$torch_dir/TorchConfig.cmake" ]] || { echo "torch.sh: ERROR: TorchConfig.cmake not found; set Torch_DIR" >&2; exit 1; }

if [[ ! -f "$build/CMakeCache.txt" ]] || ! grep -q "^Torch_DIR:PATH=$torch_dir$" "$build/CMakeCache.txt"; then
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DTorch_DIR="$torch_dir" >/dev/null
fi
cmake --build "$build" -- -j"$(nproc)" | grep -v "^\[.*Built target" || true
[[ -f "$build/libecgtorch.so" ]] || { echo "torch.sh: ERROR: build produced no libecgtorch.so" >&2; exit 1; }

# ---- a quick GEMM probe through the same libtorch libraries (python3-torch, when installed) ----
if [[ -x /usr/bin/python3 ]] && /usr/bin/python3 -c "import torch" 2>/dev/null && [[ -z "${Torch_DIR:-}" ]]; then
  /usr/bin/python3 - <<'PY'
import time, torch
torch.set_num_threads(1)
a = torch.randn(512, 512); b = torch.randn(512, 512)
a @ b
t = time.perf_counter(); n = 10
for _ in range(n): a @ b
g = 2 * 512**3 * n / (time.perf_counter() - t) / 1e9
blas = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.split()[-1]})
print(f"torch.sh: libtorch maps {', '.join(blas) or 'no BLAS library'}")
print(f"torch.sh: single-thread 512x512 GEMM: {g:.0f} GFLOP/s")
# Reference BLAS manages ~3-7 GFLOP/s here; OpenBLAS >= 20 even on a busy machine.
if not any("openblas" in b for b in blas) or g < 8:
    print("torch.sh: WARNING: this looks like reference BLAS; check libblas.so.3")
PY
fi
echo "torch.sh: $build/libecgtorch.so (libtorch from $torch_dir)"
