#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz (clang, ASan, UBSan) in build-fuzz and runs each on a
# copy of its committed corpus (tests/fuzz/corpus/TARGET) for SECONDS_PER_TARGET, default 50.
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
# Fails on any crash, leak, timeout or oracle failure; the input is kept in build-fuzz/findings/
# (docs/testing.md says how to reproduce it).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-50}
build="$root/build-fuzz"
"$root/scripts/setup.sh" --deps-only -DLLMD_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER=clang++
# -O1 and asserts on (Beast's too), line tables for the stack traces.
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" -DLLMD_FUZZ=ON -DLLMD_WERROR=ON -DLLMD_BUILD_TESTS=OFF \
  -DLLMD_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j 2 --target fuzz

findings="$build/findings"
rm -rf "$findings"
mkdir -p "$findings"
failed=()
for target in front_door relay usage config; do
  corpus=$(mktemp -d)
  cp "$root/tests/fuzz/corpus/$target/"* "$corpus/"
  log="$findings/$target.log"
  echo "fuzz: $target for ${seconds}s"
  # -max_len stays under the relay's 1 MiB hold limit; a slow input (-timeout, seconds) is a finding.
  if "$build/tests/fuzz/${target}_fuzz" "$corpus" -max_total_time="$seconds" -max_len=16384 -timeout=10 \
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
