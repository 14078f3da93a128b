#!/bin/bash
# SPDX-License-Identifier: MIT
# The mDNS records of the meters besides the Pro 3EM (the Pro EM-50, the EM Gen3, the 3EM
# Gen1, the EcoTracker, the HomeWizard P1), all served by one daemon, as avahi-browse sees
# them in a network namespace, the way mdns_test.sh checks the Pro 3EM's. The EcoTracker's
# record is compared with a real one's (tests/fixtures/meters/ecotracker_avahi-browse_real.txt)
# and must be there before any reading: the backend here never delivers one.
#
# Usage: mdns_meters_test.sh PATH_TO_METEREMU      Exit status: 0 pass, 1 fail, 77 skipped.
set -u

METEREMU=${1:?usage: mdns_meters_test.sh PATH_TO_METEREMU}
HERE=$(cd "$(dirname "$0")" && pwd)
REAL_ECOTRACKER="$HERE/../fixtures/meters/ecotracker_avahi-browse_real.txt"
# shellcheck source=tests/system/mdns_lib.sh
. "$HERE/mdns_lib.sh"

# One daemon, one device of each kind; an Envoy that is never there: no reading ever comes.
start_meters() {
    local frontend="listen_address = \"${ADDRESS[dev]}\"
http_port = 0
udp_ports = []"
    cat >"$WORK/meters.toml" <<END
[[frontend]]
type = "shelly"
model = "proem50"
mac = "02:00:5E:10:20:61"
$frontend

[[frontend]]
type = "shelly"
model = "emg3"
mac = "02:00:5E:10:20:62"
$frontend

[[frontend]]
type = "shelly_gen1"
mac = "02:00:5E:10:20:63"
listen_address = "${ADDRESS[dev]}"
http_port = 0

[[frontend]]
type = "ecotracker"
mac = "58:8C:81:C4:23:74"
listen_address = "${ADDRESS[dev]}"
http_port = 0

[[frontend]]
type = "homewizard"
mac = "02:00:5E:10:20:65"
listen_address = "${ADDRESS[dev]}"
http_port = 0

[backend]
type = "envoy"
host = "127.0.0.1"

# Publishing on D-Bus is tested elsewhere (meter_bus_test): this bus has no policy for it.
[status]
dbus = false
END
    AS_USER=nobody start meters dev "$METEREMU" --config "$WORK/meters.toml"
    METER_PID=$STARTED
    wait_for 10 log_has meters "homewizard: serving HTTP on" || fail "the meters did not start"
}

port_of() { sed -n "s/.* $1: serving HTTP on .*:\([0-9]*\)\$/\1/p" "$WORK/meters.log"; }

expect() {
    local type=$1 line=$2
    wait_for 20 shows dev "$type" "$line" || {
        browse dev "$type"
        fail "$type: no entry $line"
    }
}

test_em1_models() {
    say "the Pro EM-50 and the EM Gen3 on _shelly._tcp and _http._tcp"
    local em50 gen3
    em50=$(port_of shelly) gen3=$(port_of shelly2)
    expect _shelly._tcp "=;veth-dev;IPv4;shellyproem50-02005e102061;_shelly._tcp;local;ShellyProEM50-02005E102061.local;${ADDRESS[dev]};$em50;\"ver=1.6.1\" \"app=ProEM50\" \"gen=2\""
    expect _shelly._tcp "=;veth-dev;IPv4;shellyemg3-02005e102062;_shelly._tcp;local;ShellyEMG3-02005E102062.local;${ADDRESS[dev]};$gen3;\"ver=1.6.1\" \"app=EMG3\" \"gen=3\""
    expect _http._tcp "=;veth-dev;IPv4;shellyemg3-02005e102062;_http._tcp;local;ShellyEMG3-02005E102062.local;${ADDRESS[dev]};$gen3;\"gen=3\""
    run_in dev curl -sf "http://${ADDRESS[dev]}:$em50/shelly" | grep -qF '"id":"shellyproem50-02005e102061"' ||
        fail "the advertised port does not serve the Pro EM-50"
}

test_gen1() {
    say "the 3EM Gen1 on _http._tcp under its host name"
    local port
    port=$(port_of shelly_gen1)
    expect _http._tcp "=;veth-dev;IPv4;shellyem3-02005E102063;_http._tcp;local;shellyem3-02005E102063.local;${ADDRESS[dev]};$port;"
    run_in dev curl -sf "http://shellyem3-02005E102063.local:$port/shelly" >/dev/null 2>&1 ||
        run_in dev curl -sf "http://${ADDRESS[dev]}:$port/shelly" | grep -qF '"type":"SHEM-3"' ||
        fail "the advertised port does not serve /shelly"
}

test_ecotracker() {
    say "the EcoTracker as a real one is seen, before any reading"
    local port real ours
    port=$(port_of ecotracker)
    # The real device's resolved line, with our interface, address and port.
    real=$(grep '^=' "$REAL_ECOTRACKER") || fail "no resolved line in $REAL_ECOTRACKER"
    ours=$(echo "$real" | sed -e "s/^=;ens33;/=;veth-dev;/" \
        -e "s/192\.168\.0\.190/${ADDRESS[dev]}/g" -e "s/;80;/;$port;/" \
        -e "s/serial=293d65272268/serial=588c81c42374/")
    expect _everhome._tcp "$ours"
    browse dev _everhome._tcp
    [ "$(run_in dev curl -s -o /dev/null -w '%{http_code}' "http://${ADDRESS[dev]}:$port/v1/json")" = 503 ] ||
        fail "a reading came from nowhere: /v1/json should answer 503"
}

test_homewizard() {
    say "the HomeWizard P1 on _hwenergy._tcp"
    local port
    port=$(port_of homewizard)
    expect _hwenergy._tcp "=;veth-dev;IPv4;p1meter-102065;_hwenergy._tcp;local;p1meter-102065.local;${ADDRESS[dev]};$port;\"product_name=P1 meter\" \"product_type=HWE-P1\" \"serial=02005e102065\" \"path=/api/v1\" \"api_enabled=1\""
}

test_withdrawn() {
    say "meteremu stops"
    stop_pid "$METER_PID"
    [ "$STATUS" -eq 0 ] || fail "meteremu did not exit 0 on SIGTERM"
    wait_for 10 hides dev _everhome._tcp ecotracker-588C81C42374 || fail "_everhome._tcp still published"
    wait_for 10 hides dev _http._tcp shellyem3-02005E102063 || fail "the Gen1 still published"
}

main() {
    check_prerequisites
    trap cleanup EXIT
    trap 'exit 1' INT TERM
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/meteremu-mdns-meters.XXXXXX")
    chmod 755 "$WORK" # meteremu runs as nobody: its configuration and the bus sockets
    make_network
    start_dbus dev
    start_avahi dev
    start_meters
    test_em1_models
    test_gen1
    test_ecotracker
    test_homewizard
    test_withdrawn
    echo "PASS"
}

main
