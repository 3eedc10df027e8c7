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


def train_val_test_split(X, y, *, val=0.15, test=0.15, seed=0, stratify=None):
    """Shuffle the rows and split them into training, validation and test sets.

    Parameters
    ----------
    X : array (N, ...), y : array (N, ...)
    val, test : float
        Fractions of N (each in [0, 1), together < 1); counts are rounded to the
        nearest integer. The rest is the training set.
    seed : int or numpy.random.Generator
    stratify : None, True or array of labels (N,), optional
        None (default): a plain random split. True: keep the proportion of every class
        of ``y`` (labels (N,), or one-hot rows) the same in the three sets; an array:
        stratify by those labels instead. Each class gives the validation and test
        sets ``val`` and ``test`` times its count, rounded so that the set sizes are
        exactly those of the plain split (largest remainders first).

    Returns
    -------
    (X_train, y_train), (X_val, y_val), (X_test, y_test)
    """
    where = "train_val_test_split"
    X, y = _rows(X, y, where)
    for name, frac in (("val", val), ("test", test)):
        if not isinstance(frac, (int, float)) or isinstance(frac, bool) or not 0 <= frac < 1:
            raise ValueError(f"{where}: {name} must be a fraction in [0, 1), got {frac!r}")
    if val + test >= 1:
        raise ValueError(f"{where}: val + test must be < 1, got {val} + {test}")
    n = X.shape[0]
    n_val, n_test = int(round(val * n)), int(round(test * n))
    if n - n_val - n_test < 1:
        raise ValueError(f"{where}: {n} rows leave no training data "
                         f"with val={val}, test={test}")
    rng = as_generator(seed, where=where)
    if stratify is None or stratify is False:
        perm = rng.permutation(n)
        i_test, i_val, i_train = perm[:n_test], perm[n_test:n_test + n_val], perm[n_test + n_val:]
    else:
        labels = _strata(y if stratify is True else stratify, n, where)
        i_train, i_val, i_test = _stratified_indices(labels, n_val, n_test, rng)
    return (X[i_train], y[i_train]), (X[i_val], y[i_val]), (X[i_test], y[i_test])


def _strata(labels, n, where):
    """The class label of every row, (N,), from labels (N,) or one-hot rows (N, K)."""
    a = np.asarray(labels)
    if a.ndim == 2 and a.shape[0] == n and a.shape[1] > 1:
        a = a.argmax(axis=1)
    if a.ndim != 1 or a.shape[0] != n:
        raise ValueError(f"{where}: stratify needs one label per row, shape ({n},), "
                         f"got shape {a.shape}")
    return a


def _allocate(total, counts):
    """Split the integer ``total`` over classes in proportion to ``counts`` (K,).

    Each class gets the floor of its share total * n_c / N, and the units left over go
    to the largest remainders (ties to the smaller class index). Returns ints (K,).
    """
    share = total * counts / counts.sum()
    out = np.floor(share).astype(np.int64)
    left = total - int(out.sum())
    order = np.argsort(-(share - out), kind="stable")
    out[order[:left]] += 1
    return out


def _stratified_indices(labels, n_val, n_test, rng):
    """Row indices (train, val, test), each class split in the same proportions."""
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    take_test = _allocate(n_test, counts)
    take_val = _allocate(n_val, counts)
    parts = {"train": [], "val": [], "test": []}
    for c in range(len(classes)):
        rows = rng.permutation(np.flatnonzero(inverse == c))
        t, v = int(take_test[c]), int(take_val[c])
        parts["test"].append(rows[:t])
        parts["val"].append(rows[t:t + v])
        parts["train"].append(rows[t + v:])
    # shuffle each set, so that the classes are not in blocks
    return tuple(rng.permutation(np.concatenate(parts[k])) for k in ("train", "val", "test"))


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
