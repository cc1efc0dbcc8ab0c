#!/usr/bin/env python3
"""The README's Keras snippet, run by ReadmeLayoutSnippetTests.swift: load a fixture from
`lstm-gradcheck fixture --layout keras` into keras.layers.LSTM's weights, run the learner's
lstm_forward / lstm_backward, and write the gradients under the tensors' own names
(kernel recurrent_kernel bias inputs h0 c0) where `verify` reads them.

Run in a folder holding fixture.json; writes my_grads.npz there. The lines between the
README markers are the snippet; above them stands a learner's LSTM(return_sequences=True)
in NumPy, written from Keras' equations (z = x_t·kernel + h_{t-1}·recurrent_kernel + bias,
split in column blocks i, f, c, o; sigmoid gates, tanh candidate; batch-major inputs
(N, T, D), initial_state h0 and c0 (N, H)); with MIXED=1 in the environment it splits them as
i, f, o, c (cs231n's order) in the forward pass and stacks them so in the backward: the
classic layout slip.
"""
import os
import numpy as np

MIXED = os.environ.get("MIXED") == "1"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_forward(inputs, h0, c0, kernel, recurrent_kernel, bias):
    N, T, _ = inputs.shape
    H = recurrent_kernel.shape[0]
    outputs, steps = np.zeros((N, T, H)), []
    h, c = h0, c0
    for t in range(T):
        z = inputs[:, t] @ kernel + h @ recurrent_kernel + bias
        if MIXED:
            i, f, o, cc = np.split(z, 4, axis=1)
        else:
            i, f, cc, o = np.split(z, 4, axis=1)
        i, f, cc, o = sigmoid(i), sigmoid(f), np.tanh(cc), sigmoid(o)
        c_next = f * c + i * cc
        h_next = o * np.tanh(c_next)
        steps.append((inputs[:, t], h, c, i, f, cc, o, c_next))
        outputs[:, t], h, c = h_next, h_next, c_next
    return outputs, (steps, kernel, recurrent_kernel)


def lstm_backward(grad_output, cache):
    steps, kernel, recurrent_kernel = cache
    N, T, H = grad_output.shape
    d_inputs = np.zeros((N, T, kernel.shape[0]))
    d_kernel, d_recurrent, d_bias = np.zeros_like(kernel), np.zeros_like(recurrent_kernel), np.zeros(4 * H)
    dh, dc = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        x, h_prev, c_prev, i, f, cc, o, c = steps[t]
        dh = dh + grad_output[:, t]
        tanh_c = np.tanh(c)
        dc = dc + dh * o * (1 - tanh_c ** 2)
        di, df, dcc, do = dc * cc * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - cc ** 2), dh * tanh_c * o * (1 - o)
        dz = np.concatenate([di, df, do, dcc] if MIXED else [di, df, dcc, do], axis=1)
        d_inputs[:, t] = dz @ kernel.T
        d_kernel += x.T @ dz
        d_recurrent += h_prev.T @ dz
        d_bias += dz.sum(axis=0)
        dh, dc = dz @ recurrent_kernel.T, dc * f
    return d_inputs, dh, dc, d_kernel, d_recurrent, d_bias


# README begins
import json, numpy as np
f = json.load(open("fixture.json"))                  # from: lstm-gradcheck fixture --layout keras > fixture.json
p = {k: np.array(v) for k, v in f["parameters"].items()}   # kernel (D, 4H), recurrent_kernel (H, 4H), bias (4H,)
out, cache = lstm_forward(np.array(f["inputs"]), np.array(f["h0"]), np.array(f["c0"]), **p)   # inputs (N, T, D), h0, c0 (N, H)
d_in, dh0, dc0, d_kernel, d_recurrent, d_bias = lstm_backward(np.array(f["grad_output"]), cache)  # grad_output (N, T, H)
np.savez("my_grads.npz", kernel=d_kernel, recurrent_kernel=d_recurrent, bias=d_bias, inputs=d_in, h0=dh0, c0=dc0)
# README ends
