#!/usr/bin/env bash
# Installs the Debian packages llm-d needs (only those missing), then configures and builds.
#   scripts/setup.sh [BUILD_DIR] [extra cmake arguments...]
#   scripts/setup.sh --deps-only [-DLLMD_BUILD_TESTS=OFF] [-DCMAKE_CXX_COMPILER=clang++]    install the packages, build nothing
# With -DLLMD_BUILD_TESTS=OFF (docker/Dockerfile's build) the packages only the tests use are left out;
# with -DCMAKE_CXX_COMPILER=clang++ (scripts/fuzz.sh, scripts/test-sanitized.sh) clang and its
# runtimes are added.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tests=true
clang=false
for arg in "$@"; do
  if [ "$arg" = "-DLLMD_BUILD_TESTS=OFF" ]; then tests=false; fi
  if [ "$arg" = "-DCMAKE_CXX_COMPILER=clang++" ]; then clang=true; fi
done
deps_only=false
if [ "${1:-}" = "--deps-only" ]; then
  deps_only=true
  shift
fi
build=${1:-"$root/build"}
shift || true

# ca-certificates is the system CA store llm-d trusts for https:// upstreams by default.
packages=(g++ cmake make libboost1.81-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libssl-dev ca-certificates)
# For the tests and bench/run.sh, not for a build without tests (the image's): the TLS tests make
# their certificates with the openssl command line; the egress tests run tinyproxy as a CONNECT
# proxy and give llm-d a hosts file of their own through libnss-wrapper (LD_PRELOAD); the
# end-to-end tests drive llm-d with the official openai client on Node.js; the status page test
# renders the page in headless Chromium (as scripts/status-screenshot.sh does). On a machine run by
# systemd, installing tinyproxy starts it on port 8888, and nginx its default site on port 80
# (`systemctl disable --now tinyproxy nginx`). In bookworm `nginx` is the smallest package with
# /usr/sbin/nginx. util-linux's prlimit runs llm-d with few descriptors, for the test that it
# survives running out of them.
test_packages=(libgtest-dev openssl tinyproxy libnss-wrapper nodejs wrk nginx chromium util-linux)
if $tests; then packages+=("${test_packages[@]}"); fi
# Clang, with the runtimes of -fsanitize=fuzzer,address,undefined, which it only recommends.
if $clang; then packages+=(clang libclang-rt-14-dev); fi
"$root/scripts/install-missing.sh" "${packages[@]}"
# Debian's npm; a Node.js from elsewhere (NodeSource's conflicts with it) brings its own.
if $tests && ! command -v npm >/dev/null; then "$root/scripts/install-missing.sh" npm; fi
if $deps_only; then exit 0; fi
# The openai client at the version package-lock.json pins.
if $tests; then npm ci --prefix "$root/tests/e2e" --no-audit --no-fund --loglevel=error; fi

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build" -j "$(nproc)"
