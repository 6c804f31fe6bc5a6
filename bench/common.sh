# What the bench scripts share: where the build is, and starting and stopping what they measure.
# The sourcing script sets WORK (a temporary directory) and PIDS (an array), and traps EXIT with
# cleanup.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
LLMD=$BUILD_DIR/src/llm-d
MOCK=$BUILD_DIR/src/mock/llm-d-mock

die() {
  echo "bench: $*" >&2
  exit 1
}

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$WORK" ]]; then rm -rf "$WORK"; fi
}

# Starts a program that prints "... listening on HOST:PORT"; sets STARTED_PID and STARTED_ADDR.
# It has LISTEN_WAIT seconds (default 10) to say so.
start_listening() {
  local name=$1
  shift
  # Emptied here, not by the child's redirection, which may come after the first look below and
  # leave it reading the address of an earlier program of the same name.
  : >"$WORK/$name.out"
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  STARTED_PID=$!
  PIDS+=("$STARTED_PID")
  for _ in $(seq $((${LISTEN_WAIT:-10} * 10))); do
    STARTED_ADDR=$(sed -n 's/.*listening on //p' "$WORK/$name.out" | head -n 1)
    [[ -n "$STARTED_ADDR" ]] && return 0
    kill -0 "$STARTED_PID" 2>/dev/null || die "$name exited: $(cat "$WORK/$name.err")"
    sleep 0.1
  done
  die "$name did not say where it listens within ${LISTEN_WAIT:-10} s"
}

stop_pid() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
