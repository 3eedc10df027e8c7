"""Tests for bplib.demos.ch07: Nielsen's neuron, the two sliders, the saturated gradients."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from bplib.activations import Sigmoid
from bplib.demos import ch07
from bplib.layers import Dense
from bplib.losses import BinaryCrossEntropyWithLogits, HalfSSE
from bplib.network import Sequential
from bplib.optimizers import SGD


@pytest.mark.parametrize("cost", ch07.COSTS)
def test_train_neuron_equals_bplib_layers_and_sgd(cost):
    run = ch07.train_neuron(2.0, 2.0, cost, eta=0.15, epochs=40)
    layers = [Dense(1, 1, W=np.array([[2.0]]), b=np.array([2.0]))]
    if cost == "quadratic":
        layers.append(Sigmoid())
    net = Sequential(layers, loss=HalfSSE() if cost == "quadratic"
                     else BinaryCrossEntropyWithLogits())
    X, Y, sgd = np.array([[1.0]]), np.array([[0.0]]), SGD(lr=0.15)
    for epoch in range(41):
        cost_value = net.loss(X, Y)
        assert cost_value == pytest.approx(run["cost"][epoch], rel=1e-12)
        net.backward()
        sgd.step(net.trainable_params, net.grads)
    assert net.params["dense0.W"][0, 0] == pytest.approx(
        ch07.train_neuron(2.0, 2.0, cost, 0.15, 41)["w"][-1], rel=1e-12)


def test_nielsen_starts_and_the_slowdown():
    fast = ch07.train_neuron(*ch07.NIELSEN["fast"])
    slow = ch07.train_neuron(*ch07.NIELSEN["slow"])
    assert round(fast["output"][0], 2) == ch07.NIELSEN["output_fast"]
    assert round(slow["output"][0], 2) == ch07.NIELSEN["output_slow"]
    assert round(fast["output"][-1], 2) == ch07.NIELSEN["final_fast"]
    assert len(fast["output"]) == 301
    stall = ch07.NIELSEN["stall_epochs_slow"]          # "150 or so" epochs of little change
    assert slow["output"][stall] > 0.9 * slow["output"][0]
    # the slow start stalls under the quadratic cost, not under the cross-entropy
    assert ch07.epochs_below(slow["output"]) > 5 * ch07.epochs_below(fast["output"])
    ce = ch07.train_neuron(2.0, 2.0, "cross_entropy")
    assert ch07.epochs_below(ce["output"]) < 30
    assert ch07.epochs_below([0.9, 0.8]) is None
    with pytest.raises(ValueError, match="expected cost in"):
        ch07.train_neuron(0, 0, "hinge")


def test_losses_at_and_the_flaw():
    v = ch07.losses_at(30, 0)
    assert v["cross_entropy"][1] == pytest.approx(1.0, rel=1e-12)
    assert v["cross_entropy"][0] == pytest.approx(30.0, rel=1e-12)
    assert abs(v["quadratic"][1]) < 1e-12
    assert 0.09 < v["sigmoid_then_bce"][1] < 0.1
    assert ch07.losses_at(1000, 0)["sigmoid_then_bce"][1] == 0.0
    small = ch07.losses_at(2, 1)
    assert small["sigmoid_then_bce"][1] == pytest.approx(small["cross_entropy"][1], rel=1e-9)


def test_saturated_gradients_are_the_issues_numbers():
    unfused, fused = ch07.saturated_gradients(30)
    assert fused == pytest.approx(0.2, rel=1e-12) and round(unfused, 3) == 0.019
    assert ch07.saturated_gradients(1000) == (0.0, pytest.approx(0.2))
    assert ch07.saturated_gradients(2, batch=3)[0] == pytest.approx(
        ch07.saturated_gradients(2, batch=3)[1], rel=1e-9)


def test_views_and_demos():
    fig, text = ch07.logit_view(30, 0)
    assert isinstance(fig, Figure) and "Sigmoid + BinaryCrossEntropy" in text
    fig, text = ch07.start_view(3.1, 0.9)
    assert isinstance(fig, Figure) and "quadratic: output below 0.5 after" in text
    assert "not within" in ch07.start_view(3.1, 0.9, epochs=20)[1]
    assert isinstance(ch07.curves_figure({("quadratic", "fast"): ch07.train_neuron(
        0.6, 0.9, epochs=10)}), Figure)
    d = ch07.logit_demo()
    assert [s.name for s in d.sliders] == ["z", "y"] and d.n_frames == 26
    assert 30 in d.sliders[0].values and -30 in d.sliders[0].values
    s = ch07.start_demo()
    assert s.n_frames == 11 and {0.6, 3.1} <= set(s.sliders[0].values)
    assert s.initial == {"w0": 0.6}
