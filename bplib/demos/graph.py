"""Draw a computational graph of :mod:`bplib.engine` Values with matplotlib only.

One box per Value, inputs on the left, each box showing the Value's name or
operation, its ``data`` and its ``grad``; arrows point the way the forward pass
goes. The layout is a simple layered one (columns by the longest path from an
input). Used by the figures and sliders of Chapter 4.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from bplib.engine import Value, topological_order

__all__ = ["draw_graph", "GRAD_COLOR"]

_SYMBOL = {"*": "\u00d7", "/": "\u00f7", "-": "\u2212", "neg": "\u2212x",
           "sigmoid": "\u03c3", "relu": "ReLU"}
_VALUE, _EDGE, _HI = "black", "0.55", "#fff3c4"
GRAD_COLOR = "C3"
"""The colour of the gradients in the boxes (the chapter says "the red gradients")."""


def _layout(order):
    """Column = longest path from an input (inputs sit just left of their first use);
    rows ordered by the mean row of the parents, then of the children."""
    level, children = {}, {}
    for node in order:
        level[node] = 1 + max((level[p] for p in node.parents), default=-1)
        for p in node.parents:
            children.setdefault(p, []).append(node)
    for node in order:
        if not node.parents and node in children:
            level[node] = min(level[c] for c in children[node]) - 1
    columns = {}
    for node in order:
        columns.setdefault(level[node], []).append(node)
    row = {}

    def place(nodes, key):
        nodes.sort(key=key)
        for k, node in enumerate(nodes):
            row[node] = k - (len(nodes) - 1) / 2

    def mean(nodes):
        known = [row[n] for n in nodes if n in row]
        return sum(known) / len(known) if known else 0.0

    for lv in sorted(columns):           # forward sweep: follow the parents
        place(columns[lv], lambda n: mean(n.parents))
    for lv in sorted(columns, reverse=True)[1:]:   # backward sweep: follow the children
        place(columns[lv], lambda n: (mean(children.get(n, [])), bool(n.parents)))
    return {n: (level[n], -row[n]) for n in order}, max(len(c) for c in columns.values())


def _title(node):
    op = _SYMBOL.get(node.op, node.op.replace("**", "^"))
    if node.label and node.op:
        return f"{node.label} = {op}"
    if node.label:
        return node.label
    return op if node.op else "const"


def draw_graph(root, ax=None, *, grads=True, highlight=(), digits=3, title=None):
    """Draw the graph that made ``root``: one box per value, inputs on the left.

    Each box shows the value's name or operation, its ``data`` and (``grads=True``)
    its ``grad`` in red. Arrows point the way the forward pass goes; the backward
    pass runs them right to left.

    Parameters
    ----------
    root : Value
    ax : matplotlib Axes, optional
        Drawn into; a new Figure is made when None.
    grads : bool
        Show gradients (False before ``backward()`` has run, to show values only).
    highlight : iterable of Value
        Boxes filled in yellow (e.g. a path).
    digits : int
        Significant digits shown.

    Returns
    -------
    matplotlib Figure
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_graph: expected a Value, got {type(root).__name__}")
    order = topological_order(root)
    pos, height = _layout(order)
    width = max(x for x, _ in pos.values()) + 1
    if ax is None:
        fig = Figure(figsize=(0.2 + 1.1 * width, 0.3 + 1.1 * max(height, 1)
                              + (0.3 if title else 0)))
        ax = fig.add_axes((0, 0, 1, 0.9 if title else 1))
    fig = ax.figure
    hi = {id(v) for v in highlight}
    bw, bh = 0.78, 0.62 if grads else 0.46
    for node in order:
        x1, y1 = pos[node]
        for p in node.parents:
            x0, y0 = pos[p]
            ax.add_patch(FancyArrowPatch(
                (x0 + bw / 2, y0), (x1 - bw / 2, y1), arrowstyle="-|>", mutation_scale=9,
                color=_EDGE, lw=1.0, shrinkA=0, shrinkB=1))
    for node in order:
        x, y = pos[node]
        ax.add_patch(FancyBboxPatch(
            (x - bw / 2, y - bh / 2), bw, bh, boxstyle="round,pad=0.02,rounding_size=0.06",
            fc=_HI if id(node) in hi else "white", ec="0.3" if node.parents else "C0",
            lw=1.2))
        top = y + bh / 2 - 0.13
        ax.text(x, top, _title(node), ha="center", va="center", fontsize=8.5,
                weight="bold", color="0.15")
        ax.text(x, top - 0.19, f"{node.data:.{digits}g}", ha="center", va="center",
                fontsize=8.5, color=_VALUE)
        if grads:
            ax.text(x - 0.11, top - 0.37, "grad", ha="right", va="center",
                    fontsize=8, color=GRAD_COLOR)
            ax.text(x - 0.07, top - 0.37, f"{node.grad:.{digits}g}", ha="left",
                    va="center", fontsize=8, color=GRAD_COLOR)
    ys = [y for _, y in pos.values()]
    ax.set_xlim(-0.55, width - 0.45)
    ax.set_ylim(min(ys) - 0.5, max(ys) + 0.5)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return fig
