#!/usr/bin/env bash
# Takes docs/status-page.png: the status page of a running llm-d in front of a small demo pool of
# llm-d-mock servers (primary: a slow replica with requests in flight and an ejected one; a
# fallback under steady streamed traffic; a rate-limited group cooling down), rendered by headless
# Chromium at 1200x600 once the page has scraped /metrics twice.
#   scripts/status-screenshot.sh [OUTPUT.png]      (default docs/status-page.png)
# Needs a build with the mock (scripts/setup.sh; BUILD_DIR, default build/), chromium, curl and
# Node.js 20 (Debian packages; scripts/screenshot.mjs drives Chromium over its DevTools protocol). Everything listens on loopback ports the kernel picks; all is stopped at exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/docs/status-page.png}")
bin="${BUILD_DIR:-$root/build}/src"
for tool in "$bin/llm-d" "$bin/mock/llm-d-mock"; do
  [ -x "$tool" ] || { echo "no $tool: build first (scripts/setup.sh)" >&2; exit 1; }
done
command -v chromium >/dev/null || { echo "chromium is missing: apt-get install chromium" >&2; exit 1; }
command -v node >/dev/null || { echo "node is missing: apt-get install nodejs" >&2; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
  ((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Starts a server writing "... listening on HOST:PORT" to stdout; prints its port.
start() {
  local log="$work/$1.out"
  shift
  "$@" >"$log" 2>"$log.err" &
  pids+=($!)
  for _ in $(seq 100); do
    if grep -q "listening on" "$log"; then
      grep -o '[0-9]*$' "$log"
      return
    fi
    sleep 0.1
  done
  echo "$* did not start: $(cat "$log.err")" >&2
  exit 1
}

# Each start runs in this shell (not in $(...)), so that its pid is kept for the cleanup.
start slow "$bin/mock/llm-d-mock" --listen 127.0.0.1:0 --name primary-a --delay 60s >/dev/null
start sick "$bin/mock/llm-d-mock" --listen 127.0.0.1:0 --name primary-b --status 500 >/dev/null
start fallback "$bin/mock/llm-d-mock" --listen 127.0.0.1:0 --name fallback >/dev/null
start limited "$bin/mock/llm-d-mock" --listen 127.0.0.1:0 --name batch --status 429 --retry-after 300 >/dev/null
port_of() { grep -o '[0-9]*$' "$work/$1.out"; }
endpoint() { echo "http://127.0.0.1:$(port_of "$1")/v1/chat/completions"; }

cat >"$work/llm-d.yaml" <<EOF
listen: 127.0.0.1:0
health: {failures_to_eject: 1, cooldown: 5m, max_cooldown: 5m}
queue: {max_waiting: 256}
models:
  - {name: primary, endpoint: $(endpoint slow), max_concurrent: 4}
  - {name: primary, endpoint: $(endpoint sick), max_concurrent: 4}
  - {name: fallback, endpoint: $(endpoint fallback), max_concurrent: 8}
  - {name: batch, endpoint: $(endpoint limited), max_concurrent: 2, retries: 0}
EOF
start llm-d "$bin/llm-d" --config "$work/llm-d.yaml" >/dev/null
url="http://127.0.0.1:$(port_of llm-d)"

chat() {
  curl -s -o /dev/null --max-time 120 "$url/v1/chat/completions" \
    -d "{\"model\": \"$1\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}" || true
}
stream() {
  curl -s -o /dev/null --max-time 120 "$url/v1/chat/completions" \
    -d "{\"model\": \"$1\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}" || true
}
# Three requests stay in flight on primary-a (it answers after a minute); one of them first
# tries primary-b, which fails and is ejected.
for _ in 1 2 3; do chat primary & pids+=($!); done
chat batch
# Steady traffic to the fallback, streamed, so that its rates and TTFT columns have numbers.
(while :; do stream fallback; sleep 0.02; done) &
pids+=($!)

# Until the pool shows it all.
for _ in $(seq 100); do
  state=$(curl -s "$url/admin/backends")
  if grep -q '"state":"ejected"' <<<"$state" && grep -q '"state":"cooling_down"' <<<"$state" &&
    grep -q '"in_flight":3' <<<"$state"; then
    break
  fi
  sleep 0.1
done

mkdir -p "$(dirname "$out")"
# Real time, not virtual: the rates need two scrapes of /metrics 2 s apart with traffic between.
node --experimental-websocket "$root/scripts/screenshot.mjs" "$url/" "$out" 1200 600 5000 "$work/profile" \
  2>"$work/chromium.err" ||
  { cat "$work/chromium.err" >&2; exit 1; }
echo "wrote $out"
