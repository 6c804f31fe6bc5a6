#!/usr/bin/env bash
# CI: the container image and the docker compose demo, under podman, on Debian bookworm as root.
#   1. prepares podman where needed: packages, containers.conf, storage.conf, the Debian base image
#   2. builds the image from docker/Dockerfile
#   3. starts docker-compose.yml with podman-compose and checks through llm-d, on the host:
#      answers (plain and streamed) from the primary mock; once the primary is stopped, from the
#      fallback; once it is started again, from the primary; the HEALTHCHECK of the containers
#   4. removes its containers and network, also on failure (the images stay, as build cache)
#
#   scripts/container-test.sh
# Environment:
#   LLMD_HOST_PORT   host port for llm-d (default 8080); the script fails if it is in use
#   LLMD_BASE_IMAGE  the Debian base image (default docker.io/library/debian:bookworm-slim); made
#                    with debootstrap when absent
#   LLMD_PREBUILT    a release build tree (CI passes build/, which scripts/test.sh made and tested):
#                    the image takes its llm-d and llm-d-mock in place of the Dockerfile's build
#                    stage, which would compile them again; every other step of the Dockerfile runs
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

port=${LLMD_HOST_PORT:-8080}
export LLMD_HOST_PORT=$port          # docker-compose.yml publishes llm-d on it
base_image=${LLMD_BASE_IMAGE:-docker.io/library/debian:bookworm-slim}
image=llm-d:local                     # as in docker-compose.yml
project=llmd-ci                       # podman-compose project: containers llmd-ci_<service>_1
compose=(podman-compose -p "$project" -f "$root/docker-compose.yml")
gateway="${project}_llm-d_1"
url="http://127.0.0.1:$port"
deadline_ready=60                     # seconds for llm-d to be ready after `up`
deadline_switch=30                    # seconds for the traffic to move after a stop or start

started=$SECONDS
current=""                            # the step under way
step_started=$SECONDS
timings=()
step() {
  [ -z "$current" ] || timings+=("$(printf '%5ds  %s' $((SECONDS - step_started)) "$current")")
  current=$1
  step_started=$SECONDS
  [ -z "$1" ] || printf '\n==> %s\n' "$1"
}
fail() {
  printf '\nFAIL: %s\n' "$*" >&2
  exit 1
}
ok() { printf '    ok: %s\n' "$*"; }

out=$(mktemp -d /tmp/llmd-container-test.XXXXXX)   # responses, podman-compose's log
scratch_dirs=("$out")
compose_started=false

# ---- teardown, also on failure ------------------------------------------------------------------
compose_down() {
  "${compose[@]}" down >>"$out/compose.log" 2>&1 || true
  # podman-compose 1.0 leaves the containers of a crashed run, and never removes its network.
  local ids
  ids=$(podman ps -aq --filter "label=io.podman.compose.project=$project")
  if [ -n "$ids" ]; then
    # shellcheck disable=SC2086  # one id per word
    podman rm -f -t 1 $ids >/dev/null 2>&1 || true
  fi
  if podman network exists "${project}_default"; then podman network rm -f "${project}_default" >/dev/null; fi
}

teardown() {
  local status=$?
  trap - EXIT INT TERM
  if $compose_started; then
    if ((status != 0)); then
      printf '\n==> what podman-compose said (the test failed)\n'
      tail -n 30 "$out/compose.log" 2>/dev/null || true
      for c in "$gateway" "${project}_primary_1" "${project}_fallback_1"; do
        printf '\n==> logs of %s\n' "$c"
        podman logs --tail 30 "$c" 2>&1 || true
      done
    fi
    step "tearing down the demo"
    compose_down
    ok "containers and network ${project}_default removed"
  fi
  rm -rf "${scratch_dirs[@]}"
  step ""
  printf 'timings:\n'
  printf '%s\n' "${timings[@]}"
  if ((status == 0)); then
    printf '\nPASS: container test, %ds\n' $((SECONDS - started))
  else
    printf '\nFAIL: container test (exit %d) after %ds\n' "$status" $((SECONDS - started)) >&2
  fi
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- 1. podman --------------------------------------------------------------------------------
step "preparing podman"
"$root/scripts/prepare-podman.sh" "$base_image"

compose_down                                  # what a killed earlier run may have left
if { command -v ss >/dev/null && [ -n "$(ss -Hltn "sport = :$port")" ]; } ||
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  fail "port $port is in use on this machine: free it, or set LLMD_HOST_PORT to a free port"
fi
ok "port $port is free"

# ---- 2. the image -----------------------------------------------------------------------------
dockerfile=docker/Dockerfile
if [ -n "${LLMD_PREBUILT:-}" ]; then
  step "building $image from docker/Dockerfile with the binaries of $LLMD_PREBUILT"
  "$root/scripts/release-build-check.sh" "$LLMD_PREBUILT"
  # What the build stage leaves in /out, made here; in the context, since COPY reads nothing else.
  prebuilt=$root/docker/prebuilt
  scratch_dirs+=("$prebuilt")
  rm -rf "$prebuilt"
  mkdir -p "$prebuilt"
  cp "$LLMD_PREBUILT/src/llm-d" "$LLMD_PREBUILT/src/mock/llm-d-mock" "$prebuilt/"
  strip "$prebuilt/llm-d" "$prebuilt/llm-d-mock"
  docker/runtime-deps.sh "$prebuilt/llm-d" "$prebuilt/llm-d-mock" >"$prebuilt/runtime-packages"
  dockerfile=$out/Dockerfile
  awk '/^FROM .* AS build$/ { print "FROM scratch AS build\nLABEL io.llm-d.image=build\nCOPY docker/prebuilt /out"; skip = 1; next }
       /^FROM / { skip = 0 }
       !skip' docker/Dockerfile >"$dockerfile"
  grep -q '^COPY docker/prebuilt' "$dockerfile" || fail "docker/Dockerfile has no line 'FROM ... AS build' to replace"
else
  step "building $image from docker/Dockerfile (compiles llm-d when the sources changed)"
fi
commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if ! podman build --pull=never --network=host --format docker --build-arg "BASE_IMAGE=$base_image" \
  --build-arg "LLMD_COMMIT=$commit" -f "$dockerfile" -t "$image" . 2>&1 | sed 's/^/    /'; then
  fail "podman build failed: see its output above"
fi
# The result of the build stage is an untagged image: keep the newest, the cache of the next build,
# and remove the older ones and the leftovers of earlier builds (each is a full copy with vfs).
stale=$(podman image ls -q --filter dangling=true --filter label=io.llm-d.image=build | tail -n +2)
if [ -n "$stale" ]; then
  # shellcheck disable=SC2086  # one id per word
  podman rmi $stale >/dev/null 2>&1 || true
fi
podman image prune -f --filter label=io.llm-d.image=runtime >/dev/null
podman image prune -f --filter label=io.llm-d.image=sources >/dev/null  # tiny, cached by content
podman image ls --format '    {{.Repository}}:{{.Tag}} {{.Size}}' "$image"
healthcheck=$(podman image inspect --format '{{if .HealthCheck}}{{join .HealthCheck.Test " "}}{{end}}' "$image")
[ -n "$healthcheck" ] || fail "$image has no HEALTHCHECK (built in OCI format?)"
ok "$image has a HEALTHCHECK: $healthcheck"

# ---- 3. the demo ------------------------------------------------------------------------------
step "starting docker-compose.yml on port $port"
compose_started=true
"${compose[@]}" up -d >>"$out/compose.log" 2>&1 || true   # 1.0 exits 0 even when podman fails
for service in llm-d primary fallback; do
  state=$(podman inspect --format '{{.State.Status}}' "${project}_${service}_1" 2>/dev/null) ||
    fail "podman-compose up did not create the $service container"
  [ "$state" = running ] || fail "the $service container is $state, not running"
done
ok "llm-d, primary and fallback are running"

step "waiting for llm-d to be ready"
for ((t = SECONDS; ; )); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/ready")" = 200 ]; then break; fi
  ((SECONDS - t < deadline_ready)) || fail "GET $url/ready did not answer 200 within ${deadline_ready}s"
  sleep 0.5
done
ok "GET /ready answered 200 after $((SECONDS - t))s"
[ "$(podman exec "$gateway" id -u)" = 10001 ] || fail "llm-d does not run as the llm-d user (uid 10001)"
ok "llm-d runs as uid 10001"

body='{"model": "primary", "messages": [{"role": "user", "content": "Hello"}]}'
stream_body='{"model": "primary", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}'
# ask BODY: POSTs a chat completion; leaves the headers in $out/headers, the body in $out/body and
# prints the backend that answered (x-llmd-backend), or "status CODE" when it was not a 200.
ask() {
  local code
  code=$(curl -s -D "$out/headers" -o "$out/body" -w '%{http_code}' --max-time 10 \
    -H 'Content-Type: application/json' -d "$1" "$url/v1/chat/completions") || code="curl exit $?"
  if [ "$code" != 200 ]; then
    echo "status $code"
    return
  fi
  tr -d '\r' <"$out/headers" | awk -F': ' 'tolower($1) == "x-llmd-backend" { print $2 }'
}

# expect NAME: one plain and one streamed answer from the mock NAME, checked in full.
expect() {
  local who
  who=$(ask "$body")
  [ "$who" = "$1" ] || fail "plain request: answered by '$who', expected $1"
  grep -q "\"content\":\"\\[$1\\] t1 t2" "$out/body" || fail "plain request: not $1's text: $(cat "$out/body")"
  ok "plain: x-llmd-backend: $1, content \"[$1] t1 t2 ...\""
  who=$(ask "$stream_body")
  [ "$who" = "$1" ] || fail "streamed request: answered by '$who', expected $1"
  grep -qi '^content-type: text/event-stream' "$out/headers" || fail "streamed request: not text/event-stream"
  grep -q "\"content\":\"\\[$1\\] \"" "$out/body" || fail "streamed request: no [$1] event: $(cat "$out/body")"
  [ "$(grep -c '^data: ' "$out/body")" -ge 5 ] || fail "streamed request: too few events: $(cat "$out/body")"
  [ "$(grep '^data: ' "$out/body" | tail -n1)" = "data: [DONE]" ] || fail "streamed request: no data: [DONE] at the end"
  ok "streamed: x-llmd-backend: $1, $(grep -c '^data: ' "$out/body") SSE events ending with [DONE]"
}

# switch_to NAME: sends requests until NAME answers, within $deadline_switch seconds; every answer
# meanwhile must be a 200 (llm-d falls back before the client sees anything).
switch_to() {
  local t=$SECONDS tries=0 who
  while :; do
    tries=$((tries + 1))
    who=$(ask "$body")
    case $who in
      "$1") break ;;
      "status "*) fail "request $tries while moving to $1: $who, $(cat "$out/body")" ;;
    esac
    ((SECONDS - t < deadline_switch)) || fail "$1 did not answer within ${deadline_switch}s ($tries requests)"
    sleep 0.2
  done
  ok "$1 answered request $tries, after $((SECONDS - t))s"
}

step "chat completions through llm-d on 127.0.0.1:$port: the primary answers"
expect primary

step "podman-compose stop primary: the fallback answers"
"${compose[@]}" stop primary >>"$out/compose.log" 2>&1 || true
[ "$(podman inspect --format '{{.State.Status}}' "${project}_primary_1")" != running ] ||
  fail "the primary container is still running"
ok "primary stopped"
switch_to fallback
expect fallback

step "podman-compose start primary: the primary answers again"
"${compose[@]}" start primary >>"$out/compose.log" 2>&1 || true
[ "$(podman inspect --format '{{.State.Status}}' "${project}_primary_1")" = running ] ||
  fail "the primary container did not start again"
switch_to primary
expect primary

step "HEALTHCHECK of the containers"
for c in "$gateway" "${project}_primary_1" "${project}_fallback_1"; do
  podman healthcheck run "$c" >/dev/null 2>&1 || fail "podman healthcheck run $c: unhealthy"
  ok "$c: $(podman inspect --format '{{.State.Health.Status}}' "$c")"
done
