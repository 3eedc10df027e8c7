"""Chapter 11, "Overfitting and regularisation": the runs, the table and the figures.

Every experiment of the chapter runs here, once (memoised), so that the chapter's
numbers, its figures and its slider all show the same runs:

* the digits: Chapter 8's network (64 -> 64 ReLU -> 10, softmax cross-entropy, He
  initialisation) trained on the first 100 images of the training split, with SGD
  (lr 0.1, mini-batches of 10) for 150 epochs, without and with each remedy
  (:func:`digits_run`, :func:`remedy_table`);
* the two moons: a 2-32-32-2 ReLU network on 60 noisy points, for a grid of L2
  strengths and dropout rates, whose boundary, weights and error curves the slider
  shows (:func:`toy_run`, :func:`regularisation_view`, :func:`regularisation_demo`).
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from bplib.activations import ReLU
from bplib.augment import SHIFTS, expand_with_shifts
from bplib.data import Standardizer, train_val_test_split
from bplib.datasets import load_digits, moons
from bplib.layers import Dense, Dropout
from bplib.network import Sequential
from bplib.optimizers import SGD, Adam, AdamW
from bplib.regularization import L1, L2

__all__ = ["mc_dropout_probabilities", "N_SUBSET", "EPOCHS", "LR", "BATCH", "SEEDS", "REMEDIES", "digits_data",
           "digits_net", "Run", "digits_run", "remedy_table", "curves_figure",
           "early_stopping_figure", "shifted_digits_figure", "toy_data", "toy_net",
           "toy_run", "LOG10_LAMS", "DROPOUTS", "regularisation_view",
           "regularisation_demo"]

#: Training images of the digits experiments (the first ones of the training split).
N_SUBSET = 100
#: Epochs, learning rate and mini-batch size of every digits run (SGD).
EPOCHS, LR, BATCH = 100, 0.1, 10
#: The seeds (initial weights, dropout masks, batch order) the table averages over.
SEEDS = (0, 1, 2)

#: remedy -> (how its value reads in the table, what it costs): the final table's rows.
REMEDIES = {
    "none": ("-", "-"),
    "L2": ("lambda = {:g}", "a hyperparameter (chosen on validation runs)"),
    "L1": ("lambda = {:g}", "a hyperparameter; exact zeros need a proximal step"),
    "dropout": ("p = {:g}", "a hyperparameter; a random mask per step"),
    "early stopping": ("patience {:g}", "a copy of the best weights; fewer epochs"),
    "augmentation": ("4 shifts by {:g} pixel", "4 shifted copies of every image (same steps)"),
}
#: The value of each remedy in the table (L2's is the one the chapter chooses).
TABLE_VALUES = {"none": 0.0, "L2": 0.03, "L1": 0.001, "dropout": 0.5,
                "early stopping": 10, "augmentation": 0.5}


# -- the digits -------------------------------------------------------------------------
@functools.lru_cache(maxsize=None)
def digits_data():
    """The digits, split with seed 0 and standardised with the training split's statistics.

    Returns a dict: ``X_raw``, ``y`` (the first :data:`N_SUBSET` training images, raw
    pixels 0..16, and labels), ``X`` (them standardised), ``X_val``, ``y_val``,
    ``X_test``, ``y_test`` (standardised), and ``scaler`` (the
    :class:`~bplib.data.Standardizer`, fit on the 1,257 training images' pixels).
    """
    X, y = load_digits()
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te) = train_val_test_split(X, y, seed=0)
    scaler = Standardizer().fit(X_tr)
    X_raw, y_sub = X_tr[:N_SUBSET], y_tr[:N_SUBSET]
    return dict(X_raw=X_raw, y=y_sub, X=scaler.transform(X_raw),
                X_val=scaler.transform(X_va), y_val=y_va,
                X_test=scaler.transform(X_te), y_test=y_te, scaler=scaler,
                n_train_split=len(X_tr))


def digits_net(p=0.0, seed=0):
    """Chapter 8's network, 64 -> 64 ReLU -> 10, He initialisation; dropout ``p`` after
    the hidden ReLU when p > 0."""
    layers = [Dense(64, 64, init="he", seed=seed), ReLU()]
    if p > 0:
        layers.append(Dropout(p, seed=seed))
    layers.append(Dense(64, 10, init="he", seed=seed + 1))
    return Sequential(layers, loss="softmax_ce")


@dataclass
class Run:
    """One training run: its per-epoch history and its final errors (fractions)."""

    history: dict
    train_error: float
    val_error: float
    test_error: float
    epochs: int
    seconds: float
    params: dict = field(repr=False)
    best_epoch: int | None = None


#: Rows per matrix product when evaluating: a product of 32 rows stays on one core
#: (OpenBLAS hands larger ones to its threads, which on a busy 2-core machine cost far
#: more than they save for matrices this small).
CHUNK = 32


def _outputs(net, X):
    """net.predict(X), computed CHUNK rows at a time (the same numbers)."""
    return np.concatenate([net.predict(X[i:i + CHUNK]) for i in range(0, len(X), CHUNK)])


def _error(net, X, y):
    return float(np.mean(_outputs(net, X).argmax(axis=1) != y))


def mc_dropout_probabilities(net, X, passes=100):
    """The mean softmax output of ``passes`` forward passes in training mode, each with
    new dropout masks (a Monte Carlo average over thinned networks); (N, K)."""
    total = 0.0
    for _ in range(passes):
        Z = np.concatenate([net.forward(X[i:i + CHUNK]) for i in range(0, len(X), CHUNK)])
        e = np.exp(Z - Z.max(axis=1, keepdims=True))
        total = total + e / e.sum(axis=1, keepdims=True)
    return total / passes


def _recorder(net, X, y, X_val, y_val, penalty):
    """(history dict, callback for fit) recording what fit's validation_data would:
    "loss" (fit's), "accuracy", "val_loss" (with the penalty) and "val_accuracy"."""
    history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}

    def record(net, epoch, logs):
        out = _outputs(net, X_val)
        history["loss"].append(logs["loss"])
        history["accuracy"].append(1.0 - _error(net, X, y))
        history["val_loss"].append(net.loss_fn.forward(out, y_val) + (
            0.0 if penalty is None else penalty.value(net.params)))
        history["val_accuracy"].append(float(np.mean(out.argmax(axis=1) == y_val)))
    return history, record


@functools.lru_cache(maxsize=None)
def digits_run(remedy="none", value=0.0, seed=0, epochs=EPOCHS, labels="true"):
    """Train Chapter 8's network on the 100 images with one remedy; memoised.

    Seed 0 records the curves of every epoch (``Run.history``: "loss", "accuracy",
    "val_loss", "val_accuracy"); the other seeds, which only the tables use, record
    what ``fit`` logs and keep their final errors.

    remedy: "none", "L2" (value = λ), "L1" (value = λ), "dropout" (value = p),
    "early stopping" (value = patience, on the validation loss), "augmentation"
    (value = the shift in pixels: 0.5 gives the 4 half-pixel shifts of
    :data:`bplib.augment.SHIFTS`, 1 whole pixels; epochs / 5, so that the number of
    gradient steps stays the same), "adam L2"
    (Adam, lr 0.001, with the L2 penalty λ = value), "adamw" (AdamW, lr 0.001,
    weight_decay = value). labels: "true", or "random" (the labels shuffled once,
    seed 0). Returns a :class:`Run`.
    """
    d = digits_data()
    X, y = d["X"], d["y"]
    if labels == "random":
        y = np.random.default_rng(0).permutation(y)
    net = digits_net(value if remedy == "dropout" else 0.0, seed)
    optimizer, penalty, patience, X_fit, y_fit = SGD(lr=LR), None, None, X, y
    if remedy == "L2":
        penalty = L2(value)
    elif remedy == "L1":
        penalty = L1(value)
    elif remedy == "early stopping":
        patience = int(value)
    elif remedy == "augmentation":
        shifts = [(value * np.sign(dx), value * np.sign(dy)) for dx, dy in SHIFTS]
        X_big, y_fit = expand_with_shifts(d["X_raw"], y, shifts)
        X_fit, epochs = d["scaler"].transform(X_big), epochs // (1 + len(SHIFTS))
    elif remedy == "adam L2":
        optimizer, penalty = Adam(lr=0.001), L2(value)
    elif remedy == "adamw":
        optimizer = AdamW(lr=0.001, weight_decay=value)
    elif remedy not in ("none", "dropout"):
        raise ValueError(f"digits_run: unknown remedy {remedy!r}")
    history, record = _recorder(net, X, y, d["X_val"], d["y_val"], penalty)
    start = time.process_time()
    fitted = net.fit(X_fit, y_fit, epochs=epochs, optimizer=optimizer, batch_size=BATCH,
                     seed=seed, penalty=penalty, early_stopping=patience, metrics=(),
                     callbacks=(record,) if seed == 0 else (),
                     validation_data=None if patience is None
                     else (d["X_val"], d["y_val"]))
    if seed != 0:                        # only seed 0's curves are drawn
        history = fitted.history
    seconds = time.process_time() - start
    return Run(history=history, train_error=_error(net, X, y),
               val_error=_error(net, d["X_val"], d["y_val"]),
               test_error=_error(net, d["X_test"], d["y_test"]), epochs=len(fitted),
               seconds=seconds, params=net.get_params(), best_epoch=fitted.best_epoch)


def remedy_table(values=None, seeds=SEEDS):
    """One row per remedy of :data:`REMEDIES`: setting, cost, and the errors (in %)
    averaged over ``seeds``: training, validation, test, the gap validation - training,
    and the epochs run (early stopping ends sooner). ``values`` updates
    :data:`TABLE_VALUES` (e.g. ``{"L2": lam}``)."""
    values = {**TABLE_VALUES, **(values or {})}
    rows = []
    for remedy, (setting, cost) in REMEDIES.items():
        setting = setting.format(values[remedy])
        runs = [digits_run(remedy, values[remedy], s) for s in seeds]
        train = 100 * np.mean([r.train_error for r in runs])
        val = 100 * np.mean([r.val_error for r in runs])
        rows.append({"remedy": remedy, "setting": setting, "cost": cost,
                     "train %": train, "validation %": val,
                     "test %": 100 * np.mean([r.test_error for r in runs]),
                     "gap %": val - train,
                     "epochs": float(np.mean([r.epochs for r in runs]))})
    return pd.DataFrame(rows)


# -- figures of the digits runs ---------------------------------------------------------
def curves_figure(runs, title=None, loss=True):
    """Training (dashed) and validation (solid) error per epoch of each run in ``runs``
    (a dict label -> :class:`Run`), and with ``loss`` the two losses in a second panel."""
    fig = Figure(figsize=(9.0 if loss else 5.2, 3.6), layout="constrained")
    axes = fig.subplots(1, 2 if loss else 1, squeeze=False)[0]
    for k, (label, run) in enumerate(runs.items()):
        h, color = run.history, f"C{k}"
        epochs = np.arange(1, len(h["loss"]) + 1)
        axes[0].plot(epochs, 100 * (1 - np.asarray(h["accuracy"])), "--", color=color,
                     lw=1.2, label=f"{label}: training")
        axes[0].plot(epochs, 100 * (1 - np.asarray(h["val_accuracy"])), color=color,
                     lw=1.6, label=f"{label}: validation")
        if loss:
            axes[1].semilogy(epochs, h["loss"], "--", color=color, lw=1.2)
            axes[1].semilogy(epochs, h["val_loss"], color=color, lw=1.6)
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("error (%)")
    axes[0].set_ylim(0, 100 if len(runs) == 1 else None)
    axes[0].legend(fontsize=8)
    axes[0].grid(True, alpha=0.3)
    if loss:
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("loss (cross-entropy + penalty)")
        axes[1].grid(True, which="major", alpha=0.3)
        axes[1].set_title("dashed: training, solid: validation", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def early_stopping_figure(full, stopped):
    """The validation loss of the full run, zoomed in on its U (linear scale), the epoch
    with the lowest value, and where early stopping (run ``stopped``) ended."""
    fig = Figure(figsize=(7.0, 3.4), layout="constrained")
    ax = fig.add_subplot()
    val = np.asarray(full.history["val_loss"])
    epochs = np.arange(1, len(val) + 1)
    ax.plot(epochs, val, color="C0", lw=1.6,
            label=f"validation loss, all {len(val)} epochs")
    best, end = stopped.best_epoch + 1, stopped.epochs
    ax.axvline(best, color="C2", lw=1.2, label=f"best epoch {best}: weights restored")
    ax.axvline(end, color="C3", lw=1.2, ls=":", label=f"stopped after epoch {end}")
    low, high = val.min(), val[len(val) // 2:].max()
    pad = max(high - low, 1e-3)
    ax.set_ylim(low - 0.5 * pad, high + 3 * pad)      # zoomed: the U is shallow
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation cross-entropy (zoomed)")
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(True, alpha=0.3)
    return fig


def shifted_digits_figure(image, shifts=((0, 0), (0.5, 0), (1, 0), (0, -0.5), (0, -1))):
    """One raw 8x8 digit (64 pixels) and its shifted copies, side by side."""
    from bplib.augment import shift_images

    fig = Figure(figsize=(1.6 * len(shifts), 2.0), layout="constrained")
    for ax, (dx, dy) in zip(fig.subplots(1, len(shifts)), shifts):
        ax.imshow(shift_images(np.asarray(image)[None], dx, dy).reshape(8, 8),
                  cmap="gray_r", vmin=0, vmax=16)
        ax.set_title(f"dx={dx:g}, dy={dy:g}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    return fig


# -- the two moons and the slider -------------------------------------------------------
#: log10 of the L2 strength on the slider, and the dropout rates.
LOG10_LAMS = (-4.0, -3.5, -3.0, -2.5, -2.0, -1.5, -1.0)
DROPOUTS = (0.0, 0.5)
#: Epochs of each toy run (Adam, lr 0.01, full batch) and the recording interval.
TOY_EPOCHS, TOY_EVERY = 200, 10


@functools.lru_cache(maxsize=None)
def toy_data():
    """(X, y) 60 training points and (X_val, y_val) 250 validation points of the moons,
    noise 0.3 (seeds 3 and 4)."""
    return moons(60, noise=0.3, seed=3), moons(250, noise=0.3, seed=4)


def toy_net(p=0.0, seed=0):
    """2 -> 32 ReLU -> 32 ReLU -> 2 (He initialisation), dropout p after each ReLU."""
    def drop(k):
        return [Dropout(p, seed=seed + k, name=f"dropout{k}")] if p > 0 else []
    return Sequential([Dense(2, 32, init="he", seed=seed), ReLU(), *drop(0),
                       Dense(32, 32, init="he", seed=seed + 1), ReLU(), *drop(1),
                       Dense(32, 2, init="he", seed=seed + 2)], loss="softmax_ce")


@functools.lru_cache(maxsize=None)
def toy_run(log10_lam, p):
    """Train :func:`toy_net` with L2 λ = 10**log10_lam and dropout p; memoised.

    Returns ``(net, curve)``: the trained network and a dict of the epochs recorded
    every :data:`TOY_EVERY` ("epoch", "train", "val": errors in %).
    """
    (X, y), (X_val, y_val) = toy_data()
    net = toy_net(p)
    curve = {"epoch": [], "train": [], "val": []}

    def record(net, epoch, logs):
        if (epoch + 1) % TOY_EVERY == 0 or epoch == 0:
            curve["epoch"].append(epoch + 1)
            curve["train"].append(100 * _error(net, X, y))
            curve["val"].append(100 * _error(net, X_val, y_val))

    net.fit(X, y, epochs=TOY_EPOCHS, optimizer=Adam(lr=0.01), metrics=(),
            penalty=L2(10.0 ** log10_lam), callbacks=(record,))
    return net, curve


def _grid():
    gx, gy = np.meshgrid(np.linspace(-1.8, 2.8, 70), np.linspace(-1.5, 2.0, 54))
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def regularisation_view(log10_lam=-4.0, p=0.0):
    """Boundary, weights and error curves of the toy network for one λ and one p.

    Left: the probability of class 1 over the plane, the boundary (black), the training
    points (large) and validation points (small, faint). Middle: the histogram of every
    weight (biases left out). Right: training and validation error every 10 epochs.
    Returns (Figure, text).
    """
    net, curve = toy_run(log10_lam, p)
    (X, y), (X_val, y_val) = toy_data()
    fig = Figure(figsize=(10.5, 3.3), layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3, width_ratios=(1.25, 1, 1))
    gx, gy, pts = _grid()
    out = _outputs(net, pts)
    prob = np.exp(out[:, 1] - np.logaddexp(out[:, 0], out[:, 1])).reshape(gx.shape)
    ax1.pcolormesh(gx, gy, prob, cmap="coolwarm", vmin=0, vmax=1, shading="auto")
    ax1.contour(gx, gy, prob, levels=[0.5], colors="k", linewidths=1.5)
    for cls, marker in ((0, "o"), (1, "s")):
        ax1.scatter(*X_val[y_val == cls].T, marker=marker, s=5, c="0.3", alpha=0.35,
                    linewidths=0)
        ax1.scatter(*X[y == cls].T, marker=marker, s=22, edgecolors="k", linewidths=0.6,
                    c="white" if cls == 0 else "black")
    ax1.set_xlim(-1.8, 2.8)
    ax1.set_ylim(-1.5, 2.0)
    ax1.set_title(rf"boundary: $\lambda = 10^{{{log10_lam:g}}}$, dropout $p = {p:g}$",
                  fontsize=9)
    weights = np.concatenate([v.ravel() for k, v in net.params.items() if k.endswith(".W")])
    ax2.hist(np.clip(weights, -2.5, 2.5), bins=np.linspace(-2.5, 2.5, 51), color="C0")
    ax2.set_xlim(-2.5, 2.5)
    ax2.set_ylim(0, 700)
    norm = float(np.sqrt(np.sum(weights ** 2)))
    ax2.set_title(rf"all {weights.size} weights, $\|W\| = {norm:.1f}$", fontsize=9)
    ax2.set_xlabel("weight (clipped to [-2.5, 2.5])")
    ax3.plot(curve["epoch"], curve["train"], "--", color="C1", label="training")
    ax3.plot(curve["epoch"], curve["val"], color="C0", label="validation")
    ax3.set_ylim(0, 40)
    ax3.set_xlabel("epoch")
    ax3.set_ylabel("error (%)")
    ax3.legend(fontsize=8, loc="upper right")
    ax3.grid(True, alpha=0.3)
    ax3.set_title(f"final: training {curve['train'][-1]:.0f}%, "
                  f"validation {curve['val'][-1]:.1f}%", fontsize=9)
    text = (f"lambda = {10.0 ** log10_lam:.2g}, dropout p = {p:g}\n"
            f"training error {curve['train'][-1]:.1f}%\n"
            f"validation error {curve['val'][-1]:.1f}%\n"
            f"weight norm {norm:.2f}")
    return fig, text


def regularisation_demo():
    """Sliders over log10 λ (-4 to -1) and the dropout rate (0 or 0.5): 14 frames."""
    from bplib.figures import Demo, Slider

    return Demo(lambda log10_lam, p: regularisation_view(log10_lam, p),
                Slider("log10_lam", -4.0, -1.0, 0.5, value=-4.0,
                       label="log10 of the L2 strength lambda"),
                Slider("p", 0.0, 0.5, 0.5, value=0.0, label="dropout rate p"),
                title="Move lambda and p: the boundary smooths, the weights shrink, "
                      "the two errors meet")
