"""Tests for bplib.byhand (the 2-2-2 network as plain Python) and bplib.demos.ch05."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from bplib import byhand
from bplib.classic import classic_data, classic_network, classic_step, weights
from bplib.demos import ch05
from bplib.gradcheck import numerical_gradient

NAMES = [*byhand.WEIGHTS, "b1", "b2"]


def _fd(p, x=None, t=None):
    def error(v):
        return byhand.forward(dict(zip(NAMES, v)), x, t)["E_total"]
    return dict(zip(NAMES, numerical_gradient(error, np.array([p[k] for k in NAMES]))))


def test_forward_matches_the_layered_network():
    f = byhand.forward(byhand.classic_params())
    net = classic_network()
    X, Y = classic_data()
    assert f["E_total"] == pytest.approx(net.loss(X, Y), abs=1e-15)
    assert [f["out_o1"], f["out_o2"]] == pytest.approx(net.forward(X).ravel().tolist(), abs=1e-15)


def test_backward_matches_bplib_layers_and_the_classic_numbers():
    g = byhand.backward(byhand.classic_params())
    net = classic_network()
    X, Y = classic_data()
    net.loss(X, Y)
    net.backward()
    W0, W1 = net.grads["dense0.W"], net.grads["dense1.W"]
    layers = [W0[0, 0], W0[1, 0], W0[0, 1], W0[1, 1], W1[0, 0], W1[1, 0], W1[0, 1], W1[1, 1]]
    assert [g[f"dE_d{w}"] for w in byhand.WEIGHTS] == pytest.approx(layers, abs=1e-16)
    assert f"{g['dE_dw5']:.9f}" == "0.082167041"
    assert f"{g['dE_dw1']:.9f}" == "0.000438568"
    assert g["dE_dout_h1"] == pytest.approx(g["dEo1_dout_h1"] + g["dEo2_dout_h1"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_backward_agrees_with_finite_differences_on_random_networks(seed):
    rng = np.random.default_rng(seed)
    p = dict(zip(NAMES, rng.normal(0, 1, 10)))
    x, t = tuple(rng.normal(0, 1, 2)), tuple(rng.uniform(0, 1, 2))
    g, fd = byhand.backward(p, x, t), _fd(p, x, t)
    for k in byhand.WEIGHTS:
        assert g[f"dE_d{k}"] == pytest.approx(fd[k], rel=1e-6, abs=1e-10)
    assert g["dE_db1"] == pytest.approx(fd["b1"], rel=1e-6, abs=1e-10)
    assert g["dE_db2"] == pytest.approx(fd["b2"], rel=1e-6, abs=1e-10)


def test_per_neuron_bias_gradients_are_the_deltas():
    p = {**{w: byhand.classic_params()[w] for w in byhand.WEIGHTS},
         "b_h1": 0.3, "b_h2": 0.4, "b_o1": 0.5, "b_o2": 0.7}
    names = ["b_h1", "b_h2", "b_o1", "b_o2"]

    def error(v):
        return byhand.forward({**p, **dict(zip(names, v))})["E_total"]
    fd = numerical_gradient(error, np.array([p[k] for k in names]))
    g = byhand.backward(p)
    assert [g[f"dE_db_{u}"] for u in ("h1", "h2", "o1", "o2")] == pytest.approx(fd, rel=1e-6)


def test_update_is_the_bplib_step_and_conventions_differ():
    p0 = byhand.classic_params()
    p1 = byhand.update(p0)
    _, net = classic_step()
    assert [p1[w] for w in byhand.WEIGHTS] == pytest.approx(list(weights(net).values()), abs=1e-15)
    seq = byhand.update(p0, hidden="new")
    assert [seq[w] for w in byhand.WEIGHTS[4:]] == [p1[w] for w in byhand.WEIGHTS[4:]]
    assert abs(seq["w1"] - p1["w1"]) > 1e-5
    assert byhand.update(p0, biases="shared")["b1"] != p0["b1"]
    assert "b_h1" in byhand.update(p0, biases="per-neuron")
    assert p1["b1"] == p0["b1"]
    with pytest.raises(ValueError, match="hidden must be one of"):
        byhand.update(p0, hidden="newest")
    with pytest.raises(ValueError, match="biases must be one of"):
        byhand.update(p0, biases="all")


def test_train_records_errors_and_keeps_steps():
    p_end, errors, kept = byhand.train(byhand.classic_params(), 20, keep=(0, 5, 20))
    assert len(errors) == 21 and sorted(kept) == [0, 5, 20]
    assert all(a > b for a, b in zip(errors, errors[1:]))
    assert kept[20] == p_end
    with pytest.raises(ValueError):
        byhand.train(byhand.classic_params(), -1)


def test_classic_numbers_after_one_and_ten_thousand_steps():
    p0 = byhand.classic_params()
    _, errors, _ = byhand.train(p0, 10_000)
    assert f"{errors[1]:.9f}" == "0.291027774"
    assert f"{errors[-1]:.6e}" == "3.510188e-05"
    _, seq, _ = byhand.train(p0, 1, hidden="new")
    assert f"{seq[1]:.9f}" == "0.291027924"


def test_published_table_explains_every_number():
    table = ch05.published_table()
    assert len(table) == len(ch05.PUBLISHED)
    assert (table["reproduced by"] != "none").all()
    by = table.set_index("what")["reproduced by"]
    assert by["E after round 1"] == "shortcut/fixed"
    assert by["E before the step"] == "all six (they agree here)"
    assert max(len(line) for line in table.to_string(index=False).splitlines()) <= 88


def test_published_table_hidden_rows_follow_the_shortcut():
    """The shortcut sends the hidden deltas through the new w5, w7: its dE/dout_h1 and
    dE/dw1 differ from the gradient's, so the published ones match gradient descent only."""
    cand = ch05._exact_candidates()
    assert f"{cand[('dE/dout_h1', 'shortcut/fixed')]:.9f}" == "0.030229739"
    assert f"{cand[('dE/dw1', 'shortcut/fixed')]:.12f}" == "0.000364722878"
    assert f"{cand[('dE/dout_h1', 'gradient descent/fixed')]:.9f}" == "0.036350306"
    by = ch05.published_table().set_index("what")["reproduced by"]
    assert by["dE/dout_h1"] == "gradient descent/any"
    assert by["dE/dw1"] == "gradient descent/any"


def test_published_table_shows_where_the_post_rounded_first():
    g = byhand.backward(byhand.classic_params())
    assert f"{g['dEo2_dout_h1']:.9f}" == "-0.019049118"          # the exact value
    assert dict(ch05.PUBLISHED)["dE_o2/dout_h1"] == "-0.019049119"  # the post's
    assert ch05.published_table().set_index("what")["reproduced by"]["dE_o2/dout_h1"] == \
        "rounded delta_o2"


def test_network_figure_draws_every_weight_and_delta():
    fig = ch05.network_figure()
    assert isinstance(fig, Figure)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    for w in byhand.WEIGHTS:
        assert any(s.startswith(f"{w} = ") for s in texts), w
    assert sum("\u03b4" in s for s in texts) >= 4


def test_training_view_and_demo():
    fig, text = ch05.training_view(2.0, 0.5)
    assert "after 100 steps" in text
    errors, outputs, kept = ch05.trajectory(0.5)
    assert len(errors) == 10_001 and outputs.shape == (10_001, 2)
    assert set(ch05.STEP_GRID) <= set(kept)
    demo = ch05.training_demo()
    assert demo.n_frames <= 81
    with pytest.raises(ValueError, match="not on the slider's grid"):
        ch05.training_view(0.6, 0.5)


def test_training_curves_figure():
    fig = ch05.training_curves_figure({"a": [1.0, 0.5, 0.2], "b": [1.0, 0.4, 0.1]})
    assert len(fig.axes[0].lines) == 2
