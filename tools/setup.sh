#!/usr/bin/env bash
# One-time (and idempotent) setup on a Debian 12 machine that has the .NET SDK:
#   apt packages -> libtorch shim -> firmware bridge -> Release build of the solution (ONNX Runtime
#   comes from NuGet: Microsoft.ML.OnnxRuntime; `OrtPackage=Gpu tools/setup.sh` builds on the GPU package). Safe to run twice: every step skips what is already done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# --- Debian packages ------------------------------------------------------------------------
# cmake/g++: native shim and firmware bridge;
# libtorch-dev + libopenblas0-pthread: the training engine (without OpenBLAS libtorch's
# matrix products run ~20x slower); chromium: the daemon's live-view test (headless, driven by
# Microsoft.Playwright; the test skips without it).
packages=(cmake g++ make pkg-config libtorch-dev libopenblas0-pthread chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  say "Debian packages present"
fi

# --- native pieces ----------------------------------------------------------------------------
for step in tools/setup/torch.sh tools/setup/bridge.sh; do
  if [ -x "$step" ]; then say "running $step"; "$step"; fi
done

# --- the solution -----------------------------------------------------------------------------
say "building EcgStream.sln (Release)"
dotnet build EcgStream.sln -c Release -nologo -v quiet -clp:ErrorsOnly
say "done. Try: tools/ecgstream info"
