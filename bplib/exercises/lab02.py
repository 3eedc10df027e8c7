"""Checks for Lab 2, "Gradient descent" (labs/lab02-gradient-descent.ipynb).

The one-weight model ``y_hat = W x`` with E(W) = sum_i (W x_i - y_i)^2 and its gradient
dE/dW = 2 sum_i x_i (W x_i - y_i) (Chapter 2, eq. (ch02-grad)); the update rule
W <- W - lr dE/dW (eq. (ch02-update)); the thresholds lr < 1 / sum x^2 (converges) and
lr = 1 / (2 sum x^2) (one step) (eq. (ch02-conv)); mini-batches with the mean gradient
(eq. (ch02-mean-grad)); the two-weight model y_hat = w x + b with the mean squared
error (eq. (ch02-line-grad)).

In the lab: ``from bplib.exercises import lab02 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import time

import numpy as np

from .core import (TYPED_RTOL, Feedback, Lab, Mistake, OutOfTime, check_function,
                   check_number, combine, did_not_finish, time_limit, uses_earlier)
from .feedback import ERROR, INCORRECT

lab = Lab("Lab 2")
hint = lab.hint

#: The lab's data (not the chapter's) and the weight where exercise 1 starts.
X_NEW = np.array([1.0, 3.0, 4.0])
Y_NEW = np.array([2.0, 7.0, 9.0])
W_START = 2.0
#: Exercise 6: the step budget, and seconds a budget case may take before we say
#: that the loop has no budget.
MAX_STEPS = 10_000
BUDGET_SECONDS = 5.0
#: The learning-rate slider of exercise 5: (start, stop, step, initial value), start W.
LR_SLIDER = (0.002, 0.05, 0.002, 0.01)
SLIDER_W0 = 0.5


# ------------------------------------------------------------ reference answers
def _grad(W, x, y):
    return float(2.0 * np.sum(x * (W * x - y)))


def _step(W, x, y, lr):
    return float(W - lr * _grad(W, x, y))


def _until(W, x, y, lr, tol, max_steps=MAX_STEPS):
    """Steps until a step is smaller than tol (that step included): (W, steps)."""
    for k in range(1, max_steps + 1):
        step = -lr * _grad(W, x, y)
        W += step
        if abs(step) < tol:
            return float(W), k
    return float(W), max_steps


def _until_before_last(W, x, y, lr, tol):
    """A common mistake: the right count, but the weight before the last step."""
    W_end, steps = _until(W, x, y, lr, tol)
    W_before, _ = _until(W, x, y, lr, tol, max_steps=steps - 1) if steps > 1 else (W, 0)
    return float(W_before), steps


def _epoch(W, x, y, lr, batch_size):
    for i in range(0, len(x), batch_size):
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        W -= lr * _grad(W, xb, yb) / len(xb)
    return float(W)


def _grad_wb(w, b, x, y):
    r = w * x + b - y
    return float(2 * np.mean(r * x)), float(2 * np.mean(r))


def _data_cases(seed, k=6, extra=()):
    """k fresh tuples (W, x, y, *extra(rng)) with a few rows each (never the lab's)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(k):
        n = int(rng.integers(3, 8))
        x = np.round(rng.uniform(0.2, 3, n), 2)
        y = np.round(1.5 * x + rng.normal(0, 1, n), 2)
        out.append((round(float(rng.uniform(-2, 4)), 2), x, y) + tuple(f(rng, x) for f in extra))
    return out


def _safe_lr(rng, x):
    """A learning rate that converges: a fraction of the limit 1 / sum x^2."""
    return round(float(rng.uniform(0.1, 0.9) / np.sum(x * x)), 5)


# ------------------------------------------------------------ the exercises
_WRT_X = ("gradient with respect to the wrong variable", "You differentiated with respect "
          "to the input x; we need the derivative with respect to the weight W. The inner "
          "derivative of W x - y with respect to W is x, not W.")
_NO_X = ("forgot the inner derivative", "The chain rule gives 2 (W x_i - y_i) times "
         "d(W x_i)/dW = x_i: every row's term needs its factor x_i.")
_MEAN = ("mean instead of sum", "This is the gradient of the mean error (divided by n). "
         "E here is the sum of the squared misses: do not divide by n.")


@lab.exercise(1, hint="Misses first: W x_i - y_i for each row. Then multiply each miss "
              "by its x_i, add, and double. A negative answer means: increase W.")
def check_grad_by_hand(grad):
    """Exercise 1: dE/dW at W_START on the lab's data, by hand."""
    W, x, y = W_START, X_NEW, Y_NEW
    return check_number(grad, _grad(W, x, y), name=f"dE/dW at W = {W:g}", rtol=TYPED_RTOL,
                        mistakes=[
        Mistake(*_WRT_X, value=2 * W * np.sum(W * x - y)),
        Mistake(*_NO_X, value=2 * np.sum(W * x - y)),
        Mistake(*_MEAN, value=_grad(W, x, y) / len(x)),
        Mistake("wrong sign", "The miss is W x - y (model minus target); with y - W x "
                "the sign flips. The slope here is negative: E falls as W grows.",
                value=-_grad(W, x, y)),
    ])


@lab.exercise(2, hint="With numpy arrays one expression gives every row's miss at once. "
              "Then follow the formula above term by term: each miss times its own x, "
              "added up over the rows, doubled.")
def check_grad(grad_E):
    """Exercise 2: ``grad_E(W, x, y)`` -> dE/dW (eq. (ch02-grad)), on fresh data."""
    return check_function(grad_E, _grad, _data_cases(201), name="grad_E(W, x, y)", mistakes=[
        Mistake(*_WRT_X, function=lambda W, x, y: 2 * W * np.sum(W * x - y)),
        Mistake(*_NO_X, function=lambda W, x, y: 2 * np.sum(W * x - y)),
        Mistake(*_MEAN, function=lambda W, x, y: _grad(W, x, y) / len(x)),
        Mistake("one gradient per row", "Return one number: the sum over the rows of "
                "2 x_i (W x_i - y_i), not the array of terms.",
                function=lambda W, x, y: 2 * x * (W * x - y)),
    ])


def _earlier(fn, name, *names):
    """Send the learner back to exercise 2 (or 3) when fn calls a wrong grad_E (gd_step)."""
    for earlier, check, number in (("grad_E", check_grad, 2), ("gd_step", check_step, 3)):
        if earlier in names:
            fb = uses_earlier(fn, earlier, check, name=name, exercise=number)
            if fb is not None:
                return fb
    return None


@lab.exercise(3, hint="Downhill means against the gradient. The function returns the "
              "new weight (the old one plus the step), not the step itself.")
def check_step(gd_step):
    """Exercise 3: ``gd_step(W, x, y, lr)`` -> W - lr dE/dW (eq. (ch02-update))."""
    cases = _data_cases(301, extra=(_safe_lr,))
    fb = _check_step(gd_step, cases)
    if fb.status in (INCORRECT, ERROR):
        return _earlier(gd_step, fb.name, "grad_E") or fb
    return fb


def _check_step(gd_step, cases):
    return check_function(gd_step, _step, cases, name="gd_step(W, x, y, lr)", mistakes=[
        Mistake("wrong sign: gradient ascent", "You added lr times the gradient, which "
                "walks uphill. Subtract it: W - lr dE/dW.",
                function=lambda W, x, y, lr: W + lr * _grad(W, x, y)),
        Mistake("returned the step, not the new weight", "-lr dE/dW is the step; the new "
                "weight is the old one plus the step.",
                function=lambda W, x, y, lr: -lr * _grad(W, x, y)),
        Mistake("missing factor of 2 in the gradient", "The gradient of the squared error "
                "is 2 sum x (W x - y): the 2 comes from the square.",
                function=lambda W, x, y, lr: W - lr * _grad(W, x, y) / 2),
        Mistake("the learning rate as the step", "The step is lr times the gradient, not "
                "lr itself in the downhill direction.",
                function=lambda W, x, y, lr: W - lr * np.sign(_grad(W, x, y))),
        Mistake("used the mean gradient", "E here is the sum of the squared misses, so "
                "its gradient is a sum over the rows: do not divide by n.",
                function=lambda W, x, y, lr: W - lr * _grad(W, x, y) / len(x)),
    ])


@lab.exercise(4, hint="The curvature is E'' = 2 sum x^2. One step lands on the bottom "
              "when lr = 1/E''; descent converges when lr < 2/E''.")
def check_thresholds(lr_one_step, lr_limit):
    """Exercise 4: the one-step learning rate and the convergence limit on the lab's data."""
    sxx = float(np.sum(X_NEW ** 2))
    one, limit = 1 / (2 * sxx), 1 / sxx
    swapped = ("swapped the two", "The one-step rate is 1/E'' and the limit twice that, "
               "2/E''. You have them the other way round.")
    return combine(
        check_number(lr_one_step, one, name="the one-step learning rate", rtol=TYPED_RTOL,
                     mistakes=[
            Mistake("the limit, not the one-step rate (or the 2 of E'' forgotten)",
                    "1 / sum x^2 is the convergence limit 2/E''. The curvature is "
                    "E'' = 2 sum x^2, and one step needs lr = 1/E'' = 1 / (2 sum x^2).",
                    value=limit),
            Mistake("forgot to square x", "The curvature is 2 sum x_i^2, not 2 sum x_i.",
                    value=1 / (2 * np.sum(X_NEW)))]),
        check_number(lr_limit, limit, name="the largest learning rate that converges",
                     rtol=TYPED_RTOL, mistakes=[
            Mistake(*swapped, value=one),
            Mistake("forgot the 2 in the curvature", "E'' = 2 sum x^2, so 2/E'' = 1/sum x^2.",
                    value=2 / sxx),
            Mistake("forgot to square x", "The limit is 1 / sum x_i^2, not 1 / sum x_i.",
                    value=1 / np.sum(X_NEW))]),
        name="the learning-rate thresholds")


@lab.exercise(5, hint="Move the slider up from the left. Oscillation: the points jump "
              "to the other side of the bottom. Divergence: the distance on the right "
              "grows instead of falling.")
def check_slider(lr_first_oscillating, lr_first_diverging):
    """Exercise 5: readings off the learning-rate slider on the lab's data."""
    values = np.round(np.arange(LR_SLIDER[0], LR_SLIDER[1] + 1e-12, LR_SLIDER[2]), 6)
    c = 2 * float(np.sum(X_NEW ** 2))
    osc = float(values[values > 1 / c][0])
    div = float(values[values > 2 / c][0])
    step = LR_SLIDER[2]
    return combine(
        check_number(lr_first_oscillating, osc, name="first slider value that oscillates",
                     rtol=0, atol=step / 10, mistakes=[
            Mistake("the value before", "At that value the steps still approach from one "
                    "side (or land exactly); look one notch higher.", value=osc - step),
            Mistake("gave where it diverges", "That is where it starts to diverge; "
                    "oscillation starts earlier.", value=div),
            Mistake("the threshold, not a slider value", "That is 1/E'' itself; the "
                    "slider only has multiples of its step. Which is the first slider "
                    "value above it?", value=1 / c)]),
        check_number(lr_first_diverging, div, name="first slider value that diverges",
                     rtol=0, atol=step / 10, mistakes=[
            Mistake("the threshold, not a slider value", "That is 2/E'' itself; the "
                    "slider only has multiples of its step. Which is the first slider "
                    "value above it?", value=2 / c),
            Mistake("still converging there", "At that value the jumps still shrink, "
                    "slowly. Look one notch higher.", value=div - step)]),
        name="reading the learning-rate slider")


def budget_case():
    """A case where the steps never get small (lr = 2/E'': W bounces between W and
    2 W* - W), so only the budget of MAX_STEPS steps stops the loop."""
    x, y = np.array([0.5, 1.0, 2.0]), np.array([1.0, 1.5, 4.5])
    return 0.0, x, y, float(1 / np.sum(x * x)), 1e-6


@lab.exercise(6, hint="Keep two things as you loop: the weight and a count of the steps "
              "applied. Stop as soon as the step just applied is smaller than tol, or when "
              "the count reaches the budget, and return both. The last, small step counts.")
def check_until(descend_until):
    """Exercise 6: ``descend_until(W, x, y, lr, tol)`` -> (W, steps): stop on a small step,
    or after MAX_STEPS steps."""
    rng = np.random.default_rng(501)
    cases = [c + (float(10.0 ** -rng.integers(3, 9)),)
             for c in _data_cases(502, extra=(_safe_lr,))]
    name = "descend_until(W, x, y, lr, tol)"
    fb = _check_until(descend_until, cases, name)
    if fb.status in (INCORRECT, ERROR):
        return _earlier(descend_until, name, "grad_E", "gd_step") or fb
    if not fb.correct:
        return fb
    return _check_budget(descend_until, name)


def _check_budget(descend_until, name):
    """The budget: with steps that never get small, stop after MAX_STEPS steps."""
    case = budget_case()
    start = time.monotonic()
    try:
        with time_limit(BUDGET_SECONDS):
            got = descend_until(*case)
    except (KeyboardInterrupt, OutOfTime) as exc:
        if isinstance(exc, KeyboardInterrupt):
            return did_not_finish(name, time.monotonic() - start, True,
                                  "With lr = 2/E'' (the steps never get small), ")
        return Feedback(INCORRECT, name, "Right whenever the steps get small, but with "
                        f"lr = 2/E'' = {case[3]:g} (W bounces across the bottom forever, "
                        f"every step as large as the first) your function did not finish "
                        f"within {BUDGET_SECONDS:g} s. Keep a budget: stop after "
                        f"{MAX_STEPS:,} steps in any case.", mistake="no step budget")
    except Exception as exc:  # noqa: BLE001 - reported, never raised
        return Feedback(ERROR, name, f"With lr = 2/E'' = {case[3]:g}, your function raised "
                        f"{type(exc).__name__}: {exc}")
    budget = ("wrong budget", f"When the steps never get small, stop after exactly "
              f"{MAX_STEPS:,} steps and return the weight then and {MAX_STEPS:,}.")
    return check_function(lambda *a: got, _until, [case], name=name,
                          returns=("the weight", "the number of steps"), mistakes=[
        Mistake(*budget, function=lambda *a: _until(*a, max_steps=MAX_STEPS - 1)),
        Mistake(*budget, function=lambda *a: _until(*a, max_steps=MAX_STEPS + 1))])


def _check_until(descend_until, cases, name):
    return check_function(descend_until, _until, cases, name=name,
                          returns=("the weight", "the number of steps"), mistakes=[
        Mistake("off by one: the last step not counted", "Count every step you apply, "
                "including the small one that stops the loop.",
                function=lambda W, x, y, lr, tol: (_until(W, x, y, lr, tol)[0],
                                                   _until(W, x, y, lr, tol)[1] - 1)),
        Mistake("off by one: one step too many", "Count each applied step once; stop as "
                "soon as a step is smaller than tol.",
                function=lambda W, x, y, lr, tol: (_until(W, x, y, lr, tol)[0],
                                                   _until(W, x, y, lr, tol)[1] + 1)),
        Mistake("compared the gradient with tol", "The rule is on the step, lr times the "
                "gradient, not on the gradient itself.",
                function=lambda W, x, y, lr, tol: _until(W, x, y, lr, tol * lr)),
        Mistake("returned the weight before the last step", "The count is right, but the "
                "weight is one step behind: apply the small step that stops the loop "
                "before you return the weight.", function=_until_before_last),
    ])


@lab.exercise(7, hint="Walk through the data in slices of batch_size (the last slice may "
              "be shorter). For each slice, compute the MEAN gradient on it and step at "
              "once, before you take the next slice.")
def check_epoch(minibatch_epoch):
    """Exercise 7: one epoch of mini-batch descent in order (mean gradient per batch)."""
    rng = np.random.default_rng(601)
    cases = []
    for _ in range(6):      # 10 rows, batch sizes 2 to 4 (so the last batch may be short)
        x, y = np.round(rng.uniform(0.2, 3, 10), 2), np.round(rng.normal(2, 1, 10), 2)
        cases.append((round(float(rng.uniform(-2, 4)), 2), x, y,
                      round(0.5 / float(np.max(x * x)), 4), int(rng.integers(2, 5))))

    def full_batch(W, x, y, lr, bs):
        return float(W - lr * _grad(W, x, y) / len(x))

    def at_old_w(W, x, y, lr, bs):
        return float(W - lr * sum(_grad(W, x[i:i + bs], y[i:i + bs]) / len(x[i:i + bs])
                                  for i in range(0, len(x), bs)))

    name = "minibatch_epoch(W, x, y, lr, batch_size)"
    fb = _check_epoch(minibatch_epoch, cases, name, full_batch, at_old_w)
    if fb.status in (INCORRECT, ERROR):
        return _earlier(minibatch_epoch, name, "grad_E", "gd_step") or fb
    return fb


def _check_epoch(minibatch_epoch, cases, name, full_batch, at_old_w):
    return check_function(minibatch_epoch, _epoch, cases, name=name, mistakes=[
        Mistake("sum instead of mean (missing 1/n of the batch)", "Use the batch's mean "
                "gradient, (2/|B|) sum over the batch: with the sum, the step grows with "
                "the batch size.", function=lambda W, x, y, lr, bs: _epoch_sum(W, x, y, lr, bs)),
        Mistake("one full-batch step", "That is batch gradient descent: one step with all "
                "the data. Mini-batch descent takes one step per batch.", function=full_batch),
        Mistake("all batches at the old weight", "Each batch must use the weight after the "
                "previous batch's step: update W inside the loop.", function=at_old_w),
        Mistake("divided by the data size, not the batch size", "Average over the batch: "
                "divide by its own length.",
                function=lambda W, x, y, lr, bs: _epoch_div(W, x, y, lr, bs, len(x))),
    ])


def _epoch_sum(W, x, y, lr, bs):
    for i in range(0, len(x), bs):
        W -= lr * _grad(W, x[i:i + bs], y[i:i + bs])
    return float(W)


def _epoch_div(W, x, y, lr, bs, n):
    for i in range(0, len(x), bs):
        W -= lr * _grad(W, x[i:i + bs], y[i:i + bs]) / n
    return float(W)


@lab.exercise(8, hint="One weight at a time, with the chain rule: differentiate the "
              "square, then multiply by the inner derivative of w x_i + b - y_i (with "
              "respect to w, then to b). E is a mean: average over the rows. Return the two "
              "numbers as a pair.")
def check_grad_wb(grad_wb):
    """Exercise 8: ``grad_wb(w, b, x, y)`` -> (dE/dw, dE/db) of the mean squared error."""
    rng = np.random.default_rng(801)
    cases = [(w, round(float(rng.normal()), 2), x, y) for w, x, y in _data_cases(802)]
    return check_function(grad_wb, _grad_wb, cases, name="grad_wb(w, b, x, y)",
                          returns=("dE_dw", "dE_db"), mistakes=[
        Mistake("forgot the bias", "The model's output is w x + b: include b in the miss "
                "of every row.", function=lambda w, b, x, y: _grad_wb(w, 0.0, x, y)),
        Mistake("forgot the inner derivative x_i in dE/dw", "dE/dw needs, in every row, "
                "the factor x_i = d(w x_i + b - y_i)/dw: average r_i x_i, not r_i.",
                function=lambda w, b, x, y: (_grad_wb(w, b, x, y)[1],) * 2),
        Mistake("swapped the two partial derivatives", "dE/dw has the factor x_i, dE/db "
                "does not. Return (dE/dw, dE/db) in that order.",
                function=lambda w, b, x, y: _grad_wb(w, b, x, y)[::-1]),
        Mistake("sum instead of mean (missing 1/n)", "E here is the mean squared error: "
                "divide the sums by n.",
                function=lambda w, b, x, y: tuple(g * len(x) for g in _grad_wb(w, b, x, y))),
        Mistake("missing factor of 2", "Differentiating the square gives a factor 2.",
                function=lambda w, b, x, y: tuple(g / 2 for g in _grad_wb(w, b, x, y))),
        Mistake("wrong sign", "Use the miss w x + b - y (model minus target).",
                function=lambda w, b, x, y: tuple(-g for g in _grad_wb(w, b, x, y))),
    ])
