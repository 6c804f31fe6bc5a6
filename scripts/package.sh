#!/usr/bin/env bash
# The release artifacts, in dist/:
#   llm-d_VERSION_amd64.deb              CPack's DEB of build/, the tree scripts/test.sh builds and
#                                        tests: /usr/bin/llm-d and llm-d-mock, /etc/llm-d/llm-d.yaml
#                                        (a conffile), the systemd unit, the docs
#   llm-d-VERSION-linux-amd64.tar.gz     both binaries linked statically but for glibc
#                                        (build-portable/, -DLLMD_PORTABLE=ON), the example configs,
#                                        a README
#   SHA256SUMS                           of both
#   scripts/package.sh
# build/ is configured (without the tests) and built when absent; when present it must be a Release
# build without sanitizers, as scripts/test.sh leaves it. scripts/package-test.sh checks the result.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build
portable=$root/build-portable
dist=$root/dist

# dpkg-shlibdeps (dpkg-dev) computes the package's dependencies; CPack finds the ELF files with file.
"$root/scripts/setup.sh" --deps-only -DLLMD_BUILD_TESTS=OFF
"$root/scripts/install-missing.sh" dpkg-dev file

if [ -f "$build/CMakeCache.txt" ]; then
  "$root/scripts/release-build-check.sh" "$build"
  cmake --build "$build" -j "$(nproc)" --target llm-d llm-d-mock
else
  "$root/scripts/setup.sh" "$build" -DLLMD_WERROR=ON -DLLMD_BUILD_TESTS=OFF
fi

cmake -S "$root" -B "$portable" -DCMAKE_BUILD_TYPE=Release -DLLMD_PORTABLE=ON -DLLMD_WERROR=ON \
  -DLLMD_BUILD_TESTS=OFF -DLLMD_BUILD_BENCH=OFF >/dev/null
cmake --build "$portable" -j "$(nproc)"   # without tests and bench: the libraries and both binaries

version=$("$build/src/llm-d" --version | awk '{ print $2 }')
rm -rf "$dist"
mkdir -p "$dist"

# ---- the Debian package ---------------------------------------------------------------------------
(cd "$build" && cpack -G DEB -B "$dist/cpack" >/dev/null)
mv "$dist"/cpack/llm-d_*.deb "$dist/"
rm -rf "$dist/cpack"
deb=$(cd "$dist" && ls llm-d_*.deb)
echo "$deb: $(dpkg-deb -f "$dist/$deb" Depends)"

# ---- the portable tarball -------------------------------------------------------------------------
name=llm-d-$version-linux-amd64
stage=$dist/$name
mkdir -p "$stage/examples"
cp "$portable/src/llm-d" "$portable/src/mock/llm-d-mock" "$stage/"
strip "$stage/llm-d" "$stage/llm-d-mock"
cp "$root"/config/*.yaml "$stage/examples/"
cp "$root/deploy/debian/llm-d.service" "$stage/examples/"
cp "$root/deploy/tarball/README.md" "$root/LICENSE" "$stage/"
# Only glibc's libraries, the loader and the vDSO.
for binary in "$stage/llm-d" "$stage/llm-d-mock"; do
  others=$(ldd "$binary" | awk '{ print $1 }' | grep -Ev '^(linux-vdso\.so\.1|libc\.so\.6|libm\.so\.6|/lib64/ld-linux-x86-64\.so\.2)$' || true)
  [ -z "$others" ] || { echo "package.sh: $binary loads more than glibc: $others" >&2; exit 1; }
done
# The same bytes for the same commit: names sorted, owner root, times those of the commit.
stamp=$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)
tar -C "$dist" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$stamp" -cf - "$name" |
  gzip -n -9 >"$dist/$name.tar.gz"
rm -rf "$stage"

(cd "$dist" && sha256sum "$deb" "$name.tar.gz" >SHA256SUMS)
echo "dist/:"
(cd "$dist" && ls -l --time-style=+ "$deb" "$name.tar.gz" SHA256SUMS | awk '{ printf "  %10d  %s\n", $5, $NF }')
