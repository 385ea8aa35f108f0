#!/bin/sh
# The device library may use nothing from libc beyond <string.h>'s mem* functions:
# list the undefined symbols of libecgb.a that are not its own and not on the allow-list.
set -eu
LIB="$1"
NM="${2:-nm}"
bad=$("$NM" -u "$LIB" | awk '$1 == "U" { print $2 }' | sort -u |
      grep -v -E '^(ecgb_[a-z0-9_]+|memchr|memcmp|memcpy|memmove|memset)$' || true)
if [ -n "$bad" ]; then
  echo "libecgb.a depends on symbols outside <string.h>:"; echo "$bad"; exit 1
fi
echo "ok: libecgb.a needs only memchr/memcmp/memcpy/memmove/memset"
