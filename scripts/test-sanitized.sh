#!/usr/bin/env bash
# Builds llm-d, its tests and the fuzz targets with AddressSanitizer and UndefinedBehaviorSanitizer
# in build-asan (clang at -O0, with the options in scripts/sanitized-cmake-args, which
# scripts/fuzz.sh shares, so that CI compiles them once) and runs every test there, the chaos test
# for LLMD_CHAOS_SECONDS (default 20).
# Any sanitizer report fails it: a test's own makes it exit non-zero, and the llm-d and
# llm-d-mock processes the tests start write theirs (a leak at exit, say) to
# build-asan/sanitizer-logs/, which the test sanitizer_logs.none requires to be empty.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-asan"
mapfile -t options <"$root/scripts/sanitized-cmake-args"
"$root/scripts/setup.sh" "$build" "${options[@]}"
logs="$build/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
# verify_asan_link_order=0: the egress tests preload libnss_wrapper into llm-d.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:verify_asan_link_order=0:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
export LLMD_CHAOS_SECONDS=${LLMD_CHAOS_SECONDS:-20}
cd "$build"
if ! ctest --output-on-failure -j 2 --timeout 600; then
  for report in "$logs"/*; do
    [ -f "$report" ] && { echo "== $report"; cat "$report"; }
  done
  exit 1
fi
