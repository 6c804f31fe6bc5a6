#!/usr/bin/env bash
# bench/instructions.sh: instructions llm-d runs per proxied request, counted by callgrind (exact
# and repeatable, unlike timings on a shared machine): llm-d (one worker) in front of llm-d-mock,
# under wrk at 8 connections, with the access log off and to a file, and with BENCH_BASELINE_LLMD
# (an llm-d built before metrics and the access log) that one too, and with a client key (rpm and
# tpm on, the key sent by wrk). See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
source "$BENCH_DIR/common.sh"
SECONDS_MEASURED=${BENCH_SECONDS:-10}
# llm-d starts slowly under valgrind.
LISTEN_WAIT=60

WORK=$(mktemp -d)
PIDS=()
trap cleanup EXIT

for tool in valgrind callgrind_control callgrind_annotate wrk; do
  command -v "$tool" >/dev/null || die "needs $tool: apt-get install valgrind wrk"
done
[[ -x "$LLMD" && -x "$MOCK" ]] || die "build llm-d and llm-d-mock first (scripts/setup.sh)"

start_listening mock "$MOCK" --listen 127.0.0.1:0 --name bench --threads 1
cat >"$WORK/llm-d.yaml" <<YAML
listen: 127.0.0.1:0
workers: 1
models:
  - name: bench
    endpoint: http://$STARTED_ADDR/v1/chat/completions
    max_concurrent: 10000
YAML
KEY=sk-bench-key-0123456789
{
  echo "auth: {keys: [{key: $KEY, name: bench, rpm: 1000000000, tpm: 1000000000}]}"
  cat "$WORK/llm-d.yaml"
} >"$WORK/llm-d-keyed.yaml"

# Instructions per request of one llm-d: warmed up, counters zeroed, then a measured wrk run.
# CONFIG (default: llm-d.yaml) names the config file in $WORK.
measure() {
  local name=$1 file=$2 binary=$3
  shift 3
  start_listening "$file" valgrind --tool=callgrind --callgrind-out-file="$WORK/$file.%p" \
    "$binary" --config "$WORK/${CONFIG:-llm-d.yaml}" --log-level warn "$@"
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
BENCH_AUTH_KEY=$KEY CONFIG=llm-d-keyed.yaml measure "a client key with rpm and tpm, access log off" keyed "$LLMD" \
  --access-log off
if [[ -n "${BENCH_BASELINE_LLMD:-}" ]]; then measure "BENCH_BASELINE_LLMD" baseline "$BENCH_BASELINE_LLMD"; fi
