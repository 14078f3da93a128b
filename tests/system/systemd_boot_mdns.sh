#!/bin/sh
# SPDX-License-Identifier: MIT
# mDNS under the shipped unit's whole sandbox (PrivateUsers=yes, RestrictAddressFamilies=,
# SystemCallFilter=, ProtectProc=invisible...): in the boot test's container
# (systemd_boot_lib.sh), the container's own dbus and avahi-daemon run as their Debian units
# do, meteremu runs as meteremu.service with mdns = true, and avahi-browse inside the
# container must show what it registered over the system bus.
# The container boots in a network namespace this test makes, with one veth interface
# (MULTICAST, a TEST-NET-2 address) that is the only one avahi-daemon may use; the host's
# interfaces, bus and Avahi are never touched.
# Usage: systemd_boot_mdns.sh UNIT_DIR METEREMU_BINARY. Exit 77 (skipped) when this host cannot.
set -eu
units=$1
binary=$2
address=198.51.100.1 # TEST-NET-2, inside the namespace only
id=shellypro3em-02005e102030
host=ShellyPro3EM-02005E102030.local
txt='"ver=1.6.1" "app=Pro3EM" "gen=2"' # avahi-browse lists TXT strings last first

boot_netns=meteremu-boot-mdns-$$
remove_netns() { ip netns del "$boot_netns" 2>/dev/null || true; }
boot_extra_cleanup=remove_netns
# shellcheck source=tests/system/systemd_boot_lib.sh
. "$(dirname "$0")/systemd_boot_lib.sh"

for tool in ip avahi-daemon avahi-browse dbus-daemon; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is missing: run scripts/install-deps"
done
boot_prepare
ip netns add "$boot_netns" || skip "cannot create a network namespace here"
# A veth pair with both ends inside (dummy needs a kernel module not every kernel has); the
# peer end is up so that mdns0 has a carrier.
if ! { ip -n "$boot_netns" link add name mdns0 type veth peer name mdns1 &&
    ip -n "$boot_netns" addr add "$address/24" dev mdns0 &&
    ip -n "$boot_netns" link set mdns1 up &&
    ip -n "$boot_netns" link set mdns0 up &&
    ip -n "$boot_netns" link set lo up; }; then
    fail "cannot configure mdns0"
fi

# The container's avahi-daemon: Debian's unit, this interface only, none of the host's
# static services.
sh "$(dirname "$0")/avahi_test_conf.sh" meteremu-boot mdns0 >"$root/etc/avahi/avahi-daemon.conf"
rm -rf "$root/etc/avahi/services" && mkdir "$root/etc/avahi/services"
write_config 02:00:5E:10:20:30 true
boot_container dbus.service avahi-daemon.service meteremu.socket meteremu.service

echo "-- units"
for unit in dbus avahi-daemon meteremu; do
    state=$(inside systemctl show "$unit" -p ActiveState --value)
    echo "$unit.service: $state"
    [ "$state" = active ] || fail "$unit.service is not active after boot"
done
# The sandbox in effect, not only configured: a user namespace mapping root and _meteremu
# alone, a seccomp filter, /proc mounted invisible.
pid=$(show MainPID)
inside grep -E '^(Uid|CapEff|Seccomp):' "/proc/$pid/status"
inside grep -Eq '^Seccomp:[[:space:]]+2$' "/proc/$pid/status" || fail "no seccomp filter"
uid=$(inside id -u _meteremu)
map=$(inside cat "/proc/$pid/uid_map" | awk '{ printf "%s:%s:%s ", $1, $2, $3 }')
echo "uid_map: $map"
[ "$map" = "0:0:1 $uid:$uid:1 " ] || fail "PrivateUsers=yes not in effect"
inside grep -q ' /proc .*hidepid=invisible' "/proc/$pid/mountinfo" ||
    fail "ProtectProc=invisible not in effect"

echo "-- avahi-browse -rpkt _shelly._tcp in the container"
# Resolved entries only; -k keeps service types as they are (_http._tcp, not "Web Site").
browse() { inside timeout 10 avahi-browse -rpkt "$1" 2>/dev/null | grep '^=' || true; }
shows() { browse "$1" | grep -qF -- "$2"; }
hides() { ! shows "$@"; }
# wait_for SECONDS COMMAND...: until COMMAND succeeds, polling every second.
wait_for() {
    n=$1
    shift
    i=0
    until "$@"; do
        [ $i -lt "$n" ] || return 1
        sleep 1
        i=$((i + 1))
    done
}
entry() { echo "=;mdns0;IPv4;$id;$1;local;$host;$address;80;$2"; } # port 80: meteremu.socket
wait_for 10 shows _shelly._tcp "$(entry _shelly._tcp "$txt")" || {
    browse _shelly._tcp
    inside journalctl -u avahi-daemon --no-pager | tail -n 20
    fail "expected $(entry _shelly._tcp "$txt")"
}
browse _shelly._tcp
[ "$(browse _shelly._tcp | grep -c ";$id;")" -eq 1 ] || fail "more than one instance"
wait_for 5 shows _http._tcp "$(entry _http._tcp '"gen=2"')" ||
    fail "_http._tcp not published as expected"
journal | grep -F "mdns: advertised" || fail "meteremu did not log its registration"
if journal | grep -E 'mdns: (not advertised|cannot advertise)'; then
    fail "meteremu warned about mDNS"
fi

echo "-- reload with a new MAC: registered again over D-Bus"
write_config 02:00:5E:AA:BB:CC true
inside systemctl reload meteremu || fail "reload failed"
wait_for 10 shows _shelly._tcp ";shellypro3em-02005eaabbcc;_shelly._tcp;local;" ||
    fail "the new name was not published"
wait_for 5 hides _shelly._tcp ";$id;" || fail "the old name is still published"
browse _shelly._tcp

echo "-- stop: withdrawn"
inside systemctl stop meteremu 2>/dev/null # (warns that meteremu.socket can start it again)
[ "$(show Result)" = success ] || fail "stopped with result $(show Result)"
wait_for 10 hides _shelly._tcp ";shellypro3em-" || fail "still published after the stop"
wait_for 5 hides _http._tcp ";shellypro3em-" || fail "_http._tcp still published after the stop"
echo "both withdrawn"
echo "PASS"
