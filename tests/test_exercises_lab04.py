"""bplib.exercises.lab04: right answers pass; each named mistake is recognised."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bplib.engine import Value
from bplib.exercises import lab04 as ex


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def chain_answer():
    y = math.tanh(ex.CHAIN["w"] * ex.CHAIN["x"])
    return y, (y - ex.CHAIN["t"]) * (1 - y * y) * ex.CHAIN["x"]


def neuron_answer():
    x, w, b, t = (ex.NEURON[k] for k in "xwbt")
    y = sigmoid(np.dot(w, x) + b)
    d = (y - t) * y * (1 - y)
    return y, d, d * x, d


def neuron_grads(w, b, x, t):
    y = sigmoid(np.dot(w, x) + b)
    d = (y - t) * y * (1 - y)
    return d * x, d


def silu(a):
    s = 1 / (1 + math.exp(-a.data))
    return Value.from_op(a.data * s, (a,), "silu", lambda g: (g * (s + a.data * s * (1 - s)),))


def test_right_answers_pass():
    x, y = ex.PATHS["p"], ex.PATHS["q"]
    a, b, g = ex.LOCAL["a"], ex.LOCAL["b"], ex.LOCAL["g"]
    _, d, gw, gb = neuron_answer()
    P = 10 * 20 + 20 + 20 * 20 + 20 + 20 * 1 + 1
    assert ex.check_chain(chain_answer()[1]).correct
    assert ex.check_paths((x + y) * y + x * y, (x + y) * x + x * y).correct
    assert ex.check_local([g, g], [g * b, g * a], [g, 0]).correct
    assert ex.check_neuron_by_hand(d, gw, gb).correct
    assert ex.check_neuron_function(neuron_grads).correct
    assert ex.check_silu(silu).correct
    assert ex.check_cost(P, 2 * P, P + 1).correct
    assert ex.check_slider(0.75, 1.0, -0.014).correct        # read off the legend
    assert ex.check_slider(0.75, 1.0, -0.0142).correct       # read off the graph


def test_slider_answers_match_the_chapter_engine():
    from bplib.demos import ch04
    lo, hi, g = ex.slider_answers()
    assert ch04.neuron(w=lo)["w"].grad < 0 < ch04.neuron(w=hi)["w"].grad
    assert g == pytest.approx(ch04.neuron(w=-3.0)["w"].grad)


def test_every_exercise_registered_with_a_hint():
    assert list(ex.lab.checks) == [str(k) for k in range(1, 9)]
    assert all(ex.lab.hints.values())


def test_nothing_attempted():
    for check, n in [(ex.check_chain, 1), (ex.check_paths, 2), (ex.check_local, 3),
                     (ex.check_neuron_by_hand, 3), (ex.check_neuron_function, 1),
                     (ex.check_silu, 1), (ex.check_cost, 3), (ex.check_slider, 3)]:
        assert check(*[...] * n).status == "not-attempted"
    assert ex.check_local([..., ...], [..., ...], [..., ...]).status == "not-attempted"
    assert ex.check_neuron_function(lambda w, b, x, t: ...).status == "not-attempted"
    assert ex.check_silu(lambda a: ...).status == "not-attempted"


@pytest.mark.parametrize("which, mistake", [
    ("no_prime", "forgot the activation's derivative"),
    ("no_inner", "forgot the inner derivative"),
    ("one_minus_tanh", "derivative of tanh as 1 - tanh"),
    ("sigmoid_prime", "used the sigmoid's derivative"),
    ("sign", "wrong sign"),
])
def test_chain_mistakes(which, mistake):
    y, right = chain_answer()
    t, x = ex.CHAIN["t"], ex.CHAIN["x"]
    answer = dict(no_prime=(y - t) * x, no_inner=(y - t) * (1 - y * y),
                  one_minus_tanh=(y - t) * (1 - y) * x,
                  sigmoid_prime=(y - t) * y * (1 - y) * x, sign=-right)[which]
    assert ex.check_chain(answer).mistake == mistake


def test_paths_mistakes():
    x, y = ex.PATHS["p"], ex.PATHS["q"]
    u, v = x * y, x + y
    fb = ex.check_paths(v * y, v * x + u)
    assert fb.mistake == "only the path through u" and "df/dp" in fb.message
    assert ex.check_paths(u, v * x + u).mistake == "only the path through v"
    assert ex.check_paths(v * y + u, v * x).mistake == "only the path through u"


@pytest.mark.parametrize("answers, mistake", [
    (([0.25, 0.25], [-1.0, 1.5], [0.5, 0]), "add split the gradient"),
    (([1, 1], [-1.0, 1.5], [0.5, 0]), "forgot the arriving gradient"),
    (([0.5, 0.5], [1.5, -1.0], [0.5, 0]), "multiply did not swap"),
    (([0.5, 0.5], [-2.0, 3.0], [0.5, 0]), "forgot the arriving gradient"),
    (([0.5, 0.5], [-1.0, 1.5], [0, 0.5]), "routed to the smaller input"),
    (([0.5, 0.5], [-1.0, 1.5], [0.5, 0.5]), "max treated like add"),
])
def test_local_mistakes(answers, mistake):
    assert ex.check_local(*answers).mistake == mistake


def test_neuron_by_hand_mistakes():
    y, d, gw, gb = neuron_answer()
    x, w, b, t = (ex.NEURON[k] for k in "xwbt")
    assert ex.check_neuron_by_hand(y - t, gw, gb).mistake == "forgot the sigmoid's derivative"
    assert ex.check_neuron_by_hand(d, d * w, gb).mistake == \
        "gradient with respect to the wrong variable"
    assert ex.check_neuron_by_hand(d, (y - t) * x, gb).mistake == \
        "forgot the sigmoid's derivative"
    assert ex.check_neuron_by_hand(d, gw, d * b).mistake == \
        "treated the bias like an input of 1 times b"
    assert ex.check_neuron_by_hand(d, gw.reshape(3, 1), gb).mistake == "wrong shape"


@pytest.mark.parametrize("fn, mistake", [
    (lambda w, b, x, t: (neuron_grads(w, b, x, t)[1] * w, neuron_grads(w, b, x, t)[1]),
     "gradient with respect to the wrong variable"),
    (lambda w, b, x, t: ((sigmoid(np.dot(w, x) + b) - t) * x, sigmoid(np.dot(w, x) + b) - t),
     "forgot the sigmoid's derivative"),
    (lambda w, b, x, t: tuple(-g for g in neuron_grads(w, b, x, t)), "wrong sign"),
    (lambda w, b, x, t: neuron_grads(*[np.array([0.2, 0.4, -0.1]), 0.3,
                                       np.array([0.5, -1.0, 2.0]), 0.0]),
     "hard-coded answer"),
])
def test_neuron_function_mistakes(fn, mistake):
    assert ex.check_neuron_function(fn).mistake == mistake


def test_neuron_function_exception_is_reported():
    fb = ex.check_neuron_function(lambda w, b, x, t: x[10])
    assert fb.status == "error" and "IndexError" in fb.message


def _op(rule):
    def op(a):
        s = 1 / (1 + math.exp(-a.data))
        return Value.from_op(a.data * s, (a,), "silu", lambda g: (rule(g, a.data, s),))
    return op


@pytest.mark.parametrize("rule, mistake", [
    (lambda g, a, s: s + a * s * (1 - s), "forgot the arriving gradient"),
    (lambda g, a, s: g * s, "only half of the product rule"),
    (lambda g, a, s: g * a * s * (1 - s), "only half of the product rule"),
    (lambda g, a, s: g * a * s, "forward value in the backward rule"),
])
def test_silu_mistakes(rule, mistake):
    assert ex.check_silu(_op(rule)).mistake == mistake


def test_silu_errors_are_reported_not_raised():
    fb = ex.check_silu(lambda a: a.data * 2)          # a float, not a Value
    assert fb.status == "error" and "must return a Value" in fb.message
    fb = ex.check_silu(lambda a: Value.from_op(1.0, (a,), "silu", lambda g: (g, g)))
    assert fb.status == "error"                       # two gradients for one input
    assert not ex.check_silu(3.0).correct


def test_silu_backward_rule_returning_a_number_is_named():
    def as_float(a):
        s = 1 / (1 + math.exp(-a.data))
        return Value.from_op(a.data * s, (a,), "silu", lambda g: g * (s + a.data * s * (1 - s)))
    fb = ex.check_silu(as_float)
    assert fb.mistake == "the backward rule must return a tuple", fb
    assert "(g * local,)" in fb.message and "not iterable" in fb.message


@pytest.mark.parametrize("answers, mistake", [
    ((620, 1322, 662), "forgot the biases"),
    ((51, 1322, 662), "counted units, not weights"),
    ((661, 661, 662), "one evaluation per parameter"),
    ((661, 1240, 662), "forgot the biases"),
    ((661, 1322, 661), "forgot the unchanged point"),
    ((661, 1322, 1322), "two evaluations per parameter"),
    ((661, 1323, 662), "counted E(w) for central differences"),
])
def test_cost_mistakes(answers, mistake):
    assert ex.check_cost(*answers).mistake == mistake


def test_slider_mistakes():
    y = sigmoid(-3 * 1.5 + 0.1)
    assert ex.check_slider(1.0, 1.25, -0.014).mistake == "gave the first positive one"
    assert ex.check_slider(0.75, 1.0, 0.5 * (y - 0.8) ** 2).mistake == \
        "read E instead of the gradient"
    assert not ex.check_slider(0.75, 1.0, -0.03).correct


def test_neuron_function_unrecognised_wrong_pair_is_reported_as_not_yet():
    def slightly_off(w, b, x, t):
        gw, gb = neuron_grads(w, b, x, t)
        return gw + np.linspace(0.01, 0.05, len(gw)), gb
    fb = ex.check_neuron_function(slightly_off)
    assert fb.status == "incorrect" and "right result" in fb.message


# ---------------------------------------------------------------- issue 13 findings
def test_typed_answers_accepted():
    y, dE_dw = chain_answer()
    assert ex.check_chain(round(dE_dw, 4)).correct
    _, d, gw, gb = neuron_answer()
    assert ex.check_neuron_by_hand(round(d, 5), np.round(gw, 5), round(gb, 5)).correct


def test_neuron_function_accepts_a_list_pair_and_names_the_part():
    assert ex.check_neuron_function(lambda w, b, x, t: list(neuron_grads(w, b, x, t))).correct
    fb = ex.check_neuron_function(
        lambda w, b, x, t: (neuron_grads(w, b, x, t)[0], 2 * neuron_grads(w, b, x, t)[1]))
    assert "dE/dw is right; dE/db is not" in fb.message, fb.message


# ---------------------------------------------------------------- the review of issue 13
def test_typed_answers_rounded_to_3_digits_are_accepted():
    _, d, gw, gb = neuron_answer()
    three = [float(f"{v:.3g}") for v in (d, *gw, gb)]
    assert ex.check_neuron_by_hand(three[0], three[1:4], three[4]).correct, three


def test_local_max_mistakes():
    a, b, g = ex.LOCAL["a"], ex.LOCAL["b"], ex.LOCAL["g"]
    right = ([g, g], [g * b, g * a])
    assert ex.check_local(*right, [1.0, 0.0]).mistake == "forgot the arriving gradient"
    assert ex.check_local(*right, [g / 2, g / 2]).mistake == "max split the gradient"
    fb = ex.check_local(g, *right[1:], [g, 0.0])
    assert "You gave one number; a list of 2 is expected." in fb.message, fb.message


def test_paths_swapped_and_sign_without_subtraction_advice():
    p, q = ex.PATHS["p"], ex.PATHS["q"]
    dp, dq = (p + q) * q + p * q, (p + q) * p + p * q
    assert ex.check_paths(dq, dp).mistake == "swapped df/dp and df/dq"
    fb = ex.check_paths(-dp, dq)
    assert fb.mistake == "wrong sign" and "y_hat" not in fb.message, fb.message


def test_neuron_function_pair_in_the_wrong_order_and_odd_shapes():
    fb = ex.check_neuron_function(lambda w, b, x, t: neuron_grads(w, b, x, t)[::-1])
    assert fb.mistake == "(dE/db, dE/dw): the pair in the wrong order", fb
    fb = ex.check_neuron_function(lambda w, b, x, t: dict(enumerate("ab")))
    assert fb.status == "incorrect" and "could not use" not in fb.message, fb
    fb = ex.check_neuron_function(lambda w, b, x, t: {"w": 1.0, "b": 2.0})
    assert "KeyError" not in fb.message and "2 results (dE/dw, dE/db)" in fb.message, fb
    fb = ex.check_neuron_function(lambda w, b, x, t: np.append(*neuron_grads(w, b, x, t)))
    assert f"one array of shape ({len(ex._neuron_cases()[0][0]) + 1},)" in fb.message, fb


@pytest.mark.parametrize("key", ["3", "6", "7"])
def test_hints_point_the_way_without_the_answer(key):
    text = ex.lab.hints[key]
    for answer in ("both get g", "the other 0", "(1 - sigmoid(a))", "(g * local,)",
                   "n_in * n_out", "twice per parameter", "plus once"):
        assert answer not in text, (key, answer)
