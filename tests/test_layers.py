"""Tests for bplib.layers: the Layer contract, Dense and Dropout."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bplib.gradcheck import check_layer
from bplib.layers import Dense, Dropout, Layer

TOL = 1e-7
sides = st.integers(1, 5)


def values(shape, lo=-3.0, hi=3.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi))


# Entries 0 or with 0.05 <= |x| <= 3. Central differences cannot resolve a gradient
# many orders below the output it perturbs (x = 1e-40 beside b = 1 gives dW = 1e-40,
# invisible in float64), so gradient checks use well-scaled numbers, as a reader would.
scaled = st.one_of(st.just(0.0), st.tuples(st.floats(0.05, 3.0), st.booleans()).map(
    lambda t: t[0] if t[1] else -t[0]))


def scaled_values(shape):
    return hnp.arrays(np.float64, shape, elements=scaled)


# --- Dense: values and gradients ----------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(data=st.data(), n=sides, n_in=sides, n_out=sides,
       init=st.sampled_from(["xavier", "he", "small"]), seed=st.integers(0, 2**32))
def test_dense_passes_gradcheck(data, n, n_in, n_out, init, seed):
    layer = Dense(n_in, n_out, init=init, seed=seed, b=data.draw(values((n_out,))))
    x = data.draw(scaled_values((n, n_in)))
    report = check_layer(layer, x, seed=seed)
    report.raise_if_failed(TOL)
    assert set(report.errors) == {"X", "W", "b"}


@settings(max_examples=30, deadline=None)
@given(data=st.data(), n=sides, n_in=sides, n_out=sides)
def test_dense_forward_and_backward_equations(data, n, n_in, n_out):
    X = data.draw(values((n, n_in)))
    W = data.draw(values((n_in, n_out)))
    b = data.draw(values((n_out,)))
    delta = data.draw(values((n, n_out)))
    layer = Dense(n_in, n_out, W=W, b=b)
    np.testing.assert_allclose(layer.forward(X), X @ W + b, rtol=1e-12, atol=1e-12)
    dX = layer.backward(delta)
    np.testing.assert_allclose(layer.grads["W"], X.T @ delta, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(layer.grads["b"], delta.sum(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dX, delta @ W.T, rtol=1e-12, atol=1e-12)


def test_dense_worked_numbers():
    # the classic 2-2 hidden layer: h1 = 0.15*0.05 + 0.20*0.10 + 0.35 = 0.3775
    layer = Dense(2, 2, W=[[0.15, 0.25], [0.20, 0.30]], b=[0.35, 0.35], train_bias=False)
    np.testing.assert_allclose(layer.forward(np.array([[0.05, 0.10]])), [[0.3775, 0.3925]])
    assert layer.trainable == {"W"} and set(layer.params) == {"W", "b"}


def test_dense_copies_given_weights():
    W = np.ones((2, 3))
    layer = Dense(2, 3, W=W)
    layer.params["W"] -= 1.0
    assert np.all(W == 1.0)


def test_dense_caches_references_not_copies():
    layer = Dense(3, 2)
    X = np.ones((4, 3))
    layer.forward(X)
    assert layer._cache is X                   # backward reads X and the layer's own W


def test_grads_are_overwritten_not_accumulated():
    layer = Dense(3, 2, seed=1)
    X = np.arange(12.0).reshape(4, 3)
    g = np.ones((4, 2))
    layer.forward(X)
    layer.backward(g)
    first = {k: v.copy() for k, v in layer.grads.items()}
    layer.backward(g)  # same forward, same grad_out: same gradients, not twice them
    for k in first:
        np.testing.assert_array_equal(layer.grads[k], first[k])
    layer.forward(X[:1])
    layer.backward(g[:1])
    np.testing.assert_array_equal(layer.grads["W"], X[:1].T @ g[:1])


def test_grads_start_as_zeros_keyed_like_params():
    layer = Dense(3, 2)
    assert set(layer.grads) == set(layer.params) == {"W", "b"}
    for k in layer.params:
        assert layer.grads[k].shape == layer.params[k].shape and not layer.grads[k].any()


def test_same_seed_gives_bit_identical_weights():
    a, b, c = Dense(5, 4, seed=3), Dense(5, 4, seed=3), Dense(5, 4, seed=4)
    assert np.array_equal(a.params["W"], b.params["W"])
    assert not np.array_equal(a.params["W"], c.params["W"])
    g1, g2 = np.random.default_rng(9), np.random.default_rng(9)
    assert np.array_equal(Dense(5, 4, seed=g1).params["W"], Dense(5, 4, seed=g2).params["W"])


def test_need_input_grad_false_skips_dx():
    layer = Dense(3, 2)
    layer.forward(np.ones((4, 3)))
    assert layer.backward(np.ones((4, 2)), need_input_grad=False) is None
    np.testing.assert_array_equal(layer.grads["b"], [4.0, 4.0])
    assert layer.backward(np.ones((4, 2))).shape == (4, 3)   # the default: dX


def test_dtype_float32_is_float32_end_to_end():
    layer = Dense(3, 2, seed=0, dtype=np.float32)
    assert layer.params["W"].dtype == layer.params["b"].dtype == np.float32
    np.testing.assert_array_equal(layer.params["W"],
                                  Dense(3, 2, seed=0).params["W"].astype(np.float32))
    X = np.ones((4, 3), dtype=np.float32)
    assert layer.forward(X).dtype == np.float32
    assert layer.backward(np.ones((4, 2), dtype=np.float32)).dtype == np.float32
    assert layer.grads["W"].dtype == layer.grads["b"].dtype == np.float32
    f32 = Dense(3, 2, W=np.ones((3, 2), dtype=np.float32))   # dtype of an explicit W
    assert f32.params["b"].dtype == np.float32 and f32.forward(X).dtype == np.float32
    assert Dense(3, 2, W=np.ones((3, 2), dtype=np.float32), dtype=np.float64) \
        .params["W"].dtype == np.float64
    assert Dense(3, 2, seed=0).forward(X).dtype == np.float64  # numpy's promotion
    with pytest.raises(TypeError, match=r"Dense\.__init__: expected dtype float64 or "
                                        r"float32, got .*int"):
        Dense(3, 2, dtype=np.int64)


def test_integer_input_becomes_float64():
    assert Dense(2, 1, W=[[1.0], [2.0]]).forward([[1, 2]]).dtype == np.float64


# --- Dense: bad input ---------------------------------------------------------------

def test_backward_before_forward():
    with pytest.raises(RuntimeError, match=r"Dense\('dense0'\)\.backward: backward\(\) "
                                           r"was called before forward\(\)"):
        Dense(2, 2, name="dense0").backward(np.ones((1, 2)))


@pytest.mark.parametrize("X, message", [
    (np.ones((4, 5)), r"expected X of shape \(N, n_in=3\), got \(4, 5\)"),
    (np.ones(3), r"expected X with 2 dimension\(s\), got 1"),
    (np.ones((1, 2, 3)), r"expected X with 2 dimension\(s\), got 3"),
    (np.array([[1.0, np.nan, 0.0]]), r"expected finite values in X.*index \(0, 1\)"),
    (np.array([[1.0, 2.0, -np.inf]]), r"expected finite values in X.*index \(0, 2\)"),
])
def test_dense_forward_rejects_bad_x(X, message):
    with pytest.raises(ValueError, match=r"Dense\('h'\)\.forward: " + message):
        Dense(3, 2, name="h").forward(X)


def test_dense_forward_rejects_non_numeric():
    with pytest.raises(TypeError, match=r"Dense\.forward: expected X to be a numeric"):
        Dense(3, 2).forward("abc")


def test_dense_backward_rejects_wrong_shape():
    layer = Dense(3, 2)
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError,
                       match=r"expected grad_out of shape \(4, 2\).*got \(2, 4\)"):
        layer.backward(np.ones((2, 4)))


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(n_in=0, n_out=2), ValueError, "expected n_in to be a positive int, got 0"),
    (dict(n_in=2.0, n_out=2), TypeError, "expected n_in to be a positive int"),
    (dict(n_in=2, n_out=2, W=np.ones((2, 3))),
     ValueError, r"expected W of shape \(n_in, n_out\) = \(2, 2\), got \(2, 3\)"),
    (dict(n_in=2, n_out=2, b=np.ones(3)), ValueError, r"expected b of shape .*got \(3,\)"),
    (dict(n_in=2, n_out=2, W=[[1, np.nan], [0, 0]]), ValueError, "finite values in W"),
    (dict(n_in=2, n_out=2, init="glorious"), ValueError, "unknown initializer 'glorious'"),
    (dict(n_in=2, n_out=2, seed=None), TypeError, "seed is required"),
    (dict(n_in=2, n_out=2, name=3), TypeError, "expected name to be a str"),
])
def test_dense_constructor_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        Dense(**kwargs)


# --- Dropout ------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(data=st.data(), n=sides, d=sides, p=st.floats(0.0, 0.9), seed=st.integers(0, 1000))
def test_dropout_passes_gradcheck(data, n, d, p, seed):
    x = data.draw(scaled_values((n, d)))
    check_layer(Dropout(p, seed=seed), x, seed=seed).raise_if_failed(TOL)


def test_dropout_is_inverted_and_seeded():
    X = np.ones((200, 50))
    layer = Dropout(0.25, seed=1)
    Y = layer.forward(X)
    assert set(np.unique(Y)) <= {0.0, 1 / 0.75}
    assert abs(Y.mean() - 1.0) < 0.03  # expectation preserved
    assert abs((Y == 0).mean() - 0.25) < 0.02
    np.testing.assert_array_equal(layer.backward(np.full_like(X, 2.0)), 2.0 * Y)
    again = Dropout(0.25, seed=1).forward(X)
    np.testing.assert_array_equal(Y, again)  # same seed, same mask, bit for bit
    assert not np.array_equal(layer.forward(X), Y)  # the generator advances


def test_dropout_is_identity_when_not_training():
    layer = Dropout(0.5, seed=0)
    layer.training = False
    X = np.arange(6.0).reshape(2, 3)
    assert layer.forward(X) is X
    g = np.ones((2, 3))
    assert layer.backward(g) is g


def test_dropout_keeps_float32():
    layer = Dropout(0.5)
    assert layer.forward(np.ones((3, 3), dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("p, error", [(1.0, ValueError), (-0.1, ValueError),
                                      ("0.5", TypeError)])
def test_dropout_bad_p(p, error):
    with pytest.raises(error, match=r"Dropout\.__init__: expected p"):
        Dropout(p)


def test_dropout_errors():
    with pytest.raises(RuntimeError, match="before forward"):
        Dropout(0.5).backward(np.ones((1, 1)))
    with pytest.raises(ValueError, match=r"Dropout\('d'\)\.forward: expected finite"):
        Dropout(0.5, name="d").forward(np.array([np.nan]))


# --- the base class -----------------------------------------------------------------

def test_layer_base_contract():
    layer = Layer()
    assert layer.name is None and layer.params == {} and layer.grads == {}
    assert layer.trainable == set() and layer.training is True
    with pytest.raises(NotImplementedError):
        layer(np.ones((1, 1)))
    with pytest.raises(NotImplementedError):
        layer.backward(np.ones((1, 1)))


def test_a_layer_always_checks_its_input():
    """No switch turns the checks off: a network calls its layers as a reader would."""
    from bplib._validate import NonFiniteError
    layer = Dense(2, 1, W=[[1.0], [1.0]], name="d")
    with pytest.raises(NonFiniteError, match=r"Dense\('d'\)\.forward: expected finite"):
        layer.forward(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match=r"expected X of shape \(N, n_in=2\)"):
        layer.forward(np.ones((1, 3)))
    assert not hasattr(layer, "check_input") and not hasattr(layer, "input_grad")
