"""Tests for bplib.activations: values, derivatives, stability, layers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bplib import activations as act
from bplib.gradcheck import check_function, check_layer

TOL = 1e-7
SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)


def values(shape, lo=-3.0, hi=3.0):
    """float64 arrays of ``shape`` with entries in [lo, hi]."""
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi))


def away_from_zero(shape):
    """Entries with 0.01 <= |z| <= 3: no central difference straddles ReLU's kink."""
    signed = st.tuples(st.floats(0.01, 3.0), st.booleans()).map(
        lambda t: t[0] if t[1] else -t[0])
    return hnp.arrays(np.float64, shape, elements=signed)


SMOOTH = [(act.sigmoid, act.sigmoid_prime), (act.tanh, act.tanh_prime)]
KINKED = [(act.relu, act.relu_prime), (act.leaky_relu, act.leaky_relu_prime),
          (lambda z: act.leaky_relu(z, alpha=0.2), lambda z: act.leaky_relu_prime(z, 0.2))]
LAYERS = [act.Sigmoid, act.Tanh, act.ReLU, act.LeakyReLU, act.Softmax,
          lambda: act.LeakyReLU(alpha=0.3)]


# --- derivatives by central differences -------------------------------------------

@pytest.mark.parametrize("f, df", SMOOTH, ids=["sigmoid", "tanh"])
@settings(max_examples=25, deadline=None)
@given(data=st.data(), shape=SHAPES)
def test_smooth_derivatives_pass_gradcheck(f, df, data, shape):
    z = data.draw(values(shape))
    check_function(f, df, z).raise_if_failed(TOL)


@pytest.mark.parametrize("f, df", KINKED, ids=["relu", "leaky_relu", "leaky_relu_0.2"])
@settings(max_examples=25, deadline=None)
@given(data=st.data(), shape=SHAPES)
def test_piecewise_derivatives_pass_gradcheck(f, df, data, shape):
    z = data.draw(away_from_zero(shape))
    check_function(f, df, z).raise_if_failed(TOL)


@pytest.mark.parametrize("make", LAYERS,
                         ids=["Sigmoid", "Tanh", "ReLU", "LeakyReLU", "Softmax", "Leaky0.3"])
@settings(max_examples=20, deadline=None)
@given(data=st.data(), shape=hnp.array_shapes(min_dims=2, max_dims=2, max_side=5))
def test_layers_pass_gradcheck(make, data, shape):
    x = data.draw(away_from_zero(shape))
    check_layer(make(), x, seed=data.draw(st.integers(0, 2**16))).raise_if_failed(TOL)


# --- values -------------------------------------------------------------------------

def test_known_values():
    np.testing.assert_allclose(act.sigmoid(np.array([0.0, np.log(3.0)])), [0.5, 0.75])
    np.testing.assert_allclose(act.sigmoid_prime(np.array([0.0])), [0.25])
    np.testing.assert_allclose(act.tanh_prime(np.array([0.0])), [1.0])
    np.testing.assert_array_equal(act.relu(np.array([-2.0, 0.0, 3.0])), [0, 0, 3])
    np.testing.assert_array_equal(act.relu_prime(np.array([-2.0, 0.0, 3.0])), [0, 0, 1])
    np.testing.assert_allclose(act.leaky_relu(np.array([-2.0, 3.0]), 0.1), [-0.2, 3])
    np.testing.assert_allclose(act.leaky_relu_prime(np.array([-2.0, 3.0]), 0.1), [0.1, 1])
    np.testing.assert_allclose(act.softmax(np.array([[0.0, np.log(3.0)]])), [[0.25, 0.75]])


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, SHAPES, elements=st.floats(-700, 700)))
def test_sigmoid_matches_the_textbook_formula(z):
    np.testing.assert_allclose(act.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14, atol=0)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
                  elements=st.floats(-1000, 1000)))
def test_softmax_rows_are_distributions_and_shift_invariant(z):
    p = act.softmax(z)
    assert np.all(p >= 0) and np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(act.softmax(z + 123.0), p, atol=1e-12)


def test_softmax_axis():
    z = np.array([[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(act.softmax(z, axis=0).sum(axis=0), [1.0, 1.0])
    with pytest.raises(ValueError, match="softmax: expected axis"):
        act.softmax(z, axis=2)


# --- stability: no overflow, no RuntimeWarning (the tests run with -W error) ----------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_inputs_are_exact_and_finite(dtype):
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=dtype)
    s = act.sigmoid(z)
    assert s.dtype == dtype and np.all(np.isfinite(s))
    assert s[0] == 0.0 and s[-1] == 1.0 and s[2] == 0.5
    assert np.all(np.isfinite(act.sigmoid_prime(z)))
    p = act.softmax(np.array([[1000.0, -1000.0, 0.0]], dtype=dtype))
    np.testing.assert_array_equal(p, [[1.0, 0.0, 0.0]])
    for layer in (act.Sigmoid(), act.Softmax(), act.Tanh()):
        out = layer.forward(z.reshape(1, -1))
        assert np.all(np.isfinite(layer.backward(np.ones_like(out))))


@pytest.mark.parametrize("f", [act.sigmoid, act.sigmoid_prime, act.tanh, act.tanh_prime,
                               act.relu, act.relu_prime, act.leaky_relu,
                               act.leaky_relu_prime, act.softmax])
def test_float32_stays_float32(f):
    assert f(np.ones((2, 3), dtype=np.float32)).dtype == np.float32


@pytest.mark.parametrize("make", LAYERS[:5])
def test_layer_float32_stays_float32(make):
    layer = make()
    out = layer.forward(np.ones((2, 3), dtype=np.float32))
    assert out.dtype == np.float32
    assert layer.backward(np.ones((2, 3), dtype=np.float32)).dtype == np.float32


# --- layer contract -----------------------------------------------------------------

@pytest.mark.parametrize("make", LAYERS[:5])
def test_backward_before_forward_is_a_clear_error(make):
    layer = make()
    with pytest.raises(RuntimeError, match=rf"{type(layer).__name__}\.backward: "
                                           r"backward\(\) was called before forward"):
        layer.backward(np.ones((2, 3)))


@pytest.mark.parametrize("make", LAYERS[:5])
def test_layers_have_no_params_and_cache_a_reference(make):
    layer = make()
    assert layer.params == {} and layer.grads == {} and layer.trainable == set()
    x = np.array([[0.5, -1.0, 2.0]])
    out = layer(x)  # __call__ is forward
    assert layer._cache is x or layer._cache is out  # what backward needs, not a copy


def test_layer_backward_multiplies_by_the_derivative():
    z = np.array([[-1.0, 0.5, 2.0]])
    g = np.array([[1.0, 2.0, 3.0]])
    cases = [(act.Sigmoid(), act.sigmoid_prime), (act.Tanh(), act.tanh_prime),
             (act.ReLU(), act.relu_prime),
             (act.LeakyReLU(0.1), lambda v: act.leaky_relu_prime(v, 0.1))]
    for layer, fprime in cases:
        layer.forward(z)
        np.testing.assert_allclose(layer.backward(g), g * fprime(z), rtol=1e-15)


def test_grad_out_of_the_wrong_shape():
    layer = act.Sigmoid(name="sigmoid0")
    layer.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"Sigmoid\('sigmoid0'\)\.backward: expected "
                                         r"grad_out of shape \(2, 3\).*got \(3, 2\)"):
        layer.backward(np.zeros((3, 2)))


# --- bad input ----------------------------------------------------------------------

@pytest.mark.parametrize("f", [act.sigmoid, act.tanh, act.relu, act.leaky_relu, act.softmax,
                               act.sigmoid_prime, act.relu_prime])
def test_functions_reject_non_finite_and_non_numeric(f):
    with pytest.raises(ValueError, match=rf"{f.__name__}: expected finite values in z"):
        f(np.array([0.0, np.nan]))
    with pytest.raises(TypeError, match=rf"{f.__name__}: expected z to be a numeric"):
        f("1.0")


@pytest.mark.parametrize("make", LAYERS[:5])
def test_layers_reject_non_finite_input_naming_the_layer(make):
    layer = make()
    layer.name = "act3"
    with pytest.raises(ValueError, match=r"\('act3'\)\.forward: expected finite values "
                                         r"in X, got 1 non-finite value\(s\) \(first at "
                                         r"index \(1, 0\)"):
        layer.forward(np.array([[1.0, 2.0], [np.inf, 0.0]]))


def test_bad_alpha():
    with pytest.raises(ValueError, match=r"leaky_relu: expected alpha in \[0, inf\)"):
        act.leaky_relu(np.ones(2), alpha=-1)
    with pytest.raises(TypeError, match=r"LeakyReLU\.__init__: expected alpha"):
        act.LeakyReLU(alpha="0.1")


def test_scalar_inputs_give_scalars():
    from bplib.activations import sigmoid, sigmoid_prime
    assert sigmoid(0.0) == 0.5 and sigmoid_prime(0.0) == 0.25
    assert abs(sigmoid(0.5) - 1 / (1 + np.exp(-0.5))) < 1e-15
