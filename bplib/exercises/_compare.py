"""Comparing a learner's value with the right one, and naming what differs.

Internal helpers of :mod:`bplib.exercises.core`; each diagnosis is a triple
(status, mistake name or None, message in plain words).
"""

from __future__ import annotations

import math

import numpy as np

from .feedback import CORRECT, INCORRECT

_FACTOR_RTOL = 1e-6
#: Relative tolerance for an answer a person types by hand (a few digits). A check with
#: ``rtol`` at least this large treats the answer as typed: it is also accepted when it is
#: the right value correctly rounded to :data:`TYPED_DIGITS` significant digits, and an
#: answer right to fewer digits is told so.
TYPED_RTOL = 1e-3
#: Significant digits that are enough for a typed answer (0.0192 for 0.019231...).
TYPED_DIGITS = 3


def _fmt(v) -> str:
    a = np.asarray(v)
    if a.ndim == 0:
        return f"{float(a):.6g}" if np.issubdtype(a.dtype, np.number) else repr(v)
    # 4 significant digits for every entry, so that 1e-6 next to 1 is not shown as 0
    return np.array2string(a, threshold=30, formatter={"float_kind": _fmt_entry})


def _fmt_entry(x) -> str:
    return f"{x:.4g}"


def _numeric(value, what="your answer", several=False):
    """(float ndarray, None) or (None, a learner-friendly reason it is not numeric).

    ``several``: the right answer holds several numbers (the message asks for a list).
    """
    wanted = "numbers (a list or an array)" if several else "a number"
    if value is None:
        return None, f"{what} is None (nothing): did you forget to assign or `return` it?"
    if isinstance(value, (str, bytes)):
        return None, f"{what} is text ({value!r}); give {wanted}, without quotes."
    if callable(value):
        return None, (f"{what} is a function ({getattr(value, '__name__', '?')}); call it "
                      "with its arguments, e.g. f(x), to get a value.")
    if isinstance(value, (bool, np.bool_)):
        return None, f"{what} is {value}; {wanted} " + ("were" if several else "was") \
            + " expected."
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None, f"{what} has type {type(value).__name__}; numbers were expected."
    if not np.all(np.isfinite(arr)):
        return None, f"{what} contains nan or inf: something divided by zero or overflowed."
    return arr, None


def _typed(rtol) -> bool:
    """True for the tolerance of an answer typed by hand (see :data:`TYPED_RTOL`)."""
    return rtol >= TYPED_RTOL


def _rounded_ok(a, b):
    """Entry by entry: ``a`` is ``b`` correctly rounded to TYPED_DIGITS significant digits."""
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore"):
        lead = np.floor(np.log10(np.abs(b)))
    unit = np.where(b != 0, 10.0 ** np.where(b != 0, lead, 0) / 10 ** (TYPED_DIGITS - 1), 0)
    return np.abs(np.asarray(a, dtype=float) - b) <= 0.5 * unit * (1 + 1e-9)


def _isclose(a, b, rtol, atol):
    """Entry by entry: ``a`` is close enough to ``b`` (typed answers may be rounded)."""
    ok = np.isclose(a, b, rtol=rtol, atol=atol)
    return ok | _rounded_ok(a, b) if _typed(rtol) else ok


def _close(a, b, rtol, atol) -> bool:
    return a.shape == b.shape and bool(np.all(_isclose(a, b, rtol, atol)))


def _transposed(a, b, rtol, atol) -> bool:
    return (a.ndim == 2 and a.shape != b.shape and a.T.shape == b.shape
            and _close(a.T, b, rtol, atol))


def _ratio(got, want):
    """The constant c with got == c * want, or None."""
    if got.shape != want.shape or not np.any(want):
        return None
    c = float(np.sum(got * want) / np.sum(want * want))
    if not np.allclose(got, c * want, rtol=1e-6, atol=1e-9 * (1 + np.max(np.abs(want)))):
        return None
    return c


def _near_int(v, tol=_FACTOR_RTOL):
    """The integer k in 2..1000 with v == k (relative tolerance ``tol``), or None."""
    k = round(v)
    return k if 2 <= k <= 1000 and math.isclose(v, k, rel_tol=tol) else None


def _factor_mistake(c, several_values, tol=_FACTOR_RTOL):
    """(name, message) for an answer that is c times the right one, or None.

    ``tol``: how closely c must match -1, 2, 1/2, n, 1/n (a typed answer, accepted at
    about 1e-3, has a ratio known only to about that).
    """
    if abs(c - 1.0) <= max(1e-6, tol) or abs(c) < 1e-12:
        return None   # 1 to the precision of the answer (float32, rounding): no factor
    if math.isclose(c, -1.0, rel_tol=tol):
        return ("wrong sign", "Your answer has the right size but the opposite sign. "
                "Check the order of a subtraction (y - y_hat versus y_hat - y) or a minus "
                "sign you dropped.")
    neg = "wrong sign and " if c < 0 else ""
    sign = "the opposite sign and " if c < 0 else ""
    m = abs(c)
    k = _near_int(m, tol)
    if k == 2:
        return (f"{neg}extra factor of 2", f"Your answer is {sign}twice the right one. "
                "Is there a factor 2 too many (or a 1/2 you left out)?")
    if k:
        return (f"{neg}missing factor of 1/{k}", f"Your answer is {sign}{k} times the right "
                "one. Did you add up where you should average (a missing 1/n), or count "
                "something twice?")
    k = _near_int(1.0 / m, tol)
    if k == 2:
        return (f"{neg}missing factor of 2", f"Your answer is {sign}half the right one. Did "
                "you forget the 2 that comes from differentiating a square (or add a 1/2)?")
    if k:
        return (f"{neg}extra factor of 1/{k}", f"Your answer is {sign}1/{k} of the right one. "
                "Did you divide by n (take a mean) where a sum is asked for?")
    if several_values:
        return ("off by a constant factor",
                f"Your answer is {c:.4g} times the right one everywhere: the shape of "
                "the computation is right, but a constant factor is off.")
    return None


def _shape_message(got, want, what="your answer"):
    if got.ndim == 0 and want.ndim == 1:
        return ("one number instead of a list", f"You gave one number; a list of "
                f"{want.size} is expected.")
    if got.shape == want.shape[::-1] and got.ndim == 2:
        return ("transposed shape", f"{what} has shape {got.shape} but shape {want.shape} "
                "is expected: it looks transposed (rows are examples, columns features).")
    if got.size == want.size:
        return ("wrong shape", f"{what} has shape {got.shape} but shape {want.shape} is "
                "expected (same number of entries: a reshape or an extra axis?).")
    return ("wrong shape", f"{what} has shape {got.shape} but shape {want.shape} is expected.")


def _plural(name):
    """True when a part's name is plural ("the absolute errors", not "the number of
    steps" or "dE_dw"): its head noun, the last word before any " of ", ends in s."""
    head = name.split(" of ", 1)[0].split()
    return bool(head) and head[-1].isalpha() and head[-1].endswith("s") \
        and not head[-1].endswith("ss")


def _cap(text):
    """Capitalise a sentence's first word unless it is a name such as dE_dw, db or x
    (a word without a vowel is a variable's name, not English)."""
    first = text.split(" ", 1)[0]
    word = first.islower() and first.isalpha() and any(c in "aeiouy" for c in first)
    return text[0].upper() + text[1:] if word else text


def _digits(got, want):
    """How many significant digits of ``want`` the number ``got`` gets right (0 to 15).

    ``got`` is right to n digits when it lies within half a unit of the n-th
    significant digit of ``want`` (so 0.45 and 0.4499 are right to 3 digits of 0.4502).
    """
    if want == 0 or not math.isfinite(got):
        return 0
    lead = math.floor(math.log10(abs(want)))
    n = 0
    while n < 15 and abs(got - want) <= 0.5 * 10.0 ** (lead - n):
        n += 1
    return n


def _entry(index, shape, word="entry"):
    """A position in words, counted from 1: 'row 2', 'row 1, column 3'."""
    if len(shape) == 1:
        return f"{word} {index[0] + 1} (index {index[0]})"
    if len(shape) == 2:
        return f"row {index[0] + 1}, column {index[1] + 1} (index {tuple(index)})"
    return f"index {tuple(index)}"


def _diagnose(got, want, rtol, atol, mistakes, what="your answer", entry="entry"):
    """Feedback fields (status, mistake name, message) for a value answer."""
    want = np.asarray(want, dtype=float)
    arr, problem = _numeric(got, what, several=want.size > 1)
    if arr is None:
        return INCORRECT, None, _cap(problem)
    if want.ndim == 0 and arr.size == 1:
        arr = arr.reshape(())
    if _close(arr, want, rtol, atol):
        return CORRECT, None, ""
    for m in mistakes:
        if m.value is not None:
            mv = np.asarray(m.value, dtype=float)
            if _close(arr, mv.reshape(arr.shape) if mv.size == arr.size == 1 else mv, rtol, atol):
                return INCORRECT, m.name, m.message
    if _transposed(arr, want, rtol, atol):
        return INCORRECT, "transposed shape", (
            f"{_cap(what)} has shape {arr.shape}; the right one has shape "
            f"{want.shape} and holds the same numbers transposed. Check which axis is the "
            "batch (rows are examples).")
    if arr.shape != want.shape:
        name, msg = _shape_message(arr, want, _cap(what))
        return INCORRECT, name, msg
    c = _ratio(arr, want)
    if c is not None:
        found = _factor_mistake(c, several_values=np.unique(np.abs(want)).size > 1,
                                tol=max(_FACTOR_RTOL, rtol))
        if found:
            return INCORRECT, found[0], found[1]
    What = _cap(what)
    if want.ndim == 0:
        got_v, want_v = float(arr), float(want)
        n = _digits(got_v, want_v)
        if _typed(rtol) and n >= 2 and want_v != round(want_v):
            return INCORRECT, "not enough digits", (
                f"{What}, {_fmt(arr)}, is right to {n} significant digits, but not "
                f"closer: give {TYPED_DIGITS} significant digits (round only at the end).")
        side = "too large" if got_v > want_v else "too small"
        if want_v < 0 and got_v < 0:
            side += (" (less negative than the right one)" if got_v > want_v else
                     " (more negative than the right one)")
        return INCORRECT, None, f"{What}, {_fmt(arr)}, is {side}."
    bad = ~_isclose(arr, want, rtol, atol)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    n_bad = int(bad.sum())
    count = (f"{n_bad} of {bad.size} entries {'is' if n_bad == 1 else 'are'}"
             if bad.size > 1 else "The entry is")
    return INCORRECT, None, (f"{count} not right yet; the first one is "
                             f"{_entry(first, want.shape, entry)}.")
