#!/usr/bin/env python3
"""Independent NumPy reference for the cs231n, PyTorch and Keras parameter layouts and the GRU.

Written from the written equations only (below), not from the Swift sources, so its
expected gradients are an independent check of the tool. float64 throughout; every
backward pass is hand-written full backpropagation through time and is checked
against central finite differences of the loss by --self-test.

Usage:
    python3 Fixtures/tools/layouts_numpy.py --self-test
    python3 Fixtures/tools/layouts_numpy.py --write
    python3 Fixtures/tools/layouts_numpy.py FIXTURE.json [...] --out-dir DIR

--write regenerates every fixture in Fixtures/layouts/ and its expected file in
Fixtures/layouts/expected/ from fixed seeds (byte-identical on a rerun), after checking
each fixture's gradients against central differences. The third form writes
DIR/<stem>.expected.json for any fixture in one of the formats below.

Notation: N batch, T steps, D input size, H hidden size, V classes. sigma is the
logistic function. "Upstream loss": the fixture gives a tensor G shaped like the
hidden-state sequence and L = sum(G * hidden states), so dL/dh_t = G_t.

1. cs231n LSTM ("layout": "cs231n", "cell": "lstm"), the assignment's
   lstm_forward(x, h0, Wx, Wh, b): x (N,T,D), h0 (N,H), Wx (D,4H), Wh (H,4H), b (4H,);
   c0 = 0 (not an input). a = x_t @ Wx + h_{t-1} @ Wh + b (N,4H), column blocks of H in
   the order i, f, o, g: i = sigma(a_i), f = sigma(a_f), o = sigma(a_o), g = tanh(a_g);
   c_t = f*c_{t-1} + i*g; h_t = o*tanh(c_t); h (N,T,H).
   Loss: upstream "dout" (N,T,H), L = sum(dout * h); or the captioning loss (fixture
   gives "captions" and "mask" and the parameters W_vocab (H,V), b_vocab (V,)):
       scores[n,t] = h[n,t] @ W_vocab + b_vocab
       L = -sum_{n,t} mask[n,t] * log softmax(scores[n,t])[captions[n,t]] / N
   (captions (N,T) ints in 0..V-1, mask (N,T) 0/1; averaged over N, not over the mask).
   Gradients: dx dh0 dWx dWh db (+ dW_vocab db_vocab).
2. cs231n vanilla RNN ("cs231n", "rnn"), rnn_forward(x, h0, Wx, Wh, b): Wx (D,H),
   Wh (H,H), b (H,); h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + b). Same losses and gradient
   names as 1 (the captioning loss is accepted here too).
3. PyTorch LSTM ("pytorch", "lstm"), torch.nn.LSTM with one layer: input (T,N,D),
   or (N,T,D) with "batch_first": true; h0, c0 (1,N,H) (zeros when absent);
   weight_ih_l0 (4H,D), weight_hh_l0 (4H,H), bias_ih_l0 (4H,), bias_hh_l0 (4H,).
   gates = x_t @ weight_ih_l0^T + bias_ih_l0 + h_{t-1} @ weight_hh_l0^T + bias_hh_l0,
   blocks in the order i, f, g, o; same cell update as 1. output = all h_t, shaped like
   input. L = sum(grad_output * output), grad_output shaped like output.
   Gradients (the tensors' own names): weight_ih_l0 weight_hh_l0 bias_ih_l0 bias_hh_l0
   input h0 c0 (bias_ih_l0 and bias_hh_l0 get the same gradient).
4. Keras LSTM ("keras", "lstm"), keras.layers.LSTM(return_sequences=True): inputs
   (N,T,D), kernel (D,4H), recurrent_kernel (H,4H), bias (4H,); h0, c0 (N,H), Keras'
   initial_state (zeros when absent). z = x_t @ kernel + h_{t-1} @ recurrent_kernel + bias,
   blocks i, f, c, o (c = the candidate, tanh; the others the standard sigmoid);
   L = sum(grad_output * outputs), grad_output (N,T,H).
   Gradients: kernel recurrent_kernel bias inputs h0 c0.
5. GRU, Coursera-style layout ("coursera", "gru"), column batch: Wir Wiz Win
   (n_a,n_x), Whr Whz Whn (n_a,n_a), bir biz bin bhr bhz bhn (n_a,1), Wy (n_y,n_a),
   by (n_y,1); a0 (n_a,m) (zeros when absent), x (n_x,m,T_x), y (m,T_x) class indices:
       r = sigma(Wir x_t + bir + Whr a_{t-1} + bhr)
       z = sigma(Wiz x_t + biz + Whz a_{t-1} + bhz)
       n = tanh(Win x_t + bin + r * (Whn a_{t-1} + bhn))
       a_t = (1 - z) * n + z * a_{t-1}
       yhat_t = softmax(Wy a_t + by) over n_y;  L = -sum_t sum_j log yhat_t[y[j,t], j]
   Upstream mode: "da" (n_a,m,T') with T' <= T_x instead of y/Wy/by,
   L = sum_{t<T'} sum(da[:,:,t] * a_t) (as lstm_numpy.py's upstream mode).
   Gradients: dWir dWiz dWin dWhr dWhz dWhn dbir dbiz dbin dbhr dbhz dbhn (dWy dby) da0 dx.
6. PyTorch GRU ("pytorch", "gru"), torch.nn.GRU: input (T,N,D) (or batch_first),
   h0 (1,N,H), weight_ih_l0 (3H,D), weight_hh_l0 (3H,H), bias_ih_l0, bias_hh_l0 (3H,),
   row blocks r, z, n; the equations of 5 with W_i* = weight_ih_l0 blocks,
   b_i* = bias_ih_l0 blocks, W_h*/b_h* from weight_hh_l0/bias_hh_l0 (n uses
   r * (h_{t-1} @ W_hn^T + b_hn)). L = sum(grad_output * output).
   Gradients: weight_ih_l0 weight_hh_l0 bias_ih_l0 bias_hh_l0 input h0.
7. Keras GRU with reset_after=False ("keras", "gru", "reset_after": false): inputs
   (N,T,D), h0 (N,H) (zeros when absent), kernel (D,3H), recurrent_kernel (H,3H),
   bias (3H,), column blocks z, r, h (Keras' own order), W_* kernel blocks, U_*
   recurrent_kernel blocks:
       z = sigma(x_t W_z + h_{t-1} U_z + b_z);  r = sigma(x_t W_r + h_{t-1} U_r + b_r)
       hh = tanh(x_t W_h + (r * h_{t-1}) U_h + b_h);  h_t = z * h_{t-1} + (1 - z) * hh
   L = sum(grad_output * outputs). Gradients: kernel recurrent_kernel bias inputs h0.
8. Keras GRU with reset_after=True, Keras' default ("keras", "gru", "reset_after" absent
   or true): as 7 but bias (2,3H), row 0 the input bias b^i, row 1 the recurrent bias b^r
   (each in blocks z, r, h), and the reset gate applied after the recurrent product:
       z = sigma(x_t W_z + b^i_z + h_{t-1} U_z + b^r_z);  r likewise
       hh = tanh(x_t W_h + b^i_h + r * (h_{t-1} U_h + b^r_h));  h_t as in 7
   (these are PyTorch's equations with the blocks in Keras' order and Keras' update
   h_t = z * h_{t-1} + (1 - z) * hh, which is PyTorch's (1 - z) * n + z * h_{t-1}).
   Gradients as 7, bias (2,3H).

Optional initial states that are absent are zeros, and their gradient is still
reported (the gradient at the zero state). cs231n has no c0 at all.

Expected file: {"fixture", "produced_by", "loss", "gradients": {name: tensor},
"per-step": {...}, and for every cs231n or PyTorch LSTM and every PyTorch or Keras GRU
"gate-order-mixed": {...}},
all gradients in their tensors' shapes and in the order listed above.

"per-step" (every model, the RNN included): the same local backward formulas with
nothing carried back in time: step t's backward receives only its own upstream term
(dL/dh_t from the loss at step t alone) and no dh, dc from step t+1 (for the GRU this
drops the direct z * dh path as well). The weight and input gradients are the sums of
those per-step terms; the gradient of the initial states (dh0, dc0, da0) is what step
0's backward hands to its predecessor. Output-layer gradients (dW_vocab, db_vocab, dWy,
dby) are the same as in "gradients". For T = 1 per-step equals "gradients" exactly.

"gate-order-mixed": the gradient a learner gets whose backward stacks the four
per-gate pre-activation gradients in the wrong block order when forming the weight
and bias gradients, everything else computed correctly. Exactly: the correct
gradients with the g and o blocks (blocks 2 and 3, counting from 0) exchanged in
  - cs231n: the columns of dWx and dWh and the entries of db (a backward that assumes
    i,f,g,o while the forward is i,f,o,g); dW_vocab/db_vocab unchanged;
  - PyTorch: the rows of weight_ih_l0 and weight_hh_l0 and the entries of bias_ih_l0
    and bias_hh_l0 (a backward that assumes i,f,o,g while the forward is i,f,g,o).
  - PyTorch GRU: the r and z blocks (0 and 1) exchanged in the rows of weight_ih_l0 and
    weight_hh_l0 and the entries of bias_ih_l0 and bias_hh_l0 (a backward that assumes
    z,r,n while the forward is r,z,n);
  - Keras GRU: the z and r blocks (0 and 1) exchanged in the columns of kernel,
    recurrent_kernel and bias (both rows of a reset_after=True bias): a backward that
    assumes r,z,h while the forward is z,r,h.
dx/dh0 (input/h0/c0) are the correct ones, and the dh, dc carried back in time are the
correctly ordered ones (the mistake is only in the stacked weight gradient).

Importable as a module: see load_problem, run_route, numerical_gradients,
expected_for_problem, build_fixture, FIXTURES.
"""

import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

import numpy_common
from numpy_common import Checks, central_differences, log_softmax, rejects, rel_err, scan_columns, sigmoid, write_json

PRODUCED_BY = "Fixtures/tools/layouts_numpy.py (independent NumPy implementation)"
H_NUMERICAL = 1e-5
SELF_TEST_TOL = 1e-6
REPO = Path(__file__).resolve().parents[2]
LAYOUT_DIR = REPO / "Fixtures" / "layouts"
EXPECTED_DIR = LAYOUT_DIR / "expected"

# Gate letters used inside: i f g o for the LSTM (g = candidate; Keras calls it c).
CS231N_LSTM_ORDER = ("i", "f", "o", "g")
PYTORCH_LSTM_ORDER = ("i", "f", "g", "o")
KERAS_LSTM_ORDER = ("i", "f", "g", "o")  # Keras: i, f, c, o
# The orders a mixed-up backward stacks its weight gradients in.
MIXED_ORDER = {"cs231n": ("i", "f", "g", "o"), "pytorch": ("i", "f", "o", "g")}
PYTORCH_GRU_ORDER = ("r", "z", "n")
KERAS_GRU_ORDER = ("z", "r", "h")
# Keras' z, r, h in PyTorch's letters (h is PyTorch's candidate n), for the shared engine.
KERAS_GRU_ORDER_AS_PYTORCH = ("z", "r", "n")
COURSERA_GRU_PARAMS = ("Wir", "Wiz", "Win", "Whr", "Whz", "Whn",
                       "bir", "biz", "bin", "bhr", "bhz", "bhn")
SUPPORTED = {("cs231n", "lstm"), ("cs231n", "rnn"), ("pytorch", "lstm"), ("pytorch", "gru"),
             ("keras", "lstm"), ("keras", "gru"), ("coursera", "gru")}
ROUTES = ("gradients", "per-step", "gate-order-mixed")


# ----------------------------------------------------------------------------
# Gate blocks
# ----------------------------------------------------------------------------

def split_gates(a, order, axis=-1):
    """{gate letter: block} from a tensor whose `axis` stacks len(order) equal blocks."""
    return dict(zip(order, np.split(a, len(order), axis=axis)))


def join_gates(blocks, order, axis=-1):
    return np.concatenate([blocks[k] for k in order], axis=axis)


def swap_blocks(a, n_blocks, j, k, axis):
    """Copy of `a` with blocks j and k (of n_blocks equal blocks along axis) exchanged."""
    parts = np.split(np.asarray(a), n_blocks, axis=axis)
    parts[j], parts[k] = parts[k], parts[j]
    return np.concatenate(parts, axis=axis)


# ----------------------------------------------------------------------------
# Row-batch engines (time-major xs (T,N,D), states (N,H), "x @ W" weights)
# ----------------------------------------------------------------------------

def lstm_forward(xs, h0, c0, W, U, b, order):
    """a = x_t @ W + h @ U + b with gate blocks in `order`. Returns hs (T,N,H), caches."""
    hs = np.zeros((xs.shape[0],) + h0.shape)
    caches = []
    h_prev, c_prev = h0, c0
    for t in range(xs.shape[0]):
        p = split_gates(xs[t] @ W + h_prev @ U + b, order)
        i, f, o = sigmoid(p["i"]), sigmoid(p["f"]), sigmoid(p["o"])
        g = np.tanh(p["g"])
        c = f * c_prev + i * g
        tc = np.tanh(c)
        h = o * tc
        caches.append({"x": xs[t], "h_prev": h_prev, "c_prev": c_prev,
                       "i": i, "f": f, "o": o, "g": g, "tc": tc})
        hs[t] = h
        h_prev, c_prev = h, c
    return hs, caches


def lstm_backward(caches, W, U, dhs, carry, order, weight_order=None):
    """Backward of lstm_forward given dL/dh_t from the loss (dhs, T x N x H).

    carry=False drops the dh, dc handed from step t+1 to step t (the per-step route).
    weight_order: the block order the weight/bias gradients are stacked in (the
    gate-order-mixed route); dx and the carried dh use the correct `order`.
    Returns dict W U b xs h0 c0.
    """
    weight_order = order if weight_order is None else weight_order
    dW, dU = np.zeros_like(W), np.zeros_like(U)
    db = np.zeros(W.shape[1])
    dxs = np.zeros((len(caches),) + caches[0]["x"].shape)
    dh_carry = np.zeros_like(dhs[0])
    dc_carry = np.zeros_like(dhs[0])
    for t in reversed(range(len(caches))):
        ca = caches[t]
        i, f, o, g, tc = ca["i"], ca["f"], ca["o"], ca["g"], ca["tc"]
        dh = dhs[t] + dh_carry if carry else dhs[t]
        dc = dh * o * (1.0 - tc * tc)
        if carry:
            dc = dc + dc_carry
        d = {"i": dc * g * i * (1.0 - i),
             "f": dc * ca["c_prev"] * f * (1.0 - f),
             "g": dc * i * (1.0 - g * g),
             "o": dh * tc * o * (1.0 - o)}
        da = join_gates(d, order)
        da_w = join_gates(d, weight_order)
        dW += ca["x"].T @ da_w
        dU += ca["h_prev"].T @ da_w
        db += np.sum(da_w, axis=0)
        dxs[t] = da @ W.T
        dh_carry = da @ U.T
        dc_carry = dc * f
    return {"W": dW, "U": dU, "b": db, "xs": dxs, "h0": dh_carry, "c0": dc_carry}


def rnn_forward(xs, h0, W, U, b):
    hs = np.zeros((xs.shape[0],) + h0.shape)
    caches = []
    h_prev = h0
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ W + h_prev @ U + b)
        caches.append({"x": xs[t], "h_prev": h_prev, "h": h})
        hs[t] = h
        h_prev = h
    return hs, caches


def rnn_backward(caches, W, U, dhs, carry):
    dW, dU = np.zeros_like(W), np.zeros_like(U)
    db = np.zeros(W.shape[1])
    dxs = np.zeros((len(caches),) + caches[0]["x"].shape)
    dh_carry = np.zeros_like(dhs[0])
    for t in reversed(range(len(caches))):
        ca = caches[t]
        dh = dhs[t] + dh_carry if carry else dhs[t]
        dpre = dh * (1.0 - ca["h"] * ca["h"])
        dW += ca["x"].T @ dpre
        dU += ca["h_prev"].T @ dpre
        db += np.sum(dpre, axis=0)
        dxs[t] = dpre @ W.T
        dh_carry = dpre @ U.T
    return {"W": dW, "U": dU, "b": db, "xs": dxs, "h0": dh_carry}


def gru_forward(xs, h0, Wi, Wh, bi, bh, order=PYTORCH_GRU_ORDER):
    """PyTorch GRU equations, blocks in `order` (PyTorch's r, z, n; Keras' reset_after=True
    GRU is the same equations with its blocks z, r, h, i.e. order ("z", "r", "n"));
    Wi (D,3H), Wh (H,3H) in x @ W form."""
    hs = np.zeros((xs.shape[0],) + h0.shape)
    caches = []
    h_prev = h0
    for t in range(xs.shape[0]):
        gi = split_gates(xs[t] @ Wi + bi, order)
        gh = split_gates(h_prev @ Wh + bh, order)
        r = sigmoid(gi["r"] + gh["r"])
        z = sigmoid(gi["z"] + gh["z"])
        n = np.tanh(gi["n"] + r * gh["n"])
        h = (1.0 - z) * n + z * h_prev
        caches.append({"x": xs[t], "h_prev": h_prev, "r": r, "z": z, "n": n, "ghn": gh["n"]})
        hs[t] = h
        h_prev = h
    return hs, caches


def gru_backward(caches, Wi, Wh, dhs, carry, order=PYTORCH_GRU_ORDER):
    dWi, dWh = np.zeros_like(Wi), np.zeros_like(Wh)
    dbi, dbh = np.zeros(Wi.shape[1]), np.zeros(Wh.shape[1])
    dxs = np.zeros((len(caches),) + caches[0]["x"].shape)
    dh_carry = np.zeros_like(dhs[0])
    for t in reversed(range(len(caches))):
        ca = caches[t]
        r, z, n, h_prev = ca["r"], ca["z"], ca["n"], ca["h_prev"]
        dh = dhs[t] + dh_carry if carry else dhs[t]
        dn_pre = dh * (1.0 - z) * (1.0 - n * n)       # dL/d(gi_n + r * gh_n)
        dz_pre = dh * (h_prev - n) * z * (1.0 - z)
        dr_pre = dn_pre * ca["ghn"] * r * (1.0 - r)
        dgi = join_gates({"r": dr_pre, "z": dz_pre, "n": dn_pre}, order)
        dgh = join_gates({"r": dr_pre, "z": dz_pre, "n": dn_pre * r}, order)
        dWi += ca["x"].T @ dgi
        dWh += h_prev.T @ dgh
        dbi += np.sum(dgi, axis=0)
        dbh += np.sum(dgh, axis=0)
        dxs[t] = dgi @ Wi.T
        dh_carry = dh * z + dgh @ Wh.T
    return {"Wi": dWi, "Wh": dWh, "bi": dbi, "bh": dbh, "xs": dxs, "h0": dh_carry}


def keras_gru_forward(xs, h0, K, U, b):
    """Keras GRU, reset_after=False, blocks z, r, h (kernel K (D,3H), U (H,3H))."""
    hs = np.zeros((xs.shape[0],) + h0.shape)
    Uz, Ur, Uh = np.split(U, 3, axis=1)
    caches = []
    h_prev = h0
    for t in range(xs.shape[0]):
        xk = split_gates(xs[t] @ K + b, KERAS_GRU_ORDER)
        z = sigmoid(xk["z"] + h_prev @ Uz)
        r = sigmoid(xk["r"] + h_prev @ Ur)
        rh = r * h_prev
        hh = np.tanh(xk["h"] + rh @ Uh)
        h = z * h_prev + (1.0 - z) * hh
        caches.append({"x": xs[t], "h_prev": h_prev, "z": z, "r": r, "rh": rh, "hh": hh})
        hs[t] = h
        h_prev = h
    return hs, caches


def keras_gru_backward(caches, K, U, dhs, carry):
    Uz, Ur, Uh = np.split(U, 3, axis=1)
    dK = np.zeros_like(K)
    dUz, dUr, dUh = np.zeros_like(Uz), np.zeros_like(Ur), np.zeros_like(Uh)
    db = np.zeros(K.shape[1])
    dxs = np.zeros((len(caches),) + caches[0]["x"].shape)
    dh_carry = np.zeros_like(dhs[0])
    for t in reversed(range(len(caches))):
        ca = caches[t]
        z, r, hh, h_prev = ca["z"], ca["r"], ca["hh"], ca["h_prev"]
        dh = dhs[t] + dh_carry if carry else dhs[t]
        dh_pre = dh * (1.0 - z) * (1.0 - hh * hh)      # dL/d(x W_h + (r h) U_h + b_h)
        dz_pre = dh * (h_prev - hh) * z * (1.0 - z)
        drh = dh_pre @ Uh.T                             # dL/d(r * h_prev)
        dr_pre = drh * h_prev * r * (1.0 - r)
        dpre = join_gates({"z": dz_pre, "r": dr_pre, "h": dh_pre}, KERAS_GRU_ORDER)
        dK += ca["x"].T @ dpre
        db += np.sum(dpre, axis=0)
        dUz += h_prev.T @ dz_pre
        dUr += h_prev.T @ dr_pre
        dUh += ca["rh"].T @ dh_pre
        dxs[t] = dpre @ K.T
        dh_carry = dh * z + drh * r + dz_pre @ Uz.T + dr_pre @ Ur.T
    dU = np.concatenate([dUz, dUr, dUh], axis=1)
    return {"K": dK, "U": dU, "b": db, "xs": dxs, "h0": dh_carry}


# ----------------------------------------------------------------------------
# Coursera-style GRU, written directly in column-batch form
# ----------------------------------------------------------------------------

def coursera_gru_forward(P, a0, x):
    def step(xt, a_prev):
        r = sigmoid(P["Wir"] @ xt + P["bir"] + P["Whr"] @ a_prev + P["bhr"])
        z = sigmoid(P["Wiz"] @ xt + P["biz"] + P["Whz"] @ a_prev + P["bhz"])
        hn = P["Whn"] @ a_prev + P["bhn"]
        n = np.tanh(P["Win"] @ xt + P["bin"] + r * hn)
        a_t = (1.0 - z) * n + z * a_prev
        return a_t, {"x": xt, "a_prev": a_prev, "r": r, "z": z, "n": n, "hn": hn}
    return scan_columns(step, x, a0)


def coursera_gru_backward(P, caches, da_local, carry):
    g = {"d" + k: np.zeros_like(P[k]) for k in COURSERA_GRU_PARAMS}
    n_a, m, T_x = da_local.shape
    dx = np.zeros((caches[0]["x"].shape[0], m, T_x))
    da_carry = np.zeros((n_a, m))
    for t in reversed(range(T_x)):
        ca = caches[t]
        r, z, n, a_prev, xt = ca["r"], ca["z"], ca["n"], ca["a_prev"], ca["x"]
        da = da_local[:, :, t] + da_carry if carry else da_local[:, :, t]
        dzn = da * (1.0 - z) * (1.0 - n * n)   # pre-activation of n
        dhn = dzn * r                          # d(Whn a_prev + bhn)
        dzz = da * (a_prev - n) * z * (1.0 - z)
        dzr = dzn * ca["hn"] * r * (1.0 - r)
        for gate, dpre_i, dpre_h in (("r", dzr, dzr), ("z", dzz, dzz), ("n", dzn, dhn)):
            g["dWi" + gate] += dpre_i @ xt.T
            g["dWh" + gate] += dpre_h @ a_prev.T
            g["dbi" + gate] += np.sum(dpre_i, axis=1, keepdims=True)
            g["dbh" + gate] += np.sum(dpre_h, axis=1, keepdims=True)
        dx[:, :, t] = P["Wir"].T @ dzr + P["Wiz"].T @ dzz + P["Win"].T @ dzn
        da_carry = da * z + P["Whr"].T @ dzr + P["Whz"].T @ dzz + P["Whn"].T @ dhn
    return g, da_carry, dx


# ----------------------------------------------------------------------------
# Objectives
# ----------------------------------------------------------------------------

def captioning_objective(tn, data, h):
    """cs231n temporal affine + temporal softmax loss. h (N,T,H).
    Returns (loss, dL/dh (N,T,H), {dW_vocab, db_vocab})."""
    captions, mask = data["captions"], data["mask"]
    N = h.shape[0]
    Wv, bv = tn["W_vocab"], tn["b_vocab"]
    scores = h @ Wv + bv                                        # (N,T,V)
    logp = log_softmax(scores, axis=2)
    picked = np.take_along_axis(logp, captions[:, :, None], axis=2)[:, :, 0]
    loss = (0.0 - float(np.sum(mask * picked))) / N   # 0.0 - x: no -0.0 for an empty mask
    onehot = np.zeros_like(scores)
    np.put_along_axis(onehot, captions[:, :, None], 1.0, axis=2)
    dscores = (np.exp(logp) - onehot) * mask[:, :, None] / N
    H, V = Wv.shape
    dWv = h.reshape(-1, H).T @ dscores.reshape(-1, V)
    dbv = np.sum(dscores, axis=(0, 1))
    return loss, dscores @ Wv.T, {"dW_vocab": dWv, "db_vocab": dbv}


def cs231n_objective(tn, data, h):
    if data["mode"] == "captioning":
        return captioning_objective(tn, data, h)
    return float(np.sum(data["dout"] * h)), data["dout"], {}


def coursera_objective(tn, data, a):
    """Loss from a (n_a,m,T_x); returns (loss, dL/da_t from step t alone, {dWy, dby})."""
    if data["mode"] == "upstream":
        return float(np.sum(data["da"] * a)), data["da"].copy(), {}
    y = data["y"]
    Wy, by = tn["Wy"], tn["by"]
    T_x = a.shape[2]
    loss = 0.0
    da_local = np.zeros_like(a)
    dWy, dby = np.zeros_like(Wy), np.zeros_like(by)
    cols = np.arange(a.shape[1])
    for t in range(T_x):
        logp = log_softmax(Wy @ a[:, :, t] + by, axis=0)        # (n_y, m)
        loss -= float(np.sum(logp[y[:, t], cols]))
        dz = np.exp(logp)
        dz[y[:, t], cols] -= 1.0
        dWy += dz @ a[:, :, t].T
        dby += np.sum(dz, axis=1, keepdims=True)
        da_local[:, :, t] = Wy.T @ dz
    return loss, da_local, {"dWy": dWy, "dby": dby}


# ----------------------------------------------------------------------------
# Layout adapters. run_*(tn, data, route): route None -> loss only;
# otherwise (loss, gradients in the layout's names and order).
# ----------------------------------------------------------------------------

def _carry(route):
    return route != "per-step"


def run_cs231n(tn, data, route=None):
    x = tn["x"]
    N = x.shape[0]
    H = tn["Wh"].shape[0]
    xs = x.transpose(1, 0, 2)
    if data["cell"] == "lstm":
        hs, caches = lstm_forward(xs, tn["h0"], np.zeros((N, H)), tn["Wx"], tn["Wh"], tn["b"],
                                  CS231N_LSTM_ORDER)
    else:
        hs, caches = rnn_forward(xs, tn["h0"], tn["Wx"], tn["Wh"], tn["b"])
    loss, dh, out_grads = cs231n_objective(tn, data, hs.transpose(1, 0, 2))
    if route is None:
        return loss
    dhs = dh.transpose(1, 0, 2)
    if data["cell"] == "lstm":
        worder = MIXED_ORDER["cs231n"] if route == "gate-order-mixed" else CS231N_LSTM_ORDER
        g = lstm_backward(caches, tn["Wx"], tn["Wh"], dhs, _carry(route), CS231N_LSTM_ORDER, worder)
    else:
        g = rnn_backward(caches, tn["Wx"], tn["Wh"], dhs, _carry(route))
    grads = {"dx": g["xs"].transpose(1, 0, 2), "dh0": g["h0"],
             "dWx": g["W"], "dWh": g["U"], "db": g["b"]}
    grads.update(out_grads)
    return loss, grads


def run_pytorch(tn, data, route=None):
    bf = data["batch_first"]
    xs = tn["input"].transpose(1, 0, 2) if bf else tn["input"]
    go = data["grad_output"].transpose(1, 0, 2) if bf else data["grad_output"]
    Wi, Wh = tn["weight_ih_l0"].T, tn["weight_hh_l0"].T
    if data["cell"] == "lstm":
        hs, caches = lstm_forward(xs, tn["h0"][0], tn["c0"][0], Wi, Wh,
                                  tn["bias_ih_l0"] + tn["bias_hh_l0"], PYTORCH_LSTM_ORDER)
    else:
        hs, caches = gru_forward(xs, tn["h0"][0], Wi, Wh, tn["bias_ih_l0"], tn["bias_hh_l0"])
    loss = float(np.sum(go * hs))
    if route is None:
        return loss
    if data["cell"] == "lstm":
        worder = MIXED_ORDER["pytorch"] if route == "gate-order-mixed" else PYTORCH_LSTM_ORDER
        g = lstm_backward(caches, Wi, Wh, go, _carry(route), PYTORCH_LSTM_ORDER, worder)
        grads = {"weight_ih_l0": g["W"].T, "weight_hh_l0": g["U"].T,
                 "bias_ih_l0": g["b"], "bias_hh_l0": g["b"].copy()}
    else:
        g = gru_backward(caches, Wi, Wh, go, _carry(route))
        grads = {"weight_ih_l0": g["Wi"].T, "weight_hh_l0": g["Wh"].T,
                 "bias_ih_l0": g["bi"], "bias_hh_l0": g["bh"]}
    grads["input"] = g["xs"].transpose(1, 0, 2) if bf else g["xs"]
    grads["h0"] = g["h0"][None]
    if data["cell"] == "lstm":
        grads["c0"] = g["c0"][None]
    return loss, grads


def run_keras(tn, data, route=None):
    xs = tn["inputs"].transpose(1, 0, 2)
    if data["cell"] == "lstm":
        hs, caches = lstm_forward(xs, tn["h0"], tn["c0"], tn["kernel"], tn["recurrent_kernel"],
                                  tn["bias"], KERAS_LSTM_ORDER)
    elif data["reset_after"]:
        b = tn["bias"]
        hs, caches = gru_forward(xs, tn["h0"], tn["kernel"], tn["recurrent_kernel"], b[0], b[1],
                                 KERAS_GRU_ORDER_AS_PYTORCH)
    else:
        hs, caches = keras_gru_forward(xs, tn["h0"], tn["kernel"], tn["recurrent_kernel"], tn["bias"])
    go = data["grad_output"].transpose(1, 0, 2)
    loss = float(np.sum(go * hs))
    if route is None:
        return loss
    if data["cell"] == "lstm":
        g = lstm_backward(caches, tn["kernel"], tn["recurrent_kernel"], go, _carry(route),
                          KERAS_LSTM_ORDER)
        grads = {"kernel": g["W"], "recurrent_kernel": g["U"], "bias": g["b"]}
    elif data["reset_after"]:
        g = gru_backward(caches, tn["kernel"], tn["recurrent_kernel"], go, _carry(route),
                         KERAS_GRU_ORDER_AS_PYTORCH)
        grads = {"kernel": g["Wi"], "recurrent_kernel": g["Wh"], "bias": np.stack([g["bi"], g["bh"]])}
    else:
        g = keras_gru_backward(caches, tn["kernel"], tn["recurrent_kernel"], go, _carry(route))
        grads = {"kernel": g["K"], "recurrent_kernel": g["U"], "bias": g["b"]}
    grads["inputs"] = g["xs"].transpose(1, 0, 2)
    grads["h0"] = g["h0"]
    if data["cell"] == "lstm":
        grads["c0"] = g["c0"]
    return loss, grads


def run_coursera(tn, data, route=None):
    a, caches = coursera_gru_forward(tn, tn["a0"], tn["x"])
    loss, da_local, out_grads = coursera_objective(tn, data, a)
    if route is None:
        return loss
    g, da0, dx = coursera_gru_backward(tn, caches, da_local, _carry(route))
    grads = dict(g)
    grads.update(out_grads)
    grads["da0"] = da0
    grads["dx"] = dx
    return loss, grads


RUNNERS = {"cs231n": run_cs231n, "pytorch": run_pytorch, "keras": run_keras,
           "coursera": run_coursera}


# ----------------------------------------------------------------------------
# Fixture loading / validation
# ----------------------------------------------------------------------------

def _arr(value, name, shape):
    """float64 array of exactly `shape` (a tuple), finite."""
    a = np.array(value, dtype=np.float64)
    if a.shape != tuple(shape):
        raise ValueError(f"{name}: expected shape {tuple(shape)}, got {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: contains non-finite values")
    return a


def _ndim(value, name, ndim):
    a = np.array(value, dtype=np.float64)
    if a.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-d nested list, got shape {a.shape}")
    return a.shape


def _ints(value, name, shape, lo, hi):
    """Integer-valued array of `shape` with entries in lo..hi."""
    a = np.array(value)
    if a.shape != tuple(shape):
        raise ValueError(f"{name}: expected shape {tuple(shape)}, got {a.shape}")
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.integer) or np.issubdtype(a.dtype, np.floating)):
        raise ValueError(f"{name}: expected integers")
    af = a.astype(np.float64)
    if not np.all(np.isfinite(af)) or not np.all(af == np.rint(af)):
        raise ValueError(f"{name}: expected integers")
    idx = np.rint(af).astype(np.int64)
    if np.any(idx < lo) or np.any(idx > hi):
        raise ValueError(f"{name}: entries must be in {lo}..{hi}")
    return idx


def _need(d, key, where):
    if key not in d or d[key] is None:
        raise ValueError(f"{where}{key} missing")
    return d[key]


def _optional_state(d, key, shape):
    v = d.get(key)
    return np.zeros(shape) if v is None else _arr(v, key, shape)


def _reject_extra(d, allowed):
    extra = sorted(set(d) - set(allowed))
    if extra:
        raise ValueError(f"unexpected key(s) for this layout: {', '.join(extra)}")


COMMON_KEYS = ("name", "description", "layout", "cell", "parameters")


def _load_cs231n(d, p, cell):
    G = 4 if cell == "lstm" else 1
    N, T, D = _ndim(_need(d, "x", ""), "x", 3)
    H = _ndim(_need(p, "Wh", "parameters."), "Wh", 2)[0]
    tn = {"Wx": _arr(_need(p, "Wx", "parameters."), "Wx", (D, G * H)),
          "Wh": _arr(p["Wh"], "Wh", (H, G * H)),
          "b": _arr(_need(p, "b", "parameters."), "b", (G * H,))}
    data = {"cell": cell}
    captioning = "captions" in d or "mask" in d
    if captioning:
        if "dout" in d:
            raise ValueError("fixture gives both 'dout' and 'captions'/'mask'; exactly one loss")
        V = _ndim(_need(p, "W_vocab", "parameters."), "W_vocab", 2)[1]
        tn["W_vocab"] = _arr(p["W_vocab"], "W_vocab", (H, V))
        tn["b_vocab"] = _arr(_need(p, "b_vocab", "parameters."), "b_vocab", (V,))
        data.update(mode="captioning",
                    captions=_ints(_need(d, "captions", ""), "captions", (N, T), 0, V - 1),
                    mask=_ints(_need(d, "mask", ""), "mask", (N, T), 0, 1).astype(np.float64))
        _reject_extra(p, ("Wx", "Wh", "b", "W_vocab", "b_vocab"))
    else:
        data.update(mode="upstream", dout=_arr(_need(d, "dout", ""), "dout", (N, T, H)))
        _reject_extra(p, ("Wx", "Wh", "b"))
    tn["x"] = _arr(d["x"], "x", (N, T, D))
    tn["h0"] = _optional_state(d, "h0", (N, H))
    _reject_extra(d, COMMON_KEYS + ("x", "h0", "dout", "captions", "mask"))
    return tn, data


def _load_pytorch(d, p, cell):
    G = 4 if cell == "lstm" else 3
    bf = d.get("batch_first", False)
    if not isinstance(bf, bool):
        raise ValueError("batch_first: expected true or false")
    s = _ndim(_need(d, "input", ""), "input", 3)
    N, T, D = s if bf else (s[1], s[0], s[2])
    H = _ndim(_need(p, "weight_hh_l0", "parameters."), "weight_hh_l0", 2)[1]
    tn = {"weight_ih_l0": _arr(_need(p, "weight_ih_l0", "parameters."), "weight_ih_l0", (G * H, D)),
          "weight_hh_l0": _arr(p["weight_hh_l0"], "weight_hh_l0", (G * H, H)),
          "bias_ih_l0": _arr(_need(p, "bias_ih_l0", "parameters."), "bias_ih_l0", (G * H,)),
          "bias_hh_l0": _arr(_need(p, "bias_hh_l0", "parameters."), "bias_hh_l0", (G * H,))}
    _reject_extra(p, tuple(tn))
    seq = (N, T) if bf else (T, N)
    tn["input"] = _arr(d["input"], "input", seq + (D,))
    tn["h0"] = _optional_state(d, "h0", (1, N, H))
    keys = COMMON_KEYS + ("batch_first", "input", "h0", "grad_output")
    if cell == "lstm":
        tn["c0"] = _optional_state(d, "c0", (1, N, H))
        keys += ("c0",)
    _reject_extra(d, keys)
    data = {"cell": cell, "batch_first": bf,
            "grad_output": _arr(_need(d, "grad_output", ""), "grad_output", seq + (H,))}
    return tn, data


def _load_keras(d, p, cell):
    G = 4 if cell == "lstm" else 3
    reset_after = d.get("reset_after", True)
    if not isinstance(reset_after, bool):
        raise ValueError("reset_after: expected true or false")
    if "reset_after" in d and cell != "gru":
        raise ValueError("reset_after: only a Keras GRU has it")
    two_biases = cell == "gru" and reset_after
    N, T, D = _ndim(_need(d, "inputs", ""), "inputs", 3)
    H = _ndim(_need(p, "recurrent_kernel", "parameters."), "recurrent_kernel", 2)[0]
    tn = {"kernel": _arr(_need(p, "kernel", "parameters."), "kernel", (D, G * H)),
          "recurrent_kernel": _arr(p["recurrent_kernel"], "recurrent_kernel", (H, G * H)),
          "bias": _arr(_need(p, "bias", "parameters."), "bias", (2, G * H) if two_biases else (G * H,))}
    _reject_extra(p, tuple(tn))
    tn["inputs"] = _arr(d["inputs"], "inputs", (N, T, D))
    tn["h0"] = _optional_state(d, "h0", (N, H))
    keys = COMMON_KEYS + ("reset_after", "inputs", "h0", "grad_output")
    if cell == "lstm":
        tn["c0"] = _optional_state(d, "c0", (N, H))
        keys += ("c0",)
    _reject_extra(d, keys)
    data = {"cell": cell, "reset_after": two_biases,
            "grad_output": _arr(_need(d, "grad_output", ""), "grad_output", (N, T, H))}
    return tn, data


def _load_coursera(d, p, cell):
    n_x, m, T_x = _ndim(_need(d, "x", ""), "x", 3)
    n_a = _ndim(_need(p, "Whr", "parameters."), "Whr", 2)[0]
    tn = {}
    for k in COURSERA_GRU_PARAMS:
        shape = (n_a, n_x) if k.startswith("Wi") else (n_a, n_a) if k.startswith("W") else (n_a, 1)
        tn[k] = _arr(_need(p, k, "parameters."), k, shape)
    has_y, has_da = d.get("y") is not None, d.get("da") is not None
    if has_y == has_da:
        raise ValueError("fixture must give exactly one of 'y' and 'da'")
    data = {"cell": cell}
    if has_y:
        n_y = _ndim(_need(p, "Wy", "parameters."), "Wy", 2)[0]
        tn["Wy"] = _arr(p["Wy"], "Wy", (n_y, n_a))
        tn["by"] = _arr(_need(p, "by", "parameters."), "by", (n_y, 1))
        data.update(mode="softmax", y=_ints(d["y"], "y", (m, T_x), 0, n_y - 1))
    else:
        if "Wy" in p or "by" in p:
            raise ValueError("upstream-da mode has no output layer: remove Wy/by")
        s = _ndim(d["da"], "da", 3)
        if s[:2] != (n_a, m) or not 1 <= s[2] <= T_x:
            raise ValueError(f"da: expected shape ({n_a}, {m}, T') with 1 <= T' <= {T_x}, got {s}")
        padded = np.zeros((n_a, m, T_x))
        padded[:, :, :s[2]] = _arr(d["da"], "da", s)
        data.update(mode="upstream", da=padded, T_up=s[2])
    _reject_extra(p, tuple(tn))
    tn["a0"] = _optional_state(d, "a0", (n_a, m))
    tn["x"] = _arr(d["x"], "x", (n_x, m, T_x))
    _reject_extra(d, COMMON_KEYS + ("a0", "x", "y", "da"))
    return tn, data


LOADERS = {"cs231n": _load_cs231n, "pytorch": _load_pytorch, "keras": _load_keras,
           "coursera": _load_coursera}


def load_problem(d, default_name="fixture"):
    """Validated problem from a fixture dict: name, layout, cell, tensors (every
    differentiable tensor, by its layout name), data (targets, flags), grad_of
    (gradient name -> tensor name, in output order), mixed (gate-order-mixed spec)."""
    layout, cell = d.get("layout"), d.get("cell")
    if (layout, cell) not in SUPPORTED:
        raise ValueError(f"layout/cell {layout!r}/{cell!r} not supported; one of "
                         f"{sorted(SUPPORTED)}")
    if "batch_first" in d and layout != "pytorch":
        raise ValueError("batch_first: only the pytorch layout has it")
    if "reset_after" in d and layout != "keras":
        raise ValueError("reset_after: only the keras layout has it (PyTorch's GRU resets after)")
    p = d.get("parameters")
    if not isinstance(p, dict):
        raise ValueError("parameters: expected an object")
    tn, data = LOADERS[layout](d, p, cell)
    _, grads = RUNNERS[layout](tn, data, "gradients")
    prefix = "d" if layout in ("cs231n", "coursera") else ""
    grad_of = {}
    for g in grads:
        t = g[len(prefix):]
        if t not in tn:
            raise AssertionError(f"gradient {g} names no tensor")
        grad_of[g] = t
    mixed = None
    if cell == "lstm" and layout == "cs231n":
        mixed = {"dWx": 1, "dWh": 1, "db": 0}          # gradient name -> block axis
    elif layout == "pytorch":
        mixed = {"weight_ih_l0": 0, "weight_hh_l0": 0, "bias_ih_l0": 0, "bias_hh_l0": 0}
    elif cell == "gru" and layout == "keras":
        mixed = {"kernel": 1, "recurrent_kernel": 1, "bias": tn["bias"].ndim - 1}
    return {"name": d.get("name", default_name), "layout": layout, "cell": cell,
            "tensors": tn, "data": data, "grad_of": grad_of, "mixed": mixed}


def load_fixture(path):
    path = Path(path)
    return load_problem(json.loads(path.read_text()), default_name=path.stem)


# ----------------------------------------------------------------------------
# Routes
# ----------------------------------------------------------------------------

def run_route(prob, route="gradients", tensors=None):
    """(loss, gradients) for a route in ROUTES (or loss alone for route None)."""
    if route == "gate-order-mixed" and prob["mixed"] is None:
        raise ValueError(f"{prob['layout']} {prob['cell']}: no gate-order-mixed route")
    tn = prob["tensors"] if tensors is None else tensors
    if route == "gate-order-mixed" and prob["cell"] == "gru":
        # Only the stacking of the weight and bias gradients is wrong: the exact gradients
        # with the first two blocks (PyTorch's r, z; Keras' z, r) exchanged.
        loss, grads = RUNNERS[prob["layout"]](tn, prob["data"], "gradients")
        for k, axis in prob["mixed"].items():
            grads[k] = swap_blocks(grads[k], 3, 0, 1, axis)
        return loss, grads
    return RUNNERS[prob["layout"]](tn, prob["data"], route)


def routes_of(prob):
    return ROUTES if prob["mixed"] is not None else ROUTES[:2]


def numerical_gradients(prob, h=H_NUMERICAL):
    """Central differences of the loss for every element of every tensor."""
    work = {k: v.copy() for k, v in prob["tensors"].items()}
    out = {}
    for gname, tname in prob["grad_of"].items():
        out[gname] = central_differences(work[tname], lambda: run_route(prob, None, work), h)
    return out


def expected_for_problem(prob):
    loss, grads = run_route(prob, "gradients")
    result = {"fixture": prob["name"], "produced_by": PRODUCED_BY, "loss": float(loss),
              "gradients": {k: v.tolist() for k, v in grads.items()}}
    for route in routes_of(prob)[1:]:
        result[route] = {k: v.tolist() for k, v in run_route(prob, route)[1].items()}
    return result


def write_expected(fixture_path, out_dir):
    return numpy_common.write_expected(fixture_path, out_dir, lambda path: expected_for_problem(load_fixture(path)))


# ----------------------------------------------------------------------------
# Fixture construction (used by --write with fixed seeds and by the self-test)
# ----------------------------------------------------------------------------

def build_fixture(kind, rng, N=3, T=5, D=3, H=4, V=4, name="random", description="",
                  batch_first=False, initial_states=True, mask_lengths=None, upstream_T=None,
                  scale=1.0, reset_after=True):
    """A fixture dict. Every float is drawn uniform in [-scale, scale) in the order the
    keys are written (parameters first); targets are integers. Kinds: cs231n-lstm,
    cs231n-lstm-captioning, cs231n-rnn, cs231n-rnn-captioning, pytorch-lstm,
    pytorch-gru, keras-lstm, keras-gru, coursera-gru (labels unless upstream_T). A
    keras-gru with reset_after=False writes "reset_after": false and a (3H,) bias; with
    Keras' default (True) the key is left out and the bias is (2,3H)."""
    def u(*shape):
        return rng.uniform(-scale, scale, size=shape)

    layout, cell = kind.split("-")[:2]
    d = {"name": name, "description": description, "layout": layout, "cell": cell}
    if layout == "cs231n":
        G = 4 if cell == "lstm" else 1
        p = {"Wx": u(D, G * H).tolist(), "Wh": u(H, G * H).tolist(), "b": u(G * H).tolist()}
        captioning = kind.endswith("-captioning")
        if captioning:
            p["W_vocab"] = u(H, V).tolist()
            p["b_vocab"] = u(V).tolist()
        d["parameters"] = p
        d["x"] = u(N, T, D).tolist()
        d["h0"] = u(N, H).tolist()
        if captioning:
            d["captions"] = rng.integers(0, V, size=(N, T)).tolist()
            if mask_lengths is None:
                mask = rng.integers(0, 2, size=(N, T))
            else:
                mask = (np.arange(T)[None, :] < np.array(mask_lengths)[:, None]).astype(np.int64)
            d["mask"] = mask.tolist()
        else:
            d["dout"] = u(N, T, H).tolist()
    elif layout == "pytorch":
        G = 4 if cell == "lstm" else 3
        if batch_first:
            d["batch_first"] = True
        d["parameters"] = {"weight_ih_l0": u(G * H, D).tolist(), "weight_hh_l0": u(G * H, H).tolist(),
                           "bias_ih_l0": u(G * H).tolist(), "bias_hh_l0": u(G * H).tolist()}
        # drawn time-major; batch_first stores the same draw transposed
        seq = (lambda a: a.transpose(1, 0, 2)) if batch_first else (lambda a: a)
        d["input"] = seq(u(T, N, D)).tolist()
        if initial_states:
            d["h0"] = u(1, N, H).tolist()
            if cell == "lstm":
                d["c0"] = u(1, N, H).tolist()
        d["grad_output"] = seq(u(T, N, H)).tolist()
    elif layout == "keras":
        G = 4 if cell == "lstm" else 3
        two_biases = cell == "gru" and reset_after
        if cell == "gru" and not reset_after:
            d["reset_after"] = False
        d["parameters"] = {"kernel": u(D, G * H).tolist(), "recurrent_kernel": u(H, G * H).tolist(),
                           "bias": (u(2, G * H) if two_biases else u(G * H)).tolist()}
        d["inputs"] = u(N, T, D).tolist()
        if initial_states:
            d["h0"] = u(N, H).tolist()
            if cell == "lstm":
                d["c0"] = u(N, H).tolist()
        d["grad_output"] = u(N, T, H).tolist()
    elif kind == "coursera-gru":
        n_x, n_a, n_y, m = D, H, V, N
        p = {}
        for k in COURSERA_GRU_PARAMS:
            shape = (n_a, n_x) if k.startswith("Wi") else (n_a, n_a) if k.startswith("W") else (n_a, 1)
            p[k] = u(*shape).tolist()
        if upstream_T is None:
            p["Wy"] = u(n_y, n_a).tolist()
            p["by"] = u(n_y, 1).tolist()
        d["parameters"] = p
        if initial_states:
            d["a0"] = u(n_a, m).tolist()
        d["x"] = u(n_x, m, T).tolist()
        if upstream_T is None:
            d["y"] = rng.integers(0, n_y, size=(m, T)).tolist()
        else:
            d["da"] = u(n_a, m, upstream_T).tolist()
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return d


# (file stem, kind, seed, options, description). Sizes D=3, H=4, T=5, N=3, V=4
# (Coursera names: n_x=3, n_a=4, T_x=5, m=3, n_y=4).
FIXTURES = [
    ("cs231n-lstm", "cs231n-lstm", 231001, {},
     "cs231n lstm_forward(x, h0, Wx, Wh, b): gate blocks i,f,o,g, c0 = 0, upstream loss L = sum(dout * h)."),
    ("cs231n-lstm-captioning", "cs231n-lstm-captioning", 231002, {"mask_lengths": [5, 3, 2]},
     "cs231n captioning LSTM: temporal affine to V=4 scores, temporal softmax loss over the masked "
     "captions averaged over N (caption lengths 5, 3, 2)."),
    ("cs231n-rnn", "cs231n-rnn", 231003, {},
     "cs231n rnn_forward(x, h0, Wx, Wh, b): h_t = tanh(x_t Wx + h_{t-1} Wh + b), upstream loss L = sum(dout * h)."),
    ("pytorch-lstm", "pytorch-lstm", 231004, {},
     "torch.nn.LSTM, one layer, time-major input (T,N,D), gate rows i,f,g,o, given h0 and c0, "
     "L = sum(grad_output * output)."),
    ("pytorch-lstm-batch-first", "pytorch-lstm", 231004, {"batch_first": True},
     "torch.nn.LSTM with batch_first=True: the pytorch-lstm fixture's numbers with input and "
     "grad_output stored (N,T,.)."),
    ("keras-lstm", "keras-lstm", 231005, {},
     "keras.layers.LSTM(return_sequences=True): kernel blocks i,f,c,o, initial_state [h0, c0], "
     "L = sum(grad_output * outputs)."),
    ("gru", "coursera-gru", 231006, {},
     "Coursera-layout GRU (PyTorch's equations, gates r,z,n, column batch) with a softmax output "
     "layer and the summed cross-entropy over class-index labels y."),
    ("gru-upstream", "coursera-gru", 231007, {"upstream_T": 5},
     "Coursera-layout GRU in upstream mode: no output layer, L = sum(da * a) over all 5 steps."),
    ("pytorch-gru", "pytorch-gru", 231008, {},
     "torch.nn.GRU, one layer, time-major input (T,N,D), gate rows r,z,n, given h0, "
     "L = sum(grad_output * output)."),
    ("keras-gru", "keras-gru", 231009, {"reset_after": False},
     "keras.layers.GRU(reset_after=False, return_sequences=True): kernel blocks z,r,h, "
     "initial_state h0, L = sum(grad_output * outputs)."),
    ("keras-gru-reset-after", "keras-gru", 231010, {},
     "keras.layers.GRU(return_sequences=True), Keras' default reset_after=True: kernel blocks z,r,h, "
     "bias (2,3H) rows input and recurrent, initial_state h0, L = sum(grad_output * outputs)."),
]


def write_all(check=True):
    """Regenerates Fixtures/layouts/*.json and expected/*.expected.json."""
    failures = 0
    for stem, kind, seed, opts, desc in FIXTURES:
        d = build_fixture(kind, np.random.default_rng(seed), name=stem, description=desc, **opts)
        write_json(LAYOUT_DIR / f"{stem}.json", d)
        prob = load_problem(d)
        result = expected_for_problem(prob)
        write_json(EXPECTED_DIR / f"{stem}.expected.json", result)
        msg = ""
        if check:
            num = numerical_gradients(prob)
            _, grads = run_route(prob, "gradients")
            errs = {k: rel_err(grads[k], num[k]) for k in grads}
            worst = max(errs, key=errs.get)
            ok = errs[worst] < SELF_TEST_TOL
            failures += not ok
            msg = f", vs central differences worst rel err {errs[worst]:.1e} ({worst})" + \
                  ("" if ok else "  FAIL")
        print(f"{stem}: loss {result['loss']!r}, routes {', '.join(routes_of(prob))}{msg}")
    if check:
        a = json.loads((EXPECTED_DIR / "pytorch-lstm.expected.json").read_text())
        b = json.loads((EXPECTED_DIR / "pytorch-lstm-batch-first.expected.json").read_text())
        same = a["loss"] == b["loss"] and all(
            np.array_equal(np.array(a[r][k]).transpose(1, 0, 2) if k == "input" else np.array(a[r][k]),
                           np.array(b[r][k]))
            for r in ROUTES for k in a[r])
        print(f"pytorch-lstm-batch-first == pytorch-lstm with input transposed, bit-exactly: {same}")
        failures += not same
    return failures


# ----------------------------------------------------------------------------
# Self-test
# ----------------------------------------------------------------------------

# (kind, build options) of the self-test models
SELF_TEST_MODELS = [
    ("cs231n-lstm", {}),
    ("cs231n-lstm-captioning", {}),
    ("cs231n-rnn", {}),
    ("cs231n-rnn-captioning", {}),
    ("pytorch-lstm", {}),
    ("pytorch-lstm", {"batch_first": True}),
    ("pytorch-lstm", {"initial_states": False}),
    ("keras-lstm", {}),
    ("keras-lstm", {"initial_states": False}),
    ("coursera-gru", {}),
    ("coursera-gru", {"upstream_T": "T"}),
    ("coursera-gru", {"upstream_T": 1, "initial_states": False}),
    ("pytorch-gru", {}),
    ("pytorch-gru", {"batch_first": True, "initial_states": False}),
    ("keras-gru", {}),
    ("keras-gru", {"initial_states": False}),
    ("keras-gru", {"reset_after": False}),
    ("keras-gru", {"reset_after": False, "initial_states": False}),
]
# (N, T, D, H, V): includes T = 1, N = 1 and both at once
SELF_TEST_SIZES = [(3, 5, 3, 4, 4), (1, 1, 1, 1, 2), (2, 1, 3, 2, 3), (1, 4, 2, 3, 3), (2, 6, 2, 2, 5)]
SELF_TEST_SEEDS = (11, 12, 13)


def _label(kind, opts):
    o = ",".join(f"{k}={v}" for k, v in opts.items())
    return f"{kind}{'[' + o + ']' if o else ''}"


def _random_problem(kind, opts, size, rng, scale=1.0):
    N, T, D, H, V = size
    o = dict(opts)
    if o.get("upstream_T") == "T":
        o["upstream_T"] = T
    if o.get("upstream_T") is not None:
        o["upstream_T"] = min(o["upstream_T"], T)
    return load_problem(build_fixture(kind, rng, N=N, T=T, D=D, H=H, V=V, scale=scale, **o))


def _shape_of(prob, gname):
    return prob["tensors"][prob["grad_of"][gname]].shape


EXPECTED_KEYS = {
    ("cs231n", "lstm"): ["dx", "dh0", "dWx", "dWh", "db"],
    ("cs231n", "rnn"): ["dx", "dh0", "dWx", "dWh", "db"],
    ("pytorch", "lstm"): ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "input", "h0", "c0"],
    ("pytorch", "gru"): ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0", "input", "h0"],
    ("keras", "lstm"): ["kernel", "recurrent_kernel", "bias", "inputs", "h0", "c0"],
    ("keras", "gru"): ["kernel", "recurrent_kernel", "bias", "inputs", "h0"],
    ("coursera", "gru"): ["d" + k for k in COURSERA_GRU_PARAMS] + ["da0", "dx"],
}


def _expected_keys(prob):
    keys = list(EXPECTED_KEYS[(prob["layout"], prob["cell"])])
    if prob["data"].get("mode") == "captioning":
        keys += ["dW_vocab", "db_vocab"]
    if prob["layout"] == "coursera" and prob["data"]["mode"] == "softmax":
        keys[-2:-2] = ["dWy", "dby"]
    return keys


def self_test():
    check = Checks()

    with np.errstate(over="raise", invalid="raise", divide="raise"):
        z = np.array([1000.0, -1000.0, 0.0])
        check(np.array_equal(sigmoid(z), [1.0, 0.0, 0.5])
              and np.array_equal(log_softmax(np.array([[1000.0, -1000.0, 0.0]]), axis=1)[0, :2],
                                 [0.0, -2000.0]),
              "stable sigmoid/log-softmax at |z| = 1000")

        # 1. full BPTT == central differences, every model, sizes and seeds
        worst_all = 0.0
        for kind, opts in SELF_TEST_MODELS:
            worst = (0.0, "")
            ok = True
            count = 0
            for size in SELF_TEST_SIZES:
                for seed in SELF_TEST_SEEDS:
                    rng = np.random.default_rng([seed] + list(size))
                    prob = _random_problem(kind, opts, size, rng)
                    loss, g = run_route(prob, "gradients")
                    num = numerical_gradients(prob)
                    keys_ok = list(g) == list(num) == _expected_keys(prob)
                    shapes_ok = all(g[k].shape == _shape_of(prob, k) == num[k].shape for k in g)
                    loss_ok = loss == run_route(prob, None)
                    errs = {k: rel_err(g[k], num[k]) for k in g}
                    w = max(errs, key=errs.get)
                    if errs[w] > worst[0]:
                        worst = (errs[w], f"{w} at {','.join(map(str, size))} seed {seed}")
                    good = keys_ok and shapes_ok and loss_ok and errs[w] < SELF_TEST_TOL
                    if not good:
                        print(f"  {_label(kind, opts)} N,T,D,H,V={size} seed {seed}: keys {keys_ok}, shapes "
                              f"{shapes_ok}, loss {loss_ok}, worst {errs[w]:.2e} ({w})")
                    ok = ok and good
                    count += 1
            worst_all = max(worst_all, worst[0])
            check(ok, f"bptt == central differences [{_label(kind, opts)}]: "
                      f"{count} problems, every tensor rel err < {SELF_TEST_TOL:g}; "
                      f"worst {worst[0]:.1e} ({worst[1]})")

        # 2. per-step: == bptt bit-exactly for T = 1; differs for T >= 3
        for kind, opts in SELF_TEST_MODELS:
            rng = np.random.default_rng(21)
            p1 = _random_problem(kind, opts, (2, 1, 3, 2, 3), rng)
            _, gb = run_route(p1, "gradients")
            _, gp = run_route(p1, "per-step")
            same1 = list(gb) == list(gp) and all(np.array_equal(gb[k], gp[k]) for k in gb)
            p3 = _random_problem(kind, opts, (2, 4, 3, 3, 3), rng)
            _, gb = run_route(p3, "gradients")
            _, gp = run_route(p3, "per-step")
            rec = {"cs231n": "dWh", "pytorch": "weight_hh_l0", "keras": "recurrent_kernel",
                   "coursera": "dWhz"}[p3["layout"]]
            e = rel_err(gp[rec], gb[rec])
            out_keys = [k for k in ("dW_vocab", "db_vocab", "dWy", "dby") if k in gb]
            out_same = all(np.array_equal(gb[k], gp[k]) for k in out_keys)
            if p3["data"].get("T_up") == 1:
                # upstream only at t = 0: nothing is ever carried, so the routes agree
                ok3, what = all(np.array_equal(gb[k], gp[k]) for k in gb), "== bptt too (T'=1)"
            else:
                ok3, what = e > 1e-3, f"{rec} differs (rel {e:.1e})"
            check(same1 and ok3 and out_same,
                  f"per-step [{_label(kind, opts)}]: == bptt bit-exactly at "
                  f"T=1; at T=4 {what}; output layer {', '.join(out_keys) or '-'} identical")

        # 3. gate-order-mixed == correct gradients with two blocks exchanged: the LSTMs' g and
        #    o (2 and 3 of 4), the GRUs' first two (PyTorch's r, z; Keras' z, r)
        lstm, gru = (31, 4, 2, 3), (33, 3, 0, 1)
        for kind, opts, (seed, n, j, jk) in [
                ("cs231n-lstm", {}, lstm), ("cs231n-lstm-captioning", {}, lstm),
                ("pytorch-lstm", {}, lstm), ("pytorch-lstm", {"batch_first": True}, lstm),
                ("pytorch-gru", {}, gru), ("pytorch-gru", {"batch_first": True}, gru),
                ("keras-gru", {}, gru), ("keras-gru", {"reset_after": False}, gru)]:
            rng = np.random.default_rng(seed)
            prob = _random_problem(kind, opts, (3, 5, 3, 4, 4), rng)
            _, gb = run_route(prob, "gradients")
            _, gm = run_route(prob, "gate-order-mixed")
            ok = list(gb) == list(gm)
            for k in gb:
                if k in prob["mixed"]:
                    want = swap_blocks(gb[k], n, j, jk, prob["mixed"][k])
                    ok = ok and np.array_equal(gm[k], want) and rel_err(gm[k], gb[k]) > 1e-3
                else:
                    ok = ok and np.array_equal(gm[k], gb[k])
            check(ok, f"gate-order-mixed [{_label(kind, opts)}]: {', '.join(prob['mixed'])} have "
                      f"blocks {j} and {jk} exchanged, the rest bit-identical to bptt")
        for kind in ("cs231n-rnn", "keras-lstm", "coursera-gru"):
            prob = _random_problem(kind, {}, (2, 2, 2, 2, 2), np.random.default_rng(32))
            check("gate-order-mixed" not in routes_of(prob),
                  f"no gate-order-mixed route for {kind}")

        _cross_checks(check)
        _closed_forms(check)
        _validation(check)
        _round_trip(check)

    return check.summary()


def _lstm_numpy():
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import lstm_numpy
    return lstm_numpy


def _max_rel(pairs):
    """max over (a, b) of ||a - b||_inf / ||b||_inf."""
    worst = 0.0
    for a, b in pairs:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a.shape != b.shape:
            return math.inf
        scale = np.max(np.abs(b)) if b.size else 0.0
        diff = np.max(np.abs(a - b)) if a.size else 0.0
        worst = max(worst, diff / scale if scale > 0 else diff)
    return worst


def _cross_checks(check):
    """Each layout against the existing independent Coursera reference (lstm_numpy.py)
    and against each other, after mapping the weights."""
    ln = _lstm_numpy()
    blocks = lambda a, order, axis: split_gates(a, order, axis)
    for seed, size in ((41, (3, 5, 3, 4, 4)), (42, (1, 1, 2, 1, 2)), (43, (2, 6, 1, 3, 3))):
        N, T, D, H, V = size
        rng = np.random.default_rng(seed)

        # cs231n LSTM -> Coursera LSTM: W_gate = [Wh_gate^T | Wx_gate^T] (concat = [a_prev; x_t])
        prob = _random_problem("cs231n-lstm", {}, size, rng)
        tn = prob["tensors"]
        wx, wh, b = (blocks(tn["Wx"], CS231N_LSTM_ORDER, 1), blocks(tn["Wh"], CS231N_LSTM_ORDER, 1),
                     blocks(tn["b"], CS231N_LSTM_ORDER, 0))
        cmap = {"f": "f", "i": "i", "c": "g", "o": "o"}
        cp = {}
        for cg, lg in cmap.items():
            cp["W" + cg] = np.hstack([wh[lg].T, wx[lg].T]).tolist()
            cp["b" + cg] = b[lg][:, None].tolist()
        cfx = ln.fixture_from_dict({"parameters": cp, "x": tn["x"].transpose(2, 0, 1).tolist(),
                                    "a0": tn["h0"].T.tolist(),
                                    "da": prob["data"]["dout"].transpose(2, 0, 1).tolist()})
        closs, cg_ = ln.bptt_gradients(cfx)
        loss, g = run_route(prob, "gradients")
        _, cps = ln.per_step_gradients(cfx)
        _, ps = run_route(prob, "per-step")
        pairs = [(loss, closs), (g["dx"], cg_["dx"].transpose(1, 2, 0)), (g["dh0"], cg_["da0"].T)]
        pairs += [(ps["dx"], cps["dx"].transpose(1, 2, 0)), (ps["dh0"], cps["da0"].T)]
        for route_g, route_c in ((g, cg_), (ps, cps)):
            dwx, dwh, db = (blocks(route_g["dWx"], CS231N_LSTM_ORDER, 1),
                            blocks(route_g["dWh"], CS231N_LSTM_ORDER, 1),
                            blocks(route_g["db"], CS231N_LSTM_ORDER, 0))
            for cg, lg in cmap.items():
                pairs += [(dwh[lg].T, route_c["dW" + cg][:, :H]), (dwx[lg].T, route_c["dW" + cg][:, H:]),
                          (db[lg], route_c["db" + cg][:, 0])]
        e = _max_rel(pairs)
        check(e < 1e-12, f"cs231n LSTM == lstm_numpy.py Coursera LSTM after remapping (bptt and "
                         f"per-step, N,T,D,H={N},{T},{D},{H}): max rel {e:.1e}")

        # PyTorch LSTM (with c0) -> Coursera LSTM
        prob = _random_problem("pytorch-lstm", {}, size, rng)
        tn = prob["tensors"]
        wi, wh, bi, bh = (blocks(tn["weight_ih_l0"], PYTORCH_LSTM_ORDER, 0),
                          blocks(tn["weight_hh_l0"], PYTORCH_LSTM_ORDER, 0),
                          blocks(tn["bias_ih_l0"], PYTORCH_LSTM_ORDER, 0),
                          blocks(tn["bias_hh_l0"], PYTORCH_LSTM_ORDER, 0))
        cp = {}
        for cg, lg in cmap.items():
            cp["W" + cg] = np.hstack([wh[lg], wi[lg]]).tolist()
            cp["b" + cg] = (bi[lg] + bh[lg])[:, None].tolist()
        cfx = ln.fixture_from_dict({"parameters": cp, "x": tn["input"].transpose(2, 1, 0).tolist(),
                                    "a0": tn["h0"][0].T.tolist(), "c0": tn["c0"][0].T.tolist(),
                                    "da": prob["data"]["grad_output"].transpose(2, 1, 0).tolist()})
        closs, cg_ = ln.bptt_gradients(cfx)
        loss, g = run_route(prob, "gradients")
        dwi, dwh = (blocks(g["weight_ih_l0"], PYTORCH_LSTM_ORDER, 0),
                    blocks(g["weight_hh_l0"], PYTORCH_LSTM_ORDER, 0))
        dbi, dbh = blocks(g["bias_ih_l0"], PYTORCH_LSTM_ORDER, 0), blocks(g["bias_hh_l0"], PYTORCH_LSTM_ORDER, 0)
        pairs = [(loss, closs), (g["input"], cg_["dx"].transpose(2, 1, 0)),
                 (g["h0"][0], cg_["da0"].T), (g["c0"][0], cg_["dc0"].T)]
        for cg, lg in cmap.items():
            pairs += [(dwh[lg], cg_["dW" + cg][:, :H]), (dwi[lg], cg_["dW" + cg][:, H:]),
                      (dbi[lg], cg_["db" + cg][:, 0]), (dbh[lg], cg_["db" + cg][:, 0])]
        e = _max_rel(pairs)
        check(e < 1e-12, f"PyTorch LSTM == lstm_numpy.py Coursera LSTM with c0 after remapping: max rel {e:.1e}")

        # Keras LSTM -> Coursera LSTM
        prob = _random_problem("keras-lstm", {}, size, rng)
        tn = prob["tensors"]
        k, rk, kb = (blocks(tn["kernel"], KERAS_LSTM_ORDER, 1), blocks(tn["recurrent_kernel"], KERAS_LSTM_ORDER, 1),
                     blocks(tn["bias"], KERAS_LSTM_ORDER, 0))
        cp = {}
        for cg, lg in cmap.items():
            cp["W" + cg] = np.hstack([rk[lg].T, k[lg].T]).tolist()
            cp["b" + cg] = kb[lg][:, None].tolist()
        cfx = ln.fixture_from_dict({"parameters": cp, "x": tn["inputs"].transpose(2, 0, 1).tolist(),
                                    "a0": tn["h0"].T.tolist(), "c0": tn["c0"].T.tolist(),
                                    "da": prob["data"]["grad_output"].transpose(2, 0, 1).tolist()})
        closs, cg_ = ln.bptt_gradients(cfx)
        loss, g = run_route(prob, "gradients")
        dk, drk, db = (blocks(g["kernel"], KERAS_LSTM_ORDER, 1), blocks(g["recurrent_kernel"], KERAS_LSTM_ORDER, 1),
                       blocks(g["bias"], KERAS_LSTM_ORDER, 0))
        pairs = [(loss, closs), (g["inputs"], cg_["dx"].transpose(1, 2, 0)),
                 (g["h0"], cg_["da0"].T), (g["c0"], cg_["dc0"].T)]
        for cg, lg in cmap.items():
            pairs += [(drk[lg].T, cg_["dW" + cg][:, :H]), (dk[lg].T, cg_["dW" + cg][:, H:]),
                      (db[lg], cg_["db" + cg][:, 0])]
        e = _max_rel(pairs)
        check(e < 1e-12, f"Keras LSTM == lstm_numpy.py Coursera LSTM with c0 after remapping: max rel {e:.1e}")

        # cs231n RNN -> Coursera RNN (Waa = Wh^T, Wax = Wx^T, ba = b)
        prob = _random_problem("cs231n-rnn", {}, size, rng)
        tn = prob["tensors"]
        cfx = ln.fixture_from_dict({"cell": "rnn", "parameters": {
            "Waa": tn["Wh"].T.tolist(), "Wax": tn["Wx"].T.tolist(), "ba": tn["b"][:, None].tolist()},
            "x": tn["x"].transpose(2, 0, 1).tolist(), "a0": tn["h0"].T.tolist(),
            "da": prob["data"]["dout"].transpose(2, 0, 1).tolist()})
        pairs = []
        for route, cfun in (("gradients", ln.bptt_gradients), ("per-step", ln.per_step_gradients)):
            closs, cg_ = cfun(cfx)
            loss, g = run_route(prob, route)
            pairs += [(loss, closs), (g["dWh"].T, cg_["dWaa"]), (g["dWx"].T, cg_["dWax"]),
                      (g["db"], cg_["dba"][:, 0]), (g["dh0"], cg_["da0"].T),
                      (g["dx"], cg_["dx"].transpose(1, 2, 0))]
        e = _max_rel(pairs)
        check(e < 1e-12, f"cs231n RNN == lstm_numpy.py Coursera RNN after remapping (bptt and per-step): "
                         f"max rel {e:.1e}")

        # Coursera GRU (column form) -> PyTorch GRU (row engine), all routes
        prob = _random_problem("coursera-gru", {"upstream_T": "T"}, size, rng)
        tn = prob["tensors"]
        cat = lambda pre: np.vstack([tn[pre + g] for g in "rzn"])
        pprob = load_problem({"layout": "pytorch", "cell": "gru", "parameters": {
            "weight_ih_l0": cat("Wi").tolist(), "weight_hh_l0": cat("Wh").tolist(),
            "bias_ih_l0": cat("bi")[:, 0].tolist(), "bias_hh_l0": cat("bh")[:, 0].tolist()},
            "input": tn["x"].transpose(2, 1, 0).tolist(), "h0": tn["a0"].T[None].tolist(),
            "grad_output": prob["data"]["da"].transpose(2, 1, 0).tolist()})
        pairs = []
        for route in ("gradients", "per-step"):
            loss, g = run_route(prob, route)
            ploss, pg = run_route(pprob, route)
            rows = lambda a: split_gates(a, PYTORCH_GRU_ORDER, 0)
            wi, wh, bi, bh = (rows(pg["weight_ih_l0"]), rows(pg["weight_hh_l0"]),
                              rows(pg["bias_ih_l0"]), rows(pg["bias_hh_l0"]))
            pairs += [(loss, ploss), (g["dx"], pg["input"].transpose(2, 1, 0)), (g["da0"], pg["h0"][0].T)]
            for gate in "rzn":
                pairs += [(g["dWi" + gate], wi[gate]), (g["dWh" + gate], wh[gate]),
                          (g["dbi" + gate][:, 0], bi[gate]), (g["dbh" + gate][:, 0], bh[gate])]
        e = _max_rel(pairs)
        check(e < 1e-12, f"Coursera GRU (column form) == PyTorch GRU (row form) after remapping "
                         f"(bptt and per-step, N,T,D,H={N},{T},{D},{H}): max rel {e:.1e}")

        # Keras GRU with U_h = 0  ==  PyTorch GRU with W_hn = 0, b_hn = 0 (n then ignores r)
        prob = _random_problem("keras-gru", {"reset_after": False}, size, rng)
        tn = {k: v.copy() for k, v in prob["tensors"].items()}
        tn["recurrent_kernel"][:, 2 * H:] = 0.0
        kz, kr, kh = np.split(tn["kernel"], 3, axis=1)
        uz, ur, _ = np.split(tn["recurrent_kernel"], 3, axis=1)
        bz, br, bh_ = np.split(tn["bias"], 3)
        d = {"layout": "pytorch", "cell": "gru", "parameters": {
            "weight_ih_l0": np.vstack([kr.T, kz.T, kh.T]).tolist(),
            "weight_hh_l0": np.vstack([ur.T, uz.T, np.zeros((H, H))]).tolist(),
            "bias_ih_l0": np.concatenate([br, bz, bh_]).tolist(), "bias_hh_l0": np.zeros(3 * H).tolist()},
            "input": tn["inputs"].transpose(1, 0, 2).tolist(), "h0": tn["h0"][None].tolist(),
            "grad_output": prob["data"]["grad_output"].transpose(1, 0, 2).tolist()}
        pprob = load_problem(d)
        kloss, kg = run_route(prob, "gradients", tn)
        ploss, pg = run_route(pprob, "gradients")
        dkz, dkr, dkh = np.split(kg["kernel"], 3, axis=1)
        duz, dur, _ = np.split(kg["recurrent_kernel"], 3, axis=1)
        dbz, dbr, dbh = np.split(kg["bias"], 3)
        wi, wh = split_gates(pg["weight_ih_l0"], PYTORCH_GRU_ORDER, 0), split_gates(pg["weight_hh_l0"], PYTORCH_GRU_ORDER, 0)
        bi = split_gates(pg["bias_ih_l0"], PYTORCH_GRU_ORDER, 0)
        pairs = [(kloss, ploss), (kg["inputs"], pg["input"].transpose(1, 0, 2)), (kg["h0"], pg["h0"][0]),
                 (dkz.T, wi["z"]), (dkr.T, wi["r"]), (dkh.T, wi["n"]), (duz.T, wh["z"]), (dur.T, wh["r"]),
                 (dbz, bi["z"]), (dbr, bi["r"]), (dbh, bi["n"])]
        e = _max_rel(pairs)
        check(e < 1e-12, f"Keras GRU (reset_after=False) with U_h = 0 == PyTorch GRU with W_hn = 0, "
                         f"b_hn = 0 (all but the U_h/W_hn gradients): max rel {e:.1e}")

        # Keras GRU (reset_after=True) == PyTorch GRU after remapping: blocks z,r,h -> r,z,n,
        # columns -> rows, bias row 0 -> bias_ih_l0, row 1 -> bias_hh_l0 (every route)
        prob = _random_problem("keras-gru", {}, size, rng)
        tn = prob["tensors"]
        kz, kr, kh = np.split(tn["kernel"], 3, axis=1)
        uz, ur, uh = np.split(tn["recurrent_kernel"], 3, axis=1)
        (biz, bir, bih), (bhz, bhr, bhh) = np.split(tn["bias"][0], 3), np.split(tn["bias"][1], 3)
        d = {"layout": "pytorch", "cell": "gru", "parameters": {
            "weight_ih_l0": np.vstack([kr.T, kz.T, kh.T]).tolist(),
            "weight_hh_l0": np.vstack([ur.T, uz.T, uh.T]).tolist(),
            "bias_ih_l0": np.concatenate([bir, biz, bih]).tolist(),
            "bias_hh_l0": np.concatenate([bhr, bhz, bhh]).tolist()},
            "input": tn["inputs"].transpose(1, 0, 2).tolist(), "h0": tn["h0"][None].tolist(),
            "grad_output": prob["data"]["grad_output"].transpose(1, 0, 2).tolist()}
        pprob = load_problem(d)
        pairs = []
        for route in ("gradients", "per-step", "gate-order-mixed"):
            kloss, kg = run_route(prob, route)
            ploss, pg = run_route(pprob, route)
            # gate-order-mixed exchanges each layout's first two blocks, Keras' z,r and
            # PyTorch's r,z: the same two gates, so the remapped tensors still agree.
            rows = lambda a: np.split(a, 3, axis=0)
            wi, wh, bi, bh = rows(pg["weight_ih_l0"]), rows(pg["weight_hh_l0"]), rows(pg["bias_ih_l0"]), rows(pg["bias_hh_l0"])
            zrh = lambda a, axis: np.split(a, 3, axis=axis)
            dk, du = zrh(kg["kernel"], 1), zrh(kg["recurrent_kernel"], 1)
            db0, db1 = zrh(kg["bias"][0], 0), zrh(kg["bias"][1], 0)
            pairs += [(kloss, ploss), (kg["inputs"], pg["input"].transpose(1, 0, 2)), (kg["h0"], pg["h0"][0])]
            for kk, pk in ((0, 1), (1, 0), (2, 2)):   # Keras z, r, h <-> PyTorch z (1), r (0), n (2)
                pairs += [(dk[kk].T, wi[pk]), (du[kk].T, wh[pk]), (db0[kk], bi[pk]), (db1[kk], bh[pk])]
        e = _max_rel(pairs)
        check(e < 1e-12, f"Keras GRU (reset_after=True) == PyTorch GRU with the blocks remapped "
                         f"(gradients, per-step, gate-order-mixed; N,T,D,H={N},{T},{D},{H}): max rel {e:.1e}")


def _closed_forms(check):
    # captioning, all weights zero: h = 0, scores = 0, loss = sum(mask) log V / N,
    # db_vocab[v] = sum over unmasked (n,t) of (1/V - [captions = v]) / N; all else 0
    for (N, T, V) in ((2, 3, 4), (1, 1, 2), (4, 5, 8)):
        rng = np.random.default_rng(51 + N)
        for cell in ("lstm", "rnn"):
            d = build_fixture(f"cs231n-{cell}-captioning", rng, N=N, T=T, D=2, H=3, V=V)
            for k in d["parameters"]:
                d["parameters"][k] = np.zeros_like(np.array(d["parameters"][k])).tolist()
            d["h0"] = np.zeros((N, 3)).tolist()
            prob = load_problem(d)
            loss, g = run_route(prob, "gradients")
            mask, cap = np.array(d["mask"]), np.array(d["captions"])
            want_db = np.array([(np.sum(mask) / V - np.sum(mask * (cap == v))) / N for v in range(V)])
            zero_rest = all(np.all(g[k] == 0.0) for k in g if k != "db_vocab")
            check(abs(loss - np.sum(mask) * math.log(V) / N) <= 1e-14 * max(1.0, loss)
                  and _max_rel([(g["db_vocab"], want_db)]) < 1e-15 and zero_rest,
                  f"captioning ({cell}) with zero weights, N,T,V={N},{T},{V}, {int(np.sum(mask))} "
                  f"unmasked: loss = sum(mask) log V / N = {loss:.6g}, db_vocab closed form, rest 0")
    # captioning, mask all zero: loss 0, every gradient 0
    d = build_fixture("cs231n-lstm-captioning", np.random.default_rng(55), N=2, T=3, D=2, H=3, V=4)
    d["mask"] = [[0] * 3] * 2
    loss, g = run_route(load_problem(d), "gradients")
    check(loss == 0.0 and all(np.all(v == 0.0) for v in g.values()),
          "captioning with an all-zero mask: loss 0 and every gradient 0")
    # captioning loss computed the slow way (one softmax per (n, t))
    d = build_fixture("cs231n-lstm-captioning", np.random.default_rng(56), N=3, T=4, D=2, H=3, V=5)
    prob = load_problem(d)
    tn = prob["tensors"]
    hs, _ = lstm_forward(tn["x"].transpose(1, 0, 2), tn["h0"], np.zeros((3, 3)), tn["Wx"], tn["Wh"],
                         tn["b"], CS231N_LSTM_ORDER)
    slow = 0.0
    for n in range(3):
        for t in range(4):
            s = hs[t, n] @ tn["W_vocab"] + tn["b_vocab"]
            p = np.exp(s) / np.sum(np.exp(s))
            slow -= d["mask"][n][t] * math.log(p[d["captions"][n][t]])
    slow /= 3
    loss = run_route(prob, None)
    check(abs(loss - slow) <= 1e-14 * abs(slow), f"captioning loss == direct sum of -mask log p / N "
                                                 f"({loss:.15g} vs {slow:.15g})")

    # GRU with all weights zero: r = z = 1/2, n = 0, a_t = a_{t-1} / 2
    for layout in ("coursera-gru", "pytorch-gru", "keras-gru"):
        d = build_fixture(layout, np.random.default_rng(57), N=2, T=4, D=3, H=2, V=3,
                          **({"upstream_T": 4} if layout == "coursera-gru" else {}))
        for k in d["parameters"]:
            d["parameters"][k] = np.zeros_like(np.array(d["parameters"][k])).tolist()
        prob = load_problem(d)
        loss, g = run_route(prob, "gradients")
        h0key, gokey = {"coursera-gru": ("a0", "da"), "pytorch-gru": ("h0", "grad_output"),
                        "keras-gru": ("h0", "grad_output")}[layout]
        h0 = np.array(d[h0key])
        go = np.array(d[gokey])
        if layout == "coursera-gru":
            want = sum(np.sum(go[:, :, t] * h0 * 0.5 ** (t + 1)) for t in range(4))
            dh0 = sum(go[:, :, t] * 0.5 ** (t + 1) for t in range(4))
            got_dh0 = g["da0"]
        elif layout == "pytorch-gru":
            want = sum(np.sum(go[t] * h0[0] * 0.5 ** (t + 1)) for t in range(4))
            dh0 = sum(go[t] * 0.5 ** (t + 1) for t in range(4))[None]
            got_dh0 = g["h0"]
        else:
            want = sum(np.sum(go[:, t] * h0 * 0.5 ** (t + 1)) for t in range(4))
            dh0 = sum(go[:, t] * 0.5 ** (t + 1) for t in range(4))
            got_dh0 = g["h0"]
        check(abs(loss - want) <= 1e-14 * max(1.0, abs(want)) and _max_rel([(got_dh0, dh0)]) < 1e-14,
              f"{layout} with zero weights: h_t = h0 / 2^t, loss and dh0 = sum_t G_t / 2^t match")


def _validation(check):
    rng = np.random.default_rng(61)
    bad = []
    base = build_fixture("cs231n-lstm-captioning", rng, N=2, T=3, D=2, H=2, V=3)
    bad.append((dict(base, captions=[[0, 1, 3]] * 2), "caption index >= V"))
    bad.append((dict(base, captions=[[0, 1.5, 2]] * 2), "non-integer caption"))
    bad.append((dict(base, mask=[[0, 1, 2]] * 2), "mask entry 2"))
    bad.append((dict(base, dout=np.zeros((2, 3, 2)).tolist()), "dout and captions"))
    bad.append((dict(base, batch_first=True), "batch_first outside pytorch"))
    bad.append((dict(base, c0=np.zeros((2, 2)).tolist()), "c0 in cs231n"))
    base = build_fixture("cs231n-lstm", rng, N=2, T=3, D=2, H=2)
    bad.append((dict(base, parameters=dict(base["parameters"], Wx=np.zeros((2, 2)).tolist())),
                "cs231n Wx (D,H) for an LSTM"))
    bad.append((dict(base, cell="gru"), "cs231n gru"))
    bad.append((dict(base, layout="caffe"), "unknown layout"))
    base = build_fixture("pytorch-lstm", rng, N=2, T=3, D=2, H=2)
    bad.append((dict(base, batch_first=True), "batch_first with time-major input (T != N)"))
    bad.append((dict(base, h0=np.zeros((2, 2)).tolist()), "pytorch h0 without the layer axis"))
    bad.append((dict(base, parameters=dict(base["parameters"],
                                           weight_ih_l0=np.zeros((2, 8)).tolist())),
                "weight_ih_l0 transposed"))
    base = build_fixture("pytorch-gru", rng, N=2, T=3, D=2, H=2)
    bad.append((dict(base, c0=np.zeros((1, 2, 2)).tolist()), "c0 for a GRU"))
    base = build_fixture("keras-gru", rng, N=2, T=3, D=2, H=2, reset_after=False)
    bad.append((dict(base, parameters=dict(base["parameters"], bias=np.zeros((2, 6)).tolist())),
                "Keras reset_after=False with a (2,3H) bias"))
    bad.append((dict(base, reset_after="no"), "reset_after not a bool"))
    base = build_fixture("keras-gru", rng, N=2, T=3, D=2, H=2)
    bad.append((dict(base, parameters=dict(base["parameters"], bias=np.zeros(6).tolist())),
                "Keras reset_after=True with a (3H,) bias"))
    base = build_fixture("keras-lstm", rng, N=2, T=3, D=2, H=2)
    bad.append((dict(base, reset_after=False), "reset_after for an LSTM"))
    base = build_fixture("pytorch-gru", rng, N=2, T=3, D=2, H=2)
    bad.append((dict(base, reset_after=False), "reset_after in the pytorch layout"))
    base = build_fixture("coursera-gru", rng, N=2, T=3, D=2, H=2, V=3)
    bad.append((dict(base, da=np.zeros((2, 2, 3)).tolist()), "both y and da"))
    bad.append((dict(base, y=[[0, 1, 3]] * 2), "label >= n_y"))
    p = {k: v for k, v in base["parameters"].items() if k != "bhn"}
    bad.append((dict(base, parameters=p), "bhn missing"))
    check(all(rejects(load_problem, d, w) for d, w in bad), f"fixture validation rejects: {'; '.join(w for _, w in bad)}")


def _round_trip(check):
    with tempfile.TemporaryDirectory() as tmp:
        ok = True
        for kind, opts in (("cs231n-lstm-captioning", {}), ("pytorch-lstm", {"batch_first": True}),
                           ("coursera-gru", {})):
            d = build_fixture(kind, np.random.default_rng(71), N=2, T=3, D=2, H=3, V=3, name="rt", **opts)
            fpath = Path(tmp) / "rt.json"
            write_json(fpath, d)
            out_path, _ = write_expected(fpath, Path(tmp) / "out")
            back = json.loads(out_path.read_text())
            prob = load_fixture(fpath)
            ok = ok and out_path.name == "rt.expected.json" and back["fixture"] == "rt" and \
                back["produced_by"] == PRODUCED_BY and list(back)[3:] == list(routes_of(prob))
            for route in routes_of(prob):
                loss, g = run_route(prob, route)
                ok = ok and back["loss"] == loss and list(back[route]) == list(g) and \
                    all(np.array_equal(np.array(back[route][k]), g[k]) for k in g)
            ints = all(isinstance(v, int) for row in d.get("captions", d.get("y", [[0]])) for v in row)
            ok = ok and ints and json.loads(fpath.read_text()) == d
        check(ok, "fixture and expected files round-trip through JSON bit-exactly (ints stay ints)")


# ----------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------

def main(argv=None):
    return numpy_common.main(argv, __doc__.split("\n\n")[0], self_test, write_expected, write_all)


if __name__ == "__main__":
    sys.exit(main())
