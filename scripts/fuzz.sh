#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan, UBSan) in build-asan, the build
# scripts/test-sanitized.sh makes (scripts/sanitized-cmake-args), and runs each on a
# copy of its committed corpus (tests/fuzz/corpus/TARGET) for SECONDS, default 40, and front_door,
# whose inputs take the longest (a session and two connections each), for twice that.
#   scripts/fuzz.sh [SECONDS]
# Fails on any crash, leak, timeout or oracle failure; the input is kept in build-asan/findings/
# (docs/testing.md says how to reproduce it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-40}
build="$root/build-asan"
mapfile -t options <"$root/scripts/sanitized-cmake-args"
"$root/scripts/setup.sh" --deps-only "${options[@]}"
cmake -S "$root" -B "$build" "${options[@]}" >/dev/null
cmake --build "$build" -j 2 --target fuzz

findings="$build/findings"
rm -rf "$findings"
mkdir -p "$findings"
failed=()
for target in front_door relay usage config; do
  corpus=$(mktemp -d)
  cp "$root/tests/fuzz/corpus/$target/"* "$corpus/"
  log="$findings/$target.log"
  time=$seconds
  if [ "$target" = front_door ]; then time=$((seconds * 2)); fi
  echo "fuzz: $target for ${time}s"
  # -max_len stays under the relay's 1 MiB hold limit; a slow input (-timeout, seconds) is a finding.
  if "$build/tests/fuzz/${target}_fuzz" "$corpus" -max_total_time="$time" -max_len=16384 -timeout=10 \
    -artifact_prefix="$findings/$target-" -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$log" | tr '\n' ' '
    echo
  else
    tail -n 40 "$log"
    failed+=("$target")
  fi
  rm -rf "$corpus"
done
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}; inputs and logs in $findings" >&2
  exit 1
fi
