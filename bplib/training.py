"""The training loop, ``fit``, and the ``History`` it returns.

Kept apart from ``network.py`` so each file holds one idea: ``network.py`` is the
network (forward, backward, parameters by name), this module is the loop that repeats
loss → backward → optimizer step over epochs and mini-batches. It uses only the public
API that the chapters teach: ``bplib.data.minibatches``, ``net.loss``,
``net.backward``, ``optimizer.step`` and ``net.predict_classes``. ``Sequential.fit``
is this function, with the network as its first argument.
"""

from __future__ import annotations

import math

import numpy as np

from bplib._validate import NonFiniteError, as_array, as_generator, positive_int, real_number
from bplib.data import minibatches
from bplib.losses import BinaryCrossEntropy, SoftmaxCrossEntropy
from bplib.metrics import class_labels, get_metric
from bplib.optimizers import get_optimizer
from bplib.regularization import clip_by_global_norm, clip_by_value
from bplib.schedules import get_schedule

__all__ = ["History", "fit"]


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


def fit(net, X, y, *, epochs, optimizer, batch_size=None, shuffle=True, seed=0,
        validation_data=None, metrics=None, penalty=None, clip=None,
        early_stopping=None, callbacks=(), schedule=None):
    """Train ``net`` with mini-batch gradient steps; return a :class:`History`.

    Each step is the update of eq. (ch02-update) on one mini-batch: the loss, its
    gradient by backpropagation, and the optimizer's step.

    Parameters
    ----------
    net : Sequential
        The network, with a loss. ``net.fit(X, y, ...)`` calls this function.
    X : array (N, n_in); y : targets for the loss (see ``bplib.losses``)
        Labels (N,) for "softmax_ce"; (N,) or (N, n_out) for the other losses.
    epochs : int
        Passes over the training data.
    optimizer : Optimizer or str
        E.g. ``bplib.optimizers.SGD(lr=0.1)``, or a name for ``get_optimizer`` (with
        its default settings, e.g. "sgd" is SGD with PyTorch's lr=0.001). It updates
        ``net.trainable_params``.
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
        epoch's values); a callback may set ``net.stop_training = True``. A callback
        that also has a method ``on_train_begin(net, epochs)`` or
        ``on_train_end(net, history)`` is told when training starts and when it ends
        (after early stopping has restored the best weights), as
        ``bplib.figures.monitor.TrainingMonitor`` is.
    schedule : Schedule from ``bplib.schedules``, optional
        Sets ``optimizer.lr = schedule.lr(t, base_lr)`` before every epoch t (or, if
        ``schedule.every == "step"``, before every step t, counted over all epochs),
        where ``base_lr`` is the optimizer's ``lr`` when ``fit`` starts; the history
        then holds "lr", the rate of each epoch's first step. The optimizer keeps the
        last rate afterwards, as PyTorch's schedulers leave it.

    Notes
    -----
    The logged "loss" is the average over the epoch's batches as computed during the
    epoch (before each step; for full-batch training, the value at the start of the
    epoch). Training metrics are those of ``net.predict_classes(X)`` at the end of the
    epoch. A loss that becomes NaN or infinite stops training with a ValueError naming
    the epoch and step.
    """
    where = "Sequential.fit"
    loss_fn = net.loss_fn
    if loss_fn is None:
        raise ValueError(f"{where}: the network has no loss; create it with "
                         "Sequential(layers, loss=...) (e.g. loss='mse')")
    X, y = _checked_pair(net, X, y, where, ("X", "y"))
    epochs = positive_int(epochs, "epochs", where=where)
    optimizer = get_optimizer(optimizer)
    n = X.shape[0]
    batch_size = n if batch_size is None else min(
        positive_int(batch_size, "batch_size", where=where), n)
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError(f"{where}: validation_data must be a pair (X_val, y_val)")
        validation_data = _checked_pair(net, *validation_data, where, ("X_val", "y_val"))
    if metrics is None:
        classifier = isinstance(loss_fn, (SoftmaxCrossEntropy, BinaryCrossEntropy))
        metrics = ("accuracy",) if classifier else ()
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
    clip_fn = _clipper(clip, where)
    if schedule is not None:
        schedule = get_schedule(schedule)
        base_lr = optimizer.lr
    rng = as_generator(seed, where=where)
    steps = -(-n // batch_size)          # batches per epoch, the last one maybe smaller

    # The data are checked; now the loop.
    params = net.trainable_params        # the arrays themselves, updated in place
    history, best_params, best, wait = History(), None, math.inf, 0
    monitor = "loss" if validation_data is None else "val_loss"
    net.stop_training = False
    for layer in net.layers:
        layer.training = True
    _tell(callbacks, "on_train_begin", net, epochs)
    for epoch in range(epochs):
        total = 0.0
        if schedule is not None and schedule.every == "epoch":
            optimizer.lr = schedule.lr(epoch, base_lr)
        epoch_lr = getattr(optimizer, "lr", None)
        batches = minibatches(X, y, batch_size, shuffle=shuffle, seed=rng)
        for step, (X_batch, y_batch) in enumerate(batches):
            if schedule is not None and schedule.every == "step":
                optimizer.lr = schedule.lr(epoch * steps + step, base_lr)
                epoch_lr = optimizer.lr if step == 0 else epoch_lr
            try:
                loss = net.loss(X_batch, y_batch, penalty=penalty)
            except NonFiniteError as exc:
                raise _diverged(epoch, epochs, step, steps, optimizer, where) from exc
            net.backward(penalty=penalty, need_input_grad=False)  # dL/dX of data: unused
            grads = net.grads
            optimizer.step(params, grads if clip_fn is None else clip_fn(grads))
            total += loss * X_batch.shape[0]
        logs = {"loss": total / n}
        if schedule is not None:
            logs["lr"] = epoch_lr
        if metric_fns:
            logs.update(_scores(metric_fns, y, net.predict_classes(X)))
        if validation_data is not None:
            X_val, y_val = validation_data
            out = net.predict(X_val)
            logs["val_loss"] = loss_fn.forward(out, y_val) + (
                0.0 if penalty is None else penalty.value(net.params))
            scores = _scores(metric_fns, y_val, class_labels(out))
            logs.update({"val_" + name: v for name, v in scores.items()})
        history.append(epoch, logs)
        for cb in callbacks:
            cb(net, epoch, dict(logs))
        if early_stopping is not None:
            if logs[monitor] < best:
                best, best_params, wait = logs[monitor], net.get_params(), 0
                history.best_epoch = epoch
            else:
                wait += 1
                if wait >= early_stopping:
                    history.stopped_epoch = epoch
                    break
        if net.stop_training:
            history.stopped_epoch = epoch
            break
    if best_params is not None:
        net.set_params(best_params)
    _tell(callbacks, "on_train_end", net, history)
    return history


def _tell(callbacks, hook, *args):
    """Call ``callback.<hook>(*args)`` for every callback that has that method."""
    for cb in callbacks:
        method = getattr(cb, hook, None)
        if callable(method):
            method(*args)


def _scores(metric_fns, y, predicted):
    """{name: metric(labels of y, predicted labels)} for each metric."""
    labels = class_labels(y)
    return {name: float(fn(labels, predicted)) for name, fn in metric_fns.items()}


def _widths(net):
    """(n_in, n_out) from the first and last layers with a weight matrix W."""
    Ws = [layer.params["W"] for layer in net.layers
          if "W" in layer.params and layer.params["W"].ndim == 2]
    return (Ws[0].shape[0], Ws[-1].shape[1]) if Ws else (None, None)


def _checked_pair(net, X, y, where, names):
    """Validate a training pair once, before the loop (clear errors, no NaN)."""
    if isinstance(X, np.ndarray) and X.ndim == 1:
        raise ValueError(f"{where}: expected {names[0]} of shape (N, n_in), got a 1-D "
                         f"array of shape {X.shape}; for one input feature use "
                         f"{names[0]}.reshape(-1, 1)")
    X = as_array(X, names[0], ndim=2, where=where)
    n_in, n_out = _widths(net)
    if n_in is not None and X.shape[1] != n_in:
        raise ValueError(f"{where}: {names[0]} has {X.shape[1]} columns but the first "
                         f"layer expects n_in={n_in}")
    return X, _check_targets(net.loss_fn, y, X.shape[0], n_out, where, names)


def _check_targets(loss_fn, y, n, n_out, where, names):
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


def _diverged(epoch, epochs, step, steps, optimizer, where):
    lr = getattr(optimizer, "lr", None)
    return ValueError(
        f"{where}: the loss became NaN or infinite in epoch {epoch + 1} of {epochs}, "
        f"step {step + 1} of {steps} (counting from 1): training diverged. Lower the "
        f"learning rate{'' if lr is None else f' (now lr={lr})'}, or clip the gradients "
        "(clip=('norm', 1.0)), and check that the inputs are scaled.")
