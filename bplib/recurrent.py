"""A tiny recurrent network, trained by backpropagation through time.

Sequences are batches of shape ``(N, T, n_in)``: N sequences of T steps. The
recurrent layer keeps a hidden state h of width ``n_h`` and updates it at every step
with the same weights, eq. (ch12-rnn)::

    a_t = x_t Wx + h_{t-1} Wh + b,     h_t = tanh(a_t),     h_0 = 0

``RNN.forward`` returns every state, shape ``(N, T, n_h)``; ``LastStep`` keeps only
h_T, so ``Sequential([RNN(...), LastStep(), Dense(...)])`` reads a whole sequence and
answers once. ``RNN.backward`` is backpropagation through time (Chapter 12,
eqs. (ch12-bptt-h) to (ch12-bptt-w)): the unrolled network's backward pass, walked
from the last step to the first, adding up each shared weight's gradient over the
steps.
"""

from __future__ import annotations

import numpy as np

from bplib._validate import as_array, as_generator, positive_int
from bplib.initializers import get_initializer
from bplib.layers import Layer

__all__ = ["RNN", "LastStep"]


class RNN(Layer):
    """Elman recurrent layer with tanh, eq. (ch12-rnn): X (N, T, n_in) -> H (N, T, n_h).

    Parameters
    ----------
    n_in, n_h : int
        Input width and state width.
    init : str or callable, default "xavier"
        Initialiser for ``Wx`` (n_in, n_h) and ``Wh`` (n_h, n_h); ``b`` starts at 0.
    seed : int or numpy.random.Generator, default 0
    Wx, Wh, b : array_like, optional
        Explicit starting values (copied).
    name : str, optional

    ``params``: ``"Wx"``, ``"Wh"``, ``"b"``; ``grads`` are overwritten by ``backward``.
    """

    def __init__(self, n_in, n_h, *, init="xavier", seed=0, Wx=None, Wh=None, b=None,
                 name=None):
        super().__init__(name)
        where = self._where("__init__")
        n_in = positive_int(n_in, "n_in", where=where)
        n_h = positive_int(n_h, "n_h", where=where)
        rng = as_generator(seed, where=where)
        given = {"Wx": Wx, "Wh": Wh, "b": b}
        shapes = {"Wx": (n_in, n_h), "Wh": (n_h, n_h), "b": (n_h,)}
        self.params = {}
        for key, shape in shapes.items():
            value = given[key]
            if value is None:
                value = np.zeros(shape) if key == "b" else get_initializer(init)(shape, rng)
            value = np.array(as_array(value, key, ndim=len(shape), where=where),
                             dtype=np.float64)
            if value.shape != shape:
                raise ValueError(f"{where}: expected {key} of shape {shape}, "
                                 f"got {value.shape}")
            self.params[key] = value
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.trainable = set(self.params)

    def forward(self, X):
        """h_t = tanh(x_t Wx + h_{t-1} Wh + b) for t = 1..T, eq. (ch12-rnn).

        X (N, T, n_in) -> H (N, T, n_h), row t of each sequence is h_t. Caches X and H.
        """
        Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
        X = self._checked(X, "X", ndim=3)
        if X.shape[2] != Wx.shape[0]:
            raise ValueError(f"{self._where('forward')}: expected X of shape "
                             f"(N, T, n_in={Wx.shape[0]}), got {X.shape}")
        N, T, _ = X.shape
        H = np.zeros((N, T, Wh.shape[0]))
        h = np.zeros((N, Wh.shape[0]))                  # h_0 = 0
        for t in range(T):
            h = np.tanh(X[:, t] @ Wx + h @ Wh + b)
            H[:, t] = h
        self._cache = (X, H)
        return H

    def backward(self, grad_out, need_input_grad=True):
        """Backpropagation through time, eqs. (ch12-bptt-h) to (ch12-bptt-w).

        ``grad_out`` is ∂E/∂H, shape (N, T, n_h): what the layers above send to each
        state. Walking back from t = T, with h̄_{T+1}'s share ``carry`` = 0::

            h̄_t = grad_out_t + carry            (ch12-bptt-h): two paths leave h_t
            ā_t = h̄_t ⊙ (1 - h_t²)              tanh's slope, from the cached h_t
            carry = ā_t Whᵀ                      what h_{t-1} receives through Wh
            dWx += x_tᵀ ā_t,  dWh += h_{t-1}ᵀ ā_t,  db += Σ_n ā_t   (ch12-bptt-w)
            dx_t = ā_t Wxᵀ

        Returns dX (N, T, n_in), or None when ``need_input_grad`` is False.
        """
        X, H = self._cached()
        Wx, Wh = self.params["Wx"], self.params["Wh"]
        grad_H = self._grad_out(grad_out, H.shape)
        N, T, _ = X.shape
        dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wh.shape[0])
        dX = np.zeros_like(X) if need_input_grad else None
        carry = np.zeros((N, Wh.shape[0]))              # from step T + 1: nothing
        for t in reversed(range(T)):
            h_bar = grad_H[:, t] + carry
            a_bar = h_bar * (1.0 - H[:, t] ** 2)
            h_prev = H[:, t - 1] if t > 0 else np.zeros_like(h_bar)
            dWx += X[:, t].T @ a_bar
            dWh += h_prev.T @ a_bar
            db += a_bar.sum(axis=0)
            if need_input_grad:
                dX[:, t] = a_bar @ Wx.T
            carry = a_bar @ Wh.T
        self.grads = {"Wx": dWx, "Wh": dWh, "b": db}
        return dX

    def __repr__(self):
        n_in, n_h = self.params["Wx"].shape
        return f"RNN(n_in={n_in}, n_h={n_h}, name={self.name!r})"


class LastStep(Layer):
    """Keep the last state: H (N, T, n_h) -> h_T (N, n_h).

    Backward puts the gradient at step T and zeros at every other step.
    """

    def forward(self, X):
        X = self._checked(X, "H", ndim=3)
        self._cache = X.shape
        return X[:, -1]

    def backward(self, grad_out, need_input_grad=True):
        """dH = zeros, except dH[:, T] = grad_out."""
        shape = self._cached()
        dH = np.zeros(shape)
        dH[:, -1] = self._grad_out(grad_out, (shape[0], shape[2]))
        return dH
