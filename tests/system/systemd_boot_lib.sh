# SPDX-License-Identifier: MIT
# shellcheck shell=sh disable=SC2154  # $units, $binary, $boot_extra_cleanup: set by the caller
# The container machinery of the systemd boot tests (sourced, POSIX sh): this host's own
# Debian boots in a systemd-nspawn container whose root is an overlay of / with a tmpfs on
# top, so nothing is written to the host, and whose network is private (loopback only, or a
# network namespace the test made). The shipped units and the built binary are installed
# into the overlay as the package installs them. Everything started here is stopped, and
# everything mounted is unmounted, on exit.
#
# The sourcing script sets $units and $binary, then calls boot_prepare, writes its
# configuration (write_config), and boot_container UNITS...; inside, show, fail and journal
# work from then on. A test that installs meteremu itself (from a package) calls boot_overlay
# instead of boot_prepare. Before sourcing it may set $boot_netns to the name of a network
# namespace (ip netns) to boot in instead of nspawn's own loopback-only one, and
# $boot_extra_cleanup to a command that runs on exit once the container is gone.

skip() {
    echo "SKIP: $*"
    exit 77
}

work=""
root=""
nspawn_pid=""
leader=""

boot_cleanup() {
    if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
        kill "$nspawn_pid" # nspawn powers the container off
        i=0
        while kill -0 "$nspawn_pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        kill -0 "$nspawn_pid" 2>/dev/null && kill -KILL "$nspawn_pid"
        wait "$nspawn_pid" 2>/dev/null || true
    fi
    if [ -n "$work" ]; then
        umount "$root" 2>/dev/null || true
        umount "$work/rw" 2>/dev/null || true
        rm -rf "$work"
    fi
}

# boot_overlay: the prerequisites and the overlay root, nothing installed into it yet.
boot_overlay() {
    [ "$(id -u)" -eq 0 ] || skip "needs root (mounts, systemd-nspawn)"
    command -v systemd-nspawn >/dev/null 2>&1 ||
        skip "systemd-nspawn is missing (Debian package systemd-container)"
    command -v curl >/dev/null 2>&1 || skip "curl is missing"
    work=$(mktemp -d /tmp/meteremu-boot-test.XXXXXX)
    root=$work/root
    trap 'boot_cleanup; ${boot_extra_cleanup:-:}' EXIT
    trap 'exit 1' INT TERM
    mkdir -p "$work/rw" "$root"
    mount -t tmpfs -o size=1G tmpfs "$work/rw" || skip "cannot mount a tmpfs"
    mkdir "$work/rw/upper" "$work/rw/work"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$work/rw/upper,workdir=$work/rw/work" \
        "$root" || skip "cannot mount an overlay of /"
}

# boot_prepare: the overlay root and meteremu installed into it.
boot_prepare() {
    boot_overlay
    # Install as the package does, into the overlay only.
    install -m 0755 "$binary" "$root/usr/sbin/meteremu"
    install -m 0644 "$units/meteremu.service" "$units/meteremu.socket" "$root/etc/systemd/system/"
    install -d "$root/usr/lib/sysusers.d"
    install -m 0644 "$units/meteremu.sysusers" "$root/usr/lib/sysusers.d/meteremu.conf"
    install -D -m 0644 "$units/../dbus/io.meteremu.Meter1.conf" \
        "$root/usr/share/dbus-1/system.d/io.meteremu.Meter1.conf"
}

# write_config MAC MDNS [EXTRA_LINE]: the container's /etc/meteremu.toml.
write_config() {
    printf '[frontend]\nmac = "%s"\nmdns = %s\n%s\n\n[backend]\ntype = "demo"\n' "$1" "$2" \
        "${3:-}" >"$root/etc/meteremu.toml"
}

# boot_container UNIT...: boots only what the test needs, basic.target (sysusers creates
# _meteremu) and these units, and waits until the container's systemd has finished.
boot_container() {
    cat >"$root/etc/systemd/system/meteremu-test.target" <<EOF
[Unit]
Description=meteremu boot test
Requires=basic.target $*
After=basic.target $*
AllowIsolate=yes
EOF
    network=--private-network
    [ -z "${boot_netns:-}" ] || network=--network-namespace-path=/run/netns/$boot_netns
    systemd-nspawn --quiet --directory="$root" "$network" --register=no --keep-unit \
        --link-journal=no --console=passive --boot -- systemd.unit=meteremu-test.target \
        >"$work/console.log" 2>&1 &
    nspawn_pid=$!
    i=0
    while [ -z "$leader" ] && [ $i -lt 100 ]; do
        sleep 0.1
        leader=$(container_init)
        i=$((i + 1))
    done
    [ -n "$leader" ] || {
        cat "$work/console.log"
        echo "FAIL: the container did not start"
        exit 1
    }
    i=0
    until case $(inside systemctl is-system-running 2>/dev/null || true) in
        running | degraded) true ;; *) false ;; esac; do
        [ $i -lt 450 ] || fail "the container's systemd did not finish booting"
        sleep 0.2
        i=$((i + 1))
    done
}

# The container's PID 1: the child of nspawn in a PID namespace of its own. (While nspawn
# sets up the mounts, its first child is a helper still in the host's.)
container_init() {
    own=$(readlink /proc/self/ns/pid)
    for child in $(pgrep -P "$nspawn_pid" || true); do
        [ "$(readlink "/proc/$child/ns/pid" 2>/dev/null || echo "$own")" = "$own" ] || {
            echo "$child"
            return
        }
    done
}

inside() { nsenter --target "$leader" --all "$@"; }

# meteremu's journal inside the container.
journal() { inside journalctl -u meteremu --no-pager; }

fail() {
    echo "FAIL: $*"
    tail -n 20 "$work/console.log"
    [ -z "$leader" ] || inside journalctl -u meteremu --no-pager -o short-precise 2>/dev/null |
        tail -n 30 || true
    exit 1
}

show() { inside systemctl show meteremu -p "$1" --value; }
