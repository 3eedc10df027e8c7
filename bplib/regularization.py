"""Weight penalties (L1, L2) and gradient clipping (by value, by global norm).

A penalty adds a term to the loss and its gradient to the weights' gradients. It
applies to weights only, i.e. parameters named ``"W"`` or ending in ``".W"``
(``"dense0.W"``); biases are not penalised. ``value(params)`` is the term added to the
reported loss; ``grad(params)`` returns a dict holding only the penalised names.

L2 (weight decay through the loss):  R = (λ/2) Σ w²,   ∂R/∂w = λ w
L1 (sparsity):                       R = λ Σ abs(w),   ∂R/∂w = λ sign(w)   (0 at w = 0)

Decoupled weight decay (AdamW, SGD's ``weight_decay``) belongs to the optimizers.
"""

from __future__ import annotations

import numpy as np

from bplib._validate import real_number

__all__ = ["L1", "L2", "soft_threshold", "clip_by_value", "clip_by_global_norm"]


def _is_weight(name: str) -> bool:
    return name == "W" or name.endswith(".W")


def _check_dict(d, what, where):
    if not isinstance(d, dict):
        raise TypeError(f"{where}: expected {what} as a dict of name -> ndarray, "
                        f"got {type(d).__name__}")
    for k, v in d.items():
        if not isinstance(v, np.ndarray):
            raise TypeError(f"{where}: expected {what}[{k!r}] to be an ndarray, "
                            f"got {type(v).__name__}")
    return d


class _Penalty:
    def __init__(self, lam):
        self.lam = real_number(lam, "lam", where=f"{type(self).__name__}", low=0)

    def _weights(self, params, method):
        where = f"{type(self).__name__}.{method}"
        return {k: v for k, v in _check_dict(params, "params", where).items()
                if _is_weight(k)}

    def __repr__(self):
        return f"{type(self).__name__}(lam={self.lam})"


class L2(_Penalty):
    """L2 penalty R = (λ/2) Σ w² over all weights; gradient λ w.

    Parameters
    ----------
    lam : float >= 0
        Strength λ.
    """

    def value(self, params) -> float:
        """R = (λ/2) Σ_weights Σ w²."""
        ws = self._weights(params, "value")
        return 0.5 * self.lam * sum(float(np.vdot(w, w)) for w in ws.values())

    def grad(self, params) -> dict:
        """∂R/∂w = λ w, for each weight name (same shape as the weight)."""
        return {k: self.lam * w for k, w in self._weights(params, "grad").items()}


class L1(_Penalty):
    """L1 penalty R = λ Σ abs(w) over all weights; (sub)gradient λ sign(w).

    Parameters
    ----------
    lam : float >= 0
        Strength λ.
    """

    def value(self, params) -> float:
        """R = λ Σ_weights Σ abs(w)."""
        ws = self._weights(params, "value")
        return self.lam * sum(float(np.abs(w).sum()) for w in ws.values())

    def grad(self, params) -> dict:
        """∂R/∂w = λ sign(w) (taking 0 at w = 0), for each weight name."""
        return {k: self.lam * np.sign(w) for k, w in self._weights(params, "grad").items()}


def soft_threshold(W, t):
    """The L1 step that lands on zero: sign(w) max(abs(w) - t, 0), entry by entry.

    After a gradient step on the data loss alone, this is the exact minimiser of
    ``t Σ abs(w) + ½ Σ (w - W)²`` (the "proximal" step of an L1 penalty λ with
    learning rate η, t = η λ), eq. (ch11-soft-threshold). Entries with abs(w) <= t
    become exactly 0; the others move t towards 0. Returns a new array.

    Parameters
    ----------
    W : ndarray
    t : float >= 0
    """
    where = "soft_threshold"
    if not isinstance(W, np.ndarray):
        raise TypeError(f"{where}: expected W to be an ndarray, got {type(W).__name__}")
    t = real_number(t, "t", where=where, low=0)
    return np.sign(W) * np.maximum(np.abs(W) - t, 0.0) + 0.0   # + 0.0: no -0.0


def clip_by_value(grads, c) -> dict:
    """Clip every gradient entry into [-c, c]; returns a new dict of new arrays.

    Parameters
    ----------
    grads : dict[str, ndarray]
    c : float > 0
    """
    where = "clip_by_value"
    c = real_number(c, "c", where=where, low=0, low_open=True)
    return {k: np.clip(g, -c, c) for k, g in _check_dict(grads, "grads", where).items()}


def clip_by_global_norm(grads, max_norm):
    """Rescale all gradients together so their global L2 norm is at most ``max_norm``.

    Same rule as ``torch.nn.utils.clip_grad_norm_``: with
    ``total = sqrt(Σ_all g²)`` over every array, each gradient is multiplied by
    ``min(1, max_norm / (total + 1e-6))``, so directions are kept.

    Parameters
    ----------
    grads : dict[str, ndarray]
    max_norm : float > 0

    Returns
    -------
    (dict, float)
        The clipped gradients (new arrays when scaled, the same arrays otherwise) and
        the total norm *before* clipping.

    Raises
    ------
    ValueError
        If the total norm is NaN or infinite (naming the offending gradient): a
        diverging run should stop, not be silently clipped into NaN.
    """
    where = "clip_by_global_norm"
    max_norm = real_number(max_norm, "max_norm", where=where, low=0, low_open=True)
    grads = _check_dict(grads, "grads", where)
    total = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
    if not np.isfinite(total):
        bad = [k for k, g in grads.items() if not np.isfinite(g).all()] or ["(overflow)"]
        raise ValueError(f"{where}: expected finite gradients, but the total norm is "
                         f"{total} (non-finite in {', '.join(bad)}); try a lower lr")
    coef = max_norm / (total + 1e-6)
    if coef >= 1.0:
        return dict(grads), total
    return {k: g * g.dtype.type(coef) for k, g in grads.items()}, total
