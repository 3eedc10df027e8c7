"""bplib.exercises.lab07: right, equivalent and wrong answers for every check; each named
mistake (the sigmoid's slope left out or kept, the missing (1 - y) log(1 - y_hat) term,
the missing 1/N, the overflow of exp(1000), ...) is detected."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bplib.activations import sigmoid, softmax
from bplib.exercises import lab07 as ex


def _s(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


# ------------------------------------------------------------ 1. quadratic cost
def test_quad_grad_right_and_equivalent():
    assert ex.check_quad_grad(lambda z, y: (sigmoid(z) - y) * sigmoid(z) * (1 - sigmoid(z))).correct
    assert ex.check_quad_grad(   # written with exp, as a learner may
        lambda z, y: (_s(z) - y) * np.exp(-np.asarray(z, float)) / (1 + np.exp(-np.asarray(z, float))) ** 2).correct
    assert ex.check_quad_grad(...).status == "not-attempted"
    assert ex.check_quad_grad(lambda z, y: ...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda z, y: _s(z) - y, "the sigmoid's slope left out"),
    (lambda z, y: (_s(z) - y) * np.asarray(z) * (1 - np.asarray(z)), "the slope from z"),
    (lambda z, y: (np.asarray(z) - y) * _s(z) * (1 - _s(z)), "z where the output belongs"),
    (lambda z, y: (y - _s(z)) * _s(z) * (1 - _s(z)), "wrong sign"),
    (lambda z, y: 2 * (_s(z) - y) * _s(z) * (1 - _s(z)), "extra factor of 2"),
])
def test_quad_grad_mistakes(fn, mistake):
    fb = ex.check_quad_grad(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 2. binary cross-entropy
def test_bce_grad_right_and_equivalent():
    assert ex.check_bce_grad(lambda yh, y: -y / yh + (1 - y) / (1 - yh)).correct
    assert ex.check_bce_grad(lambda yh, y: (yh - y) / (yh * (1 - yh))).correct
    assert ex.check_bce_grad(...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda yh, y: -y / yh, "missing (1 - y) log(1 - y_hat) term"),
    (lambda yh, y: yh - y, "the gradient with respect to z"),
    (lambda yh, y: -y / yh - (1 - y) / (1 - yh), "the second term's sign"),
    (lambda yh, y: -y / yh + y / (1 - yh), "the second term left as y"),
    (lambda yh, y: y / yh - (1 - y) / (1 - yh), "wrong sign"),
])
def test_bce_grad_mistakes(fn, mistake):
    fb = ex.check_bce_grad(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 3. softmax Jacobian
def _jac(z):
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)


def test_softmax_jacobian_right_and_equivalent():
    assert ex.check_softmax_jacobian(_jac).correct

    def loops(z):                                  # entry by entry, as a list of lists
        s = np.exp(z) / np.exp(z).sum()
        return [[s[i] * ((i == j) - s[j]) for j in range(3)] for i in range(3)]
    assert ex.check_softmax_jacobian(loops).correct
    assert ex.check_softmax_jacobian(lambda z: _jac(z).T).correct   # J is symmetric


@pytest.mark.parametrize("fn, mistake", [
    (lambda z: np.diag(softmax(z) * (1 - softmax(z))), "the diagonal only"),
    (lambda z: -np.outer(softmax(z), softmax(z)), "diag(s) left out"),
    (lambda z: np.diag(z) - np.outer(z, z), "softmax of z taken as z"),
    (lambda z: -_jac(z), "wrong sign"),
])
def test_softmax_jacobian_mistakes(fn, mistake):
    fb = ex.check_softmax_jacobian(fn)
    assert not fb.correct and fb.mistake == mistake


def test_softmax_jacobian_wrong_shape():
    fb = ex.check_softmax_jacobian(lambda z: softmax(z))
    assert not fb.correct


# ------------------------------------------------------------ 4. softmax + cross-entropy
def _sce(Z, labels):
    return (softmax(Z) - np.eye(Z.shape[1])[labels]) / len(Z)


def test_softmax_ce_grad_right_and_equivalent():
    assert ex.check_softmax_ce_grad(_sce).correct

    def with_loop(Z, labels):
        G = softmax(Z)
        for n, c in enumerate(labels):
            G[n, c] -= 1
        return G / Z.shape[0]
    assert ex.check_softmax_ce_grad(with_loop).correct


@pytest.mark.parametrize("fn, mistake", [
    (lambda Z, l: _sce(Z, l) * len(Z), "the batch mean's 1/N left out"),
    (lambda Z, l: softmax(Z) / len(Z), "the one-hot targets not subtracted"),
    (lambda Z, l: -np.eye(Z.shape[1])[l] / softmax(Z) / len(Z), "the gradient with respect to y_hat"),
    (lambda Z, l: _sce(Z, l) * len(Z) / Z.size, "divided by N K"),
    (lambda Z, l: -_sce(Z, l), "wrong sign"),
    (lambda Z, l: (np.exp(Z) / np.exp(Z).sum(axis=0) - np.eye(Z.shape[1])[l]) / len(Z),
     "softmax down the columns"),
    (lambda Z, l: (np.exp(Z) / np.exp(Z).sum() - np.eye(Z.shape[1])[l]) / len(Z),
     "softmax over the whole batch"),
])
def test_softmax_ce_grad_mistakes(fn, mistake):
    fb = ex.check_softmax_ce_grad(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 5. log-sum-exp
def test_logsumexp_right_and_equivalent():
    def lse(z):
        m = z.max()
        return m + np.log(np.sum(np.exp(z - m)))
    assert ex.check_logsumexp(lse).correct
    assert ex.check_logsumexp(lambda z: np.logaddexp.reduce(z)).correct
    assert ex.check_logsumexp(lambda z: float(np.max(z) + math.log(sum(
        math.exp(v - np.max(z)) for v in z)))).correct
    assert ex.check_logsumexp(...).status == "not-attempted"
    assert ex.check_logsumexp(lambda z: ...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda z: np.log(np.sum(np.exp(z))), "overflow in exp"),
    (lambda z: z.min() + np.log(np.sum(np.exp(z - z.min()))), "overflow in exp"),
    (lambda z: np.log(np.sum(np.exp(np.minimum(z, 700)))), "underflow to log(0)"),
    (lambda z: np.log(np.sum(np.exp(z - z.max()))), "the max not added back"),
    (lambda z: np.max(z), "the max alone"),
])
def test_logsumexp_mistakes(fn, mistake):
    fb = ex.check_logsumexp(fn)
    assert not fb.correct and fb.mistake == mistake


def test_logsumexp_learner_error_is_reported():
    def broken(z):
        raise RuntimeError("oops")
    fb = ex.check_logsumexp(broken)
    assert fb.status == "error" and "oops" in fb.message


# ------------------------------------------------------------ 6. which loss
RIGHT = ["A", "B", "C", "D", "A"]


def test_which_loss_right_and_equivalent():
    assert ex.check_which_loss(RIGHT).correct
    assert ex.check_which_loss(("a", " b", "C", "d ", "A")).correct
    assert ex.check_which_loss([..., ..., ..., ..., ...]).status == "not-attempted"


@pytest.mark.parametrize("index, letter, mistake", [
    (3, "C", "softmax for multi-label"),
    (1, "A", "squared error for a class"),
    (1, "C", "two logits where one will do"),
    (2, "D", "independent sigmoids for exclusive classes"),
    (2, "B", "a binary loss for 10 classes"),
    (0, "B", "a classification loss for a number"),
    (4, "B", "a classification loss for a number"),
])
def test_which_loss_mistakes(index, letter, mistake):
    answers = list(RIGHT)
    answers[index] = letter
    fb = ex.check_which_loss(answers)
    assert not fb.correct and fb.mistake == mistake
    assert fb.message.startswith(f"Task {index + 1}")


def test_which_loss_other_wrong_answers():
    fb = ex.check_which_loss(["C", "B", "C", "D", "A"])
    assert not fb.correct and fb.mistake is None and fb.message.startswith("Task 1")
    assert "list of 5 letters" in ex.check_which_loss(["A"]).message
    assert "not one of the letters" in ex.check_which_loss(["E", "B", "C", "D", "A"]).message


# ------------------------------------------------------------ 7. ln K
def test_initial_loss_right_and_equivalent():
    assert ex.check_initial_loss(2.303, 0.693).correct
    assert ex.check_initial_loss(np.log(10), np.log(2)).correct
    assert ex.check_initial_loss(2.3026, 0.6931).correct
    assert ex.check_initial_loss(..., ...).status == "not-attempted"


@pytest.mark.parametrize("answers, mistake", [
    ((0.1, 0.693), "the probability, not the loss"),
    ((2.303, 0.5), "the probability, not the loss"),
    ((1.0, 0.693), "log base 10"),
    ((2.303, 0.301), "log base 10"),
    ((0.9, 0.693), "the squared error"),
    ((-2.303, 0.693), "wrong sign"),
    ((3.322, 0.693), "log base 2"),
    ((2.303, 1.0), "log base 2"),
    ((0.693, 2.303), "the two answers swapped"),
])
def test_initial_loss_mistakes(answers, mistake):
    fb = ex.check_initial_loss(*answers)
    assert not fb.correct and fb.mistake == mistake


def test_initial_loss_few_digits_told_so():
    assert ex.check_initial_loss(2.30, 0.693).correct       # three digits: enough
    fb = ex.check_initial_loss(2.31, 0.693)
    assert not fb.correct and "digit" in fb.message


# ------------------------------------------------------------ 8. the neuron
def neuron_outputs(w, b, eta, epochs, cost):
    outputs = []
    for step in range(epochs + 1):
        a = float(sigmoid(w + b))
        outputs.append(a)
        if step == epochs:
            break
        delta = a * a * (1 - a) if cost == "quadratic" else a
        w, b = w - eta * delta, b - eta * delta
    return outputs


def test_train_neuron_right_and_equivalent():
    assert ex.check_train_neuron(neuron_outputs).correct
    assert ex.check_train_neuron(lambda *a: np.array(neuron_outputs(*a))).correct
    assert ex.check_train_neuron(...).status == "not-attempted"


def _variant(slope, update_b=True, keep_start=True, step_sign=1.0):
    def fn(w, b, eta, epochs, cost):
        outs = []
        for step in range(epochs + 1):
            a = float(sigmoid(w + b))
            outs.append(a)
            if step == epochs:
                break
            use = {"always": True, "never": False, "right": cost == "quadratic",
                   "swapped": cost != "quadratic"}[slope]
            delta = step_sign * (a * a * (1 - a) if use else a)
            w = w - eta * delta
            b = b - eta * delta if update_b else b
        return outs if keep_start else outs[1:] + [float(sigmoid(w + b))]
    return fn


@pytest.mark.parametrize("fn, mistake", [
    (_variant("always"), "the sigmoid's slope kept in the cross-entropy"),
    (_variant("never"), "the sigmoid's slope left out"),
    (_variant("right", update_b=False), "the bias not updated"),
    (_variant("right", keep_start=False), "the starting output left out"),
    (_variant("right", step_sign=-1.0), "gradient ascent"),
    (_variant("swapped"), "the two costs swapped"),
])
def test_train_neuron_mistakes(fn, mistake):
    fb = ex.check_train_neuron(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 9. the slowdown
def test_slowdown_right_wrong_and_off_by_one():
    q = int(np.argmax(np.array(neuron_outputs(2.0, 2.0, 0.15, 300, "quadratic")) < 0.5))
    c = int(np.argmax(np.array(neuron_outputs(2.0, 2.0, 0.15, 300, "cross_entropy")) < 0.5))
    assert ex.check_slowdown(q, c).correct
    assert ex.check_slowdown(float(q), np.int64(c)).correct
    assert ex.check_slowdown(..., ...).status == "not-attempted"
    for wrong in ((q + 1, c), (q, c - 1)):
        fb = ex.check_slowdown(*wrong)
        assert not fb.correct and fb.mistake == "off by one"
    fb = ex.check_slowdown(c, q)                      # swapped
    assert not fb.correct and fb.mistake == "the two answers swapped"
    first = [int(np.argmax(np.array(neuron_outputs(0.6, 0.9, 0.15, 300, cost)) < 0.5))
             for cost in ("quadratic", "cross_entropy")]
    fb = ex.check_slowdown(*first)                    # Nielsen's other start
    assert not fb.correct and fb.mistake == "the other start"


def test_hints_exist_for_every_exercise():
    for key in map(str, range(1, 10)):
        assert ex.lab.hints[key]
