"""Layers: the ``Layer`` contract, the dense (affine) layer and inverted dropout.

Batches are rows: an input ``X`` has shape ``(N, n_in)``. Every layer follows one
contract:

* ``forward(X)`` computes the output and caches exactly what ``backward`` needs
  (references, not copies);
* ``backward(grad_out)`` takes ∂L/∂(output), reads the cache (it never recomputes the
  forward pass), **overwrites** ``grads`` (keyed like ``params``: one backward, one set
  of gradients; nothing accumulates) and returns ∂L/∂X;
* calling ``backward`` before any ``forward`` raises a ``RuntimeError``.

Two switches serve speed inside a network, which knows more than a lone layer:
``input_grad = False`` (for the first layer, whose input is the data) skips ∂L/∂X and
makes backward return ``None``, saving a Dense layer one matrix product per step;
``check_input = False`` (for layers fed by other layers, or data validated once) skips
the per-call test that the input is finite. Types and shapes are always checked.
"""

from __future__ import annotations

import numpy as np

from bplib._validate import all_finite, as_array, as_generator, positive_int, real_number
from bplib.initializers import get_initializer

__all__ = ["Layer", "Dense", "Dropout"]


class Layer:
    """Base class of every layer.

    Attributes
    ----------
    name : str or None
        ``None`` until a network names it (e.g. ``"dense0"``), or the name given.
    params : dict[str, ndarray]
        Parameters by name (``"W"``, ``"b"``); empty for activations.
    grads : dict[str, ndarray]
        ∂L/∂param, same keys and shapes as ``params``; overwritten by ``backward``.
    trainable : set[str]
        The parameter names an optimizer may update.
    training : bool
        ``True`` while training; ``False`` at prediction time (matters for Dropout).
    input_grad : bool
        Whether ``backward`` must return ∂L/∂X (default True). Layers for which it is
        costly (Dense) return ``None`` instead when it is False.
    check_input : bool
        Whether ``forward`` tests its input for NaN and infinity (default True).
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
        self.input_grad = True
        self.check_input = True
        self._cache = None

    def _where(self, method: str) -> str:
        """How error messages name this layer, e.g. ``"Dense('dense0').forward"``."""
        label = type(self).__name__ if self.name is None else \
            f"{type(self).__name__}({self.name!r})"
        return f"{label}.{method}"

    def _input(self, X, ndim=None):
        """X as a float ndarray (no copy if it is one); raise if it is not usable."""
        if (type(X) is not np.ndarray or X.dtype.kind != "f"
                or (ndim is not None and X.ndim != ndim)
                or (self.check_input and not all_finite(X))):
            X = as_array(X, "X", ndim=ndim, where=self._where("forward"))
        return X

    def _cached(self):
        """Return the forward cache, or explain that forward must come first."""
        if self._cache is None:
            raise RuntimeError(f"{self._where('backward')}: backward() was called before "
                               "forward(); run forward(X) first so the layer can cache "
                               "what backward needs")
        return self._cache

    def _grad_out(self, grad_out, shape):
        """Check ``grad_out`` has the shape of the last forward output."""
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

    def backward(self, grad_out):
        """Given ∂L/∂output, fill ``grads`` and return ∂L/∂X."""
        raise NotImplementedError(f"{type(self).__name__} does not implement backward()")

    def __call__(self, X):
        return self.forward(X)

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class Dense(Layer):
    """Fully connected (affine) layer: ``Z = X @ W + b``.

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
    train_bias : bool, default True
        If False, ``"b"`` is left out of ``trainable`` (optimizers do not update it);
        its gradient is still computed.
    name : str, optional

    Shapes: X (N, n_in) -> Z (N, n_out). A float32 ``X`` gives a float32 ``Z`` and
    ``dX`` (the weights are cast for the product); gradients keep the weights' dtype.
    """

    def __init__(self, n_in, n_out, *, init="xavier", seed=0, W=None, b=None,
                 train_bias=True, name=None):
        super().__init__(name)
        where = self._where("__init__")
        n_in = positive_int(n_in, "n_in", where=where)
        n_out = positive_int(n_out, "n_out", where=where)
        if W is None:
            W = np.asarray(get_initializer(init)((n_in, n_out), seed), dtype=np.float64)
            if W.shape != (n_in, n_out):
                raise ValueError(f"{where}: expected init to return shape (n_in, n_out) "
                                 f"= {(n_in, n_out)}, got {W.shape}")
        else:
            W = np.array(as_array(W, "W", ndim=2, where=where))  # a copy of our own
            if W.shape != (n_in, n_out):
                raise ValueError(f"{where}: expected W of shape (n_in, n_out) = "
                                 f"{(n_in, n_out)}, got {W.shape}")
        if b is None:
            b = np.zeros(n_out, dtype=W.dtype)
        else:
            b = np.array(as_array(b, "b", ndim=1, where=where))
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
        """Z = X W + b for a batch X of shape (N, n_in); returns Z of shape (N, n_out)."""
        W, b = self.params["W"], self.params["b"]
        X = self._input(X, ndim=2)
        if X.shape[1] != W.shape[0]:
            raise ValueError(f"{self._where('forward')}: expected X of shape "
                             f"(N, n_in={W.shape[0]}), got {X.shape}")
        if X.dtype != W.dtype:  # float32 in, float32 out
            W, b = W.astype(X.dtype), b.astype(X.dtype)
        self._cache = (X, W)
        Z = X @ W
        Z += b  # in place: Z = X W + b without a second (N, n_out) array
        return Z

    def backward(self, grad_out):
        """The chain rule through Z = X W + b, with δ = ∂L/∂Z of shape (N, n_out).

        dW = Xᵀ δ       (n_in, n_out): ∂L/∂w_jk = Σ_n x_nj δ_nk, input times delta
        db = Σ_n δ_n    (n_out,)     : each bias collects its deltas over the batch
        dX = δ Wᵀ       (N, n_in)    : the deltas sent back to the layer below

        Returns dX, or None when ``input_grad`` is False.
        """
        X, W = self._cached()
        delta = self._grad_out(grad_out, (X.shape[0], W.shape[1]))
        dW = X.T @ delta
        db = delta.sum(axis=0)
        if dW.dtype != self.params["W"].dtype:  # float32 input: grads keep W's dtype
            dW, db = dW.astype(self.params["W"].dtype), db.astype(self.params["W"].dtype)
        self.grads["W"], self.grads["b"] = dW, db
        return delta @ W.T if self.input_grad else None

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
        """Y = X ⊙ M (training) or Y = X (evaluation); X of any shape (N, ...)."""
        X = self._input(X)
        if not self.training or self.p == 0.0:
            self._cache = (None,)
            return X
        u = self._rng.random(X.shape, dtype=np.float32 if X.dtype == np.float32 else None)
        keep = u >= self.p
        mask = keep * X.dtype.type(1.0 / (1.0 - self.p))
        self._cache = (mask,)
        return X * mask

    def backward(self, grad_out):
        """dX = δ ⊙ M: dropped units pass no gradient, kept ones are scaled by 1/(1-p)."""
        (mask,) = self._cached()
        if mask is None:
            return grad_out
        return self._grad_out(grad_out, mask.shape) * mask

    def __repr__(self):
        return f"Dropout(p={self.p}, name={self.name!r})"
