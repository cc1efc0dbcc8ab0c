#!/usr/bin/env python3
"""Cross-check of the committed layout expected files with PyTorch, in float64.

Usage:
    python3 Fixtures/tools/layouts_torch.py [FIXTURE.json ...]

Without arguments checks every Fixtures/layouts/*.json against
Fixtures/layouts/expected/<stem>.expected.json. Exits 0 with a "skipped: torch not
installed" line where `import torch` fails.

- PyTorch fixtures ("layout": "pytorch"): torch.nn.LSTM / torch.nn.GRU (one layer,
  batch_first as the fixture says, dtype float64) with the fixture's weights copied in,
  h0/c0 set, and output.backward(grad_output). Gradients are the modules' .grad of
  weight_ih_l0 weight_hh_l0 bias_ih_l0 bias_hh_l0 and of the input, h0, c0 leaves.
- The other layouts (cs231n, keras, coursera): the forward equations of
  layouts_numpy.py's docstring transcribed in torch operations; gradients by autograd.
- "per-step": the same forward with the states handed from step t to step t+1 detached
  (for nn.LSTM/nn.GRU: the module run one step at a time, the carried state detached),
  so each step's backward sees only its own loss term and dh0/dc0 are what step 0's
  backward hands back.
- Keras GRU: reset_after=True (Keras' default, bias (2,3H)) or, with "reset_after": false,
  reset_after=False (bias (3H,)), each written out from Keras' equations.
- "gate-order-mixed": autograd's gradient with the g and o blocks (2 and 3) of an LSTM's
  stacked weight/bias gradients exchanged, or the first two of a GRU's (PyTorch's r, z;
  Keras' z, r), as defined in layouts_numpy.py.

Every route and tensor of the expected file is compared: relative error
max|torch - expected| / max|expected| per tensor must be < 1e-12, and so must the loss's.
"""

import json
import sys
from pathlib import Path

LAYOUT_DIR = Path(__file__).resolve().parents[2] / "Fixtures" / "layouts"
TOL = 1e-12


def main(argv):
    try:
        import torch
    except ImportError:
        print("skipped: torch not installed")
        return 0
    torch.set_grad_enabled(True)
    f64 = torch.float64

    def tensor(v, grad=False):
        return torch.tensor(v, dtype=f64, requires_grad=grad)

    def leaf(d, key, shape):
        return tensor(d[key] if d.get(key) is not None else torch.zeros(shape, dtype=f64).tolist(), True)

    def swap_blocks(a, j, k, dim, n=4):
        parts = list(a.chunk(n, dim=dim))
        parts[j], parts[k] = parts[k], parts[j]
        return torch.cat(parts, dim=dim)

    # --- PyTorch layout: the real modules ------------------------------------------------
    def pytorch_routes(d):
        p = d["parameters"]
        lstm = d["cell"] == "lstm"
        bf = bool(d.get("batch_first", False))
        D, H = len(p["weight_ih_l0"][0]), len(p["weight_hh_l0"][0])
        mod = (torch.nn.LSTM if lstm else torch.nn.GRU)(D, H, num_layers=1, batch_first=bf, dtype=f64)
        names = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
        with torch.no_grad():
            for n in names:
                getattr(mod, n).copy_(tensor(p[n]))
        go = tensor(d["grad_output"])
        N = go.shape[0] if bf else go.shape[1]
        T = go.shape[1] if bf else go.shape[0]

        def run(per_step):
            mod.zero_grad()
            inp = tensor(d["input"], True)
            h0 = leaf(d, "h0", (1, N, H))
            c0 = leaf(d, "c0", (1, N, H)) if lstm else None
            state = (h0, c0) if lstm else h0
            if per_step:
                outs = []
                for t in range(T):
                    out_t, st = mod(inp[:, t:t + 1] if bf else inp[t:t + 1], state)
                    outs.append(out_t)
                    state = tuple(s.detach() for s in st) if lstm else st.detach()
                out = torch.cat(outs, dim=1 if bf else 0)
            else:
                out, _ = mod(inp, state)
            loss = float((out * go).sum().detach())
            out.backward(go)
            g = {n: getattr(mod, n).grad.clone() for n in names}
            g["input"], g["h0"] = inp.grad, h0.grad
            if lstm:
                g["c0"] = c0.grad
            return loss, g

        loss, g = run(False)
        routes = {"gradients": g, "per-step": run(True)[1]}
        # an LSTM's g and o blocks exchanged; a GRU's r and z
        j, k, n = (2, 3, 4) if lstm else (0, 1, 3)
        routes["gate-order-mixed"] = {key: (swap_blocks(v, j, k, 0, n) if key in names else v)
                                      for key, v in g.items()}
        return loss, routes

    # --- other layouts: the equations in torch operations, autograd ----------------------
    def lstm_cell(a, c_prev, order):
        blocks = dict(zip(order, a.chunk(4, dim=-1)))
        i, f, o = torch.sigmoid(blocks["i"]), torch.sigmoid(blocks["f"]), torch.sigmoid(blocks["o"])
        c = f * c_prev + i * torch.tanh(blocks["g"])
        return o * torch.tanh(c), c

    def cs231n_model(d, leaves, per_step):
        x, Wx, Wh, b = leaves["x"], leaves["Wx"], leaves["Wh"], leaves["b"]
        N, T, _ = x.shape
        h, c = leaves["h0"], torch.zeros(N, Wh.shape[0], dtype=f64)
        hs = []
        for t in range(T):
            if per_step and t > 0:
                h, c = h.detach(), c.detach()
            a = x[:, t] @ Wx + h @ Wh + b
            if d["cell"] == "lstm":
                h, c = lstm_cell(a, c, ("i", "f", "o", "g"))
            else:
                h = torch.tanh(a)
            hs.append(h)
        h = torch.stack(hs, dim=1)
        if "captions" in d:
            logp = torch.log_softmax(h @ leaves["W_vocab"] + leaves["b_vocab"], dim=2)
            cap = torch.tensor(d["captions"], dtype=torch.long)
            picked = logp.gather(2, cap[:, :, None])[:, :, 0]
            return -(tensor(d["mask"]) * picked).sum() / N
        return (tensor(d["dout"]) * h).sum()

    def keras_model(d, leaves, per_step):
        x, K, U, b = leaves["inputs"], leaves["kernel"], leaves["recurrent_kernel"], leaves["bias"]
        T = x.shape[1]
        h = leaves["h0"]
        c = leaves.get("c0")
        hs = []
        for t in range(T):
            if per_step and t > 0:
                h = h.detach()
                c = c.detach() if c is not None else None
            if d["cell"] == "lstm":
                h, c = lstm_cell(x[:, t] @ K + h @ U + b, c, ("i", "f", "g", "o"))
            elif d.get("reset_after", True):
                # Keras' default: the recurrent bias (row 1) and the reset gate after h @ U
                xz, xr, xh = (x[:, t] @ K + b[0]).chunk(3, dim=1)
                hz, hr, hh_ = (h @ U + b[1]).chunk(3, dim=1)
                z = torch.sigmoid(xz + hz)
                r = torch.sigmoid(xr + hr)
                hh = torch.tanh(xh + r * hh_)
                h = z * h + (1 - z) * hh
            else:
                Kz, Kr, Kh = K.chunk(3, dim=1)
                Uz, Ur, Uh = U.chunk(3, dim=1)
                bz, br, bh = b.chunk(3)
                z = torch.sigmoid(x[:, t] @ Kz + h @ Uz + bz)
                r = torch.sigmoid(x[:, t] @ Kr + h @ Ur + br)
                hh = torch.tanh(x[:, t] @ Kh + (r * h) @ Uh + bh)
                h = z * h + (1 - z) * hh
            hs.append(h)
        return (tensor(d["grad_output"]) * torch.stack(hs, dim=1)).sum()

    def coursera_model(d, leaves, per_step):
        P, x = leaves, leaves["x"]
        T = x.shape[2]
        a = leaves["a0"]
        loss = torch.zeros((), dtype=f64)
        da = tensor(d["da"]) if "da" in d else None
        for t in range(T):
            if per_step and t > 0:
                a = a.detach()
            xt = x[:, :, t]
            r = torch.sigmoid(P["Wir"] @ xt + P["bir"] + P["Whr"] @ a + P["bhr"])
            z = torch.sigmoid(P["Wiz"] @ xt + P["biz"] + P["Whz"] @ a + P["bhz"])
            n = torch.tanh(P["Win"] @ xt + P["bin"] + r * (P["Whn"] @ a + P["bhn"]))
            a = (1 - z) * n + z * a
            if da is not None:
                if t < da.shape[2]:
                    loss = loss + (da[:, :, t] * a).sum()
            else:
                logp = torch.log_softmax(P["Wy"] @ a + P["by"], dim=0)
                y = torch.tensor(d["y"], dtype=torch.long)[:, t]
                loss = loss - logp.gather(0, y[None, :]).sum()
        return loss

    MODELS = {"cs231n": (cs231n_model, ("x", "h0"), "d"),
              "keras": (keras_model, ("inputs", "h0", "c0"), ""),
              "coursera": (coursera_model, ("a0", "x"), "d")}

    def autograd_routes(d, exp):
        model, inputs, prefix = MODELS[d["layout"]]

        def run(per_step):
            leaves = {k: tensor(v, True) for k, v in d["parameters"].items()}
            for k in inputs:
                if d.get(k) is not None:
                    leaves[k] = tensor(d[k], True)
            # absent optional states: zeros, shaped like the expected gradient
            for k in inputs:
                if k not in leaves and prefix + k in exp["gradients"]:
                    leaves[k] = tensor(exp["gradients"][prefix + k], True).detach().zero_().requires_grad_()
            loss = model(d, leaves, per_step)
            loss.backward()
            return float(loss.detach()), {prefix + k: v.grad if v.grad is not None else torch.zeros_like(v)
                                 for k, v in leaves.items()}

        loss, g = run(False)
        routes = {"gradients": g, "per-step": run(True)[1]}
        if d["layout"] == "cs231n" and d["cell"] == "lstm":
            axes = {"dWx": 1, "dWh": 1, "db": 0}
            routes["gate-order-mixed"] = {k: (swap_blocks(v, 2, 3, axes[k]) if k in axes else v)
                                          for k, v in g.items()}
        if d["layout"] == "keras" and d["cell"] == "gru":
            # blocks along the last axis of every stacked tensor, both rows of a two-row bias
            stacked = ("kernel", "recurrent_kernel", "bias")
            routes["gate-order-mixed"] = {k: (swap_blocks(v, 0, 1, v.dim() - 1, 3) if k in stacked else v)
                                          for k, v in g.items()}
        return loss, routes

    # --- comparison ---------------------------------------------------------------------
    def rel(a, b):
        a, b = torch.as_tensor(a, dtype=f64), torch.as_tensor(b, dtype=f64)
        if a.shape != b.shape:
            return float("inf")
        scale = float(b.abs().max()) if b.numel() else 0.0
        diff = float((a - b).abs().max()) if b.numel() else 0.0
        return diff / scale if scale > 0 else diff

    paths = [Path(a) for a in argv] or sorted(LAYOUT_DIR.glob("*.json"))
    failures = 0
    print(f"torch {torch.__version__}")
    for path in paths:
        d = json.loads(path.read_text())
        exp_path = path.parent / "expected" / f"{path.stem}.expected.json"
        exp = json.loads(exp_path.read_text())
        if d["layout"] == "pytorch":
            how = f"torch.nn.{d['cell'].upper()}"
            loss, routes = pytorch_routes(d)
        else:
            how = "autograd"
            loss, routes = autograd_routes(d, exp)
        worst, where = rel(loss, exp["loss"]), "loss"
        ok = True
        for route in ("gradients", "per-step", "gate-order-mixed"):
            if route not in exp:
                continue
            if route not in routes or set(routes[route]) != set(exp[route]):
                ok = False
                where = f"{route}: keys {sorted(routes.get(route, {}))} vs {sorted(exp[route])}"
                continue
            for k, v in exp[route].items():
                e = rel(routes[route][k].detach(), v)
                if e > worst:
                    worst, where = e, f"{route}.{k}"
        ok = ok and worst < TOL
        failures += not ok
        checked = [r for r in ("gradients", "per-step", "gate-order-mixed") if r in exp]
        print(f"{'PASS' if ok else 'FAIL'} {path.stem} ({how}; {', '.join(checked)}): "
              f"max rel err {worst:.1e} ({where})")
    print(f"{len(paths) - failures} passed, {failures} failed")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
