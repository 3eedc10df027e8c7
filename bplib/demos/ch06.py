"""Chapter 6, "Backpropagation in matrix form": timings, gradient checks, broken layers.

Pure functions for the chapter's figures and numbers: the error of finite differences
against the step h for the classic network's dE/dw5 (the V of truncation and
rounding error, in float64 and float32), with a slider over h and the precision
(:func:`step_demo`); a fair timing of one layer's backward pass as loops and as
matrix products (:func:`backward_timings`); three ``Dense`` layers with a classic
bug each (:data:`BROKEN`); and a decision-boundary figure for the network written
from scratch (:func:`scratch_figure`).
"""

from __future__ import annotations

import functools
import timeit

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bplib import byhand
from bplib.classic import CLASSIC
from bplib.layers import Dense

__all__ = ["H_GRID", "E_of_w5", "dE_dw5", "fd_errors", "fd_table", "step_view",
           "step_demo", "loop_backward", "outer_backward", "einsum_backward",
           "matrix_backward", "backward_timings", "TransposedDense", "OneRowBiasDense",
           "MeanDense", "BROKEN", "scratch_figure"]

#: log10 of the step h on the slider: -12, -11.5, ..., -1.
H_GRID = tuple(-12 + 0.5 * k for k in range(23))
_W5 = CLASSIC["w5"]


# -- finite differences of dE/dw5 -------------------------------------------------------
def E_of_w5(w5, bits=64):
    """E_total of the classic network as a function of w5, computed in float``bits``.

    Every input, weight and intermediate value is a float32 (bits=32) or a float64
    (bits=64) number, as a network stored in that precision would compute it.
    """
    dt = {32: np.float32, 64: np.float64}[bits]
    p = {k: dt(v) for k, v in byhand.classic_params().items()}
    (i1, i2), (t1, t2) = (map(dt, CLASSIC["inputs"]), map(dt, CLASSIC["targets"]))
    w5 = np.asarray(w5, dtype=dt)
    one, half = dt(1), dt(0.5)

    def sig(z):
        return one / (one + np.exp(-z))

    h1 = sig(p["w1"] * i1 + p["w2"] * i2 + p["b1"])
    h2 = sig(p["w3"] * i1 + p["w4"] * i2 + p["b1"])
    o1 = sig(w5 * h1 + p["w6"] * h2 + p["b2"])
    o2 = sig(p["w7"] * h1 + p["w8"] * h2 + p["b2"])
    return half * (t1 - o1) ** 2 + half * (t2 - o2) ** 2


def dE_dw5(w5=_W5):
    """The exact dE_total/dw5 (Chapter 5's backward pass, float64) at ``w5``."""
    return byhand.backward({**byhand.classic_params(), "w5": float(w5)})["dE_dw5"]


@functools.lru_cache(maxsize=None)
def _derivatives():
    """(f, f', f'', f''') of E(w5) at the classic w5 (f'' and f''' from f' by differences)."""
    d = 1e-3
    g0, gp, gm = dE_dw5(_W5), dE_dw5(_W5 + d), dE_dw5(_W5 - d)
    return (float(E_of_w5(_W5)), g0, (gp - gm) / (2 * d), (gp - 2 * g0 + gm) / d ** 2)


def fd_errors(h, bits=64):
    """Relative errors (central, forward) of finite differences of E(w5) with step h.

    Computed as a reader would, in float``bits``: (E(w + h) - E(w - h)) / (2h) and
    (E(w + h) - E(w)) / h, compared with the exact derivative.
    """
    dt = {32: np.float32, 64: np.float64}[bits]
    h = np.asarray(h, dtype=dt)
    w = dt(_W5)
    up, down, mid = E_of_w5(w + h, bits), E_of_w5(w - h, bits), E_of_w5(w, bits)
    central = ((up - down) / (dt(2) * h)).astype(np.float64)
    forward = ((up - mid) / h).astype(np.float64)
    exact = dE_dw5()
    return np.abs(central - exact) / abs(exact), np.abs(forward - exact) / abs(exact)


def fd_table(log10_h=tuple(range(-12, 0)), bits=(64, 32)):
    """Relative errors of central and forward differences for each h and precision."""
    rows = []
    for b in bits:
        hs = 10.0 ** np.asarray(log10_h, dtype=float)
        central, forward = fd_errors(hs, b)
        rows += [dict(bits=b, h=h, central=c, forward=f)
                 for h, c, f in zip(hs, central, forward)]
    return pd.DataFrame(rows)


@functools.lru_cache(maxsize=None)
def _curves(bits):
    hs = np.logspace(-13, -0.5, 301)
    return hs, *fd_errors(hs, bits)


def _floor(e):
    return np.maximum(e, 1e-17)


def step_view(log10_h=-5.0, bits=64):
    """The V: relative error of finite differences against h, at one step h.

    Solid: central differences; dashed: forward differences; dotted: the two terms of
    the central error, truncation h^2 |f'''| / (6 |f'|) and rounding eps |f| / (h |f'|).
    The other precision is drawn faintly. Returns (Figure, text).
    """
    f, g, _, g3 = _derivatives()
    fig = Figure(figsize=(7.2, 4.2), layout="constrained")
    ax = fig.add_subplot()
    for b, strong in ((32, bits == 32), (64, bits == 64)):
        hs, central, forward = _curves(b)
        alpha, color = (1.0, "C0" if b == 64 else "C1") if strong else (0.22, "0.5")
        ax.loglog(hs, _floor(central), color=color, alpha=alpha, lw=1.6,
                  label=f"central, float{b}" if strong else f"float{b} (other precision)")
        if strong:
            ax.loglog(hs, _floor(forward), "--", color=color, lw=1.2,
                      label=f"forward, float{b}")
            eps = float(np.finfo(np.float32 if b == 32 else np.float64).eps)
            ax.loglog(hs, hs ** 2 * abs(g3) / (6 * abs(g)), ":", color="0.3", lw=1,
                      label="truncation $h^2|f'''|/(6|f'|)$")
            ax.loglog(hs, eps * abs(f) / (hs * abs(g)), ":", color="C3", lw=1,
                      label=r"rounding $\varepsilon |f| / (h |f'|)$")
    h = 10.0 ** log10_h
    c, fw = (float(e[0]) for e in fd_errors(np.array([h]), bits))
    ax.axvline(h, color="k", lw=0.8)
    ax.plot([h], [max(c, 1e-17)], "o", color="k", zorder=5)
    ax.set_xlim(1e-13, 10 ** -0.5)
    ax.set_ylim(1e-14, 1e4)
    ax.set_xlabel("step $h$")
    ax.set_ylabel(r"relative error of $\partial E/\partial w_5$")
    ax.set_title(f"$h = 10^{{{log10_h:.1f}}}$, float{bits}: central error {c:.1e}",
                 fontsize=10)
    ax.legend(loc="upper center", fontsize=7.5, ncol=2)
    ax.grid(True, which="major", alpha=0.3)
    dt = {32: np.float32, 64: np.float64}[bits]
    lost = ""
    if dt(_W5) + dt(h) == dt(_W5):
        lost = "the step is lost: w5 + h rounds to w5\n"
    elif E_of_w5(dt(_W5) + dt(h), bits) == E_of_w5(dt(_W5) - dt(h), bits):
        lost = "E(w5 + h) and E(w5 - h) round to the same number\n"
    text = (f"h = {h:.3g} in float{bits}\n"
            f"central difference: relative error {c:.2e}\n"
            f"forward difference: relative error {fw:.2e}\n" + lost)
    return fig, text


def step_demo():
    """Slider over log10 h (-12 to -1) and the precision (32 or 64 bits): 46 frames."""
    from bplib.figures import Demo, Slider

    return Demo(lambda log10_h, bits: step_view(log10_h, bits),
                Slider("log10_h", H_GRID[0], H_GRID[-1], 0.5, value=-5.0,
                       label="log10 of the step h"),
                Slider("bits", 32, 64, 32, value=64, label="float bits"),
                title="Move h: the error falls as h shrinks, until rounding takes over")


# -- one layer's backward pass, four ways ---------------------------------------------
def loop_backward(X, delta):
    """dW and db by the sums of eqs. (ch06-dW), (ch06-db), entry by entry, in Python."""
    Xl, dl = X.tolist(), delta.tolist()       # Python floats: the loop's fastest form
    N, n_in, n_out = len(Xl), len(Xl[0]), len(dl[0])
    dW = [[0.0] * n_out for _ in range(n_in)]
    for i in range(n_in):
        row = dW[i]
        for j in range(n_out):
            s = 0.0
            for n in range(N):
                s += Xl[n][i] * dl[n][j]
            row[j] = s
    db = [sum(dl[n][j] for n in range(N)) for j in range(n_out)]
    return np.array(dW), np.array(db)


def outer_backward(X, delta):
    """One example at a time: dW += outer(x_n, delta_n), db += delta_n (numpy per row)."""
    dW = np.zeros((X.shape[1], delta.shape[1]))
    db = np.zeros(delta.shape[1])
    for x_n, d_n in zip(X, delta):
        dW += np.outer(x_n, d_n)
        db += d_n
    return dW, db


def einsum_backward(X, delta):
    """The same sums in one numpy call that does not use BLAS (einsum, optimize=False)."""
    return np.einsum("ni,nj->ij", X, delta, optimize=False), delta.sum(axis=0)


def matrix_backward(X, delta):
    """dW = X^T delta (a BLAS matrix product) and db = the column sums of delta."""
    return X.T @ delta, delta.sum(axis=0)


def backward_timings(N=128, n_in=64, n_out=32, repeats=5, seed=0):
    """Best-of-``repeats`` seconds for dW, db of one layer, four ways, same numbers.

    Returns a DataFrame with one row per method: ``method``, ``seconds``,
    ``max_difference`` (from the matrix form) and ``times_slower`` than it.
    """
    rng = np.random.default_rng(seed)
    X, delta = rng.normal(size=(N, n_in)), rng.normal(size=(N, n_out))
    methods = {"Python loops over i, j, n": loop_backward,
               "one example at a time (np.outer)": outer_backward,
               "np.einsum (C loops, no BLAS)": einsum_backward,
               "matrix product X.T @ delta (BLAS)": matrix_backward}
    ref = matrix_backward(X, delta)
    rows = []
    for name, fn in methods.items():
        number = 1 if fn is loop_backward else 20
        seconds = min(timeit.repeat(functools.partial(fn, X, delta), number=number,
                                    repeat=repeats)) / number
        dW, db = fn(X, delta)
        diff = max(float(np.abs(dW - ref[0]).max()), float(np.abs(db - ref[1]).max()))
        rows.append(dict(method=name, seconds=seconds, max_difference=diff))
    table = pd.DataFrame(rows)
    table["times_slower"] = table["seconds"] / table["seconds"].iloc[-1]
    return table


# -- three classic bugs -------------------------------------------------------------------
class TransposedDense(Dense):
    """Bug: dW = delta^T X, the transposed product (shape (n_out, n_in)); on a square
    layer the shape fits and only the numbers are wrong."""

    def backward(self, grad_out, need_input_grad=True):
        dX = super().backward(grad_out, need_input_grad)
        X = self._cached()
        self.grads["W"] = np.asarray(grad_out).T @ X
        return dX


class OneRowBiasDense(Dense):
    """Bug: db = delta of the first example only, not summed over the batch's rows
    (right for a batch of one, as in the classic network)."""

    def backward(self, grad_out, need_input_grad=True):
        dX = super().backward(grad_out, need_input_grad)
        self.grads["b"] = np.array(grad_out[0], dtype=float)
        return dX


class MeanDense(Dense):
    """Bug: dW and db averaged over the batch (divided by N) while the loss sums."""

    def backward(self, grad_out, need_input_grad=True):
        dX = super().backward(grad_out, need_input_grad)
        N = self._cached().shape[0]
        self.grads["W"] = self.grads["W"] / N
        self.grads["b"] = self.grads["b"] / N
        return dX


#: The three bugs of the chapter, by name.
BROKEN = {"transposed product": TransposedDense,
          "bias not summed over the batch": OneRowBiasDense,
          "mean where the loss sums": MeanDense}


# -- the network from scratch ------------------------------------------------------------
def scratch_figure(curve, predict, X, y, title="decision boundary"):
    """Left: the training curve (log scale); right: the model's output over the plane,
    the 0.5 contour and the data (``predict`` maps points (M, 2) to outputs (M,))."""
    X, y = np.asarray(X, dtype=float), np.asarray(y).ravel()
    fig = Figure(figsize=(9.0, 3.8), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=(1, 1.25))
    ax1.semilogy(np.arange(len(curve)), curve, color="C0")
    ax1.set_xlabel("gradient step")
    ax1.set_ylabel(r"$E_{\mathrm{mean}}$")
    ax1.set_title("training", fontsize=10)
    ax1.grid(True, which="major", alpha=0.3)
    lo, hi = X.min(axis=0) - 0.4, X.max(axis=0) + 0.4
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 161), np.linspace(lo[1], hi[1], 121))
    out = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()])),
                     dtype=float).reshape(gx.shape)
    im = ax2.pcolormesh(gx, gy, out, cmap="coolwarm", vmin=0, vmax=1, shading="auto")
    ax2.contour(gx, gy, out, levels=[0.5], colors="k", linewidths=1.5)
    for cls, marker in ((0, "o"), (1, "s")):
        pts = X[y == cls]
        ax2.scatter(pts[:, 0], pts[:, 1], marker=marker, s=14, edgecolors="k",
                    linewidths=0.5, c="white" if cls == 0 else "black",
                    label=f"target {cls}")
    ax2.set_xlabel("$x_1$")
    ax2.set_ylabel("$x_2$")
    ax2.set_title(title, fontsize=10)
    ax2.legend(loc="lower left", fontsize=8)
    fig.colorbar(im, ax=ax2, label=r"output $\hat y$")
    return fig

