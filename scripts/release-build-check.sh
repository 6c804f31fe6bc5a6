#!/usr/bin/env bash
# Fails unless BUILD is a CMake build tree of llm-d fit to ship: Release, without sanitizers or
# fuzzers, linked as Debian links it (not LLMD_PORTABLE). scripts/test.sh leaves build/ so.
#   scripts/release-build-check.sh BUILD
set -euo pipefail
build=${1:?usage: $0 BUILD}
cache=$build/CMakeCache.txt
[ -f "$cache" ] || { echo "$build is not a CMake build tree (no CMakeCache.txt)" >&2; exit 1; }
for setting in CMAKE_BUILD_TYPE=Release LLMD_SANITIZE=OFF LLMD_FUZZ=OFF LLMD_PORTABLE=OFF; do
  value=$(sed -n "s/^${setting%%=*}:[A-Z]*=//p" "$cache")
  [ "$value" = "${setting#*=}" ] ||
    { echo "$build is not a release build ($setting expected, found '$value')" >&2; exit 1; }
done
