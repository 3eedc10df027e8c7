"""bplib.conv: the correlation, Conv2D's forward and backward (by hand, by the
flipped-kernel rule, by finite differences), Flatten, and the errors for bad input."""

import numpy as np
import pytest

from bplib.conv import Conv2D, Flatten, conv_output_size, correlate
from bplib.gradcheck import check_layer, check_network
from bplib.layers import Dense
from bplib.network import Sequential


def _loop_correlate(X, K):
    """The definition, eq. (ch12-conv), with four loops."""
    N, C, H, W = X.shape
    O, _, kh, kw = K.shape
    out = np.zeros((N, O, H - kh + 1, W - kw + 1))
    for n in range(N):
        for o in range(O):
            for i in range(H - kh + 1):
                for j in range(W - kw + 1):
                    out[n, o, i, j] = np.sum(X[n, :, i:i + kh, j:j + kw] * K[o])
    return out


@pytest.mark.parametrize("shape, kshape", [((2, 1, 5, 5), (3, 1, 3, 3)),
                                           ((1, 2, 4, 6), (2, 2, 2, 3)),
                                           ((3, 3, 3, 3), (1, 3, 3, 3))])
def test_correlate_is_the_definition(shape, kshape):
    rng = np.random.default_rng(0)
    X, K = rng.normal(size=shape), rng.normal(size=kshape)
    assert np.allclose(correlate(X, K), _loop_correlate(X, K), rtol=1e-12, atol=1e-12)
    assert correlate(X, K).flags.c_contiguous


def test_a_hand_worked_example():
    X = np.arange(9.0).reshape(1, 1, 3, 3)       # 0 1 2 / 3 4 5 / 6 7 8
    K = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # top-left minus bottom-right
    layer = Conv2D(1, 1, 2, K=K, b=[0.5])
    assert np.array_equal(layer.forward(X)[0, 0], np.full((2, 2), -4.0 + 0.5))
    dX = layer.backward(np.ones((1, 1, 2, 2)))
    # each delta stamps K back where it came from: a full correlation with K flipped
    assert np.array_equal(dX[0, 0], [[1, 1, 0], [1, 0, -1], [0, -1, -1]])
    # dK = correlation of X with delta (all ones): window sums
    assert np.array_equal(layer.grads["K"][0, 0], [[8, 12], [20, 24]])
    assert np.array_equal(layer.grads["b"], [4.0])


@pytest.mark.parametrize("padding", [0, 1, 2])
@pytest.mark.parametrize("channels", [(1, 1), (2, 3), (3, 2)])
def test_gradients_agree_with_finite_differences(padding, channels):
    rng = np.random.default_rng(padding)
    layer = Conv2D(*channels, (3, 2), padding=padding, seed=4)
    layer.params["b"][:] = rng.normal(size=channels[1])
    report = check_layer(layer, rng.normal(size=(2, channels[0], 5, 4)))
    assert report.ok, report.table()


def test_output_shape_and_formula():
    layer = Conv2D(2, 5, (3, 2), padding=1)
    Z = layer.forward(np.zeros((4, 2, 7, 6)))
    assert Z.shape == (4, 5, conv_output_size(7, 3, 1), conv_output_size(6, 2, 1)) == (4, 5, 7, 7)
    assert conv_output_size(8, 3) == 6 and conv_output_size(8, 3, 1, 2) == 4
    assert layer.backward(np.ones_like(Z)).shape == (4, 2, 7, 6)
    assert layer.backward(np.ones_like(Z), need_input_grad=False) is None


def test_he_init_uses_the_fan_in_of_a_filter():
    K = Conv2D(4, 300, 3, seed=0).params["K"]
    assert K.shape == (300, 4, 3, 3)
    assert K.std() == pytest.approx(np.sqrt(2 / 36), rel=0.05)
    assert np.array_equal(K, Conv2D(4, 300, 3, seed=0).params["K"])


def test_gradients_overwrite():
    rng = np.random.default_rng(1)
    layer = Conv2D(1, 2, 2, seed=0)
    X = rng.normal(size=(2, 1, 3, 3))
    Z = layer.forward(X)
    layer.backward(np.ones_like(Z))
    first = layer.grads["K"].copy()
    layer.backward(np.ones_like(Z))
    assert np.array_equal(layer.grads["K"], first)


def test_in_a_network_with_flatten():
    rng = np.random.default_rng(2)
    net = Sequential([Conv2D(1, 2, 3, padding=1, seed=1), Flatten(), Dense(2 * 16, 3, seed=2)],
                     loss="softmax_ce")
    report = check_network(net, rng.normal(size=(3, 1, 4, 4)), np.array([0, 2, 1]))
    assert report.ok, report.table()
    assert set(net.params) == {"conv2d0.K", "conv2d0.b", "dense0.W", "dense0.b"}


def test_flatten_round_trip():
    X = np.arange(24.0).reshape(2, 3, 2, 2)
    f = Flatten()
    assert np.array_equal(f.forward(X), X.reshape(2, 12))
    assert np.array_equal(f.backward(np.arange(24.0).reshape(2, 12)), X)
    with pytest.raises(ValueError, match="Flatten.backward: expected grad_out of shape"):
        f.backward(np.ones((2, 11)))


def test_clear_errors():
    layer = Conv2D(2, 3, 3)
    with pytest.raises(ValueError, match=r"Conv2D.forward: expected X of shape \(N, C=2"):
        layer.forward(np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match="kernel 3 x 3"):
        layer.forward(np.zeros((1, 2, 2, 5)))
    with pytest.raises(ValueError, match="expected X with 4 dimensions|ndim|dimension"):
        layer.forward(np.zeros((2, 5, 5)))
    with pytest.raises(ValueError, match="not finite|NaN|nan"):
        layer.forward(np.full((1, 2, 3, 3), np.nan))
    with pytest.raises(RuntimeError, match="before forward"):
        Conv2D(1, 1, 2).backward(np.zeros((1, 1, 1, 1)))
    with pytest.raises(ValueError, match="expected K of shape"):
        Conv2D(1, 2, 3, K=np.zeros((2, 1, 2, 2)))
    with pytest.raises(ValueError, match="padding"):
        Conv2D(1, 2, 3, padding=-1)
    Z = layer.forward(np.zeros((1, 2, 4, 4)))
    with pytest.raises(ValueError, match="grad_out of shape"):
        layer.backward(np.zeros(Z.shape[:-1]))


def test_docstrings_cite_equations_the_book_defines():
    import inspect
    import re

    import bplib.conv
    import bplib.recurrent
    from test_equation_labels import book_labels

    labels = book_labels()
    for module in (bplib.conv, bplib.recurrent):
        for _, obj in inspect.getmembers(module):
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            docs = [inspect.getdoc(obj) or ""] + [
                inspect.getdoc(m) or "" for _, m in inspect.getmembers(obj, inspect.isfunction)]
            for doc in docs:
                cited = re.findall(r"\((ch\d\d-[a-z0-9-]+)\)", doc)
                assert set(cited) <= labels, (obj, set(cited) - labels)


@pytest.mark.parametrize("C, O, k, H, P", [(1, 1, 2, 3, 0), (2, 3, (2, 3), 4, 0),
                                           (2, 2, 3, 3, 1)])
def test_backward_agrees_with_the_scalar_engine(C, O, k, H, P):
    from bplib.demos.ch12 import conv_engine_grads

    rng = np.random.default_rng(H)
    layer = Conv2D(C, O, k, padding=P, seed=1)
    layer.params["b"][:] = rng.normal(size=O)
    X = rng.normal(size=(1, C, H, H + 1))
    Z = layer.forward(X)
    delta = rng.normal(size=Z.shape)
    dX = layer.backward(delta)
    eX, eK, eb = conv_engine_grads(X[0], layer.params["K"], layer.params["b"], delta[0], P)
    assert np.allclose(dX[0], eX, rtol=1e-12, atol=1e-14)
    assert np.allclose(layer.grads["K"], eK, rtol=1e-12, atol=1e-14)
    assert np.allclose(layer.grads["b"], eb, rtol=1e-12, atol=1e-14)
