"""Data handling: splitting, standardising, one-hot labels, mini-batches.

Samples are rows: X has shape (N, n_features) and y has N rows. Everything random
takes a ``seed`` (an int or a ``numpy.random.Generator``).
"""

from __future__ import annotations

import numpy as np

from bplib._validate import as_generator, positive_int

__all__ = ["train_val_test_split", "Standardizer", "one_hot", "minibatches"]


def _rows(X, y, where):
    """Check X (N, ...) and y (N, ...) and return them as arrays."""
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{where}: X and y must be arrays with one row per sample, "
                         f"got shapes {X.shape} and {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"{where}: X and y must have the same number of rows, "
                         f"got {X.shape[0]} and {y.shape[0]}")
    return X, y


def train_val_test_split(X, y, *, val=0.15, test=0.15, seed=0):
    """Shuffle the rows and split them into training, validation and test sets.

    Parameters
    ----------
    X : array (N, ...), y : array (N, ...)
    val, test : float
        Fractions of N (each in [0, 1), together < 1); counts are rounded to the
        nearest integer. The rest is the training set.

    Returns
    -------
    (X_train, y_train), (X_val, y_val), (X_test, y_test)
    """
    X, y = _rows(X, y, "train_val_test_split")
    for name, frac in (("val", val), ("test", test)):
        if not isinstance(frac, (int, float)) or isinstance(frac, bool) or not 0 <= frac < 1:
            raise ValueError(f"train_val_test_split: {name} must be a fraction in [0, 1), got {frac!r}")
    if val + test >= 1:
        raise ValueError(f"train_val_test_split: val + test must be < 1, got {val} + {test}")
    n = X.shape[0]
    n_val, n_test = int(round(val * n)), int(round(test * n))
    if n - n_val - n_test < 1:
        raise ValueError(f"train_val_test_split: {n} rows leave no training data "
                         f"with val={val}, test={test}")
    perm = as_generator(seed, where="train_val_test_split").permutation(n)
    i_test, i_val, i_train = perm[:n_test], perm[n_test:n_test + n_val], perm[n_test + n_val:]
    return (X[i_train], y[i_train]), (X[i_val], y[i_val]), (X[i_test], y[i_test])


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1: x' = (x − μ) / σ.

    ``fit`` learns μ and σ (shape (n_features,)) from the **training data only**;
    ``transform`` applies them to any data (validation, test, new inputs), so that no
    information from held-out data leaks into training. A constant feature (σ = 0)
    is only centred (σ is taken as 1).
    """

    def __init__(self):
        self.mean_ = None
        self.std_ = None

    def fit(self, X):
        """Learn per-column mean and standard deviation from X (N, n_features)."""
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[0] == 0:
            raise ValueError(f"Standardizer.fit: expected X of shape (N, n_features) with N >= 1, "
                             f"got shape {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("Standardizer.fit: X contains NaN or infinite values")
        self.mean_ = X.mean(axis=0)
        std = X.std(axis=0)
        self.std_ = np.where(std > 0, std, 1.0)
        return self

    def transform(self, X):
        """Return (X − μ) / σ using the fitted μ, σ; X (M, n_features)."""
        if self.mean_ is None:
            raise ValueError("Standardizer.transform: call fit(X_train) first")
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.mean_.shape[0]:
            raise ValueError(f"Standardizer.transform: expected shape (M, {self.mean_.shape[0]}), "
                             f"got {X.shape}")
        dtype = X.dtype if X.dtype == np.float32 else float
        return ((X - self.mean_) / self.std_).astype(dtype, copy=False)

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def inverse_transform(self, X):
        """Undo the scaling: X σ + μ."""
        if self.mean_ is None:
            raise ValueError("Standardizer.inverse_transform: call fit(X_train) first")
        return np.asarray(X) * self.std_ + self.mean_


def one_hot(y, k=None):
    """Labels (N,) with values in 0..k-1 → one-hot float array (N, k).

    ``k`` defaults to 1 + the largest label.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"one_hot: expected labels of shape (N,), got shape {y.shape}")
    if y.dtype.kind not in "iu":
        if y.dtype.kind != "f" or np.any(y != np.round(y)):
            raise TypeError(f"one_hot: labels must be integers, got dtype {y.dtype}")
        y = y.astype(np.int64)
    if k is None:
        k = int(y.max()) + 1 if y.size else 0
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"one_hot: k must be a positive int, got {k!r}")
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"one_hot: labels must be in 0..{k - 1}, got values from {y.min()} to {y.max()}")
    out = np.zeros((y.shape[0], int(k)))
    out[np.arange(y.shape[0]), y] = 1.0
    return out


def minibatches(X, y, batch_size, *, shuffle=True, seed=0):
    """Yield ``(X_batch, y_batch)`` pairs covering every row once.

    With ``shuffle`` the rows are first put in a random order drawn from ``seed``
    (one shuffled copy of X and y; the batches are views of it); without, they come
    in order (views of X and y). The last batch is smaller when ``batch_size`` does
    not divide N.
    """
    X, y = _rows(X, y, "minibatches")
    batch_size = positive_int(batch_size, "batch_size", where="minibatches")
    if shuffle:
        perm = as_generator(seed, where="minibatches").permutation(X.shape[0])
        X, y = X[perm], y[perm]
    for start in range(0, X.shape[0], batch_size):
        yield X[start:start + batch_size], y[start:start + batch_size]
