#!/usr/bin/env python3
"""The README's PyTorch snippet, run by ReadmeLayoutSnippetTests.swift: load a fixture from
`lstm-gradcheck fixture --layout pytorch` into torch.nn.LSTM's tensors, run the learner's
lstm_forward / lstm_backward, and write the gradients under the tensors' own names
(weight_ih_l0 weight_hh_l0 bias_ih_l0 bias_hh_l0 input h0 c0) where `verify` reads them.

Run in a folder holding fixture.json; writes my_grads.npz there. The lines between the
README markers are the snippet; above them stands a learner's one-layer nn.LSTM in NumPy,
written from PyTorch's documented equations (gates = x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh,
chunked as i, f, g, o; time-major input (T, N, D), h0 and c0 (1, N, H)); with MIXED=1 in
the environment it chunks them as i, f, o, g (cs231n's order) in the forward pass and
stacks them so in the backward: the classic layout slip.
"""
import os
import numpy as np

MIXED = os.environ.get("MIXED") == "1"


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_forward(input, h0, c0, weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0):
    T, N, _ = input.shape
    H = weight_hh_l0.shape[1]
    output, steps = np.zeros((T, N, H)), []
    h, c = h0[0], c0[0]
    for t in range(T):
        gates = input[t] @ weight_ih_l0.T + bias_ih_l0 + h @ weight_hh_l0.T + bias_hh_l0
        if MIXED:
            i, f, o, g = np.split(gates, 4, axis=1)
        else:
            i, f, g, o = np.split(gates, 4, axis=1)
        i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
        c_next = f * c + i * g
        h_next = o * np.tanh(c_next)
        steps.append((input[t], h, c, i, f, g, o, c_next))
        output[t], h, c = h_next, h_next, c_next
    return output, (steps, weight_ih_l0, weight_hh_l0)


def lstm_backward(grad_output, cache):
    steps, W_ih, W_hh = cache
    T, N, H = grad_output.shape
    d_input = np.zeros((T, N, W_ih.shape[1]))
    dW_ih, dW_hh, d_bias = np.zeros_like(W_ih), np.zeros_like(W_hh), np.zeros(4 * H)
    dh, dc = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        x, h_prev, c_prev, i, f, g, o, c = steps[t]
        dh = dh + grad_output[t]
        tanh_c = np.tanh(c)
        dc = dc + dh * o * (1 - tanh_c ** 2)
        di, df, dg, do = dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g ** 2), dh * tanh_c * o * (1 - o)
        d_gates = np.concatenate([di, df, do, dg] if MIXED else [di, df, dg, do], axis=1)
        d_input[t] = d_gates @ W_ih
        dW_ih += d_gates.T @ x
        dW_hh += d_gates.T @ h_prev
        d_bias += d_gates.sum(axis=0)
        dh, dc = d_gates @ W_hh, dc * f
    # Both biases are added into every gate, so each has the whole bias gradient.
    return d_input, dh[None], dc[None], dW_ih, dW_hh, d_bias, d_bias.copy()


# README begins
import json, numpy as np
f = json.load(open("fixture.json"))                  # from: lstm-gradcheck fixture --layout pytorch > fixture.json
p = {k: np.array(v) for k, v in f["parameters"].items()}   # weight_ih_l0 (4H, D), weight_hh_l0 (4H, H), biases (4H,)
out, cache = lstm_forward(np.array(f["input"]), np.array(f["h0"]), np.array(f["c0"]), **p)   # input (T, N, D), h0, c0 (1, N, H)
d_in, dh0, dc0, dW_ih, dW_hh, db_ih, db_hh = lstm_backward(np.array(f["grad_output"]), cache)  # grad_output (T, N, H)
np.savez("my_grads.npz", weight_ih_l0=dW_ih, weight_hh_l0=dW_hh, bias_ih_l0=db_ih, bias_hh_l0=db_hh, input=d_in, h0=dh0, c0=dc0)
# README ends
