#!/usr/bin/env bash
# bench/instructions.sh: instructions llm-d runs per proxied request, counted by callgrind (exact
# and repeatable, unlike timings on a shared machine): llm-d (one worker) in front of llm-d-mock,
# under wrk at 8 connections, with the access log off and to a file, and with BENCH_BASELINE_LLMD
# (an llm-d built before metrics and the access log) that one too. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD_DIR=${BUILD_DIR:-$(dirname "$BENCH_DIR")/build}
LLMD=$BUILD_DIR/src/llm-d
MOCK=$BUILD_DIR/src/mock/llm-d-mock
SECONDS_MEASURED=${BENCH_SECONDS:-10}

for tool in valgrind callgrind_control callgrind_annotate wrk; do
  command -v "$tool" >/dev/null || { echo "needs $tool: apt-get install valgrind wrk" >&2; exit 1; }
done
[[ -x "$LLMD" && -x "$MOCK" ]] || { echo "build llm-d and llm-d-mock first (scripts/setup.sh)" >&2; exit 1; }

WORK=$(mktemp -d)
PIDS=()
cleanup() {
  ((${#PIDS[@]})) && kill "${PIDS[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Starts a program that prints "... listening on HOST:PORT"; sets STARTED_PID and STARTED_ADDR.
start_listening() {
  local name=$1
  shift
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
  for _ in $(seq 600); do
    STARTED_ADDR=$(sed -n 's/.*listening on //p' "$WORK/$name.out" | head -n 1)
    [[ -n "$STARTED_ADDR" ]] && return 0
    kill -0 "$STARTED_PID" 2>/dev/null || { echo "$name exited: $(cat "$WORK/$name.err")" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name did not start" >&2
  exit 1
}

start_listening mock "$MOCK" --listen 127.0.0.1:0 --name bench --threads 1
cat >"$WORK/llm-d.yaml" <<YAML
listen: 127.0.0.1:0
workers: 1
models:
  - name: bench
    endpoint: http://$STARTED_ADDR/v1/chat/completions
    max_concurrent: 10000
YAML

# Instructions per request of one llm-d: warmed up, counters zeroed, then a measured wrk run.
measure() {
  local name=$1 file=$2 binary=$3
  shift 3
  start_listening "$file" valgrind --tool=callgrind --callgrind-out-file="$WORK/$file.%p" \
    "$binary" --config "$WORK/llm-d.yaml" --log-level warn "$@"
  local pid=$STARTED_PID url=http://$STARTED_ADDR out requests total
  wrk -t1 -c8 -d2s -s "$BENCH_DIR/chat.lua" "$url" >/dev/null
  callgrind_control --zero "$pid" >/dev/null 2>&1
  out=$(wrk -t1 -c8 -d"${SECONDS_MEASURED}s" -s "$BENCH_DIR/chat.lua" "$url")
  callgrind_control --dump "$pid" >/dev/null 2>&1
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out")
  total=$(callgrind_annotate "$(ls "$WORK/$file".*.1)" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
  echo "| $name | $requests | $((total / requests)) |"
}

echo "| llm-d | requests measured | instructions per request |"
echo "| --- | --- | --- |"
measure "access log off" nolog "$LLMD" --access-log off
measure "access log to a file" log "$LLMD" --access-log "$WORK/access.log"
if [[ -n "${BENCH_BASELINE_LLMD:-}" ]]; then measure "BENCH_BASELINE_LLMD" baseline "$BENCH_BASELINE_LLMD"; fi
