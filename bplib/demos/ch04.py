"""Chapter 4, "The chain rule and computational graphs": graphs, neurons and costs.

Pure functions around :mod:`bplib.engine`: the chapter's sigmoid neuron, the
patterns of backward flow and small scalar networks drawn as graphs
(:func:`bplib.demos.graph.draw_graph`), paths counted, and what finite
differences and one backward pass cost. ``neuron_demo()`` and ``max_demo()``
wrap views in sliders (:mod:`bplib.figures`).
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bplib.demos.graph import draw_graph
from bplib.engine import Value, maximum, topological_order

__all__ = [
    "draw_graph", "neuron", "neuron_view", "neuron_demo", "patterns_figure",
    "max_view", "max_demo", "scalar_mlp", "mlp_loss", "count_paths",
    "gradient_cost", "cost_figure",
]

# -- the chapter's sigmoid neuron ---------------------------------------------------
NEURON = dict(w=0.5, x=1.5, b=0.1, t=0.8)


def neuron(w=NEURON["w"], x=NEURON["x"], b=NEURON["b"], t=NEURON["t"]):
    """The neuron of Chapter 4, eq. (ch04-neuron): E = 1/2 (sigmoid(w x + b) - t)^2.

    Returns a dict of the named Values ``w, x, b, t, wx, z, y_hat, e, e2, E`` after
    ``E.backward()`` has run (so every ``grad`` is dE/d(that value)).
    """
    v = {k: Value(val, label=k) for k, val in dict(w=w, x=x, b=b, t=t).items()}
    v["wx"] = v["w"] * v["x"]
    v["wx"].label = "wx"
    v["z"] = v["wx"] + v["b"]
    v["z"].label = "z"
    v["y_hat"] = v["z"].sigmoid()
    v["y_hat"].label = "\u0177"          # y-hat, the output; t is the target
    v["e"] = v["y_hat"] - v["t"]
    v["e"].label = "e"
    v["e2"] = v["e"] ** 2
    v["e2"].label = "e\u00b2"
    v["E"] = 0.5 * v["e2"]
    v["E"].label = "E"
    v["E"].backward()
    return v


def _neuron_error(w, x, b, t):
    return 0.5 * (1.0 / (1.0 + np.exp(-(w * x + b))) - t) ** 2


def neuron_view(w=NEURON["w"], x=NEURON["x"], *, b=NEURON["b"], t=NEURON["t"],
                w_range=(-3.0, 3.0)):
    """The neuron's graph (values and gradients) above its error curve E(w).

    The tangent at the current w has slope ``w.grad``: the number the backward
    pass wrote into the box labelled w. Returns (Figure, text): the text says so
    with the numbers (shown beside the figure).
    """
    v = neuron(w, x, b, t)
    fig = Figure(figsize=(8, 5))
    gax = fig.add_axes((0.01, 0.45, 0.98, 0.54))
    cax = fig.add_axes((0.09, 0.1, 0.88, 0.33))
    draw_graph(v["E"], gax)
    ws = np.linspace(*w_range, 241)
    cax.plot(ws, _neuron_error(ws, x, b, t), color="C0", label="$E(w)$")
    slope, E = v["w"].grad, v["E"].data
    half = 0.6
    cax.plot([w - half, w + half], [E - half * slope, E + half * slope], color="C3",
             lw=2, label=r"tangent, slope $\partial E/\partial w$")
    cax.plot([w], [E], "o", color="C3")
    cax.set_xlim(w_range[0] - 0.1, w_range[1] + 0.1)     # the point stays whole at the ends
    cax.set_ylim(-0.02, 0.5 * max(t, 1 - t) ** 2 + 0.05)
    cax.set_xlabel("weight $w$")
    cax.set_ylabel("error $E$")
    cax.legend(loc="upper right", fontsize=8)
    text = (f"w = {w:g}: E = {E:.4g}, and the tangent's slope dE/dw = {slope:.3g} "
            f"is the grad the backward pass wrote into the box of w.")
    return fig, text


def neuron_demo(start=-3.0, stop=3.0, step=0.25, value=NEURON["w"]):
    """Slider over the weight w of the neuron (25 frames by default)."""
    from bplib.figures import Demo, Slider

    return Demo(lambda w: neuron_view(w),
                Slider("w", start, stop, step, value=value, label="weight w"),
                title="Move w: the values and gradients on the graph follow")


# -- the patterns of backward flow ---------------------------------------------------
def patterns_figure(a=2.0, b=-3.0, g=1.5):
    """Add distributes, multiply swaps, max routes: gradient ``g`` arriving at each."""
    fig = Figure(figsize=(7.5, 2.8), layout="constrained")
    axes = fig.subplots(1, 3)
    for ax, (name, make) in zip(axes, [("add distributes", lambda p, q: p + q),
                                       ("multiply swaps", lambda p, q: p * q),
                                       ("max routes", lambda p, q: maximum(p, q))]):
        p, q = Value(a, label="a"), Value(b, label="b")
        out = make(p, q)
        out.label = "out"
        out.backward(grad=g)
        draw_graph(out, ax, title=f"{name}: g = {g:g} arrives")
    return fig


def max_view(a=0.5, *, b=-1.0, c=0.0):
    """f = max(a * b, c): the gradient reaches a and b only while a * b > c."""
    va, vb, vc = Value(a, label="a"), Value(b, label="b"), Value(c, label="c")
    ab = va * vb
    ab.label = "ab"
    f = maximum(ab, vc)
    f.label = "f"
    f.backward()
    if ab.data == c:      # a tie: the engine splits the gradient equally
        route, highlight = "ab = c: the gradient is split, half to each", [ab, vc]
    else:
        route, highlight = ("the gradient goes to ab", [ab]) if ab.data > c else \
            ("the gradient goes to c", [vc])
    fig = Figure(figsize=(4.8, 3.0), layout="constrained")
    draw_graph(f, fig.add_subplot(), highlight=highlight, title=f"a = {a:g}: {route}")
    return fig


def max_demo(start=-2.0, stop=2.0, step=0.25, value=0.5):
    """Slider over a in f = max(a * b, c) (17 frames by default)."""
    from bplib.figures import Demo, Slider

    return Demo(lambda a: max_view(a), Slider("a", start, stop, step, value=value,
                                              label="input a"),
                title="max routes the gradient to the larger input")


# -- small scalar networks, paths and costs ----------------------------------------------
def _act(z):
    return z.tanh() if isinstance(z, Value) else math.tanh(z)


def scalar_mlp(sizes, seed=0):
    """Weights of a tanh network with layer sizes ``sizes`` as a flat list of floats.

    Layout: for each layer, W (n_in x n_out, row-major) then b (n_out). Drawn from
    N(0, 1/n_in) with ``seed`` (int or numpy Generator).
    """
    rng = np.random.default_rng(seed)
    flat = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        flat += list(rng.normal(0, 1 / math.sqrt(n_in), n_in * n_out)) + [0.0] * n_out
    return [float(v) for v in flat]


def mlp_loss(weights, sizes, x, t):
    """Half squared error of the tanh network (linear output) on one example.

    Works on floats (for finite differences) and on Values (for backward): the same
    code, so both compute the same function.
    """
    h, k = list(x), 0
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        W, b = weights[k:k + n_in * n_out], weights[k + n_in * n_out:k + (n_in + 1) * n_out]
        k += (n_in + 1) * n_out
        z = [sum((h[i] * W[i * n_out + j] for i in range(n_in)), b[j]) for j in range(n_out)]
        h = z if layer == len(sizes) - 2 else [_act(zj) for zj in z]
    return 0.5 * sum((hj - tj) ** 2 for hj, tj in zip(h, t))


def count_paths(root, leaf):
    """Number of distinct paths from ``leaf`` to ``root`` in the graph of ``root``.

    A backward pass with every local gradient replaced by 1 (Chapter 4).
    """
    order = topological_order(root)
    paths = {root: 1}
    for node in reversed(order):
        for p in node.parents:
            paths[p] = paths.get(p, 0) + paths.get(node, 0)
    return paths.get(leaf, 0)


def _central_differences(w, sizes, x, t, eps):
    """(dE/dw_i for every i by central differences, number of loss evaluations: 2P)."""
    w, fd = list(w), []
    for i in range(len(w)):
        old = w[i]
        w[i] = old + eps
        up = mlp_loss(w, sizes, x, t)
        w[i] = old - eps
        down = mlp_loss(w, sizes, x, t)
        w[i] = old
        fd.append((up - down) / (2 * eps))
    return fd, 2 * len(w)


def _reverse_mode(w, sizes, x, t):
    """(the weights as Values with their grads, the loss E): one forward, one backward."""
    params = [Value(v) for v in w]
    E = mlp_loss(params, sizes, x, t)
    E.backward()
    return params, E


def gradient_cost(hidden=(2, 4, 8, 16, 32, 64), n_in=3, seed=0, eps=1e-6, repeats=3):
    """Cost of all partial derivatives: central differences versus one backward pass.

    For each hidden width h, a tanh network (n_in, h, 1). Finite differences evaluate
    the loss 2P times (P weights) on plain floats; reverse mode builds the graph once
    (one forward pass on Values) and runs one backward pass. Times are the best of
    ``repeats`` runs (the machine may be busy).

    Returns
    -------
    pandas.DataFrame
        One row per width: hidden, weights, fd_evaluations, reverse_evaluations
        (forward passes: 1), graph_nodes, fd_seconds, reverse_seconds,
        max_abs_difference (between the two gradients).
    """
    rng = np.random.default_rng(seed)
    rows = []
    for h in hidden:
        sizes = (n_in, h, 1)
        w = scalar_mlp(sizes, seed=rng)
        x, t = list(rng.normal(size=n_in)), [0.5]
        fd_seconds, reverse_seconds = math.inf, math.inf
        for _ in range(repeats):
            t0 = time.perf_counter()
            fd, calls = _central_differences(w, sizes, x, t, eps)
            t1 = time.perf_counter()
            params, E = _reverse_mode(w, sizes, x, t)
            t2 = time.perf_counter()
            fd_seconds, reverse_seconds = min(fd_seconds, t1 - t0), min(reverse_seconds, t2 - t1)
        rows.append(dict(hidden=h, weights=len(w), fd_evaluations=calls,
                         reverse_evaluations=1, graph_nodes=len(topological_order(E)),
                         fd_seconds=fd_seconds, reverse_seconds=reverse_seconds,
                         max_abs_difference=max(abs(p.grad - f) for p, f in zip(params, fd))))
    return pd.DataFrame(rows)


def cost_figure(table):
    """Forward-pass evaluations and seconds against the number of weights (log-log)."""
    fig = Figure(figsize=(8, 3.3), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    P = table["weights"]
    ax1.loglog(P, table["fd_evaluations"], "o-", label="finite differences (2P)")
    ax1.loglog(P, table["reverse_evaluations"], "s-", label="backward pass (1)")
    ax1.set_ylabel("forward-pass evaluations")
    ax2.loglog(P, table["fd_seconds"], "o-", label="finite differences")
    ax2.loglog(P, table["reverse_seconds"], "s-", label="forward + backward")
    ax2.set_ylabel("seconds")
    for ax in (ax1, ax2):
        ax.set_xlabel("number of weights P")
        ax.legend(fontsize=8)
        ax.grid(True, which="major", alpha=0.3)
    return fig
