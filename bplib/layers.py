"""Layers: the ``Layer`` contract, the dense (affine) layer and inverted dropout.

Batches are rows: an input ``X`` has shape ``(N, n_in)``. Every layer follows one
contract:

* ``forward(X)`` checks ``X``, computes the output and caches exactly what
  ``backward`` needs (references, not copies);
* ``backward(grad_out)`` takes ∂L/∂(output), reads the cache (it never recomputes the
  forward pass), **overwrites** ``grads`` (keyed like ``params``: one backward, one set
  of gradients; nothing accumulates) and returns ∂L/∂X;
* calling ``backward`` before any ``forward`` raises a ``RuntimeError``.

A caller with no use for ∂L/∂X (a network, for its first layer, whose input is the
data) passes ``backward(grad_out, need_input_grad=False)``; a layer may then skip
that product and return ``None`` (``Dense`` does).
"""

from __future__ import annotations

import numpy as np

from bplib._validate import Checked, as_array, as_generator, positive_int, real_number
from bplib.initializers import get_initializer

__all__ = ["Layer", "Dense", "Dropout"]


class Layer(Checked):
    """Base class of every layer.

    Attributes
    ----------
    name : str or None
        The name given, or ``None`` (a network then calls it by kind and position,
        e.g. ``"dense0"``, without changing this attribute).
    params : dict[str, ndarray]
        Parameters by name (``"W"``, ``"b"``); empty for activations.
    grads : dict[str, ndarray]
        ∂L/∂param, same keys and shapes as ``params``; overwritten by ``backward``.
    trainable : set[str]
        The parameter names an optimizer may update.
    training : bool
        ``True`` while training; ``False`` at prediction time (matters for Dropout).
    """

    def __init__(self, name=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: expected name to be a str or None, "
                            f"got {type(name).__name__}")
        self.name = name
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.trainable: set[str] = set()
        self.training = True

    def _where(self, method: str) -> str:
        """How error messages name this layer, e.g. ``"Dense('out').forward"``."""
        label = type(self).__name__ if self.name is None else \
            f"{type(self).__name__}({self.name!r})"
        return f"{label}.{method}"

    def _grad_out(self, grad_out, shape):
        """``grad_out`` as a float ndarray of ``shape`` (that of the last output)."""
        if type(grad_out) is not np.ndarray or grad_out.dtype.kind != "f":
            grad_out = as_array(grad_out, "grad_out", where=self._where("backward"))
        if grad_out.shape != shape:
            raise ValueError(f"{self._where('backward')}: expected grad_out of shape "
                             f"{shape} (the shape of the last forward output), "
                             f"got {grad_out.shape}")
        return grad_out

    def forward(self, X):
        """Compute the output for a batch ``X``; cache what ``backward`` needs."""
        raise NotImplementedError(f"{type(self).__name__} does not implement forward()")

    def backward(self, grad_out, need_input_grad=True):
        """Given ∂L/∂output, fill ``grads`` and return ∂L/∂X.

        With ``need_input_grad=False`` the layer may return ``None`` instead of ∂L/∂X.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement backward()")

    def __call__(self, X):
        return self.forward(X)

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class Dense(Layer):
    """Fully connected (affine) layer: ``Z = X W + b``, eq. (ch03-batch).

    Shapes: X (N, n_in) -> Z (N, n_out). Z, dX and the gradients have the dtype numpy
    gives the products (float32 only when X and W both are).

    Parameters
    ----------
    n_in, n_out : int
        Input and output widths: ``W`` has shape (n_in, n_out), ``b`` shape (n_out,).
    init : {"xavier", "he", "small"} or callable, default "xavier"
        Initialiser for ``W`` (see ``bplib.initializers``); ``b`` starts at zero.
    seed : int or numpy.random.Generator, default 0
        Randomness for ``init``; the same int gives bit-identical weights.
    W, b : array_like, optional
        Explicit starting values (copied), e.g. the classic worked example's numbers.
    dtype : numpy float dtype, optional
        The dtype of ``W`` and ``b``: float64 by default (or that of an explicit float
        ``W``); ``np.float32`` for a float32 network, which with float32 data
        computes in float32 end to end.
    train_bias : bool, default True
        If False, ``"b"`` is left out of ``trainable`` (optimizers do not update it);
        its gradient is still computed.
    name : str, optional
    """

    def __init__(self, n_in, n_out, *, init="xavier", seed=0, W=None, b=None,
                 dtype=None, train_bias=True, name=None):
        super().__init__(name)
        where = self._where("__init__")
        n_in = positive_int(n_in, "n_in", where=where)
        n_out = positive_int(n_out, "n_out", where=where)
        what = "W"
        if W is None:
            W, what = get_initializer(init)((n_in, n_out), seed), "W from init"
        W = as_array(W, what, ndim=2, where=where)
        if dtype is None:
            dtype = W.dtype if W.dtype in (np.float32, np.float64) else np.float64
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise TypeError(f"{where}: expected dtype float64 or float32, got {dtype!r}")
        W = np.array(W, dtype=dtype)  # a copy of our own
        if W.shape != (n_in, n_out):
            raise ValueError(f"{where}: expected {what} of shape (n_in, n_out) = "
                             f"{(n_in, n_out)}, got {W.shape}")
        if b is None:
            b = np.zeros(n_out, dtype=dtype)
        else:
            b = np.array(as_array(b, "b", ndim=1, where=where), dtype=dtype)
            if b.shape != (n_out,):
                raise ValueError(f"{where}: expected b of shape (n_out,) = ({n_out},), "
                                 f"got {b.shape}")
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self.trainable = {"W", "b"} if train_bias else {"W"}

    @property
    def n_in(self) -> int:
        return self.params["W"].shape[0]

    @property
    def n_out(self) -> int:
        return self.params["W"].shape[1]

    def forward(self, X):
        """Z = X W + b, eq. (ch03-batch): X (N, n_in) -> Z (N, n_out). Caches X."""
        W, b = self.params["W"], self.params["b"]
        X = self._checked(X, "X", ndim=2)
        if X.shape[1] != W.shape[0]:
            raise ValueError(f"{self._where('forward')}: expected X of shape "
                             f"(N, n_in={W.shape[0]}), got {X.shape}")
        self._cache = X
        Z = X @ W
        Z += b  # Z = X W + b, adding b in place: no second (N, n_out) array (bench_training)
        return Z

    def backward(self, grad_out, need_input_grad=True):
        """The chain rule through Z = X W + b, with δ = ∂E/∂Z of shape (N, n_out).

        For one neuron, eq. (ch04-neuron-grads) reads ∂E/∂w_i = δ x_i, ∂E/∂b = δ,
        ∂E/∂x_i = δ w_i. For a batch of N rows and n_out neurons, in matrices::

            dW = Xᵀ δ       (n_in, n_out): eq. (ch05-gen-weights), input times delta
            db = Σ_n δ_n    (n_out,)     : eq. (ch05-gen-biases), the column sums of δ
            dX = δ Wᵀ       (N, n_in)    : the deltas sent back to the layer below, the
                                           first factor of eq. (ch05-gen-recursion)

        Returns dX, or None when ``need_input_grad`` is False (one product saved).
        """
        X = self._cached()
        W = self.params["W"]
        delta = self._grad_out(grad_out, (X.shape[0], W.shape[1]))
        self.grads["W"] = X.T @ delta
        self.grads["b"] = delta.sum(axis=0)
        return delta @ W.T if need_input_grad else None

    def __repr__(self):
        return f"Dense(n_in={self.n_in}, n_out={self.n_out}, name={self.name!r})"


class Dropout(Layer):
    """Inverted dropout: zero each unit with probability ``p``, scale the rest by 1/(1-p).

    While ``training`` is True, ``forward`` draws a mask M with entries 0 (probability
    p) or 1/(1-p) and returns ``X * M``, so the expected output equals X and prediction
    needs no rescaling. With ``training`` False (``predict``) it is the identity.

    Parameters
    ----------
    p : float in [0, 1)
        Probability of dropping a unit.
    seed : int or numpy.random.Generator, default 0
        The masks come from one generator made at construction, so the same seed gives
        the same sequence of masks.
    name : str, optional
    """

    def __init__(self, p, *, seed=0, name=None):
        super().__init__(name)
        self.p = real_number(p, "p", where=self._where("__init__"), low=0, high=1,
                             high_open=True)
        self._rng = as_generator(seed, where=self._where("__init__"))

    def forward(self, X):
        """X̃ = X ⊙ M (training) or X̃ = X (evaluation), eq. (ch11-dropout); X of any
        shape (N, ...)."""
        X = self._checked(X, "X")
        if not self.training or self.p == 0.0:
            self._cache = (None,)
            return X
        u = self._rng.random(X.shape, dtype=np.float32 if X.dtype == np.float32 else None)
        keep = u >= self.p
        mask = keep * X.dtype.type(1.0 / (1.0 - self.p))
        self._cache = (mask,)
        return X * mask

    def backward(self, grad_out, need_input_grad=True):
        """dX = grad_out ⊙ M, eq. (ch11-dropout-back): ``grad_out`` is ∂E/∂X̃; dropped
        units pass no gradient, kept ones are scaled by 1/(1-p).

        The local rule of eq. (ch04-local-rule) with ∂x̃/∂x = m for each entry.
        """
        (mask,) = self._cached()
        if mask is None:
            return grad_out
        return self._grad_out(grad_out, mask.shape) * mask

    def __repr__(self):
        return f"Dropout(p={self.p}, name={self.name!r})"
