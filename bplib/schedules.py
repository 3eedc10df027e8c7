"""Learning-rate schedules: the learning rate η as a function of the epoch (or step).

A schedule is a small object with one method, ``lr(t, base_lr)``: the learning rate
for epoch (or step) ``t``, counting from 0, when the optimizer was created with
``base_lr``. ``fit(..., schedule=...)`` consults it before every epoch (or, with
``every="step"``, before every mini-batch step) and sets ``optimizer.lr``; used by
hand it is one line per epoch::

    for epoch in range(epochs):
        optimizer.lr = schedule.lr(epoch, base_lr)
        ...train one epoch...

The rules and their defaults are those of ``torch.optim.lr_scheduler``: ``StepDecay``
is ``StepLR``, ``Cosine`` is ``CosineAnnealingLR``, ``Warmup`` is ``LinearLR``
(followed, with ``then=``, by another schedule, as ``SequentialLR`` does), so the same
settings give the same learning rates; ``tests/test_schedules.py`` checks this against
numbers produced by PyTorch. PyTorch computes them step by step (each from the one
before); these are the closed forms, equal to rounding.
"""

from __future__ import annotations

import math
import numbers

from bplib._validate import positive_int, real_number

__all__ = ["Schedule", "Constant", "StepDecay", "Cosine", "Warmup", "get_schedule"]


def _epoch(t, where):
    """``t`` as a non-negative int (the epoch or step count, from 0)."""
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 0:
        raise ValueError(f"{where}: t must be a whole number >= 0 (the epoch or step, "
                         f"counting from 0), got {t!r}")
    return int(t)


class Schedule:
    """Base class: ``lr(t, base_lr) = base_lr * factor(t)``.

    ``every`` says what ``t`` counts when ``fit`` uses the schedule: ``"epoch"``
    (PyTorch's usual ``scheduler.step()`` once per epoch) or ``"step"`` (once per
    mini-batch step, as warm-up usually is). Subclasses implement ``factor(t)``.
    """

    def __init__(self, every="epoch"):
        if every not in ("epoch", "step"):
            raise ValueError(f"{type(self).__name__}: every must be 'epoch' or 'step', "
                             f"got {every!r}")
        self.every = every

    def factor(self, t):  # pragma: no cover - abstract
        raise NotImplementedError

    def lr(self, t, base_lr):
        """The learning rate of epoch (or step) ``t`` for the initial rate ``base_lr``."""
        where = f"{type(self).__name__}.lr"
        t = _epoch(t, where)
        base_lr = real_number(base_lr, "base_lr", where=where, low=0, low_open=True)
        return base_lr * self.factor(t)

    def lrs(self, n, base_lr):
        """The learning rates of the first ``n`` epochs (or steps), as a list."""
        n = positive_int(n, "n", where=f"{type(self).__name__}.lrs")
        return [self.lr(t, base_lr) for t in range(n)]

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """The same learning rate throughout: η_t = η."""

    def factor(self, t):
        return 1.0


class StepDecay(Schedule):
    """Multiply η by ``gamma`` every ``step_size`` epochs (torch's ``StepLR``).

    The rate of epoch t::

        η_t = η · gamma^floor(t / step_size)
    """

    def __init__(self, step_size, gamma=0.1, every="epoch"):
        super().__init__(every)
        self.step_size = positive_int(step_size, "step_size", where="StepDecay")
        self.gamma = real_number(gamma, "gamma", where="StepDecay", low=0, low_open=True)

    def factor(self, t):
        return self.gamma ** (t // self.step_size)


class Cosine(Schedule):
    """Half a cosine from η down to ``eta_min`` over ``T_max`` epochs
    (torch's ``CosineAnnealingLR``)::

        η_t = eta_min + (η − eta_min) · (1 + cos(π t / T_max)) / 2

    At t = T_max it reaches ``eta_min``; past it the cosine rises again, as PyTorch's
    does (choose ``T_max`` = the number of epochs).
    """

    def __init__(self, T_max, eta_min=0.0, every="epoch"):
        super().__init__(every)
        self.T_max = positive_int(T_max, "T_max", where="Cosine")
        self.eta_min = real_number(eta_min, "eta_min", where="Cosine", low=0)

    def lr(self, t, base_lr):
        where = "Cosine.lr"
        t = _epoch(t, where)
        base_lr = real_number(base_lr, "base_lr", where=where, low=0, low_open=True)
        return self.eta_min + (base_lr - self.eta_min) * self.factor(t)

    def factor(self, t):
        """(1 + cos(π t / T_max)) / 2: the fraction of the way from eta_min to η."""
        return (1.0 + math.cos(math.pi * t / self.T_max)) / 2.0


class Warmup(Schedule):
    """Linear warm-up over ``warmup`` epochs (or steps), then ``then`` (torch's
    ``LinearLR``, and with ``then`` its ``SequentialLR(milestones=[warmup])``)::

        η_t = η · (start_factor + (1 − start_factor) · t / warmup)    for t < warmup
        η_t = then.lr(t − warmup, η)   (or η without ``then``)       for t >= warmup
    """

    def __init__(self, warmup, start_factor=1.0 / 3.0, then=None, every="epoch"):
        super().__init__(every)
        self.warmup = positive_int(warmup, "warmup", where="Warmup")
        self.start_factor = real_number(start_factor, "start_factor", where="Warmup",
                                        low=0, low_open=True, high=1)
        if then is not None and not isinstance(then, Schedule):
            raise TypeError("Warmup: then must be a Schedule (e.g. Cosine(T_max=10)) or "
                            f"None, got {type(then).__name__}")
        self.then = then

    def lr(self, t, base_lr):
        where = "Warmup.lr"
        t = _epoch(t, where)
        base_lr = real_number(base_lr, "base_lr", where=where, low=0, low_open=True)
        if t < self.warmup or self.then is None:
            return base_lr * self.factor(t)
        return self.then.lr(t - self.warmup, base_lr)

    def factor(self, t):
        """The warm-up's factor: from start_factor at t = 0 up to 1 at t = warmup."""
        if t >= self.warmup:
            return 1.0
        return self.start_factor + (1.0 - self.start_factor) * t / self.warmup


_SCHEDULES = {"constant": Constant, "step": StepDecay, "cosine": Cosine, "warmup": Warmup}


def get_schedule(schedule, **kwargs):
    """A schedule from its name ("constant", "step", "cosine", "warmup") and settings,
    e.g. ``get_schedule("cosine", T_max=10)``; a Schedule is passed through unchanged."""
    if isinstance(schedule, Schedule):
        return schedule
    if not isinstance(schedule, str):
        raise TypeError("get_schedule: expected a schedule name (e.g. 'cosine') or a "
                        f"Schedule, got {type(schedule).__name__} {schedule!r}"[:200])
    try:
        cls = _SCHEDULES[schedule.lower()]
    except KeyError:
        raise ValueError(f"get_schedule: unknown schedule {schedule!r}; choose one of "
                         f"{sorted(_SCHEDULES)}") from None
    return cls(**kwargs)
