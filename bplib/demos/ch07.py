"""Chapter 7, "Loss functions": Nielsen's slow neuron, the two losses on one logit.

Pure functions for the chapter's figures and numbers: one sigmoid neuron trained by
gradient descent on one example (input 1, target 0) with the quadratic cost or the
cross-entropy, as in Nielsen's Chapter 3 (:func:`train_neuron`, :data:`NIELSEN`); its
learning curves, with a slider over the starting weight (:func:`start_demo`); each
loss and its gradient with respect to one logit z, with a slider over z and the
target (:func:`logit_demo`); and the gradient a confidently wrong example receives
through ``Sigmoid`` + ``BinaryCrossEntropy`` and through the fused
``BinaryCrossEntropyWithLogits`` (:func:`saturated_gradients`).
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from bplib.activations import Sigmoid, sigmoid
from bplib.losses import BinaryCrossEntropy, BinaryCrossEntropyWithLogits

__all__ = ["NIELSEN", "train_neuron", "epochs_below", "curves_figure", "start_view",
           "start_demo", "losses_at", "logit_view", "logit_demo", "saturated_gradients"]

#: Nielsen's experiment (Neural Networks and Deep Learning, Chapter 3) as he reports
#: it: input 1, target 0, quadratic cost with learning rate 0.15 for 300 epochs; the
#: outputs of his two starts, his final output for the first start, the "150 or so"
#: epochs in which the second start barely changes, and the learning rate he used for
#: the cross-entropy.
NIELSEN = {"x": 1.0, "y": 0.0, "eta": 0.15, "epochs": 300,
           "fast": (0.6, 0.9), "slow": (2.0, 2.0),
           "output_fast": 0.82, "output_slow": 0.98, "final_fast": 0.09,
           "eta_cross_entropy": 0.005, "stall_epochs_slow": 150}

COSTS = ("quadratic", "cross_entropy")


def train_neuron(w, b, cost="quadratic", eta=0.15, epochs=300, x=1.0, y=0.0):
    """Gradient descent on one sigmoid neuron a = σ(w x + b) and one example (x, y).

    cost "quadratic": E = (a - y)² / 2, so ∂E/∂z = (a - y) σ'(z), eq. (ch07-quad-grad);
    cost "cross_entropy": E = -[y ln a + (1 - y) ln(1 - a)], so ∂E/∂z = a - y, eq.
    (ch07-ce-grad). Then ∂E/∂w = x ∂E/∂z and ∂E/∂b = ∂E/∂z. Returns a dict of arrays
    of length epochs + 1 (the start, then after each step): "w", "b", "output", "cost".
    """
    if cost not in COSTS:
        raise ValueError(f"train_neuron: expected cost in {COSTS}, got {cost!r}")
    ws, bs, outs, costs = [], [], [], []
    for step in range(epochs + 1):
        z = w * x + b
        a = float(sigmoid(z))
        if cost == "quadratic":
            c, delta = 0.5 * (a - y) ** 2, (a - y) * a * (1 - a)
        else:   # eq. (ch07-bce-logits), as BinaryCrossEntropyWithLogits computes it
            c = (max(z, 0.0) - y * z) + math.log1p(math.exp(-abs(z)))
            delta = a - y
        ws.append(w), bs.append(b), outs.append(a), costs.append(c)
        if step < epochs:
            w, b = w - eta * x * delta, b - eta * delta
    return {k: np.array(v) for k, v in (("w", ws), ("b", bs), ("output", outs),
                                        ("cost", costs))}


def epochs_below(output, level=0.5):
    """The first epoch at which ``output`` is below ``level`` (None if never)."""
    below = np.flatnonzero(np.asarray(output) < level)
    return int(below[0]) if below.size else None


_STYLE = {("quadratic", "fast"): ("C0", "-"), ("quadratic", "slow"): ("C0", "--"),
          ("cross_entropy", "fast"): ("C3", "-"), ("cross_entropy", "slow"): ("C3", "--")}
_COST_NAME = {"quadratic": "quadratic", "cross_entropy": "cross-entropy"}


def curves_figure(runs, title="output of the neuron (target 0)"):
    """Output against epoch for several runs: ``runs`` maps a label to a run's dict."""
    fig = Figure(figsize=(7.2, 3.4), layout="constrained")
    ax = fig.add_subplot()
    for k, (label, run) in enumerate(runs.items()):
        color, ls = _STYLE.get(label if isinstance(label, tuple) else (None, None),
                               (f"C{k}", "-"))
        name = (f"{_COST_NAME[label[0]]}, start {label[1]}"
                if isinstance(label, tuple) else str(label))
        ax.plot(run["output"], color=color, ls=ls, lw=1.6, label=name)
    ax.axhline(0.5, color="0.6", lw=0.8, ls=":")
    ax.set_xlim(0, len(next(iter(runs.values()))["output"]) - 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"output $\hat y = \sigma(w + b)$")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(True, alpha=0.3)
    return fig


def start_view(w0=0.6, b0=0.9, eta=0.15, epochs=300):
    """Both learning curves (quadratic and cross-entropy, same η) from one start.

    Returns (Figure, text): the text gives the starting output and, for each cost,
    the epoch at which the output first falls below 0.5.
    """
    runs = {c: train_neuron(w0, b0, c, eta, epochs) for c in COSTS}
    fig = Figure(figsize=(6.4, 3.0), layout="constrained")
    ax = fig.add_subplot()
    for c, color in (("quadratic", "C0"), ("cross_entropy", "C3")):
        ax.plot(runs[c]["output"], color=color, lw=1.8, label=_COST_NAME[c])
    ax.axhline(0.5, color="0.6", lw=0.8, ls=":")
    ax.set_xlim(0, epochs)
    ax.set_ylim(0, 1)
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"output $\hat y$")
    z0 = w0 + b0
    ax.set_title(f"start $w = {w0:.2f}$, $b = {b0:.2f}$: $z = {z0:.2f}$, "
                 rf"$\hat y = {float(sigmoid(z0)):.3f}$, $\eta = {eta:g}$", fontsize=10)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(True, alpha=0.3)
    lines = [f"starting output {float(sigmoid(z0)):.4f}"]
    for c in COSTS:
        e = epochs_below(runs[c]["output"])
        when = f"after {e} epochs" if e is not None else f"not within {epochs} epochs"
        lines.append(f"{_COST_NAME[c]}: output below 0.5 {when}")
    return fig, "\n".join(lines)


def start_demo():
    """Slider over the starting weight w (b = 0.9, η = 0.15 for both costs): 11 frames."""
    from bplib.figures import Demo, Slider

    return Demo(lambda w0: start_view(w0, 0.9),
                Slider("w0", -0.9, 4.1, 0.5, value=0.6, label="starting weight w"),
                title="Move the starting weight: the quadratic cost stalls, "
                      "the cross-entropy does not")


# -- one logit, each loss and its gradient ---------------------------------------------
def losses_at(z, y):
    """Each loss and its gradient dE/dz at one logit z and target y, as bplib computes.

    Keys: "quadratic" (½(σ(z) - y)², through a ``Sigmoid``), "cross_entropy" (the fused
    ``BinaryCrossEntropyWithLogits``) and "sigmoid_then_bce" (``Sigmoid`` then
    ``BinaryCrossEntropy``, clamped as PyTorch's BCELoss); each a pair (loss, dE/dz).
    """
    from bplib.losses import HalfSSE
    zs, ys = np.array([[float(z)]]), np.array([[float(y)]])
    out = {}
    for name, loss, layer in (("quadratic", HalfSSE(), Sigmoid()),
                              ("cross_entropy", BinaryCrossEntropyWithLogits(), None),
                              ("sigmoid_then_bce", BinaryCrossEntropy(), Sigmoid())):
        value = loss(layer.forward(zs) if layer else zs, ys)
        g = loss.backward()
        out[name] = (value, float((layer.backward(g) if layer else g)[0, 0]))
    return out


def _curves(y, zs):
    s = sigmoid(zs)
    quad, quad_g = 0.5 * (s - y) ** 2, (s - y) * s * (1 - s)
    ce = np.maximum(zs, 0) - y * zs + np.log1p(np.exp(-np.abs(zs)))
    floor = np.exp(-100.0)
    bce = -(y * np.log(np.maximum(s, floor)) + (1 - y) * np.log(np.maximum(1 - s, floor)))
    bce_g = (s - y) / np.maximum(s * (1 - s), 1e-12) * s * (1 - s)
    return quad, quad_g, ce, s - y, bce, bce_g


_ZS = np.linspace(-40, 40, 401)


def logit_view(z=6.0, y=0):
    """Left: the quadratic cost and the cross-entropy against the logit z; right: their
    gradients dE/dz, with ``Sigmoid`` + ``BinaryCrossEntropy`` dotted. Returns (Figure, text)."""
    quad, quad_g, ce, ce_g, bce, bce_g = _curves(y, _ZS)
    fig = Figure(figsize=(7.6, 3.0), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    ax1.plot(_ZS, quad, color="C0", lw=1.6, label="quadratic")
    ax1.plot(_ZS, ce, color="C3", lw=1.6, label="cross-entropy")
    ax2.plot(_ZS, quad_g, color="C0", lw=1.6, label="quadratic")
    ax2.plot(_ZS, ce_g, color="C3", lw=1.6, label="cross-entropy (fused)")
    ax2.plot(_ZS, bce_g, color="k", lw=1.2, ls=":", label="Sigmoid + BCE layers")
    vals = losses_at(z, y)
    for ax, i in ((ax1, 0), (ax2, 1)):
        ax.axvline(z, color="0.4", lw=0.8)
        for name, color in (("quadratic", "C0"), ("cross_entropy", "C3")):
            ax.plot([z], [max(vals[name][i], 1e-4) if i == 0 else vals[name][i]], "o",
                    color=color, ms=5)
        ax.set_xlim(-40, 40)
        ax.set_xlabel("logit $z$")
        ax.grid(True, alpha=0.3)
    ax2.plot([z], [vals["sigmoid_then_bce"][1]], "x", color="k", ms=6)
    ax1.set_yscale("log")
    ax1.set_ylim(1e-4, 100)
    ax1.set_ylabel("loss (log scale)")
    ax1.set_title(f"target $y = {y}$", fontsize=10)
    ax1.legend(fontsize=7.5, loc="lower right" if y == 0 else "lower left")
    ax2.set_ylim(-1.1, 1.1)
    ax2.set_ylabel(r"$\partial E / \partial z$")
    ax2.set_title("gradient", fontsize=10)
    ax2.legend(fontsize=7.5, loc="lower center" if y == 0 else "upper center")
    text = (f"z = {z:g}, y = {y}, output sigmoid(z) = {float(sigmoid(z)):.3g}\n"
            f"quadratic:     loss {vals['quadratic'][0]:.3g}, gradient "
            f"{vals['quadratic'][1]:.3g}\n"
            f"cross-entropy: loss {vals['cross_entropy'][0]:.3g}, gradient "
            f"{vals['cross_entropy'][1]:.3g}\n"
            f"Sigmoid + BinaryCrossEntropy layers: gradient "
            f"{vals['sigmoid_then_bce'][1]:.3g}")
    return fig, text


def logit_demo():
    """Sliders over the logit z (-36 to 36 in steps of 6) and the target (0 or 1): 26 frames."""
    from bplib.figures import Demo, Slider

    return Demo(lambda z, y: logit_view(z, y),
                Slider("z", -36, 36, 6, value=6, label="logit z"),
                Slider("y", 0, 1, 1, value=0, label="target y"),
                title="Move z away from the target: the quadratic gradient dies, "
                      "the cross-entropy gradient does not")


# -- the flaw of the unfused pair ------------------------------------------------------
def saturated_gradients(z_wrong, batch=5):
    """dE/dz of one confidently wrong example (logit ``z_wrong``, target 0) in a batch.

    The other ``batch - 1`` examples are ordinary (logits 0, 1, -1, 2, ..., targets 1,
    1, 0, 1, ...). Returns (through ``Sigmoid`` + ``BinaryCrossEntropy``, through the
    fused ``BinaryCrossEntropyWithLogits``), both as bplib computes them.
    """
    others_z = [0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 1.5]
    others_y = [1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    n = batch - 1
    z = np.array([[float(z_wrong)]] + [[v] for v in (others_z * batch)[:n]])
    y = np.array([[0.0]] + [[v] for v in (others_y * batch)[:n]])
    layer, unfused = Sigmoid(), BinaryCrossEntropy()
    unfused(layer.forward(z), y)
    g_unfused = layer.backward(unfused.backward())[0, 0]
    fused = BinaryCrossEntropyWithLogits()
    fused(z, y)
    return float(g_unfused), float(fused.backward()[0, 0])
