#!/bin/bash
# SPDX-License-Identifier: MIT
# What the mDNS system tests share (sourced, not run): two private network namespaces joined
# by a veth pair, "dev" (the device) and "lan" (another host of the LAN), each with its own
# dbus-daemon and avahi-daemon; starting and stopping processes by pid; avahi-browse.
# The caller sets HERE (this folder) and calls cleanup on exit.

declare -A NETNS=([dev]=meteremu-mdns-dev-$$ [lan]=meteremu-mdns-lan-$$)
declare -A AVAHI_PID=()
declare -A ADDRESS=([dev]=198.51.100.1 [lan]=198.51.100.2) # TEST-NET-2, namespaces only
PIDS=()
WORK=""

skip() {
    echo "SKIP: $*"
    exit 77
}

fail() {
    echo "FAIL: $*"
    local log
    for log in "$WORK"/*.log; do
        [ -f "$log" ] && { echo "--- ${log##*/}"; tail -n 30 "$log"; }
    done
    exit 1
}

say() { echo "--- $*"; }

# Stops one process this script started: SIGTERM, then SIGKILL after 5 s. Sets $STATUS.
stop_pid() {
    local pid=$1 i kept=()
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null # a zombie at worst: its pid is not reused before wait
    wait "$pid" 2>/dev/null
    STATUS=$?
    for i in "${PIDS[@]}"; do [ "$i" = "$pid" ] || kept+=("$i"); done
    PIDS=("${kept[@]}")
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
    ip netns del "${NETNS[dev]}" 2>/dev/null
    ip netns del "${NETNS[lan]}" 2>/dev/null
    [ -n "$WORK" ] && rm -rf "$WORK"
}

check_prerequisites() {
    [ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces (CI runs as root)"
    local tool
    for tool in ip unshare setpriv dbus-daemon avahi-daemon avahi-browse avahi-resolve curl; do
        command -v "$tool" >/dev/null || skip "$tool is missing: run scripts/install-deps"
    done
}

# The two hosts and the wire between them.
make_network() {
    ip netns add "${NETNS[dev]}" || skip "cannot create a network namespace here"
    ip netns add "${NETNS[lan]}" || fail "cannot create a second network namespace"
    ip link add veth-dev netns "${NETNS[dev]}" type veth peer name veth-lan netns "${NETNS[lan]}" ||
        fail "cannot create a veth pair"
    local role
    for role in dev lan; do
        ip -n "${NETNS[$role]}" addr add "${ADDRESS[$role]}/24" dev "veth-$role" &&
            ip -n "${NETNS[$role]}" link set "veth-$role" up &&
            ip -n "${NETNS[$role]}" link set lo up || fail "cannot configure veth-$role"
    done
}

# run_in ROLE COMMAND...: in that host's namespace, with its system bus (or $BUS).
run_in() {
    local role=$1
    shift
    ip netns exec "${NETNS[$role]}" \
        env DBUS_SYSTEM_BUS_ADDRESS="${BUS:-unix:path=$WORK/$role.bus}" "$@"
}

# start NAME ROLE COMMAND...: in the background, output in $WORK/NAME.log, as $AS_USER if
# set; sets $STARTED. exec makes $! the command's own pid; --pdeathsig (applied after the
# change of user) stops it should this script be killed.
start() {
    local name=$1 role=$2
    shift 2
    local user=()
    [ -n "${AS_USER:-}" ] && user=(--reuid="$AS_USER" --regid="$(id -g "$AS_USER")" --clear-groups)
    (exec ip netns exec "${NETNS[$role]}" setpriv "${user[@]}" --pdeathsig TERM \
        env DBUS_SYSTEM_BUS_ADDRESS="${BUS:-unix:path=$WORK/$role.bus}" "$@" \
        >"$WORK/$name.log" 2>&1) &
    STARTED=$!
    PIDS+=("$STARTED")
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds; polls every 0.2 s.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}

log_has() { grep -qs -- "$2" "$WORK/$1.log"; }

warnings() { grep -c '^<4>' "$WORK/$1.log"; }

# A system bus with Debian's own rules (tests/support/system_bus.conf.in): the default policy
# of system.conf and the packages' policies (avahi-dbus.conf lets any user publish).
start_dbus() {
    local role=$1
    sed -e "s|@LISTEN@|$WORK/$role.bus|" \
        -e "s|@INCLUDES@|<includedir>/usr/share/dbus-1/system.d</includedir> <includedir>/etc/dbus-1/system.d</includedir>|" \
        "$HERE/../support/system_bus.conf.in" >"$WORK/$role.bus.conf"
    start "dbus-$role" "$role" dbus-daemon --config-file="$WORK/$role.bus.conf" --nofork --nopidfile
    wait_for 10 test -S "$WORK/$role.bus" || fail "dbus-daemon ($role) did not start"
}

# start_avahi ROLE: sets ${AVAHI_PID[ROLE]}.
start_avahi() {
    local role=$1
    "$HERE/avahi_test_conf.sh" "meteremu-test-$role" "veth-$role" >"$WORK/$role.avahi.conf"
    mkdir -p "$WORK/empty"
    [ -f "$WORK/avahi-$role.log" ] && mv "$WORK/avahi-$role.log" "$WORK/avahi-$role.old.log"
    # Its own /run (pid file, socket) and none of the host's static services.
    start "avahi-$role" "$role" unshare --mount --propagation private sh -c "
        mount -t tmpfs tmpfs /run &&
        { [ ! -d /etc/avahi/services ] || mount --bind '$WORK/empty' /etc/avahi/services; } &&
        exec avahi-daemon -f '$WORK/$role.avahi.conf' --no-drop-root --no-chroot --no-rlimits"
    AVAHI_PID[$role]=$STARTED
    wait_for 10 log_has "avahi-$role" "Server startup complete" ||
        fail "avahi-daemon ($role) did not start"
}

# browse ROLE TYPE: avahi-browse's resolved entries (-k: service types as they are).
browse() { run_in "$1" timeout 10 avahi-browse -rpkt "$2" 2>/dev/null | grep '^=' | sort; }
shows() { browse "$1" "$2" | grep -qF -- "$3"; }
hides() { ! shows "$@"; }

