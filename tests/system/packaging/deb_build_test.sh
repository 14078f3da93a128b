#!/bin/bash
# SPDX-License-Identifier: MIT
# Package test: builds the Debian packages the way `make deb` does (scripts/build-deb, without
# compiling and running the tests again inside: ctest runs them already) into DIR/debs, with
# lintian failing on any warning or error, then checks what the .deb declares. The install
# test uses the result. Usage: deb_build_test.sh DIR
set -euo pipefail

dir=$1
# shellcheck source=tests/system/packaging/common.sh
source "$(dirname "$0")/common.sh"
require_tools dpkg-buildpackage dh lintian

rm -rf "$dir/debs"
start=$SECONDS
"$repo/scripts/build-deb" --nocheck --out "$dir/debs" --staging "$dir/deb-staging"
echo "build-deb with lintian took $((SECONDS - start)) s"

arch=$(dpkg --print-architecture)
deb=$(ls "$dir"/debs/meteremu_*_"$arch".deb)
ls "$dir"/debs/meteremu_*.dsc >/dev/null || fail "no source package (.dsc)"
[ ! -e "$repo/debian" ] || fail "the build left a ./debian in the checkout"

# The configuration is a conffile and is not world-readable in the package itself.
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles)
grep -qx /etc/meteremu.toml <<<"$conffiles" || fail "/etc/meteremu.toml is not a conffile"
contents=$(dpkg-deb -c "$deb")
grep -q '^-rw-r----- root/root .* ./etc/meteremu.toml$' <<<"$contents" ||
    fail "/etc/meteremu.toml is not 0640 in the package"
grep -q ' ./usr/lib/sysusers.d/meteremu.conf$' <<<"$contents" || fail "no sysusers.d file"
grep -q '^-rw-r--r-- root/root .* ./usr/share/dbus-1/system.d/io.meteremu.Meter1.conf$' \
    <<<"$contents" || fail "no D-Bus policy file"
[ "$(dpkg-deb -f "$deb" Recommends)" = avahi-daemon ] || fail "Recommends is not avahi-daemon"

# Units are enabled and started only through debhelper's snippets: our own maintainer
# scripts never call systemctl (lintian's maintainer-script-calls-systemctl).
if grep -l systemctl "$repo"/packaging/debian/meteremu.{postinst,postrm,preinst,prerm} 2>/dev/null; then
    fail "a maintainer script calls systemctl"
fi
ls -l "$dir"/debs/
echo "deb build: ok"
