#!/usr/bin/env python3
"""Independent NumPy reference implementation of LSTM and plain-RNN forward/backward passes.

Written from the written contract only (Coursera deep-learning notation), not
from the Swift sources, so its expected gradients are an independent check.

Usage:
    python3 Fixtures/tools/lstm_numpy.py FIXTURE.json [FIXTURE2.json ...] --out-dir DIR
    python3 Fixtures/tools/lstm_numpy.py --self-test

For every fixture writes DIR/<fixture file stem>.expected.json containing the
loss and the gradients from three routes: "bptt", "per-step", "numerical".

Network (float64 throughout), for t = 0..T_x-1:
    concat = [a_prev; x_t]                       (n_a + n_x) x m
    f  = sigmoid(Wf concat + bf)
    i  = sigmoid(Wi concat + bi)
    cc = tanh(Wc concat + bc)
    c_t = f * c_prev + i * cc
    o  = sigmoid(Wo concat + bo)
    a_t = o * tanh(c_t)
    yhat_t = softmax(Wy a_t + by)                (over the n_y axis)
Loss  L = -sum_t sum_j log yhat_t[y[j,t], j]   (summed, not averaged)
Upstream mode (fixture gives "da", n_a x m x T', T' <= T_x, instead of y/Wy/by):
    L = sum_{t<T'} sum(da[:,:,t] * a_t); dWy/dby are absent.

Plain RNN (fixture has "cell": "rnn"; absent or "lstm" selects the LSTM above).
Parameters Waa (n_a x n_a), Wax (n_a x n_x), ba (n_a x 1), Wya (n_y x n_a),
by (n_y x 1); a0 (n_a x m, zeros if absent); no c0 (rejected). For t = 0..T_x-1:
    a_t = tanh(Waa a_prev + Wax x_t + ba)
    yhat_t = softmax(Wya a_t + by)
Same loss (and same upstream-da mode, which drops Wya/by and dWya/dby).
Gradient keys: dWaa dWax dba dWya dby da0 dx.

Importable as a module: see load_fixture, forward, loss_value, cell_backward,
bptt_gradients, per_step_gradients, numerical_gradients, expected_for_fixture.
"""

import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

import numpy_common
from numpy_common import Checks, central_differences, log_softmax, rejects, rel_err, scan_columns, sigmoid

PRODUCED_BY = "Fixtures/tools/lstm_numpy.py (independent NumPy implementation)"
GATES = ("f", "i", "c", "o")
GATE_PARAMS = ("Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo")
RNN_PARAMS = ("Waa", "Wax", "ba")
CELLS = ("lstm", "rnn")
H_NUMERICAL = 1e-5


# ----------------------------------------------------------------------------
# Numerically stable primitives
# ----------------------------------------------------------------------------

def label_losses(z, Y):
    """-log softmax(z)[label] per column (Y one-hot), without cancellation: when the label
    is the largest logit, log1p of the other classes' exp(z_k - z_y) keeps a tiny loss exact."""
    zy = np.sum(z * Y, axis=0)
    m = np.max(z, axis=0)
    general = m - zy + np.log(np.sum(np.exp(z - m), axis=0))
    # exp(z - zy) may overflow only where the label is not the largest; np.where discards it there.
    with np.errstate(over="ignore", invalid="ignore"):
        others = np.sum(np.exp(z - zy) * (1 - Y), axis=0)
        return np.where(zy >= m, np.log1p(others), general)


def softmax(z, axis=0):
    z = np.asarray(z, dtype=np.float64)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=axis, keepdims=True)


# ----------------------------------------------------------------------------
# Fixture loading / validation
# ----------------------------------------------------------------------------

def _arr(value, name, ndim):
    a = np.array(value, dtype=np.float64)
    if a.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-d nested list, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name}: contains non-finite values")
    return a


def targets_to_onehot(y, n_y, m, T_x):
    """Accept y as m x T_x class indices or an n_y x m x T_x one-hot array."""
    y = np.asarray(y)
    if y.ndim == 2:
        if y.shape != (m, T_x):
            raise ValueError(f"y: expected shape {(m, T_x)} (m x T_x), got {y.shape}")
        yf = y.astype(np.float64)
        idx = np.rint(yf).astype(np.int64)
        if not np.all(idx == yf):
            raise ValueError("y: class indices must be integers")
        if np.any(idx < 0) or np.any(idx >= n_y):
            raise ValueError(f"y: class indices must be in 0..{n_y - 1}")
        Y = np.zeros((n_y, m, T_x), dtype=np.float64)
        for j in range(m):
            for t in range(T_x):
                Y[idx[j, t], j, t] = 1.0
        return Y
    if y.ndim == 3:
        if y.shape != (n_y, m, T_x):
            raise ValueError(f"y: one-hot form must have shape {(n_y, m, T_x)}, got {y.shape}")
        return y.astype(np.float64)
    raise ValueError(f"y: expected m x T_x indices or n_y x m x T_x one-hot, got shape {y.shape}")


def fixture_from_dict(d, default_name="fixture"):
    """Turn a fixture JSON dict into a dict of validated float64 arrays.

    Returned keys: name, params (dict), a0, c0 (or None), has_c0, x,
    mode ("softmax" | "upstream"), Y (n_y x m x T_x one-hot, softmax mode),
    da (n_a x m x T_x, zero-padded, upstream mode), T_up (T' in upstream mode),
    cell ("lstm" | "rnn").
    """
    cell = d.get("cell")
    cell = "lstm" if cell is None else cell
    if cell not in CELLS:
        raise ValueError(f"cell: expected one of {CELLS}, got {cell!r}")
    if cell == "rnn":
        return rnn_fixture_from_dict(d, default_name)
    p = d["parameters"]
    x = _arr(d["x"], "x", 3)
    n_x, m, T_x = x.shape
    Wf = _arr(p["Wf"], "Wf", 2)
    n_a = Wf.shape[0]
    params = {}
    for k in GATE_PARAMS:
        if k not in p:
            raise ValueError(f"parameters.{k} missing")
        if k.startswith("W"):
            params[k] = _arr(p[k], k, 2)
            if params[k].shape != (n_a, n_a + n_x):
                raise ValueError(f"{k}: expected shape {(n_a, n_a + n_x)}, got {params[k].shape}")
        else:
            params[k] = _arr(p[k], k, 2)
            if params[k].shape != (n_a, 1):
                raise ValueError(f"{k}: expected shape {(n_a, 1)}, got {params[k].shape}")

    a0 = _state(d, "a0", n_a, m)
    a0 = np.zeros((n_a, m)) if a0 is None else a0
    c0 = _state(d, "c0", n_a, m)
    has_c0 = c0 is not None

    fx = {"name": d.get("name", default_name), "cell": "lstm", "params": params, "a0": a0,
          "c0": c0, "has_c0": has_c0, "x": x}
    _add_objective(fx, d, p, params, n_a, m, T_x, "Wy", "by")
    return fx


def _state(d, key, n_a, m):
    """The initial state d[key] (n_a x m), or None where the fixture leaves it out or null."""
    if d.get(key) is None:
        return None
    state = _arr(d[key], key, 2)
    if state.shape != (n_a, m):
        raise ValueError(f"{key}: expected shape {(n_a, m)}, got {state.shape}")
    return state


def _add_objective(fx, d, p, params, n_a, m, T_x, wy, by_):
    """Validates y (with output weights wy/by_) or upstream da; updates fx/params."""
    has_da = "da" in d and d["da"] is not None
    has_y = "y" in d and d["y"] is not None
    if has_da and has_y:
        raise ValueError("fixture gives both 'y' and 'da'; exactly one is allowed")
    if has_da:
        da = _arr(d["da"], "da", 3)
        if da.shape[:2] != (n_a, m) or da.shape[2] > T_x or da.shape[2] < 1:
            raise ValueError(f"da: expected shape (n_a, m, T') = ({n_a}, {m}, T'<= {T_x}), got {da.shape}")
        if wy in p or by_ in p:
            print(f"note: fixture '{fx['name']}' is in upstream-da mode; ignoring {wy}/{by_}",
                  file=sys.stderr)
        padded = np.zeros((n_a, m, T_x))
        padded[:, :, :da.shape[2]] = da
        fx.update(mode="upstream", da=padded, T_up=da.shape[2])
    elif has_y:
        for k in (wy, by_):
            if k not in p:
                raise ValueError(f"parameters.{k} missing (needed with 'y')")
        Wy = _arr(p[wy], wy, 2)
        by = _arr(p[by_], by_, 2)
        n_y = Wy.shape[0]
        if Wy.shape != (n_y, n_a):
            raise ValueError(f"{wy}: expected shape ({n_y}, {n_a}), got {Wy.shape}")
        if by.shape != (n_y, 1):
            raise ValueError(f"{by_}: expected shape ({n_y}, 1), got {by.shape}")
        params[wy] = Wy
        params[by_] = by
        fx.update(mode="softmax", Y=targets_to_onehot(d["y"], n_y, m, T_x))
    else:
        raise ValueError("fixture must give either 'y' or 'da'")


def rnn_fixture_from_dict(d, default_name="fixture"):
    """Plain-RNN fixture: parameters Waa, Wax, ba (+ Wya, by with y), a0, x, y | da."""
    name = d.get("name", default_name)
    if "c0" in d:
        raise ValueError("c0: the plain RNN has no cell state; remove 'c0' from the fixture")
    p = d["parameters"]
    x = _arr(d["x"], "x", 3)
    n_x, m, T_x = x.shape
    for k in RNN_PARAMS:
        if k not in p:
            raise ValueError(f"parameters.{k} missing")
    params = {k: _arr(p[k], k, 2) for k in RNN_PARAMS}
    n_a = params["Waa"].shape[0]
    for k, shape in (("Waa", (n_a, n_a)), ("Wax", (n_a, n_x)), ("ba", (n_a, 1))):
        if params[k].shape != shape:
            raise ValueError(f"{k}: expected shape {shape}, got {params[k].shape}")
    a0 = _state(d, "a0", n_a, m)
    a0 = np.zeros((n_a, m)) if a0 is None else a0
    fx = {"name": name, "cell": "rnn", "params": params, "a0": a0,
          "c0": None, "has_c0": False, "x": x}
    _add_objective(fx, d, p, params, n_a, m, T_x, "Wya", "by")
    return fx


def load_fixture(path):
    path = Path(path)
    with open(path) as fh:
        d = json.load(fh)
    return fixture_from_dict(d, default_name=path.stem)


# ----------------------------------------------------------------------------
# Forward pass
# ----------------------------------------------------------------------------

def cell_forward(params, x_t, a_prev, c_prev):
    concat = np.vstack([a_prev, x_t])
    f = sigmoid(params["Wf"] @ concat + params["bf"])
    i = sigmoid(params["Wi"] @ concat + params["bi"])
    cc = np.tanh(params["Wc"] @ concat + params["bc"])
    c = f * c_prev + i * cc
    o = sigmoid(params["Wo"] @ concat + params["bo"])
    tc = np.tanh(c)
    a = o * tc
    cache = {"concat": concat, "a_prev": a_prev, "c_prev": c_prev,
             "f": f, "i": i, "cc": cc, "o": o, "c": c, "tc": tc, "a": a}
    return a, c, cache


def forward(params, a0, c0, x):
    """Runs the LSTM over all T_x steps; returns (a, c, caches), a/c: n_a x m x T_x."""
    if c0 is None:
        c0 = np.zeros(a0.shape)
    return scan_columns(lambda x_t, a_prev, c_prev: cell_forward(params, x_t, a_prev, c_prev), x, a0, c0)


def rnn_cell_forward(params, x_t, a_prev):
    a = np.tanh(params["Waa"] @ a_prev + params["Wax"] @ x_t + params["ba"])
    return a, {"a_prev": a_prev, "x": x_t, "a": a}


def rnn_forward(params, a0, x):
    """Runs the plain RNN over all T_x steps; returns (a, caches), a: n_a x m x T_x."""
    return scan_columns(lambda x_t, a_prev: rnn_cell_forward(params, x_t, a_prev), x, a0)


def _out_names(fx):
    return ("Wya", "by") if fx.get("cell") == "rnn" else ("Wy", "by")


def _objective(fx, params, a):
    """Loss from the hidden states; also returns the dL/da_t from the loss at t alone."""
    T_x = a.shape[2]
    wy, by_ = _out_names(fx)
    if fx["mode"] == "upstream":
        loss = float(np.sum(fx["da"] * a))  # da is zero-padded beyond T'
        return loss, fx["da"].copy(), None
    Y = fx["Y"]
    loss = 0.0
    da_local = np.zeros_like(a)
    dWy = np.zeros_like(params[wy])
    dby = np.zeros_like(params[by_])
    for t in range(T_x):
        z = params[wy] @ a[:, :, t] + params[by_]
        logp = log_softmax(z, axis=0)
        loss += float(np.sum(label_losses(z, Y[:, :, t])))
        # d(-sum Y log softmax z)/dz = yhat - onehot; at the label yhat_y - 1 is taken as
        # -sum of the other classes' yhat, so a nearly right yhat_y ~ 1 loses nothing.
        p = np.exp(logp)
        others = np.sum(p * (1 - Y[:, :, t]), axis=0, keepdims=True)
        dz = p * (1 - Y[:, :, t]) - Y[:, :, t] * others
        dWy += dz @ a[:, :, t].T
        dby += np.sum(dz, axis=1, keepdims=True)
        da_local[:, :, t] = params[wy].T @ dz
    return loss, da_local, (dWy, dby)


def loss_value(fx, params=None, a0=None, c0=None, x=None):
    """Scalar loss; any of params/a0/c0/x may be overridden (used by numerical route)."""
    params = fx["params"] if params is None else params
    a0 = fx["a0"] if a0 is None else a0
    c0 = fx["c0"] if c0 is None else c0
    x = fx["x"] if x is None else x
    if fx.get("cell") == "rnn":
        a, _ = rnn_forward(params, a0, x)
    else:
        a, _, _ = forward(params, a0, c0, x)
    return _objective(fx, params, a)[0]


# ----------------------------------------------------------------------------
# Backward pass
# ----------------------------------------------------------------------------

def cell_backward(params, cache, da_next, dc_next):
    """Local backward through one cell.

    da_next: total dL/da_t reaching this cell; dc_next: dL/dc_t arriving from t+1.
    Returns (grads dict for the gate weights/biases, da_prev, dc_prev, dx_t).
    """
    f, i, cc, o = cache["f"], cache["i"], cache["cc"], cache["o"]
    tc, c_prev, concat = cache["tc"], cache["c_prev"], cache["concat"]
    n_a = f.shape[0]

    do = da_next * tc
    dc = dc_next + da_next * o * (1.0 - tc * tc)
    df = dc * c_prev
    di = dc * cc
    dcc = dc * i

    dz = {"f": df * f * (1.0 - f),
          "i": di * i * (1.0 - i),
          "c": dcc * (1.0 - cc * cc),
          "o": do * o * (1.0 - o)}
    grads = {}
    dconcat = np.zeros_like(concat)
    for g in GATES:
        grads["dW" + g] = dz[g] @ concat.T
        grads["db" + g] = np.sum(dz[g], axis=1, keepdims=True)
        dconcat += params["W" + g].T @ dz[g]
    da_prev = dconcat[:n_a, :]
    dx_t = dconcat[n_a:, :]
    dc_prev = dc * f
    return grads, da_prev, dc_prev, dx_t


def _backward(fx, carry):
    params = fx["params"]
    a, _, caches = forward(params, fx["a0"], fx["c0"], fx["x"])
    loss, da_local, out_grads = _objective(fx, params, a)
    n_a, m, T_x = a.shape
    grads = {}
    for g in GATES:
        grads["dW" + g] = np.zeros_like(params["W" + g])
        grads["db" + g] = np.zeros_like(params["b" + g])
    dx = np.zeros_like(fx["x"])
    da_carry = np.zeros((n_a, m))
    dc_carry = np.zeros((n_a, m))
    da0 = dc0 = None
    for t in reversed(range(T_x)):
        if carry:
            da_next = da_local[:, :, t] + da_carry
            dc_next = dc_carry
        else:
            da_next = da_local[:, :, t]
            dc_next = np.zeros((n_a, m))
        step, da_prev, dc_prev, dx_t = cell_backward(params, caches[t], da_next, dc_next)
        for k in step:
            grads[k] += step[k]
        dx[:, :, t] = dx_t
        da_carry, dc_carry = da_prev, dc_prev
        if t == 0:
            da0, dc0 = da_prev, dc_prev
    return loss, _assemble(fx, grads, out_grads, da0, dc0, dx)


def _assemble(fx, gate_grads, out_grads, da0, dc0, dx):
    out = {}
    for g in GATES:
        out["dW" + g] = gate_grads["dW" + g]
        out["db" + g] = gate_grads["db" + g]
    if fx["mode"] == "softmax":
        out["dWy"], out["dby"] = out_grads
    out["da0"] = da0
    if fx["has_c0"]:
        out["dc0"] = dc0
    out["dx"] = dx
    return out


def rnn_cell_backward(params, cache, da_next):
    """Local backward through one plain-RNN cell.

    da_next: total dL/da_t reaching this cell.
    Returns (grads dict dWaa/dWax/dba, da_prev, dx_t).
    """
    a = cache["a"]
    dz = da_next * (1.0 - a * a)  # tanh' = 1 - a_t^2
    grads = {"dWaa": dz @ cache["a_prev"].T,
             "dWax": dz @ cache["x"].T,
             "dba": np.sum(dz, axis=1, keepdims=True)}
    da_prev = params["Waa"].T @ dz
    dx_t = params["Wax"].T @ dz
    return grads, da_prev, dx_t


def _rnn_backward(fx, carry):
    params = fx["params"]
    a, caches = rnn_forward(params, fx["a0"], fx["x"])
    loss, da_local, out_grads = _objective(fx, params, a)
    n_a, m, T_x = a.shape
    grads = {"d" + k: np.zeros_like(params[k]) for k in RNN_PARAMS}
    dx = np.zeros_like(fx["x"])
    da_carry = np.zeros((n_a, m))
    da0 = None
    for t in reversed(range(T_x)):
        da_next = da_local[:, :, t] + da_carry if carry else da_local[:, :, t]
        step, da_prev, dx_t = rnn_cell_backward(params, caches[t], da_next)
        for k in step:
            grads[k] += step[k]
        dx[:, :, t] = dx_t
        da_carry = da_prev
        if t == 0:
            da0 = da_prev
    out = dict(grads)
    if fx["mode"] == "softmax":
        out["dWya"], out["dby"] = out_grads
    out["da0"] = da0
    out["dx"] = dx
    return loss, out


def bptt_gradients(fx):
    """Full backpropagation through time. Returns (loss, grads)."""
    if fx.get("cell") == "rnn":
        return _rnn_backward(fx, carry=True)
    return _backward(fx, carry=True)


def per_step_gradients(fx):
    """Same local formulas, nothing carried back in time. Returns (loss, grads)."""
    if fx.get("cell") == "rnn":
        return _rnn_backward(fx, carry=False)
    return _backward(fx, carry=False)


def numerical_gradients(fx, h=H_NUMERICAL):
    """Central differences for every element of every parameter, a0, c0 (if given), x."""
    params = fx["params"]
    work = {k: v.copy() for k, v in params.items()}
    a0 = fx["a0"].copy()
    c0 = None if fx["c0"] is None else fx["c0"].copy()
    x = fx["x"].copy()
    ev = lambda: loss_value(fx, params=work, a0=a0, c0=c0, x=x)

    out = {}
    base = RNN_PARAMS if fx.get("cell") == "rnn" else GATE_PARAMS
    names = list(base) + (list(_out_names(fx)) if fx["mode"] == "softmax" else [])
    for k in names:
        out["d" + k] = central_differences(work[k], ev, h)
    out["da0"] = central_differences(a0, ev, h)
    if fx["has_c0"]:
        out["dc0"] = central_differences(c0, ev, h)
    out["dx"] = central_differences(x, ev, h)
    return out


# ----------------------------------------------------------------------------
# Expected-file generation
# ----------------------------------------------------------------------------

def expected_for_fixture(fx):
    loss, bptt = bptt_gradients(fx)
    _, per_step = per_step_gradients(fx)
    numerical = numerical_gradients(fx)
    tolist = lambda g: {k: v.tolist() for k, v in g.items()}
    return {"fixture": fx["name"], "produced_by": PRODUCED_BY, "loss": float(loss),
            "routes": {"bptt": tolist(bptt), "per-step": tolist(per_step),
                       "numerical": tolist(numerical)}}


def write_expected(fixture_path, out_dir):
    return numpy_common.write_expected(fixture_path, out_dir, lambda path: expected_for_fixture(load_fixture(path)))


# ----------------------------------------------------------------------------
# Self-test
# ----------------------------------------------------------------------------

def random_fixture_dict(rng, n_x, n_a, n_y, m, T_x, c0=False, a0=True,
                        upstream_T=None, scale=0.5, name="random"):
    def r(*shape):
        return (scale * rng.standard_normal(shape)).tolist()
    params = {}
    for g in GATES:
        params["W" + g] = r(n_a, n_a + n_x)
        params["b" + g] = r(n_a, 1)
    d = {"name": name, "parameters": params, "x": r(n_x, m, T_x)}
    if a0:
        d["a0"] = r(n_a, m)
    if c0:
        d["c0"] = r(n_a, m)
    if upstream_T is None:
        params["Wy"] = r(n_y, n_a)
        params["by"] = r(n_y, 1)
        d["y"] = rng.integers(0, n_y, size=(m, T_x)).tolist()
    else:
        d["da"] = r(n_a, m, upstream_T)
    return d


def random_rnn_fixture_dict(rng, n_x, n_a, n_y, m, T_x, a0=True, upstream_T=None,
                            scale=0.5, onehot=False, name="random-rnn"):
    def r(*shape):
        return (scale * rng.standard_normal(shape)).tolist()
    params = {"Waa": r(n_a, n_a), "Wax": r(n_a, n_x), "ba": r(n_a, 1)}
    d = {"name": name, "cell": "rnn", "parameters": params, "x": r(n_x, m, T_x)}
    if a0:
        d["a0"] = r(n_a, m)
    if upstream_T is None:
        params["Wya"] = r(n_y, n_a)
        params["by"] = r(n_y, 1)
        idx = rng.integers(0, n_y, size=(m, T_x))
        d["y"] = (np.eye(n_y)[idx].transpose(2, 0, 1).tolist() if onehot else idx.tolist())
    else:
        d["da"] = r(n_a, m, upstream_T)
    return d


def _check_bptt_against_numerical(check, fx, name, expected_keys, also=lambda g: True):
    """bptt's gradients are the central differences' (1e-7), under exactly `expected_keys`, in
    their shapes, with bptt's loss the forward pass's; an upstream da over T' < T_x leaves dx
    zero after T'."""
    loss, g = bptt_gradients(fx)
    num = numerical_gradients(fx)
    errs = {k: rel_err(g[k], num[k]) for k in g}
    worst = max(errs, key=errs.get)
    keys_ok = set(g) == set(num) == expected_keys
    shapes_ok = all(g[k].shape == num[k].shape for k in g)
    check(keys_ok and shapes_ok and also(g) and errs[worst] < 1e-7 and abs(loss - loss_value(fx)) == 0.0,
          f"bptt == numerical [{name}]: {len(g)} tensors, worst rel err {errs[worst]:.2e} ({worst})")
    if fx["mode"] == "upstream" and fx["T_up"] < fx["x"].shape[2]:
        check(np.all(g["dx"][:, :, fx["T_up"]:] == 0.0), f"upstream dx is zero for t >= T' [{name}]")


def _check_per_step_is_bptt_at_one_step(check, fx, c, cell):
    """With T_x = 1 there is nothing to carry: per-step is bptt, bit for bit."""
    _, gb = bptt_gradients(fx)
    _, gp = per_step_gradients(fx)
    same = set(gb) == set(gp) and all(np.array_equal(gb[k], gp[k]) for k in gb)
    check(same, f"{cell}per-step == bptt bit-exactly for T_x=1 "
                f"(n_x={c['n_x']}, n_a={c['n_a']}, m={c['m']}, mode={fx['mode']})")


def _check_per_step_differs(check, fx, c, key, out_keys, cell):
    """With T_x >= 2 per-step's `key` is off, while the output layer's `out_keys` (which no
    carry reaches) are bptt's, bit for bit."""
    _, gb = bptt_gradients(fx)
    _, gp = per_step_gradients(fx)
    e = rel_err(gp[key], gb[key])
    same_out = fx["mode"] == "upstream" or all(np.array_equal(gb[k], gp[k]) for k in out_keys)
    check(e > 1e-3 and same_out,
          f"{cell}per-step != bptt for T_x={c['T_x']} ({key} rel err {e:.2e}; "
          f"{'/'.join(out_keys)} identical: {same_out}, mode={fx['mode']})")


def _zero_weights_fixture(d):
    """The fixture of dict `d` with every parameter set to zero (`d` is changed too)."""
    for k in d["parameters"]:
        d["parameters"][k] = np.zeros_like(np.array(d["parameters"][k])).tolist()
    return fixture_from_dict(d)


def _round_trip(d, stem):
    """Writes fixture dict `d` as <stem>.json and its expected file through write_expected,
    then reads both back: (the expected file's name, its JSON, whether it holds the three
    routes and its bptt route is the fixture's bptt gradients bit for bit)."""
    with tempfile.TemporaryDirectory() as tmp:
        fpath = Path(tmp) / f"{stem}.json"
        fpath.write_text(json.dumps(d))
        out_path, _ = write_expected(fpath, Path(tmp) / "out")
        back = json.loads(out_path.read_text())
        _, gb = bptt_gradients(load_fixture(fpath))
    exact = (set(back["routes"]) == {"bptt", "per-step", "numerical"}
             and all(np.array_equal(np.array(back["routes"]["bptt"][k]), gb[k]) for k in gb))
    return out_path.name, back, exact


def self_test():
    check = Checks()

    rng = np.random.default_rng(20240611)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        # 1. stability of the primitives at |z| = 1000
        z = np.array([[1000.0, -1000.0, 0.0]])
        s = sigmoid(z)
        ls = log_softmax(np.array([[1000.0], [-1000.0], [0.0]]), axis=0)
        sm = softmax(np.array([[1000.0], [-1000.0]]), axis=0)
        check(np.array_equal(s, [[1.0, 0.0, 0.5]]) and np.all(np.isfinite(ls))
              and ls[0, 0] == 0.0 and ls[1, 0] == -2000.0 and np.array_equal(sm, [[1.0], [0.0]]),
              "stable sigmoid/softmax/log-softmax at |z|=1000 (no overflow, exact limits)")

        # 2. bptt vs numerical on random small networks
        cases = [
            dict(name="tiny n_x=n_a=m=T_x=1", n_x=1, n_a=1, n_y=2, m=1, T_x=1),
            dict(name="tiny n_x=n_a=m=T_x=1 upstream", n_x=1, n_a=1, n_y=2, m=1, T_x=1, upstream_T=1),
            dict(name="small", n_x=3, n_a=4, n_y=3, m=2, T_x=4),
            dict(name="small no a0", n_x=2, n_a=3, n_y=4, m=3, T_x=3, a0=False),
            dict(name="small with c0", n_x=3, n_a=3, n_y=2, m=2, T_x=5, c0=True),
            dict(name="upstream T'<T_x", n_x=2, n_a=3, n_y=2, m=2, T_x=5, upstream_T=3),
            dict(name="upstream T'<T_x with c0", n_x=3, n_a=2, n_y=2, m=3, T_x=4, upstream_T=2, c0=True),
            dict(name="longer n_a=1", n_x=2, n_a=1, n_y=3, m=1, T_x=8),
        ]
        for c in cases:
            c = dict(c)
            name = c.pop("name")
            fx = fixture_from_dict(random_fixture_dict(rng, name=name, **c))
            expected_keys = {"dWf", "dbf", "dWi", "dbi", "dWc", "dbc", "dWo", "dbo", "da0", "dx"}
            if fx["mode"] == "softmax":
                expected_keys |= {"dWy", "dby"}
            if fx["has_c0"]:
                expected_keys |= {"dc0"}
            _check_bptt_against_numerical(check, fx, name, expected_keys)

        # 3. per-step == bptt exactly when T_x = 1
        for c in [dict(n_x=1, n_a=1, n_y=2, m=1, T_x=1),
                  dict(n_x=3, n_a=4, n_y=3, m=2, T_x=1, c0=True),
                  dict(n_x=2, n_a=3, n_y=2, m=2, T_x=1, upstream_T=1)]:
            _check_per_step_is_bptt_at_one_step(check, fixture_from_dict(random_fixture_dict(rng, **c)), c, "")

        # 4. per-step differs from bptt for T_x >= 2.
        # Caveat: with T_x = 2 and c0 = 0, dWf is the SAME in both routes: the
        # last step gets no carry either way, and at step 0 df = dc * c_prev = 0
        # because c_prev = c0 = 0. So T_x = 2 needs a nonzero c0 for dWf to differ.
        for c in [dict(n_x=3, n_a=4, n_y=3, m=2, T_x=2, c0=True),
                  dict(n_x=3, n_a=4, n_y=3, m=2, T_x=3),
                  dict(n_x=1, n_a=1, n_y=2, m=1, T_x=3),
                  dict(n_x=2, n_a=3, n_y=2, m=2, T_x=6, c0=True),
                  dict(n_x=2, n_a=3, n_y=2, m=2, T_x=4, upstream_T=3)]:
            _check_per_step_differs(check, fixture_from_dict(random_fixture_dict(rng, **c)), c, "dWf", ("dWy", "dby"), "")

        fx = fixture_from_dict(random_fixture_dict(rng, 3, 4, 3, 2, 2))
        _, gb = bptt_gradients(fx)
        _, gp = per_step_gradients(fx)
        check(np.array_equal(gb["dWf"], gp["dWf"]) and np.array_equal(gb["dbf"], gp["dbf"])
              and rel_err(gp["dWi"], gb["dWi"]) > 1e-3,
              "T_x=2 without c0: dWf/dbf identical in both routes (df=dc*c0=0 at t=0), "
              f"other gates differ (dWi rel err {rel_err(gp['dWi'], gb['dWi']):.2e})")

        # 5. hand-checkable: all weights and biases zero
        for (n_x, n_a, n_y, m, T_x) in [(2, 3, 4, 1, 2), (3, 2, 4, 2, 4), (1, 1, 2, 1, 1)]:
            d = random_fixture_dict(rng, n_x, n_a, n_y, m, T_x, a0=False)
            fx = _zero_weights_fixture(d)
            loss, g = bptt_gradients(fx)
            a, c, caches = forward(fx["params"], fx["a0"], fx["c0"], fx["x"])
            gates_ok = all(np.all(ca["f"] == 0.5) and np.all(ca["i"] == 0.5) and np.all(ca["o"] == 0.5)
                           and np.all(ca["cc"] == 0.0) for ca in caches)
            state_ok = np.all(a == 0.0) and np.all(c == 0.0)
            y = np.array(d["y"])
            exp_dby = np.zeros((n_y, 1))
            for k in range(n_y):
                # sum_t sum_j (1/n_y - onehot) computed independently by counting
                exp_dby[k, 0] = T_x * m / n_y - np.count_nonzero(y == k)
            exp_loss = T_x * m * math.log(n_y)
            zero_rest = all(np.all(g[k] == 0.0) for k in g if k != "dby")
            check(gates_ok and state_ok and loss == exp_loss and np.array_equal(g["dby"], exp_dby)
                  and np.all(g["dWy"] == 0.0) and zero_rest,
                  f"all-zero weights (n_y={n_y}, m={m}, T_x={T_x}): f=i=o=0.5, cc=c=a=0, "
                  f"loss={loss!r} == T_x*m*log(n_y), dWy=0, dby={exp_dby.ravel().tolist()}, rest=0")

        # 6. end-to-end: JSON round-trip of one random fixture
        out_name, back, exact = _round_trip(random_fixture_dict(rng, 2, 3, 3, 2, 3, c0=True, name="roundtrip"), "rt")
        rt_ok = (out_name == "rt.expected.json" and back["fixture"] == "roundtrip"
                 and back["produced_by"] == PRODUCED_BY and exact)
        check(rt_ok, "expected-file JSON round-trips bit-exactly (incl. dc0)")

    with np.errstate(over="raise", invalid="raise", divide="raise"):
        _rnn_self_test(rng, check)

    return check.summary()


def _rnn_self_test(rng, check):
    """Plain-RNN checks (cell = "rnn")."""
    rnn_keys = {"dWaa", "dWax", "dba", "da0", "dx"}

    # R1. bptt vs numerical on random small RNNs
    cases = [
        dict(name="rnn tiny n_x=n_a=m=T_x=1", n_x=1, n_a=1, n_y=2, m=1, T_x=1),
        dict(name="rnn tiny n_x=n_a=m=T_x=1 upstream", n_x=1, n_a=1, n_y=2, m=1, T_x=1, upstream_T=1),
        dict(name="rnn small", n_x=3, n_a=4, n_y=3, m=2, T_x=4),
        dict(name="rnn small no a0", n_x=2, n_a=3, n_y=4, m=3, T_x=3, a0=False),
        dict(name="rnn one-hot y", n_x=2, n_a=2, n_y=3, m=2, T_x=5, onehot=True),
        dict(name="rnn upstream T'<T_x", n_x=2, n_a=3, n_y=2, m=2, T_x=5, upstream_T=3),
        dict(name="rnn upstream T'=1<T_x, no a0", n_x=3, n_a=2, n_y=2, m=3, T_x=4, upstream_T=1, a0=False),
        dict(name="rnn longer n_a=1, scale 1.5", n_x=2, n_a=1, n_y=3, m=1, T_x=8, scale=1.5),
    ]
    for c in cases:
        c = dict(c)
        name = c.pop("name")
        fx = fixture_from_dict(random_rnn_fixture_dict(rng, name=name, **c))
        expected_keys = rnn_keys | ({"dWya", "dby"} if fx["mode"] == "softmax" else set())
        shape_of = {"dWaa": "Waa", "dWax": "Wax", "dba": "ba", "dWya": "Wya", "dby": "by"}
        _check_bptt_against_numerical(check, fx, name, expected_keys, lambda g: (
            fx["cell"] == "rnn"
            and all(g[k].shape == fx["params"][v].shape for k, v in shape_of.items() if k in g)
            and g["da0"].shape == fx["a0"].shape and g["dx"].shape == fx["x"].shape))

    # R2. per-step == bptt exactly when T_x = 1
    for c in [dict(n_x=1, n_a=1, n_y=2, m=1, T_x=1),
              dict(n_x=3, n_a=4, n_y=3, m=2, T_x=1),
              dict(n_x=2, n_a=3, n_y=2, m=2, T_x=1, upstream_T=1)]:
        _check_per_step_is_bptt_at_one_step(check, fixture_from_dict(random_rnn_fixture_dict(rng, **c)), c, "rnn ")

    # R3. per-step differs from bptt for T_x >= 3 (dWya/dby untouched by the carry)
    for c in [dict(n_x=3, n_a=4, n_y=3, m=2, T_x=3),
              dict(n_x=1, n_a=1, n_y=2, m=1, T_x=3),
              dict(n_x=2, n_a=3, n_y=2, m=2, T_x=6, a0=False),
              dict(n_x=2, n_a=3, n_y=2, m=2, T_x=4, upstream_T=3)]:
        _check_per_step_differs(check, fixture_from_dict(random_rnn_fixture_dict(rng, **c)), c, "dWaa", ("dWya", "dby"), "rnn ")
    # Caveat analogous to the LSTM's dWf: T_x = 2 with a0 = 0 leaves dWaa equal in
    # both routes (last step gets no carry either way; step 0's dWaa = dz a0^T = 0).
    fx = fixture_from_dict(random_rnn_fixture_dict(rng, 3, 4, 3, 2, 2, a0=False))
    _, gb = bptt_gradients(fx)
    _, gp = per_step_gradients(fx)
    check(np.array_equal(gb["dWaa"], gp["dWaa"]) and rel_err(gp["dWax"], gb["dWax"]) > 1e-3,
          "rnn T_x=2 without a0: dWaa identical in both routes (dWaa_0 = dz a0^T = 0), "
          f"dWax differs (rel err {rel_err(gp['dWax'], gb['dWax']):.2e})")

    # R4. closed form: n_a = n_x = m = 1, T_x = 2, ba = 0, da = [0, 1]  =>  L = a_2
    for (w, u, a0v, x1, x2) in [(0.7, -1.3, 0.4, 0.9, -0.5), (-1.1, 0.6, -0.8, -0.3, 1.7),
                                (float(rng.normal()), float(rng.normal()), float(rng.normal()),
                                 float(rng.normal()), float(rng.normal()))]:
        d = {"name": "closed-form", "cell": "rnn",
             "parameters": {"Waa": [[w]], "Wax": [[u]], "ba": [[0.0]]},
             "a0": [[a0v]], "x": [[[x1, x2]]], "da": [[[0.0, 1.0]]]}
        fx = fixture_from_dict(d)
        loss, g = bptt_gradients(fx)
        _, gp = per_step_gradients(fx)
        a1 = math.tanh(w * a0v + u * x1)
        a2 = math.tanh(w * a1 + u * x2)
        g1, g2 = 1.0 - a1 * a1, 1.0 - a2 * a2
        expect = {"dWax": g2 * (x2 + w * g1 * x1),
                  "dWaa": g2 * (a1 + w * g1 * a0v),
                  "da0": g2 * w * g1 * w,
                  "dba": g2 * (1.0 + w * g1)}
        errs = {k: abs(float(g[k].ravel()[0]) - v) for k, v in expect.items()}
        errs["dx1"] = abs(float(g["dx"][0, 0, 0]) - g2 * w * g1 * u)
        errs["dx2"] = abs(float(g["dx"][0, 0, 1]) - g2 * u)
        errs["loss"] = abs(loss - a2)
        # per-step: step 1 sees da = 1, step 0 sees da = 0 and nothing carried
        errs["per-step dWaa"] = abs(float(gp["dWaa"][0, 0]) - g2 * a1)
        ps_zero = float(gp["da0"][0, 0]) == 0.0 and float(gp["dx"][0, 0, 0]) == 0.0
        worst = max(errs, key=errs.get)
        check(errs[worst] <= 1e-14 and ps_zero,
              f"rnn closed form T_x=2 (w={w:.3g}, u={u:.3g}, a0={a0v:.3g}): dWax, dWaa, da0, dba, "
              f"dx, loss match to 1e-14 (worst {errs[worst]:.1e}, {worst}); per-step da0 = dx_1 = 0")

    # R5. all-zero weights: a_t = 0, loss = T_x m log n_y, only dby nonzero
    # (n_y a power of two so that 1/n_y and the sums are exact for the == checks)
    for (n_x, n_a, n_y, m, T_x) in [(2, 3, 4, 1, 2), (1, 1, 2, 1, 1), (3, 2, 4, 2, 4)]:
        d = random_rnn_fixture_dict(rng, n_x, n_a, n_y, m, T_x, a0=False)
        fx = _zero_weights_fixture(d)
        loss, g = bptt_gradients(fx)
        a, _ = rnn_forward(fx["params"], fx["a0"], fx["x"])
        y = np.array(d["y"])
        exp_dby = np.array([[T_x * m / n_y - np.count_nonzero(y == k)] for k in range(n_y)])
        zero_rest = all(np.all(g[k] == 0.0) for k in g if k != "dby")
        check(np.all(a == 0.0) and loss == T_x * m * math.log(n_y)
              and np.array_equal(g["dby"], exp_dby) and zero_rest,
              f"rnn all-zero weights (n_y={n_y}, m={m}, T_x={T_x}): a=0, loss={loss!r}, "
              f"dby={exp_dby.ravel().tolist()}, rest=0")

    # R6. fixture validation
    base = random_rnn_fixture_dict(rng, 2, 3, 2, 2, 3)
    bad = []
    bad.append((dict(base, c0=[[0.0, 0.0]] * 3), "c0 given"))
    bad.append((dict(base, cell="gru"), "unknown cell"))
    p2 = dict(base["parameters"], Wax=[[0.0] * 3] * 3)
    bad.append((dict(base, parameters=p2), "Wax wrong shape"))
    p3 = {k: v for k, v in base["parameters"].items() if k != "ba"}
    bad.append((dict(base, parameters=p3), "ba missing"))
    bad.append((dict(base, da=[[[0.0]] * 2] * 3), "both y and da"))
    check(all(rejects(fixture_from_dict, d, w) for d, w in bad),
          f"rnn fixture validation rejects: {', '.join(w for _, w in bad)}")

    # R7. end-to-end JSON round-trip of an RNN fixture
    out_name, back, exact = _round_trip(random_rnn_fixture_dict(rng, 2, 3, 3, 2, 3, name="rnn-roundtrip"), "rnn-rt")
    order = ["dWaa", "dWax", "dba", "dWya", "dby", "da0", "dx"]
    rt_ok = (out_name == "rnn-rt.expected.json" and back["fixture"] == "rnn-roundtrip" and exact
             and all(list(back["routes"][r]) == order for r in back["routes"]))
    check(rt_ok, "rnn expected-file JSON round-trips bit-exactly, keys " + " ".join(order))


# ----------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------

def main(argv=None):
    return numpy_common.main(argv, __doc__.split("\n\n")[0], self_test, write_expected)


if __name__ == "__main__":
    sys.exit(main())
