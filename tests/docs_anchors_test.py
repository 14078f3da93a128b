#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Every citation of a project document with an anchor (docs/protocols/envoy.md#meters, also
relative links between the docs/ files) must name a file that exists and a heading in it.
Comments cite these anchors instead of copying the facts, so a renamed heading must fail here
rather than leave dangling references. Usage: docs_anchors_test.py SOURCE_DIR"""

import pathlib
import re
import sys

# docs/<path>.md#anchor anywhere in the sources; in docs/*.md also (../)<path>.md#anchor links.
CITATION = re.compile(r"(?<![\w/.-])((?:\.\./)*(?:docs/)?[\w./-]*\.md)#([\w-]+)")
SCANNED = ("src", "tests", "bench", "man", "docs", "sim")
SUFFIXES = {".cpp", ".hpp", ".in", ".py", ".sh", ".md", ".scd", ".txt"}


def github_anchor(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    found = set()
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            found.add(github_anchor(line.lstrip("#")))
    return found


def target_of(root, source, cited):
    """The file a citation names: relative to the citing document inside docs/, else to
    the repository root."""
    if source.suffix == ".md" and not cited.startswith("docs/"):
        return (source.parent / cited).resolve()
    return (root / cited).resolve()


def files(root):
    for folder in SCANNED:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and path.name != pathlib.Path(__file__).name:
                yield path
    yield root / "README.md"


def main():
    root = pathlib.Path(sys.argv[1]).resolve()
    cache = {}
    checked = 0
    problems = []
    for path in files(root):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for cited, anchor in CITATION.findall(line):
                if path.suffix != ".md" and not cited.startswith("docs/"):
                    continue  # only docs/ citations in code
                target = target_of(root, path, cited)
                where = f"{path.relative_to(root)}:{number}"
                if not target.is_file():
                    problems.append(f"{where}: {cited} does not exist")
                    continue
                if target not in cache:
                    cache[target] = anchors(target)
                checked += 1
                if anchor not in cache[target]:
                    problems.append(f"{where}: {cited} has no heading for #{anchor}")
    for problem in problems:
        print(problem)
    print(f"{checked} citations checked, {len(problems)} broken")
    if checked == 0:
        print("no citation found: the scan itself is broken")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
