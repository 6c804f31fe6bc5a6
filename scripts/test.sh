#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs every test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" "$root/build" -DLLMD_WERROR=ON -DLLMD_BUILD_TESTS=ON
cd "$root/build"
ctest --output-on-failure -j 2 --timeout 300
