"""Chapter 10: vanishing and exploding gradients, initialisation, dead ReLUs, clipping.

The chapter's experiments, each small enough to run in a second or two: the per-layer
speed of learning on the digits (after Nielsen's Chapter 5), products of random
matrices (after fast.ai's Chapter 17), the initial-scale slider, dead ReLU units,
gradient clipping and the update-to-weight ratio.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bplib.activations import ReLU, Sigmoid, Tanh
from bplib.data import Standardizer, train_val_test_split
from bplib.datasets import load_digits
from bplib.layers import Dense
from bplib.monitor import UpdateRatio, dead_units, layer_speeds, trace
from bplib.network import Sequential
from bplib.optimizers import SGD
from bplib.regularization import clip_by_global_norm, clip_by_value

#: The activations of the chapter, by name; the slider's integer picks one.
ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU}
ACTIVATION_BY_INDEX = ("sigmoid", "tanh", "relu")

#: Nielsen's speeds of learning, ||dC/db|| of each hidden layer of a freshly initialised
#: sigmoid network of 30-unit hidden layers on MNIST, [784, 30, 30, 30, 10] and
#: [784, 30, 30, 30, 30, 10], as printed in Nielsen (2015), Chapter 5, section "The
#: vanishing gradient problem" (rounded to three decimals there).
NIELSEN_SPEEDS = {3: (0.012, 0.060, 0.283), 4: (0.003, 0.017, 0.070, 0.285)}


@functools.lru_cache(maxsize=1)
def _digits():
    X, y = load_digits()
    (X_train, y_train), _, _ = train_val_test_split(X, y, seed=0)
    return Standardizer().fit(X_train).transform(X_train), y_train


def digits_train(n=None):
    """The standardised training digits (split with seed 0), the first ``n`` rows.

    Returns copies: (X (n, 64), y (n,)).
    """
    X, y = _digits()
    n = len(X) if n is None else n
    return X[:n].copy(), y[:n].copy()


def scaled_normal(c):
    """An initialiser drawing W from N(0, c² / n_in): c = 1 is LeCun's and Nielsen's
    scale, c = sqrt(2) He's; with n_in = n_out, c = 1 is also Xavier's."""
    def init(shape, seed):
        return np.random.default_rng(seed).normal(0.0, c / np.sqrt(shape[0]), shape)
    init.__name__ = f"scaled_normal({c:g})"
    return init


def deep_net(widths, activation, c=1.0, seed=0, bias_std=0.0):
    """A network Dense, activation, ..., Dense with the given widths, softmax CE loss.

    widths : (n_in, hidden..., n_out); activation : a name of ``ACTIVATIONS``;
    weights N(0, c² / n_in) (see :func:`scaled_normal`); biases N(0, bias_std²).
    """
    rng = np.random.default_rng(seed)
    layers = []
    pairs = list(zip(widths[:-1], widths[1:]))
    for i, (n_in, n_out) in enumerate(pairs):
        b = rng.normal(0.0, bias_std, n_out) if bias_std > 0 else None
        layers.append(Dense(n_in, n_out, init=scaled_normal(c), seed=rng, b=b))
        if i < len(pairs) - 1:
            layers.append(ACTIVATIONS[activation]())
    return Sequential(layers, loss="softmax_ce")


# ------------------------------------------------------------ speed of learning
def nielsen_net(hidden, activation="sigmoid", seed=0):
    """Nielsen's set-up on the digits: 64 inputs, ``hidden`` layers of 30 units, 10
    outputs; weights N(0, 1/n_in), biases N(0, 1) (his default initialisation)."""
    return deep_net((64,) + (30,) * hidden + (10,), activation, c=1.0, seed=seed,
                    bias_std=1.0)


def speed_table(hidden=4, activations=("sigmoid", "tanh", "relu"), seeds=3):
    """Mean speed of learning ||dE/db^(l)|| of each hidden layer over ``seeds`` networks.

    Rows: activations; columns: "layer 1", ..., "layer <hidden>". E is the mean
    softmax cross-entropy on the whole training set.
    """
    X, y = digits_train()
    rows = {}
    for act in activations:
        speeds = [list(layer_speeds(nielsen_net(hidden, act, seed), X, y).values())[:-1]
                  for seed in range(seeds)]
        rows[act] = np.mean(speeds, axis=0)
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=[f"layer {i + 1}" for i in range(hidden)])


def speed_figure(table, nielsen=None):
    """The speeds per layer on a log scale, one line per row of ``table``."""
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(1, table.shape[1] + 1)
    for name, row in table.iterrows():
        ax.semilogy(x, row.to_numpy(), "o-", label=f"{name} (digits, ours)")
    if nielsen is not None:
        ax.semilogy(x, nielsen, "s--", color="0.4", label="sigmoid (MNIST, Nielsen)")
    ax.set_xticks(x)
    ax.set_xlabel("hidden layer $l$ (1 = nearest the input)")
    ax.set_ylabel(r"speed of learning $\|\partial E/\partial b^{(l)}\|$")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return fig


# ------------------------------------------------------------ products of matrices
def _std(x):
    """The standard deviation of x in float64; inf if x holds an infinity, nan a NaN."""
    if np.isnan(x).any():
        return float("nan")
    if np.isinf(x).any():
        return float("inf")
    return float(x.astype(np.float64).std())


def matrix_product_norms(n=100, layers=50, scales=(1.0, 0.01), seed=0,
                         dtype=np.float32, batch=200):
    """Standard deviation of x after each of ``layers`` multiplications x <- x A.

    As in fast.ai's Chapter 17: x is a batch of ``batch`` rows of n N(0, 1) numbers, and
    every layer draws a new n x n matrix A of N(0, 1) entries times ``scale``. The
    products are computed in ``dtype``, float32 as PyTorch would. The standard
    deviation is taken in float64, so that it measures x and not an overflow of x²
    inside it; it is reported as inf once x holds an infinity (float32 overflowed), nan
    once x holds a NaN, and 0 once every entry has underflowed to 0. Returns a
    DataFrame with one column per scale (index: layer 0..layers).
    """
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal((batch, n)).astype(dtype)
    As = [rng.standard_normal((n, n)).astype(dtype) for _ in range(layers)]
    out = {}
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for s in scales:
            x = x0.copy()
            stds = [_std(x)]
            for A in As:
                x = x @ (A * dtype(s)).astype(dtype)
                stds.append(_std(x))
            out[f"scale {s:g}"] = stds
    return pd.DataFrame(out, index=pd.RangeIndex(layers + 1, name="layer"))


def product_figure(norms):
    """log10 of the standard deviation against the layer, one line per column."""
    fig = Figure(figsize=(6.4, 3.2), layout="constrained")
    ax = fig.add_subplot()
    for col in norms.columns:
        v = norms[col].to_numpy(dtype=float)
        ok = np.isfinite(v) & (v > 0)
        ax.plot(norms.index[ok], np.log10(v[ok]), label=col)
        if not ok.all():
            k = int(np.argmin(ok))
            ax.plot([norms.index[k - 1]], [np.log10(v[k - 1])], "x", color="k")
            ax.annotate(f"{v[k]:g} from layer {k}", (norms.index[k - 1], np.log10(v[k - 1])),
                        textcoords="offset points", xytext=(-60, -14), fontsize=8)
    ax.set_xlabel("layer (number of multiplications)")
    ax.set_ylabel("log10 of the std of x")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return fig


# ------------------------------------------------------------ initialisation
def activation_stds(activation, c, depth=20, width=100, n=500, seed=0):
    """Std of the activations A^(l), l = 1..depth, of a plain stack of Dense + activation
    layers with W ~ N(0, c²/width), on N(0, 1) inputs (n, width)."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, width))
    act = ACTIVATIONS[activation]()
    stds = []
    for _ in range(depth):
        W = rng.normal(0.0, c / np.sqrt(width), (width, width))
        A = act.forward(A @ W)
        stds.append(float(A.std()))
    return np.array(stds)


# ------------------------------------------------------------ the slider
SLIDER_WIDTHS = (64,) + (64,) * 8 + (10,)
SLIDER_N = 200
A_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 4.0)}
G_RANGE = (-12.0, 0.0)


@functools.lru_cache(maxsize=32)
def scale_signals(log2_c, activation):
    """Per hidden layer: activations A^(l) and deltas dE/dZ^(l) at initialisation.

    The network has 8 hidden layers of 64 units (``SLIDER_WIDTHS``), weights
    N(0, c²/n_in) with c = 2**log2_c, zero biases, on the first ``SLIDER_N``
    training digits. Returns (list of A arrays, list of delta arrays), layer 1 first.
    """
    X, y = digits_train(SLIDER_N)
    net = deep_net(SLIDER_WIDTHS, activation, c=2.0 ** log2_c, seed=10)
    rec = trace(net, X, y)
    dense = [(i, r) for i, r in enumerate(rec) if isinstance(net.layers[i], Dense)][:-1]
    A = [rec[i + 1][1] for i, _ in dense]
    deltas = [r[2] for _, r in dense]
    return A, deltas


def _ridges(ax, values, bins, color):
    """One normalised histogram per layer, stacked upwards (layer 1 at the bottom)."""
    for l, v in enumerate(values):
        counts, _ = np.histogram(np.clip(v, bins[0], bins[-1]), bins=bins)
        top = l + 0.85 * counts / max(counts.max(), 1)
        ax.fill_between(bins, l, np.append(top, top[-1]), step="post", color=color,
                        alpha=0.6, lw=0)
    ax.set_yticks(np.arange(len(values)) + 0.3, [f"{l + 1}" for l in range(len(values))])
    ax.set_ylim(-0.1, len(values))


def scale_view(log2_c=0.0, activation=1):
    """Histograms of activations (left) and of log10 abs(delta) (right), layer by layer.

    activation: 0 sigmoid, 1 tanh, 2 ReLU (the slider's integer). Returns (Figure, text).
    """
    name = ACTIVATION_BY_INDEX[int(activation)]
    c = 2.0 ** log2_c
    A, deltas = scale_signals(float(log2_c), name)
    fig = Figure(figsize=(7.2, 3.6), layout="constrained")
    ax_a, ax_g = fig.subplots(1, 2, sharey=True)
    lo, hi = A_RANGE[name]
    _ridges(ax_a, A, np.linspace(lo, hi, 41), "C0")
    ax_a.set_xlim(lo, hi)
    ax_a.set_xlabel(f"activations A of each layer ({name})")
    ax_a.set_ylabel("hidden layer l")
    with np.errstate(divide="ignore"):
        logs = [np.log10(np.abs(d)) for d in deltas]
    _ridges(ax_g, logs, np.linspace(*G_RANGE, 49), "C3")
    ax_g.set_xlim(*G_RANGE)
    ax_g.set_xlabel("log10 of |dE/dZ| of each layer")
    fig.suptitle(f"W ~ N(0, c\u00b2 / n_in), c = {c:.2f}, {name}", fontsize=11)
    rows = []
    for l, (a, d) in enumerate(zip(A, deltas)):
        if name == "relu":
            special = f"{np.mean(np.all(a <= 0, axis=0)):6.0%} units off for all"
        else:
            near = np.minimum(np.abs(a - A_RANGE[name][0]), np.abs(a - 1.0))
            special = f"{np.mean(near < 0.01):6.0%} saturated"
        rows.append(f"layer {l + 1}: std(A) {a.std():9.2e}  rms(delta) "
                    f"{np.sqrt(np.mean(d * d)):9.2e}  {special}")
    text = f"c = {c:.3f}, {name}\n" + "\n".join(rows)
    return fig, text


def scale_demo():
    """Slider over log2 c (-1.5 to 1.5) and the activation (0, 1, 2): 21 frames."""
    from bplib.figures import Demo, Slider

    return Demo(lambda log2_c, activation: scale_view(log2_c, activation),
                Slider("log2_c", -1.5, 1.5, 0.5, value=0.0,
                       label="log2 of the scale c"),
                Slider("activation", 0, 2, 1, value=1,
                       label="0 sigmoid, 1 tanh, 2 ReLU"),
                title="Move c: activations and gradients shrink, stay, or blow up "
                      "layer by layer")


# ------------------------------------------------------------ dead ReLUs
def dead_unit_runs(lrs=(0.05, 1.0), epochs=8, n=400, seed=0):
    """Dead ReLU units of a 64-64-64-10 He-initialised network trained with SGD.

    For each learning rate: the number of dead units (both hidden layers together, on
    the n training digits) after each epoch, and the final training accuracy.
    Returns a dict lr -> (array of dead counts, epoch 0 = before training; accuracy).
    """
    X, y = digits_train(n)
    out = {}
    for lr in lrs:
        net = deep_net((64, 64, 64, 10), "relu", c=np.sqrt(2.0), seed=seed)
        counts = [sum(int(m.sum()) for m in dead_units(net, X).values())]

        def count(net, epoch, logs, counts=counts):
            counts.append(sum(int(m.sum()) for m in dead_units(net, X).values()))

        with np.errstate(over="ignore"):
            history = net.fit(X, y, epochs=epochs, optimizer=SGD(lr=lr), batch_size=32,
                              seed=seed, callbacks=[count])
        out[lr] = (np.array(counts), float(history["accuracy"][-1]))
    return out


# ------------------------------------------------------------ clipping
def clipping_runs(clips=(None, ("norm", 1.0)), depth=20, c=2.0, lr=0.5, epochs=40,
                  n=300, seed=0):
    """A deep tanh network (``depth`` layers of 32, W ~ N(0, c²/n_in)) trained with SGD.

    For each ``clip`` (None, ("norm", max_norm) or ("value", c)): the loss per epoch,
    the global gradient norm of every step (before clipping) and the final accuracy.
    Returns dict label -> dict(loss=array, norms=array, accuracy=float).
    """
    X, y = digits_train(n)
    out = {}
    for clip in clips:
        norms = []

        def clipped(grads, clip=clip, norms=norms):
            norms.append(float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))))
            if clip is None:
                return grads
            if clip[0] == "norm":
                return clip_by_global_norm(grads, clip[1])[0]
            return clip_by_value(grads, clip[1])

        net = deep_net((64,) + (32,) * depth + (10,), "tanh", c=c, seed=seed)
        history = net.fit(X, y, epochs=epochs, optimizer=SGD(lr=lr), batch_size=50,
                          seed=seed, clip=clipped)
        label = "no clipping" if clip is None else f"clip by {clip[0]} {clip[1]:g}"
        out[label] = dict(loss=np.array(history["loss"]), norms=np.array(norms),
                          accuracy=float(history["accuracy"][-1]))
    return out


def clipping_figure(runs):
    """Left: the loss per epoch; right: the gradient norm of every step (log scale)."""
    fig = Figure(figsize=(8.0, 3.2), layout="constrained")
    ax_l, ax_n = fig.subplots(1, 2)
    for k, (label, r) in enumerate(runs.items()):
        ax_l.plot(np.arange(1, len(r["loss"]) + 1), r["loss"], color=f"C{k}", label=label)
        ax_n.semilogy(r["norms"], color=f"C{k}", lw=0.8, label=label)
    ax_l.axhline(np.log(10), color="0.5", ls=":", lw=1, label="chance, ln 10")
    ax_l.set_xlabel("epoch")
    ax_l.set_ylabel("training loss (softmax cross-entropy)")
    ax_l.legend(fontsize=8)
    ax_n.set_xlabel("step")
    ax_n.set_ylabel(r"global gradient norm $\|g\|$ before clipping")
    for ax in (ax_l, ax_n):
        ax.grid(True, alpha=0.3)
    return fig


# ------------------------------------------------------------ update-to-weight ratio
def ratio_runs(lrs=(0.001, 0.1, 3.0), steps=30, n=300, seed=0):
    """Update-to-weight ratios of a 64-32-32-10 ReLU network, full-batch SGD.

    Returns dict lr -> (DataFrame of ratios, one column per weight, one row per step;
    final training loss).
    """
    X, y = digits_train(n)
    out = {}
    for lr in lrs:
        net = deep_net((64, 32, 32, 10), "relu", c=np.sqrt(2.0), seed=seed)
        monitor = UpdateRatio(net)
        history = net.fit(X, y, epochs=steps, optimizer=SGD(lr=lr), seed=seed,
                          callbacks=[monitor])
        out[lr] = (pd.DataFrame(monitor.history), float(history["loss"][-1]))
    return out


def ratio_figure(runs):
    """log10 of the update-to-weight ratio per step, one panel per learning rate."""
    fig = Figure(figsize=(8.4, 3.0), layout="constrained")
    axes = fig.subplots(1, len(runs), sharey=True)
    for ax, (lr, (table, _loss)) in zip(np.atleast_1d(axes), runs.items()):
        for k, col in enumerate(table.columns):
            ax.plot(np.arange(1, len(table) + 1), np.log10(table[col]), color=f"C{k}",
                    label=col.replace(".W", ""))
        ax.axhline(-3, color="k", ls=":", lw=1)
        ax.set_title(f"lr = {lr:g}", fontsize=10)
        ax.set_xlabel("step")
        ax.grid(True, alpha=0.3)
    np.atleast_1d(axes)[0].set_ylabel("log10 update / weight")
    np.atleast_1d(axes)[0].legend(fontsize=8)
    return fig


# ------------------------------------------------------------ residual connections
def residual_backward(X, Ws, R, residual):
    """Forward and backward pass of a stack of tanh layers, plain or residual.

    Plain: A^(l) = tanh(A^(l-1) W^(l)); residual: A^(l) = A^(l-1) + tanh(A^(l-1) W^(l)).
    The error is E = sum(A^(L) * R) / N (a fixed linear read-out R, shape like A^(L)).
    Backward (the chain rule through each block, written by hand): with T = tanh(...),
    dE/dA^(l-1) = (dE/dA^(l) * (1 - T^2)) W^(l)T, plus dE/dA^(l) itself when residual.

    Returns (E, list of ||dE/dA^(l)|| for l = 0..L, dE/dX).
    """
    N = X.shape[0]
    A, Ts = X, []
    for W in Ws:
        T = np.tanh(A @ W)
        Ts.append(T)
        A = A + T if residual else T
    E = float(np.sum(A * R) / N)
    dA = R / N
    norms = [float(np.linalg.norm(dA))]
    for W, T in zip(reversed(Ws), reversed(Ts)):
        through = (dA * (1 - T * T)) @ W.T
        dA = dA + through if residual else through
        norms.append(float(np.linalg.norm(dA)))
    return E, norms[::-1], dA


def residual_runs(depth=30, width=64, c=0.5, n=200, seed=0):
    """||dE/dA^(l)|| per layer for the same weights, plain and residual (l = 0..depth)."""
    rng = np.random.default_rng(seed)
    X = digits_train(n)[0][:, :width] if width <= 64 else rng.standard_normal((n, width))
    Ws = [rng.normal(0.0, c / np.sqrt(width), (width, width)) for _ in range(depth)]
    R = rng.standard_normal((n, width))
    return {name: residual_backward(X, Ws, R, res)[1]
            for name, res in (("plain", False), ("residual", True))}


def residual_figure(runs):
    """log10 of ||dE/dA^(l)|| against the layer, plain and residual."""
    fig = Figure(figsize=(6.4, 3.0), layout="constrained")
    ax = fig.add_subplot()
    for name, norms in runs.items():
        ax.semilogy(np.arange(len(norms)), norms, "o-", ms=3, label=name)
    ax.set_xlabel("layer l (0 = the input)")
    ax.set_ylabel(r"$\|\partial E/\partial A^{(l)}\|$")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return fig
