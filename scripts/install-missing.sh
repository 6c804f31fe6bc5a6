#!/usr/bin/env bash
# Installs those of the given Debian packages that are not installed yet, with sudo when not root.
#   scripts/install-missing.sh [--with-recommends] PACKAGE...
# Prints "installing: ..." when it installs, nothing when all are present; exit status 0 either way.
set -euo pipefail
recommends=--no-install-recommends
if [ "${1:-}" = "--with-recommends" ]; then
  recommends=--install-recommends
  shift
fi
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
((${#missing[@]})) || exit 0
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "$recommends" "${missing[@]}"
