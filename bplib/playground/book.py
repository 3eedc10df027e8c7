"""The playground without a kernel: a small grid of runs trained when the book is
built, and a :class:`~bplib.figures.Demo` that shows any of them at a few epochs.

Each run is a :class:`~bplib.playground.session.Session` (a 2 x 8 network on 200 noisy
points, half of them for testing, Adam with lr 0.03) trained for ``EPOCHS[-1]``
epochs; its weights are kept at each epoch of ``EPOCHS``. The demo's frames draw the
network's unit maps, the boundary and the loss curves at that epoch (the compact
:class:`~bplib.playground.views.PlaygroundView`).
"""

from __future__ import annotations

import dataclasses

from bplib.figures import Demo, Slider
from bplib.playground.session import Session, Settings
from bplib.playground.views import PlaygroundView

__all__ = ["BOOK_DATASETS", "BOOK_ACTIVATIONS", "BOOK_PENALTIES", "EPOCHS", "BOOK_SETTINGS",
           "Run", "train_runs", "playground_demo"]

BOOK_DATASETS = ("circle", "xor", "spiral")
BOOK_ACTIVATIONS = ("tanh", "relu")
BOOK_PENALTIES = ("none", "L2")
EPOCHS = (0, 10, 25, 50, 100)
"""The epochs the reader can see (the slider's stops)."""

BOOK_SETTINGS = Settings(n=200, noise=0.5, test_fraction=0.5, batch_size=20,
                         optimizer="adam", lr=0.03, lam=0.01)
"""What every book run shares; the grid changes dataset, activation and penalty."""


class Run:
    """One trained session and its weights at each epoch of ``EPOCHS``."""

    def __init__(self, settings):
        self.session = Session(settings)
        self.weights = {0: self.session.net.get_params()}
        for epoch in EPOCHS[1:]:
            self.session.run(epoch - self.session.epoch)
            self.weights[epoch] = self.session.net.get_params()
        self.history = self.session.history
        self._view = None

    def at(self, epoch):
        """The session as it was after ``epoch`` epochs (weights and curves)."""
        s = self.session
        s.net.set_params(self.weights[epoch])
        s.epoch = epoch
        s.history = {k: v[:epoch + 1] for k, v in self.history.items()}
        return s

    def figure(self, epoch):
        """The compact views at ``epoch`` (one figure per run, redrawn)."""
        session = self.at(epoch)
        if self._view is None:
            self._view = PlaygroundView(session, compact=True, epochs=EPOCHS[-1])
        return self._view.update(session).fig


def book_settings(dataset, activation, penalty):
    """``BOOK_SETTINGS`` for one point of the grid (the spiral's noise is an angle)."""
    noise = 0.4 if dataset == "spiral" else BOOK_SETTINGS.noise
    return dataclasses.replace(BOOK_SETTINGS, dataset=dataset, activation=activation,
                               penalty=penalty, noise=noise)


def train_runs():
    """{(dataset, activation, penalty): Run} over the whole grid."""
    return {(d, a, p): Run(book_settings(d, a, p)) for d in BOOK_DATASETS
            for a in BOOK_ACTIVATIONS for p in BOOK_PENALTIES}


def playground_demo(runs=None):
    """The book's playground: sliders for data set, activation, penalty and epoch."""
    runs = train_runs() if runs is None else runs

    def playground(dataset, activation, penalty, epoch):
        run = runs[BOOK_DATASETS[dataset], BOOK_ACTIVATIONS[activation],
                   BOOK_PENALTIES[penalty]]
        return run.figure(EPOCHS[epoch])

    last, s = len(EPOCHS) - 1, BOOK_SETTINGS
    n_train = len(next(iter(runs.values())).session.y_train)
    return Demo(playground,
                Slider("dataset", 0, len(BOOK_DATASETS) - 1, 1, value=0, label="data set",
                       texts=list(BOOK_DATASETS)),
                Slider("activation", 0, 1, 1, value=0, texts=list(BOOK_ACTIVATIONS)),
                Slider("penalty", 0, 1, 1, value=0, label=f"penalty (L2: λ = {s.lam:g})",
                       texts=["none", "L2"]),
                Slider("epoch", 0, last, 1, value=last, texts=[str(e) for e in EPOCHS]),
                title=f"A {s.hidden_layers} x {s.units} network trained on {n_train} "
                      f"points, tested on {s.n - n_train} more")
