"""Watching a network train: per-layer signals, dead ReLU units, update-to-weight ratios.

Chapter 10 measures, layer by layer, what makes deep networks hard to train. These
small tools do the measuring, for any ``Sequential`` network:

* :func:`trace` runs one forward and one backward pass and keeps every layer's
  output and the gradient of the loss with respect to it (for a dense layer:
  ``Z`` and ``delta = dE/dZ``; for an activation: ``A`` and ``dE/dA``);
* :func:`layer_speeds` is Nielsen's "speed of learning" of each dense layer, the norm
  of ``dE/db``, eq. (ch10-speed);
* :func:`dead_units` finds the ReLU units whose input is at most 0 for every example
  (they pass no gradient, so their incoming weights never change);
* :func:`update_ratios` and the callback :class:`UpdateRatio` compute the
  update-to-weight ratio ``||W_after - W_before|| / ||W_before||`` of every weight
  matrix, eq. (ch10-ratio); about 1e-3 per step is the usual healthy value.
"""

from __future__ import annotations

import numpy as np

from bplib.activations import LeakyReLU, ReLU
from bplib.layers import Dense

__all__ = ["trace", "layer_speeds", "dead_units", "update_ratios", "UpdateRatio"]


def _check_net(net, where):
    if not all(hasattr(net, a) for a in ("layers", "names", "params")):
        raise TypeError(f"{where}: expected a Sequential network, got "
                        f"{type(net).__name__}")


def trace(net, X, y):
    """One forward and backward pass, keeping each layer's output and its gradient.

    Parameters
    ----------
    net : Sequential, with a loss
    X : array (N, n_in); y : targets for the network's loss

    Returns
    -------
    list of (name, output, grad) tuples, one per layer in order
        ``output`` is the layer's output for X (for ``Dense`` that is Z, shape
        (N, n_out)); ``grad`` is dE/d(output), same shape (for ``Dense``: delta).
        The parameter gradients are left in ``net.grads`` as after ``backward``.
    """
    where = "trace"
    _check_net(net, where)
    if net.loss_fn is None:
        raise ValueError(f"{where}: the network has no loss; create it with "
                         "Sequential(layers, loss=...)")
    outputs, out = [], X
    for layer in net.layers:                    # forward, keeping every output
        out = layer.forward(out)
        outputs.append(out)
    net.loss_fn.forward(out, y)
    grad = net.loss_fn.backward()               # dE/d(last output)
    grads = [None] * len(net.layers)
    for i in reversed(range(len(net.layers))):  # backward, keeping every gradient
        grads[i] = grad
        grad = net.layers[i].backward(grad)
    return list(zip(net.names, outputs, grads))


def layer_speeds(net, X, y):
    """Norm of dE/db for each dense layer: Nielsen's speed of learning, eq. (ch10-speed).

    Returns
    -------
    dict name -> float, e.g. ``{"dense0": 0.012, "dense1": 0.06, ...}``, in layer order.
        dE/db is the column sums of the layer's delta (eq. (ch06-db)), so its norm
        measures how fast that layer's biases (and, with them, its weights) move.
    """
    _check_net(net, "layer_speeds")
    net.loss(X, y)
    net.backward(need_input_grad=False)
    grads = net.grads
    return {name: float(np.linalg.norm(grads[f"{name}.b"]))
            for name, layer in zip(net.names, net.layers) if isinstance(layer, Dense)}


def dead_units(net, X):
    """The ReLU units that never fire on X: input Z <= 0 for every example.

    Parameters
    ----------
    net : Sequential
    X : array (N, n_in)

    Returns
    -------
    dict name -> bool array (n_units,), one entry per ``ReLU`` layer (not
    ``LeakyReLU``, which never stops passing gradient): True where the unit's input
    is <= 0 for all N examples. ``mask.sum()`` counts them. Such a unit outputs 0
    and passes no gradient for any of these examples (eq. (ch03-relu-prime)), so the
    weights coming into it get no gradient either.
    """
    where = "dead_units"
    _check_net(net, where)
    out = np.asarray(X, dtype=float)
    if out.ndim != 2:
        raise ValueError(f"{where}: expected X of shape (N, n_in), got {out.shape}")
    found = {}
    modes = [layer.training for layer in net.layers]
    try:
        for layer in net.layers:
            layer.training = False
        for name, layer in zip(net.names, net.layers):
            if isinstance(layer, ReLU) and not isinstance(layer, LeakyReLU):
                found[name] = np.all(out.reshape(out.shape[0], -1) <= 0, axis=0)
            out = layer.forward(out)
    finally:
        for layer, mode in zip(net.layers, modes):
            layer.training = mode
    return found


def _is_weight(name):
    return name == "W" or name.endswith(".W")


def update_ratios(before, after):
    """Update-to-weight ratio ``||after - before|| / ||before||`` of each weight matrix.

    Implements eq. (ch10-ratio). ``before`` and ``after`` are dicts name -> array
    (e.g. ``net.get_params()`` before and after a step); only weights (names "W" or
    ending in ".W") are compared, in the order of ``before``.

    Returns
    -------
    dict name -> float
    """
    where = "update_ratios"
    for what, d in (("before", before), ("after", after)):
        if not isinstance(d, dict):
            raise TypeError(f"{where}: expected {what} as a dict name -> array, got "
                            f"{type(d).__name__}")
    ratios = {}
    for name, w0 in before.items():
        if not _is_weight(name):
            continue
        if name not in after:
            raise ValueError(f"{where}: {name!r} is in before but not in after")
        w0, w1 = np.asarray(w0, dtype=float), np.asarray(after[name], dtype=float)
        if w0.shape != w1.shape:
            raise ValueError(f"{where}: {name!r} has shape {w0.shape} before and "
                             f"{w1.shape} after")
        norm = float(np.linalg.norm(w0))
        if norm == 0.0:
            raise ValueError(f"{where}: {name!r} is all zeros before the step; the "
                             "ratio is undefined")
        ratios[name] = float(np.linalg.norm(w1 - w0)) / norm
    return ratios


class UpdateRatio:
    """A ``fit`` callback recording each weight's update-to-weight ratio per epoch.

    ``monitor = UpdateRatio(net)`` keeps a copy of the weights; passed as
    ``fit(..., callbacks=[monitor])`` it compares the weights after each epoch with
    those before it, eq. (ch10-ratio), and appends the ratio to
    ``monitor.history[name]``. With full-batch training (``batch_size=None``) an epoch
    is one step, so these are per-step ratios; with mini-batches they measure the
    whole epoch's change.
    """

    def __init__(self, net):
        _check_net(net, "UpdateRatio")
        self._before = net.get_params()
        self.history: dict[str, list[float]] = {
            name: [] for name in self._before if _is_weight(name)}

    def __call__(self, net, epoch, logs):
        after = net.get_params()
        for name, r in update_ratios(self._before, after).items():
            self.history[name].append(r)
        self._before = after

    def __repr__(self):
        n = len(next(iter(self.history.values()), []))
        return f"UpdateRatio({len(self.history)} weights, {n} epochs recorded)"
