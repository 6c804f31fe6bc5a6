#!/usr/bin/env bash
# Installs the Debian packages llm-d needs (only those missing), then configures and builds.
#   scripts/setup.sh [BUILD_DIR] [extra cmake arguments...]
#   scripts/setup.sh --deps-only    install the packages, build nothing (docker/Dockerfile uses this)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deps_only=false
if [ "${1:-}" = "--deps-only" ]; then
  deps_only=true
  shift
fi
build=${1:-"$root/build"}
shift || true

# ca-certificates is the system CA store llm-d trusts for https:// upstreams by default; the
# TLS tests make their certificates with the openssl command line, the egress tests run
# tinyproxy as a CONNECT proxy and give llm-d a hosts file of their own through libnss-wrapper
# (LD_PRELOAD); on a machine run by systemd, installing tinyproxy starts it on port 8888. wrk and nginx are for
# bench/run.sh. In bookworm `nginx` is the smallest package with /usr/sbin/nginx (nginx-light
# and nginx-core add modules to it); on a machine run by systemd, installing it starts the
# default site on port 80 (`systemctl disable --now nginx` stops it).
packages=(g++ cmake make libboost1.81-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libgtest-dev libssl-dev
  ca-certificates openssl tinyproxy libnss-wrapper wrk nginx)
"$root/scripts/install-missing.sh" "${packages[@]}"
if $deps_only; then exit 0; fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
