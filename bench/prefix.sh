#!/usr/bin/env bash
# bench/prefix.sh: what prefix-aware routing is worth. Replays conversations that share long
# system prompts (llm-d-convload) through llm-d to mocks that model a GPU (one prefill at a time,
# paying for each prompt block its prefix cache lacks), once per routing policy, and prints mean
# and p99 time to first token and the cache hit rate. See bench/README.md.
#
# Sizes: REPLICAS USERS PROMPTS PROMPT_BYTES TURNS CACHE_BLOCKS, one set per line of SIZES. The
# default is 3 replicas, 48 users, 6 system prompts of 8 KB, 5 turns and 160 blocks (40 KB) of
# cache per replica, then three variations of every number. Each keeps the regime where routing
# matters: the system prompts take more than one replica's cache but fit in all of them together.
# PER_BLOCK is the prefill time of one block. Exits 1 when prefix_affinity or the default misses
# the target: a mean time to first token at most half of round_robin's, and a p99 no worse.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
source "$BENCH_DIR/common.sh"
CONVLOAD=$BUILD_DIR/bench/llm-d-convload
PER_BLOCK=${PER_BLOCK:-2ms}
POLICIES=${POLICIES:-round_robin least_loaded prefix_affinity default}
SIZES=${SIZES:-"3 48 6 8192 5 160
2 32 4 8192 5 120
4 64 8 4096 5 96
3 48 12 16384 4 320"}

WORK=""
PIDS=()

for bin in "$LLMD" "$MOCK" "$CONVLOAD"; do
  [[ -x "$bin" ]] || die "missing $bin; build it with: cmake -S $ROOT -B $BUILD_DIR -DCMAKE_BUILD_TYPE=Release && cmake --build $BUILD_DIR --target llm-d llm-d-mock llm-d-convload -j"
done
command -v curl >/dev/null || die "needs curl"

WORK=$(mktemp -d)
trap cleanup EXIT

# The policy's routing block; the default has none.
routing_of() {
  [[ $1 == default ]] || printf 'routing:\n  policy: %s\n' "$1"
}

# One policy at one size; sets MEAN, P99 and HITS (a percentage). In this shell, not a subshell,
# so that what it starts is in PIDS for cleanup if it dies.
measure() {
  local policy=$1 replicas=$2 users=$3 prompts=$4 bytes=$5 turns=$6 cache=$7
  local mocks=() pids=() i
  for i in $(seq "$replicas"); do
    start_listening "mock$i" "$MOCK" --listen 127.0.0.1:0 --name "gpu$i" --tokens 8 --token-interval 5ms \
      --prefill-per-block "$PER_BLOCK" --prefill-cache-blocks "$cache"
    mocks+=("$STARTED_ADDR")
    pids+=("$STARTED_PID")
  done
  {
    echo "listen: 127.0.0.1:0"
    echo "defaults: {metrics: {path: /metrics, interval: 1s}}"
    routing_of "$policy"
    echo "models:"
    for addr in "${mocks[@]}"; do
      echo "  - {name: bench, endpoint: http://$addr/v1/chat/completions, max_concurrent: 256}"
    done
  } >"$WORK/llm-d.yaml"
  start_listening llm-d "$LLMD" --config "$WORK/llm-d.yaml" --log-level warn --access-log off
  local gateway=$STARTED_ADDR llmd_pid=$STARTED_PID
  local report
  report=$("$CONVLOAD" --target "$gateway" --users "$users" --prompts "$prompts" --prompt-bytes "$bytes" \
    --turns "$turns") || die "llm-d-convload failed ($policy): $report"
  local blocks=0 cached=0 stats
  for addr in "${mocks[@]}"; do
    stats=$(curl -sSf "http://$addr/mock/stats")
    blocks=$((blocks + $(jq .prefill.blocks <<<"$stats")))
    cached=$((cached + $(jq .prefill.cached_blocks <<<"$stats")))
  done
  stop_pid "$llmd_pid"
  for i in "${pids[@]}"; do stop_pid "$i"; done
  MEAN=$(jq .ttft_mean_ms <<<"$report")
  P99=$(jq .ttft_p99_ms <<<"$report")
  HITS=$((blocks > 0 ? cached * 100 / blocks : 0))
}

failed=0
mapfile -t sizes <<<"$SIZES"
for size in "${sizes[@]}"; do
  read -r replicas users prompts bytes turns cache <<<"$size"
  [[ -n "$replicas" ]] || continue
  echo
  echo "$replicas replicas, $users users, $prompts system prompts of $bytes bytes, $turns turns," \
    "$PER_BLOCK per uncached 256-byte block, $cache blocks cached per replica"
  echo
  echo "| policy | mean TTFT ms | p99 TTFT ms | cache hits | mean vs round_robin |"
  echo "|---|---|---|---|---|"
  rr_mean="" rr_p99=""
  for policy in $POLICIES; do
    measure "$policy" "$replicas" "$users" "$prompts" "$bytes" "$turns" "$cache"
    mean=$MEAN p99=$P99 hits=$HITS
    if [[ $policy == round_robin ]]; then rr_mean=$mean rr_p99=$p99; fi
    ratio=$( [[ -n "$rr_mean" ]] && awk -v a="$mean" -v b="$rr_mean" 'BEGIN{printf "%.2f", a/b}' || echo "-")
    echo "| $policy | $mean | $p99 | $hits% | $ratio |"
    if [[ -n "$rr_mean" && ($policy == prefix_affinity || $policy == default) ]] &&
      ! awk -v m="$mean" -v p="$p99" -v rm="$rr_mean" -v rp="$rr_p99" 'BEGIN{exit !(m <= rm / 2 && p <= rp)}'; then
      echo "  ($policy misses the target: mean at most half of round_robin's, p99 no worse)"
      failed=1
    fi
  done
done
exit "$failed"
