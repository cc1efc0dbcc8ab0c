#!/usr/bin/env python3
"""Writes the NumPy-made test files for NumPyFilesTests.swift into npy/.

Run from anywhere: python3 make_numpy_files.py (NumPy 2.x). The outputs are
committed; rerunning rewrites them byte for byte except the zip timestamps.

manifest.json records what each file must read as. Values are stored as the
16-hex-digit bit patterns of the float64 the reader must produce (float32 data
widened exactly), so comparisons are exact, NaN and -0.0 included. The large
array is not listed element by element: it comes from a 64-bit LCG that the
Swift test replays (see lcg_doubles).
"""
import io
import json
import os
import random
import zipfile
import zlib

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "npy")


def bits(a):
    """Hex bit patterns of a's values as float64, in C order."""
    flat = np.ascontiguousarray(np.asarray(a, dtype=np.float64)).reshape(-1)
    return ["%016x" % v for v in flat.view(np.uint64).tolist()]


def lcg_doubles(seed, n):
    """n doubles in [-0.005, 0.005): every step is exact or one rounding, so Swift gets the same bits."""
    x, out = seed, []
    for _ in range(n):
        x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
        out.append(((x >> 11) * 2.0**-53 - 0.5) * 0.01)
    return out


def quadratic_bytes(n):
    return bytes((i * i + 7 * i) % 251 for i in range(n))


def described(a, values=True):
    entry = {"dtype": a.dtype.str, "shape": list(a.shape)}
    if values:
        entry["values"] = bits(a)
    return entry


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)


def first_block_type(stream):
    return (stream[0] >> 1) & 3


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    manifest = {"npy": [], "rejected": [], "npz": [], "deflate": [],
                "lcg": {"multiplier": 6364136223846793005, "increment": 1442695040888963407}}

    grid = np.arange(12, dtype=np.float64).reshape(3, 4) / 7 - 0.75
    cube = np.linspace(-1, 1, 24).reshape(2, 3, 4) ** 3
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 5e-324, np.finfo(np.float64).max,
                        np.finfo(np.float64).tiny, 1 / 3, -2.5e-300])
    special32 = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, np.finfo(np.float32).max,
                          np.float32(1) / 3, -1.5], dtype=np.float32)
    arrays = {
        "f8_c_2d.npy": grid,
        "f8_be_2d.npy": grid.astype(">f8"),
        "f4_le_1d.npy": np.array([0.1, -2.5, 3e10, 1e-20, 7], dtype="<f4"),
        "f4_be_3d.npy": cube.astype(">f4"),
        "f8_fortran_2d.npy": np.asfortranarray(grid),
        "f4_be_fortran_3d.npy": np.asfortranarray(cube.astype(">f4")),
        "f8_be_fortran_3d.npy": np.asfortranarray(cube.astype(">f8")),
        "f8_0d.npy": np.array(-1.25),
        "f8_empty.npy": np.zeros((0,)),
        "f4_empty_2d.npy": np.zeros((2, 0), dtype=np.float32),
        "f8_special.npy": special,
        "f4_special.npy": special32,
    }
    for name, a in arrays.items():
        np.save(os.path.join(OUT, name), a)
        manifest["npy"].append({"file": name, **described(a)})
    for version in [(2, 0), (3, 0)]:
        name = "f8_v%d.npy" % version[0]
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, cube, version=version)
        write(name, buffer.getvalue())
        manifest["npy"].append({"file": name, **described(cube)})

    rejected = {
        "i8.npy": (np.arange(6, dtype=np.int64), "dtype '<i8'"),
        "c16.npy": (np.array([1 + 2j]), "dtype '<c16'"),
        "f2.npy": (np.array([1.5], dtype=np.float16), "dtype '<f2'"),
        "b1.npy": (np.array([True, False]), "dtype '|b1'"),
        "object.npy": (np.array([{"a": 1}, None], dtype=object), "dtype '|O'"),
        "structured.npy": (np.zeros(2, dtype=[("x", "<f8"), ("y", "<f8")]), "a structured dtype"),
    }
    for name, (a, found) in rejected.items():
        np.save(os.path.join(OUT, name), a, allow_pickle=True)
        manifest["rejected"].append({"file": name, "found": found})

    members = {
        "dWf": grid,
        "b": np.array([0.5, -0.25, 1e-8], dtype=np.float32),
        "cube": cube,
        "fortran": np.asfortranarray(grid.T),
        "scalar": np.array(3.0),
        "empty": np.zeros((0, 4)),
    }
    np.savez(os.path.join(OUT, "savez.npz"), **members)
    manifest["npz"].append({"file": "savez.npz",
                            "arrays": [{"name": k, **described(v)} for k, v in members.items()]})

    np.savez_compressed(os.path.join(OUT, "small_compressed.npz"), **members)
    manifest["npz"].append({"file": "small_compressed.npz",
                            "arrays": [{"name": k, **described(v)} for k, v in members.items()]})
    # Written to a pipe-like stream, zipfile cannot seek back to fill in local
    # headers: it sets flag bit 3 and writes sizes and CRCs after the data.
    class Stream:
        def __init__(self):
            self.chunks = []

        def write(self, data):
            self.chunks.append(bytes(data))
            return len(data)

        def flush(self):
            pass

        def read(self, size=-1):  # np.savez takes objects with read() as files
            raise OSError("write-only stream")

    stream = Stream()
    np.savez_compressed(stream, **members)
    write("streamed.npz", b"".join(stream.chunks))
    with zipfile.ZipFile(os.path.join(OUT, "streamed.npz")) as z:
        assert all(info.flag_bits & 0x08 for info in z.infolist()), "expected data descriptors"
    manifest["npz"].append({"file": "streamed.npz",
                            "arrays": [{"name": k, **described(v)} for k, v in members.items()]})
    np.savez(os.path.join(OUT, "ints.npz"), dWf=np.arange(4), b=np.zeros(2))
    manifest["rejected"].append({"file": "ints.npz", "key": "dWf.npy", "found": "dtype '<i8'"})

    seed = 20240611
    big = np.array(lcg_doubles(seed, 200 * 300)).reshape(200, 300)
    compressed = {**members, "be32": cube.astype(">f4"), "big": big}
    np.savez_compressed(os.path.join(OUT, "savez_compressed.npz"), **compressed)
    entries = [{"name": k, **described(v)} for k, v in compressed.items() if k != "big"]
    entries.append({"name": "big", **described(big, values=False), "lcg_seed": seed})
    manifest["npz"].append({"file": "savez_compressed.npz", "arrays": entries})
    with zipfile.ZipFile(os.path.join(OUT, "savez_compressed.npz")) as z, \
            open(os.path.join(OUT, "savez_compressed.npz"), "rb") as f:
        info = z.getinfo("big.npy")
        f.seek(info.header_offset + 26)
        skip = int.from_bytes(f.read(2), "little") + int.from_bytes(f.read(2), "little")
        f.seek(skip, 1)
        assert first_block_type(f.read(1)) == 2, "big.npy should start with a dynamic block"

    # Raw DEFLATE vectors straight from zlib (wbits=-15: no zlib/gzip wrapper).
    rng = random.Random(7)
    words = [rng.choice(["gate", "cell", "forget", "input", "output", "state", "hidden", "weight",
                         "bias", "gradient", "tanh", "sigmoid", "loss", "step"]) for _ in range(4000)]
    text = " ".join(words).encode()
    chunk = rng.randbytes(30000)
    runs = b"".join(bytes([rng.randrange(4)]) * rng.randrange(1, 300) for _ in range(300))
    vectors = [
        ("deflate_empty", b"", zlib.Z_DEFAULT_STRATEGY, 6, 1),
        ("deflate_fixed", text[:3000], zlib.Z_FIXED, 9, 1),
        ("deflate_dynamic", text, zlib.Z_DEFAULT_STRATEGY, 9, 2),
        ("deflate_huffman_only", text, zlib.Z_HUFFMAN_ONLY, 9, 2),
        ("deflate_rle", runs, zlib.Z_RLE, 9, 2),
        ("deflate_far", chunk + b"\x00" * 2000 + chunk, zlib.Z_DEFAULT_STRATEGY, 9, 2),
        ("deflate_stored", quadratic_bytes(70000), zlib.Z_DEFAULT_STRATEGY, 0, 0),
    ]
    for name, raw, strategy, level, block_type in vectors:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
        stream = compressor.compress(raw) + compressor.flush()
        assert zlib.decompress(stream, -15) == raw
        assert first_block_type(stream) == block_type, name
        write(name + ".bin", stream)
        entry = {"file": name + ".bin", "block_type": block_type, "size": len(raw),
                 "crc32": zlib.crc32(raw)}
        if name == "deflate_stored":
            entry["raw_generator"] = "quadratic"
        else:
            write(name + ".raw", raw)
            entry["raw"] = name + ".raw"
        manifest["deflate"].append(entry)

    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
