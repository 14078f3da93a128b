#!/bin/bash
# SPDX-License-Identifier: MIT
# Package test: the daemon of a built .deb run on its own instruction set. A cross-built
# package (arm64, armhf) runs under qemu-user-static, called directly (no binfmt handler is
# needed or registered); the machine's own architecture runs natively, for comparison.
#
# Unpacks the .deb (dpkg-deb -x, nothing is installed), checks `meteremu --version`, starts
# the demo household on ephemeral loopback ports and asks EM.GetStatus over HTTP and over UDP,
# as a battery does, then stops the daemon with SIGTERM. Prints the daemon's resident memory:
# under qemu-user it is the qemu process's, which includes qemu's own memory and translated
# code, so it is an upper bound of what the daemon needs on the real machine.
#
# The guest's shared libraries are the multiarch ones scripts/install-deps cross installs
# (libc6:ARCH and the libraries of the -dev packages, in /usr/lib/TRIPLET). No -L: qemu would
# then take the dynamic loader of the cross toolchain (/usr/TRIPLET/lib, another glibc build)
# with the multiarch libc, and the mismatched pair hangs at the first thread.
#
# Usage: cross_run_test.sh DEB [ARCH]   (ARCH: the package's own Architecture by default)
#        cross_run_test.sh DIR ARCH    (the newest meteremu_*_ARCH.deb in DIR)
set -euo pipefail

# shellcheck source=tests/system/packaging/common.sh
source "$(dirname "$0")/common.sh"
require_tools dpkg-deb curl /usr/bin/python3
deb=$1
if [ -d "$deb" ]; then
    deb=$(find "$deb" -maxdepth 1 -name "meteremu_*_${2:?ARCH with a DIR}.deb" | sort -V | tail -n 1)
    [ -n "$deb" ] || skip "no meteremu_*_$2.deb in $1 (its package build did not run)"
fi
deb=$(realpath "$deb")
arch=${2:-$(dpkg-deb -f "$deb" Architecture)}
version=$(dpkg-deb -f "$deb" Version)
start_timeout=60 # seconds: translated code starts several times slower

# The command that runs a program of ARCH here: nothing for this machine's architecture.
runner=()
loader=""
case "$arch" in
"$(dpkg --print-architecture)") ;;
arm64) runner=(qemu-aarch64-static) loader=/lib/ld-linux-aarch64.so.1 ;;
armhf) runner=(qemu-arm-static) loader=/lib/ld-linux-armhf.so.3 ;;
*) fail "no way to run $arch here" ;;
esac
if [ ${#runner[@]} -gt 0 ]; then
    require_tools "${runner[0]}"
    [ -e "$loader" ] || skip "$loader is missing (libc6:$arch): run scripts/install-deps cross"
    unset QEMU_LD_PREFIX # see above: the multiarch loader, never the cross toolchain's
fi

work=$(mktemp -d)
pid=""
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

dpkg-deb -x "$deb" "$work/root"
meteremu=$work/root/usr/sbin/meteremu
[ -x "$meteremu" ] || fail "no /usr/sbin/meteremu in $deb"
how=natively
[ ${#runner[@]} -eq 0 ] || how="under ${runner[0]}"
echo "=== $(basename "$deb") on $arch, $how"

out=$("${runner[@]}" "$meteremu" --version) || fail "meteremu --version failed"
[ "$out" = "meteremu ${version%-*}" ] || fail "meteremu --version said '$out'"
echo "--version: $out"

# The demo household of `meteremu --demo`, on ports the kernel picks (--demo's are fixed).
cat >"$work/demo.toml" <<'EOF'
[frontend]
mac = "02:00:5E:10:20:30"
phases = 3
listen_address = "127.0.0.1"
http_port = 0
udp_ports = [0, 0]
mdns = false

[backend]
type = "demo"
poll_interval = 0.2
seed = 7
EOF
started=$SECONDS
: >"$work/log" # before the daemon's shell opens it: the wait below reads it at once
"${runner[@]}" "$meteremu" --config "$work/demo.toml" 2>>"$work/log" &
pid=$!

# Waits until the log has COUNT lines matching PATTERN, while the daemon lives.
wait_for_log() { # PATTERN COUNT
    local deadline=$((SECONDS + start_timeout))
    while [ "$(grep -c "$1" "$work/log")" -lt "$2" ]; do
        kill -0 "$pid" 2>/dev/null || fail "meteremu exited; its log:
$(cat "$work/log")"
        [ "$SECONDS" -lt "$deadline" ] || fail "no '$1' within $start_timeout s; log:
$(cat "$work/log")"
        sleep 0.2
    done
}
wait_for_log 'serving HTTP on ' 1
wait_for_log 'serving UDP on ' 2
echo "serving after $((SECONDS - started)) s"
http_port=$(sed -n 's/.*serving HTTP on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/log" | head -1)
udp_port=$(sed -n 's/.*serving UDP on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/log" | head -1)

# Both answers are Shelly EM.GetStatus documents with the household's total power.
check_status() { # WHAT JSON [POINTER: result for JSON-RPC over UDP]
    /usr/bin/python3 -c '
import json, sys
document = json.loads(sys.argv[1])
if len(sys.argv) > 2:
    assert document["id"] == 1, document
    document = document[sys.argv[2]]
assert isinstance(document["total_act_power"], (int, float)), document
print("total_act_power", document["total_act_power"])
' "$2" "${@:3}" || fail "$1 answered no EM.GetStatus: $2"
}
body=$(curl -sf --max-time 10 "http://127.0.0.1:$http_port/rpc/EM.GetStatus?id=0") ||
    fail "HTTP EM.GetStatus failed"
echo "HTTP: $(check_status HTTP "$body")"
answer=$(/usr/bin/python3 - "$udp_port" <<'EOF'
import socket, sys
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
    udp.settimeout(10)
    udp.sendto(b'{"id":1,"method":"EM.GetStatus","params":{"id":0}}', ("127.0.0.1", int(sys.argv[1])))
    print(udp.recv(65536).decode())
EOF
) || fail "no UDP answer on port $udp_port"
echo "UDP: $(check_status UDP "$answer" result)"

# After serving both: the resident set now and its peak (kB).
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
if [ ${#runner[@]} -gt 0 ]; then
    echo "RSS on $arch: $rss kB, peak $hwm kB (the ${runner[0]} process: qemu's own memory included)"
else
    echo "RSS on $arch: $rss kB, peak $hwm kB (native)"
fi

kill -TERM "$pid"
status=0
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "meteremu did not stop within 10 s of SIGTERM"
wait "$pid" || status=$?
pid=""
[ "$status" -eq 0 ] || fail "meteremu exited $status on SIGTERM; log:
$(cat "$work/log")"
echo "cross run on $arch: ok (took $SECONDS s)"
