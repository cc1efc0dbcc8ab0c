#!/usr/bin/env python3
"""The full numerical check in JAX, jitted: the second peer `make bench` times.

    python3 Benchmarks/jax_fd.py FIXTURE.json [--chunk N]

The same network and loss as numpy_check.py (the LSTM over x, cross-entropy summed over steps
and batch, or the upstream da . a), in float64. For every element of every input it evaluates
the loss at theta + h and theta - h (h = 1e-5) and divides by the step as represented; the
elements go through `vmap` in chunks of N under `lax.map`, all in one jitted function. Times
are taken apart: importing JAX, compiling the function (`lower().compile()`), and running the
compiled function once (`block_until_ready`). Prints one JSON object:
{"elements", "import", "compile", "seconds", "values": {"key": {"flat": value}}} with up to 200
values per tensor, for comparison with the tool's.
"""

import argparse
import json
import time

start = time.perf_counter()
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

import numpy_check  # noqa: E402  (beside this file: the same fixture reading)

jax.config.update("jax_enable_x64", True)
jnp.zeros(1).block_until_ready()  # the backend's start-up belongs to the import
IMPORT = time.perf_counter() - start

H = numpy_check.H
KEYS = ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by", "a0", "c0", "x")


def load(path):
    """numpy_check.py's reading of the fixture, as JAX arrays."""
    inputs, (kind, y) = numpy_check.load(path)
    return {k: jnp.asarray(v) for k, v in inputs.items()}, (kind, jnp.asarray(y))


def make_loss(target):
    kind, y = target

    def loss(p):
        a = p["a0"]
        c = p.get("c0", jnp.zeros_like(a))
        x = p["x"]
        steps = x.shape[2]

        def step(carry, t):
            a, c = carry
            concat = jnp.concatenate((a, x[:, :, t]))
            f, i, o = (jax.nn.sigmoid(p["W" + g] @ concat + p["b" + g]) for g in ("f", "i", "o"))
            cc = jnp.tanh(p["Wc"] @ concat + p["bc"])
            c = f * c + i * cc
            a = o * jnp.tanh(c)
            if kind == "labels":
                log_softmax = jax.nn.log_softmax(p["Wy"] @ a + p["by"], axis=0)
                term = -jnp.take_along_axis(log_softmax, y[:, t][None, :], axis=0).sum()
            else:
                term = jnp.where(t < y.shape[2], (y[:, :, jnp.minimum(t, y.shape[2] - 1)] * a).sum(), 0.0)
            return (a, c), term

        _, terms = jax.lax.scan(step, (a, c), jnp.arange(steps))
        return terms.sum()

    return loss


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fixture")
    parser.add_argument("--chunk", type=int, default=32, help="elements per vmapped batch (16 to 32 ran fastest here)")
    args = parser.parse_args()
    p, target = load(args.fixture)
    keys = [k for k in KEYS if k in p]
    shapes = [p[k].shape for k in keys]
    sizes = [int(p[k].size) for k in keys]
    offsets = [sum(sizes[:n]) for n in range(len(sizes) + 1)]
    count = offsets[-1]
    loss = make_loss(target)

    def unflatten(theta):
        return {k: theta[offsets[n]:offsets[n + 1]].reshape(shapes[n]) for n, k in enumerate(keys)}

    def quotient(theta, n):
        up, down = theta[n] + H, theta[n] - H
        plus = loss(unflatten(theta.at[n].set(up)))
        minus = loss(unflatten(theta.at[n].set(down)))
        return (plus - minus) / (up - down)

    chunks = -(-count // args.chunk)
    # Padding repeats the last element; its extra quotients are dropped.
    numbers = jnp.minimum(jnp.arange(chunks * args.chunk), count - 1).reshape(chunks, args.chunk)

    @jax.jit
    def gradient(theta):
        per_chunk = jax.vmap(quotient, in_axes=(None, 0))
        return jax.lax.map(lambda chunk: per_chunk(theta, chunk), numbers).reshape(-1)[:count]

    theta = jnp.concatenate([p[k].reshape(-1) for k in keys])
    t0 = time.perf_counter()
    compiled = gradient.lower(theta).compile()
    compile_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    g = compiled(theta).block_until_ready()
    seconds = time.perf_counter() - t0
    values = {k: {str(flat): float(g[offsets[n] + flat]) for flat in range(min(sizes[n], 200))} for n, k in enumerate(keys)}
    print(json.dumps({"elements": count, "import": IMPORT, "compile": compile_seconds, "seconds": seconds, "values": values}))


if __name__ == "__main__":
    main()
