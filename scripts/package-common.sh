# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Shared by scripts/build-deb and scripts/build-rpm (sourced, bash): the project's version and
# the source tarball both package builds start from.

# The checkout this script belongs to.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The version CMakeLists.txt declares: project(meteremu VERSION x.y.z ...).
project_version() {
    sed -n 's/^project(meteremu VERSION \([0-9.]*\).*/\1/p' "$REPO/CMakeLists.txt"
}

# Fails unless a packaging file's upstream version matches CMakeLists.txt.
require_version() { # WHAT VERSION
    local expected
    expected=$(project_version)
    if [ "$2" != "$expected" ]; then
        echo "$1 says version $2 but CMakeLists.txt says $expected; update one" >&2
        exit 1
    fi
}

# Writes a .tar.gz of the working tree under the prefix PREFIX/: what git tracks plus new
# files it does not ignore, as they are on disk, so a package has your uncommitted edits; like
# `git archive` it never holds build/ or ./debian. Sorted, owned by root, dated by the last
# commit: the same tree gives the same tarball.
export_source() { # OUTPUT PREFIX
    local output=$1 prefix=$2 date
    date=$(git -C "$REPO" log -1 --format=%ct)
    git -C "$REPO" ls-files -z --cached --others --exclude-standard |
        (cd "$REPO" && while IFS= read -r -d '' file; do
            # a tracked file deleted in the working tree is not part of it
            if [ -e "$file" ] || [ -L "$file" ]; then printf '%s\0' "$file"; fi
        done) |
        tar -C "$REPO" --null --files-from=- --sort=name --mtime="@$date" --owner=0 --group=0 \
            --numeric-owner --transform="s,^,$prefix/," -cf - |
        gzip -n >"$output"
}

# The shared captures the golden tests read: $METEREMU_FIXTURES_DIR, or the shared/fixtures
# folder next to this checkout. Empty when there are none.
fixtures_dir() {
    if [ -n "${METEREMU_FIXTURES_DIR:-}" ]; then
        echo "$METEREMU_FIXTURES_DIR"
    elif [ -d "$REPO/../shared/fixtures" ]; then
        (cd "$REPO/../shared/fixtures" && pwd)
    fi
}

# Without the captures the golden tests cannot run: say so, and build without the tests.
warn_no_fixtures() {
    echo "warning: no shared/fixtures next to this checkout and no METEREMU_FIXTURES_DIR:" >&2
    echo "warning: the tests read those captures, so this package is built without them" >&2
}
