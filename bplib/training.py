"""The training loop behind ``Sequential.fit``, and the ``History`` it returns.

Kept apart from ``network.py`` so each file holds one idea: ``network.py`` is the
network (forward, backward, parameters by name), this module is the loop that
repeats forward → loss → backward → optimizer step over epochs and mini-batches.
"""

from __future__ import annotations

import math
from contextlib import contextmanager

import numpy as np

from bplib._validate import as_array, real_number
from bplib.losses import BinaryCrossEntropy, SoftmaxCrossEntropy
from bplib.regularization import clip_by_global_norm, clip_by_value

__all__ = ["History", "check_targets", "fit_loop"]


class History:
    """What ``fit`` recorded, one value per epoch.

    Attributes
    ----------
    history : dict[str, list[float]]
        "loss", the training metrics ("accuracy", ...), and with validation data
        "val_loss", "val_accuracy", ...; ``history["loss"][e]`` belongs to epoch e.
    epoch : list[int]
        The epochs run, counting from 0.
    best_epoch : int or None
        With early stopping: the epoch whose weights the network ended with.
    stopped_epoch : int or None
        The epoch after which training stopped early (None if it ran to the end).
    """

    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.best_epoch = None
        self.stopped_epoch = None

    def append(self, epoch, logs):
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __getitem__(self, key):
        return self.history[key]

    def __len__(self):
        return len(self.epoch)

    def __repr__(self):
        return f"History({len(self.epoch)} epochs, keys={list(self.history)})"


def check_targets(loss_fn, y, n, n_out, where, names):
    """Validate targets once before training; return them as the loss expects.

    ``names`` = (name of X, name of y) for messages; ``n_out`` the output width
    (None if unknown). Labels for "softmax_ce" must be integers in 0..n_out-1.
    """
    xname, yname = names
    if y is None or isinstance(y, (str, bytes)):
        raise TypeError(f"{where}: expected {yname} to be an array of targets, got {y!r}")
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != n:
        rows = "a scalar" if y.ndim == 0 else f"{y.shape[0]} rows"
        raise ValueError(f"{where}: {xname} has {n} rows but {yname} has {rows}; "
                         "they need one target per sample")
    if isinstance(loss_fn, SoftmaxCrossEntropy) and y.ndim == 1:
        if y.dtype.kind not in "iu":
            y = as_array(y, yname, where=where)
            if np.any(y != np.round(y)):
                raise ValueError(f"{where}: {yname} must hold integer class labels for "
                                 "softmax cross-entropy")
            y = y.astype(np.int64)
        if n_out is not None and (y.min() < 0 or y.max() >= n_out):
            raise ValueError(f"{where}: labels in {yname} must be in 0..{n_out - 1} for "
                             f"{n_out} outputs, got values from {y.min()} to {y.max()}")
        return y
    y = as_array(y, yname, ndim=(1, 2), where=where)
    if y.ndim == 1:
        if n_out not in (None, 1):
            raise ValueError(f"{where}: {yname} has shape {y.shape} but the network has "
                             f"{n_out} outputs; expected shape ({n}, {n_out})")
        y = y.reshape(n, 1)
    elif n_out is not None and y.shape[1] != n_out:
        raise ValueError(f"{where}: {yname} has shape {y.shape} but the network has "
                         f"{n_out} outputs; expected shape ({n}, {n_out})")
    if isinstance(loss_fn, BinaryCrossEntropy) and (y.min() < 0 or y.max() > 1):
        raise ValueError(f"{where}: binary cross-entropy needs targets in [0, 1], got "
                         f"{yname} from {y.min()} to {y.max()}")
    return y


def _labels(y):
    """Class labels (N,) from targets: labels as they are, rows by argmax or ≥ 0.5."""
    if y.ndim == 1:
        return y
    if y.shape[1] > 1:
        return y.argmax(axis=1)
    return (y[:, 0] >= 0.5).astype(np.int64)


def _clipper(clip, where):
    """A function grads -> clipped grads, from the ``clip`` argument of fit."""
    if clip is None or callable(clip):
        return clip
    if isinstance(clip, (tuple, list)) and len(clip) == 2 and clip[0] in ("value", "norm"):
        kind = clip[0]
        c = real_number(clip[1], f"clip {kind}", where=where, low=0, low_open=True)
        if kind == "value":
            return lambda grads: clip_by_value(grads, c)
        return lambda grads: clip_by_global_norm(grads, c)[0]
    raise ValueError(f"{where}: clip must be None, ('value', c), ('norm', max_norm) or a "
                     f"function grads -> grads, got {clip!r}")


def _diverged(value, epoch, epochs, step, steps, optimizer, where):
    lr = getattr(optimizer, "lr", None)
    return ValueError(
        f"{where}: the loss became {value} (not finite) in epoch {epoch + 1} of {epochs}, "
        f"step {step + 1} of {steps} (counting from 1): training diverged. Lower the "
        f"learning rate{'' if lr is None else f' (now lr={lr})'}, or clip the gradients "
        "(clip=('norm', 1.0)), and check that the inputs are scaled.")


@contextmanager
def _validated_once(net):
    """Inside fit the data were checked once, so switch off the per-call checks.

    Layers and the loss skip their NaN/infinity test of each input (a blow-up still
    shows as a non-finite loss, which fit reports), and the first layer skips ∂L/∂X,
    which no one needs (one matrix product per step saved). Restored afterwards.
    """
    parts = [*net.layers, net.loss_fn]
    saved = [(p, getattr(p, "check_input", None), getattr(p, "input_grad", None)) for p in parts]
    try:
        for p, check, _ in saved:
            if check is not None:
                p.check_input = False
        if saved[0][2] is not None:
            net.layers[0].input_grad = False
        yield
    finally:
        for p, check, grad in saved:
            if check is not None:
                p.check_input = check
            if grad is not None:
                p.input_grad = grad


def fit_loop(net, X, y, **kwargs):
    """The loop of ``Sequential.fit`` on validated inputs (see its docstring)."""
    with _validated_once(net):
        return _loop(net, X, y, **kwargs)


def _loop(net, X, y, *, epochs, optimizer, batch_size, shuffle, rng, val, metric_fns,
          penalty, clip, patience, callbacks):
    where = "Sequential.fit"
    loss_fn, layers = net.loss_fn, net.layers
    for layer in layers:
        layer.training = True
    params, all_params = net.trainable_params, net.params
    grad_index = [(f"{l.name}.{k}", l.grads, k) for l in layers for k in l.params]
    clip_fn = _clipper(clip, where)
    labels = _labels(y) if metric_fns else None
    val_labels = _labels(val[1]) if (val is not None and metric_fns) else None
    n = X.shape[0]
    steps = -(-n // batch_size)
    history, best, best_value, wait = History(), None, math.inf, 0
    monitor = "loss" if val is None else "val_loss"
    net.stop_training = False
    for epoch in range(epochs):
        Xe, ye, le = X, y, labels
        if shuffle:
            perm = rng.permutation(n)
            Xe, ye = X[perm], y[perm]
            le = None if labels is None else labels[perm]
        pred = np.empty(n, dtype=np.int64) if metric_fns else None
        total = 0.0
        for step in range(steps):
            lo, hi = step * batch_size, min(n, (step + 1) * batch_size)
            try:
                out = net.forward(Xe[lo:hi])
                value = loss_fn.forward(out, ye[lo:hi])
            except ValueError as exc:  # inputs were checked: non-finite means divergence
                if "finite" not in str(exc):
                    raise
                raise _diverged("non-finite", epoch, epochs, step, steps, optimizer,
                                where) from exc
            if penalty is not None:
                value += penalty.value(all_params)
            if not math.isfinite(value):
                raise _diverged(value, epoch, epochs, step, steps, optimizer, where)
            total += value * (hi - lo)
            if pred is not None:
                pred[lo:hi] = net._classes(out)
            net._penalty = penalty
            net.backward()
            grads = {name: g[k] for name, g, k in grad_index}  # = net.grads, prebuilt keys
            optimizer.step(params, grads if clip_fn is None else clip_fn(grads))
        logs = {"loss": total / n}
        for name, fn in metric_fns.items():
            logs[name] = float(fn(le, pred))
        if val is not None:
            out = net.predict(val[0])
            value = loss_fn.forward(out, val[1])
            logs["val_loss"] = value + (0.0 if penalty is None else penalty.value(all_params))
            for name, fn in metric_fns.items():
                logs["val_" + name] = float(fn(val_labels, net._classes(out)))
        history.append(epoch, logs)
        for cb in callbacks:
            cb(net, epoch, dict(logs))
        if patience is not None:
            if logs[monitor] < best_value:
                best_value, best, wait = logs[monitor], net.get_params(), 0
                history.best_epoch = epoch
            else:
                wait += 1
                if wait >= patience:
                    history.stopped_epoch = epoch
                    break
        if net.stop_training:
            history.stopped_epoch = epoch
            break
    if best is not None:
        net.set_params(best)
    return history
