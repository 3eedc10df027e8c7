"""The playground's training session: a bplib network, its data, and one epoch at a time.

``Session(Settings(...))`` builds everything from the reader's choices;
``session.step()`` trains one epoch of mini-batch gradient steps with the loop that
Chapter 2 teaches (loss, backward, optimizer step) and records the curves the views
draw. A loss that becomes NaN or infinite stops the session with a message naming
the likely cause (``session.error``); nothing is raised at the reader.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from bplib._validate import NonFiniteError, check_name, positive_int, real_number
from bplib.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from bplib.data import minibatches
from bplib.layers import Dense, Dropout
from bplib.metrics import accuracy, confusion_matrix
from bplib.network import Sequential
from bplib.optimizers import get_optimizer
from bplib.playground.data import DATASETS, FEATURES, features, make_data, split
from bplib.regularization import L1, L2

__all__ = ["Settings", "CHOICES", "Session", "divergence_message"]

ACTIVATIONS = {"tanh": Tanh, "relu": ReLU, "sigmoid": Sigmoid, "leaky_relu": LeakyReLU}
LOSSES = {"cross-entropy": "bce", "squared error": "mse"}
OPTIMIZERS = {"sgd": ("sgd", {}), "momentum": ("sgd", {"momentum": 0.9}),
              "rmsprop": ("rmsprop", {}), "adam": ("adam", {})}
"""Choice -> (``bplib.optimizers`` name, its settings besides lr)."""
PENALTIES = {"none": None, "L1": L1, "L2": L2}

CHUNK = 1000
"""Rows per forward pass when the views evaluate the network on a grid of points."""

CHOICES = {
    "dataset": tuple(DATASETS),
    "noise": (0.0, 0.05, 0.1, 0.2, 0.3, 0.5),
    "test_fraction": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    "batch_size": (1, 2, 5, 10, 20, 30, 50, 100, 250),
    "features": tuple(FEATURES),
    "hidden_layers": (0, 1, 2, 3, 4),
    "units": (1, 2, 3, 4, 5, 6, 7, 8),
    "activation": tuple(ACTIVATIONS),
    "init": ("xavier", "he", "small"),
    "loss": tuple(LOSSES),
    "optimizer": tuple(OPTIMIZERS),
    "lr": (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0),
    "penalty": tuple(PENALTIES),
    "lam": (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0),
    "dropout": (0.0, 0.1, 0.2, 0.3, 0.5),
}
"""Every value each control offers (``features``: the names one may tick, any subset)."""


@dataclasses.dataclass
class Settings:
    """The reader's choices; the defaults are a 2 x 8 tanh network on the circle."""

    dataset: str = "circle"
    n: int = 500
    noise: float = 0.1
    test_fraction: float = 0.5
    batch_size: int = 10
    features: tuple = ("x1", "x2")
    hidden_layers: int = 2
    units: int = 8
    activation: str = "tanh"
    init: str = "xavier"
    loss: str = "cross-entropy"
    optimizer: str = "sgd"
    lr: float = 0.1
    penalty: str = "none"
    lam: float = 0.001
    dropout: float = 0.0
    seed: int = 0

    def checked(self):
        """Raise a clear ``ValueError``/``TypeError`` for any value out of range."""
        where = "playground.Settings"
        for name, options in (("dataset", DATASETS), ("activation", ACTIVATIONS),
                              ("loss", LOSSES), ("optimizer", OPTIMIZERS),
                              ("penalty", PENALTIES), ("init", CHOICES["init"])):
            check_name(getattr(self, name), tuple(options), what=name, where=where)
        positive_int(self.n, "n", where=where)
        positive_int(self.batch_size, "batch_size", where=where)
        positive_int(self.units, "units", where=where)
        if not isinstance(self.hidden_layers, int) or self.hidden_layers < 0:
            raise ValueError(f"{where}: expected hidden_layers an int >= 0, got "
                             f"{self.hidden_layers!r}")
        real_number(self.noise, "noise", where=where, low=0)
        real_number(self.lr, "lr", where=where, low=0, low_open=True)
        real_number(self.lam, "lam", where=where, low=0)
        real_number(self.dropout, "dropout", where=where, low=0, high=1, high_open=True)
        features(np.zeros((1, 2)), self.features)        # checks the names
        return self


def divergence_message(epoch, step, settings):
    """What the reader sees when the loss became NaN or infinite, with the likely cause.

    ``epoch`` and ``step`` count from 1 (``step`` None: at the end of the epoch). A
    divergence in the very first epoch may also come from the initial scale of the
    weights; later it is the learning rate.
    """
    s = settings
    where = f"step {step}" if step is not None else "the end"
    text = (f"Training stopped: the loss became NaN or infinite at {where} of epoch "
            f"{epoch}. Likely cause: the learning rate (lr = {s.lr:g}) is too "
            f"large for this network: each step overshoots and the weights grow until "
            f"the numbers overflow. Try lr = {s.lr / 10:g}.")
    if epoch == 1:
        squared = [f for f in s.features if f in ("x1^2", "x2^2", "x1*x2")]
        text += (f" It happened in the first epoch, so the initial scale may add to it: "
                 f"large inputs (features {', '.join(s.features)}) times initial "
                 f"weights (init = '{s.init}') give large pre-activations; try the "
                 f"'small' initialisation"
                 + (f" or fewer squared features ({', '.join(squared)})." if squared
                    else "."))
    return text + f" The views show the network as it was before epoch {epoch}."


class Session:
    """One training run: data, network, optimizer and what was recorded per epoch.

    Attributes
    ----------
    net : Sequential
        Dense layers (``hidden_layers`` of ``units`` units, then one output unit) with
        the activation (and Dropout) between them (see :func:`build_network`).
    X_train, y_train, X_test, y_test
        Points (N, 2) and labels (N,) in {0, 1}, arrays; the network sees the
        ``features`` of X.
    epoch : int
        Epochs trained so far.
    history : dict
        Lists, one entry per epoch: "train_loss", "test_loss" (the loss on each set
        after the epoch, in evaluation mode, penalty excluded) and "grad_norm" (per
        Dense layer, the mean over the epoch's steps of the norm of the gradient the
        optimizer followed: ∂L/∂W of the batch loss, plus the penalty's gradient
        when one is on); index 0 is before training.
    error : str or None
        Set when training diverged (see :func:`divergence_message`); the network
        then holds its weights of the last whole epoch (those the curves end with).
    """

    def __init__(self, settings=None):
        self.settings = (settings or Settings()).checked()
        s = self.settings
        X, y = make_data(s.dataset, s.n, noise=s.noise, seed=s.seed)
        self.X_train, self.y_train, self.X_test, self.y_test = split(
            X, y, s.test_fraction, seed=s.seed)
        self.F_train = features(self.X_train, s.features)
        self.F_test = features(self.X_test, s.features)
        self.net = build_network(s)
        name, options = OPTIMIZERS[s.optimizer]
        self.optimizer = get_optimizer(name, lr=s.lr, **options)
        penalty = PENALTIES[s.penalty]
        self.penalty = None if penalty is None or s.lam == 0 else penalty(s.lam)
        self.rng = np.random.default_rng(s.seed)
        self.epoch, self.error = 0, None
        self.history = {"train_loss": [], "test_loss": [], "grad_norm": []}
        self._record(grad_norm=[math.nan] * len(self.dense_layers))

    @property
    def dense_layers(self):
        return [layer for layer in self.net.layers if isinstance(layer, Dense)]

    def step(self):
        """Train one epoch (mini-batches of ``batch_size``); False if training stopped.

        Each step is eq. (ch02-update): the loss, its gradient by backpropagation
        (``net.backward``), and the optimizer's update of every weight and bias. A
        loss or gradient that is NaN or infinite stops the session (``error``) and
        puts back the weights the epoch started from.
        """
        if self.error is not None:
            return False
        s, params = self.settings, self.net.trainable_params
        start, norms = self.net.get_params(), []   # kept, to go back to if it diverges
        for layer in self.net.layers:
            layer.training = True
        batches = minibatches(self.F_train, self.y_train.reshape(-1, 1), s.batch_size,
                              seed=self.rng)
        for step, (F, y) in enumerate(batches, start=1):
            try:
                with np.errstate(over="ignore", invalid="ignore"):  # caught as NaN/inf
                    self.net.loss(F, y, penalty=self.penalty)
                    self.net.backward(penalty=self.penalty, need_input_grad=False)
                    grads = self.net.grads
                    if not all(np.isfinite(g).all() for g in grads.values()):
                        raise NonFiniteError("a gradient is not finite")
                    self.optimizer.step(params, grads)
                    norms.append([float(np.linalg.norm(layer.grads["W"]))
                                  for layer in self.dense_layers])
            except NonFiniteError:
                self.error = divergence_message(self.epoch + 1, step, s)
                self.net.set_params(start)     # huge weights would overflow the views
                return False
        self.epoch += 1
        if self._record(grad_norm=list(np.mean(norms, axis=0))):
            return True
        self.epoch -= 1
        self.net.set_params(start)
        return False

    def run(self, epochs):
        """Train up to ``epochs`` epochs; stop early if training diverges."""
        for _ in range(positive_int(epochs, "epochs", where="Session.run")):
            if not self.step():
                break
        return self

    def _record(self, grad_norm):
        """Append the losses on both sets after this epoch; False (and ``error``) if
        they are not finite."""
        losses = []
        for F, y in ((self.F_train, self.y_train), (self.F_test, self.y_test)):
            with np.errstate(over="ignore", invalid="ignore"):   # checked just below
                out = self.net.predict(F)
                loss = self.net.loss_fn.forward(out, y.reshape(-1, 1)) if np.isfinite(
                    out).all() else math.inf
            if not math.isfinite(loss):
                self.error = divergence_message(max(self.epoch, 1), None, self.settings)
                return False
            losses.append(loss)
        self.history["train_loss"].append(losses[0])
        self.history["test_loss"].append(losses[1])
        self.history["grad_norm"].append(grad_norm)
        return True

    # ------------------------------------------------------------ what the views read
    def predict_proba(self, X):
        """The network's output at points X (N, 2), shape (N,): the probability of class
        1 (cross-entropy), or the fitted label (squared error; class 1 where >= 0.5)."""
        F = features(X, self.settings.features)
        # In chunks of CHUNK rows: numpy's BLAS keeps such small products (and the
        # layers' finiteness checks) on one thread, much faster on a busy machine.
        return np.concatenate([self.net.predict(F[i:i + CHUNK])[:, 0]
                               for i in range(0, len(F), CHUNK)])

    def unit_outputs(self, X):
        """Every hidden unit's output at points X (N, 2), in evaluation mode.

        Returns a list with one array (N, units) per hidden layer (after its
        activation), then the output (N, 1).
        """
        A = features(X, self.settings.features)
        outs = []
        for k, layer in enumerate(self.net.layers):
            training, layer.training = layer.training, False
            A = layer.forward(A)
            layer.training = training
            if isinstance(layer, tuple(ACTIVATIONS.values())) and k < len(self.net.layers) - 1:
                outs.append(A)
        return outs + [A]

    def scores(self):
        """{"train": (accuracy, confusion matrix), "test": (...)}; rows true class."""
        out = {}
        for part, X, y in (("train", self.X_train, self.y_train),
                           ("test", self.X_test, self.y_test)):
            pred = (self.predict_proba(X) >= 0.5).astype(np.int64)
            out[part] = (accuracy(y, pred), confusion_matrix(y, pred, n_classes=2))
        return out


def build_network(settings):
    """The network of ``settings``: [Dense, activation, (Dropout)] x hidden_layers,
    then Dense(units, 1): with the cross-entropy a Sigmoid follows (the output is the
    probability of class 1); with the squared error the output stays linear and is
    fitted to the labels 0 and 1 (read as class 1 where it is >= 0.5)."""
    s = settings
    act, layers, width = ACTIVATIONS[s.activation], [], len(s.features)
    for k in range(s.hidden_layers):
        layers += [Dense(width, s.units, init=s.init, seed=s.seed + k), act()]
        if s.dropout > 0:
            layers.append(Dropout(s.dropout, seed=s.seed + k))
        width = s.units
    layers.append(Dense(width, 1, init=s.init, seed=s.seed + s.hidden_layers))
    if s.loss == "cross-entropy":
        layers.append(Sigmoid())     # a probability for the cross-entropy
    return Sequential(layers, loss=LOSSES[s.loss])
