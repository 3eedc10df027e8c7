"""A sequential network: layers applied in order, trained by backpropagation.

``Sequential([Dense(2, 3), Sigmoid(), Dense(3, 1)], loss=MSE())`` chains the layers'
``forward`` calls; ``backward`` runs their ``backward`` calls in reverse (the chain
rule, Chapter 4, eq. (ch04-chain)). Parameters and gradients are reachable by name,
``"dense0.W"``, and ``fit`` (written in ``bplib.training``) is the training loop:
epochs of mini-batch gradient steps.
"""

from __future__ import annotations

import math

import numpy as np

from bplib._validate import NonFiniteError
from bplib.losses import get_loss
from bplib.metrics import class_labels
from bplib.training import History, fit

__all__ = ["Sequential", "History"]


class Sequential:
    """Layers applied one after the other, with an optional loss.

    Gradients are **overwritten** by every ``backward()`` (never accumulated).

    Parameters
    ----------
    layers : sequence of Layer
        A layer's parameters are known by its name: the ``name`` it was given, or
        else its kind and position among that kind ("dense0", "sigmoid0", "dense1",
        ...). The network keeps these in ``names``; it never renames a layer.
        Names must be unique.
    loss : Loss or str, optional
        The training loss (an object from ``bplib.losses`` or its name, e.g.
        "softmax_ce"); needed by ``loss``, ``backward`` and ``fit``.
    """

    def __init__(self, layers, loss=None):
        layers = list(layers)
        if not layers:
            raise ValueError("Sequential: expected at least one layer, got none")
        for i, layer in enumerate(layers):
            if not all(hasattr(layer, a) for a in ("forward", "backward", "params", "grads")):
                raise TypeError(f"Sequential: layer {i} ({type(layer).__name__}) is not a "
                                "Layer (needs forward, backward, params, grads)")
            if any(layer is other for other in layers[:i]):
                raise ValueError(f"Sequential: layer {i} ({layer!r}) appears twice; "
                                 "create a separate layer object for each position")
        self.layers = layers
        self.names = _layer_names(layers)
        # (network-wide name, layer, the layer's own key) of every parameter, once
        self._keys = [(f"{name}.{k}", layer, k) for name, layer in zip(self.names, layers)
                      for k in layer.params]
        self.loss_fn = None if loss is None else get_loss(loss)
        self.stop_training = False  # a callback may set this to end fit() early

    # ----------------------------------------------------------------- access
    @property
    def params(self):
        """All parameters by name, ``{"dense0.W": W, ...}`` (the arrays themselves)."""
        return {key: layer.params[k] for key, layer, k in self._keys}

    @property
    def grads(self):
        """Gradients of the last ``backward()`` by name, keyed like ``params``."""
        return {key: layer.grads[k] for key, layer, k in self._keys}

    @property
    def trainable_params(self):
        """The parameters an optimizer may update (e.g. not the classic biases)."""
        return {key: layer.params[k] for key, layer, k in self._keys if k in layer.trainable}

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
        lines = [f"  {name}: {layer!r}" for name, layer in zip(self.names, self.layers)]
        n = sum(v.size for v in self.params.values())
        return ("Sequential([\n" + ",\n".join(lines)
                + f"\n], loss={self.loss_fn!r})  # {n} parameters")

    # ---------------------------------------------------------------- compute
    def forward(self, X):
        """Output of the last layer for a batch X (N, n_in), caching for ``backward``."""
        for layer in self.layers:
            X = layer.forward(X)
        return X

    __call__ = forward

    def loss(self, X, y, *, penalty=None):
        """Forward pass, then the loss L(ŷ, y), plus ``penalty.value(params)`` if given.

        ``backward(penalty=penalty)`` differentiates the same sum. A loss that is not
        finite raises ``NonFiniteError`` (a ``ValueError``), as does a layer that meets
        NaN or infinity on the way.
        """
        value = self._need_loss("loss").forward(self.forward(X), y)
        if penalty is not None:
            value += penalty.value(self.params)
        if not math.isfinite(value):
            raise NonFiniteError(f"Sequential.loss: the loss is {value}, not a finite "
                                 "number")
        return float(value)

    def backward(self, grad_out=None, *, penalty=None, need_input_grad=True):
        """Backpropagate from the loss of the last ``loss()`` (or from ``grad_out``).

        Each layer's ``backward`` receives ∂L/∂(its output) and returns ∂L/∂(its
        input) (the chain rule, eq. (ch04-chain); layer by layer, the recursion of
        eq. (ch05-gen-recursion)); parameter gradients land in ``grads``,
        overwritten. With ``penalty`` (the one given to ``loss``), its gradient is
        added to the weights' gradients. Returns ∂L/∂X, shape (N, n_in), or None with
        ``need_input_grad=False`` (``fit`` passes it: no one needs the gradient for
        the data, and the first layer saves a matrix product).
        """
        if grad_out is None:
            grad_out = self._need_loss("backward").backward()
        for layer in reversed(self.layers[1:]):
            grad_out = layer.backward(grad_out)
        grad_X = self.layers[0].backward(grad_out, need_input_grad=need_input_grad)
        if penalty is not None:
            grads = self.grads
            for name, g in penalty.grad(self.params).items():
                grads[name] += g  # in place: the layer's own gradient array
        return grad_X

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
        """Predicted class labels (N,): argmax of K > 1 outputs, else [output ≥ 0.5].

        See :func:`bplib.metrics.class_labels`.
        """
        return class_labels(self.predict(X))

    def _need_loss(self, method):
        if self.loss_fn is None:
            raise ValueError(f"Sequential.{method}: the network has no loss; create it "
                             "with Sequential(layers, loss=...) (e.g. loss='mse')")
        return self.loss_fn

    # ------------------------------------------------------------------ train
    # The training loop is bplib.training.fit (one idea per module). As a method,
    # net.fit(X, y, ...) passes the network as fit's first argument.
    fit = fit


def _layer_names(layers):
    """Each layer's name: its own, or its kind and position among unnamed ones."""
    taken = {layer.name for layer in layers if getattr(layer, "name", None) is not None}
    counts: dict[str, int] = {}
    names = []
    for layer in layers:
        name = getattr(layer, "name", None)
        if name is None:
            kind = type(layer).__name__.lower()
            while f"{kind}{counts.get(kind, 0)}" in taken:
                counts[kind] = counts.get(kind, 0) + 1
            name = f"{kind}{counts.get(kind, 0)}"
            counts[kind] = counts.get(kind, 0) + 1
            taken.add(name)
        names.append(name)
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"Sequential: layer names must be unique, {dupes} repeated")
    return names
