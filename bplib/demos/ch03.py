"""Figures and slider demos for Chapter 3 (neurons, activations, the forward pass).

Every ``*_figure`` function is pure: it takes numbers, returns a new
:class:`matplotlib.figure.Figure` (never touching pyplot's global state) and,
where a demo shows text beside the figure, a short string. Every ``*_demo``
factory wraps one of them in a :class:`bplib.figures.Demo`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from bplib.activations import (relu, relu_prime, sigmoid, sigmoid_prime,
                               softmax, tanh, tanh_prime)
from bplib._validate import real_number

__all__ = ["SATURATION_THRESHOLD", "activation_figure", "softmax_figure",
           "neuron_figure", "neuron_demo", "decision_surfaces_figure",
           "hidden_space_figure", "classic_network_figure", "saturation_stats",
           "saturation_at", "saturation_figure", "saturation_demo"]

SATURATION_THRESHOLD = 0.01
"""A sigmoid unit counts as saturated when sigma'(net) is below this (max is 0.25)."""


def _sig(x):
    """sigmoid of a Python float, as a float."""
    return float(sigmoid(np.array([float(x)]))[0])


# ----------------------------------------------------------------- activations
def activation_figure(z_range=(-6.0, 6.0)):
    """Sigmoid, tanh and ReLU (solid) with their derivatives (dashed), side by side.

    Chapter 3, eqs. (sigmoid-prime), (tanh-prime), (relu-prime).
    """
    z = np.linspace(float(z_range[0]), float(z_range[1]), 401)
    rows = [("sigmoid", sigmoid, sigmoid_prime), ("tanh", tanh, tanh_prime),
            ("ReLU", relu, relu_prime)]
    fig = Figure(figsize=(10, 3.2), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, (name, f, df) in zip(axes, rows):
        ax.plot(z, f(z), color="C0", lw=2, label=f"{name}(z)")
        ax.plot(z, df(z), color="C3", lw=2, ls="--", label=f"{name}'(z)")
        ax.axhline(0, color="0.6", lw=0.8)
        ax.axvline(0, color="0.6", lw=0.8)
        ax.set_title(name)
        ax.set_xlabel("z (net input)")
        ax.legend(loc="upper left", fontsize=8)
    axes[2].set_ylim(-0.5, 3)
    return fig


def softmax_figure(logits):
    """Bars of the logits z and of softmax(z): order kept, values squeezed into (0, 1).

    Chapter 3, eq. (softmax).
    """
    z = np.asarray(logits, dtype=float).ravel()
    if z.size < 2 or not np.all(np.isfinite(z)):
        raise ValueError(f"softmax_figure: expected at least two finite logits, got {logits!r}")
    p = softmax(z)
    fig = Figure(figsize=(8, 2.8), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    idx = np.arange(z.size)
    ax1.bar(idx, z, color="C0")
    ax1.axhline(0, color="0.6", lw=0.8)
    ax1.set_title("logits z")
    ax2.bar(idx, p, color="C2")
    ax2.set_ylim(0, 1)
    ax2.set_title(f"softmax(z), sums to {p.sum():.0f}")
    for i, v in enumerate(p):
        ax2.text(i, v + 0.02, f"{v:.3f}", ha="center", fontsize=8)
    for ax in (ax1, ax2):
        ax.set_xticks(idx, [f"class {i}" for i in idx])
    return fig


# ----------------------------------------------------------------- one neuron
def neuron_figure(w, b, x_range=(-6.0, 6.0)):
    """One sigmoid neuron out = sigma(w x + b) over x; returns (Figure, text).

    The output crosses 0.5 where net = 0, i.e. at x = -b/w, with slope w/4 there
    (Chapter 3, eq. (neuron)).
    """
    w = real_number(w, "w", where="neuron_figure")
    b = real_number(b, "b", where="neuron_figure")
    x = np.linspace(float(x_range[0]), float(x_range[1]), 401)
    out = sigmoid(w * x + b)
    fig = Figure(figsize=(6, 3.2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(x, sigmoid(x), color="0.75", lw=1.5, label="w = 1, b = 0 (reference)")
    sign = "-" if b < 0 else "+"
    ax.plot(x, out, color="C0", lw=2.5,
            label=rf"$\sigma({w:g}\,x {sign} {abs(b):g})$")
    ax.axhline(0.5, color="0.6", lw=0.8, ls=":")
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlim(x[0], x[-1])
    ax.set_xlabel("input x")
    ax.set_ylabel("output")
    if w == 0:
        text = (f"w = 0: the input is ignored; the output is σ(b) = "
                f"{_sig(b):.3f} for every x.")
    else:
        x0 = -b / w + 0.0                     # + 0.0 turns -0.0 into 0.0
        text = (f"net = 0 (output 0.5) at x = -b/w = {x0:.3f}; slope there "
                f"w/4 = {w / 4:.3f}. "
                + ("The curve rises with x." if w > 0 else "The curve falls with x."))
        if x[0] <= x0 <= x[-1]:
            ax.plot([x0], [0.5], "o", color="C3", label=f"x = -b/w = {x0:.2f}")
    ax.set_title(f"one neuron: w = {w:g}, b = {b:g}")
    ax.legend(loc="upper left" if w >= 0 else "upper right", fontsize=8)
    return fig, text


def neuron_demo():
    """Slider demo: a neuron's weight sets the steepness, the bias shifts the step."""
    from bplib.figures import Demo, Slider

    def frame(w, b):
        return neuron_figure(w, b)

    return Demo(frame, Slider("w", -4.0, 4.0, 1.0, value=1.0, label="weight w"),
                Slider("b", -3.0, 3.0, 1.0, value=0.0, label="bias b"),
                title="One sigmoid neuron: out = σ(w·x + b)")


# ----------------------------------------------------------------- XOR
def decision_surfaces_figure(models, X, y, resolution=101):
    """One panel per model: its output over the unit square, with the data points.

    Parameters
    ----------
    models : dict of str -> callable
        Each maps an array (M, 2) of points to outputs (M,) or (M, 1).
    X : array (N, 2); y : array (N,) of 0/1 targets.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float).ravel()
    g = np.linspace(-0.25, 1.25, int(resolution))
    gx, gy = np.meshgrid(g, g)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    fig = Figure(figsize=(4.2 * len(models), 3.6), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(models)))
    for ax, (name, predict) in zip(axes, models.items()):
        out = np.asarray(predict(grid), dtype=float).reshape(gx.shape)
        im = ax.pcolormesh(gx, gy, out, cmap="coolwarm", vmin=0, vmax=1,
                           shading="auto")
        if np.ptp(out) > 1e-9:
            ax.contour(gx, gy, out, levels=[0.5], colors="k", linewidths=1.5)
        for cls, marker in ((0, "o"), (1, "s")):
            pts = X[y == cls]
            ax.scatter(pts[:, 0], pts[:, 1], marker=marker, s=90,
                       c="white" if cls == 0 else "black", edgecolors="k",
                       label=f"target {cls}")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("x1")
        ax.set_ylabel("x2")
        ax.set_aspect("equal")
    axes[0].legend(loc="center", fontsize=8)
    fig.colorbar(im, ax=list(axes), shrink=0.8, label="model output")
    return fig


def hidden_space_figure(X, H, y, labels=("h1", "h2"), line=None):
    """Left: the inputs X; right: the same points after the hidden layer, H.

    X, H : arrays (N, 2); y : (N,) 0/1 targets. Points are annotated with their input
    (points that land on the same spot share one label).
    line : (w1, w2, b) or None
        Draw where w1 h1 + w2 h2 + b = 0.5 in the hidden space (a linear model's
        decision line).
    """
    X, H = np.asarray(X, dtype=float), np.asarray(H, dtype=float)
    y = np.asarray(y).ravel()
    fig = Figure(figsize=(8, 3.9), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    for ax, P, (lx, ly), title in ((ax1, X, ("x1", "x2"), "input space"),
                                   (ax2, H, labels, "hidden space")):
        for cls, marker in ((0, "o"), (1, "s")):
            pts = P[y == cls]
            ax.scatter(pts[:, 0], pts[:, 1], marker=marker, s=90,
                       c="white" if cls == 0 else "black", edgecolors="k",
                       label=f"target {cls}", zorder=3)
        spots = {}
        for xi, pi in zip(X, P):
            key = (round(pi[0], 2), round(pi[1], 2))
            spots.setdefault(key, (pi, []))[1].append(f"({xi[0]:g}, {xi[1]:g})")
        for pi, names in spots.values():
            ax.annotate(" and ".join(names), pi, textcoords="offset points",
                        xytext=(-10, -16), fontsize=8, ha="center" if len(names) > 1
                        else "left")
        ax.set_xlim(-0.35, 1.45)
        ax.set_ylim(-0.35, 1.75)
        ax.set_xlabel(lx)
        ax.set_ylabel(ly)
        ax.set_title(title)
        ax.set_aspect("equal")
    if line is not None:
        w1, w2, b = (float(v) for v in line)
        h = np.linspace(-0.35, 1.45, 50)
        if abs(w2) > 1e-12:
            ax2.plot(h, (0.5 - b - w1 * h) / w2, color="C2", lw=2,
                     label="linear fit = 0.5")
        elif abs(w1) > 1e-12:
            ax2.axvline((0.5 - b) / w1, color="C2", lw=2, label="linear fit = 0.5")
    ax1.legend(loc="upper center", fontsize=8, ncol=2)
    ax2.legend(loc="lower left", fontsize=8)
    return fig


# ----------------------------------------------------------------- the 2-2-2 network
def classic_network_figure(values=None):
    """Draw the classic 2-2-2 network with its weights; optionally net/out per unit.

    values : dict or None
        Maps unit name ("h1", "h2", "o1", "o2") to (net, out) to print in the nodes.
    """
    from bplib.classic import CLASSIC

    c = CLASSIC
    pos = {"i1": (0, 2), "i2": (0, 0), "h1": (2, 2), "h2": (2, 0),
           "o1": (4, 2), "o2": (4, 0), "b1": (1, -1.2), "b2": (3, -1.2)}
    edges = [("i1", "h1", "w1"), ("i2", "h1", "w2"), ("i1", "h2", "w3"),
             ("i2", "h2", "w4"), ("h1", "o1", "w5"), ("h2", "o1", "w6"),
             ("h1", "o2", "w7"), ("h2", "o2", "w8")]
    fig = Figure(figsize=(8, 4.2), layout="constrained")
    ax = fig.subplots()
    for a, t, name in edges:
        (x0, y0), (x1, y1) = pos[a], pos[t]
        ax.annotate("", *_shortened(pos[a], pos[t], 0.44),
                    arrowprops=dict(arrowstyle="->", color="0.4"))
        frac = 0.3 if y0 == y1 else 0.24
        xm, ym = x0 + frac * (x1 - x0), y0 + frac * (y1 - y0)
        ax.text(xm, ym + 0.12, f"{name} = {c[name]:g}", fontsize=8, ha="center",
                bbox=dict(fc="white", ec="none", pad=0.5))
    for bias, targets in (("b1", ("h1", "h2")), ("b2", ("o1", "o2"))):
        for t in targets:
            ax.annotate("", *_shortened(pos[bias], pos[t], 0.44),
                        arrowprops=dict(arrowstyle="->", color="C1", ls=":"))
    inputs = np.ravel(c["inputs"])
    targets = np.ravel(c["targets"])
    for name, (x, y) in pos.items():
        if name.startswith("b"):
            label = f"{name} = {c[name]:g}"
            color = "C1"
        elif name.startswith("i"):
            label = f"{name}\n{inputs[int(name[1]) - 1]:g}"
            color = "0.85"
        else:
            label = name
            if values is not None and name in values:
                net, out = values[name]
                label = f"{name}\nnet {net:.4f}\nout {out:.4f}"
            color = "C0" if name.startswith("h") else "C2"
        if name.startswith("b"):
            ax.add_patch(_circle((x, y), 0.2, color, alpha=0.35))
            ax.text(x, y - 0.3, label, ha="center", va="top", fontsize=8)
        else:
            ax.add_patch(_circle((x, y), 0.42, color, alpha=0.35))
            ax.text(x, y, label, ha="center", va="center", fontsize=8)
    for k, name in enumerate(("o1", "o2")):
        x, y = pos[name]
        ax.text(x + 0.5, y, f"target {targets[k]:g}", va="center", fontsize=8)
    ax.set_xlim(-0.6, 5.3)
    ax.set_ylim(-1.8, 2.6)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


def _shortened(p0, p1, r):
    """(end, start) of an arrow from p0 to p1, both ends pulled in by r."""
    p0, p1 = np.asarray(p0, dtype=float), np.asarray(p1, dtype=float)
    d = (p1 - p0) / np.linalg.norm(p1 - p0)
    return tuple(p1 - r * d), tuple(p0 + r * d)


def _circle(center, radius, color, alpha):
    from matplotlib.patches import Circle

    return Circle(center, radius, fc=color, ec="0.3", alpha=alpha)


# ----------------------------------------------------------------- saturation
def saturation_stats(net):
    """Fraction of sigmoid units with sigma'(net) < SATURATION_THRESHOLD, and mean sigma'."""
    d = sigmoid_prime(np.asarray(net, dtype=float))
    return float(np.mean(d < SATURATION_THRESHOLD)), float(np.mean(d))


def _saturation_net(log10_scale, n, n_in, n_hidden, seed, where):
    from bplib.initializers import xavier_uniform

    log10_scale = real_number(log10_scale, "log10_scale", where=where, low=-10, high=10)
    scale = 10.0 ** log10_scale
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, n_in)) * scale
    return scale, X @ xavier_uniform((n_in, n_hidden), seed)


def saturation_at(log10_scale, *, n=400, n_in=8, n_hidden=16, seed=0):
    """(saturated fraction, mean sigma') of the setting drawn by :func:`saturation_figure`."""
    _, net = _saturation_net(log10_scale, n, n_in, n_hidden, seed, "saturation_at")
    return saturation_stats(net)


def saturation_figure(log10_scale, *, n=400, n_in=8, n_hidden=16, seed=0, z_max=10.0):
    """Inputs multiplied by 10**log10_scale feed a Xavier-initialised sigmoid layer.

    The inputs are n standard-normal rows (N, n_in) times the scale; the layer is
    (n_in, n_hidden) with no bias. Left: histogram of the net inputs over the fixed
    range [-z_max, z_max] (values beyond it are counted in the end bins) with sigma'(z)
    overlaid; right: histogram of the outputs. Both show the fraction of the
    N * n_hidden units per bin, on fixed axes, so the frames of a slider compare.
    Returns (Figure, text) with the saturated fraction.
    """
    scale, net = _saturation_net(log10_scale, n, n_in, n_hidden, seed, "saturation_figure")
    out = sigmoid(net)
    frac, mean_d = saturation_stats(net)
    fig = Figure(figsize=(9, 3.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    _fraction_histogram(ax1, np.clip(net, -z_max, z_max), (-z_max, z_max), "C0", 0.7)
    ax1.set(xlabel=f"net input z (beyond ±{z_max:g}: end bins)", ylabel="fraction of units")
    z = np.linspace(-z_max, z_max, 400)
    twin = ax1.twinx()
    twin.plot(z, sigmoid_prime(z), color="C3", lw=2)
    twin.set_ylim(0, 0.27)
    twin.set_ylabel("σ′(z)", color="C3")
    ax1.set_title(f"inputs of size ~{scale:.3g}")
    _fraction_histogram(ax2, out, (0.0, 1.0), "C2", 0.8)
    ax2.set_xlabel("output σ(z)")
    ax2.set_title(f"{100 * frac:.0f}% of outputs saturated")
    text = (f"input scale {scale:.3g}: {100 * frac:.1f}% of the sigmoid units have "
            f"σ′(net) < {SATURATION_THRESHOLD}; mean σ′(net) = {mean_d:.4f} "
            f"(the largest possible is 0.25).")
    return fig, text


def _fraction_histogram(ax, values, span, color, alpha):
    """40 bins over ``span`` showing the fraction of ``values`` in each, on fixed axes."""
    counts, edges = np.histogram(values.ravel(), bins=np.linspace(*span, 41))
    ax.stairs(counts / values.size, edges, fill=True, color=color, alpha=alpha)
    ax.set(xlim=span, ylim=(0, 1.02))


def saturation_demo():
    """Slider demo: scaling the inputs up pushes sigmoid units into saturation."""
    from bplib.figures import Demo, Slider

    def frame(log10_scale):
        return saturation_figure(log10_scale)

    return Demo(frame, Slider("log10_scale", -1.0, 3.0, 0.25, value=0.0,
                              label="log10(input scale)"),
                title="Input scale versus sigmoid saturation")
