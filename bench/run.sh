#!/usr/bin/env bash
# bench/run.sh: measures llm-d against a fixed-response backend (direct) and against nginx as a
# keep-alive reverse proxy, all on loopback, and prints one markdown table. See bench/README.md.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/common.sh
source "$BENCH_DIR/common.sh"
STREAMLOAD=$BUILD_DIR/bench/llm-d-streamload
DURATION=${BENCH_DURATION:-4s}
ROUNDS=${BENCH_ROUNDS:-3}
TOKENS=100
TOKEN_INTERVAL_MS=20

WORK=""
PIDS=()


check_tools() {
  PATH=$PATH:/usr/sbin:/sbin
  if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || ! command -v openssl >/dev/null; then
    die "needs wrk, nginx and openssl: run scripts/setup.sh (or apt-get install wrk nginx openssl)"
  fi
  local bin
  for bin in "$LLMD" "$MOCK" "$STREAMLOAD"; do
    [[ -x "$bin" ]] || die "missing $bin; build it with: cmake -S $ROOT -B $BUILD_DIR -DCMAKE_BUILD_TYPE=Release && cmake --build $BUILD_DIR --target llm-d llm-d-mock llm-d-streamload -j"
  done
}

# Bash cannot bind port 0, and nginx cannot say which port it got: pick a random port below the
# ephemeral range (so that no outgoing connection holds it) that nothing on 127.0.0.1 listens on,
# i.e. connecting to it is refused. Whoever binds it retries with another if the bind still fails.
random_port() {
  local low high first last port
  read -r low high </proc/sys/net/ipv4/ip_local_port_range
  if ((low > 11024)); then
    first=10000 last=$((low - 1))
  else
    first=$((high + 1)) last=65535
  fi
  for _ in $(seq 100); do
    port=$((first + (RANDOM * 32768 + RANDOM) % (last - first + 1)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "found no free port between $first and $last"
}

# Waits until nginx (pid) writes its pid file, which it does once it has bound its port: a
# port that answers could be someone else's. Fails when nginx exits first.
wait_for_nginx() {
  local pid_file=$1 pid=$2
  for _ in $(seq 100); do
    [[ -s "$pid_file" ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  die "nginx did not start within 10 s"
}


chat_body() {
  cat <<'EOF'
{"id":"chatcmpl-bench-0001","object":"chat.completion","created":1732560000,"model":"bench","system_fingerprint":"fp_bench","choices":[{"index":0,"message":{"role":"assistant","content":"Requests arrive in waves; the balancer spreads them thin, and every backend answers in its turn without a queue. This reply is fixed so that the benchmark measures the proxy and not the model."},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":14,"completion_tokens":42,"total_tokens":56}}
EOF
}

nginx_common() {
  local dir=$1
  cat <<EOF
worker_processes 1;
worker_rlimit_nofile 20000;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 16000; }
EOF
}

nginx_http_common() {
  local dir=$1
  cat <<EOF
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
  client_max_body_size 16m;
  client_body_buffer_size 1m;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
EOF
}

# Runs nginx from its own prefix on a random free port, with the server block that the function
# named server_fn prints for that port; sets STARTED_PORT. Another port is tried if nginx cannot
# bind it (taken since random_port looked).
start_nginx() {
  local name=$1 server_fn=$2 dir=$WORK/$1 port pid
  mkdir -p "$dir"
  for _ in 1 2 3 4 5; do
    port=$(random_port)
    {
      nginx_common "$dir"
      echo "http {"
      nginx_http_common "$dir"
      "$server_fn" "$port"
      echo "}"
    } >"$dir/nginx.conf"
    rm -f "$dir/nginx.pid"
    nginx -p "$dir" -c "$dir/nginx.conf" 2>"$dir/stderr" &
    pid=$!
    PIDS+=("$pid")
    if wait_for_nginx "$dir/nginx.pid" "$pid"; then
      STARTED_PORT=$port
      return 0
    fi
  done
  die "nginx ($name) did not start: $(cat "$dir/stderr")"
}

backend_server() {
  cat <<EOF
  server {
    listen 127.0.0.1:$1;
    location / { default_type application/json; return 200 '$(chat_body)'; }
  }
EOF
}

# A keep-alive reverse proxy to UPSTREAM_ADDR; unbuffered, so that streamed events pass at once.
# With ACCESS_LOG set, it writes its access log there (figure h).
proxy_server() {
  cat <<EOF
  upstream backend { server $UPSTREAM_ADDR; keepalive 64; }
  server {
    listen 127.0.0.1:$1;
    ${ACCESS_LOG:+access_log $ACCESS_LOG combined buffer=32k flush=100ms;}
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
EOF
}

# A test CA and a certificate for localhost and 127.0.0.1 signed by it, for figure g.
make_certificates() {
  local dir=$WORK/tls
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-ca \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$dir/san.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 2 \
    -extfile "$dir/san.ext" -out "$dir/server.pem" 2>/dev/null
  chmod 644 "$dir"/*
  TLS_DIR=$dir
}

# The fixed answer over HTTPS, the TLS backend of figure g.
tls_backend_server() {
  cat <<EOF
  server {
    listen 127.0.0.1:$1 ssl;
    ssl_certificate $TLS_DIR/server.pem;
    ssl_certificate_key $TLS_DIR/server.key;
    location / { default_type application/json; return 200 '$(chat_body)'; }
  }
EOF
}

# nginx as a keep-alive proxy to the TLS backend, verifying it and reusing TLS sessions.
tls_proxy_server() {
  cat <<EOF
  upstream tls_backend { server 127.0.0.1:$TLS_BACKEND_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$1;
    location / {
      proxy_pass https://tls_backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_ssl_session_reuse on;
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate $TLS_DIR/ca.pem;
      proxy_ssl_name localhost;
      proxy_ssl_server_name on;
    }
  }
EOF
}

# Figure g: nginx and llm-d in front of the same HTTPS backend, in turns, round after round.
measure_https() {
  make_certificates
  start_nginx tls-backend tls_backend_server
  TLS_BACKEND_PORT=$STARTED_PORT
  start_nginx tls-proxy tls_proxy_server
  local direct=https://127.0.0.1:$TLS_BACKEND_PORT proxy=http://127.0.0.1:$STARTED_PORT llmd target round
  start_llmd llmd-https "  - name: bench
    endpoint: https://localhost:$TLS_BACKEND_PORT/v1
    tls: {ca_file: $TLS_DIR/ca.pem}
    max_concurrent: 10000"
  llmd=http://$STARTED_ADDR
  declare -A g h
  for ((round = 1; round <= ROUNDS; round++)); do
    for target in direct proxy llmd; do
      g[$target]+="$(run_wrk 2 64 "$DURATION" "${!target}")"$'\n'
      h[$target]+="$(run_wrk 1 1 "$DURATION" "${!target}")"$'\n'
    done
  done
  for target in direct proxy llmd; do
    G[$target]=$(median_of_rounds <<<"${g[$target]%$'\n'}")
    H[$target]=$(median_of_rounds <<<"${h[$target]%$'\n'}")
  done
  stop_pid "$STARTED_PID"
}

print_https_rows() {
  wrk_row "g. HTTPS upstream: req/s, 64 connections" 1 "${G[direct]}" "${G[proxy]}" "${G[llmd]}"
  wrk_row "g. HTTPS upstream: p50 ms, 1 connection" 2 "${H[direct]}" "${H[proxy]}" "${H[llmd]}"
  wrk_row "g. HTTPS upstream: p99 ms, 1 connection" 3 "${H[direct]}" "${H[proxy]}" "${H[llmd]}"
  local d50
  d50=$(cut -d' ' -f2 <<<"${H[direct]}")
  row "g. HTTPS upstream: added p50 ms (minus direct)" "0" "$(minus_ms "$(cut -d' ' -f2 <<<"${H[proxy]}")" "$d50")" \
    "$(minus_ms "$(cut -d' ' -f2 <<<"${H[llmd]}")" "$d50")" "" ""
}

start_backend() {
  start_nginx backend backend_server
  BACKEND_PORT=$STARTED_PORT
}

start_nginx_proxy() {
  UPSTREAM_ADDR=127.0.0.1:$BACKEND_PORT start_nginx proxy proxy_server
  NGINX_PORT=$STARTED_PORT
}

# llm-d config: one worker, the given model entries (YAML list items), and optional top-level
# keys before them.
write_llmd_config() {
  local file=$1 entries=$2 extra=${3:-}
  cat >"$file" <<EOF
$extra
listen: 127.0.0.1:0
workers: 1
queue: {max_waiting: 20000, max_wait: 30s}
retry_budget: {percent: 100%, min_retries: 1000000}
health: {failures_to_eject: 1000000}
models:
$entries
EOF
}

# Without an access log, as nginx runs in figures a to g; LLMD_ACCESS_LOG names a file for one.
start_llmd() {
  local name=$1 entries=$2 extra=${3:-}
  write_llmd_config "$WORK/$name.yaml" "$entries" "$extra"
  start_listening "$name" "$LLMD" --config "$WORK/$name.yaml" --listen 127.0.0.1:0 --log-level warn \
    --access-log "${LLMD_ACCESS_LOG:-off}"
}

# wrk against URL; prints "req/s p50_us p99_us errors".
run_wrk() {
  local threads=$1 conns=$2 duration=$3 url=$4
  wrk -t"$threads" -c"$conns" -d"$duration" --latency -s "$BENCH_DIR/chat.lua" "$url" \
    | sed -n 's/^BENCH //p'
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
status_kb() { awk -v key="$2:" '$1 == key {print $2}' "/proc/$1/status"; }

json_field() { sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" <<<"$1"; }

ms() { awk -v us="$1" 'BEGIN {printf "%.2f", us / 1000}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b == 0) print "—"; else printf "%.2f", a / b}'; }
minus_ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%+.2f", (a - b) / 1000}'; }
with_errors() { if [[ "$2" == 0 ]]; then echo "$1"; else echo "$1 ($2 err)"; fi; }

row() { echo "| $1 | $2 | $3 | $4 | $5 | $6 |"; }

# A row from three wrk results and a field index (1 req/s, 2 p50, 3 p99).
wrk_row() {
  local label=$1 field=$2 direct=$3 proxy=$4 llmd=$5
  local d n l
  d=$(cut -d' ' -f"$field" <<<"$direct")
  n=$(cut -d' ' -f"$field" <<<"$proxy")
  l=$(cut -d' ' -f"$field" <<<"$llmd")
  if [[ "$field" == 1 ]]; then
    row "$label" "$(with_errors "$d" "$(cut -d' ' -f4 <<<"$direct")")" \
      "$(with_errors "$n" "$(cut -d' ' -f4 <<<"$proxy")")" \
      "$(with_errors "$l" "$(cut -d' ' -f4 <<<"$llmd")")" "$(ratio "$l" "$d")" "$(ratio "$l" "$n")"
  else
    row "$label" "$(ms "$d")" "$(ms "$n")" "$(ms "$l")" "$(ratio "$l" "$d")" "$(ratio "$l" "$n")"
  fi
}

# Per field, the median of the rounds' results ("req/s p50_us p99_us errors" lines); errors add up.
median_of_rounds() {
  awk '{for (i = 1; i <= 3; i++) v[i, NR] = $i; errors += $4}
    END {
      for (i = 1; i <= 3; i++) {
        for (a = 1; a <= NR; a++) col[a] = v[i, a]
        for (a = 1; a <= NR; a++) for (b = a + 1; b <= NR; b++) if (col[b] < col[a]) {t = col[a]; col[a] = col[b]; col[b] = t}
        printf "%s ", col[int((NR + 1) / 2)]
      }
      print errors + 0
    }'
}

# The three targets take turns, round after round, so that a slow spell of a shared machine
# falls on all of them; each figure is the median of its rounds.
measure_http() {
  local direct=http://127.0.0.1:$BACKEND_PORT proxy=http://127.0.0.1:$NGINX_PORT llmd=http://$LLMD_ADDR
  local target round
  declare -A a b c
  for ((round = 1; round <= ROUNDS; round++)); do
    for target in direct proxy llmd; do
      a[$target]+="$(run_wrk 2 64 "$DURATION" "${!target}")"$'\n'
      b[$target]+="$(run_wrk 1 1 "$DURATION" "${!target}")"$'\n'
      c[$target]+="$(BENCH_PROMPT_BYTES=204800 run_wrk 2 16 "$DURATION" "${!target}")"$'\n'
    done
  done
  for target in direct proxy llmd; do
    A[$target]=$(median_of_rounds <<<"${a[$target]%$'\n'}")
    B[$target]=$(median_of_rounds <<<"${b[$target]%$'\n'}")
    C[$target]=$(median_of_rounds <<<"${c[$target]%$'\n'}")
  done
}

# Figure h: what observability costs. nginx and llm-d each without and with an access log to a
# file (llm-d's metrics are always on; nginx's log is buffered as llm-d's is: 32 KiB or 100 ms),
# and with BENCH_BASELINE_LLMD (an llm-d built before metrics and the access log existed) that one
# too, in turns, round after round. Besides requests per second, each llm-d's CPU time (user and
# system, from /proc) per request: on a machine shared with the load generator and the backend it
# moves less than throughput does.
measure_observability() {
  local entry="  - name: bench
    endpoint: http://127.0.0.1:$BACKEND_PORT/v1/chat/completions
    max_concurrent: 10000"
  UPSTREAM_ADDR=127.0.0.1:$BACKEND_PORT ACCESS_LOG=$WORK/nginx-access.log start_nginx proxy-logged proxy_server
  local proxy=http://127.0.0.1:$NGINX_PORT proxy_logged=http://127.0.0.1:$STARTED_PORT
  declare -A url pid
  start_llmd llmd-plain "$entry"
  url[llmd]=http://$STARTED_ADDR pid[llmd]=$STARTED_PID
  LLMD_ACCESS_LOG=$WORK/llmd-access.log start_llmd llmd-logged "$entry"
  url[llmd_logged]=http://$STARTED_ADDR pid[llmd_logged]=$STARTED_PID
  local targets=(proxy proxy_logged llmd llmd_logged)
  if [[ -n "${BENCH_BASELINE_LLMD:-}" ]]; then
    write_llmd_config "$WORK/baseline.yaml" "$entry"
    start_listening baseline "$BENCH_BASELINE_LLMD" --config "$WORK/baseline.yaml" --listen 127.0.0.1:0 \
      --log-level warn
    url[baseline]=http://$STARTED_ADDR pid[baseline]=$STARTED_PID
    targets+=(baseline)
  fi
  url[proxy]=$proxy url[proxy_logged]=$proxy_logged
  local seconds hz target round before result paired=""
  seconds=${DURATION%s}
  hz=$(getconf CLK_TCK)
  declare -A h cpu rps per_request
  for ((round = 1; round <= ROUNDS; round++)); do
    for target in "${targets[@]}"; do
      [[ -z "${pid[$target]:-}" ]] || before=$(cpu_ticks "${pid[$target]}")
      result=$(run_wrk 2 64 "$DURATION" "${url[$target]}")
      h[$target]+="$result"$'\n'
      rps[$target]=$(cut -d' ' -f1 <<<"$result")
      if [[ -n "${pid[$target]:-}" ]]; then
        per_request[$target]=$(awk -v t="$(($(cpu_ticks "${pid[$target]}") - before))" -v hz="$hz" \
          -v r="${rps[$target]}" -v s="$seconds" 'BEGIN {printf "%.2f", t / hz * 1e6 / (r * s)}')
        cpu[$target]+="${per_request[$target]} 0 0 0"$'\n'
      fi
    done
    # Each round's own ratios: neighbours in time share the machine's mood, so the median of
    # these moves less than a ratio of medians.
    if [[ -n "${BENCH_BASELINE_LLMD:-}" ]]; then
      paired+="$(ratio "${rps[llmd_logged]}" "${rps[baseline]}") $(ratio "${rps[llmd]}" "${rps[baseline]}") \
$(ratio "${per_request[llmd_logged]}" "${per_request[baseline]}") 0"$'\n'
    fi
  done
  for target in "${targets[@]}"; do
    O[$target]=$(median_of_rounds <<<"${h[$target]%$'\n'}")
    [[ -z "${cpu[$target]:-}" ]] || O[${target}_cpu]=$(median_of_rounds <<<"${cpu[$target]%$'\n'}" | cut -d' ' -f1)
    [[ -z "${pid[$target]:-}" ]] || stop_pid "${pid[$target]}"
  done
  [[ -z "${paired:-}" ]] || O[paired]=$(median_of_rounds <<<"${paired%$'\n'}")
}

# Figure i: the same llm-d with client keys (one key, with rpm and tpm too high to bite) and
# without, both sent the key; alternating rounds, each round's own ratio.
measure_auth() {
  local entry="  - name: bench
    endpoint: http://127.0.0.1:$BACKEND_PORT/v1/chat/completions
    max_concurrent: 10000"
  local key=sk-bench-key-0123456789 auth
  auth="auth: {keys: [{key: $key, name: bench, rpm: 1000000000, tpm: 1000000000}]}"
  declare -A url pid
  start_llmd llmd-open "$entry"
  url[open]=http://$STARTED_ADDR pid[open]=$STARTED_PID
  start_llmd llmd-keyed "$entry" "$auth"
  url[keyed]=http://$STARTED_ADDR pid[keyed]=$STARTED_PID
  local target round result paired=""
  declare -A runs rps
  local order
  for ((round = 1; round <= ROUNDS; round++)); do
    # Each goes first every other round: neither gets the machine's better half of a round.
    order="open keyed"
    ((round % 2)) || order="keyed open"
    for target in $order; do
      result=$(BENCH_AUTH_KEY=$key run_wrk 2 64 "$DURATION" "${url[$target]}")
      runs[$target]+="$result"$'\n'
      rps[$target]=$(cut -d' ' -f1 <<<"$result")
    done
    paired+="$(ratio "${rps[keyed]}" "${rps[open]}") 0 0 0"$'\n'
  done
  for target in open keyed; do
    I[$target]=$(median_of_rounds <<<"${runs[$target]%$'\n'}")
    stop_pid "${pid[$target]}"
  done
  I[paired]=$(median_of_rounds <<<"${paired%$'\n'}" | cut -d' ' -f1)
}

print_auth_rows() {
  row "i. req/s, 64 connections, no client keys" "—" "—" "$(cut -d' ' -f1 <<<"${I[open]}")" "—" ""
  row "i. req/s, 64 connections, a client key with rpm and tpm" "—" "—" "$(cut -d' ' -f1 <<<"${I[keyed]}")" "—" ""
  row "i. with client keys / without (median of the rounds' ratios)" "—" "—" "${I[paired]}" "" ""
}

print_observability_rows() {
  local p pl l ll b
  p=$(cut -d' ' -f1 <<<"${O[proxy]}")
  pl=$(cut -d' ' -f1 <<<"${O[proxy_logged]}")
  l=$(cut -d' ' -f1 <<<"${O[llmd]}")
  ll=$(cut -d' ' -f1 <<<"${O[llmd_logged]}")
  row "h. req/s, 64 connections, no access log (llm-d: metrics on)" "—" "$p" "$l" "—" "$(ratio "$l" "$p")"
  row "h. req/s, 64 connections, access log to a file" "—" "$pl" "$ll" "—" "$(ratio "$ll" "$pl")"
  row "h. with the access log / without" "—" "$(ratio "$pl" "$p")" "$(ratio "$ll" "$l")" "" ""
  row "h. llm-d CPU µs per request: no access log / access log" "—" "—" "${O[llmd_cpu]} / ${O[llmd_logged_cpu]}" "" ""
  if [[ -n "${O[baseline]:-}" ]]; then
    b=$(cut -d' ' -f1 <<<"${O[baseline]}")
    row "h. req/s, BENCH_BASELINE_LLMD (no metrics, no access log)" "—" "—" "$b" "—" "$(ratio "$b" "$p")"
    row "h. llm-d CPU µs per request, BENCH_BASELINE_LLMD" "—" "—" "${O[baseline_cpu]}" "" ""
    local logged plain cpu_logged
    read -r logged plain cpu_logged _ <<<"${O[paired]}"
    row "h. metrics and access log / baseline: req/s, CPU per request (median of the rounds' ratios)" "—" "—" \
      "$logged, $cpu_logged" "" ""
    row "h. metrics, no access log / baseline: req/s (median of the rounds' ratios)" "—" "—" "$plain" "" ""
  fi
}

# One streaming run; prints streamload's JSON, plus CPU ticks and RSS growth of llm-d when a pid is given.
stream_run() {
  local addr=$1 streams=$2 ramp_ms=$3 pid=${4:-}
  local ticks_before=0 rss_before=0 json
  if [[ -n "$pid" ]]; then
    ticks_before=$(cpu_ticks "$pid")
    rss_before=$(status_kb "$pid" VmRSS)
  fi
  json=$("$STREAMLOAD" --target "$addr" --streams "$streams" --interval-ms "$TOKEN_INTERVAL_MS" \
    --ramp-ms "$ramp_ms" --timeout-s $((ramp_ms / 1000 + 120)) || true)
  if [[ -n "$pid" ]]; then
    echo "$json $(($(cpu_ticks "$pid") - ticks_before)) $(($(status_kb "$pid" VmHWM) - rss_before))"
  else
    echo "$json 0 0"
  fi
}

stream_cells() {
  local result=$1 streams=$2 hz events ticks rss_kb json errors
  hz=$(getconf CLK_TCK)
  json=${result% * *}
  ticks=$(awk '{print $(NF-1)}' <<<"$result")
  rss_kb=$(awk '{print $NF}' <<<"$result")
  events=$(json_field "$json" events)
  STREAM_COMPLETED="$(json_field "$json" completed)/$streams (peak open $(json_field "$json" peak_open))"
  errors=$(sed -n 's/.*"errors":{\(.*\)}}$/\1/p' <<<"$json")
  if [[ -n "$errors" ]]; then STREAM_COMPLETED+=", errors: $errors"; fi
  STREAM_GAP=$(json_field "$json" extra_gap_p99_ms)
  STREAM_TTFE=$(json_field "$json" first_event_p99_ms)
  STREAM_CPU=$(awk -v t="$ticks" -v hz="$hz" -v e="$events" \
    'BEGIN {if (e == 0) print "—"; else printf "%.1f", t / hz / e * 1e6}')
  # Per stream open at the peak: under overload fewer than $streams are open at once.
  STREAM_RSS=$(awk -v kb="$rss_kb" -v n="$(json_field "$json" peak_open)" \
    'BEGIN {if (n == 0) print "—"; else printf "%.1f", kb / n}')
}

measure_streams() {
  local streams=$1 ramp_ms=$2 direct via
  direct=$(stream_run "$MOCK_ADDR" "$streams" "$ramp_ms")
  start_llmd "llmd-stream-$streams" "  - name: bench
    endpoint: http://$MOCK_ADDR/v1/chat/completions
    max_concurrent: 20000"
  via=$(stream_run "$STARTED_ADDR" "$streams" "$ramp_ms" "$STARTED_PID")
  stop_pid "$STARTED_PID"

  stream_cells "$direct" "$streams"
  local d_done=$STREAM_COMPLETED d_gap=$STREAM_GAP d_ttfe=$STREAM_TTFE
  stream_cells "$via" "$streams"
  STREAM_ROWS+="$(row "d. $streams streams: completed" "$d_done" "—" "$STREAM_COMPLETED" "" "")
$(row "d. $streams streams: p99 extra gap per event, ms" "$d_gap" "—" "$STREAM_GAP" "" "")
$(row "d. $streams streams: p99 time to first event, ms" "$d_ttfe" "—" "$STREAM_TTFE" "" "")
$(row "d. $streams streams: llm-d CPU s per million events" "" "—" "$STREAM_CPU" "" "")
$(row "d. $streams streams: llm-d peak RSS growth per open stream, KiB" "" "—" "$STREAM_RSS" "" "")
"
}

# One short stream at a time (a stream every 10 ms, each done in about a millisecond): the time
# from sending the request to its first event; "p50 p99 0 failed" per round.
first_event_run() {
  local json
  json=$("$STREAMLOAD" --target "$1" --streams 200 --interval-ms 1 --ramp-ms 2000 --timeout-s 60 || true)
  echo "$(json_field "$json" first_event_p50_ms) $(json_field "$json" first_event_p99_ms) 0" \
    "$(($(json_field "$json" streams) - $(json_field "$json" completed)))"
}

measure_first_event() {
  local mock proxy llmd direct="" by_nginx="" via="" round
  start_listening mock-first "$MOCK" --listen 127.0.0.1:0 --threads 1 --log-level warn --tokens 1 \
    --token-interval 1ms
  mock=$STARTED_ADDR
  UPSTREAM_ADDR=$mock start_nginx proxy-first proxy_server
  proxy=127.0.0.1:$STARTED_PORT
  start_llmd llmd-first "  - name: bench
    endpoint: http://$mock/v1/chat/completions
    max_concurrent: 10000"
  llmd=$STARTED_ADDR
  for ((round = 1; round <= ROUNDS; round++)); do
    direct+="$(first_event_run "$mock")"$'\n'
    by_nginx+="$(first_event_run "$proxy")"$'\n'
    via+="$(first_event_run "$llmd")"$'\n'
  done
  FIRST_DIRECT=$(median_of_rounds <<<"${direct%$'\n'}")
  FIRST_NGINX=$(median_of_rounds <<<"${by_nginx%$'\n'}")
  FIRST_LLMD=$(median_of_rounds <<<"${via%$'\n'}")
}

measure_failover() {
  local closed_port entries
  closed_port=$(random_port) # connecting to it is refused
  start_llmd llmd-failover "  - name: bench
    endpoint: http://127.0.0.1:$closed_port/v1/chat/completions
    max_concurrent: 10000
    retries: 0
  - name: fallback
    endpoint: http://127.0.0.1:$BACKEND_PORT/v1/chat/completions
    max_concurrent: 10000"
  FAILOVER=$(run_wrk 1 1 5s "http://$STARTED_ADDR")
  stop_pid "$STARTED_PID"
}

print_table() {
  echo "| figure | direct | nginx | llm-d | llm-d / direct | llm-d / nginx |"
  echo "| --- | --- | --- | --- | --- | --- |"
  wrk_row "a. req/s, 64 connections" 1 "${A[direct]}" "${A[proxy]}" "${A[llmd]}"
  wrk_row "a. p50 ms, 64 connections" 2 "${A[direct]}" "${A[proxy]}" "${A[llmd]}"
  wrk_row "a. p99 ms, 64 connections" 3 "${A[direct]}" "${A[proxy]}" "${A[llmd]}"
  wrk_row "b. p50 ms, 1 connection" 2 "${B[direct]}" "${B[proxy]}" "${B[llmd]}"
  wrk_row "b. p99 ms, 1 connection" 3 "${B[direct]}" "${B[proxy]}" "${B[llmd]}"
  local d50 d99
  d50=$(cut -d' ' -f2 <<<"${B[direct]}")
  d99=$(cut -d' ' -f3 <<<"${B[direct]}")
  row "b. added p50 ms (minus direct)" "0" "$(minus_ms "$(cut -d' ' -f2 <<<"${B[proxy]}")" "$d50")" \
    "$(minus_ms "$(cut -d' ' -f2 <<<"${B[llmd]}")" "$d50")" "" ""
  row "b. added p99 ms (minus direct)" "0" "$(minus_ms "$(cut -d' ' -f3 <<<"${B[proxy]}")" "$d99")" \
    "$(minus_ms "$(cut -d' ' -f3 <<<"${B[llmd]}")" "$d99")" "" ""
  wrk_row "c. req/s, 200 KB prompts, 16 connections" 1 "${C[direct]}" "${C[proxy]}" "${C[llmd]}"
  printf '%s' "$STREAM_ROWS"
  local plain failover
  plain=$(cut -d' ' -f2 <<<"${B[llmd]}")
  failover=$(cut -d' ' -f2 <<<"$FAILOVER")
  row "e. failover p50 ms, primary refuses (plain llm-d p50 in direct column)" "$(ms "$plain")" "—" \
    "$(with_errors "$(ms "$failover")" "$(cut -d' ' -f4 <<<"$FAILOVER")")" "added $(minus_ms "$failover" "$plain")" ""
  local field label d n l
  for field in 1 2; do
    label=$([[ $field == 1 ]] && echo p50 || echo p99)
    d=$(cut -d' ' -f$field <<<"$FIRST_DIRECT")
    n=$(cut -d' ' -f$field <<<"$FIRST_NGINX")
    l=$(cut -d' ' -f$field <<<"$FIRST_LLMD")
    row "f. $label ms to first event, one stream at a time" "$d" \
      "$(with_errors "$n" "$(cut -d' ' -f4 <<<"$FIRST_NGINX")")" \
      "$(with_errors "$l" "$(cut -d' ' -f4 <<<"$FIRST_LLMD")")" \
      "added $(awk -v a="$l" -v b="$d" 'BEGIN {printf "%+.3f", a - b}')" \
      "nginx added $(awk -v a="$n" -v b="$d" 'BEGIN {printf "%+.3f", a - b}')"
  done
}

# Figure d's 8,000 streams through llm-d need that many sockets to the client and as many to
# the mock in one process, plus a few.
raise_fd_limit() {
  local hard need=16500
  hard=$(ulimit -Hn) # never "unlimited" for open files on Linux
  ulimit -n "$hard"
  if ((hard < need)); then
    echo "bench: warning: ulimit -n is at most $hard; figure d's 8,000 streams need $need" >&2
  fi
}

main() {
  check_tools
  raise_fd_limit
  WORK=$(mktemp -d /tmp/llmd-bench.XXXXXX)
  chmod 755 "$WORK" # nginx workers run as nobody
  trap cleanup EXIT

  declare -gA A B C G H O I
  # BENCH_ONLY=https: figure g alone; BENCH_ONLY=observability: figure h alone; BENCH_ONLY=auth:
  # figure i alone.
  if [[ "${BENCH_ONLY:-}" == https ]]; then
    measure_https
    echo "| figure | direct | nginx | llm-d | llm-d / direct | llm-d / nginx |"
    echo "| --- | --- | --- | --- | --- | --- |"
    print_https_rows
    return
  fi
  start_backend
  start_nginx_proxy
  start_llmd llmd "  - name: bench
    endpoint: http://127.0.0.1:$BACKEND_PORT/v1/chat/completions
    max_concurrent: 10000"
  LLMD_ADDR=$STARTED_ADDR
  if [[ "${BENCH_ONLY:-}" == auth ]]; then
    measure_auth
    echo "| figure | direct | nginx | llm-d | llm-d / direct | llm-d / nginx |"
    echo "| --- | --- | --- | --- | --- | --- |"
    print_auth_rows
    return
  fi
  if [[ "${BENCH_ONLY:-}" == observability ]]; then
    measure_observability
    echo "| figure | direct | nginx | llm-d | llm-d / direct | llm-d / nginx |"
    echo "| --- | --- | --- | --- | --- | --- |"
    print_observability_rows
    return
  fi
  measure_http
  measure_failover

  start_listening mock "$MOCK" --listen 127.0.0.1:0 --threads 1 --log-level warn \
    --tokens "$TOKENS" --token-interval "${TOKEN_INTERVAL_MS}ms"
  MOCK_ADDR=$STARTED_ADDR
  STREAM_ROWS=""
  measure_streams 1000 500
  measure_streams 8000 1500
  measure_first_event
  measure_https
  measure_observability
  measure_auth

  print_table
  print_https_rows
  print_observability_rows
  print_auth_rows
}

main "$@"
