#!/bin/bash
# SPDX-License-Identifier: MIT
# mDNS end to end with real daemons: what the built meteremu advertises, as avahi-browse
# and a python-zeroconf client (Home Assistant's library) on another host of the link see it.
#
# Two private network namespaces joined by a veth pair stand for the device ("dev") and
# another host of the LAN ("lan"). Each runs its own dbus-daemon (a system bus on a private
# socket) and avahi-daemon (a private configuration, /run on a tmpfs of its own mount
# namespace), so nothing here touches the host's interfaces, D-Bus or Avahi. Every process
# is stopped by its pid and the namespaces are deleted on exit, also on failure.
#
# Usage: mdns_test.sh PATH_TO_METEREMU      Exit status: 0 pass, 1 fail, 77 skipped.
set -u

METEREMU=${1:?usage: mdns_test.sh PATH_TO_METEREMU}
HERE=$(cd "$(dirname "$0")" && pwd)
declare -A NETNS=([dev]=meteremu-mdns-dev-$$ [lan]=meteremu-mdns-lan-$$)
declare -A AVAHI_PID=()
declare -A ADDRESS=([dev]=198.51.100.1 [lan]=198.51.100.2) # TEST-NET-2, namespaces only
MAC=02:00:5E:10:20:30
ID=shellypro3em-02005e102030
HOST=ShellyPro3EM-02005E102030.local
SHELLY_TXT='"ver=1.6.1" "app=Pro3EM" "gen=2"' # avahi-browse lists TXT strings last first
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
    /usr/bin/python3 -c 'import zeroconf' 2>/dev/null ||
        skip "python3-zeroconf is missing: run scripts/install-deps"
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

# A system bus with Debian's own rules: the default policy of system.conf and the packages'
# policies (avahi-dbus.conf lets any user publish). No service directories, so nothing is
# ever activated outside the namespace.
start_dbus() {
    local role=$1
    cat >"$WORK/$role.bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$WORK/$role.bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
  <includedir>/etc/dbus-1/system.d</includedir>
</busconfig>
EOF
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

# start_meteremu NAME ROLE MDNS [LISTEN_ADDRESS]: sets $METER_PID and $METER_PORT
# (http_port = 0: the advertised port can only come from the socket). Listens on the
# host's address unless told otherwise.
start_meteremu() {
    local name=$1 role=$2 mdns=$3 listen=${4-${ADDRESS[$2]}}
    cat >"$WORK/$name.toml" <<EOF
[frontend]
mac = "$MAC"
listen_address = "$listen"
http_port = 0
udp_ports = []
mdns = $mdns

[backend]
type = "demo"
EOF
    # Unprivileged, as the packaged service runs: publishing needs no more than D-Bus access.
    AS_USER=nobody start "$name" "$role" "$METEREMU" --config "$WORK/$name.toml"
    METER_PID=$STARTED
    wait_for 10 log_has "$name" "serving HTTP on" || fail "$name did not start"
    METER_PORT=$(sed -n 's/.*serving HTTP on .*:\([0-9]*\)$/\1/p' "$WORK/$name.log")
}

# browse ROLE TYPE: avahi-browse's resolved entries (-k: service types as they are).
browse() { run_in "$1" timeout 10 avahi-browse -rpkt "$2" 2>/dev/null | grep '^=' | sort; }
shows() { browse "$1" "$2" | grep -qF -- "$3"; }
hides() { ! shows "$@"; }

# The resolved entry of the device's service TYPE on PORT, as seen from the device.
entry() { echo "=;veth-dev;IPv4;$ID;$1;local;$HOST;${ADDRESS[dev]};$2;$3"; }

test_published() {
    say "avahi-browse on the device"
    wait_for 20 shows dev _shelly._tcp "$(entry _shelly._tcp "$METER_PORT" "$SHELLY_TXT")" ||
        fail "_shelly._tcp not published as expected"
    wait_for 10 shows dev _http._tcp "$(entry _http._tcp "$METER_PORT" '"gen=2"')" ||
        fail "_http._tcp not published as expected"
    browse dev _shelly._tcp
    browse dev _http._tcp
    [ "$(browse dev _shelly._tcp | grep -c "$ID")" -eq 1 ] || fail "more than one instance"
    run_in dev curl -sf "http://${ADDRESS[dev]}:$METER_PORT/shelly" | grep -qF "\"id\":\"$ID\"" ||
        fail "the advertised address and port do not serve /shelly"
}

test_mdns_off() {
    say "mdns = false advertises nothing"
    log_has meter-off "mdns:" && fail "mdns = false still talked to Avahi"
    hides dev _shelly._tcp ";$OFF_PORT;" && hides dev _http._tcp ";$OFF_PORT;" ||
        fail "mdns = false published"
}

test_on_the_wire() {
    say "python-zeroconf on the other host (TTLs as sent)"
    local type wire expected
    for type in _shelly._tcp _http._tcp; do
        wire=$(run_in lan "$HERE/mdns_browse_peer.py" "${ADDRESS[lan]}" "$type.local." 10)
        echo "$wire"
        expected="$ID.$type.local.|$HOST.|$METER_PORT|${ADDRESS[dev]}|"
        [ "$type" = _shelly._tcp ] && expected+="gen=2 app=Pro3EM ver=1.6.1|" || expected+="gen=2|"
        expected+="ptr=120 srv=120 txt=120 a=120"
        [ "$wire" = "$expected" ] || fail "on the wire, expected $expected"
    done
}

test_avahi_restart() {
    say "avahi-daemon restarts"
    stop_pid "${AVAHI_PID[dev]}"
    [ "$STATUS" -eq 0 ] || fail "avahi-daemon did not stop cleanly (status $STATUS)"
    local started=$EPOCHREALTIME
    start_avahi dev
    wait_for 20 shows dev _shelly._tcp "$(entry _shelly._tcp "$METER_PORT" "$SHELLY_TXT")" ||
        fail "_shelly._tcp not back after the restart"
    wait_for 10 shows dev _http._tcp "$(entry _http._tcp "$METER_PORT" '"gen=2"')" ||
        fail "_http._tcp not back after the restart"
    echo "both back $(((${EPOCHREALTIME/./} - ${started/./}) / 1000)) ms after avahi-daemon was started again"
    log_has meter "avahi-daemon went away" || fail "the restart was not noticed"
    [ "$(warnings meter)" -eq 0 ] || fail "a restart of avahi-daemon logged a warning"
}

test_collision() {
    say "another device with the same MAC on the LAN"
    start_dbus lan
    start_avahi lan
    local first=$METER_PID port=$METER_PORT
    start_meteremu twin lan true
    local twin="=;veth-dev;IPv4;$ID\\032\\0352;_shelly._tcp;local;ShellyPro3EM-02005E102030-2.local"
    twin+=";${ADDRESS[lan]};$METER_PORT;$SHELLY_TXT"
    wait_for 20 shows dev _shelly._tcp "$twin" || fail "the twin was not renamed: $twin"
    browse dev _shelly._tcp
    shows dev _shelly._tcp "$(entry _shelly._tcp "$port" "$SHELLY_TXT")" ||
        fail "the first device lost its name"
    log_has twin "name conflict" || fail "the rename was not logged"
    stop_pid "$METER_PID"
    [ "$STATUS" -eq 0 ] || fail "the twin did not stop cleanly"
    METER_PID=$first
}

# Two [[frontend]] tables in one daemon: each device advertises itself on its own HTTP port.
test_two_devices() {
    say "two devices in one daemon"
    local frontend="listen_address = \"${ADDRESS[dev]}\"
http_port = 0
udp_ports = []"
    cat >"$WORK/two.toml" <<END
[[frontend]]
mac = "02:00:5E:10:20:40"
$frontend

[[frontend]]
mac = "02:00:5E:10:20:41"
profile = "monophase"
$frontend

[backend]
type = "demo"
END
    AS_USER=nobody start two dev "$METEREMU" --config "$WORK/two.toml"
    local pid=$STARTED name mac port id host ports=()
    wait_for 10 log_has two "shelly2: serving HTTP on" || fail "two devices did not start"
    for name in shelly shelly2; do
        [ "$name" = shelly ] && mac=02005E102040 || mac=02005E102041
        port=$(sed -n "s/.* $name: serving HTTP on .*:\([0-9]*\)\$/\1/p" "$WORK/two.log")
        [ -n "$port" ] || fail "no HTTP port for $name"
        ports+=("$port")
        id=shellypro3em-${mac,,}
        host=ShellyPro3EM-$mac.local
        wait_for 20 shows dev _shelly._tcp \
            "=;veth-dev;IPv4;$id;_shelly._tcp;local;$host;${ADDRESS[dev]};$port;$SHELLY_TXT" ||
            fail "$name ($id) not advertised on its port $port"
        wait_for 10 shows dev _http._tcp "=;veth-dev;IPv4;$id;_http._tcp;local;$host;" ||
            fail "$name ($id): no _http._tcp"
        run_in dev curl -sf "http://${ADDRESS[dev]}:$port/shelly" | grep -qF "\"id\":\"$id\"" ||
            fail "$name: the advertised port does not serve $id"
    done
    [ "${ports[0]}" != "${ports[1]}" ] || fail "both devices on one port"
    browse dev _shelly._tcp
    stop_pid "$pid"
    [ "$STATUS" -eq 0 ] || fail "the daemon of two devices did not stop cleanly"
    wait_for 10 hides dev _shelly._tcp shellypro3em-02005e102041 ||
        fail "the second device still published after the stop"
}

test_withdrawn() {
    say "meteremu stops"
    stop_pid "$METER_PID"
    [ "$STATUS" -eq 0 ] || fail "meteremu did not exit 0 on SIGTERM"
    wait_for 10 hides dev _shelly._tcp "$ID" || fail "_shelly._tcp still published"
    wait_for 10 hides dev _http._tcp "$ID" || fail "_http._tcp still published"
}

test_without_avahi() {
    say "no avahi-daemon (D-Bus there), and no D-Bus at all"
    stop_pid "${AVAHI_PID[dev]}"
    start_meteremu no-avahi dev true
    local waiting=$METER_PID
    local -A port=([no-avahi]=$METER_PORT)
    BUS=unix:path=$WORK/no-such.bus start_meteremu no-dbus dev true
    port[no-dbus]=$METER_PORT
    # Past the publisher's 10 s retry, which must not warn again.
    sleep 12
    local name
    for name in no-avahi no-dbus; do
        grep '^<4>' "$WORK/$name.log"
        [ "$(warnings "$name")" -eq 1 ] || fail "$name: not exactly one warning"
        run_in dev curl -sf -o /dev/null "http://${ADDRESS[dev]}:${port[$name]}/shelly" ||
            fail "$name: no HTTP"
    done
    stop_pid "$METER_PID"
    [ "$STATUS" -eq 0 ] || fail "without D-Bus meteremu did not run on"
    say "avahi-daemon starts after meteremu"
    start_avahi dev
    wait_for 20 shows dev _shelly._tcp "$(entry _shelly._tcp "${port[no-avahi]}" "$SHELLY_TXT")" ||
        fail "not published once avahi-daemon came up"
    stop_pid "$waiting"
    [ "$STATUS" -eq 0 ] || fail "meteremu did not stop cleanly"
}

test_follows_addresses() {
    say "listening on every address: the host name follows the interface's address"
    start_meteremu wildcard dev true ""
    resolves() { run_in dev timeout 10 avahi-resolve -4 -n "$HOST" 2>/dev/null | grep -qF "$1"; }
    wait_for 20 resolves 198.51.100.1 || fail "$HOST does not resolve to 198.51.100.1"
    ip -n "${NETNS[dev]}" addr add 203.0.113.3/24 dev veth-dev &&
        ip -n "${NETNS[dev]}" addr del 198.51.100.1/24 dev veth-dev || fail "cannot renumber"
    local started=$SECONDS
    wait_for 30 resolves 203.0.113.3 || fail "$HOST does not follow to 203.0.113.3"
    echo "$HOST resolves to 203.0.113.3 $((SECONDS - started)) s after the change"
    wait_for 10 shows dev _shelly._tcp ";$HOST;203.0.113.3;$METER_PORT;" ||
        fail "_shelly._tcp not on the new address"
}

main() {
    check_prerequisites
    trap cleanup EXIT
    trap 'exit 1' INT TERM
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/meteremu-mdns.XXXXXX")
    chmod 755 "$WORK" # meteremu runs as nobody: its configuration and the bus sockets
    make_network
    start_dbus dev
    start_avahi dev
    start_meteremu meter-off dev false
    OFF_PORT=$METER_PORT
    start_meteremu meter dev true
    test_published
    test_mdns_off
    test_on_the_wire
    test_avahi_restart
    test_collision
    test_two_devices
    test_withdrawn
    test_without_avahi
    test_follows_addresses
    echo "PASS"
}

main
