"""Optimizers: turn gradients into parameter updates.

Every optimizer has one method, ``step(params, grads)``: both are dicts keyed by
parameter name (``"dense0.W"``, ...), and each parameter array is updated **in
place**. Per-parameter state (momentum buffers, running averages, step counts) is
kept by that name, so the same optimizer must always see the same names.

The update rules and defaults are those of ``torch.optim`` (SGD, Adagrad, RMSprop,
Adam, AdamW), so the same initial weights and gradients give the same numbers in
both; ``tests/test_optimizers.py`` checks this against numbers produced by PyTorch.
In the equations below g is the gradient, θ the parameter, η the learning rate
``lr`` and t the step count of that parameter (1 on the first step). Each rule is the
gradient step of Chapter 2, eq. (ch02-update), θ ← θ − η g, with g replaced by a
running combination of past gradients; Chapter 9 derives them, and
``bplib.schedules`` changes η from epoch to epoch.
"""

from __future__ import annotations

import math

import numpy as np

from bplib._validate import real_number

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "get_optimizer"]


class Optimizer:
    """Base class: validates the (params, grads) pair and keeps state by name.

    Subclasses implement ``_update(name, p, g)``, which changes ``p`` in place.
    """

    def __init__(self, lr):
        self.lr = real_number(lr, "lr", where=type(self).__name__, low=0, low_open=True)
        self.state: dict[str, dict] = {}

    def step(self, params, grads):
        """Update every array in ``params`` in place from ``grads[name]``.

        Parameters
        ----------
        params : dict[str, ndarray]
            Parameters to update (e.g. ``net.trainable_params``).
        grads : dict[str, ndarray]
            Gradients with the same names and shapes (e.g. ``net.grads``).
        """
        update = self._update
        for name, p in params.items():
            try:
                g = grads[name]
            except KeyError:
                raise ValueError(
                    f"{type(self).__name__}.step: no gradient for parameter {name!r}; "
                    f"gradients were given for {sorted(grads)}") from None
            if g.shape != p.shape:
                raise ValueError(
                    f"{type(self).__name__}.step: gradient for {name!r} has shape "
                    f"{g.shape}, expected the parameter's shape {p.shape}")
            update(name, p, g)

    def _state(self, name, p, *keys):
        """The state dict of parameter ``name``: a step count and zeroed buffers."""
        s = self.state.get(name)
        if s is None:
            s = {"step": 0}
            for key in keys:
                s[key] = np.zeros_like(p)
            self.state[name] = s
        s["step"] += 1
        return s

    def reset(self):
        """Forget all state (momentum, running averages, step counts)."""
        self.state.clear()

    def _update(self, name, p, g):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "state")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (torch.optim.SGD),
    eqs. (ch09-momentum) and (ch09-nesterov).

    With weight decay λ (coupled: added to the gradient, the L2 form) and momentum μ::

        g ← g + λ θ
        b ← μ b + g                (b starts at 0, so b = g on the first step)
        g ← g + μ b  (Nesterov)    or   g ← b  (classic momentum)
        θ ← θ − η g

    With ``momentum=0`` this is plain gradient descent θ ← θ − η g (Chapter 2,
    eq. (ch02-update)), which keeps no state; with momentum, ``state[name]`` holds
    the step count and the buffer b ("momentum_buffer"), as for every optimizer.
    The default ``lr=0.001`` is PyTorch's; pass the learning rate you mean.
    """

    def __init__(self, lr=0.001, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(lr)
        self.momentum = real_number(momentum, "momentum", where="SGD", low=0)
        self.nesterov = bool(nesterov)
        self.weight_decay = real_number(weight_decay, "weight_decay", where="SGD", low=0)
        if self.nesterov and self.momentum == 0.0:
            raise ValueError("SGD: nesterov=True needs momentum > 0, got momentum=0")

    def _update(self, name, p, g):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            buf = self._state(name, p, "momentum_buffer")["momentum_buffer"]
            buf *= self.momentum              # b ← μ b + g; b starts at 0, so b = g first
            buf += g
            g = g + self.momentum * buf if self.nesterov else buf
        p -= self.lr * g


class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad with its defaults), eq. (ch09-adagrad).

    The step of eq. (ch02-update), each entry scaled by its history::

        G ← G + g²
        θ ← θ − η g / (√G + ε)
    """

    def __init__(self, lr=0.01, eps=1e-10):
        super().__init__(lr)
        self.eps = real_number(eps, "eps", where="Adagrad", low=0)

    def _update(self, name, p, g):
        s = self._state(name, p, "sum")
        s["sum"] += g * g
        p -= self.lr * g / (np.sqrt(s["sum"]) + self.eps)


class RMSprop(Optimizer):
    """RMSprop (torch.optim.RMSprop), eq. (ch09-rmsprop).

    The step of eq. (ch02-update), scaled by a running mean of g²::

        v ← α v + (1 − α) g²
        θ ← θ − η g / (√v + ε)                       (momentum = 0)
        b ← μ b + g / (√v + ε);  θ ← θ − η b         (momentum μ > 0)

    ``centered=True`` also keeps the running mean of g, m ← α m + (1 − α) g, and
    divides by √(v − m²) + ε, an estimate of the standard deviation of g.
    """

    def __init__(self, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0, centered=False):
        super().__init__(lr)
        self.alpha = real_number(alpha, "alpha", where="RMSprop", low=0, high=1, high_open=True)
        self.eps = real_number(eps, "eps", where="RMSprop", low=0)
        self.momentum = real_number(momentum, "momentum", where="RMSprop", low=0)
        self.centered = bool(centered)

    def _update(self, name, p, g):
        s = self._state(name, p, "square_avg", "momentum_buffer",
                        *(("grad_avg",) if self.centered else ()))
        v = s["square_avg"]
        v *= self.alpha
        v += (1.0 - self.alpha) * (g * g)
        if self.centered:
            m = s["grad_avg"]
            m *= self.alpha
            m += (1.0 - self.alpha) * g
            step = g / (np.sqrt(v - m * m) + self.eps)
        else:
            step = g / (np.sqrt(v) + self.eps)
        if self.momentum:
            buf = s["momentum_buffer"]
            buf *= self.momentum
            buf += step
            step = buf
        p -= self.lr * step


class Adam(Optimizer):
    """Adam (torch.optim.Adam; ``weight_decay`` is the coupled L2 form), eq. (ch09-adam).

    The step of eq. (ch02-update) with running means of g and g²::

        g ← g + λ θ
        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        θ ← θ − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)

    The factors 1/(1 − β₁ᵗ) and 1/(1 − β₂ᵗ) are the bias corrections of m and v.
    ``amsgrad=True`` (Reddi et al., 2018) divides by the largest v seen so far,
    v_max ← max(v_max, v), instead of v, so that an entry's step does not grow back as
    a burst of large gradients fades from v (only the bias correction still changes it).
    """

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):
        super().__init__(lr)
        name = type(self).__name__
        try:
            beta1, beta2 = betas
        except (TypeError, ValueError):
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}") from None
        self.betas = (real_number(beta1, "beta1", where=name, low=0, high=1, high_open=True),
                      real_number(beta2, "beta2", where=name, low=0, high=1, high_open=True))
        self.eps = real_number(eps, "eps", where=name, low=0)
        self.weight_decay = real_number(weight_decay, "weight_decay", where=name, low=0)
        self.amsgrad = bool(amsgrad)

    def _decay(self, p, g):
        """Coupled weight decay: add λ θ to the gradient (L2 penalty)."""
        return g + self.weight_decay * p if self.weight_decay else g

    def _update(self, name, p, g):
        g = self._decay(p, g)
        beta1, beta2 = self.betas
        s = self._state(name, p, "exp_avg", "exp_avg_sq",
                        *(("max_exp_avg_sq",) if self.amsgrad else ()))
        t = s["step"]
        m, v = s["exp_avg"], s["exp_avg_sq"]
        m *= beta1
        m += (1.0 - beta1) * g
        v *= beta2
        v += (1.0 - beta2) * (g * g)
        if self.amsgrad:
            np.maximum(s["max_exp_avg_sq"], v, out=s["max_exp_avg_sq"])
            v = s["max_exp_avg_sq"]
        step_size = self.lr / (1.0 - beta1 ** t)
        denom = np.sqrt(v) / math.sqrt(1.0 - beta2 ** t) + self.eps
        p -= step_size * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (torch.optim.AdamW), eq. (ch09-adamw).

    The step of eq. (ch02-update) as in Adam, and::

        θ ← θ − η λ θ        (decay applied to the weights, not to the gradient)
        then the Adam update above with the undecayed g.

    Unlike an L2 penalty, the decay is not scaled by Adam's per-parameter step size.
    """

    def __init__(self, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
                 amsgrad=False):
        super().__init__(lr, betas, eps, weight_decay, amsgrad)

    def _decay(self, p, g):
        if self.weight_decay:
            p *= 1.0 - self.lr * self.weight_decay
        return g


_OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW}


def get_optimizer(name, **kwargs):
    """Build an optimizer from its name ("sgd", "adagrad", "rmsprop", "adam", "adamw").

    ``kwargs`` go to its constructor (``get_optimizer("sgd", lr=0.1)``). An optimizer
    object (anything with a ``step(params, grads)`` method) is passed through unchanged.
    """
    if callable(getattr(name, "step", None)):
        return name
    if not isinstance(name, str):
        raise TypeError("get_optimizer: expected an optimizer name (e.g. 'sgd') or an "
                        "optimizer with a step(params, grads) method, got "
                        f"{type(name).__name__} {name!r}"[:200])
    try:
        cls = _OPTIMIZERS[name.lower()]
    except KeyError:
        raise ValueError(f"get_optimizer: unknown optimizer {name!r}; "
                         f"choose one of {sorted(_OPTIMIZERS)}") from None
    return cls(**kwargs)
