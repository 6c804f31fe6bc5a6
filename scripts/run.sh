#!/usr/bin/env bash
# Builds llm-d and serves on :8080.
#   scripts/run.sh                 demo: config/llm-d.yaml in front of two llm-d-mock servers on :8001 and :8002
#   scripts/run.sh --config FILE   your own model pool
# Ctrl-C stops everything this script started.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
config=""
while (($#)); do
  case "$1" in
    --config|-c) config=${2:?--config needs a file}; shift 2 ;;
    *) echo "usage: scripts/run.sh [--config FILE]" >&2; exit 2 ;;
  esac
done

"$root/scripts/setup.sh" "$root/build" -DLLMD_BUILD_TESTS=OFF
bin="$root/build/src"

pids=()
cleanup() {
  trap - INT TERM EXIT
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

if [ -z "$config" ]; then
  config="$root/config/llm-d.yaml"
  "$bin/mock/llm-d-mock" --listen 127.0.0.1:8001 --name primary & pids+=($!)
  "$bin/mock/llm-d-mock" --listen 127.0.0.1:8002 --name fallback & pids+=($!)
fi
"$bin/llm-d" --config "$config" & pids+=($!)
# Serve until llm-d ends or Ctrl-C; a mock stopped by hand (to watch fallback) ends nothing.
wait "${pids[-1]}"
