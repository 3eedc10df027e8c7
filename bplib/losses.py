"""Losses: a value ``forward(y_hat, y) -> float`` and its gradient ``backward()``.

Every loss caches what its gradient needs in ``forward``; ``backward()`` returns
∂L/∂y_hat with the shape of ``y_hat`` (a new array each call). Calling ``backward``
before ``forward`` raises a ``RuntimeError``. Inputs are tested for NaN and infinity
(with the same checks as the layers), labels for their range.

=================================  ====================================  ======================
class (``get_loss`` name)          value L                               gradient ∂L/∂ŷ
=================================  ====================================  ======================
``MSE`` ("mse")                    mean over all M entries of (ŷ-y)²     2 (ŷ - y) / M
``HalfSSE`` ("half_sse")           ½ Σ (ŷ - y)² over everything          ŷ - y
``BinaryCrossEntropy``             -mean[y log ŷ + (1-y) log(1-ŷ)]       (ŷ - y) / (ŷ(1-ŷ) M)
("bce")
``SoftmaxCrossEntropy``            mean over rows of -log softmax(z)_y   (softmax(z) - y) / N
("softmax_ce")
``BinaryCrossEntropyWithLogits``   mean of softplus(z) - y z, on         (σ(z) - y) / M
("bce_logits")                     logits z: sigmoid and BCE fused
=================================  ====================================  ======================
"""

from __future__ import annotations

import numpy as np

from bplib._validate import Checked, as_array, check_name
from bplib.activations import sigmoid

__all__ = ["Loss", "MSE", "HalfSSE", "BinaryCrossEntropy", "BinaryCrossEntropyWithLogits",
           "SoftmaxCrossEntropy", "get_loss"]


class Loss(Checked):
    """Base class: ``forward(y_hat, y) -> float``, ``backward() -> ∂L/∂y_hat``."""

    @property
    def _name(self) -> str:
        return type(self).__name__

    def _pair(self, y_hat, y):
        """Validate a prediction/target pair of the same shape.

        Targets of shape (N,) are accepted for predictions of shape (N, 1) (one output
        column), and are cast to the predictions' dtype.
        """
        where = f"{self._name}.forward"
        y_hat, y = self._checked(y_hat, "y_hat"), self._checked(y, "y")
        if y.shape != y_hat.shape:
            if y.ndim == 1 and y_hat.shape == (y.shape[0], 1):
                y = y.reshape(-1, 1)  # targets (N,) for one output column (N, 1)
            else:
                raise ValueError(f"{where}: expected y of the same shape as y_hat "
                                 f"{y_hat.shape}, got {y.shape}")
        if y_hat.size == 0:
            raise ValueError(f"{where}: expected at least one sample, got y_hat of "
                             f"shape {y_hat.shape}")
        return y_hat, y.astype(y_hat.dtype, copy=False)  # float32 ŷ: float32 gradient

    def forward(self, y_hat, y) -> float:
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError

    def __call__(self, y_hat, y) -> float:
        return self.forward(y_hat, y)

    def __repr__(self):
        return f"{self._name}()"


class MSE(Loss):
    """Mean squared error over all entries (like ``torch.nn.MSELoss()``).

    L = (1/M) Σ (ŷ - y)², M = number of entries of ŷ (N for one output, N·K for K).
    """

    def forward(self, y_hat, y) -> float:
        y_hat, y = self._pair(y_hat, y)
        r = y_hat - y
        self._cache = r
        return float(np.vdot(r, r)) / r.size

    def backward(self):
        """∂L/∂ŷ = 2 (ŷ - y) / M: the factor of eq. (ch02-mean-grad) before x_i."""
        r = self._cached()
        return r * r.dtype.type(2.0 / r.size)


class HalfSSE(Loss):
    """Half the sum of squared errors, E = ½ Σ (y - ŷ)² over every entry.

    The error of the classic worked example: not divided by N, and the ½ cancels the
    2 of the derivative, so ∂E/∂ŷ = ŷ - y exactly.
    """

    def forward(self, y_hat, y) -> float:
        y_hat, y = self._pair(y_hat, y)
        r = y_hat - y
        self._cache = r
        return 0.5 * float(np.vdot(r, r))

    def backward(self):
        """∂E/∂ŷ = ŷ - y for E of eq. (ch03-classic-error), the (y - t) of eq. (ch04-delta)."""
        return self._cached().copy()


class BinaryCrossEntropy(Loss):
    """Binary cross-entropy on probabilities ŷ in [0, 1] (like ``torch.nn.BCELoss()``).

    L = -(1/M) Σ [y log ŷ + (1 - y) log(1 - ŷ)], targets y in [0, 1]. As in PyTorch,
    each log is clamped at -100, so ŷ of exactly 0 or 1 gives a finite loss; the
    gradient's denominator is clamped at 1e-12. Both clamps make the gradient of a
    confidently wrong sigmoid output vanish (Chapter 7): for logits, prefer a network
    ending in a linear layer with ``BinaryCrossEntropyWithLogits``.
    """

    def forward(self, y_hat, y) -> float:
        y_hat, y = self._pair(y_hat, y)
        where = f"{self._name}.forward"
        for name, v in (("y_hat", y_hat), ("y", y)):
            lo, hi = v.min().item(), v.max().item()
            if lo < 0 or hi > 1:
                raise ValueError(f"{where}: expected {name} to hold probabilities in "
                                 f"[0, 1], got values from {lo!r} to {hi!r}")
        floor = y_hat.dtype.type(np.exp(-100.0))  # log(floor) = -100, PyTorch's clamp
        log_p = np.log(np.maximum(y_hat, floor))
        log_q = np.log(np.maximum(1 - y_hat, floor))
        self._cache = (y_hat, y)
        return -float(np.vdot(y, log_p) + np.vdot(1 - y, log_q)) / y.size

    def backward(self):
        """∂L/∂ŷ = (ŷ - y) / (ŷ (1 - ŷ) M), denominator clamped at 1e-12.

        After a ``Sigmoid`` layer the ŷ (1 - ŷ) cancels against σ' of eq.
        (ch03-sigmoid-prime), leaving ∂L/∂z = (ŷ - y) / M.
        """
        y_hat, y = self._cached()
        denom = np.maximum(y_hat * (1 - y_hat), y_hat.dtype.type(1e-12))
        denom *= y.size
        return (y_hat - y) / denom


class BinaryCrossEntropyWithLogits(Loss):
    """Sigmoid and binary cross-entropy fused, on logits z (like
    ``torch.nn.BCEWithLogitsLoss()``); the mean over all M entries.

    With ŷ = σ(z), -[y log ŷ + (1 - y) log(1 - ŷ)] = softplus(z) - y z, eq.
    (ch07-bce-logits), and softplus(z) = log(1 + e^z) is computed as
    max(z, 0) + log1p(e^(-abs(z))), so no exponential ever overflows:

        L = (1/M) Σ [max(z, 0) - y z + log(1 + e^(-abs(z)))],   targets y in [0, 1].

    No log is clamped, so the loss of a confidently wrong logit grows like abs(z) and
    its gradient stays (σ(z) - y) / M, eq. (ch07-bce-logits-grad). Do not put a
    ``Sigmoid`` layer before this loss; take ``sigmoid`` of the output for probabilities.
    The network's outputs are logits, so the predicted class is ``net.predict(X) > 0``
    (``predict_classes`` thresholds outputs at 0.5, which suits probabilities).
    """

    def forward(self, y_hat, y) -> float:
        z, y = self._pair(y_hat, y)
        lo, hi = y.min().item(), y.max().item()
        if lo < 0 or hi > 1:
            raise ValueError(f"{self._name}.forward: expected y to hold targets in [0, 1], "
                             f"got values from {lo!r} to {hi!r}")
        # softplus(z) - y z, with max(z, 0) - y z first: exact when y z cancels max(z, 0)
        per_entry = (np.maximum(z, 0) - y * z) + np.log1p(np.exp(-np.abs(z)))
        self._cache = (sigmoid(z), y)
        return float(per_entry.sum()) / z.size

    def backward(self):
        """∂L/∂z = (σ(z) - y) / M, eq. (ch07-bce-logits-grad): σ' has cancelled."""
        y_hat, y = self._cached()
        return (y_hat - y) * y_hat.dtype.type(1.0 / y.size)


class SoftmaxCrossEntropy(Loss):
    """Softmax and cross-entropy fused, from logits z (N, K); mean over the batch.

    L = (1/N) Σ_n [log Σ_k exp(z_nk) - z_n,y_n] = -(1/N) Σ_n log softmax(z_n)_{y_n}.

    Targets y: integer labels of shape (N,) in [0, K), or rows of shape (N, K) that are
    one-hot (or any probability distributions). Fusing the two steps gives the famous
    gradient, with ŷ = softmax(z):

        ∂L/∂z = (ŷ - y) / N       (y one-hot; the 1/N comes from the batch mean)

    It is computed with the log-sum-exp shift (z - max z), so logits of ±1000 give a
    finite loss and gradient. Do not put a ``Softmax`` layer before this loss.
    """

    def forward(self, y_hat, y) -> float:
        where = f"{self._name}.forward"
        z = self._checked(y_hat, "logits", ndim=2)
        N, K = z.shape
        if N == 0 or K == 0:
            raise ValueError(f"{where}: expected logits of shape (N, K) with N, K >= 1, "
                             f"got {z.shape}")
        y = _targets(y, N, K, where)       # flat indices n*K + y_n, or rows (N, K)
        if y.ndim == 2:
            y = y.astype(z.dtype, copy=False)
        shifted = z - z.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        s = p.sum(axis=1, keepdims=True)
        p /= s                             # p = ŷ = softmax(z), rows sum to 1
        log_s = np.log(s, out=s)           # log Σ_k exp(z_nk - max_k z_nk), (N, 1)
        if y.ndim == 1:                    # labels: L = mean(log s_n - shifted_n,y_n)
            loss = float(log_s.sum() - shifted.take(y).sum()) / N
        else:                              # rows: L = mean(log s_n - y_n · shifted_n)
            loss = float(log_s[:, 0] @ y.sum(axis=1) - np.vdot(y, shifted)) / N
        self._cache = (p, y)
        return loss

    def backward(self):
        """∂L/∂z = (ŷ - y) / N, ŷ = softmax(z): the fused softmax-cross-entropy gradient.

        The softmax Jacobian, eq. (ch03-softmax-jacobian), times ∂L/∂ŷ = -y/ŷ (the
        chain rule, eq. (ch04-chain)) collapses to ŷ - y per row.
        """
        p, y = self._cached()
        inv_n = p.dtype.type(1.0 / p.shape[0])
        if y.ndim == 1:                    # y holds the flat positions of the 1s
            grad = p * inv_n
            grad.ravel()[y] -= inv_n
            return grad
        return (p - y) * inv_n


def _targets(y, N, K, where):
    """Validate class targets; return flat indices n*K + y_n (labels) or rows (N, K)."""
    if not (isinstance(y, np.ndarray) and y.dtype.kind in "iu" and y.ndim == 1):
        y = as_array(y, "y", ndim=(1, 2), where=where)
        if y.ndim == 2:
            if y.shape != (N, K):
                raise ValueError(f"{where}: expected one-hot y of shape (N, K) = "
                                 f"{(N, K)} like the logits, got {y.shape}")
            if y.min() < 0 or np.abs(y.sum(axis=1) - 1).max() > 1e-6:
                raise ValueError(f"{where}: expected each row of y (N, K) to be one-hot "
                                 "(non-negative, summing to 1)")
            return y
        if not np.array_equal(y, np.round(y)):
            raise ValueError(f"{where}: expected integer class labels in y (N,), got "
                             f"non-integer values such as {y[y != np.round(y)][0].item()!r}")
        y = y.astype(np.intp)
    if y.shape != (N,):
        raise ValueError(f"{where}: expected labels y of shape (N,) = ({N},) to match "
                         f"logits of shape {(N, K)}, got {y.shape}")
    try:  # raises for any label outside [0, K), negative ones included
        return np.ravel_multi_index((np.arange(N), y), (N, K))
    except ValueError:
        raise ValueError(f"{where}: expected labels in [0, {K}) for {K} classes, got "
                         f"values from {y.min()} to {y.max()}") from None


_LOSSES = {"mse": MSE, "half_sse": HalfSSE, "bce": BinaryCrossEntropy,
           "bce_logits": BinaryCrossEntropyWithLogits, "softmax_ce": SoftmaxCrossEntropy}


def get_loss(name):
    """Return a new loss by name: "mse", "half_sse", "bce", "bce_logits" or "softmax_ce".

    A ``Loss`` instance is passed through unchanged.
    """
    if isinstance(name, Loss):
        return name
    return _LOSSES[check_name(name, tuple(_LOSSES), what="loss", where="get_loss")]()
