#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/: small valid (and a few nearly valid) inputs,
cut from the shipped data (data/dw4, data/qm9) and the formats' own writers. The seeds are
committed; run this again only to change them. Needs NumPy (python3-numpy)."""
import gzip
import io
import json
import pathlib
import shutil
import struct

import numpy as np

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
CORPUS = FUZZ / "corpus"


def target(name):
    d = CORPUS / name
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def npy_bytes(array, version=None):
    f = io.BytesIO()
    np.lib.format.write_array(f, array, version=version, allow_pickle=False)
    return f.getvalue()


def npy():
    d = target("npy")
    dw4 = np.load(ROOT / "data/dw4/jaini2021_fixed_DW4.npy")  # float32 [1000, 8]
    seeds = {
        "dw4_rows.npy": dw4[:4],
        "dw4_rows_f8.npy": dw4[:4].astype("<f8"),
        "particles_3d.npy": np.arange(12, dtype="<f8").reshape(4, 3) / 7,
        "vector_i8.npy": np.arange(5, dtype="<i8"),
        "cube_i4.npy": np.arange(8, dtype="<i4").reshape(2, 2, 2),
        "scalar.npy": np.array(2.5, dtype="<f8"),
        "empty.npy": np.zeros((0, 3), dtype="<f8"),
        "nan.npy": np.array([[0.0, np.nan, 1.0]], dtype="<f8"),
        "fortran.npy": np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)),
        "big_endian.npy": np.arange(3, dtype=">f8"),
    }
    for name, a in seeds.items():
        (d / name).write_bytes(npy_bytes(a))
    (d / "version2.npy").write_bytes(npy_bytes(np.ones((2, 3)), version=(2, 0)))
    (d / "version3.npy").write_bytes(npy_bytes(np.ones((1, 3)), version=(3, 0)))


# The keys fuzz_config.h declares, with values of their own type.
CONFIG = {
    "ablation.bandwidths": [2.0, 0.0001],
    "model.hidden": [64, 64],
    "particles": 50,
    "samplers": ["rbf", "orbit-matrix"],
    "svgd.median": False,
    "svgd.optimizer": "sgd",
    "svgd.step_size": 0.02,
    "train.lr_after": [],
}


def config_file():
    d = target("config_file")
    (d / "flat.json").write_text(json.dumps(CONFIG, indent=2))
    nested = {"svgd": {"step_size": 0.1, "median": True, "optimizer": "adam"}, "model": {"hidden": [32, 32, 32]}}
    (d / "nested.json").write_text(json.dumps(nested))
    # Values read from a shipped preset, so the seeds hold what real configs hold.
    dw4 = json.loads((ROOT / "configs/dw4.quick.json").read_text())
    (d / "from_dw4.json").write_text(json.dumps({k: dw4[k] for k in CONFIG if k in dw4}, indent=2))
    (d / "integral_float.json").write_text('{"particles": 2.0, "svgd.step_size": 1}')
    (d / "mixed_list.json").write_text('{"train.lr_after": [1, "a", null, [2]], "samplers": []}')
    (d / "unknown_key.json").write_text('{"svgd.steps": 10}')
    (d / "not_object.json").write_text("[1, 2]")


def config_set():
    d = target("config_set")
    keys = sorted(CONFIG)  # the first input byte picks keys[byte % 9]; 8 = the whole text
    values = {
        "particles": ["100", "2.0", "1e6"],
        "svgd.step_size": ["1e-3", "5"],
        "svgd.median": ["true"],
        "svgd.optimizer": ["adam", "plain text"],
        "samplers": ['["rbf","orbit-matrix"]'],
        "model.hidden": ["[64,64]"],
        "ablation.bandwidths": ["[2.0,0.0001]"],
        "train.lr_after": ["[]", "[1,2]"],
    }
    n = 0
    for key, texts in values.items():
        for text in texts:
            (d / f"set{n}").write_bytes(bytes([keys.index(key)]) + text.encode())
            n += 1
    for text in ["particles=7", "svgd.step_size=0.5", "=1", "no_equals"]:
        (d / f"set{n}").write_bytes(bytes([len(keys)]) + text.encode())
        n += 1


def xyz_frames():
    d = target("xyz_frames")
    lines = (ROOT / "data/qm9/qm9_C5H8O1.xyz").read_text().splitlines()
    frames, i = [], 0
    while i < len(lines):
        n = int(lines[i])
        frames.append(lines[i : i + 2 + n])
        i += 2 + n
    text = lambda fs: "".join(line + "\n" for f in fs for line in f)
    (d / "one_frame.xyz").write_text(text(frames[:1]))
    (d / "two_frames.xyz").write_text(text(frames[1:3]))
    (d / "crlf.xyz").write_bytes(text(frames[3:4]).replace("\n", "\r\n").encode())
    quoted = [frames[4][0], 'name="a b" smiles=CC gdb_id=7 free text'] + frames[4][2:]
    (d / "quoted.xyz").write_text(text([quoted]))
    numbers = [frames[5][0], ""] + [str({"C": 6, "H": 1, "O": 8}[l.split()[0]]) + l[1:] for l in frames[5][2:]]
    (d / "atomic_numbers.xyz").write_text(text([numbers]))


def qm9_file():
    d = target("qm9_file")
    # dsgdb9nsd_000003.xyz (water) of the QM9 archive, laid out as the archive does (tabs).
    water = [
        "3",
        "gdb 3\t799.58812\t437.90386\t282.94545\t1.8511\t6.31\t-0.2928\t0.0687\t0.3615\t19.0002\t0.021375\t"
        "-76.404702\t-76.401867\t-76.400922\t-76.422349\t6.002\t",
        "O\t-0.0343604951\t 0.9775395708\t 0.0076015923\t-0.589706",
        "H\t 0.0647664923\t 0.0205721989\t 0.0015346341\t 0.294853",
        "H\t 0.8717903737\t 1.3005924022\t 0.0006931336\t 0.294853",
        "1591.1338\t3718.8436\t3873.3131",
        "O\tO\t",
        "InChI=1S/H2O/h1H2\tInChI=1S/H2O/h1H2",
    ]
    (d / "water.xyz").write_text("\n".join(water) + "\n")
    mathematica = list(water)
    mathematica[3] = "H\t 6.47664923*^-2\t 0.0205721989\t 1.5346341*^-3\t 0.294853"
    (d / "mathematica_exponent.xyz").write_text("\n".join(mathematica) + "\n")
    (d / "crlf.xyz").write_bytes(("\r\n".join(water) + "\r\n").encode())


def idx_header(shape):
    return bytes([0, 0, 0x08, len(shape)]) + b"".join(struct.pack(">I", s) for s in shape)


def idx():
    raw, gz = target("idx"), target("idx_gzip")
    shapes = {"vector": [7], "matrix": [3, 5], "images": [2, 4, 4], "four_d": [1, 2, 2, 3]}
    rng = np.random.default_rng(13)
    for name, shape in shapes.items():
        data = idx_header(shape) + rng.integers(0, 256, size=int(np.prod(shape)), dtype=np.uint8).tobytes()
        (raw / f"{name}.idx").write_bytes(data)
        (gz / f"{name}.idx").write_bytes(data)  # idx_gzip_fuzzer gzips its input itself
        if name in ("matrix", "images"):
            (raw / f"{name}.idx.gz").write_bytes(gzip.compress(data, mtime=0))
    # The fuzzer's first finding (an out-of-memory): a 32-byte file whose header promises 2^31 bytes.
    promise = idx_header([1, 2, 32, 1 << 25]) + bytes.fromhex("0802eec9b84eac00a8c11fd6")
    for d in (raw, gz):
        (d / "regression_2gib_header.idx").write_bytes(promise)


if __name__ == "__main__":
    npy()
    config_file()
    config_set()
    xyz_frames()
    qm9_file()
    idx()
    for d in sorted(CORPUS.iterdir()):
        files = list(d.iterdir())
        print(f"{d.name}: {len(files)} seeds, {sum(f.stat().st_size for f in files)} bytes")
