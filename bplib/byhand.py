"""The classic 2-2-2 network by hand: one forward pass, one backward pass, one update.

Plain Python floats and nothing else, so that every intermediate number of
Chapter 5 ("Backpropagation by hand") has a name and can be printed, checked, or
compared with what a learner worked out. The layered version of the same network is
:func:`bplib.classic.classic_network`; the chapter shows that both agree.

A network is a dict of floats: the weights ``w1`` .. ``w8`` (named as in
:mod:`bplib.classic`) and either one bias per layer, ``b1`` (hidden) and ``b2``
(output), as the classic example draws them, or one bias per neuron, ``b_h1``,
``b_h2``, ``b_o1``, ``b_o2`` (these win when present).
"""

from __future__ import annotations

import math

from bplib.classic import CLASSIC

__all__ = ["WEIGHTS", "classic_params", "forward", "backward", "update", "train"]

WEIGHTS = ("w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8")
"""The eight weights by name: w1..w4 into the hidden layer, w5..w8 into the outputs."""

#: The ``hidden`` conventions of :func:`update`: "old" uses the weights of the forward
#: pass everywhere (gradient descent); "new" sends the hidden deltas back through the
#: already updated w5..w8 (a sequential shortcut, not the gradient).
HIDDEN_CONVENTIONS = ("old", "new")
#: What :func:`update` does with the biases.
BIAS_CONVENTIONS = ("fixed", "shared", "per-neuron")


def classic_params():
    """The classic weights and the two shared biases, as a new dict of floats."""
    return {k: float(CLASSIC[k]) for k in (*WEIGHTS, "b1", "b2")}


def _sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def _biases(p):
    """(b_h1, b_h2, b_o1, b_o2): per-neuron biases if given, else the shared ones."""
    return (p.get("b_h1", p.get("b1")), p.get("b_h2", p.get("b1")),
            p.get("b_o1", p.get("b2")), p.get("b_o2", p.get("b2")))


def forward(p, inputs=None, targets=None):
    """Every number of the forward pass, eqs. (ch03-net), (ch03-out), (ch03-classic-error).

    Returns a dict with ``net_h1, out_h1, net_h2, out_h2, net_o1, out_o1, net_o2,
    out_o2, E_o1, E_o2, E_total``. ``inputs`` and ``targets`` default to the classic
    (0.05, 0.10) and (0.01, 0.99).
    """
    i1, i2 = CLASSIC["inputs"] if inputs is None else inputs
    t1, t2 = CLASSIC["targets"] if targets is None else targets
    bh1, bh2, bo1, bo2 = _biases(p)
    f = {}
    f["net_h1"] = p["w1"] * i1 + p["w2"] * i2 + bh1
    f["out_h1"] = _sig(f["net_h1"])
    f["net_h2"] = p["w3"] * i1 + p["w4"] * i2 + bh2
    f["out_h2"] = _sig(f["net_h2"])
    f["net_o1"] = p["w5"] * f["out_h1"] + p["w6"] * f["out_h2"] + bo1
    f["out_o1"] = _sig(f["net_o1"])
    f["net_o2"] = p["w7"] * f["out_h1"] + p["w8"] * f["out_h2"] + bo2
    f["out_o2"] = _sig(f["net_o2"])
    f["E_o1"] = 0.5 * (t1 - f["out_o1"]) ** 2
    f["E_o2"] = 0.5 * (t2 - f["out_o2"]) ** 2
    f["E_total"] = f["E_o1"] + f["E_o2"]
    return f


def backward(p, inputs=None, targets=None, *, w_out=None):
    """Every number of the backward pass, eqs. (ch05-three-factors) to (ch05-bias-grads).

    Returns the forward numbers and, by name: for each output o1, o2 the factors
    ``dE_dout_o1``, ``dout_o1_dnet_o1`` and ``delta_o1``; ``dE_dw5`` .. ``dE_dw8``;
    for each hidden neuron the two paths ``dEo1_dout_h1``, ``dEo2_dout_h1``, their
    sum ``dE_dout_h1``, ``dout_h1_dnet_h1`` and ``delta_h1``; ``dE_dw1`` ..
    ``dE_dw4``; the bias gradients ``dE_db_h1`` .. ``dE_db_o2`` (one bias per
    neuron) and ``dE_db1``, ``dE_db2`` (one shared bias per layer).

    ``w_out``: the w5..w8 the hidden deltas are sent back through (default: those of
    ``p``, which gives the gradient; updated ones give the sequential shortcut).
    """
    i1, i2 = CLASSIC["inputs"] if inputs is None else inputs
    t1, t2 = CLASSIC["targets"] if targets is None else targets
    g = forward(p, (i1, i2), (t1, t2))
    w = p if w_out is None else w_out
    # output neurons: three factors (ch05-three-factors), the delta (ch05-delta-o)
    for k, t in (("1", t1), ("2", t2)):
        out = g[f"out_o{k}"]
        g[f"dE_dout_o{k}"] = out - t
        g[f"dout_o{k}_dnet_o{k}"] = out * (1.0 - out)
        g[f"delta_o{k}"] = g[f"dE_dout_o{k}"] * g[f"dout_o{k}_dnet_o{k}"]
    # delta times the input the weight multiplies (ch05-output-grads)
    g["dE_dw5"] = g["delta_o1"] * g["out_h1"]
    g["dE_dw6"] = g["delta_o1"] * g["out_h2"]
    g["dE_dw7"] = g["delta_o2"] * g["out_h1"]
    g["dE_dw8"] = g["delta_o2"] * g["out_h2"]
    # hidden neurons: two paths (ch05-two-paths), the delta (ch05-delta-h)
    for k, (wa, wb) in (("1", ("w5", "w7")), ("2", ("w6", "w8"))):
        out = g[f"out_h{k}"]
        g[f"dEo1_dout_h{k}"] = g["delta_o1"] * w[wa]
        g[f"dEo2_dout_h{k}"] = g["delta_o2"] * w[wb]
        g[f"dE_dout_h{k}"] = g[f"dEo1_dout_h{k}"] + g[f"dEo2_dout_h{k}"]
        g[f"dout_h{k}_dnet_h{k}"] = out * (1.0 - out)
        g[f"delta_h{k}"] = g[f"dE_dout_h{k}"] * g[f"dout_h{k}_dnet_h{k}"]
    # delta times input again (ch05-hidden-grads)
    g["dE_dw1"] = g["delta_h1"] * i1
    g["dE_dw2"] = g["delta_h1"] * i2
    g["dE_dw3"] = g["delta_h2"] * i1
    g["dE_dw4"] = g["delta_h2"] * i2
    # biases (ch05-bias-grads): its delta, or the sum of the deltas it feeds
    for unit in ("h1", "h2", "o1", "o2"):
        g[f"dE_db_{unit}"] = g[f"delta_{unit}"]
    g["dE_db1"] = g["delta_h1"] + g["delta_h2"]
    g["dE_db2"] = g["delta_o1"] + g["delta_o2"]
    return g


def update(p, lr=None, *, hidden="old", biases="fixed", inputs=None, targets=None):
    """One step of gradient descent, w <- w - lr dE/dw, eq. (ch05-update); a new dict.

    ``lr`` defaults to the classic 0.5. ``hidden``: "old" (every gradient from the
    weights of the forward pass: gradient descent, what the chapter uses) or "new"
    (w5..w8 are updated first and the hidden deltas sent back through the new ones,
    a shortcut some implementations take). ``biases``: "fixed" (the classic
    walkthrough), "shared" (one bias per layer, as drawn, updated with the sum of the
    layer's deltas) or "per-neuron" (each neuron its own bias; the result has
    ``b_h1`` .. ``b_o2``).
    """
    if hidden not in HIDDEN_CONVENTIONS:
        raise ValueError(f"update: hidden must be one of {HIDDEN_CONVENTIONS}, got {hidden!r}")
    if biases not in BIAS_CONVENTIONS:
        raise ValueError(f"update: biases must be one of {BIAS_CONVENTIONS}, got {biases!r}")
    lr = CLASSIC["lr"] if lr is None else float(lr)
    g = backward(p, inputs, targets)
    new = dict(p)
    for k in ("w5", "w6", "w7", "w8"):
        new[k] = p[k] - lr * g[f"dE_d{k}"]
    if hidden == "new":
        g = backward(p, inputs, targets, w_out=new)
    for k in ("w1", "w2", "w3", "w4"):
        new[k] = p[k] - lr * g[f"dE_d{k}"]
    if biases == "shared":
        new["b1"] = p["b1"] - lr * g["dE_db1"]
        new["b2"] = p["b2"] - lr * g["dE_db2"]
    elif biases == "per-neuron":
        for unit, b in zip(("h1", "h2", "o1", "o2"), _biases(p)):
            new[f"b_{unit}"] = b - lr * g[f"dE_db_{unit}"]
    return new


def train(p, steps, lr=None, *, hidden="old", biases="fixed", keep=()):
    """``steps`` updates from ``p``: (final params, errors, kept).

    ``errors[k]`` is E_total after k updates (``steps + 1`` numbers, the first one
    before any update); ``kept`` maps each step count in ``keep`` to the parameters
    after that many updates.
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"train: steps must be an int >= 0, got {steps!r}")
    keep = set(keep)
    kept = {0: dict(p)} if 0 in keep else {}
    errors = []
    for k in range(1, steps + 1):
        errors.append(forward(p)["E_total"])
        p = update(p, lr, hidden=hidden, biases=biases)
        if k in keep:
            kept[k] = dict(p)
    errors.append(forward(p)["E_total"])
    return p, errors, kept
