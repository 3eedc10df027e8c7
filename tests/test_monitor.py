"""Tests for bplib.monitor: the trace of a forward and backward pass, the speed of
learning, dead ReLU units and the update-to-weight ratio (and its fit callback)."""

import numpy as np
import pytest

from bplib.activations import LeakyReLU, ReLU, Sigmoid, Tanh
from bplib.gradcheck import numerical_gradient
from bplib.layers import Dense
from bplib.monitor import UpdateRatio, dead_units, layer_speeds, trace, update_ratios
from bplib.network import Sequential
from bplib.optimizers import SGD


def small_net(act=Tanh, loss="mse"):
    return Sequential([Dense(3, 4, seed=1), act(), Dense(4, 2, seed=2)], loss=loss)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(5, 3)), rng.normal(size=(5, 2))


def test_trace_outputs_and_gradients_match_forward_and_finite_differences(data):
    X, Y = data
    net = small_net()
    rec = trace(net, X, Y)
    assert [name for name, _, _ in rec] == net.names
    np.testing.assert_allclose(rec[-1][1], net.forward(X))
    # the delta of the first dense layer by finite differences on its output Z
    Z = rec[0][1].copy()

    def E_of_Z(z):
        return net.loss_fn.forward(net.layers[2].forward(np.tanh(z)), Y)

    np.testing.assert_allclose(rec[0][2], numerical_gradient(E_of_Z, Z), rtol=1e-6,
                               atol=1e-10)
    for _name, out, grad in rec:
        assert out.shape == grad.shape


def test_trace_leaves_the_same_parameter_gradients_as_backward(data):
    X, Y = data
    a, b = small_net(), small_net()
    trace(a, X, Y)
    b.loss(X, Y)
    b.backward()
    for k in a.grads:
        np.testing.assert_allclose(a.grads[k], b.grads[k], rtol=1e-14)


def test_layer_speeds_are_the_bias_gradient_norms(data):
    X, Y = data
    net = small_net()
    speeds = layer_speeds(net, X, Y)
    assert list(speeds) == ["dense0", "dense1"]
    for name, v in speeds.items():
        assert isinstance(v, float)
        assert v == pytest.approx(np.linalg.norm(net.grads[f"{name}.b"]))


def test_dead_units_finds_units_negative_on_every_example():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 3))
    net = Sequential([Dense(3, 5, seed=1), ReLU(), Dense(5, 4, seed=2), LeakyReLU(),
                      Dense(4, 1, seed=3)], loss="mse")
    net.params["dense0.b"][[1, 3]] = -100.0       # these two never fire
    found = dead_units(net, X)
    assert list(found) == ["relu0"]               # LeakyReLU is never dead
    assert found["relu0"].tolist() == [False, True, False, True, False]
    # a dead unit passes no gradient: its incoming weights get exactly zero
    net.loss(X, rng.normal(size=(20, 1)))
    net.backward()
    assert np.all(net.grads["dense0.W"][:, [1, 3]] == 0)
    assert np.all(net.grads["dense0.W"][:, [0, 2, 4]] != 0)


def test_dead_units_respects_evaluation_mode_and_checks_X():
    net = Sequential([Dense(2, 3, seed=0), ReLU()])
    net.layers[0].training = True
    dead_units(net, np.ones((4, 2)))
    assert net.layers[0].training is True
    with pytest.raises(ValueError, match=r"shape \(N, n_in\)"):
        dead_units(net, np.ones(2))
    with pytest.raises(TypeError, match="Sequential"):
        dead_units("net", np.ones((4, 2)))


def test_update_ratios_definition_and_errors():
    before = {"dense0.W": np.array([[3.0, 4.0]]), "dense0.b": np.zeros(2)}
    after = {"dense0.W": np.array([[3.0, 4.5]]), "dense0.b": np.ones(2)}
    assert update_ratios(before, after) == {"dense0.W": pytest.approx(0.1)}
    with pytest.raises(ValueError, match="all zeros"):
        update_ratios({"W": np.zeros(2)}, {"W": np.ones(2)})
    with pytest.raises(ValueError, match="shape"):
        update_ratios({"W": np.ones(2)}, {"W": np.ones(3)})
    with pytest.raises(ValueError, match="not in after"):
        update_ratios({"W": np.ones(2)}, {})
    with pytest.raises(TypeError, match="dict"):
        update_ratios([1.0], {})


def test_update_ratio_callback_records_one_sgd_step_per_full_batch_epoch(data):
    X, Y = data
    net = small_net(Sigmoid)
    W0 = net.params["dense0.W"].copy()
    net.loss(X, Y)
    net.backward()
    expected = 0.1 * np.linalg.norm(net.grads["dense0.W"]) / np.linalg.norm(W0)
    monitor = UpdateRatio(net)
    net.fit(X, Y, epochs=3, optimizer=SGD(lr=0.1), callbacks=[monitor])
    assert list(monitor.history) == ["dense0.W", "dense1.W"]
    assert all(len(v) == 3 for v in monitor.history.values())
    assert monitor.history["dense0.W"][0] == pytest.approx(expected, rel=1e-12)
    assert "3 epochs" in repr(monitor)
