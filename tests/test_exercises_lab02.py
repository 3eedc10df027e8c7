"""bplib.exercises.lab02: right answers pass; each named mistake is recognised."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.exercises import lab02 as ex

X, Y = ex.X_NEW, ex.Y_NEW


# ---------------------------------------------------------------- right answers
def grad_E(W, x, y):
    return 2 * np.sum(x * (W * x - y))


def gd_step(W, x, y, lr):
    return W - lr * grad_E(W, x, y)


def descend_until(W, x, y, lr, tol):
    for t in range(1, 10_001):
        step = -lr * grad_E(W, x, y)
        W += step
        if abs(step) < tol:
            return W, t
    return W, 10_000


def minibatch_epoch(W, x, y, lr, batch_size):
    for i in range(0, len(x), batch_size):
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        W -= lr * 2 * np.mean(xb * (W * xb - yb))
    return W


def grad_wb(w, b, x, y):
    r = w * x + b - y
    return 2 * np.mean(r * x), 2 * np.mean(r)


SXX = float(np.sum(X ** 2))


def test_right_answers_pass():
    assert ex.check_grad_by_hand(grad_E(ex.W_START, X, Y)).correct
    assert ex.check_grad_by_hand(-14).correct          # the hand-worked number
    assert ex.check_grad(grad_E).correct
    assert ex.check_step(gd_step).correct
    assert ex.check_thresholds(1 / (2 * SXX), 1 / SXX).correct
    assert ex.check_slider(0.02, 0.04).correct
    assert ex.check_until(descend_until).correct
    assert ex.check_epoch(minibatch_epoch).correct
    assert ex.check_grad_wb(grad_wb).correct


def test_slider_answers_follow_the_thresholds():
    # The first slider values above 1/E'' and 2/E'' (Chapter 2, eq. (ch02-conv)).
    lo, hi, step = ex.LR_SLIDER[:3]
    values = np.round(np.arange(lo, hi + 1e-12, step), 6)
    assert values[values > 1 / (2 * SXX)][0] == pytest.approx(0.02)
    assert values[values > 1 / SXX][0] == pytest.approx(0.04)


def test_every_exercise_registered_with_a_hint():
    assert list(ex.lab.checks) == [str(k) for k in range(1, 9)]
    assert all(ex.lab.hints.values())


def test_nothing_attempted():
    for check, n in [(ex.check_grad_by_hand, 1), (ex.check_grad, 1), (ex.check_step, 1),
                     (ex.check_thresholds, 2), (ex.check_slider, 2), (ex.check_until, 1),
                     (ex.check_epoch, 1), (ex.check_grad_wb, 1)]:
        assert check(*[...] * n).status == "not-attempted"
    assert ex.check_grad(lambda W, x, y: ...).status == "not-attempted"


def test_learner_exception_is_reported_not_raised():
    def broken(W, x, y):
        raise ZeroDivisionError("oops")

    fb = ex.check_grad(broken)
    assert fb.status == "error" and "ZeroDivisionError" in fb.message


def test_hard_coded_gradient_is_caught():
    fb = ex.check_grad(lambda W, x, y: -14.0)
    assert not fb.correct and fb.mistake == "hard-coded answer"


# ---------------------------------------------------------------- named mistakes
W0 = ex.W_START
MISS = W0 * X - Y


@pytest.mark.parametrize("answer, mistake", [
    (-grad_E(W0, X, Y), "wrong sign"),
    (grad_E(W0, X, Y) / 2, "missing factor of 2"),
    (grad_E(W0, X, Y) / 3, "mean instead of sum"),
    (2 * W0 * np.sum(MISS), "gradient with respect to the wrong variable"),
    (2 * np.sum(MISS), "forgot the inner derivative"),
])
def test_gradient_by_hand_mistakes(answer, mistake):
    fb = ex.check_grad_by_hand(float(answer))
    assert not fb.correct
    assert mistake in fb.mistake


@pytest.mark.parametrize("fn, mistake", [
    (lambda W, x, y: -grad_E(W, x, y), "wrong sign"),
    (lambda W, x, y: np.sum(x * (W * x - y)), "missing factor of 2"),
    (lambda W, x, y: 2 * np.mean(x * (W * x - y)), "mean instead of sum"),
    (lambda W, x, y: 2 * W * np.sum(W * x - y), "gradient with respect to the wrong variable"),
    (lambda W, x, y: 2 * np.sum(W * x - y), "forgot the inner derivative"),
    (lambda W, x, y: 2 * x * (W * x - y), "one gradient per row"),
])
def test_gradient_function_mistakes(fn, mistake):
    fb = ex.check_grad(fn)
    assert not fb.correct
    assert mistake in fb.mistake


@pytest.mark.parametrize("fn, mistake", [
    (lambda W, x, y, lr: W + lr * grad_E(W, x, y), "wrong sign: gradient ascent"),
    (lambda W, x, y, lr: -lr * grad_E(W, x, y), "returned the step, not the new weight"),
    (lambda W, x, y, lr: W - lr * grad_E(W, x, y) / 2, "missing factor of 2"),
    (lambda W, x, y, lr: W - lr * np.sign(grad_E(W, x, y)), "the learning rate as the step"),
])
def test_step_mistakes(fn, mistake):
    fb = ex.check_step(fn)
    assert not fb.correct
    assert mistake in fb.mistake


@pytest.mark.parametrize("one, limit, mistake", [
    (1 / SXX, 1 / SXX, "the limit, not the one-step rate"),
    (1 / (2 * np.sum(X)), 1 / SXX, "forgot to square x"),
    (1 / (2 * SXX), 1 / (2 * SXX), "swapped the two"),
    (1 / (2 * SXX), 2 / SXX, "forgot the 2 in the curvature"),
    (1 / (2 * SXX), 1 / np.sum(X), "forgot to square x"),
])
def test_threshold_mistakes(one, limit, mistake):
    fb = ex.check_thresholds(one, limit)
    assert not fb.correct
    assert mistake in fb.mistake


@pytest.mark.parametrize("osc, div, mistake", [
    (0.018, 0.04, "the value before"),
    (0.04, 0.04, "gave where it diverges"),
    (0.02, 0.038, "still converging there"),
    (1 / (2 * SXX), 0.04, "the threshold, not a slider value"),
    (0.02, 1 / SXX, "the threshold, not a slider value"),
])
def test_slider_mistakes(osc, div, mistake):
    fb = ex.check_slider(osc, div)
    assert not fb.correct
    assert mistake in fb.mistake


def _until_shifted(k):
    def fn(W, x, y, lr, tol):
        W, t = descend_until(W, x, y, lr, tol)
        return W, t + k
    return fn


def _until_on_gradient(W, x, y, lr, tol):
    for t in range(1, 10_001):
        g = grad_E(W, x, y)
        W -= lr * g
        if abs(g) < tol:
            return W, t
    return W, 10_000


@pytest.mark.parametrize("fn, mistake", [
    (_until_shifted(-1), "off by one: the last step not counted"),
    (_until_shifted(+1), "off by one: one step too many"),
    (_until_on_gradient, "compared the gradient with tol"),
])
def test_stopping_mistakes(fn, mistake):
    fb = ex.check_until(fn)
    assert not fb.correct
    assert mistake in fb.mistake


def _epoch_sum(W, x, y, lr, bs):
    for i in range(0, len(x), bs):
        xb, yb = x[i:i + bs], y[i:i + bs]
        W -= lr * 2 * np.sum(xb * (W * xb - yb))
    return W


def _epoch_at_old_w(W, x, y, lr, bs):
    grads = [2 * np.mean(x[i:i + bs] * (W * x[i:i + bs] - y[i:i + bs]))
             for i in range(0, len(x), bs)]
    return W - lr * sum(grads)


def _epoch_div_n(W, x, y, lr, bs):
    for i in range(0, len(x), bs):
        xb, yb = x[i:i + bs], y[i:i + bs]
        W -= lr * 2 * np.sum(xb * (W * xb - yb)) / len(x)
    return W


@pytest.mark.parametrize("fn, mistake", [
    (_epoch_sum, "sum instead of mean"),
    (lambda W, x, y, lr, bs: W - lr * 2 * np.mean(x * (W * x - y)), "one full-batch step"),
    (_epoch_at_old_w, "all batches at the old weight"),
    (_epoch_div_n, "divided by the data size, not the batch size"),
])
def test_minibatch_mistakes(fn, mistake):
    fb = ex.check_epoch(fn)
    assert not fb.correct
    assert mistake in fb.mistake


@pytest.mark.parametrize("fn, mistake", [
    (lambda w, b, x, y: grad_wb(w, 0.0, x, y), "forgot the bias"),
    (lambda w, b, x, y: grad_wb(w, b, x, y)[::-1], "swapped the two partial derivatives"),
    (lambda w, b, x, y: tuple(len(x) * g for g in grad_wb(w, b, x, y)),
     "sum instead of mean"),
    (lambda w, b, x, y: tuple(g / 2 for g in grad_wb(w, b, x, y)), "missing factor of 2"),
    (lambda w, b, x, y: tuple(-g for g in grad_wb(w, b, x, y)), "wrong sign"),
])
def test_two_weight_mistakes(fn, mistake):
    fb = ex.check_grad_wb(fn)
    assert not fb.correct
    assert mistake in fb.mistake


# ---------------------------------------------------------------- issue 13 findings
def test_step_mistake_mean_gradient():
    fb = ex.check_step(lambda W, x, y, lr: W - lr * grad_E(W, x, y) / len(x))
    assert fb.mistake == "used the mean gradient"


def test_hand_gradient_accepts_typed_precision():
    right = 2 * np.sum(X * (ex.W_START * X - Y))
    assert ex.check_grad_by_hand(right * (1 + 4e-4)).correct


def test_a_loop_without_budget_is_named(monkeypatch):
    monkeypatch.setattr(ex, "BUDGET_SECONDS", 0.5)

    def no_budget(W, x, y, lr, tol):
        t = 0
        while True:
            step = -lr * grad_E(W, x, y)
            W, t = W + step, t + 1
            if abs(step) < tol:
                return W, t

    fb = ex.check_until(no_budget)
    assert fb.mistake == "no step budget", repr(fb)


def test_a_wrong_budget_is_named():
    def budget_9999(W, x, y, lr, tol):
        for t in range(1, 10_000):
            step = -lr * grad_E(W, x, y)
            W += step
            if abs(step) < tol:
                return W, t
        return W, 9_999

    assert ex.check_until(budget_9999).mistake == "wrong budget"


def test_the_budget_case_never_gets_small_steps():
    W, x, y, lr, tol = ex.budget_case()
    assert descend_until(W, x, y, lr, tol)[1] == ex.MAX_STEPS


def test_a_wrong_earlier_gradient_is_named():
    namespace = {"np": np}
    exec("def grad_E(W, x, y):\n    return np.sum(x * (W * x - y))\n"       # the 2 missing
         "def descend_until(W, x, y, lr, tol):\n"
         "    for t in range(1, 10_001):\n"
         "        step = -lr * grad_E(W, x, y)\n"
         "        W += step\n"
         "        if abs(step) < tol:\n"
         "            return W, t\n"
         "    return W, 10_000\n"
         "def gd_step(W, x, y, lr):\n    return W - lr * grad_E(W, x, y)\n", namespace)
    for check, fn in [(ex.check_until, "descend_until"), (ex.check_step, "gd_step")]:
        fb = check(namespace[fn])
        assert fb.mistake == "an earlier answer is not right yet", repr(fb)
        assert "exercise 2" in fb.message


def test_two_weights_pair_as_array_and_part_named():
    assert ex.check_grad_wb(lambda w, b, x, y: np.array(grad_wb(w, b, x, y))).correct
    fb = ex.check_grad_wb(lambda w, b, x, y: (grad_wb(w, b, x, y)[1],) * 2)
    assert fb.mistake == "forgot the inner derivative x_i in dE/dw"
    fb = ex.check_grad_wb(lambda w, b, x, y: (grad_wb(w, b, x, y)[0], 1.5 * grad_wb(w, b, x, y)[1]))
    assert "dE_dw is right; dE_db is not" in fb.message, fb.message


# ---------------------------------------------------------------- the review of issue 13
def test_until_weight_before_the_last_step_is_named(recwarn):
    def behind(W, x, y, lr, tol):
        for k in range(1, 10_001):
            step = -lr * 2 * np.sum(x * (W * x - y))
            if abs(step) < tol:
                return W, k
            W += step
        return W, 10_000
    fb = ex.check_until(behind)
    assert fb.mistake == "returned the weight before the last step", fb
    assert "digits" not in fb.message


def test_by_hand_negative_and_3_digit_answers():
    right = float(2 * np.sum(ex.X_NEW * (ex.W_START * ex.X_NEW - ex.Y_NEW)))
    fb = ex.check_grad_by_hand(right + 1)
    assert "less negative than the right one" in fb.message, fb.message
    sxx = float(np.sum(ex.X_NEW ** 2))
    assert ex.check_thresholds(float(f"{1 / (2 * sxx):.3g}"), float(f"{1 / sxx:.3g}")).correct


def test_diverging_function_leaks_no_overflow_warning(recwarn):
    def diverges(W, x, y, lr):
        for _ in range(2000):
            W = W - 50 * np.float64(lr) * 2 * np.sum(x * (W * x - y))
        return W
    fb = ex.check_step(diverges)
    assert not fb.correct
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_grad_wb_sum_instead_of_mean_names_the_wrong_part():
    def summed_b(w, b, x, y):
        r = w * x + b - y
        return float(2 * np.mean(r * x)), float(2 * np.sum(r))
    fb = ex.check_grad_wb(summed_b)
    assert fb.mistake == "missing factor of 1/n", fb
    assert fb.message.startswith("dE_dw is right; dE_db is not."), fb.message
