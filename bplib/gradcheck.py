"""Gradient checking: compare a backward pass with central differences.

The numerical gradient of a scalar function f at x is, entry by entry,

    ∂f/∂x_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h),   h ≈ eps = 1e-6,

whose error is O(h²) plus rounding. Analytic gradient a and numerical gradient n of one
array are compared by their relative error (Chapter 6, eq. (ch06-rel-error))

    rel(a, n) = ‖a - n‖ / (‖a‖ + ‖n‖)          (0 when both are zero),

below 1e-7 in float64 for a correct backward (typically ~1e-10); a wrong one gives
~1e-3 or more. Rounding limits what the differences can resolve: each evaluation of f
is off by a few units in its last place, so n carries a noise ν ≈ 1e-16 abs(f) / h per
entry (about 1e-10 for f ~ 1). ``report.errors`` is rel(a, n) exactly; the noise enters
only the verdict: an array passes when

    ‖a - n‖ < tol (‖a‖ + ‖n‖) + ‖ν‖,

that is, when rel(a, n) < tol or the disagreement is no larger than rounding can
explain (a gradient that is zero, or 1e-12, agrees with a numerical 5e-11).
A report names the array (input ``"X"`` or a parameter such as ``"dense0.W"``) and the
index where the two disagree most.

To check a layer, the scalar is f = Σ R ⊙ layer(X) for a fixed random R, so
``backward(R)`` must give ∂f/∂X and ∂f/∂params. Random generators a layer holds (for
dropout masks) are rewound before every forward pass, so each pass draws the same mask.

Kinks. ReLU, leaky ReLU, max and abs have a corner where the slope jumps. A step
x ± h that carries an input across that corner averages the two slopes, and the
numerical gradient of that entry is then wrong, not the backward pass (Chapter 6,
eq. (ch06-kink)). The checks watch every kink they can see (the inputs of ``ReLU``
and ``LeakyReLU`` layers, any layer with a ``kink_sides()`` method, the weights of an
``L1`` penalty, and for ``check_function`` the points of ``relu``, ``leaky_relu`` and
``abs``, or a ``kinks=`` function you give) and record which steps crossed one. Each
crossed entry is re-checked with the step halved until it crosses no kink (down to
``2**-30 * max(1, abs(x_i))``). An array that fails is then judged on the entries whose step
crossed nothing together with the re-checked ones: if they agree, a false alarm (the
disagreement was the kink's); if not, FAILED; if some entry crossed a kink at every
step size (it sits on the corner), "inconclusive". The check also issues a
``KinkWarning``. ``report.table()`` is the per-array table: relative error, worst
entry, steps across a kink, re-checked entries, the error after the re-check, and the
verdict.
"""

from __future__ import annotations

import warnings

import numpy as np

from bplib._validate import as_array, as_generator

__all__ = ["numerical_gradient", "relative_error", "GradCheckReport", "GradCheckError",
           "KinkWarning", "check_function", "check_layer", "check_loss", "check_network"]

# A generous bound on the relative rounding error of one evaluation of f.
_ROUNDING = 8 * np.finfo(np.float64).eps
# The smallest step a re-check across a kink tries, relative to max(1, |x_i|).
_SMALLEST_STEP = 2.0 ** -30


class GradCheckError(AssertionError):
    """Raised by ``GradCheckReport.raise_if_failed`` when the gradients disagree."""


class KinkWarning(UserWarning):
    """A finite-difference step crossed a kink (ReLU, max, abs): the numerical gradient
    of that entry averages two slopes, so a disagreement there may be a false alarm."""


def _difference(f, x, i, h, base, base_sides, sides):
    """One central difference of f in entry i with step h: (gradient, noise, kinks crossed).

    Divides by the step actually taken, ``x[i] + h - (x[i] - h)`` after rounding, so the
    quotient is right whether or not x ± h are exact.
    """
    old = x[i]
    x[i] = old + h
    up, step_up = np.array(f(x), dtype=np.float64), x[i]
    moved_sides = _changed(base_sides, sides) if sides else []
    x[i] = old - h
    down, step_down = np.array(f(x), dtype=np.float64), x[i]
    moved_sides += _changed(base_sides, sides) if sides else []
    x[i] = old
    step = step_up - step_down            # the step actually taken, about 2h
    grad = (up - down).sum() / step       # entries f did not move cancel exactly
    moved = (up != base) | (down != base)
    noise = _ROUNDING * (np.abs(up[moved]).sum() + np.abs(down[moved]).sum()) / step
    return grad, noise, moved_sides


def _central_differences(f, x, eps, sides=None):
    """Numerical gradient of f at x, a bound on its rounding noise, and kink crossings.

    The step h is ``eps`` rounded to a power of two (1e-6 -> 2**-20 ≈ 9.5e-7); the
    quotient divides by the step actually taken (x ± h need not be exact). The noise
    bound counts the entries of f that the step moved.

    ``sides`` (optional) returns ``{kink name: array}`` describing on which side of
    each kink the last evaluation of f was; an entry whose step up or down changed it
    is marked in the returned boolean array ``crossed``, and the names of the kinks
    crossed are collected in the returned set. Each crossed entry is then re-checked
    with the step halved until neither side changes (down to ``2**-30 * max(1, abs(x_i))``):
    ``recheck`` is ``(done, grad, noise)``, where ``done`` marks the crossed entries
    that could be re-checked and ``grad``, ``noise`` hold their values at that step.
    """
    h = 2.0 ** np.round(np.log2(eps))
    base = np.array(f(x), dtype=np.float64)
    base_sides = sides() if sides else {}
    grad = np.zeros(x.shape, dtype=np.float64)
    noise = np.zeros(x.shape, dtype=np.float64)
    crossed = np.zeros(x.shape, dtype=bool)
    done = np.zeros(x.shape, dtype=bool)
    regrad = np.full(x.shape, np.nan)
    renoise = np.full(x.shape, np.nan)
    where = set()
    for i in np.ndindex(x.shape):
        grad[i], noise[i], moved_sides = _difference(f, x, i, h, base, base_sides, sides)
        if not moved_sides:
            continue
        crossed[i] = True
        where.update(moved_sides)
        smallest = _SMALLEST_STEP * max(1.0, abs(float(x[i])))
        step = h / 2
        while step >= smallest:
            g, nz, still = _difference(f, x, i, step, base, base_sides, sides)
            if not still:
                done[i], regrad[i], renoise[i] = True, g, nz
                break
            step /= 2
    return grad, noise, crossed, where, (done, regrad, renoise)


def _changed(base, sides):
    """Names of the kinks whose side differs now from ``base``."""
    now = sides()
    return [k for k, v in base.items()
            if k in now and (np.shape(now[k]) != np.shape(v) or np.any(now[k] != v))]


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of ``f`` at ``x`` (same shape as ``x``).

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar (an array result is summed, after subtracting the two
        evaluations entry by entry, which keeps rounding error small).
    x : float ndarray
        Changed in place one entry at a time, and restored exactly afterwards.
    eps : float
        The step h, rounded to the nearest power of two (2**-20 for 1e-6); each
        difference is divided by the step actually taken, (x + h) - (x - h) as
        rounded, so it stays right where x ± h are not exact.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError("numerical_gradient: expected x to be a float ndarray (it is "
                        f"changed in place), got {type(x).__name__}"
                        + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    return _central_differences(f, x, eps)[0]


def relative_error(a, b) -> float:
    """‖a - b‖ / (‖a‖ + ‖b‖) with Euclidean norms; 0.0 when a and b are both zero."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: expected a and b of the same shape, got "
                         f"{a.shape} and {b.shape}")
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


class GradCheckReport:
    """The outcome of a gradient check, array by array.

    Attributes
    ----------
    errors : dict[str, float]
        Relative error per checked array (``"X"``, ``"W"``, ``"dense0.W"``, ...),
        exactly ‖a - n‖ / (‖a‖ + ‖n‖) (0 when both are zero).
    analytic, numerical, noise : dict[str, ndarray]
        The two gradients compared, and the rounding-noise bound ν of the numerical one
        (zeros if not given).
    kinks : dict[str, ndarray of bool]
        Per array, the entries whose finite-difference step crossed a kink (all False
        if the check could see no kink, or none was crossed).
    rechecked : dict[str, ndarray of bool]
        The entries of ``kinks`` that were re-checked with a smaller step that crossed
        no kink; ``numerical_rechecked`` holds the numerical gradient with those
        entries replaced by their re-checked values.
    kink_sources : list[str]
        The kinks crossed, e.g. ``["ReLU 'relu0'"]``.
    errors_without_kinks : dict[str, float]
        The relative error of each array after the re-check: the entries in ``kinks``
        replaced by their re-checked values, those that could not be re-checked left
        out (nan if no entry is left).
    max_rel_error : float
    worst : (str, tuple)
        The array with the largest relative error and the index of its largest
        absolute disagreement.
    tol : float
    ok : bool
        Every array passes: ‖a - n‖ < tol (‖a‖ + ‖n‖) + ‖ν‖, that is, relative error
        below ``tol`` or a disagreement that rounding alone can explain.
    false_alarm : bool
        Not ``ok``, but every array that fails passes once its steps across a kink are
        re-checked with a smaller step: the disagreement is the kink's, not the
        backward pass's.
    inconclusive : bool
        Not ``ok`` and nothing ``"FAILED"``, but some step crossed a kink at every step
        size tried, so the checker cannot tell.
    """

    def __init__(self, analytic, numerical, tol=1e-7, noise=None, kinks=None,
                 kink_sources=(), rechecked=None):
        self.analytic, self.numerical, self.tol = analytic, numerical, tol
        noise = noise or {}
        kinks = kinks or {}
        rechecked = rechecked or {}
        self.noise = {k: noise.get(k, np.zeros(np.shape(analytic[k]))) for k in analytic}
        self.kinks = {k: np.asarray(kinks.get(k, np.zeros(np.shape(analytic[k]), bool)),
                                    dtype=bool) for k in analytic}
        self._recheck = {}
        for k in analytic:
            shape = np.shape(analytic[k])
            done, n, nz = rechecked.get(k, (np.zeros(shape, bool), None, None))
            done = np.asarray(done, dtype=bool) & self.kinks[k]
            n2 = np.array(numerical[k], dtype=np.float64, copy=True)
            nz2 = np.array(self.noise[k], dtype=np.float64, copy=True)
            if done.any():
                n2[done], nz2[done] = np.asarray(n)[done], np.asarray(nz)[done]
            self._recheck[k] = (done, n2, nz2)
        self.rechecked = {k: v[0] for k, v in self._recheck.items()}
        self.numerical_rechecked = {k: v[1] for k, v in self._recheck.items()}
        self.kink_sources = list(kink_sources)
        self.errors = {k: self._error(k) for k in analytic}
        self.errors_without_kinks = {
            k: self._error(k, self._judged(k), recheck=True) if self.kinks[k].any()
            else self.errors[k] for k in analytic}
        name = max(self.errors, key=self.errors.get) if self.errors else ""
        self.worst = (name, self._worst_index(name) if name else ())
        self.max_rel_error = self.errors[name] if name else 0.0
        verdicts = [self.verdict(k) for k in analytic]
        self.ok = all(v == "ok" for v in verdicts)
        failing = [v for v in verdicts if v != "ok"]
        self.false_alarm = bool(failing) and all(v == "false alarm (kink)"
                                                 for v in failing)
        self.inconclusive = (bool(failing) and "FAILED" not in failing
                             and not self.false_alarm)

    def _judged(self, k):
        """Entries that can be judged: steps that crossed no kink, and re-checked ones."""
        return ~self.kinks[k] | self.rechecked[k]

    def _arrays(self, k, keep=None, recheck=False):
        a = np.asarray(self.analytic[k], dtype=np.float64)
        if recheck:
            _, n, noise = self._recheck[k]
        else:
            n = np.asarray(self.numerical[k], dtype=np.float64)
            noise = np.asarray(self.noise[k], dtype=np.float64)
        if keep is not None:
            a, n, noise = a[keep], n[keep], noise[keep]
        return a, n, noise

    def _error(self, k, keep=None, recheck=False):
        """Eq. (ch06-rel-error) over the entries ``keep`` (nan if there are none)."""
        a, n, _ = self._arrays(k, keep, recheck)
        if keep is not None and not np.any(keep):
            return float("nan")
        return relative_error(a, n)

    def _passes(self, k, keep=None, recheck=False, tol=None):
        """‖a - n‖ < tol (‖a‖ + ‖n‖) + ‖ν‖: agreement up to tol or rounding noise."""
        tol = self.tol if tol is None else tol
        a, n, noise = self._arrays(k, keep, recheck)
        gap = np.linalg.norm(a - n)
        return bool(gap == 0 or gap < tol * (np.linalg.norm(a) + np.linalg.norm(n))
                    + np.linalg.norm(noise))

    def _worst_index(self, name):
        """Index of the largest absolute disagreement in array ``name``."""
        if not np.size(self.analytic[name]):
            return ()
        d = np.abs(np.asarray(self.analytic[name], dtype=np.float64) - self.numerical[name])
        return tuple(int(i) for i in np.unravel_index(np.argmax(d), d.shape))

    def verdict(self, name) -> str:
        """One array's verdict: "ok", "FAILED", "false alarm (kink)", or "inconclusive
        (every step crossed a kink)".

        An array that fails with steps across a kink is judged again with those entries
        re-checked at a smaller step: if the steps that crossed no kink and the
        re-checked ones agree, a false alarm; if they disagree, FAILED; if some step
        crossed a kink at every step size tried, the checker cannot tell.
        """
        if self._passes(name):
            return "ok"
        if not self.kinks[name].any():
            return "FAILED"
        judged = self._judged(name)
        if judged.any() and not self._passes(name, judged, recheck=True):
            return "FAILED"
        if not judged.all():
            return "inconclusive (every step crossed a kink)"
        return "false alarm (kink)"

    def table(self):
        """The per-array report as a pandas DataFrame, one row per checked array.

        Columns: ``shape``, ``rel_error``, ``worst`` (the index of the largest
        disagreement), ``analytic`` and ``numerical`` there, ``kink_steps`` (entries
        whose step crossed a kink), ``rechecked`` (how many of those a smaller step
        re-checked), ``rel_error_without_kinks`` (after the re-check) and ``verdict``
        ("ok", "FAILED", "false alarm (kink)", "inconclusive (...)").
        """
        import pandas as pd

        rows = []
        for k in self.analytic:
            i = self._worst_index(k)
            a = np.asarray(self.analytic[k], dtype=np.float64)
            n = np.asarray(self.numerical[k], dtype=np.float64)
            rows.append(dict(array=k, shape=tuple(a.shape), rel_error=self.errors[k],
                             worst=i, analytic=float(a[i]) if a.size else np.nan,
                             numerical=float(n[i]) if n.size else np.nan,
                             kink_steps=int(self.kinks[k].sum()),
                             rechecked=int(self.rechecked[k].sum()),
                             rel_error_without_kinks=self.errors_without_kinks[k],
                             verdict=self.verdict(k)))
        return pd.DataFrame(rows).set_index("array")

    def kink_message(self) -> str:
        """What the kinks did, in words ("" when no step crossed one)."""
        crossed = {k: int(v.sum()) for k, v in self.kinks.items() if v.any()}
        if not crossed:
            return ""
        where = ", ".join(f"{n} entr{'y' if n == 1 else 'ies'} of {k}"
                          for k, n in crossed.items())
        what = " and ".join(self.kink_sources) if self.kink_sources else "a kink"
        text = (f"finite-difference steps crossed a kink of {what} at {where}; "
                "their numerical gradients average two slopes")
        if self.false_alarm:
            text += ("; re-checked with a smaller step that crosses no kink, every "
                     "array passes: a false alarm, not a bug")
        elif self.inconclusive:
            text += ("; some steps crossed a kink at every step size tried, so the "
                     "check cannot tell (check at a point away from the kink)")
        elif not self.ok:
            text += ("; the check fails after the re-check with a smaller step too: "
                     "a real disagreement")
        return text

    def __str__(self):
        status = "OK" if self.ok else "FAILED"
        lines = [f"gradient check {status}: max relative error {self.max_rel_error:.2e}, "
                 f"tol {self.tol:.0e}"]
        for k, err in self.errors.items():
            v = self.verdict(k)
            flag = ("" if v == "ok" and err < self.tol else
                    "   (within rounding noise)" if v == "ok" else "   <-- disagrees")
            if self.kinks[k].any():
                n = int(self.kinks[k].sum())
                flag += (f"   ({n} step{'s' if n > 1 else ''} across a kink; re-checked "
                         f"{int(self.rechecked[k].sum())}, then "
                         f"{self.errors_without_kinks[k]:.2e}: {v})")
            lines.append(f"  {k:<12} relative error {err:.2e}{flag}")
        if not self.ok:
            name, i = self.worst
            lines.append(f"worst: {name}{list(i)}: analytic "
                         f"{float(self.analytic[name][i]):.10g}, numerical "
                         f"{float(self.numerical[name][i]):.10g}")
        kinks = self.kink_message()
        if kinks:
            lines.append("kinks: " + kinks)
        return "\n".join(lines)

    def __repr__(self):
        return (f"GradCheckReport(ok={self.ok}, max_rel_error={self.max_rel_error:.2e}, "
                f"worst={self.worst!r})")

    def raise_if_failed(self, tol=None):
        """Raise ``GradCheckError`` (an AssertionError) with the report if it fails.

        ``tol`` defaults to the tolerance the check ran with (1e-7). Returns ``self``.
        """
        tol = self.tol if tol is None else tol
        again = self if tol == self.tol else GradCheckReport(
            self.analytic, self.numerical, tol, self.noise, self.kinks, self.kink_sources,
            {k: v for k, v in self._recheck.items()})
        if not again.ok:
            raise GradCheckError(str(again))
        return self


def _float64_copy(x, name, where):
    return np.array(as_array(x, name, where=where), dtype=np.float64)


def _report(f, arrays, analytic, eps, tol, sides=None, where="", warn=True):
    """Central differences of f for each named array, compared with ``analytic``."""
    numerical, noise, kinks, rechecked, sources = {}, {}, {}, {}, set()
    for k, x in arrays.items():
        if np.shape(analytic[k]) != np.shape(x):
            what = "input" if k in ("X", "x", "y_hat") else "parameter"
            hint = " (transposed?)" if np.shape(analytic[k]) == np.shape(x)[::-1] else ""
            raise ValueError(f"{where}: expected the gradient for {k} to have the shape "
                             f"of the {what}, {np.shape(x)}, got "
                             f"{np.shape(analytic[k])}{hint}")
        numerical[k], noise[k], kinks[k], crossed, rechecked[k] = _central_differences(
            f, x, eps, sides)
        sources |= crossed
    report = GradCheckReport(analytic, numerical, tol, noise, kinks, sorted(sources),
                             rechecked)
    if warn and sources:
        warnings.warn(f"{where}: {report.kink_message()}", KinkWarning, stacklevel=3)
    return report


# Kinks the checks can see: bplib's piecewise-linear activations (import here, not at
# the top: activations imports layers, and gradcheck must stay importable on its own).
def _kink_layers():
    from bplib.activations import LeakyReLU, ReLU
    return (ReLU, LeakyReLU)


def _layer_sides(layers, names=None):
    """``sides()`` for the kinks inside ``layers``, or None if there are none."""
    kinked = []
    kinds = _kink_layers()
    for i, layer in enumerate(layers):
        name = names[i] if names else (getattr(layer, "name", None) or
                                       f"{type(layer).__name__.lower()}{i}")
        label = f"{type(layer).__name__} {name!r}"
        if callable(getattr(layer, "kink_sides", None)):
            kinked.append((label, layer.kink_sides))
        elif isinstance(layer, kinds):
            kinked.append((label, lambda layer=layer: layer._cached() > 0))
    if not kinked:
        return None
    return lambda: {label: np.array(fn(), copy=True) for label, fn in kinked}


def _function_kinks(f):
    """The kink test for a known piecewise-linear elementwise f, else None."""
    from bplib.activations import leaky_relu, relu
    if f in (relu, leaky_relu):
        return lambda v: v > 0
    if f in (np.abs, abs):
        return np.sign
    return None


def check_function(f, df, x, *, eps=1e-6, tol=1e-7, seed=0, kinks=None, warn=True):
    """Check ``df`` against central differences of ``f`` at ``x``.

    ``f`` is either scalar-valued with gradient ``df(x)`` (same shape as x), or
    elementwise (``f(x)`` has x's shape) with derivative ``df(x)``, e.g.
    ``check_function(sigmoid, sigmoid_prime, z)``. An elementwise f is checked through
    Σ R ⊙ f(x) for a fixed random R. Returns a ``GradCheckReport`` with the key "x".

    ``kinks``: a function of x whose value changes when x crosses a kink of f (e.g.
    ``lambda v: v > 0`` for a ReLU inside f); known for ``relu``, ``leaky_relu`` and
    ``abs``. Steps that cross one are reported, with a ``KinkWarning`` if ``warn``.
    """
    x = _float64_copy(x, "x", "check_function")
    out = np.asarray(f(x))
    R = 1.0 if out.ndim == 0 else as_generator(seed).standard_normal(out.shape)
    analytic = R * np.asarray(df(x), dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(f"check_function: expected df(x) of shape {x.shape} (that of "
                         f"x), got {np.shape(df(x))}")
    kinks = _function_kinks(f) if kinks is None else kinks
    label = getattr(f, "__name__", "f")
    label = "f" if label == "<lambda>" else label
    sides = None if kinks is None else (lambda: {label: np.array(kinks(x), copy=True)})
    return _report(lambda v: R * np.asarray(f(v)), {"x": x}, {"x": analytic}, eps, tol,
                   sides, "check_function", warn)


def _grads_of(params, grads, where):
    """float64 copies of the gradients, one per parameter name."""
    missing = [k for k in params if k not in grads]
    if missing:
        raise ValueError(f"{where}: expected a gradient for every parameter after "
                         f"backward(), got none for {', '.join(missing)}")
    return {k: np.array(grads[k], dtype=np.float64) for k in params}


def _generators(layers):
    """The random generators the layers hold, with their states, to rewind them."""
    gens = [v for layer in layers for v in vars(layer).values()
            if isinstance(v, np.random.Generator)]
    return [(g, g.bit_generator.state) for g in gens]


def _rewind(saved):
    for g, state in saved:
        g.bit_generator.state = state


def check_layer(layer, x, seed=0, *, eps=1e-6, tol=1e-7, warn=True):
    """Check a layer's ``backward`` for its input and every parameter.

    The layer's parameters should be float64. Uses f = Σ R ⊙ layer(x) with R drawn
    from ``seed``; ``x`` is copied to float64. Returns a ``GradCheckReport`` with keys
    "X" (unless ``backward`` returns None) and the parameter names. A step that
    carries an input of a ``ReLU`` or ``LeakyReLU`` layer across 0 is reported as a
    kink (``KinkWarning`` if ``warn``).
    """
    x = _float64_copy(x, "x", "check_layer")
    saved = _generators([layer])
    _rewind(saved)
    R = as_generator(seed, where="check_layer").standard_normal(np.shape(layer.forward(x)))
    _rewind(saved)
    layer.forward(x)
    dX = layer.backward(R)
    analytic = _grads_of(layer.params, layer.grads, "check_layer")
    arrays = layer.params
    if dX is not None:  # a layer asked for no input gradient may return None
        analytic = {"X": np.array(dX, dtype=np.float64), **analytic}
        arrays = {"X": x, **arrays}

    def f(_):
        _rewind(saved)
        return R * layer.forward(x)

    report = _report(f, arrays, analytic, eps, tol, _layer_sides([layer]), "check_layer",
                     warn)
    _rewind(saved)
    return report


def check_loss(loss, y_hat, y, *, eps=1e-6, tol=1e-7):
    """Check ``loss.backward()`` against central differences of ``loss(y_hat, y)``.

    Returns a ``GradCheckReport`` with the key "y_hat".
    """
    y_hat = _float64_copy(y_hat, "y_hat", "check_loss")
    loss.forward(y_hat, y)
    analytic = {"y_hat": np.array(loss.backward(), dtype=np.float64)}
    return _report(lambda v: loss.forward(v, y), {"y_hat": y_hat}, analytic, eps, tol,
                   where="check_loss")


def _penalty_sides(penalty, params):
    """Kinks of an L1 penalty: the sign of every penalised weight."""
    from bplib.regularization import L1
    if not isinstance(penalty, L1):
        return None
    weights = {k: v for k, v in params.items() if k == "W" or k.endswith(".W")}
    return lambda: {f"L1 penalty at {k} = 0": np.sign(v) for k, v in weights.items()}


def check_network(net, X, y, *, penalty=None, eps=1e-6, tol=1e-7, warn=True):
    """Check a whole network: ``net.loss(X, y)`` then ``net.backward()``.

    Compares ``net.grads`` with central differences of ``net.loss(X, y)`` for every
    parameter in ``net.params`` (keyed like ``"dense0.W"``), and the input gradient
    under the key "X" when ``backward`` returns one. With ``penalty`` (L1, L2), the
    penalised loss and its gradient are checked. Steps that carry the input of a ReLU
    or LeakyReLU layer across 0, or a weight of an L1 penalty across 0, are reported
    as kinks (``KinkWarning`` if ``warn``). Returns a ``GradCheckReport``.
    """
    X = _float64_copy(X, "X", "check_network")
    layers = list(getattr(net, "layers", ()))
    saved = _generators(layers)
    _rewind(saved)
    given = {} if penalty is None else {"penalty": penalty}  # any object with loss/backward
    net.loss(X, y, **given)
    dX = net.backward(**given)
    analytic = _grads_of(net.params, net.grads, "check_network")

    def f(_):
        _rewind(saved)
        return net.loss(X, y, **given)

    arrays = net.params
    if dX is not None:
        analytic = {"X": np.array(dX, dtype=np.float64), **analytic}
        arrays = {"X": X, **arrays}
    names = getattr(net, "names", None)
    found = [s for s in (_layer_sides(layers, names if names and len(names) == len(layers)
                                      else None),
                         _penalty_sides(penalty, arrays)) if s is not None]
    sides = (lambda: {k: v for s in found for k, v in s().items()}) if found else None
    report = _report(f, arrays, analytic, eps, tol, sides, "check_network", warn)
    _rewind(saved)
    return report
