#!/usr/bin/env bash
# The main job: set up (idempotent) and run `ecgstream demo`, a simulated bed through the full pipeline.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/tools/setup.sh"
exec "$root/tools/ecgstream" demo "$@"
