"""Tests for bplib.demos.ch02: gradient descent, the learning-rate thresholds, the demos."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from bplib.datasets import noisy_line
from bplib.demos import ch01, ch02
from bplib.gradcheck import numerical_gradient, relative_error
from bplib.figures import Demo

X = np.array([0.0, 1.0, 2.0])
Y = np.array([0.0, 2.0, 4.0])


def _slope(x, y):
    return lambda w: ch01.squared_error_slope(w, x, y)


# ---------------------------------------------------------------- derivative and steps
@settings(max_examples=30, deadline=None)
@given(st.floats(-10, 10), st.lists(st.floats(-5, 5), min_size=1, max_size=6))
def test_gradient_matches_finite_differences(W, xs):
    x = np.array(xs)
    y = 2 * x + 1
    num = numerical_gradient(lambda w: ch01.squared_error(w[0], x, y), np.array([W]))[0]
    ana = ch01.squared_error_slope(W, x, y)
    assert abs(ana - num) <= 1e-6 * (1 + abs(ana))


def test_hand_worked_steps_from_three():
    path = ch02.descend(_slope(X, Y), 3.0, 0.05, 3)
    np.testing.assert_allclose(path, [3.0, 2.5, 2.25, 2.125])


def test_descend_follows_the_ratio_r():
    # eq. (ch02-ratio): W_t - W* = r^t (W_0 - W*) with r = 1 - lr E''.
    for lr in (0.01, 0.05, 0.15, 0.19):
        path = ch02.descend(_slope(X, Y), 3.0, lr, 20)
        r = 1 - lr * ch02.curvature(X)
        np.testing.assert_allclose(path - 2.0, r ** np.arange(21), atol=1e-12)


def test_descend_vector_and_shapes():
    path = ch02.descend(lambda p: 2 * p, np.array([1.0, -2.0]), 0.25, 4)
    assert path.shape == (5, 2)
    np.testing.assert_allclose(path[-1], np.array([1.0, -2.0]) * 0.5 ** 4)
    assert ch02.descend(_slope(X, Y), 3.0, 0.1, 0).shape == (1,)


def test_descend_stops_at_overflow_and_validates_steps():
    path = ch02.descend(lambda w: w ** 3, 10.0, 1.0, 50)
    assert np.all(np.isfinite(path)) and path.size < 51
    with pytest.raises(ValueError, match="descend: steps"):
        ch02.descend(_slope(X, Y), 3.0, 0.1, -1)
    with pytest.raises(ValueError, match="descend: steps"):
        ch02.descend(_slope(X, Y), 3.0, 0.1, 2.5)


# ---------------------------------------------------------------- thresholds
def test_thresholds_for_chapter_data():
    th = ch02.lr_thresholds(X)
    assert th == pytest.approx({"curvature": 10.0, "one_step": 0.1, "converge": 0.2})
    assert ch02.descend(_slope(X, Y), 3.0, th["one_step"], 1)[-1] == pytest.approx(2.0)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(0.1, 4), min_size=2, max_size=8), st.floats(-3, 3))
def test_converges_just_below_and_diverges_just_above(xs, w_true):
    x = np.array(xs)
    y = w_true * x
    limit = 1 / np.sum(x ** 2)              # eq. (ch02-conv)
    assert limit == pytest.approx(ch02.lr_thresholds(x)["converge"])
    w_star = ch01.best_weight(x, y)
    below = ch02.descend(_slope(x, y), w_star + 1, 0.98 * limit, 2000)
    above = ch02.descend(_slope(x, y), w_star + 1, 1.02 * limit, 500)
    assert abs(below[-1] - w_star) < 1e-6
    assert abs(above[-1] - w_star) > 100


def test_no_overshoot_iff_below_one_over_curvature():
    c = ch02.curvature(X)
    for lr, overshoots in ((0.9 / c, False), (1.0 / c, False), (1.1 / c, True)):
        path = ch02.descend(_slope(X, Y), 3.0, lr, 10)
        assert bool(np.any(path < 2.0 - 1e-12)) is overshoots


@pytest.mark.parametrize("lr, name", [
    (0.0, "no progress"), (-0.01, "diverging (uphill)"), (0.05, "slow (no overshoot)"),
    (0.1, "one step"), (0.15, "oscillating, converging"),
    (0.2, "on the edge (oscillates forever)"), (0.2 + 1e-15, "on the edge (oscillates forever)"),
    (0.21, "diverging")])
def test_regime_names(lr, name):
    assert ch02.regime(lr, X) == name


def test_thresholds_reject_flat_error():
    with pytest.raises(ValueError, match="lr_thresholds"):
        ch02.lr_thresholds(np.zeros(3))


# ---------------------------------------------------------------- figures and demos
@pytest.mark.parametrize("lr, w0", [(0.02, 0.0), (0.1, 2.0), (0.2, 3.0), (0.22, 5.0)])
def test_lr_figure_renders_and_names_regime(lr, w0):
    fig, text = ch02.lr_steps_figure(lr, w0, X, Y)
    assert isinstance(fig, Figure)
    assert ch02.regime(lr, X) in text
    fig.canvas.draw()


def test_lr_figure_draws_divergence_as_such():
    fig, text = ch02.lr_steps_figure(0.22, 0.0, X, Y)
    notes = [t.get_text() for t in fig.axes[0].texts]
    assert any("leaves the plot" in n for n in notes)
    assert "diverging" in fig.axes[0].get_title()
    fig, _ = ch02.lr_steps_figure(0.04, 3.0, X, Y)
    assert not any("leaves the plot" in t.get_text() for t in fig.axes[0].texts)


def _sweep(demo):
    for s in demo.sliders:
        for v in (s.values[0], s.values[len(s.values) // 2], s.values[-1]):
            values = dict(demo.initial, **{s.name: v})
            fig, _ = demo.render(**values)
            assert isinstance(fig, Figure)


def test_lr_demo_small_and_renders_at_extremes():
    demo = ch02.lr_demo(X, Y)
    assert isinstance(demo, Demo)
    assert demo.n_frames <= 80
    lrs = demo.sliders[0].values
    assert 0.1 in lrs and 0.2 in lrs and max(lrs) > 0.2   # one step, edge, divergence
    _sweep(demo)


def test_contour_demo_renders_and_marks_divergence():
    x, y = noisy_line(30, w=2.0, b=1.0, seed=1)
    demo = ch02.contour_demo(x, y, steps=20)
    assert demo.n_frames <= 41
    _sweep(demo)
    fig, _ = demo.render(lr=demo.sliders[0].values[-1])
    assert "diverging" in fig.axes[0].get_title()


# ---------------------------------------------------------------- batches
def test_batch_runs_full_batch_equals_descend_on_mean_error():
    x, y = noisy_line(20, seed=3)
    runs = ch02.batch_runs(x, y, lr=0.05, epochs=5, batch_sizes=[20, 4, 1], seed=0)
    ep, ws, errs = runs[20]
    ref = ch02.descend(lambda w: ch01.squared_error_slope(w, x, y) / x.size, 0.0, 0.05, 5)
    np.testing.assert_allclose(ws, ref)
    np.testing.assert_allclose(errs, ch01.squared_error(ref, x, y) / x.size)
    assert [runs[b][1].size for b in (20, 4, 1)] == [6, 26, 101]
    np.testing.assert_allclose(runs[4][0][[0, 5, -1]], [0, 1, 5])
    again = ch02.batch_runs(x, y, lr=0.05, epochs=5, batch_sizes=[1], seed=0)
    np.testing.assert_array_equal(again[1][1], runs[1][1])
    assert ch02.batch_figure(runs, 20, e_min=0.2).axes


def test_stochastic_hovers_but_all_get_near_the_bottom():
    x, y = noisy_line(50, seed=0)
    e_min = ch01.squared_error(ch01.best_weight(x, y), x, y) / x.size
    runs = ch02.batch_runs(x, y, lr=0.02, epochs=20, batch_sizes=[50, 1], seed=0)
    assert runs[50][2][-1] < 1.01 * e_min
    assert np.all(np.diff(runs[50][2]) <= 0)          # batch: the error never rises
    assert np.any(np.diff(runs[1][2]) > 0)            # stochastic: it does
    assert runs[1][2][50] < runs[50][2][1]            # but is lower after one epoch


# ---------------------------------------------------------------- two weights, minima
@settings(max_examples=20, deadline=None)
@given(st.floats(-3, 3), st.floats(-3, 3), st.integers(0, 100))
def test_line_gradient_matches_finite_differences(w, b, seed):
    x, y = noisy_line(10, w=1.0, b=0.5, seed=seed)
    p = np.array([w, b])
    num = numerical_gradient(lambda q: float(ch02.line_error(q[0], q[1], x, y)), p.copy())
    assert relative_error(ch02.line_gradient(p, x, y), num) < 1e-6


def test_line_minimum_is_least_squares_and_where_gradient_vanishes():
    x, y = noisy_line(40, w=2.0, b=1.0, seed=1)
    wb = ch02.line_minimum(x, y)
    np.testing.assert_allclose(wb, np.polyfit(x, y, 1))
    np.testing.assert_allclose(ch02.line_gradient(wb, x, y), 0, atol=1e-12)
    H = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])   # eq. (ch02-hess)
    limit = 2 / np.linalg.eigvalsh(H).max()
    start = np.array([-0.5, 3.5])
    below = ch02.descend(lambda p: ch02.line_gradient(p, x, y), start, 0.98 * limit, 3000)
    above = ch02.descend(lambda p: ch02.line_gradient(p, x, y), start, 1.02 * limit, 3000)
    assert np.linalg.norm(below[-1] - wb) < 1e-6
    assert np.linalg.norm(above[-1] - wb) > 1e3


def test_wave_gradient_and_minima():
    x = np.linspace(0, 3, 30)
    y = np.sin(2 * x)
    for w in (-1.0, 0.5, 3.0):
        num = numerical_gradient(lambda v: float(ch02.wave_error(v[0], x, y)), np.array([w]))
        assert abs(ch02.wave_gradient(w, x, y) - num[0]) < 1e-6
    ends = [ch02.descend(lambda w: ch02.wave_gradient(w, x, y), w0, 0.01, 300)[-1]
            for w0 in (-1.5, 1.0, 5.0)]
    assert ends[1] == pytest.approx(2.0, abs=1e-6)                 # global
    assert ends[0] < 0 and ends[2] > 4                             # two local minima
    assert ch02.wave_error(ends[0], x, y) > 1 and ch02.wave_error(ends[2], x, y) > 1
    fig = ch02.minima_figure(x, y, [-1.5, 1.0, 5.0], lr=0.01, steps=20)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts.count("global minimum") == 1 and texts.count("local minimum") >= 2


def test_lr_demo_with_one_slider_for_other_data():
    x, y = np.array([1.0, 3.0, 4.0]), np.array([2.0, 7.0, 9.0])
    demo = ch02.lr_demo(x, y, lr=(0.002, 0.05, 0.002, 0.01), w0=0.5)
    assert [s.name for s in demo.sliders] == ["lr"] and demo.n_frames == 25
    _sweep(demo)
    fig, text = demo.render(lr=0.05)
    assert "diverging" in text
    lo, hi = fig.axes[0].get_xlim()                  # centred on W* by default
    assert (lo + hi) / 2 == pytest.approx(ch01.best_weight(x, y))
