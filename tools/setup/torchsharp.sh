#!/usr/bin/env bash
# Makes TorchSharp's native glue load on distributions whose libstdc++ is older than GCC 13's.
#   tools/setup/torchsharp.sh        # after `dotnet restore`, before the build copies the native libs
#
# TorchSharp 0.107.0's libLibTorchSharp.so asks for GLIBCXX_3.4.32 (GCC 13) for one symbol only,
# _ZSt21ios_base_library_initv, which GCC 13 headers reference to run iostream initialisation and which
# nothing relocates against. Debian 12 ships libstdc++ with GLIBCXX_3.4.30, so dlopen refuses the
# library. Where (and only where) the system libstdc++ lacks 3.4.32, this clears that one symbol's
# version requirement with patchelf in the NuGet cache, so every build copies the patched file.
# A newer distribution is left untouched. Idempotent: a patched file is recognised and skipped.
set -euo pipefail

version=0.107.0
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
lib="$cache/torchsharp/$version/runtimes/linux-x64/native/libLibTorchSharp.so"
symbol=_ZSt21ios_base_library_initv
say() { echo "torchsharp.sh: $*"; }

[[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]] || { say "not linux-x64; nothing to do"; exit 0; }
[[ -f "$lib" ]] || { say "ERROR: $lib not found; run 'dotnet restore' first (NUGET_PACKAGES=${NUGET_PACKAGES:-unset})" >&2; exit 1; }

# The system libstdc++ the dynamic loader will pick.
stdcxx="$(/sbin/ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF}' | head -n1 || true)"
[[ -n "$stdcxx" && -f "$stdcxx" ]] || stdcxx=/usr/lib/x86_64-linux-gnu/libstdc++.so.6
[[ -f "$stdcxx" ]] || { say "ERROR: no libstdc++.so.6 found" >&2; exit 1; }

if grep -qa 'GLIBCXX_3\.4\.32' "$stdcxx"; then
  say "$stdcxx provides GLIBCXX_3.4.32; $lib needs no patch"
  exit 0
fi

# The requirement is gone (or weak) once patched: nothing to do.
requirement() { readelf -V "$lib" | grep "Name: GLIBCXX_3\.4\.32 " || true; }
if [[ -z "$(requirement)" || "$(requirement)" == *WEAK* ]]; then
  say "$lib already loads with $stdcxx (patched earlier); nothing to do"
  exit 0
fi

missing=()
command -v patchelf >/dev/null || missing+=(patchelf)
[[ -x /usr/bin/python3 ]] || missing+=(python3)
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Symbols bound to GLIBCXX_3.4.32 (objdump's output is read whole: `objdump | grep -q` under
# pipefail fails when grep stops reading early). Any but ours makes the patch unsafe: refuse.
users() { objdump -T "$lib" | awk '/\(GLIBCXX_3\.4\.32\)/ {print $NF}'; }
others="$(users | grep -v "^$symbol\$" || true)"
if [[ -n "$others" ]]; then
  say "ERROR: $lib needs GLIBCXX_3.4.32 for more than $symbol: $others; install a newer libstdc++ instead" >&2
  exit 1
fi

# 1. The symbol binds unversioned (nothing relocates against it, so it is never looked up).
[[ -n "$(users)" ]] && patchelf --clear-symbol-version "$symbol" "$lib"
# 2. patchelf leaves GLIBCXX_3.4.32 in the library's list of needed versions, which glibc's loader
#    still checks; marking that entry weak (no symbol uses it any more) makes a missing version non-fatal.
/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/weaken_version.py" "$lib" GLIBCXX_3.4.32 >/dev/null
[[ "$(requirement)" == *WEAK* ]] || { say "ERROR: $lib still requires GLIBCXX_3.4.32 after patching" >&2; exit 1; }
say "$stdcxx lacks GLIBCXX_3.4.32: cleared the version of $symbol and made GLIBCXX_3.4.32 a weak requirement in $lib (builds copy this file)"
