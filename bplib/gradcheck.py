"""Gradient checking: compare a backward pass with central differences.

The numerical gradient of a scalar function f at x is, entry by entry,

    ∂f/∂x_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h),   h ≈ eps = 1e-6,

whose error is O(h²) plus rounding. Analytic gradient a and numerical gradient n of one
array are compared by their relative error

    rel(a, n) = ‖a - n‖ / (‖a‖ + ‖n‖)          (0 when both are zero),

below 1e-7 in float64 for a correct backward (typically ~1e-10); a wrong one gives
~1e-3 or more. Rounding limits what the differences can resolve: each evaluation of f
is off by a few units in its last place, so n carries a noise ν ≈ 1e-16 abs(f) / h per
entry (about 1e-10 for f ~ 1). Reports therefore use

    rel = ‖a - n‖ / (‖a‖ + ‖n‖ + ν / tol),

which is the formula above whenever the gradients stand well above the noise, and
which lets a gradient that is zero (or 1e-12) agree with a numerical 5e-11: a
disagreement counts as an error only when it exceeds what rounding can explain.
A report names the array (input ``"X"`` or a parameter such as ``"dense0.W"``) and the
index where the two disagree most.

To check a layer, the scalar is f = Σ R ⊙ layer(X) for a fixed random R, so
``backward(R)`` must give ∂f/∂X and ∂f/∂params. Random generators a layer holds (for
dropout masks) are rewound before every forward pass, so each pass draws the same mask.
"""

from __future__ import annotations

import numpy as np

from bplib._validate import as_array, as_generator

__all__ = ["numerical_gradient", "relative_error", "GradCheckReport", "GradCheckError",
           "check_function", "check_layer", "check_loss", "check_network"]

# A generous bound on the relative rounding error of one evaluation of f.
_ROUNDING = 8 * np.finfo(np.float64).eps


class GradCheckError(AssertionError):
    """Raised by ``GradCheckReport.raise_if_failed`` when the gradients disagree."""


def _central_differences(f, x, eps):
    """Numerical gradient of f at x, and a bound on its rounding noise, entry by entry.

    The step h is ``eps`` rounded to a power of two (1e-6 -> 2**-20 ≈ 9.5e-7), so that
    x ± h are exact for every |x| < 2**32 and the two sides of the difference are
    symmetric. The noise bound counts the entries of f that the step moved.
    """
    h = 2.0 ** np.round(np.log2(eps))
    base = np.array(f(x), dtype=np.float64)
    grad = np.zeros(x.shape, dtype=np.float64)
    noise = np.zeros(x.shape, dtype=np.float64)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up, step_up = np.array(f(x), dtype=np.float64), x[i]
        x[i] = old - h
        down, step_down = np.array(f(x), dtype=np.float64), x[i]
        x[i] = old
        step = step_up - step_down            # the step actually taken, 2h
        grad[i] = (up - down).sum() / step    # entries f did not move cancel exactly
        moved = (up != base) | (down != base)
        noise[i] = _ROUNDING * (np.abs(up[moved]).sum() + np.abs(down[moved]).sum()) / step
    return grad, noise


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
        The step h, rounded to the nearest power of two (2**-20 for 1e-6) so that
        x ± h are exact numbers.
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
        Relative error per checked array (``"X"``, ``"W"``, ``"dense0.W"``, ...):
        ‖a - n‖ / (‖a‖ + ‖n‖ + ν/tol), see the module docstring.
    analytic, numerical, noise : dict[str, ndarray]
        The two gradients compared, and the rounding-noise bound ν of the numerical one
        (zeros if not given).
    max_rel_error : float
    worst : (str, tuple)
        The array with the largest relative error and the index of its largest
        absolute disagreement.
    tol : float
    ok : bool
        ``max_rel_error < tol``.
    """

    def __init__(self, analytic, numerical, tol=1e-7, noise=None):
        self.analytic, self.numerical, self.tol = analytic, numerical, tol
        noise = noise or {}
        self.noise = {k: noise.get(k, np.zeros(np.shape(analytic[k]))) for k in analytic}
        self.errors = {k: self._error(k) for k in analytic}
        name = max(self.errors, key=self.errors.get) if self.errors else ""
        index = ()
        if name and np.size(analytic[name]):
            d = np.abs(np.asarray(analytic[name], dtype=np.float64) - numerical[name])
            index = tuple(int(i) for i in np.unravel_index(np.argmax(d), d.shape))
        self.worst = (name, index)
        self.max_rel_error = self.errors[name] if name else 0.0
        self.ok = bool(self.max_rel_error < tol)

    def _error(self, k):
        a = np.asarray(self.analytic[k], dtype=np.float64)
        n = np.asarray(self.numerical[k], dtype=np.float64)
        gap = np.linalg.norm(a - n)
        noise = np.linalg.norm(self.noise[k])
        scale = np.linalg.norm(a) + np.linalg.norm(n) + noise / self.tol
        return 0.0 if gap == 0 else float(gap / scale)

    def __str__(self):
        status = "OK" if self.ok else "FAILED"
        sign = "<" if self.ok else ">="
        lines = [f"gradient check {status}: max relative error {self.max_rel_error:.2e} "
                 f"{sign} tol {self.tol:.0e}"]
        for k, err in self.errors.items():
            flag = "" if err < self.tol else "   <-- disagrees"
            lines.append(f"  {k:<12} relative error {err:.2e}{flag}")
        if not self.ok:
            name, i = self.worst
            lines.append(f"worst: {name}{list(i)}: analytic "
                         f"{float(self.analytic[name][i]):.10g}, numerical "
                         f"{float(self.numerical[name][i]):.10g}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"GradCheckReport(ok={self.ok}, max_rel_error={self.max_rel_error:.2e}, "
                f"worst={self.worst!r})")

    def raise_if_failed(self, tol=None):
        """Raise ``GradCheckError`` (an AssertionError) with the report if rel. error >= tol.

        ``tol`` defaults to the tolerance the check ran with (1e-7). Returns ``self``.
        """
        tol = self.tol if tol is None else tol
        if not self.max_rel_error < tol:
            failed = GradCheckReport(self.analytic, self.numerical, tol, self.noise)
            raise GradCheckError(str(failed))
        return self


def _float64_copy(x, name, where):
    return np.array(as_array(x, name, where=where), dtype=np.float64)


def _report(f, arrays, analytic, eps, tol):
    """Central differences of f for each named array, compared with ``analytic``."""
    numerical, noise = {}, {}
    for k, x in arrays.items():
        numerical[k], noise[k] = _central_differences(f, x, eps)
    return GradCheckReport(analytic, numerical, tol, noise)


def check_function(f, df, x, *, eps=1e-6, tol=1e-7, seed=0):
    """Check ``df`` against central differences of ``f`` at ``x``.

    ``f`` is either scalar-valued with gradient ``df(x)`` (same shape as x), or
    elementwise (``f(x)`` has x's shape) with derivative ``df(x)``, e.g.
    ``check_function(sigmoid, sigmoid_prime, z)``. An elementwise f is checked through
    Σ R ⊙ f(x) for a fixed random R. Returns a ``GradCheckReport`` with the key "x".
    """
    x = _float64_copy(x, "x", "check_function")
    out = np.asarray(f(x))
    R = 1.0 if out.ndim == 0 else as_generator(seed).standard_normal(out.shape)
    analytic = R * np.asarray(df(x), dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(f"check_function: expected df(x) of shape {x.shape} (that of "
                         f"x), got {np.shape(df(x))}")
    return _report(lambda v: R * np.asarray(f(v)), {"x": x}, {"x": analytic}, eps, tol)


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


def check_layer(layer, x, seed=0, *, eps=1e-6, tol=1e-7):
    """Check a layer's ``backward`` for its input and every parameter.

    The layer's parameters should be float64. Uses f = Σ R ⊙ layer(x) with R drawn
    from ``seed``; ``x`` is copied to float64. Returns a ``GradCheckReport`` with keys
    "X" (unless ``backward`` returns None) and the parameter names.
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

    report = _report(f, arrays, analytic, eps, tol)
    _rewind(saved)
    return report


def check_loss(loss, y_hat, y, *, eps=1e-6, tol=1e-7):
    """Check ``loss.backward()`` against central differences of ``loss(y_hat, y)``.

    Returns a ``GradCheckReport`` with the key "y_hat".
    """
    y_hat = _float64_copy(y_hat, "y_hat", "check_loss")
    loss.forward(y_hat, y)
    analytic = {"y_hat": np.array(loss.backward(), dtype=np.float64)}
    return _report(lambda v: loss.forward(v, y), {"y_hat": y_hat}, analytic, eps, tol)


def check_network(net, X, y, *, penalty=None, eps=1e-6, tol=1e-7):
    """Check a whole network: ``net.loss(X, y)`` then ``net.backward()``.

    Compares ``net.grads`` with central differences of ``net.loss(X, y)`` for every
    parameter in ``net.params`` (keyed like ``"dense0.W"``), and the input gradient
    under the key "X" when ``backward`` returns one. With ``penalty`` (L1, L2), the
    penalised loss and its gradient are checked. Returns a ``GradCheckReport``.
    """
    X = _float64_copy(X, "X", "check_network")
    saved = _generators(getattr(net, "layers", ()))
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
    report = _report(f, arrays, analytic, eps, tol)
    _rewind(saved)
    return report
