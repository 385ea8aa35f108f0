#!/usr/bin/env bash
# One-time (and idempotent) setup on a Debian 12 machine that has the .NET SDK:
#   apt packages -> firmware bridge -> NuGet restore (ONNX Runtime: Microsoft.ML.OnnxRuntime, or the
#   GPU package with `OrtPackage=Gpu tools/setup.sh`; libtorch: libtorch-cpu-linux-x64) -> TorchSharp's
#   native glue patched for an old libstdc++ (only where needed) -> Release build of the solution.
#   Safe to run twice: every step skips what is already done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

# --- Debian packages ------------------------------------------------------------------------
# cmake/g++: firmware bridge; patchelf: makes TorchSharp's libLibTorchSharp.so load on Debian 12
# (tools/setup/torchsharp.sh; libtorch itself comes from NuGet); chromium: the daemon's live-view
# test (headless, driven by
# Microsoft.Playwright; the test skips without it); nats-server: the JetStream cluster of scale-out
# (`ecgstream cluster-demo`, tests/EcgStream.Cluster.Tests start their own servers; they skip without it);
# python3-torch: Debian's PyTorch, the reference the training tests compare our TorchSharp modules with
# (EncoderFileParityTests, SafeTensorsTests; they skip without it).
packages=(cmake g++ make pkg-config patchelf chromium nats-server python3-torch)
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
for step in tools/setup/bridge.sh; do
  if [ -x "$step" ]; then say "running $step"; "$step"; fi
done

# --- the solution -----------------------------------------------------------------------------
# Restore first: torchsharp.sh patches the NuGet cache's libLibTorchSharp.so (only where the
# system libstdc++ lacks GLIBCXX_3.4.32) before the build copies it into bin folders.
say "restoring NuGet packages"
dotnet restore EcgStream.sln -nologo -v quiet
say "running tools/setup/torchsharp.sh"
tools/setup/torchsharp.sh
say "building EcgStream.sln (Release)"
dotnet build EcgStream.sln -c Release --no-restore -nologo -v quiet -clp:ErrorsOnly
say "done. Try: tools/ecgstream info"
