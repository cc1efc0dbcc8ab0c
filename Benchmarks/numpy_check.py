#!/usr/bin/env python3
"""The full numerical check in NumPy, element by element: the peer baseline `make bench` times.

    python3 Benchmarks/numpy_check.py FIXTURE.json [--budget SECONDS] [--seed N]

For every element of every input (Wf bf Wi bi Wc bc Wo bo Wy by a0 [c0] x) it evaluates the loss
at theta + h and theta - h (h = 1e-5) with a plain NumPy forward pass over the batch, in a random
order, until all are done or the budget is spent. Every element costs the same two forward passes,
so the time for all of them is extrapolated from the part done. Prints one JSON object:
{"elements", "done", "seconds", "estimate", "values": {"key": {"flat": value}}}.
"""

import argparse
import json
import time

import numpy as np

H = 1e-5


def sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def load(path):
    with open(path) as f:
        fixture = json.load(f)
    inputs = {k: np.array(v, dtype=np.float64) for k, v in fixture["parameters"].items()}
    for key in ("a0", "c0", "x"):
        if key in fixture:
            inputs[key] = np.array(fixture[key], dtype=np.float64)
    target = ("labels", np.array(fixture["y"], dtype=np.int64)) if "y" in fixture \
        else ("upstream", np.array(fixture["da"], dtype=np.float64))
    return inputs, target


def loss(p, target):
    """The tool's loss: the LSTM over x (n_x x m x T), cross-entropy summed over steps and batch."""
    a = p["a0"]
    c = p.get("c0", np.zeros_like(a))
    x = p["x"]
    kind, y = target
    total = 0.0
    for t in range(x.shape[2]):
        concat = np.concatenate((a, x[:, :, t]))
        f, i, o = (sigmoid(p["W" + g] @ concat + p["b" + g]) for g in ("f", "i", "o"))
        cc = np.tanh(p["Wc"] @ concat + p["bc"])
        c = f * c + i * cc
        a = o * np.tanh(c)
        if kind == "labels":
            z = p["Wy"] @ a + p["by"]
            z = z - z.max(axis=0, keepdims=True)
            log_softmax = z - np.log(np.exp(z).sum(axis=0, keepdims=True))
            total -= log_softmax[y[:, t], np.arange(a.shape[1])].sum()
        elif t < y.shape[2]:
            total += (y[:, :, t] * a).sum()
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture")
    parser.add_argument("--budget", type=float, default=float("inf"), help="seconds to spend at most")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    p, target = load(args.fixture)
    keys = [k for k in ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by", "a0", "c0", "x") if k in p]
    elements = [(k, flat) for k in keys for flat in range(p[k].size)]
    order = np.random.default_rng(args.seed).permutation(len(elements))
    values = {k: {} for k in keys}
    start = time.perf_counter()
    done = 0
    for e in order:
        key, flat = elements[e]
        view = p[key].reshape(-1)
        theta = view[flat]
        up, down = theta + H, theta - H
        view[flat] = up
        plus = loss(p, target)
        view[flat] = down
        minus = loss(p, target)
        view[flat] = theta
        values[key][str(flat)] = (plus - minus) / (up - down)
        done += 1
        if time.perf_counter() - start > args.budget:
            break
    seconds = time.perf_counter() - start
    print(json.dumps({"elements": len(elements), "done": done, "seconds": seconds,
                      "estimate": seconds * len(elements) / done, "values": values}))


if __name__ == "__main__":
    main()
