"""bplib.exercises.lab05: right, equivalent and wrong answers for every check; each
classic mistake of a derivation by hand is recognised by its numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bplib import byhand
from bplib.exercises import lab05 as ex

P = ex.CLASSIC["p"]
F = byhand.forward(P)
G = byhand.backward(P)
T1, T2 = ex.CLASSIC["t"]


def status(fb):
    return fb.status


def three_factors():
    return (F["out_o1"] - T1, F["out_o1"] * (1 - F["out_o1"]), F["out_h1"], G["dE_dw5"])


# ------------------------------------------------------------ 1
def test_three_factors_right_typed_and_tuple():
    assert ex.check_three_factors(*three_factors()).correct
    typed = [float(f"{v:.4g}") for v in three_factors()]
    assert ex.check_three_factors(*typed).correct
    assert ex.check_three_factors(np.float64(three_factors()[0]), *three_factors()[1:]).correct


@pytest.mark.parametrize("index, value, mistake", [
    (1, F["net_o1"] * (1 - F["net_o1"]), "sigma'(net) computed from net"),
    (2, F["net_h1"], "wrong input multiplied"),
    (2, P["w5"], "the weight instead of the input"),
    (3, (F["out_o1"] - T1) * F["out_h1"], "sigma' left out"),
    (3, G["delta_o1"] * F["out_h2"], "wrong input multiplied"),
    (3, -G["dE_dw5"], "sign flipped"),
    (3, 2 * G["dE_dw5"], "the half dropped"),
])
def test_three_factors_mistakes(index, value, mistake):
    answers = list(three_factors())
    answers[index] = value
    fb = ex.check_three_factors(*answers)
    assert not fb.correct and fb.mistake == mistake, fb


def test_three_factors_not_attempted_and_digits():
    assert ex.check_three_factors(..., ..., ..., ...).status == "not-attempted"
    answers = list(three_factors())
    answers[3] = round(G["dE_dw5"], 3)          # 0.082: right to 2 digits only
    fb = ex.check_three_factors(*answers)
    assert not fb.correct and "digits" in (fb.mistake or ""), fb


# ------------------------------------------------------------ 2
def test_output_gradients_right_and_mistakes():
    right = [G["dE_dw6"], G["dE_dw7"], G["dE_dw8"]]
    assert ex.check_output_gradients(G["delta_o2"], right).correct
    assert ex.check_output_gradients(G["delta_o2"], np.array(right)).correct
    assert ex.check_output_gradients(G["delta_o2"], tuple(round(v, 5) for v in right)).correct
    fb = ex.check_output_gradients(F["out_o2"] - T2, right)
    assert fb.mistake == "sigma' left out"
    fb = ex.check_output_gradients(G["delta_o2"], [G["delta_o1"] * F["out_h1"],
                                                   G["delta_o2"] * F["out_h2"],
                                                   G["delta_o2"] * F["out_h1"]])
    assert fb.mistake == "wrong input multiplied"
    fb = ex.check_output_gradients(G["delta_o2"], [-v for v in right])
    assert fb.mistake == "wrong sign"
    assert ex.check_output_gradients(G["delta_o2"], [..., ..., ...]).status == "not-attempted"


# ------------------------------------------------------------ 3
def hidden(**flags):
    d = ex.derive(P, ex.CLASSIC["x"], ex.CLASSIC["t"], ex.CLASSIC["lr"], **flags)
    return d["dE_dout_h1"], d["delta_h1"], d["dE_dw1"]


def test_hidden_right():
    assert ex.check_hidden_gradient(*hidden()).correct
    assert ex.check_hidden_gradient(G["dE_dout_h1"], G["delta_h1"], G["dE_dw1"]).correct


@pytest.mark.parametrize("flags, mistake", [
    (dict(paths="o1"), "only the path through o1"),
    (dict(paths="o2"), "only the path through o2"),
    (dict(hidden_w="new"), "updated w5..w8 used for the hidden layer"),
    (dict(hid_slope="none"), "sigma' left out"),
    (dict(hid_slope="net"), "sigma'(net) computed from net"),
    (dict(w1_input="i2"), "wrong input multiplied"),
    (dict(out_slope="none", hid_slope="none"), "sigma' left out"),
    (dict(sign=-1.0), "sign flipped"),
    (dict(scale=0.5), "the half doubled"),
])
def test_hidden_mistakes(flags, mistake):
    fb = ex.check_hidden_gradient(*hidden(**flags))
    assert not fb.correct and fb.mistake == mistake, fb


# ------------------------------------------------------------ 4
def right_weights():
    q = byhand.update(P)
    return [q[w] for w in byhand.WEIGHTS]


def test_update_right_equivalent_and_precision():
    assert ex.check_update(right_weights()).correct
    assert ex.check_update(np.array(right_weights())).correct
    assert ex.check_update([round(v, 9) for v in right_weights()]).correct
    fb = ex.check_update([round(v, 4) for v in right_weights()])
    assert not fb.correct


@pytest.mark.parametrize("make, mistake", [
    (lambda: [byhand.update(P, hidden="new")[w] for w in byhand.WEIGHTS],
     "updated w5..w8 used for the hidden layer"),
    (lambda: [P[w] + 0.5 * G[f"dE_d{w}"] for w in byhand.WEIGHTS], "stepped uphill"),
    (lambda: [P[w] - G[f"dE_d{w}"] for w in byhand.WEIGHTS], "learning rate left out"),
    (lambda: [P[w] for w in byhand.WEIGHTS[:4]] + right_weights()[4:],
     "only the output layer updated"),
    (lambda: [G[f"dE_d{w}"] for w in byhand.WEIGHTS], "gave the gradients"),
])
def test_update_mistakes(make, mistake):
    fb = ex.check_update(make())
    assert fb.mistake == mistake, fb


# ------------------------------------------------------------ 5: the beyond-the-references check
FR = ex.FRESH


def derivation(**flags):
    d = ex.derive(FR["p"], FR["x"], FR["t"], FR["lr"], **flags)
    return d["delta_o1"], d["dE_dw5"], d["dE_dout_h1"], d["dE_dw1"], d["new_w1"]


def test_derivation_right():
    assert ex.check_derivation(*derivation()).correct
    typed = [float(f"{v:.5g}") for v in derivation()[:4]] + [round(derivation()[4], 9)]
    assert ex.check_derivation(*typed).correct


@pytest.mark.parametrize("flags, mistake", [
    (dict(out_slope="none", hid_slope="none"), "sigma' left out"),
    (dict(hid_slope="none"), "sigma' left out"),
    (dict(out_slope="net", hid_slope="net"), "sigma'(net) computed from net"),
    (dict(hid_slope="net"), "sigma'(net) computed from net"),
    (dict(hidden_w="new"), "updated w5..w8 used for the hidden layer"),
    (dict(sign=-1.0), "sign flipped"),
    (dict(scale=2.0), "the half dropped"),
    (dict(scale=0.5), "the half doubled"),
    (dict(paths="o1"), "only the path through o1"),
    (dict(paths="o2"), "only the path through o2"),
    (dict(w5_input="out_h2"), "wrong input multiplied"),
    (dict(w5_input="net_h1"), "wrong input multiplied"),
    (dict(w1_input="i2"), "wrong input multiplied"),
    (dict(step="up"), "stepped uphill"),
    (dict(step="no_eta"), "learning rate left out"),
])
def test_derivation_names_each_classic_mistake(flags, mistake):
    fb = ex.check_derivation(*derivation(**flags))
    assert not fb.correct and fb.mistake == mistake, fb


def test_every_mistake_changes_some_number():
    right = derivation()
    for key, numbers in ex.mistaken_numbers(FR["p"], FR["x"], FR["t"], FR["lr"]):
        got = [numbers[q] for q in ex.QUANTITIES]
        assert any(not math.isclose(a, b, rel_tol=1e-6) for a, b in zip(got, right)), key


def test_derivation_not_attempted_and_unknown_error():
    assert ex.check_derivation(..., ..., ..., ..., ...).status == "not-attempted"
    answers = list(derivation())
    answers[2] = 12.345
    fb = ex.check_derivation(*answers)
    assert not fb.correct and fb.mistake is None and "dE/dout_h1" in fb.message


# ------------------------------------------------------------ 6
def backward_222(w, b, x, t):
    g = byhand.backward(ex._params(w, b), tuple(x), tuple(t))
    return [g[f"dE_d{k}"] for k in byhand.WEIGHTS]


def test_backward_function_right_and_equivalent():
    assert ex.check_backward_function(backward_222).correct
    assert ex.check_backward_function(lambda *a: np.array(backward_222(*a))).correct
    assert ex.check_backward_function(lambda *a: tuple(backward_222(*a))).correct


@pytest.mark.parametrize("flags, mistake", [
    (dict(slope="none"), "sigma' left out"),
    (dict(slope="net"), "sigma'(net) computed from net"),
    (dict(paths=(1, 0)), "only the path through o1"),
    (dict(paths=(0, 1)), "only the path through o2"),
    (dict(sign=-1.0), "sign flipped"),
])
def test_backward_function_mistakes(flags, mistake):
    fb = ex.check_backward_function(ex._grads_with(**flags))
    assert fb.mistake == mistake, fb


def test_backward_function_hard_coded_and_not_attempted():
    fixed = backward_222([P[w] for w in byhand.WEIGHTS], (P["b1"], P["b2"]),
                         ex.CLASSIC["x"], ex.CLASSIC["t"])
    assert ex.check_backward_function(lambda *a: fixed).mistake == "hard-coded answer"
    assert ex.check_backward_function(...).status == "not-attempted"
    assert ex.check_backward_function(lambda *a: ...).status == "not-attempted"


# ------------------------------------------------------------ 7
def test_bias_gradients():
    d = [G["delta_h1"], G["delta_h2"], G["delta_o1"], G["delta_o2"]]
    assert ex.check_bias_gradients(d[0] + d[1], d[2] + d[3], d).correct
    assert ex.check_bias_gradients(d[0] + d[1], d[2] + d[3], np.array(d)).correct
    assert ex.check_bias_gradients(d[0], d[2] + d[3], d).mistake == "only one neuron's delta"
    assert ex.check_bias_gradients((d[0] + d[1]) * P["b1"], d[2] + d[3], d).mistake == \
        "multiplied by the bias"
    fb = ex.check_bias_gradients(d[0] + d[1], d[2] + d[3], [d[0] + d[1]] * 2 + [d[2] + d[3]] * 2)
    assert fb.mistake == "the shared sums again"


# ------------------------------------------------------------ 8, 9
def test_general_equations_right_and_mistakes():
    assert ex.check_general_equations(ex._layers_with("sigmoid")).correct
    as_list = ex._layers_with("sigmoid")
    assert ex.check_general_equations(lambda *a: list(as_list(*a))).correct
    for kw, name in [(dict(slope="none"), "the hidden activation's slope left out"),
                     (dict(slope="net"), "sigma'(net) computed from net"),
                     (dict(out_slope=False), "the output sigmoid's slope left out"),
                     (dict(mean=True), "bias gradient averaged"),
                     (dict(sign=-1.0), "sign flipped")]:
        assert ex.check_general_equations(ex._layers_with("sigmoid", **kw)).mistake == name


def test_general_equations_transposed_weight_gradient():
    def transposed(*a):
        dW1, db1, dW2, db2 = ex._layers_with("sigmoid")(*a)
        return dW1, db1, dW2.T, db2
    fb = ex.check_general_equations(transposed)
    assert not fb.correct and "transposed" in (fb.mistake or ""), fb


def test_general_equations_learner_error_is_reported():
    def wrong_recursion(X, W1, b1, W2, b2, Y):
        A1 = 1 / (1 + np.exp(-(X @ W1 + b1)))
        A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
        d2 = (A2 - Y) * A2 * (1 - A2)
        d1 = (d2 @ W2) * A1 * (1 - A1)            # W2 not transposed: shapes clash
        return X.T @ d1, d1.sum(0), A1.T @ d2, d2.sum(0)
    assert ex.check_general_equations(wrong_recursion).status == "error"


def test_relu_network():
    assert ex.check_relu_network(ex._layers_with("relu")).correct
    assert ex.check_relu_network(ex._layers_with("relu", slope="sigmoid")).mistake == \
        "the sigmoid's slope for a ReLU layer"
    assert ex.check_relu_network(ex._layers_with("relu", slope="none")).mistake == \
        "the hidden activation's slope left out"
    assert not ex.check_relu_network(ex._layers_with("sigmoid")).correct


# ------------------------------------------------------------ 10
def test_slider():
    a, b = ex.slider_answers()
    assert (a, b) == (178, 56)
    assert ex.check_slider(a, b).correct
    assert ex.check_slider(float(a), np.int64(b)).correct
    assert ex.check_slider(100, b).mistake == "the last position above 0.01"
    assert ex.check_slider(b, a).mistake == "the other learning rate"
    assert ex.check_slider(..., ...).status == "not-attempted"


def test_hints_exist():
    for key in ex.lab.checks:
        assert "There is no exercise" not in repr(ex.hint(key))


# ------------------------------------------------------------ mistakes named after the review
def _sig(z):
    return 1 / (1 + math.exp(-z))


def test_factor_of_one_to_float32_precision_is_no_mistake():
    from bplib.exercises._compare import _factor_mistake
    assert _factor_mistake(1.00000003, True) is None
    assert _factor_mistake(1.0004, True, tol=1e-3) is None
    assert _factor_mistake(1.5, True) is not None
    fb = ex.check_update(np.array(right_weights(), dtype=np.float32))
    assert fb.correct, fb


def test_update_rounded_weights_are_told_their_decimals():
    fb = ex.check_update([round(v, 5) for v in right_weights()])
    assert not fb.correct and fb.mistake == "not enough decimals", fb
    assert "right to 5 decimals" in fb.message and "give 8" in fb.message
    assert ex.check_update([round(v, 7) for v in right_weights()]).correct   # within 5e-7
    fb = ex.check_derivation(*derivation()[:4], round(derivation()[4], 5))
    assert fb.mistake == "not enough decimals" and "too large" not in fb.message, fb
    assert "right to 5 decimals" in fb.message


def test_weight_tolerance_still_separates_the_shortcut():
    assert ex.WEIGHT_ATOL == 5e-7
    seq = [byhand.update(P, hidden="new")[w] for w in byhand.WEIGHTS]
    assert ex.check_update(seq).mistake == "updated w5..w8 used for the hidden layer"


def test_three_factors_slope_left_out_or_applied_twice():
    answers = list(three_factors())
    answers[1] = 1.0
    assert ex.check_three_factors(*answers).mistake == "sigma' left out"
    answers[1] = _sig(F["out_o1"]) * (1 - _sig(F["out_o1"]))
    assert ex.check_three_factors(*answers).mistake == "sigma applied twice"


def test_output_gradients_without_the_slope_and_sigma_twice():
    e1, e2 = F["out_o1"] - T1, F["out_o2"] - T2
    fb = ex.check_output_gradients(G["delta_o2"], [e1 * F["out_h2"], e2 * F["out_h1"],
                                                   e2 * F["out_h2"]])
    assert fb.mistake == "sigma' left out", fb
    fb = ex.check_output_gradients(e2 * _sig(F["out_o2"]) * (1 - _sig(F["out_o2"])),
                                   [G["dE_dw6"], G["dE_dw7"], G["dE_dw8"]])
    assert fb.mistake == "sigma applied twice", fb


@pytest.mark.parametrize("flags, mistake", [
    (dict(h1_weights=("w5", "w6")), "wrong connecting weight"),
    (dict(hid_slope="sig_of_out"), "sigma applied twice"),
])
def test_hidden_more_mistakes(flags, mistake):
    fb = ex.check_hidden_gradient(*hidden(**flags))
    assert not fb.correct and fb.mistake == mistake, fb


def test_hidden_gradient_with_the_input_left_out():
    fb = ex.check_hidden_gradient(G["dE_dout_h1"], G["delta_h1"], G["delta_h1"])
    assert fb.mistake == "input left out", fb


@pytest.mark.parametrize("flags, mistake", [
    (dict(out_slope="sig_of_out", hid_slope="sig_of_out"), "sigma applied twice"),
    (dict(h1_weights=("w5", "w6")), "wrong connecting weight"),
])
def test_derivation_more_mistakes(flags, mistake):
    fb = ex.check_derivation(*derivation(**flags))
    assert not fb.correct and fb.mistake == mistake, fb


def test_derivation_input_left_out():
    d = ex.derive(FR["p"], FR["x"], FR["t"], FR["lr"])
    answers = list(derivation())
    answers[3] = d["delta_h1"]
    assert ex.check_derivation(*answers).mistake == "input left out"


@pytest.mark.parametrize("flags, mistake", [
    (dict(hid_slope="none"), "sigma' left out"),
    (dict(slope="sig_of_out"), "sigma applied twice"),
    (dict(swap_w2_w3=True), "w2 and w3 swapped"),
    (dict(swap_inputs=True), "inputs swapped"),
])
def test_backward_function_more_mistakes(flags, mistake):
    fb = ex.check_backward_function(ex._grads_with(**flags))
    assert fb.mistake == mistake, fb


def test_bias_gradients_more_mistakes():
    d = [G["delta_h1"], G["delta_h2"], G["delta_o1"], G["delta_o2"]]
    b1, b2 = d[0] + d[1], d[2] + d[3]
    assert ex.check_bias_gradients(b1, d[3], d).mistake == "only one neuron's delta"
    assert ex.check_bias_gradients(b1 / 2, b2, d).mistake == "averaged the deltas"
    assert ex.check_bias_gradients(b1, b2 / 2, d).mistake == "averaged the deltas"
    fb = ex.check_bias_gradients(b1, b2, [d[2], d[3], d[0], d[1]])
    assert fb.mistake == "the layers in the wrong order", fb


def test_slider_log10_and_exact_step():
    a, b = ex.slider_answers()
    assert ex.slider_answers(exact=True) == (173, 43)
    assert ex.check_slider(2.25, b).mistake == "the slider's value, not the steps"
    assert ex.check_slider(a, 1.75).mistake == "the slider's value, not the steps"
    assert ex.check_slider(173, b).mistake == "the exact first step, not a slider position"
