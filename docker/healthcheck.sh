#!/usr/bin/env bash
# The image's HEALTHCHECK: GET /health from 127.0.0.1 with bash's /dev/tcp, so the image needs no
# curl; with LLMD_HEALTH_TLS=1 (for a config with listen_tls) over HTTPS through
# `openssl s_client`, which does not verify the certificate: it is llm-d's own, on loopback.
# Exits 0 when the answer is 200, 1 otherwise.
#   llm-d-healthcheck [PORT [PATH]]    PORT defaults to $LLMD_HEALTH_PORT, else 8080
set -euo pipefail
trap '' PIPE  # a server that closes early fails a write, not the script
port=${1:-${LLMD_HEALTH_PORT:-8080}}
path=${2:-/health}

request() {
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUser-Agent: llm-d-healthcheck\r\nConnection: close\r\n\r\n' \
    "$path" "$port"
}

status=""
if [ "${LLMD_HEALTH_TLS:-}" = 1 ]; then
  status=$(request | timeout 5 openssl s_client -quiet -connect "127.0.0.1:$port" 2>/dev/null |
    { IFS=$' \t\r' read -r _ code _ && echo "$code"; } || true)
else
  if ! exec 3<>"/dev/tcp/127.0.0.1/$port"; then
    echo "unhealthy: nothing listens on 127.0.0.1:$port"
    exit 1
  fi
  request >&3 || true
  IFS=$' \t\r' read -r -t 5 _ status _ <&3 || true
  exec 3<&-
fi
if [ "$status" != 200 ]; then
  echo "unhealthy: GET $path on 127.0.0.1:$port answered ${status:-nothing within 5s}"
  exit 1
fi
echo "healthy: GET $path on 127.0.0.1:$port answered 200"
