#!/bin/sh
# SPDX-License-Identifier: MIT
# A clone is the whole project: no file of the source tree may name the folder that once sat
# beside a checkout (two dots, a slash, then "shared"): the tests, scripts and documents must
# find everything inside the repository. Works in a git checkout (tracked files and new ones
# git does not ignore) and in an unpacked source tarball without .git, as the package builds
# run the tests (every file but the build trees, i.e. folders holding a CMakeCache.txt).
#   self_contained_test.sh SOURCE_DIR
set -eu

src=$(cd "${1:?usage: self_contained_test.sh SOURCE_DIR}" && pwd -P)
# Built from two pieces so that this file does not name it.
pattern='\.\./'"shared"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The pattern must find what it is meant to, or every tree would pass.
printf 'see %s/DESIGN.md\n' "..""/shared" | grep -q -e "$pattern" || {
    echo "self_contained_test: the pattern does not match its own example" >&2
    exit 1
}

top=$(git -C "$src" rev-parse --show-toplevel 2>/dev/null || true)
if [ -n "$top" ] && [ "$(cd "$top" && pwd -P)" = "$src" ]; then
    how="git checkout"
    git -C "$src" ls-files --cached --others --exclude-standard >"$work/files"
    status=0
    git -C "$src" grep -I -n --untracked -e "$pattern" >"$work/hits" 2>"$work/errors" ||
        status=$?
    # git grep: 1 is "no match"
    [ "$status" -le 1 ] || { cat "$work/errors" >&2; exit 1; }
else
    # Not the top of a git checkout (an unpacked tarball, maybe inside another checkout's
    # build folder, whose git would see none of these files).
    how="source tree without git"
    (cd "$src" && find . \( -name .git -o -type d -exec test -e '{}/CMakeCache.txt' \; \) \
        -prune -o -type f -print) >"$work/files"
    (cd "$src" && find . \( -name .git -o -type d -exec test -e '{}/CMakeCache.txt' \; \) \
        -prune -o -type f -exec grep -I -n -H -e "$pattern" {} + >"$work/hits" \
        2>"$work/errors") || true
    if [ -s "$work/errors" ]; then
        cat "$work/errors" >&2
        exit 1
    fi
fi

files=$(wc -l <"$work/files")
grep -q 'repository/self_contained_test\.sh$' "$work/files" || {
    echo "self_contained_test: $src ($how) does not list this test's own file" >&2
    exit 1
}
if [ -s "$work/hits" ]; then
    cat "$work/hits"
    echo "self_contained_test: $(wc -l <"$work/hits") lines of $src ($how) name a folder" \
        "outside the repository; the repository must hold what they point to" >&2
    exit 1
fi
echo "self_contained_test: none of the $files files of $src ($how) names a folder outside it"
