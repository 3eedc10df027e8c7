"""Tests for bplib.demos.ch03: Chapter 3's figures and slider demos."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from bplib.activations import sigmoid_prime
from bplib.demos import ch03
from bplib.figures import Demo

DEMOS = [ch03.neuron_demo, ch03.saturation_demo]


def _split(out):
    return out if isinstance(out, tuple) else (out, None)


@pytest.mark.parametrize("factory", DEMOS)
def test_demo_factory_returns_a_small_demo(factory):
    demo = factory()
    assert isinstance(demo, Demo)
    assert demo.title
    assert demo.n_frames <= 80
    # the initial values are on the grid and render
    fig, extra = demo.render(**demo.initial)
    assert isinstance(fig, Figure) and fig.axes
    assert isinstance(extra, str) and extra


@pytest.mark.parametrize("factory", DEMOS)
def test_demo_renders_at_min_mid_max_of_every_slider(factory):
    demo = factory()
    for s in demo.sliders:
        for v in (s.values[0], s.values[len(s.values) // 2], s.values[-1]):
            values = dict(demo.initial, **{s.name: v})
            fig, extra = demo.render(**values)
            assert isinstance(fig, Figure)
            assert any(ax.lines or ax.patches or ax.collections for ax in fig.axes)
            assert extra


def test_neuron_demo_corners_render():
    demo = ch03.neuron_demo()
    (w, b) = demo.sliders
    for wv in (w.values[0], w.values[-1]):
        for bv in (b.values[0], b.values[-1]):
            fig, text = demo.render(w=wv, b=bv)
            assert isinstance(fig, Figure)
            assert "x = -b/w" in text


def test_neuron_figure_threshold_and_slope_text():
    fig, text = ch03.neuron_figure(3.0, -1.5)
    assert "x = -b/w = 0.500" in text
    assert "w/4 = 0.750" in text
    assert "rises" in text
    _, text = ch03.neuron_figure(-2.0, 3.0)
    assert "x = -b/w = 1.500" in text and "falls" in text


def test_neuron_figure_zero_weight_is_constant_sigmoid_of_bias():
    fig, text = ch03.neuron_figure(0, 2.0)
    assert isinstance(fig, Figure)
    assert "0.881" in text            # sigma(2) = 0.8808
    curve = fig.axes[0].lines[1].get_ydata()
    np.testing.assert_allclose(curve, 1 / (1 + np.exp(-2.0)))


@settings(max_examples=15, deadline=None)
@given(st.floats(-50, 50), st.floats(-50, 50))
def test_neuron_figure_any_finite_setting(w, b):
    fig, text = ch03.neuron_figure(w, b)
    y = fig.axes[0].lines[1].get_ydata()
    assert np.all(np.isfinite(y)) and np.all((y >= 0) & (y <= 1))
    assert text


@pytest.mark.parametrize("bad, exc", [("1", TypeError), (None, TypeError),
                                      (float("nan"), ValueError), (np.inf, ValueError)])
def test_neuron_figure_rejects_bad_input(bad, exc):
    with pytest.raises(exc, match="neuron_figure"):
        ch03.neuron_figure(bad, 0.0)


def test_saturation_stats_by_hand():
    net = np.array([0.0, 1.0, 4.0, 5.0, -6.0, 10.0])
    frac, mean_d = ch03.saturation_stats(net)
    # sigma'(z) < 0.01 for |z| > 4.59: the last three
    assert frac == pytest.approx(3 / 6)
    assert mean_d == pytest.approx(float(np.mean(sigmoid_prime(net))))


def test_saturation_grows_with_input_scale():
    fracs = []
    for s in (-1.0, 0.0, 1.0, 2.0, 3.0):
        fig, text = ch03.saturation_figure(s)
        assert isinstance(fig, Figure)
        fracs.append(float(text.split("%")[0].split(": ")[1]))
    assert fracs == sorted(fracs)
    assert fracs[0] < 1.0         # small inputs: nothing saturated
    assert fracs[-1] > 90.0       # inputs of size 1000: nearly everything


def test_saturation_figure_is_reproducible_and_seeded():
    _, a = ch03.saturation_figure(0.5, seed=3)
    _, b = ch03.saturation_figure(0.5, seed=3)
    assert a == b


@pytest.mark.parametrize("bad, exc", [(11.0, ValueError), ("2", TypeError)])
def test_saturation_figure_rejects_bad_scale(bad, exc):
    with pytest.raises(exc, match="saturation_figure"):
        ch03.saturation_figure(bad)


def test_static_figures():
    assert isinstance(ch03.activation_figure(), Figure)
    assert len(ch03.activation_figure().axes) == 3
    fig = ch03.softmax_figure([2.0, 1.0, 0.1])
    assert "sums to 1" in fig.axes[1].get_title()
    with pytest.raises(ValueError, match="softmax_figure"):
        ch03.softmax_figure([1.0])
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    fig = ch03.decision_surfaces_figure(
        {"flat": lambda P: np.full(len(P), 0.5), "x1": lambda P: P[:, :1]}, X, y,
        resolution=11)
    assert len(fig.axes) == 3     # two panels and a colour bar
    fig = ch03.hidden_space_figure(X, X[:, ::-1], y)
    assert len(fig.axes) == 2


def test_classic_network_figure_shows_values():
    fig = ch03.classic_network_figure()
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "w1 = 0.15" in texts and "w8 = 0.55" in texts and "b2 = 0.6" in texts
    fig = ch03.classic_network_figure({"h1": (0.3775, 0.593269992)})
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "net 0.3775" in texts and "out 0.5933" in texts


def test_saturation_at_matches_the_figure_text():
    frac, mean_d = ch03.saturation_at(1.0)
    _, text = ch03.saturation_figure(1.0)
    assert f"{100 * frac:.1f}%" in text and f"{mean_d:.4f}" in text
    assert 0.5 < frac < 0.7          # scale 10: most, not all, units saturated
    assert ch03.saturation_at(0.0)[0] < 0.01
