#!/usr/bin/env python3
"""A right LSTM backward pass as the textbook writes it, run by ExecBatteryTests.swift:
`python3 textbook_lstm.py FIXTURE OUT`. Written apart from the tool, in the notebook's names;
the output layer's gradient is the textbook's `dz = y_hat - onehot(y)`, whose subtraction
cancels where `y_hat` is near 1, so a battery fixture must not be so converged that float64
rounding alone (not a wrong formula) exceeds verify's bound.
"""
import json, sys
import numpy as np

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

f = json.load(open(sys.argv[1]))
p = {k: np.array(v, dtype=float) for k, v in f["parameters"].items()}
x, a0, y = np.array(f["x"], dtype=float), np.array(f["a0"], dtype=float), np.array(f["y"], dtype=int)
n_x, m, T_x = x.shape
n_a = a0.shape[0]
a_prev, c_prev, caches, da = a0, np.zeros((n_a, m)), [], np.zeros((n_a, m, T_x))
grads = {k: np.zeros_like(p[k]) for k in ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by"]}
for t in range(T_x):
    concat = np.vstack([a_prev, x[:, :, t]])
    ft = sigmoid(p["Wf"] @ concat + p["bf"])
    it = sigmoid(p["Wi"] @ concat + p["bi"])
    cct = np.tanh(p["Wc"] @ concat + p["bc"])
    ot = sigmoid(p["Wo"] @ concat + p["bo"])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    z = p["Wy"] @ a_next + p["by"]
    y_hat = np.exp(z - z.max(axis=0)) / np.exp(z - z.max(axis=0)).sum(axis=0)
    dz = y_hat - np.eye(y_hat.shape[0])[:, y[:, t]]          # the textbook's softmax gradient
    grads["Wy"] += dz @ a_next.T
    grads["by"] += dz.sum(axis=1, keepdims=True)
    da[:, :, t] = p["Wy"].T @ dz
    caches.append((a_prev, c_prev, concat, ft, it, cct, ot, c_next))
    a_prev, c_prev = a_next, c_next
dx, da_prevt, dc_prevt = np.zeros_like(x), np.zeros((n_a, m)), np.zeros((n_a, m))
for t in reversed(range(T_x)):
    a_prev, c_prev, concat, ft, it, cct, ot, c_next = caches[t]
    da_next = da[:, :, t] + da_prevt
    dot = da_next * np.tanh(c_next) * ot * (1 - ot)
    dc = dc_prevt + da_next * ot * (1 - np.tanh(c_next) ** 2)
    dcct = dc * it * (1 - cct ** 2)
    dit = dc * cct * it * (1 - it)
    dft = dc * c_prev * ft * (1 - ft)
    for gate, d in [("f", dft), ("i", dit), ("c", dcct), ("o", dot)]:
        grads["W" + gate] += d @ concat.T
        grads["b" + gate] += d.sum(axis=1, keepdims=True)
    dconcat = p["Wf"].T @ dft + p["Wi"].T @ dit + p["Wc"].T @ dcct + p["Wo"].T @ dot
    da_prevt, dx[:, :, t] = dconcat[:n_a], dconcat[n_a:]
    dc_prevt = dc * ft
np.savez(sys.argv[2], da0=da_prevt, dx=dx, **{"d" + k: v for k, v in grads.items()})
