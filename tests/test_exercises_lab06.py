"""bplib.exercises.lab06: right, equivalent and wrong answers for every check; the
transposed product, the missing sum over rows and the mean-versus-sum factor are named."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bplib.exercises import lab06 as ex
from bplib.gradcheck import check_layer, check_network

X, W, D = ex.BATCH["X"], ex.BATCH["W"], ex.BATCH["delta"]
RIGHT_SHAPES = [(5, 4), (5, 4), (3, 4), (4,), (5, 3)]


# ------------------------------------------------------------ 1. shapes
def test_shapes_right_and_equivalent():
    assert ex.check_shapes(RIGHT_SHAPES).correct
    assert ex.check_shapes(tuple(list(s) for s in RIGHT_SHAPES)).correct   # lists for tuples
    assert ex.check_shapes([np.zeros(s).shape for s in RIGHT_SHAPES]).correct
    assert ex.check_shapes([(5, 4), (5, 4), (3, 4), 4, (5, 3)]).correct      # 4 for (4,)
    assert ex.check_shapes([..., ..., ..., ..., ...]).status == "not-attempted"


@pytest.mark.parametrize("index, shape, mistake", [
    (2, (4, 3), "the transposed product"),
    (3, (5, 4), "missing sum over rows"),
    (3, (5,), "summed over the wrong axis"),
    (3, (1, 4), "a row instead of a vector"),
    (4, (3, 5), "the transposed product"),
    (2, (5, 4), "the shape of delta"),
])
def test_shapes_mistakes_named(index, shape, mistake):
    shapes = list(RIGHT_SHAPES)
    shapes[index] = shape
    fb = ex.check_shapes(shapes)
    assert not fb.correct and fb.mistake == mistake
    assert fb.message.startswith(ex.SHAPE_NAMES[index])


def test_shapes_other_wrong_answers():
    fb = ex.check_shapes([(5, 4), (5, 3), (3, 4), (4,), (5, 3)])
    assert fb.status == "incorrect" and fb.mistake is None and "delta" in fb.message
    assert "list of five shapes" in ex.check_shapes([(5, 4)]).message
    assert "list of five shapes" in ex.check_shapes("(5, 4)").message


# ------------------------------------------------------------ 2. batch gradients
def test_batch_gradients_right_and_equivalent():
    assert ex.check_batch_gradients(X.T @ D, D.sum(axis=0), D @ W.T).correct
    assert ex.check_batch_gradients(np.einsum("ni,nj->ij", X, D), list(D.sum(axis=0)),
                                    (W @ D.T).T).correct
    assert ex.check_batch_gradients(..., ..., ...).status == "not-attempted"


@pytest.mark.parametrize("answer, part, mistake", [
    ((D.T @ X, D.sum(axis=0), D @ W.T), "dE/dW", "the transposed product"),
    ((X.T @ D / 4, D.sum(axis=0), D @ W.T), "dE/dW", "mean where the error sums"),
    ((np.outer(X[0], D[0]), D.sum(axis=0), D @ W.T), "dE/dW", "one example only"),
    ((X.T @ D, D, D @ W.T), "dE/db", "missing sum over rows"),
    ((X.T @ D, D[0], D @ W.T), "dE/db", "only one example's delta"),
    ((X.T @ D, D.mean(axis=0), D @ W.T), "dE/db", "mean where the error sums"),
    ((X.T @ D, D.sum(axis=1), D @ W.T), "dE/db", "summed over the wrong axis"),
    ((X.T @ D, D.sum(axis=0), W @ D.T), "dE/dX", "the transposed product"),
    ((X.T @ D, D.sum(axis=0), D @ W.T / 4), "dE/dX", "mean where the error sums"),
    ((X.T @ D, D.sum(axis=0), -(D @ W.T)), "dE/dX", "wrong sign"),
])
def test_batch_gradients_mistakes_named(answer, part, mistake):
    fb = ex.check_batch_gradients(*answer)
    assert not fb.correct and fb.mistake == mistake and fb.message.startswith(f"In {part}")


# ------------------------------------------------------------ 3. dense_backward
def test_dense_backward_right_and_equivalent():
    assert ex.check_dense_backward(lambda X, W, d: (X.T @ d, d.sum(axis=0), d @ W.T)).correct
    # a list, einsum and float32 intermediate-free variants are all fine
    assert ex.check_dense_backward(lambda X, W, d: [np.einsum("ni,nj->ij", X, d),
                                                    np.ones(len(d)) @ d,
                                                    (W @ d.T).T]).correct
    assert ex.check_dense_backward(...).status == "not-attempted"
    assert ex.check_dense_backward(lambda X, W, d: ...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda X, W, d: (d.T @ X, d.sum(axis=0), d @ W.T), "the transposed product"),
    (lambda X, W, d: (X.T @ d, d, d @ W.T), "missing sum over rows"),
    (lambda X, W, d: (X.T @ d, d[0], d @ W.T), "only one example's delta"),
    (lambda X, W, d: (X.T @ d, d.mean(axis=0), d @ W.T), "mean where the error sums"),
    (lambda X, W, d: (X.T @ d / len(X), d.mean(axis=0), d @ W.T),
     "mean where the error sums"),
])
def test_dense_backward_mistakes_named(fn, mistake):
    fb = ex.check_dense_backward(fn)
    assert not fb.correct and fb.mistake == mistake


def test_dense_backward_non_transposed_w_is_named_though_it_raises_on_some_layers():
    # numpy refuses d @ W on the non-square cases; the square one still shows the mistake
    fb = ex.check_dense_backward(lambda X, W, d: (X.T @ d, d.sum(axis=0), d @ W))
    assert fb.status == "incorrect" and fb.mistake == "the transposed product"
    assert "delta @ W only works for a square W" in fb.message
    assert "raised an error on 4 of 5 test inputs (ValueError" in fb.message
    # an error that no mistake explains is still reported as the error
    def broken(X, W, d):
        if W.shape[0] != W.shape[1]:
            raise KeyError("oops")
        return X.T @ d, d.sum(axis=0), d @ W.T
    fb = ex.check_dense_backward(broken)
    assert fb.status == "error" and "KeyError" in fb.message


# ------------------------------------------------------------ 4. two layers
def _two_layer(X, W1, b1, W2, b2, Y):
    Z1 = X @ W1 + b1
    A1 = np.tanh(Z1)
    d2 = 2 * (A1 @ W2 + b2 - Y) / Y.size
    d1 = (d2 @ W2.T) * (1 - A1 ** 2)
    return X.T @ d1, d1.sum(axis=0), A1.T @ d2, d2.sum(axis=0)


def test_two_layer_right_and_equivalent():
    assert ex.check_two_layer(_two_layer).correct
    assert ex.check_two_layer(ex._two_layer_with()).correct
    as_array = lambda *a: np.array(_two_layer(*a), dtype=object)   # noqa: E731
    assert ex.check_two_layer(lambda *a: list(_two_layer(*a))).correct
    assert ex.check_two_layer(as_array).correct
    assert ex.check_two_layer(...).status == "not-attempted"


@pytest.mark.parametrize("flags, mistake", [
    (dict(scale="sum"), "the mean-versus-sum factor"),
    (dict(scale="rows"), "the mean-versus-sum factor"),
    (dict(two=False), "missing factor of 2"),
    (dict(slope="none"), "the hidden activation's slope left out"),
    (dict(slope="Z"), "tanh's slope from Z"),
    (dict(out="mean"), "missing sum over rows (a mean instead)"),
])
def test_two_layer_mistakes_named(flags, mistake):
    fb = ex.check_two_layer(ex._two_layer_with(**flags))
    assert not fb.correct and fb.mistake == mistake


def test_two_layer_transposed_weight_gradient():
    def transposed(*a):
        dW1, db1, dW2, db2 = _two_layer(*a)
        return dW1.T, db1, dW2, db2
    fb = ex.check_two_layer(transposed)
    assert not fb.correct and fb.mistake == "transposed shape"


# ------------------------------------------------------------ 5. numerical gradient
def _central(f, x, h=1e-5):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        down = f(x)
        x[i] = old
        g[i] = (up - down) / (2 * h)
    return g


def test_numerical_gradient_right_and_equivalent():
    assert ex.check_numerical_gradient(_central).correct

    def on_copies(f, x, h=1e-5):          # never touches x: also fine
        out = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            e = np.zeros(x.shape)
            e[i] = h
            out[i] = (f(x + e) - f(x - e)) / (2 * h)
        return out
    assert ex.check_numerical_gradient(on_copies).correct
    assert ex.check_numerical_gradient(lambda f, x, h=1e-6: _central(f, x, h)).correct
    assert ex.check_numerical_gradient(...).status == "not-attempted"


def test_numerical_gradient_mistakes_named():
    assert ex.check_numerical_gradient(ex._one_sided).mistake == "one-sided difference"

    def over_h(f, x, h=1e-5):
        return 2 * _central(f, x, h)      # divided by h instead of 2h
    assert ex.check_numerical_gradient(over_h).mistake == "extra factor of 2"

    def not_restored(f, x, h=1e-5):
        g = _central(f, x, h)
        x += h
        return g
    fb = ex.check_numerical_gradient(not_restored)
    assert not fb.correct and fb.mistake == "x not restored"


def _plus_minus(f, x, h=1e-5, restore=True):
    g = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        x[i] += h
        up = f(x)
        x[i] -= 2 * h
        down = f(x)
        if restore:
            x[i] += h               # not exact in floating point
        g[i] = (up - down) / (2 * h)
    return g


def test_numerical_gradient_restoration_is_checked_first():
    fb = ex.check_numerical_gradient(lambda f, x, h=1e-5: _plus_minus(f, x, h, False))
    assert fb.mistake == "x not restored" and "right for" not in fb.message
    fb = ex.check_numerical_gradient(_plus_minus)
    assert fb.mistake == "x not restored exactly"
    assert "does not undo exactly" in fb.message and "old = x[i]" in fb.message
    assert "at most 2.2e-16" in fb.message


def test_numerical_gradient_backward_difference_named():
    def backward(f, x, h=1e-5):
        g = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            old = x[i]
            base = f(x)
            x[i] = old - h
            g[i] = (base - f(x)) / h
            x[i] = old
        return g
    fb = ex.check_numerical_gradient(backward)
    assert fb.mistake == "backward one-sided difference" and "(f(x) - f(x - h)) / h" in \
        fb.message


# ------------------------------------------------------------ 6. relative error
def test_relative_error_right_and_equivalent():
    assert ex.check_relative_error(ex._rel).correct

    def by_sums(a, n):
        a, n = np.ravel(a), np.ravel(n)
        d = np.sqrt(np.sum(a * a)) + np.sqrt(np.sum(n * n))
        return 0.0 if d == 0 else np.sqrt(np.sum((a - n) ** 2)) / d
    assert ex.check_relative_error(by_sums).correct
    assert ex.check_relative_error(...).status == "not-attempted"


def test_relative_error_mistakes_named():
    absolute = lambda a, n: float(np.linalg.norm(a - n))    # noqa: E731
    assert ex.check_relative_error(absolute).mistake == "absolute instead of relative"

    def by_max(a, n):
        d = max(np.linalg.norm(a), np.linalg.norm(n))
        return 0.0 if d == 0 else float(np.linalg.norm(a - n) / d)
    assert ex.check_relative_error(by_max).mistake == "the larger norm as the denominator"

    def no_zero_case(a, n):
        with np.errstate(invalid="ignore"):
            return float(np.linalg.norm(a - n) / (np.linalg.norm(a) + np.linalg.norm(n)))
    fb = ex.check_relative_error(no_zero_case)
    assert not fb.correct and "nan" in fb.message

    def only_a(a, n):
        d = np.linalg.norm(a)
        return 0.0 if d == 0 else float(np.linalg.norm(a - n) / d)
    assert ex.check_relative_error(only_a).mistake == "denominator ||a|| only"
    plus_tiny = lambda a, n: float(np.linalg.norm(a - n) / (     # noqa: E731
        np.linalg.norm(a) + np.linalg.norm(n) + 1e-8))
    assert ex.check_relative_error(plus_tiny).mistake == "+ 1e-8 in the denominator"


def test_relative_error_feedback_shows_small_gradients():
    def wrong_on_small(a, n):           # right except on the 1e-6 case
        return 0.5 if np.max(np.abs(a)) < 1e-5 else ex._rel(a, n)
    fb = ex.check_relative_error(wrong_on_small)
    assert not fb.correct and "a = [1e-06 -2e-06]" in fb.message   # not [0. -0.]


# ------------------------------------------------------------ 7. find the bug
def test_mystery_dense_fails_only_on_x():
    report = check_layer(ex.MysteryDense(3, 3, seed=0), np.random.default_rng(1).normal(size=(4, 3)))
    assert [k for k in report.errors if report.verdict(k) != "ok"] == ["X"]


def test_find_the_bug_right_wrong_and_not_attempted():
    right = lambda d, W: d @ W.T     # noqa: E731
    assert ex.check_find_the_bug("X", right).correct
    assert ex.check_find_the_bug(" X ", lambda d, W: (W @ d.T).T).correct
    assert ex.check_find_the_bug(..., ...).status == "not-attempted"
    fb = ex.check_find_the_bug("W", right)
    assert fb.mistake == "a correct gradient named"
    assert "give one of the report's names" in ex.check_find_the_bug("x", right).message
    fb = ex.check_find_the_bug("X", lambda d, W: d @ W)     # raises on the 3x2 case
    assert fb.status == "incorrect"
    assert fb.mistake == "the transposed product (the bug itself)"
    square_only = ex.check_find_the_bug("X", lambda d, W: d @ W if W.shape[0] == W.shape[1]
                                        else d @ W.T)
    assert square_only.mistake is None and not square_only.correct


# ------------------------------------------------------------ 8. vectorise
def test_vectorised_right_and_equivalent():
    assert ex.check_vectorised(lambda X, Z, dA: (X.T @ (dA * (Z > 0)),
                                                 (dA * (Z > 0)).sum(axis=0))).correct
    assert ex.check_vectorised(lambda X, Z, dA: (X.T @ np.where(Z > 0, dA, 0.0),
                                                 np.where(Z > 0, dA, 0.0).sum(axis=0))).correct
    assert ex.check_vectorised(ex.relu_dense_loop).correct
    assert ex.check_vectorised(...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda X, Z, dA: (X.T @ dA, dA.sum(axis=0)), "the ReLU's mask left out"),
    (lambda X, Z, dA: (X.T @ (dA * (dA > 0)), (dA * (dA > 0)).sum(axis=0)),
     "the mask taken from dA"),
    (lambda X, Z, dA: (X.T @ (dA * (Z > 0)), dA * (Z > 0)), "missing sum over rows"),
    (lambda X, Z, dA: (X.T @ (dA * (Z > 0)), (dA * (Z > 0)).mean(axis=0)),
     "mean where the error sums"),
    (lambda X, Z, dA: ((dA * (Z > 0)).T @ X, (dA * (Z > 0)).sum(axis=0)),
     "the transposed product"),
])
def test_vectorised_mistakes_named(fn, mistake):
    fb = ex.check_vectorised(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 9. sum versus mean
def test_sum_vs_mean_right_typed_and_wrong():
    assert ex.check_sum_vs_mean(0.1, 2, 1).correct
    assert ex.check_sum_vs_mean(0.1000, 2.0, 1.0).correct
    assert ex.check_sum_vs_mean(..., ..., ...).status == "not-attempted"
    assert ex.check_sum_vs_mean(0.002 / 50, 2, 1).mistake == \
        "the mean-versus-sum factor the wrong way round"
    assert ex.check_sum_vs_mean(0.002, 2, 1).mistake == "the same learning rate"
    assert ex.check_sum_vs_mean(0.1, 1, 1).mistake == "the mean's ratio"
    assert ex.check_sum_vs_mean(0.1, 2, 2).mistake == "the sum's ratio"


# ------------------------------------------------------------ 10. the kink
def test_kink_case_is_a_false_alarm_at_the_named_entry():
    net, X_, Y_ = ex.kink_case()
    with pytest.warns(Warning):
        report = check_network(net, X_, Y_)
    assert not report.ok and report.false_alarm
    Z = X_ @ net.params["dense0.W"] + net.params["dense0.b"]
    assert np.unravel_index(np.argmin(np.abs(Z)), Z.shape) == ex.KINK


def test_kink_right_equivalent_and_wrong():
    n, j = ex.KINK
    assert ex.check_kink((n, j), True).correct
    assert ex.check_kink([n, j], np.True_).correct
    assert ex.check_kink(np.unravel_index(n * 5 + j, (6, 5)), True).correct
    assert ex.check_kink(..., ...).status == "not-attempted"
    assert ex.check_kink((j, n), True).mistake == "row and column swapped"
    assert ex.check_kink((n + 1, j + 1), True).mistake == "counted from 1"
    assert ex.check_kink((n, j), False).mistake == "a real bug suspected"
    assert "answer True or False" in ex.check_kink((n, j), "yes").message


def test_no_warning_escapes_the_checks():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.check_kink(ex.KINK, True)


# ------------------------------------------------------------ more named mistakes
@pytest.mark.parametrize("index, shape, mistake", [
    (0, (4, 5), "Z transposed"), (1, (4, 5), "delta transposed"),
    (3, (4, 1), "a column instead of a vector")])
def test_shapes_more_mistakes_named(index, shape, mistake):
    shapes = list(RIGHT_SHAPES)
    shapes[index] = shape
    assert ex.check_shapes(shapes).mistake == mistake


def test_wrong_axis_named_in_exercises_3_and_8():
    fb = ex.check_dense_backward(lambda X, W, d: (X.T @ d, d.sum(axis=1), d @ W.T))
    assert fb.mistake == "summed over the wrong axis"
    fb = ex.check_vectorised(lambda X, Z, dA: (X.T @ (dA * (Z > 0)),
                                               (dA * (Z > 0)).sum(axis=1)))
    assert fb.mistake == "summed over the wrong axis"


def test_relu_value_and_reversed_mask_named():
    value = lambda X, Z, dA: (X.T @ (dA * np.maximum(Z, 0)),            # noqa: E731
                              (dA * np.maximum(Z, 0)).sum(axis=0))
    assert ex.check_vectorised(value).mistake == "the ReLU's value, not its slope"
    below = lambda X, Z, dA: (X.T @ (dA * (Z < 0)), (dA * (Z < 0)).sum(axis=0))  # noqa: E731
    assert ex.check_vectorised(below).mistake == "the mask the wrong way round"


def test_sum_vs_mean_halves_named():
    eta = ex.SUM_MEAN["eta_sum"] * ex.SUM_MEAN["N"]
    assert ex.check_sum_vs_mean(eta, 0.5, 1.0).mistake == "the ratio upside down"
    assert ex.check_sum_vs_mean(eta, 2.0, 0.5).mistake == "halved by the doubled N"


def test_kink_flat_index_named():
    flat = int(np.ravel_multi_index(ex.KINK, (6, 5)))
    for entry in (flat, np.int64(flat), [flat]):
        fb = ex.check_kink(entry, True)
        assert fb.mistake == "flat index" and "np.unravel_index" in fb.message


def test_a_lowercase_return_name_is_not_capitalised():
    fb = ex.check_dense_backward(lambda X, W, d: (X.T @ d, d.sum(axis=0)[::-1][:1],
                                                  d @ W.T))
    assert "db is not. db of your function has shape" in fb.message
    from bplib.exercises._compare import _cap
    assert _cap("db of your function") == "db of your function"
    assert _cap("your answer") == "Your answer" and _cap("x is") == "x is"
