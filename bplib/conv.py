"""Convolution: a 2-D convolution layer and the ``Flatten`` that follows it.

Images are batches of shape ``(N, C, H, W)``: N examples, C channels (1 for a grey
image), H rows and W columns, the layout of PyTorch. A kernel ``K`` has shape
``(n_out, C, kh, kw)``: one ``(C, kh, kw)`` filter per output channel.

What deep-learning libraries call a convolution is a **cross-correlation** (no flip of
the kernel), eq. (ch12-conv)::

    Z[n, o, i, j] = b[o] + Σ_c Σ_p Σ_q X[n, c, i + p, j + q] K[o, c, p, q]

One function, :func:`correlate`, computes it, and the backward pass (Chapter 12,
§ "The backward pass of a convolution") is that same function twice more:

* ∂E/∂K is the correlation of the input with the deltas, eq. (ch12-conv-dK);
* ∂E/∂X is the full correlation of the deltas with the flipped kernel,
  eq. (ch12-conv-dX);
* ∂E/∂b sums the deltas over the batch and every position, eq. (ch12-conv-db).

Stride 1 only; ``padding`` adds zeros around each image.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from bplib._validate import as_array, positive_int
from bplib.initializers import get_initializer
from bplib.layers import Layer

__all__ = ["correlate", "conv_output_size", "Conv2D", "Flatten"]


def conv_output_size(size, k, padding=0, stride=1):
    """Output length along one axis: ``(size + 2 padding - k) // stride + 1``, eq. (ch12-out-size)."""
    return (size + 2 * padding - k) // stride + 1


def correlate(X, K):
    """Valid cross-correlation of a batch with a bank of filters.

    X (N, C, H, W), K (O, C, kh, kw) -> out (N, O, H - kh + 1, W - kw + 1) with
    ``out[n, o, i, j] = Σ_c Σ_p Σ_q X[n, c, i + p, j + q] K[o, c, p, q]``.

    Every kh x kw window of X is a view (no copy); ``tensordot`` multiplies the windows
    with the filters and sums over the channel and the two kernel axes: one matrix
    product, as for a dense layer.
    """
    windows = sliding_window_view(X, K.shape[2:], axis=(2, 3))   # (N, C, Ho, Wo, kh, kw)
    out = np.tensordot(windows, K, axes=([1, 4, 5], [1, 2, 3]))   # (N, Ho, Wo, O)
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


def _pad(X, p, q=None):
    """Zeros around the two last axes: p rows above and below, q columns left and right."""
    q = p if q is None else q
    return np.pad(X, ((0, 0), (0, 0), (p, p), (q, q))) if p or q else X


class Conv2D(Layer):
    """2-D convolution (cross-correlation) with stride 1, eq. (ch12-conv).

    Shapes: X (N, C, H, W) -> Z (N, n_out, H + 2 padding - kh + 1, W + 2 padding - kw + 1).

    Parameters
    ----------
    n_in : int
        Input channels C.
    n_out : int
        Output channels (filters).
    kernel_size : int or (int, int)
        kh, kw.
    padding : int, default 0
        Zeros added on every side of each image (1 with a 3 x 3 kernel keeps H and W).
    init : str or callable, default "he"
        Initialiser (see ``bplib.initializers``) for ``K``, with fan-in C kh kw: it is
        drawn as a (C kh kw, n_out) matrix and reshaped.
    seed : int or numpy.random.Generator, default 0
    K, b : array_like, optional
        Explicit starting values (copied): K (n_out, C, kh, kw), b (n_out,).
    name : str, optional

    ``params`` are ``"K"`` and ``"b"``; ``grads`` are overwritten by each ``backward``.
    """

    def __init__(self, n_in, n_out, kernel_size, *, padding=0, init="he", seed=0,
                 K=None, b=None, name=None):
        super().__init__(name)
        where = self._where("__init__")
        C = positive_int(n_in, "n_in", where=where)
        O = positive_int(n_out, "n_out", where=where)
        kh, kw = (kernel_size, kernel_size) if np.ndim(kernel_size) == 0 else kernel_size
        kh = positive_int(kh, "kernel height", where=where)
        kw = positive_int(kw, "kernel width", where=where)
        if isinstance(padding, bool) or not isinstance(padding, (int, np.integer)) \
                or padding < 0:
            raise ValueError(f"{where}: expected padding to be an int >= 0, got {padding!r}")
        self.padding = int(padding)
        if K is None:
            K = get_initializer(init)((C * kh * kw, O), seed)     # fan-in C kh kw
            K = K.reshape(C, kh, kw, O).transpose(3, 0, 1, 2)
        K = np.array(as_array(K, "K", ndim=4, where=where), dtype=np.float64)
        if K.shape != (O, C, kh, kw):
            raise ValueError(f"{where}: expected K of shape (n_out, n_in, kh, kw) = "
                             f"{(O, C, kh, kw)}, got {K.shape}")
        b = np.zeros(O) if b is None else np.array(as_array(b, "b", ndim=1, where=where),
                                                   dtype=np.float64)
        if b.shape != (O,):
            raise ValueError(f"{where}: expected b of shape (n_out,) = ({O},), got {b.shape}")
        self.params = {"K": K, "b": b}
        self.grads = {"K": np.zeros_like(K), "b": np.zeros_like(b)}
        self.trainable = {"K", "b"}

    def forward(self, X):
        """Z = correlate(X padded, K) + b, eq. (ch12-conv). Caches the padded X."""
        K, b = self.params["K"], self.params["b"]
        X = self._checked(X, "X", ndim=4)
        O, C, kh, kw = K.shape
        P = self.padding
        if X.shape[1] != C or X.shape[2] + 2 * P < kh or X.shape[3] + 2 * P < kw:
            raise ValueError(f"{self._where('forward')}: expected X of shape (N, C={C}, "
                             f"H, W) with H, W >= {kh - 2 * P}, {kw - 2 * P} "
                             f"(kernel {kh} x {kw}, padding {P}), got {X.shape}")
        Xp = _pad(X, P)
        self._cache = Xp
        return correlate(Xp, K) + b[:, None, None]

    def backward(self, grad_out, need_input_grad=True):
        """The three gradients of eq. (ch12-conv), each one call of ``correlate``.

        With δ = ∂E/∂Z of shape (N, O, Ho, Wo) and X̃ the padded input::

            dK = correlate(X̃ᵀ, δᵀ)ᵀ          eq. (ch12-conv-dK): input with delta
                 (ᵀ swaps the first two axes: the batch is summed like a channel)
            db = Σ over n, i, j of δ         eq. (ch12-conv-db)
            dX̃ = correlate(δ padded by kh-1, kw-1, K flipped, ᵀ)
                                              eq. (ch12-conv-dX): the full correlation
                                              of the deltas with the flipped kernel
            dX = dX̃ without its padding

        Returns dX, or None when ``need_input_grad`` is False.
        """
        Xp = self._cached()
        K = self.params["K"]
        O, C, kh, kw = K.shape
        N, _, Hp, Wp = Xp.shape
        delta = self._grad_out(grad_out, (N, O, Hp - kh + 1, Wp - kw + 1))
        self.grads["K"] = correlate(Xp.transpose(1, 0, 2, 3),
                                    delta.transpose(1, 0, 2, 3)).transpose(1, 0, 2, 3)
        self.grads["b"] = delta.sum(axis=(0, 2, 3))
        if not need_input_grad:
            return None
        flipped = K[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)       # (C, O, kh, kw)
        dXp = correlate(_pad(delta, kh - 1, kw - 1), flipped)     # (N, C, Hp, Wp)
        P = self.padding
        return dXp[:, :, P:Hp - P, P:Wp - P]

    def __repr__(self):
        O, C, kh, kw = self.params["K"].shape
        return (f"Conv2D(n_in={C}, n_out={O}, kernel_size=({kh}, {kw}), "
                f"padding={self.padding}, name={self.name!r})")


class Flatten(Layer):
    """Reshape (N, d1, d2, ...) to (N, d1 d2 ...), row by row; backward reshapes back.

    Between a ``Conv2D`` (N, C, H, W) and a ``Dense`` (N, C H W). No parameters: the
    gradient is the same numbers in the input's shape.
    """

    def forward(self, X):
        X = self._checked(X, "X")
        if X.ndim < 2:
            raise ValueError(f"{self._where('forward')}: expected X with a batch axis and "
                             f"at least one more, got shape {X.shape}")
        self._cache = X.shape
        return X.reshape(X.shape[0], -1)

    def backward(self, grad_out, need_input_grad=True):
        """dX = grad_out reshaped to the input's shape."""
        shape = self._cached()
        return self._grad_out(grad_out, (shape[0], int(np.prod(shape[1:])))).reshape(shape)
