#!/usr/bin/env bash
# CI: what scripts/package.sh left in dist/, checked on bare Debian bookworm containers (podman):
#   1. SHA256SUMS matches both files
#   2. the .deb, in a container whose init is systemd (scripts/package-checks/deb.sh):
#      `apt-get install ./llm-d_*.deb` brings its dependencies; llm-d --version and --check-config
#      /etc/llm-d/llm-d.yaml work; `systemd-analyze verify` accepts the unit; the llm-d user exists
#      and alone reads the config; `systemctl start` returns once llm-d listens (Type=notify) and
#      it serves at once, as llm-d, hardened; reload and stop (a drain) work; an edited config
#      survives a reinstall; removal keeps it and takes the binaries
#   3. the tarball, in a container with no -dev package and no network (package-checks/tarball.sh):
#      its binaries load only glibc,
#      and llm-d serves a plain and a streamed chat completion from llm-d-mock on loopback, then
#      drains on SIGTERM
#   scripts/package-test.sh
# Environment: LLMD_BASE_IMAGE, as for scripts/container-test.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$root/dist
checks=$root/scripts/package-checks   # what runs in the containers
base_image=${LLMD_BASE_IMAGE:-docker.io/library/debian:bookworm-slim}
started=$SECONDS
fail() {
  printf '\nFAIL: %s\n' "$*" >&2
  exit 1
}
step() { printf '\n==> %s\n' "$*"; }

step "preparing podman"
"$root/scripts/prepare-podman.sh" "$base_image"

step "SHA256SUMS"
[ -f "$dist/SHA256SUMS" ] || fail "no $dist/SHA256SUMS: run scripts/package.sh first"
(cd "$dist" && sha256sum --check SHA256SUMS) | sed 's/^/    /'
[ "$(wc -l <"$dist/SHA256SUMS")" -eq 2 ] || fail "SHA256SUMS does not name exactly the .deb and the tarball"

step "the Debian package on bare bookworm, under systemd"
# The container's init is systemd, once apt-get has installed the package (and systemd itself).
deb_container=$(podman run -d --systemd=always -v "$dist:/dist:ro" -v "$checks:/checks:ro" "$base_image" bash -c '
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -q --no-install-recommends /dist/llm-d_*_amd64.deb systemd; } \
    >/root/apt.log 2>&1 && touch /root/installed
  exec /lib/systemd/systemd')
trap 'podman rm -f "$deb_container" >/dev/null 2>&1 || true' EXIT
for ((t = SECONDS; ; )); do
  state=$(podman exec "$deb_container" systemctl is-system-running 2>/dev/null) || true
  case $state in running | degraded) break ;; esac
  if [ "$(podman inspect --format '{{.State.Status}}' "$deb_container")" != running ]; then
    podman logs --tail 30 "$deb_container"
    fail "the container stopped before systemd ran"
  fi
  ((SECONDS - t < 300)) || fail "systemd did not come up within 300s (is-system-running: $state)"
  sleep 1
done
echo "    ok: systemd is $state after $((SECONDS - t))s"
if ! podman exec "$deb_container" bash /checks/deb.sh 2>&1 | sed 's/^/    /'; then
  fail "the Debian package: see above"
fi
podman rm -f "$deb_container" >/dev/null

step "the tarball on bare bookworm, without network"
if ! podman run --rm --network none -v "$dist:/dist:ro" -v "$checks:/checks:ro" "$base_image" \
  bash /checks/tarball.sh 2>&1 | sed 's/^/    /'; then
  fail "the tarball: see above"
fi

printf '\nPASS: package test, %ds\n' $((SECONDS - started))
