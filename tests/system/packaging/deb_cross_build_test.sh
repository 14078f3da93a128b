#!/bin/bash
# SPDX-License-Identifier: MIT
# Package test: the .deb of a Raspberry Pi architecture (arm64, armhf) cross-built on this
# machine the way `make deb ARCH=...` builds it (scripts/build-deb --arch: Debian's cross
# compilers and that architecture's multiarch libraries, lintian failing on any warning),
# into DIR/debs-ARCH. Checks that the package is of that architecture, that its daemon is an
# executable of that instruction set, and that its dependencies were computed from the
# architecture's libraries. package_cross_run_ARCH then runs it under qemu-user.
# Usage: deb_cross_build_test.sh DIR ARCH
set -euo pipefail

dir=$1
arch=$2
# shellcheck source=tests/system/packaging/common.sh
source "$(dirname "$0")/common.sh"
require_tools dpkg-buildpackage dh lintian dpkg-architecture readelf
triplet=$(dpkg-architecture -a"$arch" -qDEB_HOST_GNU_TYPE 2>/dev/null) ||
    fail "$arch is not a Debian architecture"
require_tools "$triplet-g++"
[ "$(dpkg-query -W -f='${db:Status-Status}' "libmicrohttpd-dev:$arch" 2>/dev/null)" = installed ] ||
    skip "the $arch libraries are missing: run scripts/install-deps cross"

out=$dir/debs-$arch
rm -rf "$out"
start=$SECONDS
"$repo/scripts/build-deb" --arch "$arch" --out "$out" --staging "$dir/deb-staging-$arch"
echo "build-deb --arch $arch with lintian took $((SECONDS - start)) s"

deb=$(find "$out" -maxdepth 1 -name "meteremu_*_$arch.deb")
[ -n "$deb" ] || fail "no meteremu_*_$arch.deb in $out"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || fail "$deb is not Architecture: $arch"
case $arch in
arm64) machine=AArch64 ;;
armhf) machine=ARM ;;
*) machine="" ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -x "$deb" "$work"
header=$(readelf -h "$work/usr/sbin/meteremu")
[ -z "$machine" ] || grep -Eq "Machine: +$machine\$" <<<"$header" ||
    fail "/usr/sbin/meteremu is no $machine executable: $(grep Machine <<<"$header")"
# dpkg-shlibdeps read the libraries of ARCH: the daemon's own, with their versions.
depends=$(dpkg-deb -f "$deb" Depends)
for library in libmicrohttpd12 libjansson4 libcurl4 libtomlplusplus3; do
    grep -q "$library" <<<"$depends" || fail "Depends names no $library: $depends"
done
ls -l "$out"
echo "deb cross build ($arch): ok"
