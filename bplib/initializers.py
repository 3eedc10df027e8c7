"""Weight initialisers: small random, Xavier/Glorot and He.

Every initialiser takes ``(shape, seed)`` and returns a new float64 array. ``seed`` is
an int (the same int always gives bit-identical weights) or a
``numpy.random.Generator`` (which advances). For a weight matrix of shape
``(n_in, n_out)`` (batches are rows: ``Z = X @ W + b``) the fans are
``fan_in = n_in`` and ``fan_out = n_out``.

==================  ===============================================
name                distribution
==================  ===============================================
``small_random``    N(0, scale²), scale = 0.01
``xavier_uniform``  U(-a, a), a = sqrt(6 / (fan_in + fan_out))
``xavier_normal``   N(0, σ²), σ = sqrt(2 / (fan_in + fan_out))
``he_normal``       N(0, σ²), σ = sqrt(2 / fan_in)
``he_uniform``      U(-a, a), a = sqrt(6 / fan_in)
==================  ===============================================

Xavier keeps the variance of activations and gradients roughly constant through
sigmoid/tanh layers (Glorot and Bengio, 2010); He does so for ReLU layers, which zero
half their inputs (He et al., 2015).
"""

from __future__ import annotations

import numbers

import numpy as np

from bplib._validate import as_generator, check_name, real_number

__all__ = ["small_random", "xavier_uniform", "xavier_normal", "he_normal",
           "he_uniform", "get_initializer"]


def _shape_and_fans(shape, where):
    """Validate ``shape`` (int or tuple of positive ints); return (shape, fan_in, fan_out)."""
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (shape,)
    if (not isinstance(shape, (tuple, list)) or not shape
            or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool)
                       for s in shape)):
        raise TypeError(f"{where}: expected shape as a tuple of ints such as "
                        f"(n_in, n_out), got {shape!r}")
    shape = tuple(int(s) for s in shape)
    if min(shape) < 1:
        raise ValueError(f"{where}: expected every dimension of shape to be >= 1, "
                         f"got {shape}")
    fan_in = shape[0]
    fan_out = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
    return shape, fan_in, fan_out


def small_random(shape, seed, scale=0.01):
    """Draw weights from N(0, scale²): the classic 'small random numbers' start.

    Parameters
    ----------
    shape : tuple of int, e.g. (n_in, n_out)
    seed : int or numpy.random.Generator
    scale : float, default 0.01
        Standard deviation.
    """
    where = "small_random"
    shape, _, _ = _shape_and_fans(shape, where)
    scale = real_number(scale, "scale", where=where, low=0)
    return scale * as_generator(seed, where=where).standard_normal(shape)


def xavier_uniform(shape, seed):
    """Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out))."""
    where = "xavier_uniform"
    shape, fan_in, fan_out = _shape_and_fans(shape, where)
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return as_generator(seed, where=where).uniform(-a, a, size=shape)


def xavier_normal(shape, seed):
    """Glorot/Xavier normal: N(0, σ²) with σ = sqrt(2 / (fan_in + fan_out))."""
    where = "xavier_normal"
    shape, fan_in, fan_out = _shape_and_fans(shape, where)
    sigma = np.sqrt(2.0 / (fan_in + fan_out))
    return sigma * as_generator(seed, where=where).standard_normal(shape)


def he_normal(shape, seed):
    """He/Kaiming normal: N(0, σ²) with σ = sqrt(2 / fan_in); for ReLU layers."""
    where = "he_normal"
    shape, fan_in, _ = _shape_and_fans(shape, where)
    sigma = np.sqrt(2.0 / fan_in)
    return sigma * as_generator(seed, where=where).standard_normal(shape)


def he_uniform(shape, seed):
    """He/Kaiming uniform: U(-a, a) with a = sqrt(6 / fan_in); for ReLU layers."""
    where = "he_uniform"
    shape, fan_in, _ = _shape_and_fans(shape, where)
    a = np.sqrt(6.0 / fan_in)
    return as_generator(seed, where=where).uniform(-a, a, size=shape)


_INITIALIZERS = {
    "small": small_random,
    "small_random": small_random,
    "xavier": xavier_uniform,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "glorot": xavier_uniform,
    "he": he_normal,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
}


def get_initializer(name):
    """Return the initialiser called ``name``; a callable ``(shape, seed)`` passes through.

    Names: ``"small"`` (= ``small_random``), ``"xavier"`` (= ``xavier_uniform``),
    ``"xavier_uniform"``, ``"xavier_normal"``, ``"glorot"`` (= ``xavier_uniform``),
    ``"he"`` (= ``he_normal``), ``"he_normal"``, ``"he_uniform"``.
    """
    if callable(name):
        return name
    return _INITIALIZERS[check_name(name, tuple(_INITIALIZERS), what="initializer",
                                    where="get_initializer")]
