#!/usr/bin/env bash
# Readies podman on Debian bookworm, as root, for scripts/container-test.sh and
# scripts/package-test.sh: its packages, a containers.conf and storage.conf that work inside a
# container (runc, cgroupfs, vfs), and the Debian base image, made with debootstrap when absent.
#   scripts/prepare-podman.sh IMAGE
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base_image=$1
scratch_dirs=()
trap 'rm -rf "${scratch_dirs[@]}"' EXIT
fail() {
  printf '\nFAIL: %s\n' "$*" >&2
  exit 1
}
ok() { printf '    ok: %s\n' "$*"; }
[ "$(id -u)" -eq 0 ] || fail "run as root: podman is used rootful, with /etc/containers"

# With their recommended packages, as podman expects: netavark with aardvark-dns (the compose
# services find each other by name), iptables (published ports), buildah, catatonit...
packages=(podman runc podman-compose debootstrap netavark aardvark-dns iptables curl)
"$root/scripts/install-missing.sh" --with-recommends "${packages[@]}"
ok "packages present: ${packages[*]}"

# has FILE 'SECTION KEY = VALUE': whether FILE sets KEY to VALUE under [SECTION] (blanks ignored).
has() {
  [ -f "$1" ] || return 1
  local section=${2%% *} setting=${2#* }
  awk -v section="[$section]" -v want="$(tr -d ' \t' <<<"$setting")" '
    { line = $0; sub(/#.*/, "", line); gsub(/[ \t]/, "", line) }
    line ~ /^\[/ { in_section = (line == section); next }
    in_section && line == want { found = 1 }
    END { exit !found }' "$1"
}

# configure FILE CONTENT 'SECTION KEY = VALUE'...: unless FILE already has every setting, writes
# CONTENT to FILE (what was there is kept as FILE.orig).
configure() {
  local file=$1 content=$2 setting
  shift 2
  for setting in "$@"; do
    if ! has "$file" "$setting"; then
      mkdir -p "$(dirname "$file")"
      if [ -f "$file" ] && [ ! -f "$file.orig" ]; then cp "$file" "$file.orig"; fi
      printf '# Written by llm-d scripts/container-test.sh.\n%s\n' "$content" >"$file"
      echo "    wrote $file"
      return
    fi
  done
  ok "$file is set up already"
}

configure /etc/containers/containers.conf '[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"' \
  'containers default_ulimits = []' 'engine runtime = "runc"' 'engine cgroup_manager = "cgroupfs"'
configure /etc/containers/storage.conf '[storage]
driver = "vfs"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"' \
  'storage driver = "vfs"' 'storage runroot = "/run/containers/storage"' \
  'storage graphroot = "/var/lib/containers/storage"'

# The Debian mirror apt uses for bookworm, from sources.list (one-line entries) or
# sources.list.d (one-line .list or deb822 .sources files).
apt_mirror() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }'
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^#/) continue
          split($i, kv, ":[ \t]*")
          key = tolower(kv[1]); value = substr($i, length(kv[1]) + 2); sub(/^[ \t]+/, "", value)
          if (key == "types") types = value
          else if (key == "uris") uris = value
          else if (key == "suites") suites = value
          else if (key == "enabled") enabled = tolower(value)
        }
        if (enabled != "no" && (" " types " ") ~ / deb / && (" " suites " ") ~ / bookworm /) {
          split(uris, u, /[ \t]+/); print u[1]; exit
        }
      }' "$f"
  done
}

# import_root DIR IMAGE: DIR, a root file system, as IMAGE, with / world-readable (mktemp -d makes
# it 0700, and an image whose / is 0700 runs nothing as a user other than root).
import_root() {
  chmod 0755 "$1"
  tar -C "$1" -c . | podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$2" >/dev/null
}

if ! podman image exists "$base_image"; then
  mirror=$(apt_mirror | head -n1)
  if [ -z "$mirror" ]; then
    mirror=http://deb.debian.org/debian
    echo "    no bookworm mirror found in /etc/apt; using $mirror"
  fi
  echo "    $base_image is absent: debootstrap --variant=minbase bookworm from $mirror"
  dir=$(mktemp -d /var/tmp/llmd-debootstrap.XXXXXX)
  scratch_dirs+=("$dir")
  debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1 ||
    { tail -20 "$dir.log"; fail "debootstrap failed (log: $dir.log)"; }
  rm -f "$dir.log"
  # Like Docker's debian images: no package lists nor caches (every apt-get install updates first).
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
  import_root "$dir" "$base_image"
  rm -rf "$dir"
  ok "made $base_image"
elif [ "$(podman run --rm --network none --user 0 "$base_image" stat -c %a /)" != 755 ]; then
  # Made by an import of a mktemp -d directory without chmod: same files, / made 0755.
  echo "    the / of $base_image is not 0755, so a non-root user can run nothing: re-importing it"
  dir=$(mktemp -d /var/tmp/llmd-base.XXXXXX)
  scratch_dirs+=("$dir")
  cid=$(podman create --network none "$base_image" true)
  podman export "$cid" | tar -C "$dir" --numeric-owner -xpf -
  podman rm "$cid" >/dev/null
  import_root "$dir" "$base_image"
  rm -rf "$dir"
  ok "re-imported $base_image"
else
  ok "$base_image present"
fi
