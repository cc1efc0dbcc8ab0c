#!/usr/bin/env python3
"""The README's snippet, run by VerifyTests.swift: load a fixture from
`lstm-gradcheck fixture` into the notebook's parameters/x/a0/y, compute the
gradients with the learner's code, and write them where `verify` reads them.

Run in a folder holding fixture.json; writes my_grads.npz there. The lines between
the README markers are the snippet; above them stands a learner's implementation
that forgets to carry da_prev and dc_prev back in time (the loop verify calls
per-step), so the test knows what verify must find.
"""
import numpy as np


def my_lstm_gradients(parameters, x, a0, y):
    """A learner's LSTM backward pass with the notebook's cell, in a loop without the carry."""
    sigmoid = lambda z: 1 / (1 + np.exp(-z))
    n_a, m = a0.shape
    T_x = x.shape[2]
    n_y = parameters["Wy"].shape[0]
    W = {g: parameters["W" + g] for g in "fico"}
    b = {g: parameters["b" + g] for g in "fico"}
    a_prev, c_prev, caches = a0, np.zeros_like(a0), []
    for t in range(T_x):
        concat = np.concatenate([a_prev, x[:, :, t]])
        f, i, o = (sigmoid(W[g] @ concat + b[g]) for g in "fio")
        cct = np.tanh(W["c"] @ concat + b["c"])
        c = f * c_prev + i * cct
        a = o * np.tanh(c)
        caches.append((concat, c_prev, c, f, i, cct, o, a))
        a_prev, c_prev = a, c
    grads = {"d" + k: np.zeros_like(v) for k, v in parameters.items()}
    dx = np.zeros_like(x)
    for t in reversed(range(T_x)):
        concat, c_prev, c, f, i, cct, o, a = caches[t]
        z = parameters["Wy"] @ a + parameters["by"]
        y_hat = np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0)
        dz = y_hat - np.eye(n_y)[:, y[:, t]]
        grads["dWy"] += dz @ a.T
        grads["dby"] += dz.sum(axis=1, keepdims=True)
        # The mistake: da_next is this step's own term only, dc_next is zero.
        da_next = parameters["Wy"].T @ dz
        dot = da_next * np.tanh(c) * o * (1 - o)
        dcct = da_next * o * (1 - np.tanh(c) ** 2) * i * (1 - cct ** 2)
        dit = da_next * o * (1 - np.tanh(c) ** 2) * cct * i * (1 - i)
        dft = da_next * o * (1 - np.tanh(c) ** 2) * c_prev * f * (1 - f)
        dconcat = 0
        for g, d in zip("fico", (dft, dit, dcct, dot)):
            grads["dW" + g] += d @ concat.T
            grads["db" + g] += d.sum(axis=1, keepdims=True)
            dconcat = dconcat + W[g].T @ d
        dx[:, :, t] = dconcat[n_a:]
        da0 = dconcat[:n_a]
    return {**grads, "da0": da0, "dx": dx}


# README begins
import json, numpy as np
f = json.load(open("fixture.json"))                   # from: lstm-gradcheck fixture ... > fixture.json
parameters = {k: np.array(v) for k, v in f["parameters"].items()}    # Wf bf Wi bi Wc bc Wo bo Wy by
x, a0, y = np.array(f["x"]), np.array(f["a0"]), np.array(f["y"])     # n_x×m×T_x, n_a×m, m×T_x
np.savez("my_grads.npz", **my_lstm_gradients(parameters, x, a0, y))  # your code: {"dWf": ..., "dx": ...}
# README ends
