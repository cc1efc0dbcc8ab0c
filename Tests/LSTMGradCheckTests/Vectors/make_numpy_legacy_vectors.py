"""Writes numpy_legacy_random.json next to this script: NumPy's legacy RandomState
(MT19937) streams for NumPyLegacyRandomTests. Doubles are stored as their IEEE-754
bit patterns in hex so no digit is lost. Run: python3 make_numpy_legacy_vectors.py"""
import json
import os
import struct

import numpy as np

SEEDS = [0, 1, 2, 42, 12345, 4294967295]


def bits(values):
    return ["0x%016x" % struct.unpack("<Q", struct.pack("<d", float(v)))[0] for v in values]


def raw_uint32(seed, count):
    # A bare MT19937 put in RandomState(seed)'s state: random_raw returns next32 itself,
    # with no bounding or masking.
    bit_generator = np.random.MT19937()
    bit_generator.state = np.random.RandomState(seed).get_state(legacy=False)
    raw = [int(x) for x in bit_generator.random_raw(count)]
    # Cross-check: a full 32-bit range makes randint return next32 unmasked.
    same = np.random.RandomState(seed).randint(0, 2**32, size=count, dtype=np.uint32)
    assert raw == [int(x) for x in same]
    return raw


def seed_vectors(seed):
    np.random.seed(seed)
    samples = [np.random.random_sample() for _ in range(200)]
    np.random.seed(seed)
    gauss = [np.random.randn() for _ in range(1000)]
    return {
        "seed": seed,
        "uint32": raw_uint32(seed, 10),
        "random_sample": bits(samples),
        "randn": bits(gauss),
    }


def notebook_sequence():
    # The course notebook's cell: seed(1), then randn(3, 10), then randn(5, 10).
    np.random.seed(1)
    first = np.random.randn(3, 10)
    second = np.random.randn(5, 10)
    return {
        "seed": 1,
        "randn_3x10_first5": bits(first.ravel()[:5]),
        "randn_5x10_first5": bits(second.ravel()[:5]),
    }


def main():
    document = {
        "numpy_version": np.__version__,
        "seeds": [seed_vectors(seed) for seed in SEEDS],
        "notebook": notebook_sequence(),
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "numpy_legacy_random.json")
    with open(path, "w") as out:
        json.dump(document, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
