"""Tests for bplib.gradcheck: the checker itself, including that it catches bugs."""

import warnings

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


# --- the per-array table and kinks (Chapter 6) ----------------------------------------

from bplib.activations import LeakyReLU, ReLU, relu, relu_prime  # noqa: E402
from bplib.gradcheck import KinkWarning  # noqa: E402
from bplib.network import Sequential  # noqa: E402
from bplib.regularization import L1, L2  # noqa: E402


def _relu_net(seed=0, near_kink=None):
    """A 3-4-2 ReLU network on 5 examples; ``near_kink``: put hidden input Z[2, 1] there."""
    rng = np.random.default_rng(seed)
    net = Sequential([Dense(3, 4, seed=1), ReLU(), Dense(4, 2, seed=2)], loss="mse")
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    if near_kink is not None:
        Z = X @ net.params["dense0.W"]
        net.params["dense0.b"][1] = near_kink - Z[2, 1]
    return net, X, y


def test_table_has_one_row_per_array_with_worst_entry_and_verdict():
    net, X, y = _relu_net()
    report = check_network(net, X, y)
    table = report.table()
    assert list(table.index) == ["X", "dense0.W", "dense0.b", "dense1.W", "dense1.b"]
    assert list(table.columns) == ["shape", "rel_error", "worst", "analytic", "numerical",
                                   "kink_steps", "rechecked", "rel_error_without_kinks",
                                   "verdict"]
    assert (table["verdict"] == "ok").all() and (table["kink_steps"] == 0).all()
    assert table.loc["dense0.W", "shape"] == (3, 4)
    assert table.loc["dense1.b", "rel_error"] == report.errors["dense1.b"]
    assert not report.false_alarm and report.kink_sources == []


def test_table_names_the_failing_array_and_its_worst_entry():
    layer = WrongDense(3, 2, seed=1, key="b", index=(1,))
    report = check_layer(layer, np.random.default_rng(0).normal(size=(4, 3)))
    table = report.table()
    assert table.loc["b", "verdict"] == "FAILED" and table.loc["b", "worst"] == (1,)
    assert table.loc["W", "verdict"] == "ok" and table.loc["X", "verdict"] == "ok"
    assert table.loc["b", "analytic"] == pytest.approx(table.loc["b", "numerical"] + 0.01)


def test_a_step_across_a_relu_kink_is_a_false_alarm_and_warns():
    net, X, y = _relu_net(near_kink=2e-7)          # closer to 0 than the step h ~ 9.5e-7
    with pytest.warns(KinkWarning, match=r"check_network: .*kink of ReLU 'relu0'.*false "
                                         r"alarm"):
        report = check_network(net, X, y)
    assert not report.ok and report.false_alarm
    assert report.kink_sources == ["ReLU 'relu0'"]
    assert report.kinks["dense0.b"].tolist() == [False, True, False, False]
    assert report.kinks["dense0.W"][:, 1].any() and not report.kinks["dense1.W"].any()
    assert report.errors_without_kinks["dense0.b"] < 1e-7 < report.errors["dense0.b"]
    table = report.table()
    assert table.loc["dense0.b", "verdict"] == "false alarm (kink)"
    assert table.loc["dense1.W", "verdict"] == "ok"
    text = str(report)
    assert "kinks: finite-difference steps crossed a kink of ReLU 'relu0'" in text
    assert "a false alarm, not a bug" in text and "1 step across a kink" in text
    # the same point, away from the kink: no warning, and the check passes
    far, X2, y2 = _relu_net(near_kink=0.3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_network(far, X2, y2).ok


def test_a_real_bug_beside_a_kink_is_still_failed():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 3))
    layer = WrongDense(3, 2, seed=1, key="W", index=(0, 0))
    net = TinyNet([layer, ReLU(), Dense(2, 1, seed=2)], MSE())
    net.layers[0].params["b"][1] = 1e-7 - (X @ layer.params["W"])[0, 1]
    report = check_network(net, X, rng.normal(size=(4, 1)), warn=False)
    assert report.kinks["l0.b"].any() and not report.false_alarm
    assert report.table().loc["l0.W", "verdict"] == "FAILED"
    assert "a real disagreement" in report.kink_message()


def test_check_layer_and_check_function_see_kinks():
    layer = LeakyReLU(0.1)
    x = np.array([[1.0, -3e-7, 0.5], [1e-7, -1.0, 2.0]])
    report = check_layer(layer, x, warn=False)
    assert report.kinks["X"].tolist() == [[False, True, False], [True, False, False]]
    assert report.false_alarm and report.kink_sources == ["LeakyReLU 'leakyrelu0'"]
    with pytest.warns(KinkWarning, match="check_function: .*kink of relu at 2 entries of x"):
        fn = check_function(relu, relu_prime, np.array([-1.0, -1e-7, 3e-7, 2.0]))
    assert fn.false_alarm and fn.kinks["x"].tolist() == [False, True, True, False]
    # exactly on the corner every step crosses it, however small: no verdict
    at0 = check_function(relu, relu_prime, np.array([-1.0, 0.0, 2.0]), warn=False)
    assert at0.inconclusive and at0.rechecked["x"].tolist() == [False, False, False]
    # a kink test given by hand, for a function the checker cannot look into
    f = lambda v: float(np.abs(v).sum())   # noqa: E731
    report = check_function(f, np.sign, np.array([1e-7, 1.0]), kinks=np.sign, warn=False)
    assert report.kinks["x"].tolist() == [True, False] and report.false_alarm
    # unknown f, no kinks= given: nothing is watched, nothing is claimed
    plain = check_function(f, np.sign, np.array([1e-7, 1.0]), warn=False)
    assert not plain.kinks["x"].any() and not plain.false_alarm and not plain.ok


def test_a_layer_can_declare_its_own_kinks():
    class Max2(Dense):          # out = max over pairs of columns, written as a Dense first
        def kink_sides(self):
            Z = self._cached() @ self.params["W"]
            return Z[:, 0] > Z[:, 1]
    layer = Max2(2, 2, W=[[1.0, 0.0], [0.0, 1.0]])
    report = check_layer(layer, np.array([[1.0, 1.0 + 1e-7], [2.0, 1.0]]), warn=False)
    assert report.kink_sources == ["Max2 'max20'"]
    assert report.kinks["X"].tolist() == [[True, True], [False, False]]


def test_l1_penalty_weights_crossing_zero_are_kinks_l2_has_none():
    net, X, y = _relu_net(seed=3)
    net.params["dense1.W"][2, 0] = 1e-7
    report = check_network(net, X, y, penalty=L1(0.5), warn=False)
    assert report.kink_sources == ["L1 penalty at dense1.W = 0"]
    assert report.kinks["dense1.W"][2, 0] and report.kinks["dense1.W"].sum() == 1
    assert report.false_alarm
    assert check_network(net, X, y, penalty=L2(0.5), warn=False).kink_sources == []


def test_raise_if_failed_keeps_the_kink_note():
    net, X, y = _relu_net(near_kink=-1e-7)
    report = check_network(net, X, y, warn=False)
    with pytest.raises(GradCheckError, match="a false alarm, not a bug"):
        report.raise_if_failed()


def test_a_gradient_of_the_wrong_shape_is_named():
    class Transposed(Dense):
        def backward(self, grad_out, need_input_grad=True):
            dX = super().backward(grad_out)
            self.grads["W"] = self.grads["W"].T
            return dX
    with pytest.raises(ValueError, match=r"check_layer: expected the gradient for W to "
                                         r"have the shape of the parameter, \(3, 2\), got "
                                         r"\(2, 3\) \(transposed\?\)"):
        check_layer(Transposed(3, 2), np.ones((4, 3)))


# --- every step across a kink: a smaller step decides (the bug was called a false alarm)

def _f_max(v):
    return float(max(v[0], v[1]))


def _right_max(v):
    return np.array([1.0, 0.0]) if v[0] > v[1] else np.array([0.0, 1.0])


@pytest.mark.parametrize("df", [lambda v: np.array([0.0, 1.0]),
                                lambda v: np.array([5.0, 7.0]),
                                lambda v: np.zeros(2)])
def test_a_wrong_max_gradient_is_failed_when_every_step_crosses(df):
    x = np.array([1 + 1e-7, 1.0])       # both steps of size 2**-20 cross x1 = x2
    report = check_function(_f_max, df, x, kinks=lambda v: v[0] > v[1], warn=False)
    assert report.kinks["x"].all() and report.rechecked["x"].all()
    assert report.verdict("x") == "FAILED" and not report.false_alarm
    assert "a real disagreement" in report.kink_message()


def test_the_right_max_gradient_is_a_false_alarm_after_the_recheck():
    x = np.array([1 + 1e-7, 1.0])
    report = check_function(_f_max, _right_max, x, kinks=lambda v: v[0] > v[1],
                            warn=False)
    assert report.verdict("x") == "false alarm (kink)" and report.false_alarm
    np.testing.assert_allclose(report.numerical_rechecked["x"], [1.0, 0.0], atol=1e-8)
    assert report.errors_without_kinks["x"] < 1e-7 < report.errors["x"]
    # exactly on the corner every step size crosses: the checker cannot tell
    tie = check_function(_f_max, _right_max, np.array([1.0, 1.0]),
                         kinks=lambda v: v[0] > v[1], warn=False)
    assert tie.verdict("x") == "inconclusive (every step crossed a kink)"
    assert tie.inconclusive and not tie.false_alarm and not tie.ok
    assert np.isnan(tie.errors_without_kinks["x"])
    assert "cannot tell" in tie.kink_message()


def _one_unit_net(first):
    """first -> ReLU -> Dense(1, 2), with the hidden input Z[2, 0] = 2e-7."""
    rng = np.random.default_rng(0)
    net = Sequential([first, ReLU(), Dense(1, 2, seed=2)], loss="mse")
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    W, b = net.params[net.names[0] + ".W"], net.params[net.names[0] + ".b"]
    b[0] = 2e-7 - (X @ W)[2, 0]
    return net, X, y


def test_a_bug_in_a_one_unit_layer_is_failed_though_every_step_crosses():
    from bplib.demos.ch06 import MeanDense, OneRowBiasDense
    good = check_network(*_one_unit_net(Dense(3, 1, seed=1)), warn=False)
    assert good.kinks["dense0.W"].all() and good.kinks["dense0.b"].all()
    assert good.false_alarm and not good.ok
    mean = check_network(*_one_unit_net(MeanDense(3, 1, seed=1)), warn=False)
    assert mean.kinks["meandense0.W"].all() and mean.kinks["meandense0.b"].all()
    assert mean.verdict("meandense0.W") == mean.verdict("meandense0.b") == "FAILED"
    assert not mean.false_alarm and not mean.inconclusive
    one_row = check_network(*_one_unit_net(OneRowBiasDense(3, 1, seed=1)), warn=False)
    assert one_row.verdict("onerowbiasdense0.b") == "FAILED" and not one_row.false_alarm


def test_errors_are_the_relative_error_and_noise_only_decides():
    a, n = np.array([1.0, 2.0]), np.array([1.0, 2.0 + 3e-6])
    report = GradCheckReport({"x": a}, {"x": n}, noise={"x": np.full(2, 1e-5)})
    assert report.errors["x"] == relative_error(a, n) > 1e-7   # eq. (ch06-rel-error)
    assert report.ok and report.verdict("x") == "ok"            # within the noise
    assert "within rounding noise" in str(report)
    tight = GradCheckReport({"x": a}, {"x": n}, noise={"x": np.full(2, 1e-9)})
    assert tight.errors["x"] == report.errors["x"] and not tight.ok
