#!/usr/bin/env bash
# The image's HEALTHCHECK: GET /health from 127.0.0.1 with bash's /dev/tcp, so the image needs no
# curl. Exits 0 when the answer is 200, 1 otherwise.
#   llm-d-healthcheck [PORT [PATH]]    PORT defaults to $LLMD_HEALTH_PORT, else 8080
set -euo pipefail
port=${1:-${LLMD_HEALTH_PORT:-8080}}
path=${2:-/health}

if ! exec 3<>"/dev/tcp/127.0.0.1/$port"; then
  echo "unhealthy: nothing listens on 127.0.0.1:$port"
  exit 1
fi
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUser-Agent: llm-d-healthcheck\r\nConnection: close\r\n\r\n' \
  "$path" "$port" >&3
status=""
IFS=$' \t\r' read -r -t 5 _ status _ <&3 || true
exec 3<&-
if [ "$status" != 200 ]; then
  echo "unhealthy: GET $path on 127.0.0.1:$port answered ${status:-nothing within 5s}"
  exit 1
fi
echo "healthy: GET $path on 127.0.0.1:$port answered 200"
