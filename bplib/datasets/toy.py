"""Small synthetic data sets for the chapters and labs.

Every generator is seeded (``seed``: int or ``numpy.random.Generator``) and returns
``(X, y)``: X float64 of shape (n, 2) and y int64 class labels of shape (n,) for the
2-D classification sets; x and y of shape (n,) for the 1-D regression sets. For a
network with one sigmoid output, ``Sequential.fit`` accepts y of shape (n,) as is.
"""

from __future__ import annotations

import numpy as np

from bplib._validate import as_generator, positive_int, real_number

__all__ = ["chapter1", "noisy_line", "xor", "moons", "circles", "spirals"]


def chapter1():
    """The table of Chapter 1: inputs x = [0, 1, 2] and targets y = [0, 2, 4] (y = 2x)."""
    return np.array([0.0, 1.0, 2.0]), np.array([0.0, 2.0, 4.0])


def noisy_line(n=50, *, w=2.0, b=0.0, noise=0.5, x_range=(0, 4), seed=0):
    """Points on the line y = w x + b plus Gaussian noise of standard deviation ``noise``.

    x is drawn uniformly from ``x_range`` and sorted. Returns x (n,), y (n,).
    """
    where = "noisy_line"
    n = positive_int(n, "n", where=where)
    w = real_number(w, "w", where=where)
    b = real_number(b, "b", where=where)
    noise = real_number(noise, "noise", where=where, low=0)
    try:
        lo, hi = (real_number(v, "x_range", where=where) for v in x_range)
    except TypeError:
        raise TypeError(f"{where}: x_range must be a pair (low, high), got {x_range!r}") from None
    if not lo < hi:
        raise ValueError(f"{where}: x_range must have low < high, got {x_range!r}")
    rng = as_generator(seed, where=where)
    x = np.sort(rng.uniform(lo, hi, size=n))
    y = w * x + b + noise * rng.standard_normal(n)
    return x, y


def xor():
    """The four XOR points: X (4, 2) = corners of the unit square, y (4,) = x₁ XOR x₂."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    return X, np.array([0, 1, 1, 0], dtype=np.int64)


def _finish(X, y, noise, rng):
    """Add Gaussian noise to X and shuffle the rows (both from ``rng``)."""
    X = X + noise * rng.standard_normal(X.shape)
    perm = rng.permutation(X.shape[0])
    return X[perm], y[perm]


def _split(n, classes):
    """Class sizes for n points over ``classes`` classes, as equal as possible."""
    return [n // classes + (1 if c < n % classes else 0) for c in range(classes)]


def moons(n=200, *, noise=0.1, seed=0):
    """Two interleaving half circles (class 0 on top, class 1 below), plus noise.

    Class 0: (cos t, sin t); class 1: (1 − cos t, 0.5 − sin t), t uniform in [0, π].
    """
    where = "moons"
    n = positive_int(n, "n", where=where)
    noise = real_number(noise, "noise", where=where, low=0)
    rng = as_generator(seed, where=where)
    n0, n1 = _split(n, 2)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    X = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n0, n1])
    return _finish(X, y, noise, rng)


def circles(n=200, *, noise=0.05, factor=0.5, seed=0):
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (< 1)."""
    where = "circles"
    n = positive_int(n, "n", where=where)
    noise = real_number(noise, "noise", where=where, low=0)
    factor = real_number(factor, "factor", where=where, low=0, high=1, low_open=True, high_open=True)
    rng = as_generator(seed, where=where)
    n0, n1 = _split(n, 2)
    t = rng.uniform(0, 2 * np.pi, n)
    r = np.repeat([1.0, factor], [n0, n1])
    X = r[:, None] * np.column_stack([np.cos(t), np.sin(t)])
    y = np.repeat(np.array([0, 1], dtype=np.int64), [n0, n1])
    return _finish(X, y, noise, rng)


def spirals(n=300, *, classes=3, noise=0.2, seed=0):
    """``classes`` interleaved spiral arms, n points in all (as equal per arm as possible).

    Arm c: radius r uniform in [0, 1], angle 2πc/classes + 4r + noise·N(0, 1),
    point r (sin θ, cos θ). Here ``noise`` perturbs the angle (radians).
    """
    where = "spirals"
    n = positive_int(n, "n", where=where)
    classes = positive_int(classes, "classes", where=where)
    if classes < 2:
        raise ValueError(f"{where}: expected classes >= 2, got {classes}")
    noise = real_number(noise, "noise", where=where, low=0)
    rng = as_generator(seed, where=where)
    sizes = _split(n, classes)
    y = np.repeat(np.arange(classes, dtype=np.int64), sizes)
    r = rng.uniform(0, 1, n)
    theta = 2 * np.pi * y / classes + 4 * r + noise * rng.standard_normal(n)
    X = r[:, None] * np.column_stack([np.sin(theta), np.cos(theta)])
    perm = rng.permutation(n)
    return X[perm], y[perm]
