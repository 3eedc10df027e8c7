"""A sequential network: layers applied in order, trained by backpropagation.

``Sequential([Dense(2, 3), Sigmoid(), Dense(3, 1)], loss=MSE())`` chains the layers'
``forward`` calls; ``backward`` runs their ``backward`` calls in reverse (the chain
rule, Chapter 4, eq. (ch04-chain)). Parameters and gradients are reachable by name,
``"dense0.W"``, and ``fit`` (in ``bplib.training``) is the training loop: epochs of
mini-batch gradient steps.
"""

from __future__ import annotations

import numpy as np

from bplib._validate import as_array, as_generator, positive_int
from bplib.losses import BinaryCrossEntropy, SoftmaxCrossEntropy, get_loss
from bplib.metrics import get_metric
from bplib.training import History, check_targets, fit_loop

__all__ = ["Sequential", "History"]


class Sequential:
    """Layers applied one after the other, with an optional loss.

    Parameters
    ----------
    layers : sequence of Layer
        Unnamed layers are named by kind and position among that kind: "dense0",
        "sigmoid0", "dense1", ... Names must be unique.
    loss : Loss or str, optional
        The training loss (an object from ``bplib.losses`` or its name, e.g.
        "softmax_ce"); needed by ``loss``, ``backward`` and ``fit``.

    Gradients are **overwritten** by every ``backward()`` (never accumulated).
    """

    def __init__(self, layers, loss=None):
        layers = list(layers)
        if not layers:
            raise ValueError("Sequential: expected at least one layer, got none")
        counts: dict[str, int] = {}
        taken = {layer.name for layer in layers if getattr(layer, "name", None) is not None}
        for i, layer in enumerate(layers):
            if not all(hasattr(layer, a) for a in ("forward", "backward", "params", "grads")):
                raise TypeError(f"Sequential: layer {i} ({type(layer).__name__}) is not a "
                                "Layer (needs forward, backward, params, grads)")
            if any(layer is other for other in layers[:i]):
                raise ValueError(f"Sequential: layer {i} ({layer!r}) appears twice; "
                                 "create a separate layer object for each position")
            if layer.name is None:
                kind = type(layer).__name__.lower()
                while f"{kind}{counts.get(kind, 0)}" in taken:
                    counts[kind] = counts.get(kind, 0) + 1
                layer.name = f"{kind}{counts.get(kind, 0)}"
                counts[kind] = counts.get(kind, 0) + 1
                taken.add(layer.name)
        names = [layer.name for layer in layers]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"Sequential: layer names must be unique, {dupes} repeated")
        self.layers = layers
        self.loss_fn = None if loss is None else get_loss(loss)
        self.stop_training = False  # a callback may set this to end fit() early
        self._penalty = None        # the penalty of the last loss() call

    # ----------------------------------------------------------------- access
    @property
    def params(self):
        """All parameters by name, ``{"dense0.W": W, ...}`` (the arrays themselves)."""
        return {f"{l.name}.{k}": v for l in self.layers for k, v in l.params.items()}

    @property
    def grads(self):
        """Gradients of the last ``backward()`` by name, keyed like ``params``."""
        return {f"{l.name}.{k}": v for l in self.layers for k, v in l.grads.items()}

    @property
    def trainable_params(self):
        """The parameters an optimizer may update (e.g. not the classic biases)."""
        return {f"{l.name}.{k}": v for l in self.layers for k, v in l.params.items()
                if k in l.trainable}

    def get_params(self):
        """A copy of every parameter, by name (for saving or restoring weights)."""
        return {k: v.copy() for k, v in self.params.items()}

    def set_params(self, values):
        """Copy ``values`` (name -> array, as from ``get_params``) into the parameters."""
        params = self.params
        for k, v in values.items():
            if k not in params:
                raise ValueError(f"Sequential.set_params: unknown parameter {k!r}; "
                                 f"the network has {sorted(params)}")
            v = np.asarray(v)
            if v.shape != params[k].shape:
                raise ValueError(f"Sequential.set_params: {k!r} needs shape "
                                 f"{params[k].shape}, got {v.shape}")
            np.copyto(params[k], v)

    def __repr__(self):
        lines = [f"  {l!r}" for l in self.layers]
        n = sum(v.size for v in self.params.values())
        return "Sequential([\n" + ",\n".join(lines) + f"\n], loss={self.loss_fn!r})  # {n} parameters"

    # ---------------------------------------------------------------- compute
    def forward(self, X):
        """Output of the last layer for a batch X (N, n_in), caching for ``backward``."""
        for layer in self.layers:
            X = layer.forward(X)
        return X

    __call__ = forward

    def loss(self, X, y, *, penalty=None):
        """Forward pass, then the loss L(ŷ, y), plus ``penalty.value(params)`` if given.

        ``backward()`` then differentiates exactly this quantity (penalty included).
        """
        loss_fn = self._need_loss("loss")
        value = loss_fn.forward(self.forward(X), y)
        if penalty is not None:
            value += penalty.value(self.params)
        self._penalty = penalty
        return float(value)

    def backward(self, grad_out=None):
        """Backpropagate from the loss of the last ``loss()`` (or from ``grad_out``).

        Each layer's ``backward`` receives ∂L/∂(its output) and returns ∂L/∂(its
        input) (Chapter 4); parameter gradients land in ``grads``, overwritten. The
        penalty's gradient, if ``loss()`` had one, is added to the weights' gradients.
        Returns ∂L/∂X, shape (N, n_in).
        """
        penalty = None
        if grad_out is None:
            grad_out = self._need_loss("backward").backward()
            penalty = self._penalty
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        if penalty is not None:
            grads, params = self.grads, self.params
            for name, g in penalty.grad(params).items():
                grads[name] += g  # in place: the layer's own gradient array
        return grad_out

    def predict(self, X):
        """Output for X with every layer in evaluation mode (e.g. dropout off)."""
        modes = [layer.training for layer in self.layers]
        try:
            for layer in self.layers:
                layer.training = False
            return self.forward(X)
        finally:
            for layer, mode in zip(self.layers, modes):
                layer.training = mode

    def predict_classes(self, X):
        """Predicted class labels (N,): argmax of K > 1 outputs, else [output ≥ 0.5]."""
        return self._classes(self.predict(X))

    @staticmethod
    def _classes(out):
        if out.ndim == 2 and out.shape[1] > 1:
            return out.argmax(axis=1)
        return (out.reshape(out.shape[0]) >= 0.5).astype(np.int64)

    def _need_loss(self, method):
        if self.loss_fn is None:
            raise ValueError(f"Sequential.{method}: the network has no loss; create it "
                             "with Sequential(layers, loss=...) (e.g. loss='mse')")
        return self.loss_fn

    def _widths(self):
        """(n_in, n_out) from the first and last layers with a weight matrix W."""
        Ws = [l.params["W"] for l in self.layers if "W" in l.params and l.params["W"].ndim == 2]
        return (Ws[0].shape[0], Ws[-1].shape[1]) if Ws else (None, None)

    # ------------------------------------------------------------------ train
    def fit(self, X, y, *, epochs, optimizer, batch_size=None, shuffle=True, seed=0,
            validation_data=None, metrics=None, penalty=None, clip=None,
            early_stopping=None, callbacks=()):
        """Train with mini-batch gradient steps; return a :class:`History`.

        Parameters
        ----------
        X : array (N, n_in); y : targets for the loss (see ``bplib.losses``)
            Labels (N,) for "softmax_ce"; (N,) or (N, n_out) for the other losses.
        epochs : int
            Passes over the training data.
        optimizer : Optimizer
            E.g. ``bplib.optimizers.SGD(lr=0.1)``; it updates ``trainable_params``.
        batch_size : int, optional
            Rows per gradient step; None (default) uses all N rows (full batch).
        shuffle, seed
            Shuffle the rows each epoch, with a generator made from ``seed``.
        validation_data : (X_val, y_val), optional
            Evaluated (in evaluation mode) after each epoch: "val_loss", "val_<metric>".
        metrics : sequence of str or callable, optional
            Names from ``bplib.metrics`` ("accuracy", "precision", "recall", "f1") or
            functions ``f(y_true, y_pred)`` of labels. Default (None): ("accuracy",)
            for the classification losses ("softmax_ce", "bce"), () otherwise.
        penalty : L1 or L2 from ``bplib.regularization``, optional
            Added to the loss that is reported and differentiated.
        clip : ("value", c) or ("norm", max_norm) or callable, optional
            Clip gradients before each step: each entry to [-c, c], or rescale so the
            global norm is at most ``max_norm``; a callable maps grads -> grads.
        early_stopping : int, optional
            Patience: stop when "val_loss" (or "loss" without validation data) has
            not improved for that many epochs, then **restore the weights of the best
            epoch** (``history.best_epoch``). Optimizer state is not restored.
        callbacks : sequence of callables ``callback(net, epoch, logs)``
            Called after every epoch (``epoch`` counts from 0, ``logs`` holds that
            epoch's values); a callback may set ``net.stop_training = True``.

        Logged "loss" and training metrics are averages over the epoch's batches as
        they were computed during the epoch (before each step; for full-batch
        training, the values at the start of the epoch). A non-finite loss stops
        training with a ValueError naming the epoch and step.
        """
        where = "Sequential.fit"
        loss_fn = self._need_loss("fit")
        X, y = self._inputs(X, y, where, ("X", "y"))
        epochs = positive_int(epochs, "epochs", where=where)
        if not callable(getattr(optimizer, "step", None)):
            raise TypeError(f"{where}: expected an optimizer with a step(params, grads) "
                            f"method, e.g. bplib.optimizers.SGD(lr=0.1), got {optimizer!r}")
        n = X.shape[0]
        batch_size = n if batch_size is None else min(
            positive_int(batch_size, "batch_size", where=where), n)
        val = None
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError(f"{where}: validation_data must be a pair (X_val, y_val)")
            val = self._inputs(*validation_data, where, ("X_val", "y_val"))
        if metrics is None:
            metrics = ("accuracy",) if isinstance(loss_fn, (SoftmaxCrossEntropy,
                                                            BinaryCrossEntropy)) else ()
        if isinstance(metrics, str):
            metrics = (metrics,)
        metric_fns = {(m if isinstance(m, str) else m.__name__): get_metric(m) for m in metrics}
        for cb in callbacks:
            if not callable(cb):
                raise TypeError(f"{where}: callbacks must be callables "
                                f"callback(net, epoch, logs), got {cb!r}")
        if early_stopping is not None:
            early_stopping = positive_int(early_stopping, "early_stopping (patience)",
                                          where=where)
        return fit_loop(self, X, y, epochs=epochs, optimizer=optimizer,
                        batch_size=batch_size, shuffle=shuffle,
                        rng=as_generator(seed, where=where), val=val,
                        metric_fns=metric_fns, penalty=penalty, clip=clip,
                        patience=early_stopping, callbacks=tuple(callbacks))

    def _inputs(self, X, y, where, names):
        """Validate a training pair once, before the loop (clear errors, no NaN)."""
        if isinstance(X, np.ndarray) and X.ndim == 1:
            raise ValueError(f"{where}: expected {names[0]} of shape (N, n_in), got a 1-D "
                             f"array of shape {X.shape}; for one input feature use "
                             f"{names[0]}.reshape(-1, 1)")
        X = as_array(X, names[0], ndim=2, where=where)
        n_in, n_out = self._widths()
        if n_in is not None and X.shape[1] != n_in:
            raise ValueError(f"{where}: {names[0]} has {X.shape[1]} columns but the first "
                             f"layer expects n_in={n_in}")
        return X, check_targets(self.loss_fn, y, X.shape[0], n_out, where, names)
