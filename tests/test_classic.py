"""Tests of bplib.classic: the 2-2-2 worked example reproduces its well-known numbers."""

import numpy as np
import pytest

from bplib.classic import CLASSIC, classic_data, classic_network, classic_step, weights
from bplib.losses import HalfSSE
from bplib.optimizers import SGD


def test_constants_and_structure():
    assert [CLASSIC[f"w{i}"] for i in range(1, 9)] == [.15, .20, .25, .30, .40, .45, .50, .55]
    assert (CLASSIC["b1"], CLASSIC["b2"], CLASSIC["lr"]) == (0.35, 0.60, 0.5)
    net = classic_network()
    assert net.names == ["dense0", "sigmoid0", "dense1", "sigmoid1"]
    assert isinstance(net.loss_fn, HalfSSE)
    assert sorted(net.trainable_params) == ["dense0.W", "dense1.W"]   # biases fixed
    assert weights(net) == {f"w{i}": CLASSIC[f"w{i}"] for i in range(1, 9)}
    X, Y = classic_data()
    np.testing.assert_array_equal(X, [[0.05, 0.10]])
    np.testing.assert_array_equal(Y, [[0.01, 0.99]])


def test_forward_pass_and_total_error():
    net = classic_network()
    X, Y = classic_data()
    out = net.forward(X)
    h = net.layers[1]._cache  # hidden activations (sigmoid output)
    np.testing.assert_allclose(h, [[0.593269992, 0.596884378]], atol=1e-9)
    np.testing.assert_allclose(out, [[0.75136507, 0.772928465]], atol=1e-8)
    assert net.loss(X, Y) == pytest.approx(0.298371109, abs=1e-8)


def test_one_step_updates_match_the_worked_example():
    error, net = classic_step()
    assert error == pytest.approx(0.298371109, abs=1e-8)
    w = weights(net)
    expected = {"w1": 0.149780716, "w2": 0.19956143, "w3": 0.24975114, "w4": 0.29950229,
                "w5": 0.35891648, "w6": 0.408666186, "w7": 0.511301270, "w8": 0.561370121}
    for k, v in expected.items():
        assert w[k] == pytest.approx(v, abs=1e-8), k
    # biases are not updated in the classic version
    np.testing.assert_array_equal(net.params["dense0.b"], [0.35, 0.35])
    np.testing.assert_array_equal(net.params["dense1.b"], [0.60, 0.60])


def test_hidden_gradients_use_weights_from_before_the_step():
    net = classic_network()
    X, Y = classic_data()
    net.loss(X, Y)
    net.backward()
    g_w1 = net.grads["dense0.W"][0, 0]
    # ∂E/∂w1 by hand with the OLD w5, w7 (0.40, 0.50):
    o1, o2 = 0.75136507, 0.772928465
    d_o1 = (o1 - 0.01) * o1 * (1 - o1)
    d_o2 = (o2 - 0.99) * o2 * (1 - o2)
    h1 = 0.593269992
    d_h1 = (d_o1 * 0.40 + d_o2 * 0.50) * h1 * (1 - h1)
    assert g_w1 == pytest.approx(d_h1 * 0.05, rel=1e-6)
    assert g_w1 == pytest.approx(0.000438568, abs=1e-9)


def test_training_lowers_the_error():
    net = classic_network()
    X, Y = classic_data()
    hist = net.fit(X, Y, epochs=1000, optimizer=SGD(lr=CLASSIC["lr"]))
    assert hist["loss"][0] == pytest.approx(0.298371109, abs=1e-8)
    # The error after one step, recomputed by hand from the updated weights. (The
    # figure often quoted for it, 0.291027924, is off by about 1.5e-7.)
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    w = weights(classic_step()[1])
    h1 = sig(w["w1"] * 0.05 + w["w2"] * 0.10 + 0.35)
    h2 = sig(w["w3"] * 0.05 + w["w4"] * 0.10 + 0.35)
    o1 = sig(w["w5"] * h1 + w["w6"] * h2 + 0.60)
    o2 = sig(w["w7"] * h1 + w["w8"] * h2 + 0.60)
    assert hist["loss"][1] == pytest.approx(0.5 * ((0.01 - o1) ** 2 + (0.99 - o2) ** 2), abs=1e-15)
    assert hist["loss"][1] == pytest.approx(0.2910277737, abs=1e-10)
    assert net.loss(X, Y) < 0.0012
    assert np.all(np.diff(hist["loss"]) < 0)  # every step lowers the error
    assert "accuracy" not in hist.history  # regression loss: no default metric


def test_each_call_builds_a_fresh_network():
    a, b = classic_network(), classic_network()
    classic_step(a)
    assert weights(b)["w5"] == 0.40
