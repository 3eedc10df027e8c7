"""Checks for Lab 1, "Learning means making an error small" (labs/lab01-error.ipynb).

The model has one weight, ``y_hat = W x``; its error is E(W) = sum_i (W x_i - y_i)^2
(Chapter 1, eq. (ch01-sse)), its slope dE/dW = 2 sum_i x_i (W x_i - y_i)
(eq. (ch01-slope)) and its best weight W* = sum_i x_i y_i / sum_i x_i^2 (eq. (ch01-best)).

In the lab: ``from bplib.exercises import lab01 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import numpy as np

from bplib.datasets import chapter1, noisy_line

from .core import (TYPED_RTOL, Lab, Mistake, check_array, check_function, check_number,
                   combine)

lab = Lab("Lab 1")
hint = lab.hint

#: The lab's new data (not the chapter's): inputs, desired outputs, the W of the table.
#: With W = 3 the misses are -1, 1, 3: one is negative, so a missing |.| shows.
X_NEW = np.array([1.0, 2.0, 4.0])
Y_NEW = np.array([4.0, 5.0, 9.0])
W_TABLE = 3.0
#: Slider readings are taken at these W (chapter data).
W_READ = (0.5, 3.0)
#: Noise exercise: y = 2 x + noise, n points, one seed, these noise levels.
NOISE_LEVELS = (0.0, 0.5, 1.0, 2.0)
NOISE_N, NOISE_SEED = 50, 1


def noisy_data(noise):
    """The noise exercise's data: ``noisy_line(50, w=2, noise=noise, seed=1)``."""
    return noisy_line(NOISE_N, w=2.0, noise=noise, seed=NOISE_SEED)


# ------------------------------------------------------------ reference answers
def _errors(W, x, y):
    miss = W * x - y
    return np.abs(miss), miss ** 2


def _sse(W, x, y):
    return float(np.sum((W * x - y) ** 2))


def _best_w(x, y):
    return float(np.sum(x * y) / np.sum(x * x))


def _slope(W, x, y):
    return float(2.0 * np.sum(x * (W * x - y)))


def _cases(seed, k=6, with_w=True):
    """Fresh test inputs (never the lab's example): k tuples (W, x, y) or (x, y)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(k):
        n = int(rng.integers(3, 8))
        x = np.round(rng.uniform(-3, 3, n), 2)
        x[x == 0] = 0.5
        y = np.round(1.5 * x + rng.normal(0, 1.5, n), 2)
        w = round(float(rng.uniform(-2, 4)), 2)
        out.append((w, x, y) if with_w else (x, y))
    return out


# ------------------------------------------------------------ the exercises
@lab.exercise(1, hint="Row by row: output = W times x; miss = output minus desired y; "
              "then the size of the miss (no sign) and the miss times itself. The first "
              "row's miss is negative.")
def check_table_by_hand(outputs, abs_errors, sq_errors):
    """Exercise 1: the error table for W = 3 on the new data, by hand."""
    out, (a, s) = W_TABLE * X_NEW, _errors(W_TABLE, X_NEW, Y_NEW)
    no_abs = ("forgot the absolute value", "An absolute error is never negative: drop "
              "the minus sign of a negative miss.")
    return combine(
        check_array(outputs, out, name="model outputs", rtol=TYPED_RTOL, entry="row",
                    mistakes=[
            Mistake("added W instead of multiplying", "The model's output is W times x, "
                    "not W plus x.", value=W_TABLE + X_NEW)]),
        check_array(abs_errors, a, name="absolute errors", rtol=TYPED_RTOL, entry="row",
                    mistakes=[Mistake(*no_abs, value=out - Y_NEW),
                              Mistake(*no_abs, value=Y_NEW - out)]),
        check_array(sq_errors, s, name="squared errors", rtol=TYPED_RTOL, entry="row",
                    mistakes=[
            Mistake("doubled instead of squared", "Squaring means miss times miss, not "
                    "2 times the miss.", value=2 * a),
            Mistake("squared without the sign", "The square of a negative miss is "
                    "positive: (-1) * (-1) = 1.", value=np.sign(out - Y_NEW) * s)]),
        name="the error table for W = 3")


@lab.exercise(2, hint="Add up each error column of your table from exercise 1.")
def check_totals(total_abs, total_sq):
    """Exercise 2: the two error sums of the table, by hand."""
    a, s = _errors(W_TABLE, X_NEW, Y_NEW)
    return combine(
        check_number(total_abs, a.sum(), name="sum of absolute errors", rtol=TYPED_RTOL,
                     mistakes=[
            Mistake("added the squared errors", "This is the sum of the squared errors; "
                    "the absolute errors are asked for here.", value=s.sum()),
            Mistake("added the misses with their signs", "A miss too high and a miss too "
                    "low must not cancel: add the absolute errors.",
                    value=np.sum(W_TABLE * X_NEW - Y_NEW))]),
        check_number(total_sq, s.sum(), name="sum of squared errors", rtol=TYPED_RTOL,
                     mistakes=[
            Mistake("summing absolute instead of squared errors", "This is the sum of the "
                    "absolute errors; add the squared errors instead.", value=a.sum()),
            Mistake("squared the sum", "Square each miss first, then add: the square of "
                    "the sum is a different number.", value=a.sum() ** 2)]),
        name="the error sums for W = 3")


@lab.exercise(3, hint="One array expression gives every row's miss at once (the "
              "statement shows it); numpy's absolute value and squaring then work entry "
              "by entry. Return the two arrays as a pair.")
def check_errors(errors):
    """Exercise 3: ``errors(W, x, y)`` -> (absolute errors, squared errors) per row."""
    return check_function(errors, _errors, _cases(301), name="errors(W, x, y)",
                          returns=("the absolute errors", "the squared errors"), mistakes=[
        Mistake("forgot the absolute value", "The first array must hold |W x - y|: "
                "no negative entries.", function=lambda W, x, y: (W * x - y, (W * x - y) ** 2)),
        Mistake("forgot the absolute value", "The first array must hold |W x - y|: "
                "no negative entries.", function=lambda W, x, y: (y - W * x, (W * x - y) ** 2)),
        Mistake("doubled instead of squared", "Squared error is miss ** 2, not 2 * miss.",
                function=lambda W, x, y: (np.abs(W * x - y), 2 * np.abs(W * x - y))),
        Mistake("summed the rows", "Return one error per row (arrays), not their sums.",
                function=lambda W, x, y: tuple(e.sum() for e in _errors(W, x, y))),
        Mistake("added W instead of multiplying", "The model's output is W * x.",
                function=lambda W, x, y: _errors(1.0, W + x, y)),
        Mistake("swapped the two arrays", "Both arrays are right, but in the wrong order: "
                "return the absolute errors first, then the squared errors.",
                function=lambda W, x, y: _errors(W, x, y)[::-1]),
    ])


@lab.exercise(4, hint="Evaluate both error sums for every W in the grid and use "
              "np.argmin to find the position of the smallest one.")
def check_abs_vs_squared(w_best_abs, w_best_sq):
    """Exercise 4: the best W on a grid under the absolute and the squared error."""
    grid = np.round(np.arange(0.0, 4.0 + 1e-9, 0.01), 2)
    e_abs = [np.sum(_errors(w, X_NEW, Y_NEW)[0]) for w in grid]
    e_sq = [np.sum(_errors(w, X_NEW, Y_NEW)[1]) for w in grid]
    wa, ws = grid[int(np.argmin(e_abs))], grid[int(np.argmin(e_sq))]
    swap = ("swapped the two", "You have the two answers the wrong way round.")
    return combine(
        check_number(w_best_abs, wa, name="best W for the absolute error", atol=0.006,
                     rtol=0, mistakes=[Mistake(*swap, value=ws)]),
        check_number(w_best_sq, ws, name="best W for the squared error", atol=0.006,
                     rtol=0, mistakes=[Mistake(*swap, value=wa)]),
        name="absolute versus squared error")


@lab.exercise(5, hint="At the bottom the slope is zero. Set the formula above to zero, "
              "multiply out the bracket, and collect the terms with W on one side: W is a "
              "ratio of two sums over the data.")
def check_best_w(best_w):
    """Exercise 5: ``best_w(x, y)`` -> W* = sum x y / sum x^2 (eq. (ch01-best))."""
    return check_function(best_w, _best_w, _cases(501, with_w=False), name="best_w(x, y)",
                          mistakes=[
        Mistake("fitted a line with a bias", "The model y = W x has no bias (intercept); "
                "np.polyfit(x, y, 1) fits y = a x + b. Use the formula for W*.",
                function=lambda x, y: float(np.polyfit(x, y, 1)[0])),
        Mistake("upside down", "The fraction is upside down: sum x y goes on top.",
                function=lambda x, y: float(np.sum(x * x) / np.sum(x * y))),
        Mistake("swapped x and y", "This solves for the wrong variable (x from y): the "
                "bottom is sum of x squared, not y squared.",
                function=lambda x, y: float(np.sum(x * y) / np.sum(y * y))),
        Mistake("ratio of sums", "sum y / sum x is not the least-squares W; weight each "
                "row by its x: sum x y / sum x^2.",
                function=lambda x, y: float(np.sum(y) / np.sum(x))),
        Mistake("mean of the ratios y/x", "Averaging y/x row by row is not the "
                "least-squares W: use sum x y / sum x^2.",
                function=lambda x, y: float(np.mean(y / x))),
        Mistake("forgot to square x", "The bottom is the sum of x squared.",
                function=lambda x, y: float(np.sum(x * y) / np.sum(x))),
    ])


@lab.exercise(6, hint="Differentiate one row's (W x - y)^2 with respect to W by the "
              "chain rule: the outside is a square, the inside is W x - y, whose derivative "
              "with respect to W you need as well. Then add over the rows.")
def check_slope(slope):
    """Exercise 6: ``slope(W, x, y)`` -> dE/dW = 2 sum x (W x - y) (eq. (ch01-slope))."""
    return check_function(slope, _slope, _cases(601), name="slope(W, x, y)", mistakes=[
        Mistake("gradient with respect to the wrong variable", "You differentiated with "
                "respect to x (the input); the slope we need is with respect to the "
                "weight W: the inner derivative is x, not W.",
                function=lambda W, x, y: float(2 * W * np.sum(W * x - y))),
        Mistake("forgot the inner derivative", "The chain rule gives 2 (W x - y) times "
                "d(W x)/dW = x: each row's term needs its factor x.",
                function=lambda W, x, y: float(2 * np.sum(W * x - y))),
        Mistake("slope of the absolute error", "That is the slope of sum |W x - y|; this "
                "exercise asks for the squared error's.",
                function=lambda W, x, y: float(np.sum(x * np.sign(W * x - y)))),
    ])


@lab.exercise(7, hint="Drag the slider to the W asked for and read the slope dE/dW "
              "above the curve (not E). Where is the curve flat?")
def check_slider(slope_at_05, slope_at_3, w_flat):
    """Exercise 7: readings off the chapter's W slider (chapter data)."""
    x, y = chapter1()
    (w1, w2), w_star = W_READ, _best_w(x, y)
    s1, s2 = _slope(w1, x, y), _slope(w2, x, y)
    read_e = "This is the error E at that W; read the slope dE/dW instead."
    return combine(
        check_number(slope_at_05, s1, name=f"slope at W = {w1:g}", rtol=0.02, mistakes=[
            Mistake("read E instead of the slope", read_e, value=_sse(w1, x, y))]),
        check_number(slope_at_3, s2, name=f"slope at W = {w2:g}", rtol=0.02, mistakes=[
            Mistake("read E instead of the slope", read_e, value=_sse(w2, x, y))]),
        check_number(w_flat, w_star, name="W where the slope is 0", atol=0.05, rtol=0,
                     mistakes=[Mistake("gave the error, not W", "The question asks for the "
                               "W (the position on the horizontal axis).", value=0.0)]),
        name="reading the slider")


@lab.exercise(8, hint="For each noise level: x, y = ex.noisy_data(noise); W* from "
              "best_w; the minimum error is E at W* (not at W = 2).")
def check_noise(best_ws, min_errors, factor):
    """Exercise 8: what noise in the targets does to W* and to the minimum error."""
    ws, es = [], []
    for noise in NOISE_LEVELS:
        x, y = noisy_data(noise)
        ws.append(_best_w(x, y))
        es.append(_sse(ws[-1], x, y))
    at_two = [_sse(2.0, *noisy_data(noise)) for noise in NOISE_LEVELS]
    return combine(
        check_array(best_ws, ws, name="best W for each noise level", mistakes=[
            Mistake("assumed noise leaves W* at 2", "Noise moves the best W a little "
                    "away from 2: compute it from the noisy data.", value=[2.0] * 4)]),
        check_array(min_errors, es, name="minimum error for each noise level", mistakes=[
            Mistake("error at W = 2 instead of at W*", "You evaluated E at the noise-free "
                    "weight 2; the minimum is at the best W of each noisy data set.",
                    value=at_two)]),
        check_number(factor, es[3] / es[2], name="growth when the noise doubles",
                     rtol=1e-3, mistakes=[
            Mistake("thought the error grows like the noise", "The error adds up squared "
                    "misses, so doubling every miss multiplies it by 2 squared.",
                    value=2.0)]),
        name="noise in the targets")
