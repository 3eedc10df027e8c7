"""The playground's data: four 2-D data sets, a train/test split, and input features.

Every data set has two classes (labels 0 and 1) and lies in the square
[-DOMAIN, DOMAIN]² (noise may push a few points out). The network sees the features the
reader ticks, computed from the two coordinates x1, x2 (the columns of X).
"""

from __future__ import annotations

import numpy as np

from bplib._validate import as_array, as_generator, check_name, positive_int, real_number
from bplib.datasets import circles, spirals

__all__ = ["DOMAIN", "DATASETS", "FEATURES", "make_data", "split", "features"]

DOMAIN = 3.0
"""Half the side of the square the data live in (and the views show)."""


def _circle(n, noise, rng):
    """Class 1 inside a circle of radius 1.5, class 0 on a ring of radius 3 around it."""
    X, y = circles(n, noise=noise / 2, factor=0.5, seed=rng)
    return DOMAIN * 0.9 * X, y


def _xor(n, noise, rng):
    """Uniform points; class 1 where x1 and x2 have the same sign (the XOR of the signs)."""
    X = rng.uniform(-DOMAIN, DOMAIN, size=(n, 2))
    X += np.where(X > 0, 0.3, -0.3)           # a margin around the axes, as in the original
    y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)
    return X + noise * rng.standard_normal(X.shape), y


def _gaussians(n, noise, rng):
    """Two round clouds, class 1 around (1.5, 1.5), class 0 around (-1.5, -1.5)."""
    y = (np.arange(n) % 2).astype(np.int64)
    centres = np.where(y[:, None] == 1, 1.5, -1.5)
    X = centres + (0.5 + noise) * rng.standard_normal((n, 2))
    perm = rng.permutation(n)
    return X[perm], y[perm]


def _spiral(n, noise, rng):
    """Two interleaved spiral arms (``bplib.datasets.spirals`` with two classes)."""
    X, y = spirals(n, classes=2, noise=noise, seed=rng)
    return DOMAIN * X, y


DATASETS = {"circle": _circle, "xor": _xor, "gaussians": _gaussians, "spiral": _spiral}
"""Data set name -> generator ``(n, noise, rng) -> (X (n, 2), y (n,))``."""


def make_data(name, n=500, *, noise=0.1, seed=0):
    """Points X (n, 2) and labels y (n,) in {0, 1} of the data set ``name``.

    ``noise`` >= 0 is the standard deviation of the Gaussian noise, in data units
    (for the spiral, in radians of angle).
    """
    where = "playground.make_data"
    name = check_name(name, tuple(DATASETS), what="data set", where=where)
    n = positive_int(n, "n", where=where)
    noise = real_number(noise, "noise", where=where, low=0)
    return DATASETS[name](n, noise, as_generator(seed, where=where))


def split(X, y, test_fraction=0.5, *, seed=0):
    """(X_train, y_train, X_test, y_test): a random ``test_fraction`` of rows for testing.

    At least one row goes to each part.
    """
    where = "playground.split"
    test_fraction = real_number(test_fraction, "test_fraction", where=where, low=0,
                                high=1, low_open=True, high_open=True)
    n = X.shape[0]
    if n < 2:
        raise ValueError(f"{where}: need at least 2 points to split, got {n}")
    n_test = min(max(round(test_fraction * n), 1), n - 1)
    perm = as_generator(seed, where=where).permutation(n)
    test, train = perm[:n_test], perm[n_test:]
    return X[train], y[train], X[test], y[test]


FEATURES = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 ** 2,
    "x2^2": lambda x1, x2: x2 ** 2,
    "x1*x2": lambda x1, x2: x1 * x2,
    "sin x1": lambda x1, x2: np.sin(x1),
    "sin x2": lambda x1, x2: np.sin(x2),
}
"""Feature name -> function of the coordinates (x1, x2), applied entry by entry."""


def features(X, names):
    """The network's input: one column per feature in ``names``, shape (N, len(names)).

    X (N, 2) holds the coordinates x1, x2 as columns.
    """
    where = "playground.features"
    X = as_array(X, "X", ndim=2, where=where)
    if X.shape[1] != 2:
        raise ValueError(f"{where}: expected X of shape (N, 2), got {X.shape}")
    names = list(names)
    if not names:
        raise ValueError(f"{where}: expected at least one feature, got none; "
                         f"choose from {list(FEATURES)}")
    for f in names:
        check_name(f, tuple(FEATURES), what="feature", where=where)
    if len(set(names)) != len(names):
        raise ValueError(f"{where}: each feature at most once, got {names}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([FEATURES[f](x1, x2) for f in names])
