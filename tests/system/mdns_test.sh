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
MAC=02:00:5E:10:20:30
ID=shellypro3em-02005e102030
HOST=ShellyPro3EM-02005E102030.local
SHELLY_TXT='"ver=1.6.1" "app=Pro3EM" "gen=2"' # avahi-browse lists TXT strings last first
# shellcheck source=tests/system/mdns_lib.sh
. "$HERE/mdns_lib.sh"

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

# Publishing on D-Bus is tested elsewhere (meter_bus_test): this bus has no policy for it.
[status]
dbus = false
EOF
    # Unprivileged, as the packaged service runs: publishing needs no more than D-Bus access.
    AS_USER=nobody start "$name" "$role" "$METEREMU" --config "$WORK/$name.toml"
    METER_PID=$STARTED
    wait_for 10 log_has "$name" "serving HTTP on" || fail "$name did not start"
    METER_PORT=$(sed -n 's/.*serving HTTP on .*:\([0-9]*\)$/\1/p' "$WORK/$name.log")
}

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

# Publishing on D-Bus is tested elsewhere (meter_bus_test): this bus has no policy for it.
[status]
dbus = false
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
    /usr/bin/python3 -c 'import zeroconf' 2>/dev/null ||
        skip "python3-zeroconf is missing: run scripts/install-deps"
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
