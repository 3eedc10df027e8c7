"""Tests for bplib.losses: values, gradients, stability, bad input."""

import json
import math
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bplib.activations import Sigmoid, sigmoid, softmax
from bplib.gradcheck import check_loss
from bplib.losses import (MSE, BinaryCrossEntropy, BinaryCrossEntropyWithLogits, HalfSSE,
                          Loss, SoftmaxCrossEntropy, get_loss)

TOL = 1e-7
shapes = hnp.array_shapes(min_dims=1, max_dims=2, max_side=6)


def values(shape, lo=-3.0, hi=3.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi))


# --- gradients by central differences -----------------------------------------------

@pytest.mark.parametrize("make", [MSE, HalfSSE])
@settings(max_examples=30, deadline=None)
@given(data=st.data(), shape=shapes)
def test_squared_errors_pass_gradcheck(make, data, shape):
    y_hat, y = data.draw(values(shape)), data.draw(values(shape))
    check_loss(make(), y_hat, y).raise_if_failed(TOL)


@settings(max_examples=30, deadline=None)
@given(data=st.data(), shape=shapes)
def test_bce_passes_gradcheck(data, shape):
    y_hat = data.draw(values(shape, 0.05, 0.95))
    y = data.draw(values(shape, 0.0, 1.0))
    check_loss(BinaryCrossEntropy(), y_hat, y).raise_if_failed(TOL)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), n=st.integers(1, 6), k=st.integers(1, 5), one_hot=st.booleans())
def test_softmax_ce_passes_gradcheck(data, n, k, one_hot):
    z = data.draw(values((n, k)))
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    y = np.eye(k)[labels] if one_hot else labels
    check_loss(SoftmaxCrossEntropy(), z, y).raise_if_failed(TOL)


@settings(max_examples=20, deadline=None)
@given(data=st.data(), n=st.integers(1, 5), k=st.integers(2, 5))
def test_softmax_ce_soft_targets_pass_gradcheck(data, n, k):
    z = data.draw(values((n, k)))
    y = softmax(data.draw(values((n, k))))  # rows that are distributions
    check_loss(SoftmaxCrossEntropy(), z, y).raise_if_failed(TOL)


# --- values and the documented gradients --------------------------------------------

def test_mse_is_the_mean_over_all_entries():
    y_hat, y = np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((2, 2))
    loss = MSE()
    assert loss(y_hat, y) == pytest.approx(30 / 4)
    np.testing.assert_allclose(loss.backward(), 2 * y_hat / 4)


def test_half_sse_classic_error():
    # the classic example's outputs and targets: E_total = 0.298371109
    loss = HalfSSE()
    value = loss(np.array([[0.75136507, 0.772928465]]), np.array([[0.01, 0.99]]))
    assert value == pytest.approx(0.298371109, abs=1e-9)
    np.testing.assert_allclose(loss.backward(), [[0.74136507, -0.217071535]])


def test_targets_of_shape_n_fit_one_output_column():
    loss = MSE()
    assert loss(np.array([[1.0], [3.0]]), np.array([0.0, 1.0])) == pytest.approx(2.5)
    assert loss.backward().shape == (2, 1)


def test_bce_value_and_torch_clamp():
    loss = BinaryCrossEntropy()
    assert loss(np.array([0.8, 0.4]), np.array([1.0, 0.0])) == pytest.approx(
        -(np.log(0.8) + np.log(0.6)) / 2)
    # log(0) is clamped at -100, as in torch.nn.BCELoss: finite value and gradient
    assert loss(np.array([0.0, 1.0]), np.array([1.0, 0.0])) == pytest.approx(100.0)
    assert np.all(np.isfinite(loss.backward()))


@settings(max_examples=30, deadline=None)
@given(data=st.data(), n=st.integers(1, 6), k=st.integers(2, 5))
def test_softmax_ce_gradient_is_p_minus_y_over_n(data, n, k):
    z = data.draw(values((n, k), -20, 20))
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    loss = SoftmaxCrossEntropy()
    p = softmax(z)
    value = loss(z, labels)
    assert value == pytest.approx(-np.mean(np.log(p[np.arange(n), labels])), rel=1e-10)
    np.testing.assert_allclose(loss.backward(), (p - np.eye(k)[labels]) / n, atol=1e-15)
    assert loss(z, np.eye(k)[labels]) == pytest.approx(value, rel=1e-12)


def test_labels_as_float_integers_are_accepted():
    z = np.array([[1.0, 2.0], [0.0, 0.0]])
    assert SoftmaxCrossEntropy()(z, np.array([1.0, 0.0])) == pytest.approx(
        SoftmaxCrossEntropy()(z, np.array([1, 0])))


# --- stability ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logits_of_1000_give_finite_loss_and_gradient(dtype):
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 1000.0]], dtype=dtype)
    loss = SoftmaxCrossEntropy()
    assert loss(z, np.array([0, 1])) == pytest.approx(np.log(2) / 2)
    g = loss.backward()
    assert g.dtype == dtype and np.all(np.isfinite(g))
    assert loss(z, np.array([1, 2])) == pytest.approx((2000 + np.log(2)) / 2)
    assert np.all(np.isfinite(loss.backward()))
    assert np.isfinite(loss(z, np.eye(3, dtype=dtype)[[1, 0]]))
    assert np.all(np.isfinite(loss.backward()))


@pytest.mark.parametrize("make, y_hat, y", [
    (MSE, np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)),
    (HalfSSE, np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)),
    (BinaryCrossEntropy, np.full((2, 2), 0.5, np.float32), np.ones((2, 2), np.float32)),
    (SoftmaxCrossEntropy, np.ones((2, 2), np.float32), np.array([0, 1])),
])
def test_float32_gradients_stay_float32(make, y_hat, y):
    loss = make()
    assert np.isfinite(loss(y_hat, y))
    assert loss.backward().dtype == np.float32
    if y.dtype == np.float32:  # float64 targets (the usual data) do not promote
        loss(y_hat, y.astype(np.float64))
        assert loss.backward().dtype == np.float32


def test_float32_logits_with_float64_one_hot_stay_float32():
    loss = SoftmaxCrossEntropy()
    loss(np.ones((2, 3), np.float32), np.eye(3)[[0, 2]])
    assert loss.backward().dtype == np.float32


# --- contract and bad input ---------------------------------------------------------

@pytest.mark.parametrize("make", [MSE, HalfSSE, BinaryCrossEntropy, SoftmaxCrossEntropy])
def test_backward_before_forward(make):
    with pytest.raises(RuntimeError, match=rf"{make.__name__}\.backward: backward\(\) was "
                                           r"called before forward"):
        make().backward()


@pytest.mark.parametrize("make", [MSE, HalfSSE])
def test_backward_returns_a_new_array_each_time(make):
    loss = make()
    loss(np.ones((2, 1)), np.zeros((2, 1)))
    g = loss.backward()
    g[:] = 99.0
    assert np.all(loss.backward() != 99.0)


@pytest.mark.parametrize("make", [MSE, HalfSSE, BinaryCrossEntropy])
def test_mismatched_shapes(make):
    with pytest.raises(ValueError, match=rf"{make.__name__}\.forward: expected y of the "
                                         r"same shape as y_hat \(3, 2\), got \(2, 3\)"):
        make()(np.full((3, 2), 0.5), np.full((2, 3), 0.5))


@pytest.mark.parametrize("make", [MSE, HalfSSE, BinaryCrossEntropy, SoftmaxCrossEntropy])
def test_non_finite_predictions(make):
    with pytest.raises(ValueError, match=rf"{make.__name__}\.forward: expected finite"):
        make()(np.array([[np.nan, 0.5]]), np.array([0]) if make is SoftmaxCrossEntropy
               else np.array([[0.5, 0.5]]))


def test_bce_out_of_range():
    with pytest.raises(ValueError, match=r"BinaryCrossEntropy\.forward: expected y_hat to "
                                         r"hold probabilities in \[0, 1\], got values "
                                         r"from -0\.5 to 0\.5"):
        BinaryCrossEntropy()(np.array([-0.5, 0.5]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="expected y to hold probabilities"):
        BinaryCrossEntropy()(np.array([0.5, 0.5]), np.array([0.0, 2.0]))


@pytest.mark.parametrize("y, message", [
    (np.array([0, 3]), r"expected labels in \[0, 3\) for 3 classes, got values from 0 to 3"),
    (np.array([-1, 0]), r"expected labels in \[0, 3\).*from -1 to 0"),
    (np.array([0, 1, 2]), r"expected labels y of shape \(N,\) = \(2,\)"),
    (np.array([0.5, 1.0]), "expected integer class labels"),
    (np.ones((2, 2)), r"expected one-hot y of shape \(N, K\) = \(2, 3\)"),
    (np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0]]),
     r"expected each row of y \(N, K\) to be one-hot"),
    (np.array([[1, 0, 0], [0, 1, 0]]).reshape(2, 3, 1),
     r"expected y with 1 or 2 dimension\(s\), got 3"),
])
def test_softmax_ce_bad_targets(y, message):
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropy\.forward: " + message):
        SoftmaxCrossEntropy()(np.zeros((2, 3)), y)


def test_softmax_ce_bad_logits():
    with pytest.raises(ValueError, match=r"expected logits with 2 dimension"):
        SoftmaxCrossEntropy()(np.zeros(3), np.array([0]))
    with pytest.raises(TypeError, match="expected logits to be a numeric"):
        SoftmaxCrossEntropy()("z", np.array([0]))


def test_empty_batch():
    with pytest.raises(ValueError, match="at least one sample"):
        MSE()(np.zeros((0, 1)), np.zeros((0, 1)))


def test_get_loss():
    for name, cls in [("mse", MSE), ("half_sse", HalfSSE), ("bce", BinaryCrossEntropy),
                      ("bce_logits", BinaryCrossEntropyWithLogits),
                      ("softmax_ce", SoftmaxCrossEntropy)]:
        assert type(get_loss(name)) is cls and isinstance(get_loss(name), Loss)
    assert get_loss("mse") is not get_loss("mse")  # a fresh loss (own cache) each time
    loss = MSE()
    assert get_loss(loss) is loss
    with pytest.raises(ValueError, match="get_loss: unknown loss 'cross_entropy'; expected "
                                         "one of 'mse', 'half_sse', 'bce', 'bce_logits', "
                                         "'softmax_ce'"):
        get_loss("cross_entropy")
    with pytest.raises(TypeError, match="get_loss: expected loss name as a str"):
        get_loss(3)


def test_a_loss_always_checks_its_input_like_a_layer():
    from bplib._validate import NonFiniteError
    loss = SoftmaxCrossEntropy()
    with pytest.raises(NonFiniteError, match=r"SoftmaxCrossEntropy\.forward: expected "
                                             r"finite values in logits"):
        loss(np.array([[np.nan, 0.0]]), np.array([1]))
    with pytest.raises(ValueError, match=r"expected labels in \[0, 2\)"):
        loss(np.zeros((1, 2)), np.array([2]))
    assert not hasattr(loss, "check_input")


# --- sigmoid and binary cross-entropy fused, on logits ------------------------------
# tests/data/bce_logits_reference.json holds PyTorch's float64 values and gradients on
# fixed logits (|z| = 30 and 1000 included), made by bench/make_bce_logits_reference.py.
# The tests never import torch.

REF_BCE = json.loads((pathlib.Path(__file__).parent / "data"
                      / "bce_logits_reference.json").read_text())


@settings(max_examples=30, deadline=None)
@given(data=st.data(), shape=shapes)
def test_bce_logits_passes_gradcheck(data, shape):
    z = data.draw(values(shape, -8.0, 8.0))
    y = data.draw(values(shape, 0.0, 1.0))
    check_loss(BinaryCrossEntropyWithLogits(), z, y).raise_if_failed(TOL)


@settings(max_examples=30, deadline=None)
@given(data=st.data(), shape=shapes)
def test_bce_logits_equals_sigmoid_then_bce_where_nothing_saturates(data, shape):
    z = data.draw(values(shape, -10.0, 10.0))
    y = data.draw(values(shape, 0.0, 1.0))
    fused = BinaryCrossEntropyWithLogits()
    unfused = BinaryCrossEntropy()
    assert fused(z, y) == pytest.approx(unfused(sigmoid(z), y), rel=1e-9, abs=1e-12)
    s = sigmoid(z)
    np.testing.assert_allclose(fused.backward(), unfused.backward() * s * (1 - s),
                               rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("name", sorted(REF_BCE["cases"]))
def test_bce_logits_matches_torch_reference(name):
    case = REF_BCE["cases"][name]
    z, y = np.array(case["z"]), np.array(case["y"])
    loss = BinaryCrossEntropyWithLogits()
    value = loss(z, y)
    # PyTorch computes log(1 + e^(-abs z)) where bplib uses log1p: equal to 1e-9 (the
    # "right" case, log(1 + e^-12), is where the two roundings differ most)
    assert value == pytest.approx(case["with_logits"]["loss"], rel=1e-9)
    np.testing.assert_allclose(loss.backward(), case["with_logits"]["grad_z"],
                               rtol=1e-12, atol=1e-15)


def test_bce_logits_loss_of_confident_right_logits_is_exact():
    z = np.array([12.0, -12.0, 30.0])
    y = np.array([1.0, 0.0, 1.0])
    exact = sum(math.log1p(math.exp(-abs(v))) for v in z) / 3
    assert BinaryCrossEntropyWithLogits()(z, y) == pytest.approx(exact, rel=1e-15)


@pytest.mark.parametrize("name", sorted(REF_BCE["cases"]))
def test_sigmoid_then_bce_matches_torch_bceloss_and_its_flaw(name):
    """The unfused pair reproduces torch.nn.BCELoss, flaw included (to 1e-8: PyTorch's
    clamp of y_hat (1 - y_hat) is the float32 number nearest 1e-12, bplib's 1e-12)."""
    case = REF_BCE["cases"][name]
    z, y = np.array(case["z"]), np.array(case["y"])
    ref = case["sigmoid_then_bce"]
    layer, loss = Sigmoid(), BinaryCrossEntropy()
    y_hat = layer.forward(z)
    np.testing.assert_allclose(y_hat, ref["y_hat"], rtol=1e-15, atol=0)
    assert loss(y_hat, y) == pytest.approx(ref["loss"], rel=1e-12)
    np.testing.assert_allclose(layer.backward(loss.backward()), ref["grad_z"],
                               rtol=1e-8, atol=1e-15)


def test_the_fused_loss_keeps_the_gradient_the_unfused_pair_loses():
    """One confidently wrong example in a batch of 5: (sigma(z) - y) / 5 = 0.2 fused;
    about 0.019 at abs(z) = 30 and exactly 0 at 1000 through Sigmoid + BCE."""
    for big, unfused_expected in ((30.0, 0.0187), (1000.0, 0.0)):
        z = np.array([[big], [0.0], [1.0], [-1.0], [2.0]])
        y = np.array([[0.0], [1.0], [1.0], [0.0], [1.0]])
        fused = BinaryCrossEntropyWithLogits()
        fused(z, y)
        assert fused.backward()[0, 0] == pytest.approx(0.2, rel=1e-12)
        layer, loss = Sigmoid(), BinaryCrossEntropy()
        loss(layer.forward(z), y)
        g = layer.backward(loss.backward())[0, 0]
        assert g == pytest.approx(unfused_expected, abs=1e-4) if big == 30.0 else g == 0.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_logits_of_1000_finite_and_dtype_kept(dtype):
    z = np.array([[1000.0, -1000.0], [-1000.0, 0.0]], dtype=dtype)
    loss = BinaryCrossEntropyWithLogits()
    value = loss(z, np.array([[0.0, 0.0], [1.0, 1.0]], dtype=dtype))
    assert value == pytest.approx((1000 + 1000 + math.log(2)) / 4, rel=1e-6)
    g = loss.backward()
    assert g.dtype == dtype and np.all(np.isfinite(g))
    np.testing.assert_allclose(g, [[0.25, 0.0], [-0.25, -0.125]], rtol=1e-6)


def test_bce_logits_contract_and_bad_input():
    assert isinstance(get_loss("bce_logits"), BinaryCrossEntropyWithLogits)
    assert repr(BinaryCrossEntropyWithLogits()) == "BinaryCrossEntropyWithLogits()"
    with pytest.raises(RuntimeError, match=r"BinaryCrossEntropyWithLogits\.backward: "
                                           "backward\\(\\) was called before forward"):
        BinaryCrossEntropyWithLogits().backward()
    with pytest.raises(ValueError, match=r"BinaryCrossEntropyWithLogits\.forward: expected "
                                         r"y to hold targets in \[0, 1\], got values from "
                                         r"0\.0 to 2\.0"):
        BinaryCrossEntropyWithLogits()(np.array([0.5, 3.0]), np.array([0.0, 2.0]))
    with pytest.raises(ValueError, match=r"BinaryCrossEntropyWithLogits\.forward: expected "
                                         r"finite"):
        BinaryCrossEntropyWithLogits()(np.array([np.inf, 0.0]), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"expected y of the same shape as y_hat"):
        BinaryCrossEntropyWithLogits()(np.zeros((3, 2)), np.zeros((2, 3)))
    loss = BinaryCrossEntropyWithLogits()          # targets (N,) for one column (N, 1)
    loss(np.array([[2.0], [-1.0]]), np.array([1.0, 0.0]))
    assert loss.backward().shape == (2, 1)
    # logits far outside [0, 1] are fine: they are not probabilities
    assert np.isfinite(BinaryCrossEntropyWithLogits()(np.array([-50.0, 50.0]),
                                                      np.array([0.0, 1.0])))
