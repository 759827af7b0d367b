#!/usr/bin/env python3
"""The library, its headers and the tests include only the LibTorch headers they use (issue 19):
<torch/torch.h> pulls in every module of LibTorch and costs ~10 s of parsing per file on top of the
<torch/types.h> image the build precompiles (cmake/torch_pch.cmake; docs/results.md, "Build times
from a fresh clone").

Fails, listing every offender, when a file under include/, src/, tests/ or fuzz/ includes
<torch/torch.h> (or <torch/all.h>, its body).
(Examples, benchmarks and the Python bindings are programs of their own and may.)

usage: torch_includes.py <source dir>
"""
import pathlib
import re
import sys

UMBRELLA = re.compile(r'^\s*#\s*include\s*<torch/(torch|all)\.h>', re.MULTILINE)


def main(root):
    sources = sorted(p for folder in ("include", "src", "tests", "fuzz") for p in (root / folder).rglob("*")
                     if p.suffix in {".cpp", ".h", ".hpp", ".cu"})
    offenders = [(p.relative_to(root).as_posix(), m.group(1)) for p in sources
                 for m in [UMBRELLA.search(p.read_text(encoding="utf-8"))] if m]
    for path, header in offenders:
        print(f"{path}: includes <torch/{header}.h>; include what it uses (<torch/types.h> for tensors, "
              "<torch/nn/...>, <torch/optim/...>, <torch/serialize/...> for the rest)")
    print(f"{len(sources)} files, {len(offenders)} include the umbrella header")
    return 1 if offenders else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(pathlib.Path(sys.argv[1]).resolve()))
