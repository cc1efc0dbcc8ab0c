#!/usr/bin/env python3
"""The README's cs231n snippet, run by LayoutCommandTests.swift: load a fixture from
`lstm-gradcheck fixture --layout cs231n` into the assignment's arguments, run the
learner's lstm_forward / lstm_backward, and write dx dh0 dWx dWh db where `verify`
reads them.

Run in a folder holding fixture.json; writes my_grads.npz there. The lines between the
README markers are the snippet; above them stands a learner's implementation in the
assignment's style, written from its equations (a = x_t·Wx + h_{t-1}·Wh + b, gate
blocks i, f, o, g); with MIXED=1 in the environment it reads the blocks as i, f, g, o
(PyTorch's order) in the forward pass and stacks them so in the backward: the classic
layout slip; with MIXED=backward its forward pass is right and only the backward stacks
the gate gradients as i, f, g, o.
"""
import os
import numpy as np

MIXED = os.environ.get("MIXED") == "1"
MIXED_BACKWARD = MIXED or os.environ.get("MIXED") == "backward"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    H = h0.shape[1]
    h, prev_h, prev_c, cache = np.zeros((N, T, H)), h0, np.zeros_like(h0), []
    for t in range(T):
        a = x[:, t] @ Wx + prev_h @ Wh + b
        third, fourth = (a[:, 3 * H:], a[:, 2 * H:3 * H]) if MIXED else (a[:, 2 * H:3 * H], a[:, 3 * H:])
        i, f, o, g = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), sigmoid(third), np.tanh(fourth)
        next_c = f * prev_c + i * g
        next_h = o * np.tanh(next_c)
        cache.append((x[:, t], prev_h, prev_c, i, f, o, g, next_c))
        h[:, t], prev_h, prev_c = next_h, next_h, next_c
    return h, (cache, Wx, Wh)


def lstm_backward(dh, caches):
    cache, Wx, Wh = caches
    N, T, H = dh.shape
    dx = np.zeros((N, T, Wx.shape[0]))
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(4 * H)
    dprev_h, dprev_c = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        xt, prev_h, prev_c, i, f, o, g, next_c = cache[t]
        dnext_h = dh[:, t] + dprev_h
        dnext_c = dprev_c + dnext_h * o * (1 - np.tanh(next_c) ** 2)
        di, df, do, dg = dnext_c * g * i * (1 - i), dnext_c * prev_c * f * (1 - f), dnext_h * np.tanh(next_c) * o * (1 - o), dnext_c * i * (1 - g ** 2)
        da = np.hstack([di, df, dg, do] if MIXED_BACKWARD else [di, df, do, dg])
        dx[:, t] = da @ Wx.T
        dWx += xt.T @ da
        dWh += prev_h.T @ da
        db += da.sum(axis=0)
        dprev_h, dprev_c = da @ Wh.T, dnext_c * f
    return dx, dprev_h, dWx, dWh, db


# README begins
import json, numpy as np
f = json.load(open("fixture.json"))                  # from: lstm-gradcheck fixture --layout cs231n > fixture.json
p = {k: np.array(v) for k, v in f["parameters"].items()}                      # Wx (D, 4H), Wh (H, 4H), b (4H,)
h, cache = lstm_forward(np.array(f["x"]), np.array(f["h0"]), p["Wx"], p["Wh"], p["b"])   # x (N, T, D), h0 (N, H)
dx, dh0, dWx, dWh, db = lstm_backward(np.array(f["dout"]), cache)             # dout (N, T, H): L = Σ dout ⊙ h
np.savez("my_grads.npz", dx=dx, dh0=dh0, dWx=dWx, dWh=dWh, db=db)
# README ends
