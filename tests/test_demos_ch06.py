"""Tests for bplib.demos.ch06: finite-difference errors, the step slider, the backward
timings, the three broken layers and the decision-boundary figure."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from bplib import byhand
from bplib.demos import ch06
from bplib.gradcheck import check_layer, numerical_gradient


def test_E_of_w5_is_the_classic_error_in_both_precisions():
    exact = byhand.forward(byhand.classic_params())["E_total"]
    assert ch06.E_of_w5(0.4) == pytest.approx(exact, rel=1e-15)
    e32 = ch06.E_of_w5(np.float32(0.4), bits=32)
    assert e32.dtype == np.float32 and e32 == pytest.approx(exact, rel=1e-6)
    fd = numerical_gradient(lambda v: float(ch06.E_of_w5(v[0])), np.array([0.4]))[0]
    assert ch06.dE_dw5() == pytest.approx(fd, rel=1e-8)


def test_fd_errors_follow_the_v():
    central, forward = ch06.fd_errors(np.array([1e-1, 1e-3, 1e-5]), 64)
    # truncation: central falls like h^2, forward like h
    assert central[0] / central[1] == pytest.approx(1e4, rel=0.05)
    assert forward[0] / forward[1] == pytest.approx(1e2, rel=0.2)
    assert central[2] < 1e-9 < forward[2]
    table = ch06.fd_table()
    best64 = table[table.bits == 64].sort_values("central").iloc[0]
    assert 1e-7 <= best64["h"] <= 1e-3 and best64["central"] < 1e-9
    # float32: a step below the spacing of numbers near w5 is lost, a 100% error
    tiny = table[(table.bits == 32) & (table.h <= 1e-8)]
    assert (tiny["central"] == 1.0).all() and (tiny["forward"] == 1.0).all()
    assert table[table.bits == 32]["central"].min() > 1e-7


def test_step_view_marks_the_current_error_and_says_when_the_step_is_lost():
    fig, text = ch06.step_view(-5.0, 64)
    assert isinstance(fig, Figure) and "h = 1e-05 in float64" in text
    (point,) = [line for line in fig.axes[0].lines if line.get_marker() == "o"]
    c = ch06.fd_errors(np.array([1e-5]), 64)[0][0]
    assert point.get_ydata()[0] == pytest.approx(c)
    assert "rounds to w5" in ch06.step_view(-9.0, 32)[1]
    assert "round to the same number" in ch06.step_view(-7.0, 32)[1]
    assert "round" not in ch06.step_view(-3.0, 32)[1]


def test_step_demo_grid():
    demo = ch06.step_demo()
    assert [s.name for s in demo.sliders] == ["log10_h", "bits"]
    assert demo.sliders[0].values[0] == -12 and demo.sliders[0].values[-1] == -1
    assert demo.sliders[1].values == [32, 64] and demo.n_frames == 46
    assert demo.initial == {"log10_h": -5.0, "bits": 64}


@pytest.mark.parametrize("fn", [ch06.loop_backward, ch06.outer_backward,
                                ch06.einsum_backward, ch06.matrix_backward])
def test_the_four_backward_forms_agree(fn):
    rng = np.random.default_rng(0)
    X, delta = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    dW, db = fn(X, delta)
    np.testing.assert_allclose(dW, X.T @ delta, rtol=1e-12)
    np.testing.assert_allclose(db, delta.sum(axis=0), rtol=1e-12)


def test_backward_timings_table():
    table = ch06.backward_timings(N=8, n_in=4, n_out=3, repeats=1)
    assert list(table.columns) == ["method", "seconds", "max_difference", "times_slower"]
    assert len(table) == 4 and table["times_slower"].iloc[-1] == 1.0
    assert (table["max_difference"] < 1e-12).all() and (table["seconds"] > 0).all()


def test_each_broken_layer_fails_where_its_bug_is():
    X = np.random.default_rng(1).normal(size=(4, 3))
    t = check_layer(ch06.TransposedDense(3, 3, seed=0), X)
    assert [k for k in t.errors if t.verdict(k) != "ok"] == ["W"]
    with pytest.raises(ValueError, match="transposed"):
        check_layer(ch06.TransposedDense(3, 2, seed=0), X)
    b = check_layer(ch06.OneRowBiasDense(3, 2, seed=0), X)
    assert [k for k in b.errors if b.verdict(k) != "ok"] == ["b"]
    assert check_layer(ch06.OneRowBiasDense(3, 2, seed=0), X[:1]).ok   # hidden at N = 1
    m = check_layer(ch06.MeanDense(3, 2, seed=0), X)
    assert [k for k in m.errors if m.verdict(k) != "ok"] == ["W", "b"]
    np.testing.assert_allclose(m.analytic["W"], m.numerical["W"] / 4, rtol=1e-6)
    assert check_layer(ch06.MeanDense(3, 2, seed=0), X[:1]).ok          # hidden at N = 1
    assert set(ch06.BROKEN.values()) == {ch06.TransposedDense, ch06.OneRowBiasDense,
                                         ch06.MeanDense}


def test_scratch_figure_draws_curve_and_boundary():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    fig = ch06.scratch_figure([0.3, 0.2, 0.1], lambda P: P[:, 0] * 0.8 + 0.1, X,
                              np.array([0, 1, 1]))
    assert isinstance(fig, Figure) and len(fig.axes) == 3       # two panels and a colorbar
    assert len(fig.axes[0].lines[0].get_xdata()) == 3
