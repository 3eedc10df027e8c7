"""Tests for bplib.demos.ch01: the error table, the error curve, its slope, the slider."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from bplib.demos import ch01

X = np.array([0.0, 1.0, 2.0])
Y = np.array([0.0, 2.0, 4.0])

# The chapter's tables, worked out by hand: (outputs, absolute errors, squared errors).
BY_HAND = {
    3.0: ([0, 3, 6], [0, 1, 2], [0, 1, 4]),
    4.0: ([0, 4, 8], [0, 2, 4], [0, 4, 16]),
    2.0: ([0, 2, 4], [0, 0, 0], [0, 0, 0]),
}


@pytest.mark.parametrize("W", sorted(BY_HAND))
def test_error_table_matches_hand_worked_values(W):
    out, ab, sq = BY_HAND[W]
    t = ch01.error_table(W, X, Y)
    assert isinstance(t, pd.DataFrame)
    assert list(t.columns) == list(ch01.COLUMNS)
    assert list(t.index) == ["1", "2", "3", "sum"]
    rows = t.loc[["1", "2", "3"]]
    np.testing.assert_array_equal(rows["x"], X)
    np.testing.assert_array_equal(rows["desired y"], Y)
    np.testing.assert_array_equal(rows["model output"], out)
    np.testing.assert_array_equal(rows["absolute error"], ab)
    np.testing.assert_array_equal(rows["squared error"], sq)
    assert t.loc["sum", "absolute error"] == sum(ab)
    assert t.loc["sum", "squared error"] == sum(sq)
    assert t.loc["sum", ["x", "desired y", "model output"]].isna().all()


def test_error_table_sums_for_3_4_2():
    sums = {W: ch01.error_table(W, X, Y).loc["sum", "squared error"] for W in (3, 4, 2)}
    assert sums == {3: 5.0, 4: 20.0, 2: 0.0}
    # The default data are the chapter's.
    pd.testing.assert_frame_equal(ch01.error_table(3), ch01.error_table(3, X, Y))


def test_squared_and_absolute_error_scalar_and_vector():
    assert ch01.squared_error(3, X, Y) == 5.0
    assert ch01.absolute_error(4, X, Y) == 6.0
    ws = np.array([1.0, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(ch01.squared_error(ws, X, Y), [5, 0, 5, 20])
    np.testing.assert_allclose(ch01.absolute_error(ws, X, Y), [3, 0, 3, 6])
    assert isinstance(ch01.squared_error(3.0), float)


def test_error_curve_minimum_is_at_two():
    ws = np.linspace(-1, 5, 601)
    e = ch01.squared_error(ws, X, Y)
    assert ws[np.argmin(e)] == pytest.approx(2.0)
    assert e.min() == pytest.approx(0.0, abs=1e-12)
    assert ch01.best_weight(X, Y) == 2.0
    # The curve is 5 (W - 2)^2 for this data (Chapter 1, eq. (ch01-expand)).
    np.testing.assert_allclose(e, 5 * (ws - 2) ** 2, atol=1e-12)


@pytest.mark.parametrize("W, sign", [(-1.0, -1), (1.0, -1), (2.0, 0), (3.0, 1), (5.0, 1)])
def test_slope_sign_points_away_from_the_bottom(W, sign):
    s = ch01.squared_error_slope(W, X, Y)
    assert np.sign(s) == sign
    h = 1e-6
    numeric = (ch01.squared_error(W + h, X, Y) - ch01.squared_error(W - h, X, Y)) / (2 * h)
    assert s == pytest.approx(numeric, rel=1e-6, abs=1e-6)


def test_slope_values_from_the_chapter():
    assert ch01.squared_error_slope(3, X, Y) == 10.0
    assert ch01.squared_error_slope(4, X, Y) == 20.0
    assert ch01.squared_error_slope(1, X, Y) == -10.0


finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=20), finite)
def test_best_weight_is_the_bottom_and_slope_matches_differences(pairs, W):
    x = np.array([p[0] for p in pairs])
    y = np.array([p[1] for p in pairs])
    sxx = np.sum(x * x)
    h = 1e-4
    numeric = (ch01.squared_error(W + h, x, y) - ch01.squared_error(W - h, x, y)) / (2 * h)
    assert ch01.squared_error_slope(W, x, y) == pytest.approx(numeric, rel=1e-5, abs=1e-5)
    if sxx < 1e-3:
        return
    w_star = ch01.best_weight(x, y)
    assert abs(ch01.squared_error_slope(w_star, x, y)) <= 1e-8 * (1 + np.sum(np.abs(x * y)))
    for d in (-0.1, 0.1):
        assert ch01.squared_error(w_star + d, x, y) >= ch01.squared_error(w_star, x, y)


def test_noisy_data_best_weight_agrees_with_least_squares():
    from bplib.datasets import noisy_line

    x, y = noisy_line(n=50, w=2.0, noise=0.5, seed=0)
    w_star = ch01.best_weight(x, y)
    w_ls = np.linalg.lstsq(x[:, None], y, rcond=None)[0][0]
    assert w_star == pytest.approx(w_ls, rel=1e-12)
    assert ch01.squared_error(w_star, x, y) > 0


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="error_table"):
        ch01.error_table([1.0, 2.0], X, Y)
    with pytest.raises(ValueError, match="squared_error"):
        ch01.squared_error(1.0, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="give both x and y"):
        ch01.absolute_error(1.0, X, None)
    with pytest.raises(TypeError, match="error_table"):
        ch01.error_table("three", X, Y)
    with pytest.raises(ValueError, match="best_weight"):
        ch01.best_weight([0.0, 0.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="error_curve"):
        ch01.error_curve(X, Y, kinds=("cubed",))
    with pytest.raises(ValueError, match="error_curve_view"):
        ch01.error_curve_view([1.0, 2.0], X, Y)


def test_table_html_blanks_missing_values():
    html = ch01.table_html(ch01.error_table(3, X, Y), caption="W = 3").data
    assert "NaN" not in html and "nan" not in html
    assert "<caption>W = 3</caption>" in html
    assert html.count("<tr") == 5


def test_figures_are_figures():
    for fig in (ch01.error_curve(X, Y), ch01.error_curve(X, Y, W=3, kinds=("squared", "absolute")),
                ch01.abs_vs_squared_figure(X, Y), ch01.best_fit_figure(X, Y + [0.1, -0.2, 0.3])):
        assert isinstance(fig, Figure)


def test_view_marks_the_point_and_tangent():
    fig, table = ch01.error_curve_view(3.0, X, Y)
    ax_err = fig.axes[1]
    # The tangent line passes through (3, 5) with slope 10.
    tangent = [ln for ln in ax_err.get_lines() if ln.get_linestyle() == "--"][0]
    wx, ey = tangent.get_data()
    assert (ey[1] - ey[0]) / (wx[1] - wx[0]) == pytest.approx(10.0)
    assert np.interp(3.0, wx, ey) == pytest.approx(5.0)
    assert "make W smaller" in ax_err.get_title()
    assert "make W larger" in ch01.error_curve_view(1.0, X, Y)[0].axes[1].get_title()
    assert "bottom" in ch01.error_curve_view(2.0, X, Y)[0].axes[1].get_title()
    assert "<table" in table.data


def test_demo_renders_min_middle_max():
    demo = ch01.error_curve_demo()
    assert demo.n_frames <= 41
    values = demo.sliders[0].values
    for W in (values[0], values[len(values) // 2], values[-1]):
        png, extra = demo.frame(W=W)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert "squared error" in extra


def test_chapter_data_defaults_and_checks():
    from bplib.datasets import chapter1
    x, y = ch01.chapter_data()
    assert np.array_equal(x, chapter1()[0]) and np.array_equal(y, chapter1()[1])
    with pytest.raises(TypeError, match="lr_demo: give both x and y"):
        ch01.chapter_data([1.0, 2.0], None, "lr_demo")
    with pytest.raises(ValueError, match=r"chapter_data: expected x and y of one non-zero "
                                         r"length, got shapes \(2,\) and \(3,\)"):
        ch01.chapter_data([1.0, 2.0], [1.0, 2.0, 3.0])
