"""Activation functions, their derivatives, and the matching layers.

The functions work elementwise on arrays of any shape (softmax along an axis), keep
float32 as float32, and never overflow: ``sigmoid(±1000)`` and ``softmax`` of logits
of ±1000 are exact to rounding with no RuntimeWarning.

The layers (``Sigmoid``, ``Tanh``, ``ReLU``, ``LeakyReLU``, ``Softmax``) have no
parameters. Their ``backward(delta)`` applies the chain rule (Chapter 4, eq.
(ch04-local-rule)) through the activation, ``∂L/∂z = ∂L/∂a ⊙ f'(z)`` entry by entry,
reading the output ``a`` or the input ``z`` from the forward cache (a reference, not a
copy). They accept ``need_input_grad`` like every layer and always return ∂L/∂z.
"""

from __future__ import annotations

import numpy as np

from bplib._validate import as_array, real_number
from bplib.layers import Layer

__all__ = ["sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime",
           "leaky_relu", "leaky_relu_prime", "softmax",
           "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax"]


def _softmax(z, axis):
    """softmax(z)_k = exp(z_k - m) / Σ_j exp(z_j - m), m = max_j z_j (no overflow)."""
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def sigmoid(z):
    """Logistic function σ(z) = 1 / (1 + e^(-z)), eq. (ch03-sigmoid), elementwise.

    Output in [0, 1], same shape and float dtype as ``z``. For z < 0 the same
    fraction is written e^z / (1 + e^z) (top and bottom times e^z), so the
    exponential is always of -abs(z) ≤ 0 and never overflows: ``sigmoid(-1000)`` is 0.
    """
    z = as_array(z, "z", where="sigmoid")
    e = np.exp(-np.abs(z))                            # e^(-|z|), in (0, 1]
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    return s[()]                                      # a 0-d input gives a scalar


def sigmoid_prime(z):
    """Derivative σ'(z) = σ(z) (1 - σ(z)), eq. (ch03-sigmoid-prime), elementwise."""
    s = sigmoid(as_array(z, "z", where="sigmoid_prime"))
    return s * (1 - s)


def tanh(z):
    """Hyperbolic tangent, elementwise; output in [-1, 1]."""
    return np.tanh(as_array(z, "z", where="tanh"))


def tanh_prime(z):
    """Derivative tanh'(z) = 1 - tanh(z)², eq. (ch03-tanh-prime), elementwise."""
    t = np.tanh(as_array(z, "z", where="tanh_prime"))
    return 1 - t * t


def relu(z):
    """Rectified linear unit max(z, 0), elementwise."""
    return np.maximum(as_array(z, "z", where="relu"), 0)


def relu_prime(z):
    """Derivative of ReLU, eq. (ch03-relu-prime): 1 where z > 0, else 0 (0 at z = 0)."""
    z = as_array(z, "z", where="relu_prime")
    return (z > 0).astype(z.dtype)


def _alpha(alpha, where):
    return real_number(alpha, "alpha", where=where, low=0)


def leaky_relu(z, alpha=0.01):
    """Leaky ReLU: z where z > 0, else alpha * z, elementwise."""
    z = as_array(z, "z", where="leaky_relu")
    alpha = _alpha(alpha, "leaky_relu")
    return np.where(z > 0, z, alpha * z)


def leaky_relu_prime(z, alpha=0.01):
    """Derivative of leaky ReLU: 1 where z > 0, else alpha (alpha at z = 0)."""
    z = as_array(z, "z", where="leaky_relu_prime")
    alpha = _alpha(alpha, "leaky_relu_prime")
    return np.where(z > 0, 1, z.dtype.type(alpha)).astype(z.dtype, copy=False)


def softmax(z, axis=-1):
    """Softmax along ``axis`` (default: last, i.e. per row of a batch (N, K)).

    softmax(z)_k = exp(z_k) / Σ_j exp(z_j), eq. (ch03-softmax), computed after
    subtracting max_j z_j, so logits of ±1000 give exact probabilities and no
    overflow. Rows sum to 1.
    """
    z = as_array(z, "z", where="softmax")
    n = max(z.ndim, 1)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) \
            or not -n <= axis < n:
        raise ValueError(f"softmax: expected axis to be an int in "
                         f"[{-z.ndim}, {z.ndim}) for z of shape {z.shape}, got {axis!r}")
    return _softmax(z, axis)


class Sigmoid(Layer):
    """Sigmoid layer: A = σ(Z), any shape. Caches the output A."""

    def forward(self, X):
        A = sigmoid(self._checked(X, "X"))
        self._cache = A
        return A

    def backward(self, grad_out, need_input_grad=True):
        """∂E/∂Z = ∂E/∂A ⊙ A ⊙ (1 - A), as σ' = σ (1 - σ): Chapter 3, equation label
        (ch03-sigmoid-prime)."""
        A = self._cached()
        delta = self._grad_out(grad_out, A.shape)
        return delta * A * (1 - A)


class Tanh(Layer):
    """Tanh layer: A = tanh(Z), any shape. Caches the output A."""

    def forward(self, X):
        A = np.tanh(self._checked(X, "X"))
        self._cache = A
        return A

    def backward(self, grad_out, need_input_grad=True):
        """∂E/∂Z = ∂E/∂A ⊙ (1 - A²): tanh'(z) = 1 - tanh(z)², eq. (ch03-tanh-prime)."""
        A = self._cached()
        delta = self._grad_out(grad_out, A.shape)
        return delta * (1 - A * A)


class ReLU(Layer):
    """ReLU layer: A = max(Z, 0), any shape. Caches the input Z (f'(0) is taken as 0)."""

    def forward(self, X):
        Z = self._checked(X, "X")
        self._cache = Z
        return np.maximum(Z, 0)

    def backward(self, grad_out, need_input_grad=True):
        """∂E/∂Z = ∂E/∂A ⊙ [Z > 0], eq. (ch03-relu-prime): it passes where Z > 0."""
        Z = self._cached()
        delta = self._grad_out(grad_out, Z.shape)
        return delta * (Z > 0)


class LeakyReLU(Layer):
    """Leaky ReLU layer: A = Z where Z > 0, else alpha Z. Caches the input Z."""

    def __init__(self, alpha=0.01, *, name=None):
        super().__init__(name)
        self.alpha = _alpha(alpha, self._where("__init__"))

    def forward(self, X):
        Z = self._checked(X, "X")
        self._cache = Z
        return np.where(Z > 0, Z, self.alpha * Z)

    def backward(self, grad_out, need_input_grad=True):
        """∂L/∂Z = ∂L/∂A ⊙ f'(Z), f' = 1 where z > 0, else alpha (eq. (ch03-relu-prime))."""
        Z = self._cached()
        delta = self._grad_out(grad_out, Z.shape)
        return np.where(Z > 0, delta, self.alpha * delta)

    def __repr__(self):
        return f"LeakyReLU(alpha={self.alpha}, name={self.name!r})"


class Softmax(Layer):
    """Softmax layer along the last axis: A = softmax(Z), Z of shape (N, K).

    For classification, prefer ``losses.SoftmaxCrossEntropy`` on the logits (fused,
    simpler gradient); this layer is for when the probabilities themselves are needed.
    """

    def forward(self, X):
        A = _softmax(self._checked(X, "X"), -1)
        self._cache = A
        return A

    def backward(self, grad_out, need_input_grad=True):
        """Jacobian-vector product of softmax: ∂L/∂z = a ⊙ (g - (g · a)), per row.

        From ∂a_k/∂z_j = a_k (1[k=j] - a_j), eq. (ch03-softmax-jacobian), and g = ∂L/∂a.
        """
        A = self._cached()
        g = self._grad_out(grad_out, A.shape)
        return A * (g - (g * A).sum(axis=-1, keepdims=True))
