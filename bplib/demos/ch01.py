"""Chapter 1, "Learning means making an error small": tables, curves and the W slider.

The model of the chapter has one weight: ``y_hat = W * x``. Its error on a data set is
the sum of squared errors (Chapter 1, eq. (ch01-sse))::

    E(W) = sum_i (W x_i - y_i) ** 2

whose slope is ``dE/dW = 2 sum_i x_i (W x_i - y_i)`` (eq. (ch01-slope)) and whose
minimum is at ``W* = sum_i x_i y_i / sum_i x_i ** 2`` (eq. (ch01-best)).

Everything here is a pure function: numbers in, a DataFrame or a matplotlib Figure
out. ``error_curve_demo()`` wraps ``error_curve_view`` in a W slider.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bplib._validate import as_array
from bplib.datasets import chapter1

__all__ = [
    "COLUMNS",
    "chapter_data",
    "squared_error",
    "absolute_error",
    "squared_error_slope",
    "best_weight",
    "error_table",
    "table_html",
    "error_curve",
    "error_curve_view",
    "error_curve_demo",
    "abs_vs_squared_figure",
    "best_fit_figure",
]

#: Column names of :func:`error_table`, in order.
COLUMNS = ("x", "desired y", "model output", "absolute error", "squared error")

# Colours used by every figure of the chapter, so the reader can match them.
_DATA, _MODEL, _MISS, _SQ, _ABS, _TAN = "black", "C0", "C3", "C1", "C2", "C4"


def chapter_data(x=None, y=None, where="chapter_data"):
    """(x, y) as float 1-D arrays of one length, shape (n,); both None: the chapter's
    data (inputs 0, 1, 2, desired outputs 0, 2, 4). ``where`` names the caller in errors."""
    if x is None and y is None:
        x, y = chapter1()
    if x is None or y is None:
        raise TypeError(f"{where}: give both x and y, or neither (for the chapter's data)")
    x = as_array(x, "x", ndim=1, where=where)
    y = as_array(y, "y", ndim=1, where=where)
    if x.shape != y.shape or x.size == 0:
        raise ValueError(f"{where}: expected x and y of one non-zero length, "
                         f"got shapes {x.shape} and {y.shape}")
    return x, y


def _weights(W, where):
    """W as a float scalar or 1-D array (for curves)."""
    return as_array(W, "W", ndim=(0, 1), where=where)


def _residuals(W, x, y):
    """W x_i - y_i, shape (n,) for scalar W or (len(W), n) for an array of W."""
    return np.multiply.outer(W, x) - y


def squared_error(W, x=None, y=None):
    """E(W) = sum_i (W x_i - y_i)^2, Chapter 1, eq. (ch01-sse).

    W: a number, or a 1-D array (then one E per W). x, y: shape (n,); both None means
    the chapter's data. Returns a float, or an array shaped like W.
    """
    x, y = chapter_data(x, y, "squared_error")
    w = _weights(W, "squared_error")
    e = np.sum(_residuals(w, x, y) ** 2, axis=-1)
    return float(e) if w.ndim == 0 else e


def absolute_error(W, x=None, y=None):
    """A(W) = sum_i |W x_i - y_i|, Chapter 1, eq. (ch01-sae). Shapes as squared_error."""
    x, y = chapter_data(x, y, "absolute_error")
    w = _weights(W, "absolute_error")
    a = np.sum(np.abs(_residuals(w, x, y)), axis=-1)
    return float(a) if w.ndim == 0 else a


def squared_error_slope(W, x=None, y=None):
    """dE/dW = 2 sum_i x_i (W x_i - y_i), Chapter 1, eq. (ch01-slope). Shapes as above."""
    x, y = chapter_data(x, y, "squared_error_slope")
    w = _weights(W, "squared_error_slope")
    s = 2.0 * np.sum(_residuals(w, x, y) * x, axis=-1)
    return float(s) if w.ndim == 0 else s


def best_weight(x=None, y=None):
    """W* = sum_i x_i y_i / sum_i x_i^2, the W that minimises E, Chapter 1, eq. (ch01-best)."""
    x, y = chapter_data(x, y, "best_weight")
    sxx = float(np.sum(x * x))
    if sxx == 0.0:
        raise ValueError("best_weight: every x is 0, so E(W) is the same for every W "
                         "and there is no single best W")
    return float(np.sum(x * y) / sxx)


def error_table(W, x=None, y=None):
    """The chapter's error table for the model y_hat = W x.

    One row per example (index "1", "2", ...) with columns ``COLUMNS``: x, desired y,
    model output W x, absolute error |W x - y| and squared error (W x - y)^2, then a
    row "sum" holding the sums of the two error columns (NaN elsewhere).
    x, y: shape (n,), or both None for the chapter's data. Returns a DataFrame (n+1, 5).
    """
    x, y = chapter_data(x, y, "error_table")
    w = _weights(W, "error_table")
    if w.ndim != 0:
        raise ValueError(f"error_table: W must be a single number, got shape {w.shape}")
    out = float(w) * x
    rows = np.column_stack([x, y, out, np.abs(out - y), (out - y) ** 2])
    table = pd.DataFrame(rows, columns=list(COLUMNS),
                         index=[str(i + 1) for i in range(x.size)])
    table.loc["sum"] = [np.nan, np.nan, np.nan, rows[:, 3].sum(), rows[:, 4].sum()]
    return table


def _fmt(v):
    return "" if np.isnan(v) else f"{v:.4g}"


def table_html(table, caption=None):
    """An :func:`error_table` as an IPython HTML object: blanks for NaN, 4 digits."""
    from IPython.display import HTML

    html = table.to_html(na_rep="", formatters={c: _fmt for c in table.columns},
                         classes="bplib-table", border=0)
    if caption:
        html = html.replace(">\n  <thead>", f">\n  <caption>{caption}</caption>\n  <thead>", 1)
    return HTML(html)


def _plot_curve(ax, x, y, W_range, kinds):
    ws = np.linspace(W_range[0], W_range[1], 401)
    if "squared" in kinds:
        ax.plot(ws, squared_error(ws, x, y), color=_SQ, lw=2,
                label=r"squared error $E(W) = \sum_i (W x_i - y_i)^2$")
    if "absolute" in kinds:
        ax.plot(ws, absolute_error(ws, x, y), color=_ABS, lw=2,
                label=r"absolute error $A(W) = \sum_i |W x_i - y_i|$")
    ax.set_xlabel("weight $W$")
    ax.set_ylabel("error")
    ax.set_xlim(*W_range)
    ax.grid(alpha=0.3)


def _draw_tangent(ax, W, x, y, half_width=1.0, label=None):
    e, s = squared_error(W, x, y), squared_error_slope(W, x, y)
    ws = np.array([W - half_width, W + half_width])
    ax.plot(ws, e + s * (ws - W), color=_TAN, lw=1.5, ls="--",
            label=label or f"tangent, slope dE/dW = {s:.3g}")
    ax.plot([W], [e], "o", color=_TAN, ms=8, zorder=5)
    return e, s


def error_curve(x=None, y=None, *, W=None, W_range=(-1.0, 5.0),
                kinds=("squared",), tangent=True, ylim=None):
    """Figure: the error curve E(W) (and/or A(W)) over ``W_range``.

    If ``W`` is given, mark the point (W, E(W)) and, if ``tangent``, draw the tangent
    there, whose slope is eq. (ch01-slope). kinds: any of "squared", "absolute".
    Returns a matplotlib Figure (not registered with pyplot).
    """
    x, y = chapter_data(x, y, "error_curve")
    bad = set(kinds) - {"squared", "absolute"}
    if not kinds or bad:
        raise ValueError(f"error_curve: kinds must be among 'squared', 'absolute', got {kinds!r}")
    fig = Figure(figsize=(6, 3.6), layout="constrained")
    ax = fig.add_subplot()
    _plot_curve(ax, x, y, W_range, kinds)
    if W is not None:
        if tangent:
            _draw_tangent(ax, float(W), x, y)
        else:
            ax.plot([W], [squared_error(W, x, y)], "o", color=_TAN, ms=8)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.legend(loc="upper center", fontsize=8)
    return fig


def error_curve_view(W=3.0, x=None, y=None, *, W_range=(-1.0, 5.0)):
    """One frame of the W slider: (Figure, HTML table).

    Left: the data, the model line y = W x and the misses W x_i - y_i. Right: E(W) with
    the point at W, its tangent and an arrow showing which way lowers the error.
    The HTML is :func:`error_table` for this W.
    """
    x, y = chapter_data(x, y, "error_curve_view")
    W = float(as_array(W, "W", ndim=0, where="error_curve_view"))
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax_data, ax_err = fig.subplots(1, 2, width_ratios=[1, 1.3])

    # Left: data, model, misses.
    pad = 0.15 * (x.max() - x.min() or 1.0)
    xs = np.array([x.min() - pad, x.max() + pad])
    out = W * x
    ax_data.vlines(x, y, out, color=_MISS, lw=2, label="miss $Wx - y$")
    ax_data.plot(xs, W * xs, color=_MODEL, lw=2, label="model $\\hat y = Wx$")
    ax_data.plot(x, y, "o", color=_DATA, ms=7, label="desired $y$", zorder=5)
    lo = min(y.min(), W_range[0] * x.max(), W_range[0] * x.min())
    hi = max(y.max(), W_range[1] * x.max(), W_range[1] * x.min())
    span = hi - lo or 1.0
    ax_data.set_ylim(lo - 0.08 * span, hi + 0.08 * span)
    ax_data.set_xlim(*xs)
    ax_data.set_xlabel("input $x$")
    ax_data.set_ylabel("output")
    ax_data.legend(loc="upper left", fontsize=8)
    ax_data.grid(alpha=0.3)

    # Right: the error curve, the point, the tangent, the way down.
    _plot_curve(ax_err, x, y, W_range, ("squared",))
    e, s = _draw_tangent(ax_err, W, x, y, label="tangent at $W$ (slope $dE/dW$)")
    top = float(np.max(squared_error(np.array(W_range), x, y)))
    ax_err.set_ylim(-0.08 * top, 1.1 * top)
    pad = 0.03 * (W_range[1] - W_range[0])      # keep the point whole at the ends
    ax_err.set_xlim(W_range[0] - pad, W_range[1] + pad)
    if abs(s) < 1e-9:
        note = "slope 0: the bottom"
    else:
        step = -np.sign(s) * 0.12 * (W_range[1] - W_range[0])
        ax_err.annotate("", xy=(W + step, e), xytext=(W, e),
                        arrowprops=dict(arrowstyle="->", color=_MISS, lw=2))
        note = "slope > 0: make W smaller" if s > 0 else "slope < 0: make W larger"
    ax_err.set_title(f"$W = {W:g}$:  $E = {e:.4g}$,  $dE/dW = {s:.4g}$\n{note}", fontsize=10)
    ax_err.legend(loc="upper center", fontsize=8)
    return fig, table_html(error_table(W, x, y))


def error_curve_demo(x=None, y=None, *, start=-1.0, stop=5.0, step=0.25, value=3.0):
    """The chapter's W slider: a Demo over :func:`error_curve_view` (25 frames by default).

    x, y: the data (default: the chapter's). start, stop, step: the W grid; value: the
    initial W. Call ``.show()`` on the result in a notebook.
    """
    from bplib.figures import Demo, Slider

    x, y = chapter_data(x, y, "error_curve_demo")
    fn = functools.partial(error_curve_view, x=x, y=y, W_range=(start, stop))
    functools.update_wrapper(fn, error_curve_view)
    return Demo(fn, Slider("W", start, stop, step, value=value, label="weight W"),
                title="Move W: the point on E(W), its tangent, and the table")


def abs_vs_squared_figure(x=None, y=None, *, W_range=(0.5, 3.5), e_max=3.0):
    """Figure: why squares. Left: penalty |e| and e^2 of one miss e. Right: A(W) and E(W)."""
    x, y = chapter_data(x, y, "abs_vs_squared_figure")
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    ax_pen, ax_err = fig.subplots(1, 2)
    e = np.linspace(-e_max, e_max, 401)
    ax_pen.plot(e, np.abs(e), color=_ABS, lw=2, label="absolute $|e|$")
    ax_pen.plot(e, e ** 2, color=_SQ, lw=2, label="squared $e^2$")
    ax_pen.set_xlabel("miss $e = Wx - y$ of one example")
    ax_pen.set_ylabel("penalty")
    ax_pen.legend(fontsize=8)
    ax_pen.grid(alpha=0.3)
    _plot_curve(ax_err, x, y, W_range, ("squared", "absolute"))
    w_best = best_weight(x, y)
    ax_err.plot([w_best], [absolute_error(w_best, x, y)], "o", color=_ABS, ms=6)
    ax_err.plot([w_best], [squared_error(w_best, x, y)], "o", color=_SQ, ms=6)
    ax_err.legend(loc="upper center", fontsize=8)
    return fig


def best_fit_figure(x, y, *, W_range=None):
    """Figure: noisy data with the best line y = W* x (left) and E(W) with its bottom (right)."""
    x, y = chapter_data(x, y, "best_fit_figure")
    w_best = best_weight(x, y)
    if W_range is None:
        W_range = (w_best - 1.0, w_best + 1.0)
    fig = Figure(figsize=(9, 3.4), layout="constrained")
    ax_data, ax_err = fig.subplots(1, 2)
    xs = np.array([0.0, x.max()])
    ax_data.plot(x, y, "o", color=_DATA, ms=4, alpha=0.7, label="data")
    ax_data.plot(xs, w_best * xs, color=_MODEL, lw=2, label=f"best line $\\hat y = {w_best:.3f}\\,x$")
    ax_data.set_xlabel("input $x$")
    ax_data.set_ylabel("output $y$")
    ax_data.legend(fontsize=8)
    ax_data.grid(alpha=0.3)
    _plot_curve(ax_err, x, y, W_range, ("squared",))
    ax_err.plot([w_best], [squared_error(w_best, x, y)], "o", color=_TAN, ms=8,
                label=f"bottom: $W^* = {w_best:.3f}$, $E = {squared_error(w_best, x, y):.2f}$")
    ax_err.set_ylim(bottom=0)
    ax_err.legend(loc="upper center", fontsize=8)
    return fig
