"""Chapter 5, "Backpropagation by hand": the backward pass drawn, training watched.

Pure functions around :mod:`bplib.byhand` (the classic 2-2-2 network as plain
Python): the network drawn with every weight's gradient and every neuron's delta
(:func:`network_figure`), training curves, the slider over training steps and the
learning rate (:func:`training_demo`), and the comparison of a widely copied
walkthrough's published numbers with the exact ones (:func:`published_table`).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from bplib import byhand
from bplib.classic import CLASSIC

__all__ = ["PUBLISHED", "STEP_GRID", "network_figure", "training_curves_figure",
           "trajectory", "training_view", "training_demo", "published_table"]

#: Numbers printed in M. Mazur, "A Step by Step Backpropagation Example" (blog post,
#: 2015, https://mattmazur.com/2015/03/17/a-step-by-step-backpropagation-example/), for
#: this network, as (what, the text as printed). Compared with the exact numbers by
#: :func:`published_table`.
PUBLISHED = (
    ("E before the step", "0.298371109"),
    ("dE/dw5", "0.082167041"),
    ("dE_o2/dout_h1", "-0.019049119"),
    ("dE/dout_h1", "0.036350306"),
    ("dE/dw1", "0.000438568"),
    ("new w5", "0.35891648"),
    ("new w1", "0.149780716"),
    ("E after round 1", "0.291027924"),
    ("E after 10,000", "0.0000351085"),
    ("out_o1 after 10,000", "0.015912196"),
    ("out_o2 after 10,000", "0.984065734"),
)

#: Training-step counts of the slider, 10 ** (0, 0.25, ..., 4), rounded.
STEP_GRID = tuple(int(round(10 ** (k / 4))) for k in range(17))

_POS = {"i1": (0.0, 2.0), "i2": (0.0, 0.0), "h1": (2.0, 2.0), "h2": (2.0, 0.0),
        "o1": (4.0, 2.0), "o2": (4.0, 0.0)}
_EDGES = (("i1", "h1", "w1"), ("i2", "h1", "w2"), ("i1", "h2", "w3"), ("i2", "h2", "w4"),
          ("h1", "o1", "w5"), ("h2", "o1", "w6"), ("h1", "o2", "w7"), ("h2", "o2", "w8"))
#: |dE/dw| that gets the widest line (about the largest gradient of the classic start).
_G_SCALE = 0.09
_POSITIVE, _NEGATIVE = "#c0392b", "#1f5fa8"


def _width(g):
    """Line width for a gradient: grows with sqrt|g|, so small gradients stay visible."""
    return 0.8 + 6.0 * min(1.0, math.sqrt(abs(g) / _G_SCALE))


def _shortened(p0, p1, r):
    p0, p1 = np.asarray(p0, dtype=float), np.asarray(p1, dtype=float)
    d = (p1 - p0) / np.linalg.norm(p1 - p0)
    return tuple(p1 - r * d), tuple(p0 + r * d)


def draw_network(ax, p, g=None):
    """Draw the 2-2-2 network ``p`` into ``ax``: weights, gradients and deltas.

    ``g`` is :func:`bplib.byhand.backward` of ``p`` (computed if not given). Each
    arrow is coloured by the sign of its weight's gradient (red: positive, so a
    gradient step lowers the weight; blue: negative) and drawn wider for a larger
    |gradient|; each neuron shows its output and its delta.
    """
    g = byhand.backward(p) if g is None else g
    inputs, targets = np.ravel(CLASSIC["inputs"]), np.ravel(CLASSIC["targets"])
    for a, b, name in _EDGES:
        grad = g[f"dE_d{name}"]
        color = _POSITIVE if grad > 0 else _NEGATIVE
        ax.annotate("", *_shortened(_POS[a], _POS[b], 0.45),
                    arrowprops=dict(arrowstyle="-|>", color=color, lw=_width(grad),
                                    shrinkA=0, shrinkB=0, mutation_scale=12))
        (x0, y0), (x1, y1) = _POS[a], _POS[b]
        label = f"{name} = {p[name]:.4f}\n\u2202E/\u2202{name} = {grad:+.2e}"
        box = dict(fc="white", ec=color, lw=0.6, pad=1.5, alpha=0.92)
        if y0 == y1:   # a horizontal arrow: the label beside it, so its width shows
            top = y0 > 1.0
            ax.text((x0 + x1) / 2, y0 + (0.12 if top else -0.12), label, fontsize=8,
                    ha="center", va="bottom" if top else "top", color="0.1", bbox=box)
        else:
            ax.text(x0 + 0.27 * (x1 - x0), y0 + 0.27 * (y1 - y0), label, fontsize=8,
                    ha="center", va="center", color="0.1", bbox=box)
    for name, (x, y) in _POS.items():
        if name.startswith("i"):
            label, fc = f"{name}\n{inputs[int(name[1]) - 1]:g}", "0.85"
        else:
            label = f"{name}\nout {g['out_' + name]:.4f}\n\u03b4 {g['delta_' + name]:+.2e}"
            fc = "C0" if name.startswith("h") else "C2"
        ax.add_patch(Circle((x, y), 0.45, fc=fc, ec="0.3", alpha=0.3))
        ax.text(x, y, label, ha="center", va="center", fontsize=8.5)
    for k, name in enumerate(("o1", "o2")):
        x, y = _POS[name]
        ax.text(x + 0.55, y, f"target\n{targets[k]:g}", va="center", fontsize=8.5)
    ax.set_xlim(-0.55, 5.3)
    ax.set_ylim(-0.95, 2.95)
    ax.set_aspect("equal")
    ax.axis("off")


def network_figure(p=None, title=None):
    """The 2-2-2 network with each weight's gradient and each neuron's delta.

    ``p``: a network dict of :mod:`bplib.byhand` (default: the classic start).
    """
    p = byhand.classic_params() if p is None else p
    g = byhand.backward(p)
    fig = Figure(figsize=(8.4, 4.6), layout="constrained")
    ax = fig.add_subplot()
    draw_network(ax, p, g)
    ax.set_title(title or f"E_total = {g['E_total']:.9f}", fontsize=10)
    fig.text(0.5, 0.01, "red: \u2202E/\u2202w > 0 (a step lowers w); blue: < 0 (a step raises w); "
             "width grows with |\u2202E/\u2202w|; \u03b4 = \u2202E/\u2202net",
             ha="center", va="bottom", fontsize=8.5, color="0.3")
    return fig


def training_curves_figure(curves, title="E_total while training"):
    """E_total after k steps for each labelled curve ``{label: errors}`` (log axes)."""
    fig = Figure(figsize=(7.5, 3.4), layout="constrained")
    ax = fig.add_subplot()
    for k, (label, errors) in enumerate(curves.items()):
        errors = np.asarray(errors, dtype=float)
        steps = np.arange(len(errors))
        ax.plot(steps, errors, color=f"C{k}", lw=1.8, ls=("-", "--", ":", "-.")[k % 4],
                label=label)
    ax.set_xscale("symlog", linthresh=1)
    ax.set_yscale("log")
    ax.set_xlabel("training steps k (0, then logarithmic)")
    ax.set_ylabel("E_total after k steps")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", color="0.9")
    ax.legend(fontsize=8)
    return fig


@functools.lru_cache(maxsize=8)
def trajectory(lr=0.5, steps=STEP_GRID[-1]):
    """Train the classic network by hand (gradient descent, biases fixed).

    Returns (errors, outputs, kept): E_total and (out_o1, out_o2) after every step
    (numpy arrays of length steps + 1) and the parameters after each step count in
    :data:`STEP_GRID`. Cached: the slider asks for the same runs again and again.
    """
    p = byhand.classic_params()
    errors, outputs, kept = [], [], {}
    keep = set(STEP_GRID) | {0}
    for k in range(steps + 1):
        f = byhand.forward(p)
        errors.append(f["E_total"])
        outputs.append((f["out_o1"], f["out_o2"]))
        if k in keep:
            kept[k] = dict(p)
        if k < steps:
            p = byhand.update(p, lr)
    return np.array(errors), np.array(outputs), kept


def training_view(log10_steps=0.0, lr=0.5):
    """The network after 10**log10_steps steps at learning rate ``lr``, and its curves.

    Left: the network with the weights, gradients and deltas of that moment. Right:
    E_total and the two outputs over 10,000 steps, a dot at the current step.
    Returns (Figure, text).
    """
    k = int(round(10 ** float(log10_steps)))
    errors, outputs, kept = trajectory(float(lr))
    if k not in kept:
        raise ValueError(f"training_view: {k} steps is not on the slider's grid {STEP_GRID}")
    p = kept[k]
    g = byhand.backward(p)
    fig = Figure(figsize=(11.0, 4.6))
    net_ax = fig.add_axes((0.0, 0.06, 0.6, 0.86))
    e_ax = fig.add_axes((0.68, 0.58, 0.3, 0.34))
    o_ax = fig.add_axes((0.68, 0.12, 0.3, 0.34))
    draw_network(net_ax, p, g)
    net_ax.set_title(f"after {k:,} step{'s' if k != 1 else ''} with \u03b7 = {lr:g}: "
                     f"E_total = {g['E_total']:.3e}", fontsize=10)
    steps = np.arange(len(errors))
    e_ax.plot(steps, errors, color="C0", lw=1.5)
    e_ax.plot([k], [errors[k]], "o", color="C3")
    e_ax.set_xscale("symlog", linthresh=1)
    e_ax.set_yscale("log")
    e_ax.set_ylim(1e-7, 1.0)
    e_ax.set_xlim(0, steps[-1] * 1.3)
    e_ax.set_ylabel("E_total", fontsize=9)
    e_ax.tick_params(labelsize=8)
    for j, (name, color) in enumerate((("out_o1", "C2"), ("out_o2", "C4"))):
        o_ax.plot(steps, outputs[:, j], color=color, lw=1.5, label=name)
        o_ax.axhline(np.ravel(CLASSIC["targets"])[j], color=color, lw=0.8, ls="--")
        o_ax.plot([k], [outputs[k, j]], "o", color="C3")
    o_ax.set_xscale("symlog", linthresh=1)
    o_ax.set_xlim(0, steps[-1] * 1.3)
    o_ax.set_ylim(-0.05, 1.05)
    o_ax.set_xlabel("training steps", fontsize=9)
    o_ax.set_ylabel("outputs (dashed: targets)", fontsize=9)
    o_ax.tick_params(labelsize=8)
    o_ax.legend(fontsize=8, loc="center left")
    fig.text(0.3, 0.01, "red: \u2202E/\u2202w > 0, blue: < 0; width grows with "
             "|\u2202E/\u2202w|; \u03b4 = \u2202E/\u2202net", ha="center", va="bottom",
             fontsize=8.5, color="0.3")
    text = (f"after {k} steps with eta = {lr:g}: E_total = {g['E_total']:.6g}, "
            f"out_o1 = {g['out_o1']:.6f}, out_o2 = {g['out_o2']:.6f}, "
            f"dE/dw5 = {g['dE_dw5']:.3g}, dE/dw1 = {g['dE_dw1']:.3g}")
    return fig, text


def training_demo(lr_values=(0.5, 2.0), value=0.0):
    """Sliders over log10(training steps), 0 to 4, and the learning rate eta."""
    from bplib.figures import Demo, Slider

    lo, hi = lr_values
    return Demo(training_view,
                Slider("log10_steps", 0.0, 4.0, 0.25, value=value,
                       label="log10(steps)"),
                Slider("lr", lo, hi, hi - lo, value=lo, label="learning rate \u03b7"),
                title="Training the 2-2-2 network: gradients shrink as the error falls",
                continuous=False)


# ------------------------------------------------ published numbers, explained
def _exact_candidates():
    """{(what, convention): exact value} for every quantity of :data:`PUBLISHED`.

    The conventions, named "hidden deltas/biases": "gradient descent" or "shortcut" (the
    sequential shortcut, whose hidden deltas go back through the new w5..w8), each with
    the biases "fixed", "shared" or "per-neuron"; the numbers after 10,000 rounds also after 9,999 steps; and
    dE_o2/dout_h1 also from delta_o2 rounded to 9 decimals first ("rounded delta_o2").
    """
    p0 = byhand.classic_params()
    g = byhand.backward(p0)
    out = {("dE_o2/dout_h1", "rounded delta_o2"): round(g["delta_o2"], 9) * p0["w7"]}
    for hidden, name in (("old", "gradient descent"), ("new", "shortcut")):
        for biases in byhand.BIAS_CONVENTIONS:
            label = f"{name}/{biases}"
            p1 = byhand.update(p0, hidden=hidden, biases=biases)
            # the hidden numbers of the step: through the old w5..w8, or the new ones
            gh = g if hidden == "old" else byhand.backward(p0, w_out=p1)
            p_end, errors, kept = byhand.train(p0, 10_000, hidden=hidden, biases=biases,
                                               keep=(9_999,))
            out.update({
                ("E before the step", label): g["E_total"],
                ("dE/dw5", label): g["dE_dw5"],
                ("dE_o2/dout_h1", label): gh["dEo2_dout_h1"],
                ("dE/dout_h1", label): gh["dE_dout_h1"],
                ("dE/dw1", label): gh["dE_dw1"],
                ("new w5", label): p1["w5"],
                ("new w1", label): p1["w1"],
                ("E after round 1", label): errors[1],
            })
            for q, suffix in ((p_end, ""), (kept[9_999], ", 9,999 steps")):
                f = byhand.forward(q)
                out[("E after 10,000", label + suffix)] = f["E_total"]
                out[("out_o1 after 10,000", label + suffix)] = f["out_o1"]
                out[("out_o2 after 10,000", label + suffix)] = f["out_o2"]
    return out


def _decimals(text):
    return len(text.split(".")[1]) if "." in text else 0


def published_table():
    """The published numbers beside the exact ones, and which computation they match.

    A published number "matches" a computation when the exact value, rounded to as
    many decimals as were printed, is the printed number. Returns a DataFrame with
    columns what, published, exact (gradient descent, biases fixed, 10,000 steps where
    it applies; 10 significant digits) and reproduced by (the computations that
    match, named "hidden deltas/biases": "gradient descent/fixed", "shortcut/per-neuron",
    ...; "/any" when all three bias conventions match, "all six" when every
    convention does, or "none").
    """
    cand = _exact_candidates()
    rows = []
    for what, text in PUBLISHED:
        d = _decimals(text)
        matches = [conv for (w, conv), v in cand.items()
                   if w == what and f"{v:.{d}f}" == text]
        for name in ("gradient descent", "shortcut"):
            same = [m for m in matches if m.startswith(name + "/")
                    and not m.endswith("steps")]
            if len(same) == len(byhand.BIAS_CONVENTIONS):
                matches = [m for m in matches if m not in same] + [f"{name}/any"]
        if matches == ["gradient descent/any", "shortcut/any"]:
            matches = ["all six (they agree here)"]
        rows.append({"what": what, "published": text,
                     "exact": f"{cand[(what, 'gradient descent/fixed')]:.10g}",
                     "reproduced by": "; ".join(matches) or "none"})
    return pd.DataFrame(rows)
