"""Tests for bplib.gradcheck: the checker itself, including that it catches bugs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bplib.activations import Sigmoid, Tanh
from bplib.gradcheck import (GradCheckError, GradCheckReport, check_function, check_layer,
                             check_loss, check_network, numerical_gradient, relative_error)
from bplib.layers import Dense, Dropout
from bplib.losses import MSE, SoftmaxCrossEntropy


# --- numerical_gradient and relative_error ------------------------------------------

@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4),
                  elements=st.floats(-3, 3)))
def test_numerical_gradient_of_known_functions_and_x_restored(x):
    before = x.copy()
    g = numerical_gradient(lambda v: np.sum(np.sin(v)) + 0.5 * np.sum(v ** 2), x)
    np.testing.assert_array_equal(x, before)  # restored bit for bit
    np.testing.assert_allclose(g, np.cos(x) + x, rtol=1e-8, atol=1e-8)


def test_numerical_gradient_needs_a_float_array():
    with pytest.raises(TypeError, match="numerical_gradient: expected x to be a float "
                                        "ndarray .*got ndarray of dtype int64"):
        numerical_gradient(np.sum, np.arange(3))
    with pytest.raises(TypeError, match="got list"):
        numerical_gradient(np.sum, [1.0, 2.0])


def test_relative_error():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert relative_error([1.0, 0.0], [0.0, 0.0]) == 1.0
    assert relative_error([1.0], [3.0]) == pytest.approx(2 / 4)
    with pytest.raises(ValueError, match=r"relative_error: expected a and b of the same "
                                         r"shape, got \(2,\) and \(3,\)"):
        relative_error(np.ones(2), np.ones(3))


# --- the checker catches wrong gradients, naming array and index ---------------------

class WrongDense(Dense):
    """A Dense layer whose backward is wrong in exactly one entry of one gradient."""

    def __init__(self, *args, key, index, **kwargs):
        super().__init__(*args, **kwargs)
        self.key, self.index = key, index

    def backward(self, grad_out):
        dX = super().backward(grad_out)
        if self.key == "X":
            dX[self.index] += 0.01
        else:
            self.grads[self.key][self.index] += 0.01
        return dX


@settings(max_examples=25, deadline=None)
@given(data=st.data(), n=st.integers(1, 4), n_in=st.integers(1, 4),
       n_out=st.integers(1, 4), key=st.sampled_from(["X", "W", "b"]))
def test_check_layer_names_the_wrong_parameter_and_index(data, n, n_in, n_out, key):
    shape = {"X": (n, n_in), "W": (n_in, n_out), "b": (n_out,)}[key]
    index = data.draw(st.tuples(*[st.integers(0, s - 1) for s in shape]))
    layer = WrongDense(n_in, n_out, seed=1, key=key, index=index)
    x = np.random.default_rng(2).uniform(-2, 2, size=(n, n_in))
    report = check_layer(layer, x)
    assert not report.ok and report.max_rel_error > 1e-5
    assert report.worst == (key, index)
    assert f"{key}{list(index)}" in str(report) and "FAILED" in str(report)
    with pytest.raises(GradCheckError, match=rf"worst: {key}\[") as info:
        report.raise_if_failed()
    assert isinstance(info.value, AssertionError)


def test_check_function_catches_a_wrong_derivative():
    z = np.linspace(-2, 2, 7)
    report = check_function(np.tanh, lambda v: 1 - np.tanh(v), z)  # forgot the square
    assert not report.ok and report.worst[0] == "x"
    ok = check_function(np.tanh, lambda v: 1 - np.tanh(v) ** 2, z)
    assert ok.ok and ok.max_rel_error < 1e-9 and "OK" in str(ok)
    assert ok.raise_if_failed() is ok


def test_check_function_scalar_valued():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    assert check_function(lambda v: float(np.sum(v ** 3)), lambda v: 3 * v ** 2, x).ok
    with pytest.raises(ValueError, match=r"check_function: expected df\(x\) of shape "
                                         r"\(2, 2\)"):
        check_function(lambda v: float(np.sum(v)), lambda v: np.ones(3), x)


class SloppyMSE(MSE):
    def backward(self):
        return 2 * self._cached()  # forgot to divide by the number of entries


def test_check_loss_catches_a_missing_factor():
    y_hat, y = np.array([[0.5, 1.0], [2.0, -1.0]]), np.zeros((2, 2))
    assert check_loss(MSE(), y_hat, y).ok
    report = check_loss(SloppyMSE(), y_hat, y)
    assert not report.ok and report.worst[0] == "y_hat"


def test_zero_gradients_agree_within_rounding_noise():
    # at the minimum the gradient is exactly 0 and central differences give ~1e-16
    report = check_loss(MSE(), np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    assert report.ok and report.max_rel_error < 1e-7
    assert np.all(report.noise["y_hat"] > 0)
    # without a noise estimate, 0 against 1e-12 is a 100% relative error
    strict = GradCheckReport({"x": np.zeros(2)}, {"x": np.array([0.0, 1e-12])})
    assert not strict.ok and strict.max_rel_error == 1.0
    lenient = GradCheckReport({"x": np.zeros(2)}, {"x": np.array([0.0, 1e-12])},
                              noise={"x": np.full(2, 1e-10)})
    assert lenient.ok


def test_noise_does_not_hide_a_real_error():
    a, n = np.array([1e-3, 2e-3]), np.array([1e-3, 2.1e-3])  # 5% off in one entry
    report = GradCheckReport({"x": a}, {"x": n}, noise={"x": np.full(2, 1e-10)})
    assert not report.ok and report.max_rel_error > 1e-3


def test_small_gradient_beside_a_large_output_is_judged_fairly():
    # dX = R W with W ~ 1e-6 while the output is ~1.5: invisible to relative error alone
    layer = Dense(2, 1, W=[[1e-6], [2e-6]], b=[1.5])
    assert check_layer(layer, np.zeros((1, 2))).ok


def test_report_tolerance_and_text():
    report = GradCheckReport({"W": np.array([1.0, 2.0])}, {"W": np.array([1.0, 2.0 + 1e-6])})
    assert not report.ok and report.worst == ("W", (1,))
    assert report.raise_if_failed(tol=1e-5) is report  # looser tolerance passes
    text = str(report)
    assert "FAILED" in text and "W" in text and "<-- disagrees" in text
    assert "analytic 2" in text and "numerical 2.000001" in text
    assert "worst=('W', (1,))" in repr(report)


# --- layers with randomness, and whole networks -------------------------------------

def test_dropout_masks_are_rewound_and_generator_left_as_found():
    layer = Dropout(0.5, seed=3)
    state = layer._rng.bit_generator.state
    x = np.random.default_rng(0).normal(size=(4, 5))
    assert check_layer(layer, x).ok
    assert layer._rng.bit_generator.state == state


class TinyNet:
    """Just enough of a network for check_network: layers, params, grads, loss, backward."""

    def __init__(self, layers, loss):
        self.layers, self._loss = layers, loss
        for i, layer in enumerate(layers):
            layer.name = f"l{i}"

    @property
    def params(self):
        return {f"{l.name}.{k}": v for l in self.layers for k, v in l.params.items()}

    @property
    def grads(self):
        return {f"{l.name}.{k}": v for l in self.layers for k, v in l.grads.items()}

    def loss(self, X, y):
        for layer in self.layers:
            X = layer.forward(X)
        return self._loss.forward(X, y)

    def backward(self):
        g = self._loss.backward()
        for layer in reversed(self.layers):
            g = layer.backward(g)
        return g


def test_check_network_passes_and_names_a_wrong_parameter():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 3)), rng.integers(0, 2, 5)

    def make(last):
        return TinyNet([Dense(3, 4, seed=1), Tanh(), Dropout(0.3, seed=2), last,
                        Sigmoid(), Dense(2, 2, seed=4)], SoftmaxCrossEntropy())

    report = check_network(make(Dense(4, 2, seed=3)), X, y)
    report.raise_if_failed(1e-7)
    assert set(report.errors) == {"X", "l0.W", "l0.b", "l3.W", "l3.b", "l5.W", "l5.b"}
    bad = check_network(make(WrongDense(4, 2, seed=3, key="W", index=(2, 1))), X, y)
    assert not bad.ok and bad.worst == ("l3.W", (2, 1))


def test_check_network_needs_a_gradient_per_parameter():
    class NoGrads(TinyNet):
        @property
        def grads(self):
            return {}
    net = NoGrads([Dense(2, 1)], MSE())
    with pytest.raises(ValueError, match="check_network: expected a gradient for every "
                                         "parameter after backward"):
        check_network(net, np.ones((2, 2)), np.ones((2, 1)))


def test_check_layer_without_input_gradient():
    class ParamsOnly(Dense):               # a layer that never returns dX
        def backward(self, grad_out, need_input_grad=True):
            super().backward(grad_out, need_input_grad=False)

    layer = ParamsOnly(3, 2, seed=0)
    report = check_layer(layer, np.random.default_rng(0).normal(size=(4, 3)))
    assert report.ok and set(report.errors) == {"W", "b"}


def test_step_is_a_power_of_two_so_both_sides_are_exact():
    seen = []
    numerical_gradient(lambda v: seen.append(v[0]) or 0.0, np.array([1.0]), eps=1e-6)
    assert seen[1] - 1.0 == 1.0 - seen[2] == 2.0 ** -20
