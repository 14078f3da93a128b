#!/bin/bash
# SPDX-License-Identifier: MIT
# System test (root): the .deb from package_deb_build, installed with apt on this machine,
# upgraded to a newer build of it with the configuration edited, removed and purged.
#
# Checks the files, their modes and owners, the _meteremu user, the units' enablement,
# `meteremu --check-config` as the service user (via the autopkgtests), that the edit and a
# dpkg-statoverride survive the upgrade, and that purge leaves nothing behind except the
# user: Debian does not remove system users (files they own may remain elsewhere, and a
# reused uid would inherit them), so the test expects _meteremu to stay, locked, no shell.
#
# systemd is not PID 1 here: the maintainer scripts must cope; deb-systemd-invoke skips the
# start, and deb-systemd-helper still records the enablement, which the test checks.
# Recommends (avahi-daemon) are not installed, to leave this machine as it was.
# Usage: deb_install_test.sh DIR (the directory package_deb_build built into)
set -euo pipefail

dir=$1
# shellcheck source=tests/system/packaging/common.sh
source "$(dirname "$0")/common.sh"
config=/etc/meteremu.toml
marker=/var/tmp/meteremu-deb-install-test.marker
export DEBIAN_FRONTEND=noninteractive

step() { echo "=== $*"; }
state() { dpkg-query -W -f='${db:Status-Status}' meteremu 2>/dev/null || true; }
# Waits for the dpkg lock rather than failing when something else installs packages.
apt_get() { apt-get -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$@"; }

[ "$(id -u)" -eq 0 ] || skip "needs root to install packages"
arch=$(dpkg --print-architecture)
deb=$(ls "$dir"/debs/meteremu_*_"$arch".deb 2>/dev/null || true)
[ -n "$deb" ] || skip "no .deb in $dir/debs (package_deb_build did not run)"
require_tools apt-get dpkg-statoverride runuser flock
# One run at a time on this machine (other checkouts run this test too).
lock_host_packages
if [ -n "$(state)" ] && [ "$(state)" != not-installed ]; then
    # A run that was killed leaves its marker; anything else is somebody's real installation.
    [ -e "$marker" ] || skip "meteremu is installed on this machine ($(state)); not replacing it"
    apt_get purge meteremu
fi

work=$(mktemp -d)
made_state_directory=""
cleanup() {
    if [ -n "$(state)" ] && [ "$(state)" != not-installed ]; then apt_get purge meteremu || true; fi
    dpkg-statoverride --list "$config" >/dev/null && dpkg-statoverride --remove "$config"
    [ -z "$made_state_directory" ] || rm -rf /var/lib/meteremu
    rm -rf "$work" "$marker"
}
trap cleanup EXIT
touch "$marker"

expect_stat() { # PATH "MODE OWNER GROUP"
    local actual
    actual=$(stat -c '%a %U %G' "$1") || fail "$1 is missing"
    [ "$actual" = "$2" ] || fail "$1 is $actual, expected $2"
}
expect_absent() {
    for path in "$@"; do
        if [ -e "$path" ] || [ -L "$path" ]; then fail "$path is still there"; fi
    done
}
check_config_as_service() { # expected exit status
    local status=0
    runuser -u _meteremu -- meteremu --check-config >"$work/out" 2>&1 || status=$?
    cat "$work/out"
    [ "$status" -eq "$1" ] || fail "--check-config as _meteremu exited $status, expected $1"
}

step "install $(basename "$deb")"
[ "$(dpkg-deb -f "$deb" Recommends)" = avahi-daemon ] || fail "Recommends is not avahi-daemon"
apt_get install "$deb"
[ "$(state)" = installed ] || fail "meteremu is '$(state)' after install"
version=$(dpkg-query -W -f='${Version}' meteremu)
dpkg -L meteremu >"$work/files"
[ -d /run/systemd/system ] || echo "note: systemd is not PID 1: deb-systemd-invoke skipped the start"

step "files, modes, owners"
expect_stat /usr/sbin/meteremu "755 root root"
expect_stat "$config" "640 root _meteremu"
for file in /lib/systemd/system/meteremu.service /lib/systemd/system/meteremu.socket \
    /usr/lib/sysusers.d/meteremu.conf /usr/share/dbus-1/system.d/io.meteremu.Meter1.conf \
    /usr/share/man/man8/meteremu.8.gz \
    /usr/share/man/man5/meteremu.toml.5.gz /usr/share/doc/meteremu/copyright; do
    expect_stat "$file" "644 root root"
done
dpkg-query -W -f='${Conffiles}\n' meteremu | grep -q "^ $config " || fail "$config is no conffile"
meteremu --version | grep -qx "meteremu ${version%-*}" || fail "meteremu --version is not ${version%-*}"
if command -v man >/dev/null; then
    [ "$(man -w meteremu)" = /usr/share/man/man8/meteremu.8.gz ] || fail "man -w meteremu"
    man -P cat meteremu.toml 2>/dev/null | grep -q "token_file" || fail "man meteremu.toml"
fi

step "the _meteremu user"
entry=$(getent passwd _meteremu) || fail "no _meteremu user"
IFS=: read -r _ _ uid _ _ home shell <<<"$entry"
[ "$uid" -lt 1000 ] || fail "_meteremu has uid $uid, not a system uid"
[ "$home:$shell" = /nonexistent:/usr/sbin/nologin ] || fail "_meteremu has $home:$shell"
getent group _meteremu >/dev/null || fail "no _meteremu group"

step "units enabled through deb-systemd-helper"
for link in multi-user.target.wants/meteremu.service sockets.target.wants/meteremu.socket; do
    [ -L "/etc/systemd/system/$link" ] || fail "/etc/systemd/system/$link is not a symlink"
done

step "autopkgtests"
"$repo/packaging/debian/tests/check-config"
status=0
"$repo/packaging/debian/tests/service-smoke" || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 77 ] || fail "service-smoke exited $status"

step "edit the configuration"
sed 's/^host = ""/host = "192.0.2.10"/; s/^#token = ""/token = "install-test-secret"/' \
    "$config" >"$work/edited"
cat "$work/edited" >"$config" # in place, as an editor keeps the file's owner and mode
check_config_as_service 0
grep -q "configuration is valid" "$work/out" || fail "no 'configuration is valid'"
if grep -q install-test-secret "$work/out"; then fail "--check-config printed the token"; fi
sum=$(sha256sum <"$config")

step "upgrade to a newer build with the edited configuration"
upgrade_version="$version+upgradetest$(date +%s)"
"$repo/scripts/build-deb" --rebuild-as "$upgrade_version" --out "$work/debs" \
    --staging "$dir/deb-staging"
apt_get install "$work"/debs/meteremu_"$upgrade_version"_"$arch".deb
[ "$(dpkg-query -W -f='${Version}' meteremu)" = "$upgrade_version" ] || fail "not upgraded"
zgrep -q "$upgrade_version" /usr/share/doc/meteremu/changelog.Debian.gz || fail "old changelog"
[ "$(sha256sum <"$config")" = "$sum" ] || fail "the upgrade changed the edited $config"
expect_stat "$config" "640 root _meteremu"
expect_absent "$config".dpkg-dist "$config".dpkg-new "$config".dpkg-old
check_config_as_service 0

step "dpkg-statoverride is respected, and without one postinst restores the group"
upgrade_deb=$(ls "$work"/debs/meteremu_"$upgrade_version"_"$arch".deb)
dpkg-statoverride --add root root 0600 "$config"
chown root:root "$config"
chmod 0600 "$config"
apt_get install --reinstall "$upgrade_deb"
expect_stat "$config" "600 root root"
dpkg-statoverride --remove "$config"
apt_get install --reinstall "$upgrade_deb"
expect_stat "$config" "640 root _meteremu"
[ "$(sha256sum <"$config")" = "$sum" ] || fail "the reinstall changed the edited $config"

step "remove: the configuration stays"
apt_get remove meteremu
[ "$(state)" = config-files ] || fail "meteremu is '$(state)' after remove"
expect_absent /usr/sbin/meteremu /lib/systemd/system/meteremu.service
[ "$(sha256sum <"$config")" = "$sum" ] || fail "remove changed $config"

step "purge: everything goes but the user"
[ -e /var/lib/meteremu ] || made_state_directory=yes
mkdir -p /var/lib/meteremu # what systemd's StateDirectory= would have made
echo state >/var/lib/meteremu/token-cache
apt_get purge meteremu
[ -z "$(state)" ] || [ "$(state)" = not-installed ] || fail "meteremu is '$(state)' after purge"
while read -r path; do
    [ -d "$path" ] || expect_absent "$path"
done <"$work/files"
expect_absent "$config" "$config".dpkg-dist "$config".dpkg-old /var/lib/meteremu \
    /usr/share/doc/meteremu \
    /etc/systemd/system/multi-user.target.wants/meteremu.service \
    /etc/systemd/system/sockets.target.wants/meteremu.socket \
    /etc/systemd/system/meteremu.service /etc/systemd/system/meteremu.socket
leftovers=$(find /var/lib/systemd/deb-systemd-helper-enabled \
    /var/lib/systemd/deb-systemd-helper-masked -name '*meteremu*' 2>/dev/null || true)
[ -z "$leftovers" ] || fail "deb-systemd-helper state left: $leftovers"
getent passwd _meteremu >/dev/null || fail "the _meteremu user was removed"
password=$(getent shadow _meteremu | cut -d: -f2)
case "$password" in '!'* | '*'*) ;; *) fail "_meteremu's password is not locked" ;; esac
echo "deb install, upgrade, purge: ok (took ${SECONDS} s)"
