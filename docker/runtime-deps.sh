#!/usr/bin/env bash
# Prints, one per line, the Debian packages that own the shared libraries the given binaries load
# (by ldd), so that the runtime stage of docker/Dockerfile installs exactly those.
#   docker/runtime-deps.sh BINARY...
set -euo pipefail
(($#)) || { echo "usage: $0 BINARY..." >&2; exit 2; }

owner() {  # the package owning library $1; with merged /usr it may be listed under /usr or its target
  local real candidate
  real=$(readlink -f "$1")
  for candidate in "$1" "/usr$1" "$real" "/usr$real"; do
    dpkg-query -S "$candidate" 2>/dev/null | head -n1 | cut -d: -f1 && return 0
  done
  echo "no Debian package owns $1" >&2
  return 1
}

libs=$(ldd "$@" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u)
if ldd "$@" | grep -q "not found"; then
  ldd "$@" >&2
  exit 1
fi
for lib in $libs; do owner "$lib"; done | sort -u
