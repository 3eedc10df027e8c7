"""Input checks shared by every bplib module.

Each check raises a ``TypeError`` (wrong kind of thing) or ``ValueError`` (right kind,
wrong shape or value) whose message names the function or layer (``where``), what was
expected and what came. They never use ``assert``, which ``python -O`` removes.

The checks are written to be cheap on the hot path: a float ndarray of the right
dimension is returned as it is (no copy), after one pass to confirm it is finite.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["NonFiniteError", "Checked", "as_array", "as_generator", "positive_int",
           "real_number", "check_name"]


class NonFiniteError(ValueError):
    """A ``ValueError`` for NaN or infinity where finite numbers were expected.

    Its own class so that a training loop can tell "the numbers blew up" (divergence)
    from other bad input without reading the message.
    """


def all_finite(x: np.ndarray) -> bool:
    """True if every entry of the float array ``x`` is finite.

    One BLAS dot product in the common case: the sum of squares Σ x² is finite only
    if every entry is (NaN and ±inf propagate, and squares cannot cancel). Only when
    it is not finite (a bad entry, or entries above about 1e154, or 1e19 in float32,
    whose squares overflow) is every entry tested.
    """
    return math.isfinite(np.vdot(x, x)) or bool(np.isfinite(x).all())


def _describe(x) -> str:
    """A short description of ``x`` for error messages: type, and shape if it has one."""
    if isinstance(x, np.ndarray):
        return f"ndarray of shape {x.shape} and dtype {x.dtype}"
    if isinstance(x, (list, tuple)):
        return f"{type(x).__name__} of length {len(x)}"
    return f"{type(x).__name__} {x!r}"[:120]


def _to_float_array(x, name: str, where: str) -> np.ndarray:
    """Convert anything array-like to a float ndarray (floats keep their dtype)."""
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{where}: expected {name} to be a numeric array, got {_describe(x)}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:  # ragged lists and the like
        raise TypeError(f"{where}: expected {name} to be a numeric array, "
                        f"got {_describe(x)} ({exc})") from None
    kind = arr.dtype.kind
    if kind == "f":
        return arr
    if kind in "biu":  # bool, int, unsigned: promote to the float64 default
        return arr.astype(np.float64)
    if kind == "O":  # e.g. a list mixing numbers and numpy scalars
        try:
            return arr.astype(np.float64)
        except (TypeError, ValueError):
            pass
    raise TypeError(f"{where}: expected {name} to be a real numeric array, "
                    f"got dtype {arr.dtype} ({_describe(x)})")


def as_array(x, name: str, *, ndim=None, where: str) -> np.ndarray:
    """Return ``x`` as a finite float ndarray, or raise a message naming ``where``.

    Parameters
    ----------
    x : array_like
        The input. A float ndarray is returned as it is (same object, same dtype:
        float32 stays float32). Integers and booleans become float64.
    name : str
        What ``x`` is called in messages, e.g. ``"X"`` or ``"y_hat"``.
    ndim : int or tuple of int, optional
        The allowed number of dimensions.
    where : str
        The function or layer doing the check, e.g. ``"Dense('dense0').forward"``.

    Raises
    ------
    TypeError
        If ``x`` is not numeric (strings, None, complex, ragged lists).
    ValueError
        If ``x`` has the wrong number of dimensions; ``NonFiniteError`` (a
        ``ValueError``) if it holds NaN or infinity.
    """
    if type(x) is np.ndarray and x.dtype.kind == "f":  # fast path: no conversion
        arr = x
    else:
        arr = _to_float_array(x, name, where)
    if ndim is not None and arr.ndim != ndim and (
            not isinstance(ndim, tuple) or arr.ndim not in ndim):
        want = " or ".join(map(str, ndim)) if isinstance(ndim, tuple) else str(ndim)
        raise ValueError(f"{where}: expected {name} with {want} dimension(s), "
                         f"got {arr.ndim} (shape {arr.shape})")
    if not all_finite(arr):
        bad = ~np.isfinite(arr)
        first = tuple(int(i) for i in np.argwhere(bad)[0]) if arr.ndim else ()
        raise NonFiniteError(f"{where}: expected finite values in {name}, got "
                         f"{int(bad.sum())} non-finite value(s) (first at index "
                         f"{first}: {arr[first].item()!r})")
    return arr


class Checked:
    """What layers and losses share: input checks and the forward cache.

    ``forward`` checks its inputs with ``_checked`` and stores what ``backward`` needs
    in ``_cache``; ``backward`` reads it with ``_cached``. Error messages name the
    object and method through ``_where`` (a layer adds its name).
    """

    _cache = None

    def _where(self, method: str) -> str:
        """How error messages name this object, e.g. ``"MSE.forward"``."""
        return f"{type(self).__name__}.{method}"

    def _checked(self, x, name: str, ndim=None) -> np.ndarray:
        """``x`` as a finite float ndarray (no copy if it is one), or a clear error."""
        if (type(x) is np.ndarray and x.dtype.kind == "f"
                and (ndim is None or x.ndim == ndim) and all_finite(x)):
            return x  # the common case, without building a message
        return as_array(x, name, ndim=ndim, where=self._where("forward"))

    def _cached(self):
        """What ``forward`` cached, or a RuntimeError saying it must come first."""
        if self._cache is None:
            raise RuntimeError(f"{self._where('backward')}: backward() was called before "
                               "forward(); run forward first, so that it can cache what "
                               "backward needs")
        return self._cache


def as_generator(seed, *, where: str = "as_generator") -> np.random.Generator:
    """Return a ``numpy.random.Generator`` from an int seed or a Generator.

    A Generator is returned as it is (so it keeps advancing); an int (>= 0) gives a
    fresh ``numpy.random.default_rng(seed)``, so the same int always gives the same
    numbers. ``None`` is refused: bplib has no hidden randomness, a seed is required.
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise TypeError(f"{where}: a seed is required (an int >= 0 or a "
                        "numpy.random.Generator), got None; bplib never draws "
                        "unseeded random numbers")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{where}: expected seed to be an int >= 0 or a "
                        f"numpy.random.Generator, got {_describe(seed)}")
    if seed < 0:
        raise ValueError(f"{where}: expected seed to be an int >= 0, got {seed}")
    return np.random.default_rng(int(seed))


def positive_int(value, name: str, *, where: str) -> int:
    """Return ``value`` as an int >= 1, or raise TypeError/ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{where}: expected {name} to be a positive int, "
                        f"got {_describe(value)}")
    if value < 1:
        raise ValueError(f"{where}: expected {name} to be a positive int, got {value}")
    return int(value)


def real_number(value, name: str, *, where: str, low=None, high=None,
                low_open=False, high_open=False) -> float:
    """Return ``value`` as a finite float in the interval given, or raise.

    The one real-number check of bplib (layers, optimizers, the scalar engine, the
    sliders). ``value`` must be a real number (an int, a float or a numpy scalar; not a
    bool, not an array). ``low``/``high`` bound it, closed unless ``low_open`` /
    ``high_open``. A ``TypeError`` (not a number) or ``ValueError`` (NaN, infinite or
    out of range) names ``where``, ``name`` and what came, e.g.
    ``"SGD: expected lr in (0, inf), got -0.1"``.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: expected {name} to be a real number, "
                        f"got {_describe(value)}")
    v = float(value)
    too_low = low is not None and (v <= low if low_open else v < low)
    too_high = high is not None and (v >= high if high_open else v > high)
    if not math.isfinite(v):
        raise ValueError(f"{where}: expected {name} to be a finite real number, got {value!r}")
    if too_low or too_high:
        lo = "(-inf" if low is None else ("(" if low_open else "[") + f"{low}"
        hi = "inf)" if high is None else f"{high}" + (")" if high_open else "]")
        raise ValueError(f"{where}: expected {name} in {lo}, {hi}, got {value!r}")
    return v


def check_name(name, options, *, what: str, where: str) -> str:
    """Return ``name`` if it is one of ``options``, else a message listing them."""
    if not isinstance(name, str):
        raise TypeError(f"{where}: expected {what} name as a str (one of "
                        f"{', '.join(map(repr, options))}), got {_describe(name)}")
    if name not in options:
        raise ValueError(f"{where}: unknown {what} {name!r}; expected one of "
                         f"{', '.join(map(repr, options))}")
    return name
