"""Tests for bplib.demos.ch04: graph drawing, the neuron, paths, costs and sliders."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from bplib.demos import ch04, graph
from bplib.engine import Value, topological_order


def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def _grads(fig):
    """The gradients written in the boxes (red numbers after a red "grad")."""
    return [t.get_text() for ax in fig.axes for t in ax.texts
            if t.get_color() == graph.GRAD_COLOR and t.get_text() != "grad"]


def test_draw_graph_shows_every_value_and_gradient():
    v = ch04.neuron()
    fig = ch04.draw_graph(v["E"])
    assert isinstance(fig, Figure)
    texts = _texts(fig)
    n = len(topological_order(v["E"]))
    assert len(texts) == 4 * n                  # name, value, "grad", gradient per box
    assert texts.count("grad") == n
    assert len(_grads(fig)) == n
    assert f"{v['w'].grad:.3g}" in _grads(fig)
    assert "E = \u00d7" in texts and "\u0177 = \u03c3" in texts


def test_draw_graph_without_gradients_and_into_given_axes():
    x = Value(2.0, label="x")
    out = (x * x).exp()
    fig = Figure()
    ax = fig.add_subplot()
    assert ch04.draw_graph(out, ax, grads=False, title="t") is fig
    texts = _texts(fig)
    assert not any(t.startswith("grad") for t in texts)
    assert len(texts) == 2 * 3


def test_layout_puts_parents_left_of_children():
    x, y = Value(1.0, "x"), Value(2.0, "y")
    z = (x * y + x).tanh() * y
    pos, _ = graph._layout(topological_order(z))
    for node in pos:
        for p in node.parents:
            assert pos[p][0] < pos[node][0]
    assert len(set(pos.values())) == len(pos)        # no two boxes on one spot


def test_draw_graph_rejects_non_values():
    with pytest.raises(TypeError, match="draw_graph: expected a Value"):
        ch04.draw_graph(3.0)


def test_neuron_gradients_match_the_chain_rule():
    w, x, b, t = 0.5, 1.5, 0.1, 0.8
    v = ch04.neuron(w, x, b, t)
    y = 1 / (1 + math.exp(-(w * x + b)))
    delta = (y - t) * y * (1 - y)
    assert v["E"].data == pytest.approx(0.5 * (y - t) ** 2)
    assert v["w"].grad == pytest.approx(delta * x)
    assert v["b"].grad == pytest.approx(delta)
    assert v["x"].grad == pytest.approx(delta * w)


@pytest.mark.parametrize("make", [ch04.neuron_demo, ch04.max_demo])
def test_demos_are_small_and_render_at_the_ends_and_middle(make):
    demo = make()
    assert demo.n_frames <= 41
    (slider,) = demo.sliders
    for value in (slider.values[0], slider.values[len(slider) // 2], slider.values[-1]):
        fig, _ = demo.render(**{slider.name: value})
        assert isinstance(fig, Figure)


def test_neuron_view_tangent_has_the_engine_slope():
    fig, text = ch04.neuron_view(w=-1.0)
    curve_ax = fig.axes[1]
    (xs, ys) = curve_ax.lines[1].get_data()
    slope = (ys[1] - ys[0]) / (xs[1] - xs[0])
    grad = ch04.neuron(w=-1.0)["w"].grad
    assert slope == pytest.approx(grad)
    assert f"dE/dw = {grad:.3g}" in text


@pytest.mark.parametrize("a, winner", [(1.5, "c"), (-1.5, "ab")])
def test_max_view_routes_to_the_larger_input(a, winner):
    fig = ch04.max_view(a, b=-1.0, c=0.0)
    assert f"the gradient goes to {winner}" in fig.axes[0].get_title()


def test_patterns_figure_shows_the_three_rules():
    grads = _grads(ch04.patterns_figure(a=2.0, b=-3.0, g=1.5))
    for grad in ("-4.5", "3", "0", "1.5"):
        assert grad in grads


def test_scalar_mlp_is_seeded_and_sized():
    sizes = (3, 4, 2)
    w = ch04.scalar_mlp(sizes, seed=5)
    assert len(w) == 3 * 4 + 4 + 4 * 2 + 2
    assert w == ch04.scalar_mlp(sizes, seed=5)
    assert w != ch04.scalar_mlp(sizes, seed=6)


def test_mlp_loss_on_floats_and_values_agrees_with_numpy():
    sizes, rng = (3, 4, 2), np.random.default_rng(0)
    w = ch04.scalar_mlp(sizes, seed=1)
    x, t = rng.normal(size=3), rng.normal(size=2)
    W1 = np.array(w[:12]).reshape(3, 4)
    b1 = np.array(w[12:16])
    W2 = np.array(w[16:24]).reshape(4, 2)
    b2 = np.array(w[24:])
    expected = 0.5 * np.sum((np.tanh(x @ W1 + b1) @ W2 + b2 - t) ** 2)
    assert ch04.mlp_loss(w, sizes, x, t) == pytest.approx(expected)
    assert ch04.mlp_loss([Value(v) for v in w], sizes, x, t).data == pytest.approx(expected)


def test_count_paths_doubles_per_block():
    v0 = Value(1.0)
    v = v0
    for _ in range(6):
        v = 0.6 * v + 0.5 * v
    assert ch04.count_paths(v, v0) == 2 ** 6
    assert ch04.count_paths(v, Value(3.0)) == 0


def test_gradient_cost_counts_and_agrees():
    table = ch04.gradient_cost(hidden=(2, 3), n_in=2, seed=0, repeats=1)
    assert list(table["weights"]) == [2 * 2 + 2 + 2 + 1, 2 * 3 + 3 + 3 + 1]
    assert list(table["fd_evaluations"]) == list(2 * table["weights"])
    assert (table["reverse_evaluations"] == 1).all()
    assert (table["max_abs_difference"] < 1e-8).all()
    assert isinstance(ch04.cost_figure(table), Figure)


def test_max_view_at_a_tie_says_the_gradient_is_split():
    # a = 0 lies on the slider's grid: a * b = 0 = c, and the engine gives each half.
    assert "split, half to each" in ch04.max_view(0.0).axes[0].get_title()
    assert "goes to ab" in ch04.max_view(-1.0).axes[0].get_title()
