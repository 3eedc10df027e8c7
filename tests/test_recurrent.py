"""bplib.recurrent: the RNN's forward (the recurrence by hand), backpropagation through
time against finite differences and the Chapter 4 scalar engine, LastStep, errors."""

import numpy as np
import pytest

from bplib.demos.ch12 import rnn_engine_grads, tiny_rnn
from bplib.gradcheck import check_layer, check_network
from bplib.layers import Dense
from bplib.network import Sequential
from bplib.recurrent import RNN, LastStep


def test_forward_is_the_recurrence():
    layer = RNN(1, 1, Wx=[[0.5]], Wh=[[2.0]], b=[0.1])
    H = layer.forward(np.array([[[1.0], [-1.0]]]))
    h1 = np.tanh(0.5 + 0.1)
    h2 = np.tanh(-0.5 + 2.0 * h1 + 0.1)
    assert np.allclose(H[0, :, 0], [h1, h2], rtol=1e-15)


@pytest.mark.parametrize("n_in, n_h, T", [(1, 1, 1), (1, 2, 4), (3, 4, 5), (2, 3, 7)])
def test_bptt_agrees_with_finite_differences(n_in, n_h, T):
    rng = np.random.default_rng(T)
    layer = RNN(n_in, n_h, seed=rng)
    layer.params["b"][:] = rng.normal(0, 0.3, n_h)
    report = check_layer(layer, rng.normal(size=(2, T, n_in)))
    assert report.ok, report.table()


@pytest.mark.parametrize("seed, T, n_h", [(0, 3, 2), (1, 5, 2), (2, 4, 3)])
def test_bptt_agrees_with_the_scalar_engine(seed, T, n_h):
    net = tiny_rnn(seed=seed, n_in=2, n_h=n_h)
    x = np.random.default_rng(seed + 10).normal(size=(T, 2))
    y = 0.3
    E = net.loss(x[None], np.array([[y]]))
    net.backward()
    E_engine, grads = rnn_engine_grads(net, x, y)
    assert E == pytest.approx(E_engine, rel=1e-14)
    for k, g in grads.items():
        assert np.allclose(net.grads[k], g, rtol=1e-12, atol=1e-15), k


def test_last_step_and_a_network():
    rng = np.random.default_rng(3)
    net = Sequential([RNN(2, 3, seed=1), LastStep(), Dense(3, 2, seed=2)], loss="softmax_ce")
    X = rng.normal(size=(4, 5, 2))
    assert net.forward(X).shape == (4, 2)
    assert check_network(net, X, np.array([0, 1, 1, 0])).ok
    last = LastStep()
    H = rng.normal(size=(2, 3, 4))
    assert np.array_equal(last.forward(H), H[:, -1])
    dH = last.backward(np.ones((2, 4)))
    assert np.array_equal(dH[:, -1], np.ones((2, 4))) and not dH[:, :-1].any()


def test_gradients_overwrite_and_input_grad_optional():
    rng = np.random.default_rng(4)
    layer = RNN(2, 2, seed=0)
    H = layer.forward(rng.normal(size=(3, 4, 2)))
    layer.backward(np.ones_like(H))
    first = {k: v.copy() for k, v in layer.grads.items()}
    assert layer.backward(np.ones_like(H), need_input_grad=False) is None
    assert all(np.array_equal(first[k], layer.grads[k]) for k in first)


def test_clear_errors():
    layer = RNN(2, 3)
    with pytest.raises(ValueError, match=r"RNN.forward: expected X of shape \(N, T, n_in=2\)"):
        layer.forward(np.zeros((1, 4, 3)))
    with pytest.raises(ValueError):
        layer.forward(np.zeros((4, 2)))
    with pytest.raises(RuntimeError, match="before forward"):
        RNN(1, 1).backward(np.zeros((1, 1, 1)))
    with pytest.raises(ValueError, match=r"expected Wh of shape \(3, 3\)"):
        RNN(2, 3, Wh=np.zeros((2, 3)))
    layer.forward(np.zeros((1, 4, 2)))
    with pytest.raises(ValueError, match="grad_out of shape"):
        layer.backward(np.zeros((1, 3, 3)))
