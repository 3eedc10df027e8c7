"""bplib.exercises.lab03: right answers pass; each named mistake is recognised."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.activations import sigmoid, softmax
from bplib.exercises import lab03 as ex


def sig(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh_prime(z):
    return 1 - np.tanh(z) ** 2


def relu_prime(z):
    return (z > 0).astype(float)


def dense_forward(X, W, b):
    return X @ W + b


def stable_softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def forward(X, W1, b1, W2, b2):
    return sigmoid(sigmoid(X @ W1 + b1) @ W2 + b2)


NET = float(ex.NEURON_W @ ex.NEURON_X + ex.NEURON_B)
CLASSIC = ex.classic_numbers()


def mistake(fb):
    assert not fb.correct, repr(fb)
    return fb.mistake


def test_right_answers_pass():
    assert ex.check_neuron(NET, sig(NET)).correct
    assert ex.check_neuron(-0.2, 0.45016600268752216).correct    # the numbers, by hand
    assert ex.check_derivatives(sigmoid_prime, tanh_prime, relu_prime).correct
    assert ex.check_shapes((5, 8), (8,), (32, 8)).correct
    assert ex.check_dense_forward(dense_forward).correct
    assert ex.check_dense_forward(lambda X, W, b: np.einsum("ni,ij->nj", X, W) + b).correct
    assert ex.check_classic(*CLASSIC).correct
    assert ex.check_classic(0.593269992, 0.596884378, 0.75136507, 0.772928465,
                            0.298371109).correct
    assert ex.check_softmax(stable_softmax).correct
    assert ex.check_softmax(lambda z: softmax(z)).correct
    assert ex.check_forward(forward).correct
    assert ex.check_neuron_slider(3.0, 3.0).correct
    assert ex.check_saturation_slider(1.0).correct


def test_every_exercise_registered_with_a_hint():
    assert list(ex.lab.checks) == [str(k) for k in range(1, 10)]
    assert all(ex.lab.hints.values())
    assert "Hint for exercise 4" in repr(ex.hint(4))


def test_nothing_attempted():
    for check, n in [(ex.check_neuron, 2), (ex.check_derivatives, 3),
                     (ex.check_shapes, 3), (ex.check_dense_forward, 1),
                     (ex.check_classic, 5), (ex.check_softmax, 1), (ex.check_forward, 1),
                     (ex.check_neuron_slider, 2), (ex.check_saturation_slider, 1)]:
        assert check(*[...] * n).status == "not-attempted", check.__name__
    assert ex.check_shapes((..., ...), (...,), (..., ...)).status == "not-attempted"

    def unfinished(*args):
        return ...
    assert ex.check_dense_forward(unfinished).status == "not-attempted"


@pytest.mark.parametrize("net, out, name", [
    (NET - ex.NEURON_B, sig(NET), "forgot the bias"),
    (NET, NET, "no activation"),
    (NET, sig(NET - ex.NEURON_B), "forgot the bias"),
    (NET, np.tanh(NET), "tanh instead of sigmoid"),
    (NET, sig(-NET), "sign in the exponent"),
])
def test_neuron_mistakes(net, out, name):
    assert mistake(ex.check_neuron(net, out)) == name


@pytest.mark.parametrize("which, fn, name", [
    (0, lambda z: z * (1 - z), "formula applied to z"),
    (0, sig, "the function, not its derivative"),
    (0, lambda z: np.exp(-z) / (1 + np.exp(-z)), "forgot the square"),
    (1, lambda z: 1 - z ** 2, "formula applied to z"),
    (1, lambda z: 1 - np.tanh(z), "forgot the square"),
    (1, np.tanh, "the function, not its derivative"),
    (2, lambda z: np.maximum(z, 0), "the function, not its derivative"),
    (2, lambda z: (z < 0).astype(float), "backwards"),
])
def test_derivative_mistakes(which, fn, name):
    fns = [sigmoid_prime, tanh_prime, relu_prime]
    fns[which] = fn
    assert mistake(ex.check_derivatives(*fns)) == name


def test_derivative_error_is_reported_not_raised():
    def broken(z):
        raise RuntimeError("oops")
    fb = ex.check_derivatives(sigmoid_prime, broken, relu_prime)
    assert fb.status == "error" and "oops" in fb.message


@pytest.mark.parametrize("answer, name", [
    (((8, 5), (8,), (32, 8)), "column convention"),
    (((32, 8), (8,), (32, 8)), "included the batch"),
    (((5, 8), (32,), (32, 8)), "one bias per example"),
    (((5, 8), (5,), (32, 8)), "one bias per input"),
    (((5, 8), (8,), (8, 32)), "transposed shape"),
    (((5, 8), (8,), (32, 5)), "inputs instead of neurons"),
])
def test_shape_mistakes(answer, name):
    assert mistake(ex.check_shapes(*answer)) == name


@pytest.mark.parametrize("fn, name", [
    (lambda X, W, b: X @ W.T + b, "transposed W"),
    (lambda X, W, b: X @ W, "forgot the bias"),
    (lambda X, W, b: X @ W - b, "bias subtracted"),
    (lambda X, W, b: (W @ X.T).T + b, "transposed W"),
])
def test_dense_forward_mistakes(fn, name):
    assert mistake(ex.check_dense_forward(fn)) == name


def test_dense_forward_hard_coded_or_crashing():
    fb = ex.check_dense_forward(lambda X, W, b: np.zeros((4, 2)))
    assert not fb.correct
    fb = ex.check_dense_forward(lambda X, W, b: X.undefined)
    assert fb.status == "error" and "AttributeError" in fb.message


def _classic_variant(**kw):
    return ex.classic_numbers(**kw)


@pytest.mark.parametrize("answer, name", [
    (_classic_variant(b1=np.zeros(2), b2=np.zeros(2)), "forgot the biases"),
    ((*CLASSIC[:2], *_classic_variant(hidden=lambda z: z)[2:]), "hidden outputs not squashed"),
    (_classic_variant(hidden=lambda z: z), "net instead of out"),
    (_classic_variant(W1=np.array([[0.15, 0.20], [0.25, 0.30]]),
                      W2=np.array([[0.40, 0.45], [0.50, 0.55]])),
     "weights of the two hidden units swapped"),
    ((0.3775, *CLASSIC[1:]), "net instead of out"),
    ((*CLASSIC[:4], CLASSIC[4] / 2), "averaged the two errors"),
    ((*CLASSIC[:4], CLASSIC[4] * 2), "forgot the 1/2"),
])
def test_classic_mistakes(answer, name):
    assert mistake(ex.check_classic(*answer)) == name


@pytest.mark.parametrize("fn, name", [
    (np.exp, "not normalised"),
    (lambda z: z / z.sum(), "normalised without exp"),
    (lambda z: np.exp(z - z.max()) / np.exp(z).sum(), "shifted only the numerator"),
    (lambda z: np.exp(z - z.max()), "max instead of sum"),
    (lambda z: np.exp(z) / np.exp(z).sum(), "overflow for large scores"),
])
def test_softmax_mistakes(fn, name):
    with np.errstate(all="ignore"):
        assert mistake(ex.check_softmax(fn)) == name


@pytest.mark.parametrize("fn, name", [
    (lambda X, W1, b1, W2, b2: sigmoid((X @ W1 + b1) @ W2 + b2), "no hidden activation"),
    (lambda X, W1, b1, W2, b2: sigmoid(X @ W1 + b1) @ W2 + b2, "no output activation"),
    (lambda X, W1, b1, W2, b2: sigmoid(sigmoid(X @ W1) @ W2), "forgot the biases"),
])
def test_forward_mistakes(fn, name):
    assert mistake(ex.check_forward(fn)) == name


def test_forward_loop_over_rows_is_fine():
    def loop(X, W1, b1, W2, b2):
        return np.array([forward(x[None, :], W1, b1, W2, b2)[0] for x in X])
    assert ex.check_forward(loop).correct


@pytest.mark.parametrize("w, b, name", [
    (-3.0, 3.0, "falling instead of rising"),
    (1.0, 1.0, "not the steepest"),
    (2.0, 2.0, "not the steepest"),
    (3.0, -3.0, "switch on the wrong side"),
])
def test_neuron_slider_mistakes(w, b, name):
    assert mistake(ex.check_neuron_slider(w, b)) == name


@pytest.mark.parametrize("answer, name", [
    (10.0, "the scale, not its logarithm"),
    (1.25, "one step too far"),
    (0.75, "one step too early"),
])
def test_saturation_slider_mistakes(answer, name):
    assert mistake(ex.check_saturation_slider(answer)) == name


# ---------------------------------------------------------------- issue 13 findings
def test_neuron_by_hand_accepts_typed_digits():
    assert ex.check_neuron(-0.2, 0.4502).correct
    assert ex.check_neuron(-0.2, 0.45017).correct
    fb = ex.check_neuron(-0.2, 0.449)
    assert "right to 2 significant digits" in fb.message and "too" not in fb.message


def test_forward_names_a_wrong_dense_forward():
    namespace = {"np": np, "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
    exec("def dense_forward(X, W, b):\n    return X @ W\n"            # the bias missing
         "def forward(X, W1, b1, W2, b2):\n"
         "    return sigmoid(dense_forward(sigmoid(dense_forward(X, W1, b1)), W2, b2))\n",
         namespace)
    fb = ex.check_forward(namespace["forward"])
    assert fb.mistake == "an earlier answer is not right yet" and "exercise 4" in fb.message


# ---------------------------------------------------------------- the review of issue 13
def test_classic_outputs_swapped_and_3_digits():
    r = ex.classic_numbers()
    assert ex.check_classic(r[0], r[1], r[3], r[2], r[4]).mistake == "out_o1 and out_o2 swapped"
    assert ex.check_classic(*[float(f"{v:.3g}") for v in r]).correct      # 0.298 for E_total


def test_neuron_sign_without_subtraction_advice():
    net, out = ex._neuron(ex.NEURON_X, ex.NEURON_W, ex.NEURON_B)
    fb = ex.check_neuron(-net, out)
    assert fb.mistake == "wrong sign" and "y_hat" not in fb.message, fb.message
    fb = ex.check_neuron(net, -out)
    assert fb.mistake == "wrong sign" and "y_hat" not in fb.message, fb.message
