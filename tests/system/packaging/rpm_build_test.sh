#!/bin/bash
# SPDX-License-Identifier: MIT
# Package test: builds the RPMs the way `make rpm` does (scripts/build-rpm, without compiling
# and running the tests again inside) into DIR/rpms, with rpmlint failing on any error, then
# checks the package's files, attributes and scriptlets. Usage: rpm_build_test.sh DIR
set -euo pipefail

dir=$1
# shellcheck source=tests/system/packaging/common.sh
source "$(dirname "$0")/common.sh"
require_tools rpmbuild rpmlint

rm -rf "$dir/rpms"
start=$SECONDS
"$repo/scripts/build-rpm" --nocheck --out "$dir/rpms" --staging "$dir/rpm-staging"
echo "build-rpm with rpmlint took $((SECONDS - start)) s"
rpm=$(ls "$dir"/rpms/meteremu-*."$(rpm --eval '%{_arch}')".rpm)
[ -f "$(ls "$dir"/rpms/meteremu-*.src.rpm)" ] || fail "no source RPM"

query() { rpm -qp --qf "$1" "$rpm"; }
files=$(query '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILENAMES}\n]')
echo "$files"
expect_file() { # PATTERN (a line of the listing above)
    grep -Eq "^$1\$" <<<"$files" || fail "no file line matching '$1'"
}
# %config(noreplace) (flags c and n), readable by root and the service's group only.
expect_file '-rw-r----- root _meteremu cn /etc/meteremu.toml'
expect_file '-rwxr-xr-x root root +/usr/sbin/meteremu'
expect_file '-rw-r--r-- root root +/usr/lib/systemd/system/meteremu.service'
expect_file '-rw-r--r-- root root +/usr/lib/systemd/system/meteremu.socket'
expect_file '-rw-r--r-- root root +/usr/lib/sysusers.d/meteremu.conf'
expect_file '-rw-r--r-- root root +/usr/share/dbus-1/system.d/io.meteremu.Meter1.conf'
expect_file '-rw-r--r-- root root d /usr/share/man/man8/meteremu.8.gz'
expect_file '-rw-r--r-- root root d /usr/share/man/man5/meteremu.toml.5.gz'

expect_script() { # TAG WORDS
    local script
    script=$(query "%{$1}")
    grep -qF -- "$2" <<<"$script" || fail "%{$1} lacks '$2':
$script"
    sh -n <<<"$script" || fail "%{$1} is not valid sh"
}
expect_script PREIN "useradd -r -g '_meteremu' -d '/nonexistent' -s '/usr/sbin/nologin'"
expect_script POSTIN "install-system-units meteremu.socket meteremu.service"
expect_script PREUN "remove-system-units meteremu.socket meteremu.service"
expect_script POSTUN "mark-restart-system-units meteremu.service"
[ "$(query '%{RECOMMENDS}')" = avahi ] || fail "Recommends is not avahi"
ls -l "$dir"/rpms/
echo "rpm build: ok"
