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

# The captures the tests read are part of the tree (tests/fixtures), so a package build tests
# with the copy in its own source tarball. METEREMU_FIXTURES_DIR, when set, names another copy:
# this prints it as an absolute path (the build runs elsewhere), or nothing.
fixtures_override() {
    if [ -n "${METEREMU_FIXTURES_DIR:-}" ]; then
        realpath "$METEREMU_FIXTURES_DIR"
    fi
}
