#!/bin/sh
# SPDX-License-Identifier: MIT
# meteremu under a real systemd, with the shipped units and their whole sandbox: this host's
# own Debian boots in a container (systemd-nspawn) whose root is an overlay of / with a tmpfs
# on top, so nothing is written to the host, and whose network is private (loopback only).
# Checked there: socket activation of port 80, the STATUS line, no root and no capability,
# reload of a valid and of a broken file, a watchdog restart when the poller hangs (test
# hook), and a clean stop.
# Usage: systemd_boot.sh UNIT_DIR METEREMU_BINARY. Exit 77 (skipped) when this host cannot.
set -eu
units=$1
binary=$2

skip() {
    echo "SKIP: $*"
    exit 77
}
[ "$(id -u)" -eq 0 ] || skip "needs root (mounts, systemd-nspawn)"
command -v systemd-nspawn >/dev/null 2>&1 || skip "systemd-nspawn is missing (Debian package systemd-container)"
command -v curl >/dev/null 2>&1 || skip "curl is missing"

work=$(mktemp -d /tmp/meteremu-boot-test.XXXXXX)
root=$work/root
nspawn_pid=""
cleanup() {
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        kill "$nspawn_pid" # nspawn powers the container off
        i=0
        while kill -0 "$nspawn_pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        kill -0 "$nspawn_pid" 2>/dev/null && kill -KILL "$nspawn_pid"
        wait "$nspawn_pid" 2>/dev/null || true
    fi
    umount "$root" 2>/dev/null || true
    umount "$work/rw" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/rw" "$root"
mount -t tmpfs -o size=1G tmpfs "$work/rw" || skip "cannot mount a tmpfs"
mkdir "$work/rw/upper" "$work/rw/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/rw/upper,workdir=$work/rw/work" "$root" ||
    skip "cannot mount an overlay of /"

# Install as the package does, into the overlay only.
install -m 0755 "$binary" "$root/usr/sbin/meteremu"
install -m 0644 "$units/meteremu.service" "$units/meteremu.socket" "$root/etc/systemd/system/"
install -d "$root/usr/lib/sysusers.d"
install -m 0644 "$units/meteremu.sysusers" "$root/usr/lib/sysusers.d/meteremu.conf"
write_config() { # MAC [extra line]
    printf '[frontend]\nmac = "%s"\nmdns = false\n%s\n\n[backend]\ntype = "demo"\n' "$1" "${2:-}" \
        >"$root/etc/meteremu.toml"
}
write_config 02:00:5E:10:20:30
# Boot only what the test needs: basic.target (sysusers creates _meteremu) and meteremu.
cat >"$root/etc/systemd/system/meteremu-test.target" <<'EOF'
[Unit]
Description=meteremu boot test
Requires=basic.target meteremu.socket meteremu.service
After=basic.target meteremu.service
AllowIsolate=yes
EOF

systemd-nspawn --quiet --directory="$root" --private-network --register=no --keep-unit \
    --link-journal=no --console=passive --boot -- systemd.unit=meteremu-test.target \
    >"$work/console.log" 2>&1 &
nspawn_pid=$!

leader=""
i=0
while [ -z "$leader" ] && [ $i -lt 100 ]; do
    sleep 0.1
    leader=$(pgrep -P "$nspawn_pid" | head -n 1 || true)
    i=$((i + 1))
done
[ -n "$leader" ] || { cat "$work/console.log"; echo "FAIL: the container did not start"; exit 1; }
inside() { nsenter --target "$leader" --all "$@"; }
fail() {
    echo "FAIL: $*"
    inside journalctl -u meteremu --no-pager -o short-precise 2>/dev/null | tail -n 30 || true
    exit 1
}
i=0
until case $(inside systemctl is-system-running 2>/dev/null || true) in
    running | degraded) true ;; *) false ;; esac; do
    [ $i -lt 450 ] || fail "the container's systemd did not finish booting"
    sleep 0.2
    i=$((i + 1))
done

show() { inside systemctl show meteremu -p "$1" --value; }
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
inside journalctl -u meteremu --no-pager | grep -q "using the sockets systemd passed: HTTP \[::\]:80" ||
    fail "the daemon did not get port 80 from meteremu.socket"
reply=$(inside curl -sS --max-time 5 http://127.0.0.1/shelly)
echo "$reply" | grep -q '"id":"shellypro3em-02005e102030"' || fail "GET /shelly: $reply"

echo "-- sandbox"
pid=$(show MainPID)
inside grep -E '^(Uid|CapEff|CapBnd|NoNewPrivs|Seccomp):' "/proc/$pid/status"
inside grep -Eq '^Uid:[[:space:]]+0[[:space:]]' "/proc/$pid/status" && fail "runs as root"
inside grep -Eq '^CapEff:[[:space:]]+0+$' "/proc/$pid/status" || fail "has capabilities"
inside grep -Eq '^Seccomp:[[:space:]]+2$' "/proc/$pid/status" || fail "no seccomp filter"

echo "-- reload"
write_config 02:00:5E:AA:BB:CC "phases = 1"
inside systemctl reload meteremu || fail "reload of a valid file failed"
reply=$(inside curl -sS --max-time 5 http://127.0.0.1/shelly)
echo "$reply" | grep -q '"id":"shellypro3em-02005eaabbcc"' || fail "new identity not served: $reply"
[ "$(show MainPID)" = "$pid" ] || fail "the reload restarted the process"
write_config 02:00:5E:DD:EE:FF "phases = 7"
if inside systemctl reload meteremu 2>/dev/null; then fail "reload of a broken file succeeded"; fi
[ "$(show ActiveState)" = active ] || fail "a broken file stopped the service"
reply=$(inside curl -sS --max-time 5 http://127.0.0.1/shelly)
echo "$reply" | grep -q '"id":"shellypro3em-02005eaabbcc"' || fail "old identity lost: $reply"
inside journalctl -u meteremu --no-pager | grep -q '/etc/meteremu.toml:4:10: frontend.phases' ||
    fail "no file:line:column error in the journal"
echo "reload: valid file applied in place, broken file refused"

echo "-- watchdog"
write_config 02:00:5E:10:20:30
mkdir -p "$root/etc/systemd/system/meteremu.service.d"
printf '[Service]\nWatchdogSec=2s\nEnvironment=METEREMU_TEST_STALL_FILE=/run/meteremu-test-stall\n' \
    >"$root/etc/systemd/system/meteremu.service.d/test.conf"
inside systemctl daemon-reload
inside systemctl restart meteremu
sleep 3
journal() { inside journalctl -u meteremu --no-pager; }
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
