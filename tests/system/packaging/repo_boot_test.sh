#!/bin/bash
# SPDX-License-Identifier: MIT
# System test (root): `apt install meteremu` from the signed repository, as a user does it, in
# a container booted with systemd as PID 1 (tests/system/systemd_boot_lib.sh: an overlay of
# this machine's own Debian on a tmpfs, loopback-only network, nothing written to the host).
#
# The repository (scripts/build-repo, a throwaway key) is served by a web server on the
# container's loopback. Inside, the README's lines fetch the keyring and the deb822 source;
# apt-get installs meteremu, the service starts once /etc/meteremu.toml is edited and answers
# EM.GetStatus. Then newer versions are published and `apt-get upgrade` takes them:
#   - with only the user's edit, no conffile question is asked and no .dpkg-dist appears;
#   - when the packaged default changed as well (dpkg would ask; --force-confold answers as
#     "keep mine"), the edit stays and the new default lands as /etc/meteremu.toml.dpkg-dist;
#   - each time, the service runs the new files (another process, whose binary is not the
#     deleted one).
# `apt-get purge` removes every file of the package, the configuration and the state, and
# leaves the system user (Debian does not remove system users).
#
# The newer versions are the same build repacked with another version (and, for the second,
# a changed default configuration): what is under test is apt and the maintainer scripts,
# not the compiler. Usage: repo_boot_test.sh DIR (the directory package_deb_build built into)
set -euo pipefail

dir=$1
# shellcheck source=tests/system/packaging/common.sh
source "$(dirname "$0")/common.sh"
arch=$(dpkg --print-architecture)
deb=$(ls "$dir"/debs/meteremu_*_"$arch".deb 2>/dev/null | head -n 1 || true)
[ -n "$deb" ] || skip "no .deb in $dir/debs (package_deb_build did not run)"
require_tools apt-ftparchive gpg gpgconf dpkg-deb flock nsenter
[ "$(id -u)" -eq 0 ] || skip "needs root (mounts, systemd-nspawn)"
# The container's root is this machine's: a meteremu installed here would be installed there.
lock_host_packages
installed=$(dpkg-query -W -f='${db:Status-Status}' meteremu 2>/dev/null || true)
[ -z "$installed" ] || [ "$installed" = not-installed ] ||
    skip "meteremu is installed on this machine ($installed): the container would inherit it"

# shellcheck source=tests/system/systemd_boot_lib.sh
. "$(dirname "$0")/../systemd_boot_lib.sh"
keys=$(mktemp -d)
# The key's gpg agent is stopped before its home goes.
forget_keys() {
    GNUPGHOME=$keys/gnupg gpgconf --kill gpg-agent 2>/dev/null || true
    rm -rf "$keys"
}
boot_extra_cleanup=forget_keys
boot_overlay

port=8901
served=/srv/meteremu-repo
config=/etc/meteremu.toml
step() { echo "=== $*"; }
# A clean environment inside: no proxy of this machine's, no terminal, C messages.
in_container() {
    inside env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C DEBIAN_FRONTEND=noninteractive \
        timeout 120 "$@"
}
apt_inside() { # LOG apt-get ARGS...: fails on any error or warning
    local log=$work/$1
    shift
    in_container "$@" -y -q -o DPkg::Lock::Timeout=60 </dev/null >"$log" 2>&1 ||
        { cat "$log"; fail "$* failed"; }
    if grep -E '^(W|E):' "$log"; then fail "$* warned (above)"; fi
}
version_inside() { in_container dpkg-query -W -f='${Version}' meteremu; }

# The publisher's side: the packages and the key on this machine, the repository written
# into the container's /srv, which its web server serves as it is.
publish() {
    "$repo/scripts/build-repo" --packages "$work/debs" --out "$root$served" \
        --key "$keys/secret.key" --uri "http://127.0.0.1:$port/" >"$work/build-repo.log" 2>&1 ||
        { cat "$work/build-repo.log"; fail "build-repo failed"; }
}
# repack VERSION [NEW-DEFAULT-LINE]: the first .deb as VERSION, optionally with a line added
# to the packaged /etc/meteremu.toml (conffiles carry no md5sums entry: dpkg hashes them).
repack() {
    local tree=$work/repack
    rm -rf "$tree"
    dpkg-deb -R "$deb" "$tree"
    sed -i "s/^Version: .*/Version: $1/" "$tree/DEBIAN/control"
    [ -z "${2:-}" ] || echo "$2" >>"$tree$config"
    dpkg-deb -b "$tree" "$work/debs/meteremu_$1_$arch.deb" >/dev/null
}

step "a throwaway archive key, the repository of $(basename "$deb")"
new_signing_key "$keys/gnupg" meteremu-test "$keys/secret.key"
mkdir "$work/debs"
cp "$deb" "$work/debs/"
first=$(dpkg-deb -f "$deb" Version)
publish
# Only this repository: the container has no network to reach Debian's mirrors. A machine
# built from a Docker image carries Docker's policy-rc.d (exit 101: start no service during
# `docker build`); a booted Debian has none, and the test is about what a booted system does.
rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/* "$root/usr/sbin/policy-rc.d"
boot_container
inside systemd-run --quiet --unit=meteremu-test-repo --property=Type=exec \
    /usr/bin/python3 -m http.server --bind 127.0.0.1 --directory "$served" "$port"
i=0
until in_container curl -fs -o /dev/null "http://127.0.0.1:$port/dists/bookworm/InRelease"; do
    [ $i -lt 100 ] || fail "the repository's web server did not answer"
    sleep 0.1
    i=$((i + 1))
done

step "the README's lines: keyring, source, apt-get update, apt-get install meteremu"
in_container curl -fsSL "http://127.0.0.1:$port/meteremu-archive-keyring.gpg" \
    -o /usr/share/keyrings/meteremu-archive-keyring.gpg
in_container curl -fsSL "http://127.0.0.1:$port/meteremu.sources" \
    -o /etc/apt/sources.list.d/meteremu.sources
apt_inside update.log apt-get update
apt_inside install.log apt-get install meteremu
[ "$(version_inside)" = "$first" ] || fail "installed $(version_inside), not $first"
in_container dpkg -L meteremu >"$work/files"
[ "$(in_container systemctl is-enabled meteremu.service)" = enabled ] || fail "not enabled"
[ "$(in_container systemctl is-active meteremu.socket)" = active ] ||
    { cat "$work/install.log"; fail "meteremu.socket is not active after the install"; }
# The default configuration names no gateway: the daemon refuses it, and says why.
i=0
until in_container journalctl -u meteremu --no-pager | grep -q "backend.host: is empty"; do
    [ $i -lt 50 ] || fail "the service did not refuse the default configuration with its reason"
    sleep 0.1
    i=$((i + 1))
done

# service_answers: active, and EM.GetStatus over HTTP through the socket unit's port 80.
service_answers() {
    local i=0
    until [ "$(show ActiveState)" = active ] &&
        in_container curl -fsS -m 2 "http://127.0.0.1/rpc/EM.GetStatus?id=0" >"$work/status" 2>&1; do
        [ $i -lt 100 ] || fail "the service does not answer EM.GetStatus: $(cat "$work/status")"
        sleep 0.1
        i=$((i + 1))
    done
    grep -q '"total_act_power"' "$work/status" || fail "EM.GetStatus: $(cat "$work/status")"
}
# runs_current_binary: the service's process runs the installed file, not a deleted one.
runs_current_binary() {
    local pid exe
    pid=$(show MainPID) # in the container's PID namespace, as its /proc is
    exe=$(in_container readlink "/proc/$pid/exe") || fail "no process $pid in the container"
    [ "$exe" = /usr/sbin/meteremu ] || fail "the service runs $exe, not /usr/sbin/meteremu"
    echo "$pid"
}

step "edit $config: the demo household instead of an Envoy; the service answers"
in_container sed -i -e 's/^type = "envoy"$/type = "demo"/' -e 's/^host = ""$/# &/' "$config"
grep -qx 'type = "demo"' "$root$config" || fail "the edit did not apply"
in_container systemctl restart meteremu.service || fail "systemctl restart meteremu failed"
service_answers
edited=$(sha256sum <"$root$config")
pid=$(runs_current_binary)

step "publish a newer version; apt-get upgrade keeps the edit, asks nothing, restarts"
second=$first+repotest2
repack "$second"
publish
apt_inside update2.log apt-get update
apt_inside upgrade2.log apt-get upgrade
grep -i "configuration file" "$work/upgrade2.log" && fail "the upgrade asked about $config"
[ "$(version_inside)" = "$second" ] || fail "upgraded to $(version_inside), not $second"
[ "$(sha256sum <"$root$config")" = "$edited" ] || fail "the upgrade changed the edited $config"
for suffix in dpkg-dist dpkg-new dpkg-old; do
    [ ! -e "$root$config.$suffix" ] || fail "$config.$suffix appeared, only the user changed it"
done
service_answers
new_pid=$(runs_current_binary)
[ "$new_pid" != "$pid" ] || fail "the service was not restarted (still process $pid)"
pid=$new_pid

step "publish a version whose default changed too; the edit stays, the new default is .dpkg-dist"
third=$first+repotest3
marker="# $third: a new default"
repack "$third" "$marker"
publish
apt_inside update3.log apt-get update
apt_inside upgrade3.log apt-get upgrade -o Dpkg::Options::=--force-confdef \
    -o Dpkg::Options::=--force-confold
[ "$(version_inside)" = "$third" ] || fail "upgraded to $(version_inside), not $third"
[ "$(sha256sum <"$root$config")" = "$edited" ] || fail "the upgrade replaced the edited $config"
grep -qx "$marker" "$root$config.dpkg-dist" || fail "no new default in $config.dpkg-dist"
[ "$(stat -c '%a %U %G' "$root$config")" = "640 root _meteremu" ] ||
    fail "$config is $(stat -c '%a %U %G' "$root$config") after the upgrade"
service_answers
new_pid=$(runs_current_binary)
[ "$new_pid" != "$pid" ] || fail "the service was not restarted (still process $pid)"

step "apt-get purge: every file, the configuration and the state go; the user stays"
[ -d "$root/var/lib/meteremu" ] || fail "the service had no state directory to purge"
apt_inside purge.log apt-get purge meteremu
case $(in_container dpkg-query -W -f='${db:Status-Status}' meteremu 2>/dev/null || true) in
"" | not-installed) ;;
*) fail "meteremu is still known to dpkg after purge" ;;
esac
while read -r path; do
    [ -d "$root$path" ] || [ ! -e "$root$path" ] || fail "$path is still there"
done <"$work/files"
for path in "$config" "$config.dpkg-dist" /var/lib/meteremu \
    /etc/systemd/system/multi-user.target.wants/meteremu.service \
    /etc/systemd/system/sockets.target.wants/meteremu.socket; do
    [ ! -e "$root$path" ] || fail "$path is still there after purge"
done
[ "$(in_container systemctl is-active meteremu.service meteremu.socket | sort -u)" = inactive ] ||
    fail "a meteremu unit is still active after purge"
in_container getent passwd _meteremu >/dev/null || fail "purge removed the _meteremu user"
echo "PASS: apt install, two upgrades (conffile kept, .dpkg-dist), restart, purge ($SECONDS s)"
