"""Chapter 8, "Training a network on real data": the digits, prepared and learned.

The chapter's network, which later chapters reuse: the 8x8 digits split with
stratification (:func:`prepared_digits`), inputs standardised with statistics of the
training set only, and ``Dense(64, 64)`` -> ReLU -> ``Dense(64, 10)`` with softmax
cross-entropy and He initialisation (:func:`digits_network`), trained by plain
mini-batch SGD (:func:`train_digits`). The rest are the chapter's figures (pure
functions of their data) and one slider, :func:`replay_demo`, which replays the main
run epoch by epoch.
"""

from __future__ import annotations

import functools
import time
from types import SimpleNamespace

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from bplib.activations import ReLU
from bplib.data import Standardizer, train_val_test_split
from bplib.datasets import load_digits
from bplib.layers import Dense
from bplib.metrics import confusion_matrix
from bplib.network import Sequential
from bplib.optimizers import SGD

__all__ = ["prepared_digits", "digits_network", "train_digits", "EpochRecorder",
           "tile", "gallery_figure", "class_balance_figure", "curves_figure", "symmetry_figure",
           "batch_figure", "search_figure", "confusion_figure", "misclassified_figure",
           "replay_view", "replay_demo"]

#: The chapter's training settings: plain SGD, mini-batches of 32, 30 epochs.
SETTINGS = dict(lr=0.1, batch_size=32, epochs=30)


# -- data and network ----------------------------------------------------------------
def prepared_digits(seed=0, *, val=0.15, test=0.15, standardize=True):
    """The digits split (stratified) into training, validation and test sets.

    Returns a namespace with ``X_train, y_train, X_val, y_val, X_test, y_test`` (pixel
    rows (N, 64); standardised with the training set's mean and standard deviation
    when ``standardize``), ``images_*`` (the raw 8x8 images, values 0..16, of each
    set) and ``scaler`` (the fitted :class:`bplib.data.Standardizer`, or None).
    """
    images, y = load_digits(images=True)
    X = images.reshape(len(images), 64)
    idx = np.arange(len(y))
    (i_tr, y_tr), (i_va, y_va), (i_te, y_te) = train_val_test_split(
        idx, y, val=val, test=test, seed=seed, stratify=True)
    scaler = Standardizer().fit(X[i_tr]) if standardize else None

    def inputs(i):
        return scaler.transform(X[i]) if standardize else X[i]

    return SimpleNamespace(
        X_train=inputs(i_tr), y_train=y_tr, X_val=inputs(i_va), y_val=y_va,
        X_test=inputs(i_te), y_test=y_te, images_train=images[i_tr],
        images_val=images[i_va], images_test=images[i_te], scaler=scaler)


def digits_network(seed=0, *, init="he", hidden=64, activation=ReLU):
    """Chapter 8's network: Dense(64, hidden) -> activation -> Dense(hidden, 10),
    softmax cross-entropy. Both layers draw their weights from one generator made
    from ``seed``; ``init`` is a name for ``bplib.initializers`` or a function
    ``(shape, seed) -> array`` (e.g. zeros)."""
    rng = np.random.default_rng(seed)
    return Sequential([Dense(64, hidden, init=init, seed=rng), activation(),
                       Dense(hidden, 10, init=init, seed=rng)], loss="softmax_ce")


def train_digits(data, seed=0, *, net=None, lr=None, batch_size=None, epochs=None,
                 callbacks=(), validation=True, **fit_kwargs):
    """Train ``net`` (default: ``digits_network(seed)``) on ``data.X_train`` with SGD.

    The chapter's :data:`SETTINGS` unless given; validation on ``data.X_val``.
    Returns ``(net, history)``.
    """
    s = dict(SETTINGS)
    s.update({k: v for k, v in dict(lr=lr, batch_size=batch_size, epochs=epochs).items()
              if v is not None})
    net = digits_network(seed) if net is None else net
    history = net.fit(data.X_train, data.y_train, epochs=s["epochs"],
                      optimizer=SGD(lr=s["lr"]), batch_size=s["batch_size"], seed=seed,
                      validation_data=(data.X_val, data.y_val) if validation else None,
                      callbacks=callbacks, **fit_kwargs)
    return net, history


class EpochRecorder:
    """A ``fit`` callback that keeps, per epoch, the time and the predicted labels of
    ``X_watch`` (and, before the first epoch, those of the untrained network).

    ``seconds[e]``: wall time from the start of training to the end of epoch e;
    ``predictions[0]`` before training, ``predictions[e + 1]`` after epoch e.
    """

    def __init__(self, X_watch=None):
        self.X_watch = X_watch
        self.seconds, self.predictions = [], []
        self._start = None

    def on_train_begin(self, net, epochs):
        self.seconds, self.predictions = [], []
        self._snap(net)
        self._start = time.perf_counter()

    def __call__(self, net, epoch, logs):
        self.seconds.append(time.perf_counter() - self._start)
        self._snap(net)

    def _snap(self, net):
        if self.X_watch is not None:
            self.predictions.append(net.predict_classes(self.X_watch))

    def seconds_per_epoch(self):
        """The median time of one epoch (robust to a busy machine's slow epochs)."""
        return float(np.median(np.diff([0.0] + self.seconds)))


# -- figures -------------------------------------------------------------------------
def _digit(ax, image, title=None, color="black"):
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=16, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, fontsize=8, color=color, pad=2)


def tile(images, gap=1):
    """Images (R, C, 8, 8) laid out as one array, with ``gap`` pixels of NaN between
    them (drawn as background)."""
    images = np.asarray(images, dtype=float)
    R, Cn, h, w = images.shape
    out = np.full((R * (h + gap) - gap, Cn * (w + gap) - gap), np.nan)
    for r in range(R):
        for c in range(Cn):
            out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = images[r, c]
    return out


def gallery_figure(images, labels, per_class=8):
    """The first ``per_class`` images of each digit, one row per digit (one image drawn
    once: fast)."""
    rows = np.stack([images[np.flatnonzero(labels == d)[:per_class]] for d in range(10)])
    fig = Figure(figsize=(0.5 * per_class + 0.6, 5.4), layout="constrained")
    ax = fig.subplots()
    ax.imshow(tile(rows), cmap="gray_r", vmin=0, vmax=16, interpolation="nearest")
    ax.set_yticks(np.arange(10) * 9 + 3.5, [str(d) for d in range(10)])
    ax.set_xticks([])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_ylabel("digit")
    return fig


def class_balance_figure(counts_by_set):
    """Bars of each digit's share in every set: ``{"all": counts (10,), ...}``."""
    fig = Figure(figsize=(8.0, 2.8), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / len(counts_by_set)
    for k, (name, counts) in enumerate(counts_by_set.items()):
        counts = np.asarray(counts, dtype=float)
        ax.bar(np.arange(10) + (k - (len(counts_by_set) - 1) / 2) * width,
               100 * counts / counts.sum(), width, label=f"{name} ({int(counts.sum())})")
    ax.axhline(10, color="0.3", lw=0.8, ls=":")
    ax.set_xticks(range(10))
    ax.set_xlabel("digit")
    ax.set_ylabel("share of the set (%)")
    ax.set_ylim(0, 13)
    ax.legend(ncols=len(counts_by_set), fontsize="small", loc="lower center")
    return fig


def curves_figure(curves, *, xlabel="epoch", ylabel="training loss", title=None,
                  logy=True, times=None):
    """One line per entry of ``curves`` (name -> values per epoch). With ``times``
    (name -> seconds at the end of each epoch) a second panel draws the same curves
    against wall-clock time."""
    fig = Figure(figsize=(8.0 if times else 5.2, 3.2), layout="constrained")
    axes = fig.subplots(1, 2 if times else 1, squeeze=False)[0]
    for k, (name, values) in enumerate(curves.items()):
        axes[0].plot(np.arange(1, len(values) + 1), values, marker=".", color=f"C{k}",
                     label=name)
        if times:
            axes[1].plot(times[name], values, marker=".", color=f"C{k}", label=name)
    for ax, xl in zip(axes, (xlabel, "seconds of training")):
        ax.set_xlabel(xl)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if logy:
            ax.set_yscale("log")
    axes[0].legend(fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


def symmetry_figure(W_by_name):
    """The hidden layer's weights as images: the first 8 hidden units of each network
    (one row per ``name -> W`` (64, hidden)), each unit's 64 weights as 8x8 pixels."""
    fig = Figure(figsize=(7.2, 1.05 * len(W_by_name) + 0.3), layout="constrained")
    axes = fig.subplots(len(W_by_name), 8, squeeze=False)
    for row, (name, W) in zip(axes, W_by_name.items()):
        lim = max(float(np.abs(W[:, :8]).max()), 1e-12)
        for j, ax in enumerate(row):
            ax.imshow(W[:, j].reshape(8, 8), cmap="RdBu_r", vmin=-lim, vmax=lim,
                      interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
        row[0].set_ylabel(name, rotation=0, ha="right", va="center", fontsize=9)
    return fig


def batch_figure(curves, times, per_epoch):
    """Training loss per epoch and per second for several batch sizes, and the time
    of one epoch (bars, log scale)."""
    fig = Figure(figsize=(9.6, 3.2), layout="constrained")
    ax1, ax2, ax3 = fig.subplots(1, 3, width_ratios=(1, 1, 0.8))
    for k, (name, values) in enumerate(curves.items()):
        ax1.plot(np.arange(1, len(values) + 1), values, marker=".", color=f"C{k}",
                 label=name)
        ax2.plot(times[name], values, marker=".", color=f"C{k}", label=name)
    for ax, xl in ((ax1, "epoch"), (ax2, "seconds of training")):
        ax.set_yscale("log")
        ax.set_xlabel(xl)
        ax.set_ylabel("training loss")
        ax.grid(alpha=0.3)
    ax1.legend(fontsize="small", title="batch size", title_fontsize="small")
    names = list(per_epoch)
    ax3.bar(range(len(names)), [1000 * per_epoch[n] for n in names],
            color=[f"C{k}" for k in range(len(names))])
    ax3.set_xticks(range(len(names)), [n.split(" ")[0] for n in names], fontsize=8)
    ax3.set_xlabel("batch size")
    ax3.set_ylabel("ms per epoch")
    ax3.grid(alpha=0.3, axis="y")
    return fig


def search_figure(grid, rand, *, x="lr", y="lam", score="val_accuracy"):
    """The configurations of a grid search and a random search on the same axes
    (log scales), coloured by validation accuracy, with the best of each ringed.
    ``grid``, ``rand``: pandas DataFrames with columns ``x``, ``y`` and ``score``."""
    fig = Figure(figsize=(8.4, 3.4), layout="constrained")
    axes = fig.subplots(1, 2, sharex=True, sharey=True)
    lo = min(grid[score].min(), rand[score].min())
    for ax, table, name in ((axes[0], grid, "grid search"), (axes[1], rand, "random search")):
        sc = ax.scatter(table[x], table[y], c=table[score], cmap="viridis", vmin=lo,
                        vmax=1.0, s=60, edgecolors="k", linewidths=0.5)
        best = table[score].idxmax()
        ax.scatter([table[x][best]], [table[y][best]], s=220, facecolors="none",
                   edgecolors="C3", linewidths=2)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("learning rate $\\eta$")
        ax.set_title(f"{name}: {len(table)} runs, "
                     f"{table[x].nunique()} values of $\\eta$", fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("L2 strength $\\lambda$")
    fig.colorbar(sc, ax=axes, label="validation accuracy")
    return fig


def confusion_figure(C, *, title=None):
    """The confusion matrix ``C`` (true class per row, predicted per column) as a
    grid of counts; the diagonal (right answers) in grey, errors in red."""
    C = np.asarray(C)
    k = C.shape[0]
    fig = Figure(figsize=(4.6, 4.2), layout="constrained")
    ax = fig.subplots()
    off = C.astype(float).copy()
    np.fill_diagonal(off, np.nan)
    ax.imshow(np.where(np.eye(k, dtype=bool), 0.25, np.nan), cmap="Greys", vmin=0, vmax=1)
    top = np.nanmax(off) if np.any(off > 0) else 1.0
    ax.imshow(np.where(off > 0, off, np.nan), cmap="Reds", vmin=-0.5 * top, vmax=1.5 * top)
    for i in range(k):
        for j in range(k):
            if C[i, j] or i == j:
                ax.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=8,
                        color="black", fontweight="normal" if i == j else "bold")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    ax.set_title(title or f"{int(C.sum() - np.trace(C))} errors in {int(C.sum())}",
                 fontsize=10)
    return fig


def misclassified_figure(images, y_true, y_pred, confidence, *, cols=8):
    """Every misclassified image (up to ``2 * cols``), labelled "true → predicted
    (confidence %)", most confident mistakes first."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    wrong = np.flatnonzero(y_true != y_pred)
    wrong = wrong[np.argsort(-np.asarray(confidence)[wrong], kind="stable")][:2 * cols]
    rows = max(1, -(-len(wrong) // cols))
    grid = np.full((rows * cols, 8, 8), np.nan)
    grid[:len(wrong)] = np.asarray(images, dtype=float)[wrong]
    gap = 4                                   # room for the labels between the rows
    fig = Figure(figsize=(1.0 * cols, 1.3 * rows + 0.2), layout="constrained")
    ax = fig.subplots()
    ax.imshow(tile(grid.reshape(rows, cols, 8, 8), gap=gap), cmap="gray_r", vmin=0,
              vmax=16, interpolation="nearest")
    for k, i in enumerate(wrong):
        r, c = divmod(k, cols)
        ax.text(c * (8 + gap) + 3.5, r * (8 + gap) - 0.8,
                f"{y_true[i]} → {y_pred[i]} ({100 * confidence[i]:.0f}%)",
                ha="center", va="bottom", fontsize=8, color="darkred")
    ax.set_ylim(rows * (8 + gap) - gap - 0.5, -2.8)
    ax.set_axis_off()
    return fig


# -- the replay slider ---------------------------------------------------------------
def replay_view(epoch, logs, predictions, y_val):
    """The main run at ``epoch`` (0 = before training): loss curves up to there and
    the validation set's confusion matrix at that epoch."""
    fig = Figure(figsize=(8.8, 3.6), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2, width_ratios=(1.2, 1))
    n = len(logs["loss"])
    for key, color, name in (("loss", "C0", "training"), ("val_loss", "C1", "validation")):
        values = np.asarray(logs[key])
        ax1.plot(np.arange(1, n + 1), values, color=color, alpha=0.25)
        ax1.plot(np.arange(1, epoch + 1), values[:epoch], color=color, marker=".",
                 label=name)
    ax1.axvline(epoch, color="0.3", lw=1, ls="--")
    ax1.set_xlim(0, n + 0.5)
    ax1.set_ylim(0.5 * min(min(logs["loss"]), min(logs["val_loss"])),
                 2 * max(max(logs["loss"]), max(logs["val_loss"])))
    ax1.set_yscale("log")
    ax1.yaxis.set_minor_locator(NullLocator())     # fewer ticks: a frame draws fast
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("loss")
    ax1.grid(alpha=0.3)
    ax1.legend(fontsize="small", loc="upper right")
    pred = predictions[epoch]
    C = confusion_matrix(y_val, pred, n_classes=10)
    errors = int(C.sum() - np.trace(C))
    eye = np.eye(10, dtype=bool)
    ax2.imshow(np.where(eye | (C == 0), np.nan, C), cmap="Reds", vmin=-4, vmax=12)
    ax2.imshow(np.where(eye, 0.3, np.nan), cmap="Greys", vmin=0, vmax=1)
    for i, j in zip(*np.nonzero(C)):
        ax2.text(j, i, str(C[i, j]), ha="center", va="center", fontsize=7,
                 fontweight="normal" if i == j else "bold")
    ax2.set_xticks(range(10))
    ax2.set_yticks(range(10))
    ax2.set_xlabel("predicted digit")
    ax2.set_ylabel("true digit")
    ax2.set_title(f"validation after epoch {epoch}: {errors} errors in {len(y_val)}",
                  fontsize=10)
    return fig


@functools.lru_cache(maxsize=2)
def _replay_record(seed=0, epochs=12):
    data = prepared_digits(seed)
    recorder = EpochRecorder(data.X_val)
    _, history = train_digits(data, seed, epochs=epochs, callbacks=[recorder])
    return history.history, tuple(recorder.predictions), data.y_val


def replay_demo(logs=None, predictions=None, y_val=None, step=None):
    """Slider over the epochs of a run: by default a short run of the chapter's
    network (the chapter passes its main run's ``history.history``, the
    :class:`EpochRecorder`'s predictions and ``y_val``)."""
    from bplib.figures import Demo, Slider

    if logs is None:
        logs, predictions, y_val = _replay_record()
    n = len(logs["loss"])
    step = step or max(1, n // 10)
    last = (n // step) * step
    return Demo(functools.partial(replay_view, logs=logs, predictions=predictions,
                                  y_val=y_val),
                Slider("epoch", 0, last, step, value=0, label="epoch"),
                title="Replay training: move the epoch and watch the errors leave "
                      "the confusion matrix", continuous=False)

