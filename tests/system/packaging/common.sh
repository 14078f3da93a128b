# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Sourced by the package tests: the checkout, and the ctest outcomes (exit 77 is a skip,
# registered as SKIP_RETURN_CODE).

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
export repo

skip() {
    echo "SKIP: $*"
    exit 77
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# Skips unless every tool is installed.
require_tools() {
    for tool in "$@"; do
        command -v "$tool" >/dev/null || skip "$tool is missing: run scripts/install-deps as root"
    done
}

# A throwaway archive signing key (no passphrase) in GNUPGHOME, exported to a file as a
# publisher hands it to scripts/build-repo.
new_signing_key() { # GNUPGHOME NAME OUTPUT
    mkdir -m 0700 "$1"
    GNUPGHOME=$1 timeout 60 gpg --batch --quiet --passphrase '' \
        --quick-gen-key "$2 <$2@meteremu.invalid>" ed25519 sign 1d
    GNUPGHOME=$1 gpg --batch --export-secret-keys >"$3"
}

# One test at a time changes this machine's packages, or boots a container over its root
# (which must not change underneath): the lock goes with the process, so a killed run never
# blocks the next one.
lock_host_packages() {
    exec 9>/run/lock/meteremu-deb-install-test.lock
    flock -w 900 9 || fail "another package test held the lock for 15 minutes"
}
