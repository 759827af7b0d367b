#!/usr/bin/env python3
"""The installed headers are the public API (issue 16): include/esvgd holds exactly what
`cmake --install` puts into <prefix>/include/esvgd, and internal headers live in src/.

Fails, listing every offender, when an installed header
  - does not open with a file comment (`#pragma once`, then a `///` line saying what it is),
  - includes a header that is not installed (an internal one, or a path that does not exist), or
  - is not used by examples/: included by no file there, directly or through installed headers.

usage: public_headers.py <source dir>
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)


def quoted_includes(path):
    return INCLUDE.findall(path.read_text(encoding="utf-8"))


def main(root):
    include_dir = root / "include"
    installed = {p.relative_to(include_dir).as_posix() for p in (include_dir / "esvgd").rglob("*") if p.is_file()}
    problems = []

    for header in sorted(installed):
        lines = (include_dir / header).read_text(encoding="utf-8").splitlines()
        if len(lines) < 2 or lines[0].strip() != "#pragma once" or not lines[1].startswith("///"):
            problems.append(f"{header}: no file comment ('#pragma once', then a '///' line saying what it is)")
        for inc in quoted_includes(include_dir / header):
            if inc not in installed:
                problems.append(f"{header}: includes \"{inc}\", which is not installed")

    examples = sorted(p for p in (root / "examples").rglob("*") if p.suffix in {".cpp", ".h", ".hpp"})
    reached, todo = set(), []
    for example in examples:
        todo += [inc for inc in quoted_includes(example) if inc in installed]
    while todo:
        header = todo.pop()
        if header not in reached:
            reached.add(header)
            todo += [inc for inc in quoted_includes(include_dir / header) if inc in installed]
    for header in sorted(installed - reached):
        problems.append(f"{header}: installed but used by no example (nothing under examples/ includes it)")

    if not installed:
        problems.append(f"no headers under {include_dir / 'esvgd'}")
    for p in problems:
        print(p)
    print(f"{len(installed)} installed headers, {len(reached)} reached from {len(examples)} example files, "
          f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(pathlib.Path(sys.argv[1]).resolve()))
