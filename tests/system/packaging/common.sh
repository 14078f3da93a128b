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
