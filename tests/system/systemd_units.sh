#!/bin/sh
# SPDX-License-Identifier: MIT
# The unit files as systemd reads them: `systemd-analyze verify` must accept every line
# (it only warns about unknown keys and typos, so any output fails), and the sandbox must keep
# the exposure score at most 1.5 (`--threshold` is in tenths).
# Usage: systemd_units.sh UNIT_DIR METEREMU_BINARY. Exit 77 (skipped) without systemd-analyze.
set -eu
units=$1
binary=$2

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIP: systemd-analyze is missing (Debian package systemd)"
    exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# verify checks that ExecStart= and ExecReload= are executable: point them at the build.
sed "s|/usr/sbin/meteremu|$binary|g" "$units/meteremu.service" >"$work/meteremu.service"
cp "$units/meteremu.socket" "$work/meteremu.socket"
if ! systemd-analyze verify --man=no "$work/meteremu.service" "$work/meteremu.socket" \
        >"$work/verify.log" 2>&1 || [ -s "$work/verify.log" ]; then
    echo "FAIL: systemd-analyze verify:"
    cat "$work/verify.log"
    exit 1
fi
echo "systemd-analyze verify: meteremu.service and meteremu.socket OK"

systemd-analyze security --offline=true --threshold=15 "$units/meteremu.service" \
    >"$work/security.log" 2>&1 && status=0 || status=$?
grep -v '✓' "$work/security.log"
exit $status
