"""Chapter 2, "Gradient descent": the update rule, the learning rate, and beyond one weight.

The one-weight model of Chapter 1, ``y_hat = W x``, with the error
``E(W) = sum_i (W x_i - y_i) ** 2`` and its derivative ``dE/dW = 2 sum_i x_i (W x_i - y_i)``
(Chapter 2, eq. (ch02-grad)). Gradient descent repeats (eq. (ch02-update))::

    W_new = W_old - lr * dE/dW

Because E is a parabola with curvature ``E'' = 2 sum_i x_i ** 2`` (eq. (ch02-curv)), each
step multiplies the distance to the bottom by ``r = 1 - lr * E''`` (eq. (ch02-ratio)):
descent converges iff ``0 < lr < 2 / E''`` and never overshoots iff ``lr <= 1 / E''``.

Pure functions: numbers in, arrays or matplotlib Figures out. ``*_demo()`` wrap a figure
in sliders (bplib.figures.Demo).
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from bplib.demos.ch01 import best_weight, chapter_data, squared_error, squared_error_slope

__all__ = [
    "descend", "curvature", "lr_thresholds", "regime", "lr_steps_figure", "lr_demo",
    "batch_runs", "batch_figure", "line_error", "line_gradient", "line_minimum",
    "contour_figure", "contour_demo", "wave_error", "wave_gradient", "minima_figure",
]

_PATH, _CURVE, _BEST = "C3", "C1", "C2"
_LR_STEPS = 12      # gradient descent steps drawn by lr_steps_figure and its slider


def descend(grad, w0, lr, steps):
    """Gradient descent, eq. (ch02-update): w_{t+1} = w_t - lr * grad(w_t).

    grad: function of w (a float or an array) returning dE/dw of the same shape.
    Returns the path, an array (steps + 1, *shape(w0)) holding w_0 .. w_steps. If the
    iterates overflow (divergence), the path stops at the last finite one.
    """
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"descend: steps must be an int >= 0, got {steps!r}")
    w = np.array(w0, dtype=float)
    path = [w.copy()]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            w = w - lr * np.asarray(grad(w), dtype=float)
            if not np.all(np.isfinite(w)):
                break
            path.append(w.copy())
    return np.array(path)


def curvature(x):
    """E''(W) = 2 sum_i x_i^2, the (constant) second derivative of E, eq. (ch02-curv)."""
    x = np.asarray(x, dtype=float)
    return 2.0 * float(np.sum(x * x))


def lr_thresholds(x):
    """The learning rates that matter for E(W) on inputs x, eqs. (ch02-ratio)-(ch02-conv).

    Returns a dict: "curvature" E'' = 2 sum x^2, "one_step" 1/E'' (lands on the bottom
    in one step; below it no overshoot), "converge" 2/E'' (converges iff 0 < lr < this).
    """
    c = curvature(x)
    if c == 0.0:
        raise ValueError("lr_thresholds: every x is 0, so E(W) is flat and has no bottom")
    return {"curvature": c, "one_step": 1.0 / c, "converge": 2.0 / c}


def regime(lr, x, *, tol=1e-9):
    """Name what gradient descent does on E(W) at this lr: "no progress", "slow (no
    overshoot)", "one step", "oscillating, converging", "on the edge (oscillates
    forever)" or "diverging". Decided by r = 1 - lr E'', eq. (ch02-ratio)."""
    r = 1.0 - lr * curvature(x)
    if r >= 1.0 - tol:
        return "no progress" if abs(r - 1.0) <= tol else "diverging (uphill)"
    if abs(r) <= tol:
        return "one step"
    if r > 0:
        return "slow (no overshoot)"
    if abs(r + 1.0) <= tol:
        return "on the edge (oscillates forever)"
    return "oscillating, converging" if r > -1.0 else "diverging"


def lr_steps_figure(lr=0.05, w0=3.0, x=None, y=None, *, steps=_LR_STEPS, W_range=None,
                    dist_range=None):
    """Figure: gradient descent steps drawn on the error curve (left) and the distance
    |W_t - W*| to the bottom against the step t on a log scale (right).

    W_range defaults to W* - 3 .. W* + 3. Iterates that leave W_range are drawn as an
    arrow at the edge (divergence). dist_range: fixed (low, high) of the log axis
    (default: fitted to this run). Returns (Figure, text) where text names the regime
    and the ratio r = 1 - lr E''.
    """
    x, y = chapter_data(x, y, "lr_steps_figure")
    path = _descent(x, y, w0, lr, steps)
    w_best, r = best_weight(x, y), 1.0 - lr * curvature(x)
    if W_range is None:
        W_range = (w_best - 3.0, w_best + 3.0)
    fig = Figure(figsize=(9, 3.6), layout="constrained")
    ax, ax_d = fig.subplots(1, 2, width_ratios=[1.3, 1])
    ws = np.linspace(*W_range, 401)
    e_curve = squared_error(ws, x, y)
    ax.plot(ws, e_curve, color=_CURVE, lw=2, label="$E(W)$")
    top = 1.1 * float(e_curve.max())
    lo, hi = W_range
    inside = (path >= lo) & (path <= hi)
    shown = path[: np.argmin(inside) if not inside.all() else path.size]
    e_path = squared_error(shown, x, y) if shown.size else np.array([])
    ax.plot(shown, e_path, "-", color=_PATH, lw=1, alpha=0.6)
    ax.scatter(shown, e_path, c=np.arange(shown.size), cmap="viridis", s=30, zorder=5,
               label="$W_0, W_1, \\ldots$ (dark to light)")
    if shown.size:
        ax.annotate("start", (shown[0], e_path[0]), textcoords="offset points",
                    xytext=(6, 6), fontsize=8)
    if shown.size < path.size:  # the next iterate left the plot: divergence
        side = hi if path[shown.size] > hi else lo
        ax.annotate(f"$W_{{{shown.size}}} = {path[shown.size]:.3g}$\nleaves the plot",
                    xy=(side, 0.95 * top), xytext=(0.5 * (lo + hi), 0.55 * top),
                    arrowprops=dict(arrowstyle="->", color=_PATH, lw=2), fontsize=9,
                    color=_PATH, ha="center")
    ax.set(xlim=W_range, ylim=(-0.05 * top, top), xlabel="weight $W$", ylabel="error $E(W)$")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper center", fontsize=8)
    name = regime(lr, x)
    ax.set_title(f"η = {lr:.3g}, start W = {w0:g}: {name}", fontsize=10)

    dist = np.abs(path - w_best)
    t = np.arange(dist.size)
    pos = dist > 0
    ax_d.semilogy(t[pos], dist[pos], "o-", color=_PATH, ms=4)
    if dist.size and not pos[-1]:
        ax_d.text(0.5, 0.5, "at the bottom:\n$W_t = W^*$ exactly", transform=ax_d.transAxes,
                  ha="center", fontsize=9)
    ax_d.axhline(abs(w0 - w_best) or 1.0, color="grey", lw=0.8, ls=":")
    ax_d.set(xlabel="step $t$", ylabel="$|W_t - W^*|$ (log scale)", xlim=(-0.5, steps + 0.5))
    if dist_range is not None:
        ax_d.set_ylim(*dist_range)
    ax_d.grid(alpha=0.3, which="both")
    ax_d.set_title(f"each step multiplies the distance by r = {r:.3g}", fontsize=10)
    text = (f"eta = {lr:.3g}: r = 1 - eta E'' = {r:.3g} ({name}); "
            f"W after {path.size - 1} steps: {path[-1]:.4g} (bottom W* = {w_best:.4g})")
    return fig, text


def lr_demo(x=None, y=None, *, lr=(0.02, 0.22, 0.02, 0.04), w0=(0.0, 5.0, 1.0, 3.0)):
    """Slider demo over :func:`lr_steps_figure`.

    lr, w0: (start, stop, step, initial value) of each slider, or for w0 a single number
    (then no start-W slider). Default: lr 0.02..0.22 (11) x start W 0..5 (6) = 66 frames.
    """
    from bplib.figures import Demo, Slider

    x, y = chapter_data(x, y, "lr_demo")
    title = "Gradient descent on E(W): slow, one step, oscillating, diverging"
    lr_slider = Slider("lr", *lr[:3], value=lr[3], label="learning rate η")
    if np.ndim(w0) == 0:
        sliders, fixed_w0 = [lr_slider], float(w0)
        starts = [fixed_w0]
    else:
        w0_slider = Slider("w0", *w0[:3], value=w0[3], label="starting W")
        sliders, fixed_w0, starts = [lr_slider, w0_slider], None, w0_slider.values
    dist_range = _distance_range(x, y, lr_slider.values, starts)

    def frame(lr, w0=fixed_w0):
        return lr_steps_figure(lr, w0, x, y, dist_range=dist_range)
    return Demo(frame, *sliders, title=title)


def _descent(x, y, w0, lr, steps):
    """W_0 .. W_steps of gradient descent on the chapter's E(W) for data x, y."""
    return descend(lambda w: squared_error_slope(w, x, y), w0, lr, steps)


def _distance_range(x, y, lrs, starts):
    """(low, high) covering every non-zero |W_t - W*| of the grid, padded on a log
    scale: one y axis for every frame, so a steeper line means a faster rate."""
    w_best = best_weight(x, y)
    d = np.abs([_descent(x, y, w0, lr, _LR_STEPS) - w_best for lr in lrs for w0 in starts])
    d = d[d > 0]
    if d.size == 0:
        return (0.1, 10.0)
    return (d.min() / 3, d.max() * 3)


def batch_runs(x, y, *, lr, epochs, batch_sizes, w0=0.0, seed=0):
    """Mini-batch gradient descent on the mean squared error of y_hat = W x.

    Each update uses the mean gradient over one batch, (2/|B|) sum_B x (W x - y)
    (eq. (ch02-mean-grad)); batches come from bplib.data.minibatches (shuffled per epoch).
    Returns {batch_size: (epoch_of_update, W after update, full-data mean error)}, each
    an array (updates + 1,), starting with the initial W at epoch 0.
    """
    from bplib.data import minibatches

    x, y = chapter_data(x, y, "batch_runs")
    out = {}
    for bs in batch_sizes:
        w, ws = float(w0), [float(w0)]
        for epoch in range(epochs):
            for xb, yb in minibatches(x, y, bs, shuffle=True, seed=seed + epoch):
                w -= lr * squared_error_slope(w, xb, yb) / len(xb)
                ws.append(w)
        ws = np.array(ws)
        per_epoch = (ws.size - 1) / epochs
        out[bs] = (np.arange(ws.size) / per_epoch, ws, squared_error(ws, x, y) / x.size)
    return out


def batch_figure(runs, n, *, e_min=None):
    """Figure: full-data error against epochs, one panel per batch size (from batch_runs)."""
    fig = Figure(figsize=(10, 3.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, len(runs), sharey=True))
    names = {1: "stochastic (batch size 1)", n: f"batch (all {n} examples)"}
    for ax, (bs, (ep, _, err)) in zip(axes, runs.items()):
        ax.semilogy(ep, err, "-", color=_PATH, lw=1)
        ax.plot(ep[:1], err[:1], "o", color=_PATH, ms=4)
        if e_min is not None:
            ax.axhline(e_min, color=_BEST, ls="--", lw=1, label="lowest possible error")
            ax.legend(fontsize=8)
        ax.set_title(f"{names.get(bs, f'mini-batch (size {bs})')}: {ep.size - 1} updates",
                     fontsize=9)
        ax.set_xlabel("epoch")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("mean squared error, all data")
    return fig


def line_error(w, b, x, y):
    """E(w, b) = (1/n) sum_i (w x_i + b - y_i)^2, eq. (ch02-line); w, b broadcast."""
    w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    res = w[..., None] * x + b[..., None] - y
    return np.mean(res * res, axis=-1)


def line_gradient(p, x, y):
    """(dE/dw, dE/db) at p = (w, b), eq. (ch02-line-grad): (2/n) sum r_i x_i, (2/n) sum r_i."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    r = p[0] * x + p[1] - y
    return np.array([2.0 * np.mean(r * x), 2.0 * np.mean(r)])


def line_minimum(x, y):
    """The (w, b) minimising line_error: least squares, solved from grad = 0."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    A = np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    return np.linalg.solve(A, np.array([np.mean(x * y), np.mean(y)]))


def contour_figure(x, y, path, *, w_range=None, b_range=None, title=None):
    """Figure: contours of E(w, b) with a descent path (array (T, 2)) and the minimum.

    Ranges default to w* - 3 .. w* + 2.5 and b* - 3.5 .. b* + 3.5 around the minimum.
    A path that ends farther from the minimum than it started is labelled diverging.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    wb = line_minimum(x, y)
    w_range = (wb[0] - 3.0, wb[0] + 2.5) if w_range is None else w_range
    b_range = (wb[1] - 3.5, wb[1] + 3.5) if b_range is None else b_range
    ww, bb = np.meshgrid(np.linspace(*w_range, 161), np.linspace(*b_range, 161))
    E = line_error(ww, bb, x, y)
    levels = np.unique(np.quantile(E, np.linspace(0, 1, 16) ** 2.5)[1:])
    fig = Figure(figsize=(5.6, 4.4), layout="constrained")
    ax = fig.add_subplot()
    cs = ax.contour(ww, bb, E, levels=levels, cmap="Blues_r", linewidths=1)
    ax.clabel(cs, cs.levels[::3], fontsize=7, fmt="%.2g")
    path = np.asarray(path, dtype=float)
    diverging = np.linalg.norm(path[-1] - wb) > np.linalg.norm(path[0] - wb)
    if diverging:  # draw 3 points past the first one off the map, not the explosion
        off = ((path[:, 0] < w_range[0]) | (path[:, 0] > w_range[1])
               | (path[:, 1] < b_range[0]) | (path[:, 1] > b_range[1]))
        path = path[: int(np.argmax(off)) + 4] if off.any() else path
    ax.plot(path[:, 0], path[:, 1], ".-", color=_PATH, lw=1, ms=4, label="descent path")
    ax.plot(*path[0], "s", color=_PATH, ms=7, label="start")
    ax.plot(*wb, "*", color=_BEST, ms=14, label=f"minimum ({wb[0]:.2f}, {wb[1]:.2f})")
    ax.set(xlim=w_range, ylim=b_range, xlabel="slope $w$", ylabel="bias $b$")
    if diverging:
        ax.set_title("diverging: the path ends farther away than it started",
                     fontsize=10, color=_PATH)
    elif title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    return fig


def contour_demo(x=None, y=None, *, start=(-0.5, 3.5), steps=60):
    """Slider demo: the descent path on the contours of E(w, b) for lr 0.02..0.20 (10).

    x, y: the data (default: the chapter's line, ``noisy_line(50, w=2, b=1, seed=1)``).
    """
    from bplib.figures import Demo, Slider

    if x is None or y is None:
        from bplib.datasets import noisy_line
        x, y = noisy_line(50, w=2.0, b=1.0, noise=0.5, seed=1)

    def view(lr):
        path = descend(lambda p: line_gradient(p, x, y), start, lr, steps)
        w, b = path[-1]
        return contour_figure(x, y, path, title=f"η = {lr:.2f}: after {path.shape[0] - 1} "
                              f"steps w = {w:.3f}, b = {b:.3f}")

    return Demo(view, Slider("lr", 0.02, 0.2, 0.02, value=0.1, label="learning rate η"),
                title="Two weights: the descent path on the error's contour map")


def wave_error(w, x, y):
    """E(w) = sum_i (sin(w x_i) - y_i)^2 for the model y_hat = sin(w x); w broadcasts."""
    w = np.asarray(w, dtype=float)
    return np.sum((np.sin(w[..., None] * x) - y) ** 2, axis=-1)


def wave_gradient(w, x, y):
    """dE/dw = 2 sum_i (sin(w x_i) - y_i) cos(w x_i) x_i (chain rule), w broadcasts."""
    w = np.asarray(w, dtype=float)
    z = w[..., None] * x
    return 2.0 * np.sum((np.sin(z) - y) * np.cos(z) * x, axis=-1)


def minima_figure(x, y, starts, *, lr, steps, w_range=(-2.0, 6.0)):
    """Figure: the non-convex error of the wave model with descent paths from ``starts``."""
    fig = Figure(figsize=(8, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ws = np.linspace(*w_range, 801)
    e = wave_error(ws, x, y)
    ax.plot(ws, e, color=_CURVE, lw=2, label="$E(w)$")
    at = np.flatnonzero((e[1:-1] < e[:-2]) & (e[1:-1] < e[2:])) + 1
    for i in at:
        kind = "global minimum" if e[i] == e[at].min() else "local minimum"
        ax.annotate(kind, (ws[i], e[i]), textcoords="offset points", xytext=(0, -14),
                    ha="center", fontsize=8)
    for k, w0 in enumerate(starts):
        p = descend(lambda w: wave_gradient(w, x, y), w0, lr, steps)
        ax.plot(p, wave_error(p, x, y), ".-", color=f"C{(k + 4) % 10}", ms=5, lw=1,
                label=f"start {w0:g} → ends at {p[-1]:.2f}")
        ax.plot(p[-1], wave_error(p[-1], x, y), "o", color=f"C{(k + 4) % 10}", ms=9, mfc="none")
    ax.set(xlim=w_range, xlabel="weight $w$", ylabel="error $E(w)$")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper left")
    return fig
