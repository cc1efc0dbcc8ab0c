"""What lstm_numpy.py and layouts_numpy.py share: the stable primitives, the loop over the
steps of a column batch, central differences, the relative error, the checks and the refusal
check of their self-tests, the expected-file writer and the command line.

Both references are written from their documented equations, not from the Swift sources;
sharing these few NumPy helpers between them keeps that independence (neither is the tool).
"""

import argparse
import json
from pathlib import Path

import numpy as np


def sigmoid(z):
    """Stable logistic function: never evaluates exp of a positive number."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # in (0, 1], no overflow
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def log_softmax(z, axis=0):
    """Stable log-softmax along `axis` (shift by the max first)."""
    z = np.asarray(z, dtype=np.float64)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def central_differences(base, evaluate, h):
    """(L(θ + h) − L(θ − h)) / 2h for every element θ of the array `base`, where `evaluate()`
    computes L from the current contents of `base` (changed in place and restored)."""
    g = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        old = base[idx]
        base[idx] = old + h
        lp = evaluate()
        base[idx] = old - h
        lm = evaluate()
        base[idx] = old
        g[idx] = (lp - lm) / (2.0 * h)
    return g


def rel_err(g, r):
    """||g - r|| / (||g|| + ||r||), 0 when both are zero."""
    g = np.asarray(g, dtype=np.float64)
    r = np.asarray(r, dtype=np.float64)
    denom = np.linalg.norm(g) + np.linalg.norm(r)
    return 0.0 if denom == 0.0 else float(np.linalg.norm(g - r) / denom)


def scan_columns(step, x, *state):
    """Runs a cell over the steps of a column-batch input x (n_x x m x T_x): at each t,
    `step(x_t, *state)` returns the new state (one or more n_a x m arrays) and the step's
    cache. Returns each state part stacked over t (n_a x m x T_x) and then the caches."""
    T_x = x.shape[2]
    stacked = [np.zeros(part.shape + (T_x,)) for part in state]
    caches = []
    for t in range(T_x):
        *state, cache = step(x[:, :, t], *state)
        for out, part in zip(stacked, state):
            out[:, :, t] = part
        caches.append(cache)
    return (*stacked, caches)


def write_json(path, obj):
    """Writes `obj` as the committed expected files are written (indent 1, no NaN, final
    newline), creating the folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        json.dump(obj, fh, indent=1, allow_nan=False)
        fh.write("\n")


def write_expected(fixture_path, out_dir, expected):
    """Writes `expected(fixture_path)`, a reference's expected result for that fixture, as
    out_dir/<fixture stem>.expected.json; returns (that path, the result)."""
    result = expected(fixture_path)
    out_path = Path(out_dir) / (Path(fixture_path).stem + ".expected.json")
    write_json(out_path, result)
    return out_path, result


def rejects(load, d, what):
    """Whether `load(d)` refuses the fixture dict `d` (a ValueError); names `what` was let
    through where it is not refused."""
    try:
        load(d)
    except ValueError:
        return True
    print(f"  (not rejected: {what})")
    return False


class Checks:
    """The self-tests' `check(ok, message)`: prints PASS or FAIL and the message, and keeps
    the failures for the closing line."""

    def __init__(self):
        self.failures = []

    def __call__(self, ok, msg):
        print(("PASS " if ok else "FAIL ") + msg)
        if not ok:
            self.failures.append(msg)

    def summary(self):
        """Prints the closing line and returns the exit status: 1 if any check failed."""
        print(f"self-test: {'ALL PASSED' if not self.failures else str(len(self.failures)) + ' FAILED'}")
        return 0 if not self.failures else 1


def main(argv, description, self_test, write_expected, write_all=None):
    """The command line of both references: --self-test, FIXTURE.json ... --out-dir DIR, and
    --write where the reference regenerates its own folder (`write_all` returns whether
    anything failed). Floating-point overflow and invalid operations raise while writing."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("fixtures", nargs="*", help="fixture JSON files")
    ap.add_argument("--out-dir", help="directory for <stem>.expected.json files")
    ap.add_argument("--self-test", action="store_true", help="run built-in checks")
    if write_all is not None:
        ap.add_argument("--write", action="store_true",
                        help="regenerate Fixtures/layouts/*.json and their expected files")
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test()
    if write_all is not None and args.write:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return 1 if write_all() else 0
    if not args.fixtures or not args.out_dir:
        ap.error("need --self-test, --write, or FIXTURE.json ... --out-dir DIR" if write_all is not None
                 else "need FIXTURE.json ... --out-dir DIR (or --self-test)")
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for f in args.fixtures:
            out_path, result = write_expected(f, args.out_dir)
            print(f"{f} -> {out_path} (loss {result['loss']!r})")
    return 0
