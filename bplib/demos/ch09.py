"""Chapter 9, "Optimizers": surfaces, the momentum theory, the race on the digits.

Pure functions for the chapter's figures and numbers: three 2-D test surfaces
(:data:`SURFACES`: the ill-conditioned bowl, Rosenbrock's valley, a saddle) and the
path of any ``bplib.optimizers`` optimizer on them (:func:`run_path`), with a slider
over the surface and the learning rate (:func:`surface_demo`); heavy-ball momentum on
a quadratic, its rate measured against the theory (:func:`heavy_ball_rate`,
:func:`best_settings`, :func:`measured_rate`), with a slider over the step size and
the momentum (:func:`momentum_demo`); Adam with its bias corrections switched on and
off (:class:`AdamVariant`, :func:`bias_correction_figure`); and the network of the
digits chapter, trained by each optimizer (:func:`digits_data`, :func:`digits_net`,
:func:`train_digits`, :func:`race_figure`).
"""

from __future__ import annotations

import functools
import math
import time

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, MultipleLocator, NullLocator

from bplib.activations import ReLU
from bplib.data import Standardizer, train_val_test_split
from bplib.datasets import load_digits
from bplib.layers import Dense
from bplib.network import Sequential
from bplib.optimizers import SGD, Adagrad, Adam, RMSprop

__all__ = ["BOWL_CURVATURES", "SURFACES", "OPTIMIZERS", "make_optimizer", "run_path",
           "surface_view", "surface_demo", "gd_rate", "heavy_ball_rate", "best_settings",
           "quadratic_run", "measured_rate", "momentum_view", "momentum_demo",
           "AdamVariant", "bias_correction_figure", "digits_data", "digits_net",
           "train_digits", "race_figure"]

#: The curvatures (second derivatives) of the bowl f = 0.1 x1² + 2 x2².
BOWL_CURVATURES = (0.2, 4.0)


# -- three surfaces -------------------------------------------------------------------
def _bowl(x):
    return 0.1 * x[0] ** 2 + 2.0 * x[1] ** 2, np.array([0.2 * x[0], 4.0 * x[1]])


def _rosenbrock(x):
    a, b = x
    f = (1 - a) ** 2 + 100 * (b - a * a) ** 2
    return f, np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])


def _saddle(x):
    a, b = x
    return (0.5 * a * a - 0.5 * b * b + 0.25 * b ** 4,
            np.array([a, -b + b ** 3]))


#: name -> (f_and_grad, start, (x-limits, y-limits), minimum, steps, base learning rates)
SURFACES = {
    "bowl": dict(fn=_bowl, start=(-4.5, 1.0), box=((-5, 5), (-2, 2)), minimum=(0.0, 0.0),
                 title="bowl 0.1 θ₁² + 2 θ₂²", steps=60),
    "rosenbrock": dict(fn=_rosenbrock, start=(-1.2, 1.0), box=((-2, 2), (-1, 3)),
                       minimum=(1.0, 1.0), title="Rosenbrock's valley", steps=300),
    "saddle": dict(fn=_saddle, start=(-2.0, 1e-3), box=((-2.5, 2.5), (-1.6, 1.6)),
                   minimum=(0.0, 1.0), title="saddle θ₁²/2 − θ₂²/2 + θ₂⁴/4", steps=60),
}

#: The optimizers of the race: label -> (class, settings), and each one's learning
#: rate on each surface (the slider multiplies it).
OPTIMIZERS = {
    "gradient descent": (SGD, {}),
    "momentum 0.9": (SGD, {"momentum": 0.9}),
    "Nesterov 0.9": (SGD, {"momentum": 0.9, "nesterov": True}),
    "Adagrad": (Adagrad, {}),
    "RMSprop": (RMSprop, {}),
    "Adam": (Adam, {}),
}
_BASE_LR = {
    "bowl": {"gradient descent": 0.4, "momentum 0.9": 0.05, "Nesterov 0.9": 0.05,
             "Adagrad": 1.0, "RMSprop": 0.05, "Adam": 0.2},
    "rosenbrock": {"gradient descent": 0.001, "momentum 0.9": 0.0002,
                   "Nesterov 0.9": 0.0002, "Adagrad": 0.2, "RMSprop": 0.005, "Adam": 0.05},
    "saddle": {"gradient descent": 0.1, "momentum 0.9": 0.02, "Nesterov 0.9": 0.02,
               "Adagrad": 0.5, "RMSprop": 0.02, "Adam": 0.1},
}


def make_optimizer(label, lr):
    """A fresh optimizer of the race (``OPTIMIZERS[label]``) with learning rate ``lr``."""
    cls, kwargs = OPTIMIZERS[label]
    return cls(lr=lr, **kwargs)


def run_path(optimizer, surface, steps=None, start=None):
    """The points visited by ``optimizer`` on ``SURFACES[surface]``: array (steps + 1, 2).

    The optimizer sees one parameter "x" of shape (2,) and its gradient. A path that
    leaves the plot by a factor 1e3 stops there (it has diverged) and is returned as is.
    """
    s = SURFACES[surface]
    steps = s["steps"] if steps is None else steps
    x = np.array(s["start"] if start is None else start, dtype=float)
    path = [x.copy()]
    for _ in range(steps):
        _, g = s["fn"](x)
        optimizer.step({"x": x}, {"x": g})
        path.append(x.copy())
        if not np.all(np.abs(x) < 1e3):
            break
    return np.array(path)


@functools.lru_cache(maxsize=None)
def _grid(surface):
    """(x grid, y grid, f on the grid, contour levels) of a surface, computed once."""
    s = SURFACES[surface]
    (x0, x1), (y0, y1) = s["box"]
    gx, gy = np.meshgrid(np.linspace(x0, x1, 121), np.linspace(y0, y1, 81))
    f = s["fn"](np.array([gx, gy]))[0]
    levels = np.quantile(f, np.linspace(0.0, 1.0, 12) ** 2)
    if surface == "rosenbrock":
        levels = np.geomspace(0.1, f.max(), 11)
    return gx, gy, f, np.unique(levels)


def _plain_log_labels(ax):
    """Label a log y axis 1e-8, 1e-4, 1, 1e3 as plain text (no mathtext: faster frames)."""
    ax.yaxis.set_major_locator(FixedLocator([1e-8, 1e-4, 1.0, 1e3]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_locator(NullLocator())


def _contours(ax, surface):
    s = SURFACES[surface]
    (x0, x1), (y0, y1) = s["box"]
    gx, gy, f, levels = _grid(surface)
    ax.contour(gx, gy, f, levels=levels, colors="0.75", linewidths=0.7)
    ax.yaxis.set_major_locator(MultipleLocator(1))     # whole numbers: same label widths
    ax.plot(*s["minimum"], "*", color="k", ms=9, zorder=6)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)


def surface_view(surface="bowl", log2_lr=0):
    """Every optimizer's path on one surface, each learning rate × 2**log2_lr.

    Left: the paths on the contours; right: f minus its minimum against the step
    (log scale). Returns (Figure, text with each optimizer's learning rate and final f).
    """
    s = SURFACES[surface]
    f_min = s["fn"](np.array(s["minimum"], dtype=float))[0]
    fig = Figure(figsize=(6.8, 2.8), layout="constrained")
    ax, ax2 = fig.subplots(1, 2, width_ratios=(1.35, 1))
    _contours(ax, surface)
    lines = []
    for i, label in enumerate(OPTIMIZERS):
        lr = _BASE_LR[surface][label] * 2.0 ** log2_lr
        path = run_path(make_optimizer(label, lr), surface)
        gap = np.array([s["fn"](p)[0] for p in path]) - f_min
        ax.plot(path[:, 0], path[:, 1], "-", color=f"C{i}", lw=1.2, label=label)
        ax2.semilogy(np.arange(len(gap)), np.maximum(gap, 1e-16), color=f"C{i}", lw=1.2)
        end = "diverged" if len(path) <= s["steps"] else f"f - min = {gap[-1]:.2e}"
        lines.append(f"{label:17s} lr = {lr:<8.4g} {end}")
    ax.plot(*s["start"], "o", color="k", ms=4)
    ax.set_title(s["title"], fontsize=10)
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    ax.legend(fontsize=7, loc="lower right" if surface != "rosenbrock" else "upper left")
    ax2.set_xlim(0, s["steps"])
    ax2.set_ylim(1e-8, 1e3)
    ax2.set_xlabel("step")
    ax2.set_ylabel("f − f_min")
    _plain_log_labels(ax2)
    ax2.set_title(f"learning rates x {2.0 ** log2_lr:g}", fontsize=10)
    ax2.grid(True, alpha=0.3)
    return fig, "\n".join(lines)


def surface_demo():
    """Slider over the surface (0 bowl, 1 Rosenbrock, 2 saddle) and the learning rates
    (× 2**k, k = -1..1): 9 frames."""
    from bplib.figures import Demo, Slider

    names = list(SURFACES)
    return Demo(lambda surface, log2_lr: surface_view(names[surface], log2_lr),
                Slider("surface", 0, 2, 1, value=0,
                       label="surface: 0 bowl, 1 Rosenbrock, 2 saddle"),
                Slider("log2_lr", -1, 1, 1, value=0, label="learning rates x 2^k"),
                title="Six optimizers on three surfaces")


# -- the momentum theory on a quadratic -----------------------------------------------
def gd_rate(lr, curvatures):
    """Per-step contraction of gradient descent on a quadratic: max |1 − η h|."""
    return float(max(abs(1.0 - lr * h) for h in curvatures))


def heavy_ball_rate(lr, momentum, curvatures):
    """Spectral radius of heavy-ball momentum on a quadratic with these curvatures.

    Along a direction of curvature h, (x_{t+1}, x_t) = M (x_t, x_{t-1}) with
    M = [[1 + μ − η h, −μ], [1, 0]]; the rate is the largest |eigenvalue| over h.
    """
    rate = 0.0
    for h in curvatures:
        M = np.array([[1.0 + momentum - lr * h, -momentum], [1.0, 0.0]])
        rate = max(rate, float(np.max(np.abs(np.linalg.eigvals(M)))))
    return rate


def nesterov_rate(lr, momentum, curvatures):
    """Spectral radius of Nesterov's momentum on a quadratic with these curvatures.

    Along a direction of curvature h, x_{t+1} = (1 − η h)((1 + μ) x_t − μ x_{t−1}), so
    M = [[(1 − η h)(1 + μ), −(1 − η h) μ], [1, 0]]; the rate is the largest
    |eigenvalue| over h.
    """
    rate = 0.0
    for h in curvatures:
        a = 1.0 - lr * h
        M = np.array([[a * (1.0 + momentum), -a * momentum], [1.0, 0.0]])
        rate = max(rate, float(np.max(np.abs(np.linalg.eigvals(M)))))
    return rate


def best_settings(kappa, h_max=1.0):
    """The best settings and rates on a quadratic with curvatures in [h_max/κ, h_max].

    Returns a dict: gradient descent's η = 2/(h_max + h_min) and rate (κ − 1)/(κ + 1);
    heavy ball's η = 4/(√h_max + √h_min)², μ = ((√κ − 1)/(√κ + 1))² and rate
    (√κ − 1)/(√κ + 1), eqs. (ch09-gd-rate) and (ch09-hb-best).
    """
    h_min = h_max / kappa
    rk = math.sqrt(kappa)
    return {"gd_lr": 2.0 / (h_max + h_min), "gd_rate": (kappa - 1) / (kappa + 1),
            "hb_lr": 4.0 / (math.sqrt(h_max) + math.sqrt(h_min)) ** 2,
            "hb_momentum": ((rk - 1) / (rk + 1)) ** 2, "hb_rate": (rk - 1) / (rk + 1)}


def quadratic_run(optimizer, curvatures, steps, x0=None):
    """Distances ‖x_t‖ to the minimum of f = ½ Σ h_i x_i², t = 0..steps, under
    ``optimizer`` (which sees one parameter "x" and its gradient h ⊙ x)."""
    h = np.asarray(curvatures, dtype=float)
    x = np.ones_like(h) if x0 is None else np.array(x0, dtype=float)
    dist = [float(np.linalg.norm(x))]
    for _ in range(steps):
        optimizer.step({"x": x}, {"x": h * x})
        dist.append(float(np.linalg.norm(x)))
    return np.array(dist)


def measured_rate(optimizer, curvatures, steps):
    """The contraction per step over the last quarter of ``steps`` steps:
    (‖x_T‖ / ‖x_{T−w}‖)^(1/w), w = T/4, from a run of :func:`quadratic_run`."""
    d = quadratic_run(optimizer, curvatures, steps)
    w = max(1, steps // 4)
    return float((d[-1] / d[-1 - w]) ** (1.0 / w))


def momentum_view(lr=0.4, momentum=0.0):
    """Heavy ball on the bowl f = 0.1 x1² + 2 x2² at one step size and momentum.

    Left: its path (and plain gradient descent's with the same η, faint); right: the
    distance to the minimum against the step, with the predicted rate as a line.
    Returns (Figure, text).
    """
    h = BOWL_CURVATURES
    steps = 60
    hb = run_path(SGD(lr=lr, momentum=momentum) if momentum > 0 else SGD(lr=lr),
                  "bowl", steps)
    gd = run_path(SGD(lr=lr), "bowl", steps)
    fig = Figure(figsize=(6.8, 2.7), layout="constrained")
    ax, ax2 = fig.subplots(1, 2, width_ratios=(1.35, 1))
    _contours(ax, "bowl")
    ax.plot(gd[:, 0], gd[:, 1], "-", color="0.55", lw=0.9, label="gradient descent")
    ax.plot(hb[:, 0], hb[:, 1], "-", color="C1", lw=1.3,
            label=f"momentum {momentum:g}")
    ax.set_title(f"η = {lr:g}, μ = {momentum:g}", fontsize=10)
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    ax.legend(fontsize=7, loc="lower right")
    r_hb, r_gd = heavy_ball_rate(lr, momentum, h), gd_rate(lr, h)
    for path, color, r in ((gd, "0.55", r_gd), (hb, "C1", r_hb)):
        dist = np.linalg.norm(path, axis=1)
        ax2.semilogy(np.arange(len(dist)), np.maximum(dist, 1e-12), color=color, lw=1.3)
        ax2.semilogy([0, steps], [dist[0], dist[0] * r ** steps], ":", color=color, lw=1)
    ax2.set_xlim(0, steps)
    ax2.set_ylim(1e-8, 1e3)
    ax2.set_xlabel("step")
    ax2.set_ylabel("distance to the minimum")
    _plain_log_labels(ax2)
    ax2.set_title("dotted: predicted rate", fontsize=10)
    ax2.grid(True, alpha=0.3)
    text = (f"predicted rate per step: momentum {r_hb:.3f}, gradient descent {r_gd:.3f}"
            + ("  (>= 1: no convergence)" if r_hb >= 1 else ""))
    return fig, text


def momentum_demo():
    """Slider over the step size η (0.4 to 0.8) and the momentum μ (0 to 0.9): 12 frames."""
    from bplib.figures import Demo, Slider

    return Demo(momentum_view,
                Slider("lr", 0.4, 0.8, 0.2, value=0.4, label="step size eta"),
                Slider("momentum", 0.0, 0.9, 0.3, value=0.0, label="momentum mu"),
                title="Heavy-ball momentum on the bowl 0.1 x1^2 + 2 x2^2")


# -- Adam's bias corrections ------------------------------------------------------------
class AdamVariant(Adam):
    """Adam with its bias corrections switched on or off, one by one (for the figure).

    ``correct_m`` divides m by 1 − β₁ᵗ, ``correct_v`` divides v by 1 − β₂ᵗ; both True is
    ``bplib.optimizers.Adam``.
    """

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, correct_m=True,
                 correct_v=True):
        super().__init__(lr, betas, eps)
        self.correct_m, self.correct_v = bool(correct_m), bool(correct_v)

    def _update(self, name, p, g):
        beta1, beta2 = self.betas
        s = self._state(name, p, "exp_avg", "exp_avg_sq")
        t = s["step"]
        m, v = s["exp_avg"], s["exp_avg_sq"]
        m *= beta1
        m += (1.0 - beta1) * g
        v *= beta2
        v += (1.0 - beta2) * (g * g)
        m_hat = m / (1.0 - beta1 ** t) if self.correct_m else m
        v_hat = v / (1.0 - beta2 ** t) if self.correct_v else v
        p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


_VARIANTS = {"both corrected (Adam)": (True, True), "no correction": (False, False),
             "only m corrected": (True, False), "only v corrected": (False, True)}


def step_multipliers(steps=2000, betas=(0.9, 0.999)):
    """|Δθ| / η for each variant on a constant gradient g = 1, steps 1..steps."""
    out = {}
    for label, (cm, cv) in _VARIANTS.items():
        opt = AdamVariant(lr=1.0, betas=betas, correct_m=cm, correct_v=cv)
        p, moves = np.zeros(1), []
        for _ in range(steps):
            before = p[0]
            opt.step({"w": p}, {"w": np.ones(1)})
            moves.append(abs(p[0] - before))
        out[label] = np.array(moves)
    return out


def bias_correction_figure(curves, multipliers):
    """Left: Adam's step per η on a constant gradient, corrections on and off; right:
    ``curves`` {label: validation losses per epoch} from the digits network."""
    fig = Figure(figsize=(8.6, 3.4), layout="constrained")
    ax, ax2 = fig.subplots(1, 2)
    for i, (label, m) in enumerate(multipliers.items()):
        ax.loglog(np.arange(1, len(m) + 1), m, color=f"C{i}", lw=1.4, label=label)
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"step size $|\Delta\theta| / \eta$")
    ax.set_title("a constant gradient $g = 1$", fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=7)
    for i, (label, c) in enumerate(curves.items()):
        ax2.plot(np.arange(1, len(c) + 1), c, ".-", color=f"C{i}", lw=1.4, label=label)
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("validation loss")
    ax2.set_title("the digits network", fontsize=10)
    ax2.set_yscale("log")
    ax2.grid(True, alpha=0.3)
    ax2.legend(fontsize=7)
    return fig


# -- the digits network -----------------------------------------------------------------
def digits_data(seed=0):
    """The digits split (70/15/15 %, ``seed``) and standardised with the training set's
    statistics: ((X_train, y_train), (X_val, y_val), (X_test, y_test))."""
    X, y = load_digits()
    (Xtr, ytr), (Xva, yva), (Xte, yte) = train_val_test_split(X, y, seed=seed)
    scaler = Standardizer().fit(Xtr)
    return ((scaler.transform(Xtr), ytr), (scaler.transform(Xva), yva),
            (scaler.transform(Xte), yte))


def digits_net(seed=0):
    """Dense(64, 64) → ReLU → Dense(64, 10), He initialisation, softmax cross-entropy."""
    return Sequential([Dense(64, 64, init="he_normal", seed=seed), ReLU(),
                       Dense(64, 10, init="he_normal", seed=seed + 1000)],
                      loss="softmax_ce")


def train_digits(optimizer, data, *, seed=0, epochs=10, batch_size=32, schedule=None):
    """Train :func:`digits_net` (``seed``) with ``optimizer``; return the History with
    "seconds" added: the wall-clock time at the end of each epoch."""
    (Xtr, ytr), (Xva, yva), _ = data
    start = time.perf_counter()
    seconds = []
    history = digits_net(seed).fit(
        Xtr, ytr, epochs=epochs, optimizer=optimizer, batch_size=batch_size, seed=seed,
        validation_data=(Xva, yva), schedule=schedule,
        callbacks=[lambda net, epoch, logs: seconds.append(time.perf_counter() - start)])
    history.history["seconds"] = seconds
    return history


def race_figure(results, key="val_loss"):
    """``results`` {label: [History, ...] over seeds}: ``key`` against the epoch (mean
    over seeds, the band from the lowest to the highest seed) and against time."""
    fig = Figure(figsize=(8.8, 3.5), layout="constrained")
    ax, ax2 = fig.subplots(1, 2, sharey=True)
    for i, (label, runs) in enumerate(results.items()):
        values = np.array([r[key] for r in runs])
        seconds = np.mean([r["seconds"] for r in runs], axis=0)
        epochs = np.arange(1, values.shape[1] + 1)
        ax.plot(epochs, values.mean(axis=0), color=f"C{i}", lw=1.5, label=label)
        ax.fill_between(epochs, values.min(axis=0), values.max(axis=0), color=f"C{i}",
                        alpha=0.15, lw=0)
        ax2.plot(seconds, values.mean(axis=0), ".-", color=f"C{i}", lw=1.2, ms=3)
    ax.set_xlabel("epoch")
    ax.set_ylabel(key.replace("_", " "))
    ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    ax2.set_xlabel("seconds (mean over seeds)")
    ax2.grid(True, alpha=0.3)
    return fig
