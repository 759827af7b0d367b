#!/usr/bin/python3
"""Runs `esvgd` against hostile input and checks the promises of the README: no exit by a signal,
at most one error line, and no failing run changes an existing output folder.

usage: scripts/hostile_probe.py build/esvgd   (prints one line per case and a closing count)
"""
import hashlib
import os
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

ESVGD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/esvgd")
TINY = ["--quiet", "--set", "svgd.steps=5", "--set", "metrics.truth_samples=200", "--set", 'samplers=["rbf"]']


def npy(header, payload=b""):
    h = header + " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode() + payload


def tree_digest(path):
    """A digest of every file name and content under `path` (None if it does not exist)."""
    if not os.path.exists(path):
        return None
    h = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            h.update(p.encode())
            with open(p, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


def cases(d):
    """(name, args, files to create {name: bytes}) for each hostile input."""
    w = lambda name: os.path.join(d, name)
    deep = "[" * 60000 + "]" * 60000
    yield "npy 60 KB descr", ["run", "c4-gaussians", "--init", w("c.npy")] + TINY, {
        "c.npy": npy("{'descr': '" + "x" * 60000 + "', 'fortran_order': False, 'shape': (50, 2), }", bytes(800))}
    yield "npy shape overflow", ["run", "c4-gaussians", "--init", w("o.npy")] + TINY, {
        "o.npy": npy("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", bytes(64))}
    yield "npy control bytes", ["run", "c4-gaussians", "--init", w("b.npy")] + TINY, {
        "b.npy": npy("{'descr': '\x01\x00\x1b[31m', 'fortran_order': False, 'shape': (1, 2), }", bytes(16))}
    yield "npy garbage", ["run", "c4-gaussians", "--init", w("g.npy")] + TINY, {"g.npy": os.urandom(4096)}
    yield "init is a folder", ["run", "c4-gaussians", "--init", d] + TINY, {}
    yield "init for jem-c4", ["run", "jem-c4", "--init", w("t.npy"), "--quiet"], {"t.npy": b"text"}
    yield "init for dw4", ["run", "dw4", "--init", w("t.npy"), "--quiet"], {"t.npy": b"text"}
    yield "deep JSON file", ["config", "c4-gaussians", "--config", w("deep.json")], {
        "deep.json": ('{"samplers": ' + deep + "}").encode()}
    yield "deep JSON --set", ["config", "c4-gaussians", "--set", "samplers=" + deep], {}
    yield "deep JSON objects", ["config", "c4-gaussians", "--config", w("deepo.json")], {
        "deepo.json": ('{"a":' * 60000 + "1" + "}" * 60000).encode()}
    yield "1e400 in config", ["config", "c4-gaussians", "--config", w("huge.json")], {
        "huge.json": b'{"svgd": {"step_size": 1e400}}'}
    yield "duplicate JSON key", ["config", "c4-gaussians", "--config", w("dup.json")], {
        "dup.json": b'{"particles": 5, "particles": 6}'}
    yield "binary config", ["config", "c4-gaussians", "--config", w("bin.json")], {"bin.json": os.urandom(2048)}
    yield "config is a FIFO", ["config", "c4-gaussians", "--config", w("fifo")], {"fifo": None}
    yield "repeated --set", ["run", "c4-gaussians", "--set", "svgd.steps=3"] + TINY, {}
    yield "invalid UTF-8 value", ["config", "c4-gaussians", "--set", "init.kind=\udcff\udcfe"], {}
    yield "particles=0", ["run", "c4-gaussians", "--set", "particles=0"] + TINY, {}
    yield "particles=1e9", ["run", "c4-gaussians", "--set", "particles=1e9"] + TINY, {}
    yield "particles=1e7", ["run", "c4-gaussians", "--set", "particles=1e7"] + TINY, {}
    yield "particles=int64 max", ["run", "c4-gaussians", "--set", "particles=9223372036854775807"] + TINY, {}
    yield "particles=2^64", ["run", "c4-gaussians", "--set", "particles=18446744073709551616"] + TINY, {}
    yield "target.order=1e9", ["run", "c4-gaussians", "--set", "target.order=1e9"] + TINY, {}
    yield "truth_samples=1e12", ["run", "c4-gaussians", "--quiet", "--set", "metrics.truth_samples=1e12"], {}
    yield "train_per_class=1e9", ["run", "jem-c4", "--quiet", "--set", "data.train_per_class=1e9"], {}
    yield "model.hidden=[1e8]", ["run", "jem-c4", "--quiet", "--set", "model.hidden=[100000000]"], {}
    yield "cyclic_order=0", ["run", "jem-c4", "--quiet", "--set", "model.cyclic_order=0"], {}
    yield "batch_size=0", ["run", "jem-c4", "--quiet", "--preset", "quick", "--set", "train.batch_size=0"], {}
    yield "missing data.file", ["run", "dw4", "--quiet", "--preset", "quick", "--set", "data.set=file",
                                "--set", "data.file=/nonexistent.npy"], {}
    yield "diverging sampler", ["run", "c4-gaussians", "--set", "svgd.step_size=1e300"] + TINY, {}
    yield "NaN step size", ["run", "c4-gaussians", "--set", "svgd.step_size=NaN"] + TINY, {}
    yield "unknown key", ["run", "c4-gaussians", "--set", "svgd.bandwith=1"] + TINY, {}
    yield "unknown experiment", ["run", "nope"], {}
    yield "seed overflow", ["run", "c4-gaussians", "--seed", "99999999999999999999999"] + TINY, {}
    yield "threads=0", ["run", "c4-gaussians", "--threads", "0"] + TINY, {}
    yield "resume without checkpoints", ["run", "jem-c4", "--resume", w("empty")], {"empty/x": b""}


def main():
    failures = total = 0
    with tempfile.TemporaryDirectory() as d:
        for name, args, files in cases(d):
            total += 1
            for f, data in files.items():
                p = os.path.join(d, f)
                os.makedirs(os.path.dirname(p), exist_ok=True)
                if data is None:
                    os.mkfifo(p)
                else:
                    with open(p, "wb") as fh:
                        fh.write(data)
            out = os.path.join(d, "out")  # a finished run's folder, with checkpoints, that must survive
            shutil.rmtree(out, ignore_errors=True)
            os.makedirs(os.path.join(out, "checkpoints"))
            with open(os.path.join(out, "checkpoints", "w.bin"), "wb") as fh:
                fh.write(b"finished")
            before = tree_digest(out)
            argv = [ESVGD] + [a.encode("utf-8", "surrogateescape") for a in args]
            if args[0] == "run" and "--resume" not in args:
                argv += [b"--out", out.encode()]
            try:
                r = subprocess.run(argv, capture_output=True, timeout=60)
                code, err = r.returncode, r.stderr.decode("utf-8", "replace")
            except subprocess.TimeoutExpired:
                code, err = "timeout", ""
            errors = [l for l in err.splitlines() if not l.startswith(("esvgd: warning", "esvgd: note"))]
            problems = []
            if code == "timeout" or code < 0:
                problems.append("signal %s" % (signal.Signals(-code).name if code != "timeout" else "timeout"))
            elif code == 0:
                problems.append("accepted")
            usage = err.find("usage: esvgd") >= 0
            if len(errors) > 1 and not usage:
                problems.append("%d error lines" % len(errors))
            if tree_digest(out) != before:
                problems.append("changed the output folder")
            failures += bool(problems)
            first = errors[0] if errors else ""
            print("%-28s exit %-4s %s%s" % (name, code, "; ".join(problems) + " | " if problems else "", first[:150]))
    print("hostile probe: %d passed, %d failed" % (total - failures, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
