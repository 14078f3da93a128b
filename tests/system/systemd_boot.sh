#!/bin/sh
# SPDX-License-Identifier: MIT
# meteremu under a real systemd, with the shipped units and their whole sandbox, in a
# container booted from this host's own Debian (systemd_boot_lib.sh: an overlay of /, nothing
# written to the host, loopback-only network).
# Checked there: socket activation of port 80, the STATUS line, no root and no capability,
# the state on the container's system bus (the shipped D-Bus policy, meteremu status),
# reload of a valid and of a broken file, a watchdog restart when the poller hangs (the test
# build of the daemon with its stall backend), and a clean stop.
# Usage: systemd_boot.sh UNIT_DIR METEREMU_BINARY METEREMU_TEST_BINARY. Exit 77 (skipped) when
# this host cannot.
set -eu
units=$1
binary=$2
test_binary=$3

# shellcheck source=tests/system/systemd_boot_lib.sh
. "$(dirname "$0")/systemd_boot_lib.sh"
boot_prepare
write_config 02:00:5E:10:20:30 false
boot_container meteremu.socket meteremu.service

echo "-- boot"
[ "$(show ActiveState)" = active ] || fail "meteremu.service is not active after boot"
live='^grid [+-][0-9]+\.[0-9] W · demo ok, reading [0-9.]+ s old · [0-9]+ clients?$'
i=0
until show StatusText | grep -Eq "$live"; do # the first reading comes a moment after READY
    [ $i -lt 50 ] || fail "unexpected STATUS line: $(show StatusText)"
    sleep 0.1
    i=$((i + 1))
done
echo "STATUS: $(show StatusText)"
journal | grep -q "using the sockets systemd passed: HTTP \[::\]:80" ||
    fail "the daemon did not get port 80 from meteremu.socket"
reply=$(inside curl -sS --max-time 5 http://127.0.0.1/shelly)
echo "$reply" | grep -q '"id":"shellypro3em-02005e102030"' || fail "GET /shelly: $reply"

echo "-- sandbox"
pid=$(show MainPID)
inside grep -E '^(Uid|CapEff|CapBnd|NoNewPrivs|Seccomp):' "/proc/$pid/status"
inside grep -Eq '^Uid:[[:space:]]+0[[:space:]]' "/proc/$pid/status" && fail "runs as root"
inside grep -Eq '^CapEff:[[:space:]]+0+$' "/proc/$pid/status" || fail "has capabilities"
inside grep -Eq '^Seccomp:[[:space:]]+2$' "/proc/$pid/status" || fail "no seccomp filter"

echo "-- D-Bus"
# The container's own system bus (dbus.socket), the shipped policy: the daemon, sandboxed and
# as _meteremu, owns its name, and any user reads it with meteremu status.
i=0
until inside busctl get-property io.meteremu.Meter1 /io/meteremu/Meter1 io.meteremu.Meter1 \
    ReadingPresent 2>/dev/null | grep -qx 'b true'; do
    [ $i -lt 50 ] || fail "io.meteremu.Meter1 is not on the system bus: $(journal | grep dbus:)"
    sleep 0.1
    i=$((i + 1))
done
owner=$(inside busctl status io.meteremu.Meter1 | sed -n 's/^UID=//p')
[ "$owner" = "$(inside id -u _meteremu)" ] || fail "io.meteremu.Meter1 is owned by uid $owner"
text=$(inside setpriv --reuid=65534 --regid=65534 --clear-groups /usr/sbin/meteremu status) ||
    fail "meteremu status as nobody: $text"
echo "$text"
echo "$text" | grep -Eq '^ +Grid: (importing|exporting) [0-9]+\.[0-9] W \(A ' ||
    fail "meteremu status printed no grid power"
echo "$text" | grep -q '^ *Frontend: shelly, Shelly Pro 3EM shellypro3em-02005e102030' ||
    fail "meteremu status printed no frontend"

echo "-- reload"
write_config 02:00:5E:AA:BB:CC false "phases = 1"
inside systemctl reload meteremu || fail "reload of a valid file failed"
reply=$(inside curl -sS --max-time 5 http://127.0.0.1/shelly)
echo "$reply" | grep -q '"id":"shellypro3em-02005eaabbcc"' || fail "new identity not served: $reply"
[ "$(show MainPID)" = "$pid" ] || fail "the reload restarted the process"
write_config 02:00:5E:DD:EE:FF false "phases = 7"
if inside systemctl reload meteremu 2>/dev/null; then fail "reload of a broken file succeeded"; fi
[ "$(show ActiveState)" = active ] || fail "a broken file stopped the service"
reply=$(inside curl -sS --max-time 5 http://127.0.0.1/shelly)
echo "$reply" | grep -q '"id":"shellypro3em-02005eaabbcc"' || fail "old identity lost: $reply"
journal | grep -q '/etc/meteremu.toml:4:10: frontend.phases' ||
    fail "no file:line:column error in the journal"
echo "reload: valid file applied in place, broken file refused"

echo "-- watchdog"
# The test build (the shipped daemon plus the stall backend, which blocks its poll without
# ticking while the file exists) in place of the shipped one, for this section only.
install_binary() {
    install -m 0755 "$1" "$root/usr/sbin/meteremu.new"
    mv -f "$root/usr/sbin/meteremu.new" "$root/usr/sbin/meteremu"
}
install_binary "$test_binary"
printf '[frontend]\nmac = "02:00:5E:10:20:30"\nmdns = false\n\n[backend]\ntype = "stall"\n%s\n' \
    'stall_file = "/run/meteremu-test-stall"' >"$root/etc/meteremu.toml"
mkdir -p "$root/etc/systemd/system/meteremu.service.d"
printf '[Service]\nWatchdogSec=2s\n' >"$root/etc/systemd/system/meteremu.service.d/test.conf"
inside systemctl daemon-reload
inside systemctl restart meteremu
sleep 3
if journal | grep -q -e "not pinging systemd" -e "Watchdog timeout"; then
    fail "watchdog pings missed while every part was alive"
fi
[ "$(show NRestarts)" = 0 ] || fail "restarted while alive (WatchdogSec=2s)"
inside touch /run/meteremu-test-stall
i=0
while [ "$(show NRestarts)" = 0 ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
inside rm -f /run/meteremu-test-stall
journal | grep -q "not pinging systemd, no sign of life from poller" ||
    fail "the daemon did not notice its stalled poller"
journal | grep -q "Watchdog timeout" || fail "no watchdog kill with a stalled poller"
echo "watchdog: stalled poller → killed by systemd, restarted $((i / 10)).$((i % 10)) s after the stall (RestartSec=5s)"
rm -r "$root/etc/systemd/system/meteremu.service.d"
install_binary "$binary"
write_config 02:00:5E:10:20:30 false
inside systemctl daemon-reload
inside systemctl restart meteremu

echo "-- stop"
started=$(date +%s%N)
inside systemctl stop meteremu 2>/dev/null
stopped=$(date +%s%N)
echo "stop: $(((stopped - started) / 1000000)) ms"
[ $(((stopped - started) / 1000000)) -lt 1000 ] || fail "stop took 1 s or more"
[ "$(show Result)" = success ] || fail "stopped with result $(show Result)"
[ "$(show ExecMainStatus)" = 0 ] || fail "exit status $(show ExecMainStatus)"
started=$(date +%s%N)
inside systemctl start meteremu
echo "start to READY=1 under systemd (sandbox set-up included): $((($(date +%s%N) - started) / 1000000)) ms"
echo "PASS"
