"""bplib.exercises.lab01: right answers pass; each named mistake is recognised."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.exercises import lab01 as ex


def sse(W, x, y):
    return float(np.sum((W * x - y) ** 2))


def best_w(x, y):
    return float(np.sum(x * y) / np.sum(x * x))


def slope(W, x, y):
    return float(2 * np.sum(x * (W * x - y)))


def errors(W, x, y):
    return np.abs(W * x - y), (W * x - y) ** 2


def noise_answers():
    ws, es = [], []
    for noise in ex.NOISE_LEVELS:
        x, y = ex.noisy_data(noise)
        ws.append(best_w(x, y))
        es.append(sse(ws[-1], x, y))
    return ws, es


def test_right_answers_pass():
    out = ex.W_TABLE * ex.X_NEW
    a, s = errors(ex.W_TABLE, ex.X_NEW, ex.Y_NEW)
    ws, es = noise_answers()
    assert ex.check_table_by_hand(list(out), list(a), list(s)).correct
    assert ex.check_totals(a.sum(), s.sum()).correct
    assert ex.check_errors(errors).correct
    assert ex.check_best_w(best_w).correct
    assert ex.check_slope(slope).correct
    assert ex.check_slider(slope(0.5, *ex.chapter1()), slope(3.0, *ex.chapter1()), 2.0).correct
    assert ex.check_noise(ws, es, es[3] / es[2]).correct
    assert ex.check_noise(ws, es, 4.0).correct


def test_every_exercise_registered_with_a_hint():
    assert list(ex.lab.checks) == [str(k) for k in range(1, 9)]
    assert all(ex.lab.hints.values())


def test_nothing_attempted():
    for check, n in [(ex.check_table_by_hand, 3), (ex.check_totals, 2),
                     (ex.check_errors, 1), (ex.check_abs_vs_squared, 2),
                     (ex.check_best_w, 1), (ex.check_slope, 1), (ex.check_slider, 3),
                     (ex.check_noise, 3)]:
        assert check(*[...] * n).status == "not-attempted"


@pytest.mark.parametrize("answers, mistake", [
    ((ex.W_TABLE + ex.X_NEW, [1, 1, 3], [1, 1, 9]), "added W instead of multiplying"),
    (([3, 6, 12], [-1, 1, 3], [1, 1, 9]), "forgot the absolute value"),   # the miss itself
    (([3, 6, 12], [1, -1, -3], [1, 1, 9]), "forgot the absolute value"),  # y - W x
    (([3, 6, 12], [1, 1, 3], [2, 2, 6]), "doubled instead of squared"),
    (([3, 6, 12], [1, 1, 3], [-1, 1, 9]), "squared without the sign"),
])
def test_table_mistakes(answers, mistake):
    assert ex.check_table_by_hand(*answers).mistake == mistake


def test_table_by_hand_right_and_rows_named():
    assert ex.check_table_by_hand([3, 6, 12], [1, 1, 3], [1, 1, 9]).correct
    assert ex.check_table_by_hand((3.0, 6.0, 12.0), np.array([1, 1, 3]), [1, 1, 9]).correct
    fb = ex.check_table_by_hand([3, 6, 12], [1, 2, 3], [1, 1, 9])
    assert "row 2" in fb.message


@pytest.mark.parametrize("answers, mistake", [
    ((5, 5), "summing absolute instead of squared errors"),
    ((5, 25), "squared the sum"),
    ((3, 11), "added the misses with their signs"),
    ((5, 11 / 3), "extra factor of 1/3"),           # the mean, not the sum
    ((5, -11), "wrong sign"),
    ((-5, 11), "wrong sign"),
])
def test_totals_mistakes(answers, mistake):
    assert ex.check_totals(*answers).mistake == mistake


def test_totals_swapped():
    assert ex.check_totals(11, 11).mistake == "added the squared errors"
    assert ex.check_totals(5, 11).correct


@pytest.mark.parametrize("fn, mistake", [
    (lambda W, x, y: (W * x - y, (W * x - y) ** 2), "forgot the absolute value"),
    (lambda W, x, y: (np.abs(W * x - y), 2 * np.abs(W * x - y)), "doubled instead of squared"),
    (lambda W, x, y: (np.sum(np.abs(W * x - y)), np.sum((W * x - y) ** 2)), "summed the rows"),
    (lambda W, x, y: errors(1.0, W + x, y), "added W instead of multiplying"),
    (lambda W, x, y: (np.array([1.0, 1.0, 3.0]), np.array([1.0, 1.0, 9.0])),
     "hard-coded answer"),
])
def test_errors_mistakes(fn, mistake):
    assert ex.check_errors(fn).mistake == mistake


def test_errors_exception_reported():
    fb = ex.check_errors(lambda W, x, y: W * x[10])
    assert fb.status == "error" and "IndexError" in fb.message


def test_abs_vs_squared():
    assert ex.check_abs_vs_squared(2.25, 2.38).correct
    assert ex.check_abs_vs_squared(2.25, 50 / 21).correct
    assert ex.check_abs_vs_squared(2.38, 2.25).mistake == "swapped the two"


def test_errors_accepts_any_pair():
    def as_array(W, x, y):
        return np.array([np.abs(W * x - y), (W * x - y) ** 2])

    assert ex.check_errors(as_array).correct
    assert ex.check_errors(lambda W, x, y: list(as_array(W, x, y))).correct


@pytest.mark.parametrize("fn, mistake", [
    (lambda x, y: np.polyfit(x, y, 1)[0], "fitted a line with a bias"),
    (lambda x, y: np.sum(x * x) / np.sum(x * y), "upside down"),
    (lambda x, y: np.sum(x * y) / np.sum(y * y), "swapped x and y"),
    (lambda x, y: np.sum(y) / np.sum(x), "ratio of sums"),
    (lambda x, y: np.mean(y / x), "mean of the ratios y/x"),
    (lambda x, y: np.sum(x * y) / np.sum(x), "forgot to square x"),
    (lambda x, y: 50 / 21, "hard-coded answer"),
    (lambda x, y: -np.sum(x * y) / np.sum(x * x), "wrong sign"),
])
def test_best_w_mistakes(fn, mistake):
    assert ex.check_best_w(fn).mistake == mistake


@pytest.mark.parametrize("fn, mistake", [
    (lambda W, x, y: 2 * W * np.sum(W * x - y), "gradient with respect to the wrong variable"),
    (lambda W, x, y: 2 * np.sum(W * x - y), "forgot the inner derivative"),
    (lambda W, x, y: np.sum(x * np.sign(W * x - y)), "slope of the absolute error"),
    (lambda W, x, y: np.sum(x * (W * x - y)), "missing factor of 2"),
    (lambda W, x, y: 2 * np.sum(x * (y - W * x)), "wrong sign"),
    (lambda W, x, y: 2 * np.mean(x * (W * x - y)), "extra factor of 1/n"),
])
def test_slope_mistakes(fn, mistake):
    assert ex.check_slope(fn).mistake == mistake


def test_slider_mistakes():
    x, y = ex.chapter1()
    assert ex.check_slider(sse(0.5, x, y), 10, 2).mistake == "read E instead of the slope"
    assert ex.check_slider(-15, sse(3.0, x, y), 2).mistake == "read E instead of the slope"
    assert ex.check_slider(15, 10, 2).mistake == "wrong sign"
    assert ex.check_slider(-15, 10, 0).mistake == "gave the error, not W"
    assert ex.check_slider(-15.1, 10.1, 2.02).correct          # read off a curve


def test_noise_mistakes():
    ws, es = noise_answers()
    assert ex.check_noise([2.0] * 4, es, 4).mistake == "assumed noise leaves W* at 2"
    at_two = [sse(2.0, *ex.noisy_data(n)) for n in ex.NOISE_LEVELS]
    assert ex.check_noise(ws, at_two, 4).mistake == "error at W = 2 instead of at W*"
    assert ex.check_noise(ws, es, 2).mistake == "thought the error grows like the noise"
    assert ex.check_noise(ws, np.array(es) / ex.NOISE_N, 4).mistake == "extra factor of 1/50"
    assert ex.check_noise(np.array([ws]).T, es, 4).mistake == "wrong shape"


# ---------------------------------------------------------------- the review of issue 13
def test_errors_swapped_is_named():
    def swapped(W, x, y):
        miss = W * x - y
        return miss ** 2, np.abs(miss)
    assert ex.check_errors(swapped).mistake == "swapped the two arrays"


def test_errors_one_array_where_a_pair_is_expected():
    fb = ex.check_errors(lambda W, x, y: np.abs(W * x - y))
    assert fb.mistake == "wrong number of results" and "one array of shape" in fb.message
    assert "return a, b" in fb.message, fb.message


def test_a_pair_lead_agrees_with_a_plural_name():
    fb = ex.check_errors(lambda W, x, y: (np.abs(W * x - y), 3 * (W * x - y) ** 2))
    assert "The absolute errors are right; the squared errors are not." in fb.message, fb
