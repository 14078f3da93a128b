#!/bin/bash
# SPDX-License-Identifier: MIT
# Package test: the signed apt repository of scripts/build-repo, checked by apt itself.
#
# Makes a throwaway signing key (no passphrase, in a temporary GNUPGHOME), builds the
# repository of the .debs in DIR, then runs apt-get update, apt-cache policy and apt-get
# download against it with an apt configuration of its own: sources, trusted keys, pins,
# lists, cache and dpkg status all live in a temporary directory, so this machine's apt
# state is neither used nor changed, and no root is needed. apt must accept the repository
# through the exported keyring (signed-by) and offer meteremu at the version of the .deb for
# every architecture present, the very same file; a copy of the
# repository whose Release and InRelease were edited after signing must be refused, and so
# must the good repository checked against another key.
#
# Usage: repo_test.sh DIR...   (the .debs in each DIR, or in DIR/debs as package_deb_build
#                              leaves them; one repository of them all)
set -euo pipefail

# shellcheck source=tests/system/packaging/common.sh
source "$(dirname "$0")/common.sh"
require_tools apt-ftparchive apt-get apt-cache gpg gpgv gpgconf dpkg-deb timeout
step_timeout=60 # seconds for each apt or gpg step: everything is local

work=$(mktemp -d)
dir=$work/packages
mkdir "$dir"
for given in "$@"; do
    [ -d "$given/debs" ] && given=$given/debs
    cp "$given"/meteremu_*_{amd64,arm64,armhf}.deb "$dir/" 2>/dev/null || true
done
debs=$(ls "$dir"/meteremu_*.deb 2>/dev/null || true)
[ -n "$debs" ] || { rm -rf "$work"; skip "no meteremu .deb in $* (make deb first)"; }
export GNUPGHOME=$work/gnupg
cleanup() {
    GNUPGHOME=$work/gnupg gpgconf --kill gpg-agent 2>/dev/null || true
    GNUPGHOME=$work/other-gnupg gpgconf --kill gpg-agent 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# apt reads file: repositories as the _apt user when it runs as root: let it in.
chmod 0755 "$work"

step() { echo "=== $*"; }

# apt confined to STATE: its own sources list, lists, cache and an empty dpkg status.
apt_in() { # STATE REPO KEYRING COMMAND ARGS...
    local state=$1 repo_dir=$2 keyring=$3
    shift 3
    if [ ! -d "$state" ]; then
        mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$state/etc/trusted.gpg.d" \
            "$state/etc/preferences.d"
        : >"$state/status"
        echo "deb [signed-by=$keyring] file:$repo_dir bookworm main" >"$state/sources.list"
    fi
    timeout "$step_timeout" "$@" -q \
        -o Dir::Etc::sourcelist="$state/sources.list" -o Dir::Etc::sourceparts=- \
        -o Dir::Etc::trusted="$state/etc/trusted.gpg" \
        -o Dir::Etc::trustedparts="$state/etc/trusted.gpg.d" \
        -o Dir::Etc::preferences="$state/etc/preferences" \
        -o Dir::Etc::preferencesparts="$state/etc/preferences.d" \
        -o Dir::State::lists="$state/lists" -o Dir::Cache="$state/cache" \
        -o Dir::State::status="$state/status" -o APT::Architecture=amd64 \
        -o APT::Architectures="$architectures" -o Acquire::Languages=none \
        -o Debug::NoLocking=1
}

# Every architecture of the .debs, as apt is told to want them.
architectures=$(for deb in $debs; do dpkg-deb -f "$deb" Architecture; done | sort -u | paste -sd,)

step "a throwaway key and the repository of: $(echo "$debs" | xargs -n1 basename | paste -sd' ')"
new_signing_key "$GNUPGHOME" meteremu-test "$work/secret.key"
started=$(date +%s)
"$repo/scripts/build-repo" --packages "$dir" --out "$work/repo" --key "$work/secret.key" \
    >"$work/build.log" 2>&1 || { cat "$work/build.log"; fail "build-repo failed"; }
echo "build-repo: $(($(date +%s) - started)) s"
keyring=$work/repo/meteremu-archive-keyring.gpg
[ -s "$keyring" ] || fail "no keyring exported"
[ "$(head -c 5 "$keyring")" != "-----" ] || fail "$keyring is armored, apt's keyrings are binary"
grep -q 'BEGIN PGP PRIVATE' -r "$work/repo" "$work/build.log" && fail "the secret key leaked"
grep -qx 'Signed-By: /usr/share/keyrings/meteremu-archive-keyring.gpg' \
    "$work/repo/meteremu.sources" || fail "meteremu.sources has no Signed-By"
grep -q '^Architectures: ' "$work/repo/dists/bookworm/Release" || fail "no Architectures"

# apt reads InRelease; older clients and mirrors use Release with Release.gpg: both must verify.
release_dir=$work/repo/dists/bookworm
gpgv --keyring "$keyring" "$release_dir/InRelease" 2>"$work/gpgv.log" ||
    { cat "$work/gpgv.log"; fail "InRelease does not verify with the exported keyring"; }
gpgv --keyring "$keyring" "$release_dir/Release.gpg" "$release_dir/Release" 2>"$work/gpgv.log" ||
    { cat "$work/gpgv.log"; fail "Release.gpg does not verify with the exported keyring"; }

step "apt-get update against the repository, with the exported keyring"
apt_in "$work/apt" "$work/repo" "$keyring" apt-get update >"$work/update.log" 2>&1 ||
    { cat "$work/update.log"; fail "apt-get update refused the signed repository"; }
grep -E '^(W|E):' "$work/update.log" && fail "apt-get update warned or failed (above)"
# As root apt downloads as the _apt user, which must be able to write there.
mkdir -m 0777 "$work/download"
for deb in $debs; do
    arch=$(dpkg-deb -f "$deb" Architecture)
    version=$(dpkg-deb -f "$deb" Version)
    policy=$(apt_in "$work/apt" "$work/repo" "$keyring" apt-cache policy "meteremu:$arch")
    grep -q "Candidate: $version\$" <<<"$policy" ||
        { echo "$policy"; fail "apt-cache policy meteremu:$arch: no candidate $version"; }
    # The pool file itself, fetched and checked against the hash of the signed index.
    (cd "$work/download" && apt_in "$work/apt" "$work/repo" "$keyring" apt-get download \
        "meteremu:$arch") >"$work/download.log" 2>&1 ||
        { cat "$work/download.log"; fail "apt-get download meteremu:$arch failed"; }
    grep -E '^(W|E):' "$work/download.log" && fail "apt-get download warned (above)"
    cmp -s "$deb" "$work/download/$(basename "$deb")" || fail "downloaded meteremu:$arch differs"
    echo "meteremu:$arch candidate $version, downloaded"
done

# expect_update_refused STATE REPO KEYRING WHAT REASONS SHOWN: apt-get update must fail, and for
# one of REASONS (an extended regex); the line matching SHOWN is printed.
expect_update_refused() {
    local log
    log=$work/$(basename "$1").log
    if apt_in "$1" "$2" "$3" apt-get update >"$log" 2>&1; then
        cat "$log"
        fail "apt-get update accepted $4"
    fi
    grep -E -q "$5" "$log" || { cat "$log"; fail "apt-get update failed, but not for $4"; }
    grep -E -m1 "$6" "$log" || true
}

step "a repository changed after signing is refused"
cp -a "$work/repo" "$work/tampered"
for release in Release InRelease; do
    sed -i 's/^Label: meteremu$/Label: meteremu-changed/' "$work/tampered/dists/bookworm/$release"
done
grep -q 'meteremu-changed' "$work/tampered/dists/bookworm/InRelease" || fail "the edit failed"
expect_update_refused "$work/apt-tampered" "$work/tampered" "$keyring" \
    "a Release changed after signing" 'BADSIG|signatures were invalid|not signed' \
    'BADSIG|signatures were invalid'

step "the repository checked against another key is refused"
new_signing_key "$work/other-gnupg" meteremu-other "$work/other.key"
GNUPGHOME=$work/other-gnupg gpg --batch --export >"$work/other-keyring.gpg"
expect_update_refused "$work/apt-other" "$work/repo" "$work/other-keyring.gpg" \
    "a signature of a key outside signed-by" 'NO_PUBKEY|not signed' 'NO_PUBKEY'

echo "PASS: the signed repository ($architectures) accepted by apt; tampered, foreign key refused"
