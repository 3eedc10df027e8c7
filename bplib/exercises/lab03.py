"""Checks for Lab 3, "Neurons, activations and the forward pass" (labs/lab03-forward-pass.ipynb).

A neuron computes net = sum_i w_i x_i + b and out = f(net) (Chapter 3, eqs. (ch03-net),
(ch03-out)); a layer on a batch computes Z = X W + b with X (N, n_in), W (n_in, n_out),
b (n_out,) (eq. (ch03-batch)); softmax is computed after subtracting the largest score.

In the lab: ``from bplib.exercises import lab03 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import copy

import numpy as np

from bplib.activations import sigmoid as _sigmoid
from bplib.classic import CLASSIC

from .core import (TYPED_RTOL, Lab, Mistake, check_array, check_function, check_number,
                   combine, uses_earlier)
from .feedback import ERROR, INCORRECT, Feedback

lab = Lab("Lab 3")
hint = lab.hint

#: Exercise 1: one neuron (inputs, weights, bias), sigmoid activation.
NEURON_X = np.array([2.0, -1.0, 0.5])
NEURON_W = np.array([0.3, 0.8, -0.4])
NEURON_B = 0.2
#: Exercise 3: a batch of N examples with N_IN inputs enters a layer of N_OUT neurons.
SHAPES_N, SHAPES_IN, SHAPES_OUT = 32, 5, 8
#: Exercise 8: the neuron slider's switch must sit here, rising, as steep as possible.
SLIDER_X0 = -1.0


def _sig(z):
    return _sigmoid(np.asarray(z, dtype=float).reshape(-1)).reshape(np.shape(z))


# ------------------------------------------------------------ reference answers
def _neuron(x, w, b, f=_sig):
    net = float(np.dot(w, x) + b)
    return net, float(f(net))


def _sigmoid_prime(z):
    s = _sig(z)
    return s * (1 - s)


def _tanh_prime(z):
    return 1 - np.tanh(z) ** 2


def _relu_prime(z):
    return (np.asarray(z) > 0).astype(float)


def _dense(X, W, b):
    return X @ W + b


def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / e.sum()


def _forward(X, W1, b1, W2, b2):
    return _sig(_sig(X @ W1 + b1) @ W2 + b2)


def classic_numbers(W1=None, b1=None, W2=None, b2=None, hidden=_sig):
    """(out_h1, out_h2, out_o1, out_o2, E_total) of the 2-2-2 network (or a variant)."""
    c = CLASSIC
    W1 = np.array([[c["w1"], c["w3"]], [c["w2"], c["w4"]]]) if W1 is None else W1
    W2 = np.array([[c["w5"], c["w7"]], [c["w6"], c["w8"]]]) if W2 is None else W2
    b1 = np.array([c["b1"], c["b1"]]) if b1 is None else b1
    b2 = np.array([c["b2"], c["b2"]]) if b2 is None else b2
    x, t = np.array(c["inputs"]), np.array(c["targets"])
    h = hidden(x @ W1 + b1)
    o = _sig(h @ W2 + b2)
    return (*h, *o, float(0.5 * np.sum((t - o) ** 2)))


def _z_cases(seed, k=5):
    """Fresh arrays of net inputs (1-D and 2-D), never exactly 0."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(k):
        shape = (int(rng.integers(3, 9)),) if i % 2 == 0 else tuple(rng.integers(2, 5, 2))
        z = rng.normal(0, 3, shape)
        z[np.abs(z) < 1e-3] = 0.5
        out.append(z)
    return out


def _layer_case(rng, N, n_in, n_out):
    return (rng.normal(size=(N, n_in)), rng.normal(size=(n_in, n_out)),
            rng.normal(size=n_out))


def _wrong_on(fn, case, mistakes):
    """The first Mistake whose function agrees with ``fn`` on ``case`` (or None).

    Used for mistakes that only show on one kind of input (a transposed W is an
    error for rectangular W, but wrong numbers for square W).
    """
    try:
        got = np.asarray(fn(*copy.deepcopy(case)), dtype=float)
    except Exception:
        return None
    for m in mistakes:
        want = np.asarray(m.function(*copy.deepcopy(case)), dtype=float)
        if got.shape == want.shape and np.allclose(got, want, rtol=1e-6, atol=1e-9):
            return m
    return None


# ------------------------------------------------------------ the exercises
@lab.exercise(1, hint="net = w1*x1 + w2*x2 + w3*x3 + b; then out = 1 / (1 + exp(-net)).")
def check_neuron(net, out):
    """Exercise 1: one sigmoid neuron's net input and output, by hand."""
    right_net, right_out = _neuron(NEURON_X, NEURON_W, NEURON_B)
    no_bias_net, no_bias_out = _neuron(NEURON_X, NEURON_W, 0.0)
    return combine(
        check_number(net, right_net, name="the net input", rtol=TYPED_RTOL, mistakes=[
            Mistake("forgot the bias", "The net input is the weighted sum *plus the "
                    "bias* b.", value=no_bias_net),
            Mistake("added the weights and inputs", "Multiply each input by its "
                    "weight, then add the products (and the bias).",
                    value=float(np.sum(NEURON_W + NEURON_X) + NEURON_B)),
            Mistake("wrong sign", "Your answer has the right size but the opposite sign. "
                    "Check the sign of each product w_i x_i: an input or a weight that is "
                    "negative makes its product negative.", value=-right_net)]),
        check_number(out, right_out, name="the output", rtol=TYPED_RTOL, mistakes=[
            Mistake("no activation", "The output is sigmoid(net), not net itself.",
                    value=right_net),
            Mistake("forgot the bias", "Your output is sigmoid of the net input without "
                    "the bias; add b to the weighted sum first.", value=no_bias_out),
            Mistake("tanh instead of sigmoid", "This is tanh(net); the neuron uses the "
                    "sigmoid 1 / (1 + exp(-net)).", value=float(np.tanh(right_net))),
            Mistake("sign in the exponent", "The sigmoid is 1 / (1 + exp(-net)), with a "
                    "minus sign: you computed 1 / (1 + exp(net)).",
                    value=float(_sig(-right_net))),
            Mistake("wrong sign", "A sigmoid's output is always between 0 and 1, never "
                    "negative: out = 1 / (1 + exp(-net)).", value=-right_out)]),
        name="one neuron by hand")


@lab.exercise(2, hint="The first two formulas use the function's value, not z itself: "
              "compute sigmoid(z) (or tanh(z)) first, then apply the formula to it. For "
              "ReLU, a comparison of the array with 0 gives True/False entry by entry; turn "
              "it into numbers.")
def check_derivatives(sigmoid_prime, tanh_prime, relu_prime):
    """Exercise 2: the three derivative functions, on fresh arrays of any shape."""
    return combine(
        check_function(sigmoid_prime, _sigmoid_prime, _z_cases(201),
                       name="sigmoid_prime(z)", mistakes=[
            Mistake("formula applied to z", "sigma(1 - sigma) must be applied to "
                    "sigma(z), not to z: compute s = sigmoid(z), then s * (1 - s).",
                    function=lambda z: z * (1 - z)),
            Mistake("the function, not its derivative", "You returned sigmoid(z) "
                    "itself; the derivative is sigmoid(z) * (1 - sigmoid(z)).",
                    function=_sig),
            Mistake("forgot the square", "d/dz (1 + e^-z)^-1 = e^-z / (1 + e^-z)^2: the "
                    "denominator is squared.",
                    function=lambda z: np.exp(-z) / (1 + np.exp(-z)))]),
        check_function(tanh_prime, _tanh_prime, _z_cases(202), name="tanh_prime(z)",
                       mistakes=[
            Mistake("formula applied to z", "1 - tanh^2 must be applied to tanh(z), not "
                    "to z: 1 - np.tanh(z) ** 2.", function=lambda z: 1 - z ** 2),
            Mistake("forgot the square", "tanh'(z) = 1 - tanh(z)**2, squared.",
                    function=lambda z: 1 - np.tanh(z)),
            Mistake("the function, not its derivative", "You returned tanh(z) itself.",
                    function=np.tanh)]),
        check_function(relu_prime, _relu_prime, _z_cases(203), name="relu_prime(z)",
                       mistakes=[
            Mistake("the function, not its derivative", "You returned relu(z) = "
                    "max(0, z); its derivative is 1 for z > 0 and 0 for z < 0.",
                    function=lambda z: np.maximum(z, 0)),
            Mistake("backwards", "The slope is 1 where z > 0 (the straight part) and 0 "
                    "where z < 0 (the flat part), not the other way round.",
                    function=lambda z: (np.asarray(z) < 0).astype(float))]),
        name="activation derivatives")


@lab.exercise(3, hint="W has one row per input and one column per neuron; b has one "
              "entry per neuron; Z has one row per example and one column per neuron.")
def check_shapes(shape_W, shape_b, shape_Z):
    """Exercise 3: shapes of W, b and Z for a batch of N examples through one layer."""
    N, n_in, n_out = SHAPES_N, SHAPES_IN, SHAPES_OUT

    def shape(answer, right, what, mistakes):
        if answer is Ellipsis or (isinstance(answer, tuple) and Ellipsis in answer):
            return check_array(..., right, name=what)
        return check_array(np.ravel(np.asarray(answer, dtype=float)), np.array(right),
                           name=what, mistakes=mistakes)

    return combine(
        shape(shape_W, (n_in, n_out), "the shape of W", [
            Mistake("column convention", f"({n_out}, {n_in}) is W for column vectors, "
                    "z = W x. With batches as rows, Z = X W, so W needs one row per input.",
                    value=(n_out, n_in)),
            Mistake("included the batch", "The weights do not depend on how many examples "
                    "are in a batch.", value=(N, n_out))]),
        shape(shape_b, (n_out,), "the shape of b", [
            Mistake("one bias per example", "Each neuron has one bias, shared by every "
                    "example: b has n_out entries.", value=(N,)),
            Mistake("one bias per input", "Each *neuron* has a bias, not each input.",
                    value=(n_in,))]),
        shape(shape_Z, (N, n_out), "the shape of Z", [
            Mistake("transposed shape", "Rows are examples: Z has one row per example "
                    "and one column per neuron.", value=(n_out, N)),
            Mistake("inputs instead of neurons", "Each column of Z is one neuron's net "
                    "input; there are n_out of them.", value=(N, n_in))]),
        name="shapes of a layer")


@lab.exercise(4, hint="Rows of X are examples and columns of W are neurons, so one "
              "matrix product gives every neuron's weighted sum for every example. numpy "
              "then adds a vector of length n_out to every row (broadcasting).")
def check_dense_forward(dense_forward):
    """Exercise 4: ``dense_forward(X, W, b)`` -> Z = X W + b on fresh shapes."""
    rng = np.random.default_rng(401)
    cases = [_layer_case(rng, *s) for s in ((4, 3, 2), (1, 5, 3), (6, 2, 4), (3, 4, 4))]
    transposed = Mistake("transposed W", "You multiplied by W.T. W has one row per input "
                         "and one column per neuron, so Z = X @ W. (With a square W the "
                         "transpose runs without an error and gives wrong numbers.)",
                         function=lambda X, W, b: X @ W.T + b)
    no_bias = Mistake("forgot the bias", "Add the bias vector b: Z = X @ W + b.",
                      function=lambda X, W, b: X @ W)
    if dense_forward is not Ellipsis and callable(dense_forward):
        found = _wrong_on(dense_forward, cases[-1], [transposed])
        if found is not None:
            return Feedback(INCORRECT, "dense_forward(X, W, b)", found.message,
                            mistake=found.name)
    return check_function(dense_forward, _dense, cases, name="dense_forward(X, W, b)",
                          mistakes=[no_bias, Mistake("bias subtracted", "The bias is "
                                                     "added: X @ W + b.",
                                                     function=lambda X, W, b: X @ W - b)])


@lab.exercise(5, hint="Go unit by unit as in Chapter 3: net_h1 = w1*i1 + w2*i2 + b1, "
              "out_h1 = sigmoid(net_h1), ..., then E_total = 1/2 (t1 - out_o1)**2 + "
              "1/2 (t2 - out_o2)**2.")
def check_classic(out_h1, out_h2, out_o1, out_o2, E_total):
    """Exercise 5: the forward pass of the classic 2-2-2 network."""
    c = CLASSIC
    right = classic_numbers()
    swapped = classic_numbers(W1=np.array([[c["w1"], c["w2"]], [c["w3"], c["w4"]]]),
                              W2=np.array([[c["w5"], c["w6"]], [c["w7"], c["w8"]]]))
    no_bias = classic_numbers(b1=np.zeros(2), b2=np.zeros(2))
    no_hidden_act = classic_numbers(hidden=lambda z: z)
    names = ("out_h1", "out_h2", "out_o1", "out_o2")
    answers = (out_h1, out_h2, out_o1, out_o2)
    parts = []
    for k, (ans, nm) in enumerate(zip(answers, names)):
        mistakes = [Mistake("weights of the two hidden units swapped",
                            "w1 and w2 feed h1, w3 and w4 feed h2 (and w5, w6 feed o1; "
                            "w7, w8 feed o2). Check which weight connects which units.",
                            value=swapped[k]),
                    Mistake("forgot the biases", "Each net input includes its layer's "
                            "bias (b1 = 0.35 for the hidden units, b2 = 0.60 for the "
                            "outputs).", value=no_bias[k])]
        if k >= 2:
            mistakes.append(Mistake("hidden outputs not squashed", "The output layer's "
                                    "inputs are out_h1 and out_h2 (after the sigmoid), not "
                                    "net_h1 and net_h2.", value=no_hidden_act[k]))
        if k >= 2:
            mistakes.append(Mistake("out_o1 and out_o2 swapped", "Both outputs are right, "
                                    "but the wrong way round: o1 is the unit fed by w5 and "
                                    "w6, o2 the one fed by w7 and w8.", value=right[5 - k]))
        if k < 2:
            mistakes.append(Mistake("net instead of out", f"{nm} is sigmoid of the net "
                                    "input; you gave the net input itself.",
                                    value=[0.3775, 0.3925][k]))
        parts.append(check_number(ans, right[k], name=nm, rtol=TYPED_RTOL,
                                  mistakes=mistakes))
    parts.append(check_number(E_total, right[4], name="E_total", rtol=TYPED_RTOL, mistakes=[
        Mistake("averaged the two errors", "The total error adds the two outputs' "
                "errors: E_total = E_o1 + E_o2.", value=right[4] / 2),
        Mistake("forgot the 1/2", "Each output's error is 1/2 (target - out)^2.",
                value=2 * right[4]),
        Mistake("squared the difference of the sums", "Square each output's miss "
                "first, then add.", value=0.5 * float(
                    (np.sum(c["targets"]) - right[2] - right[3]) ** 2))]))
    return combine(*parts, name="the classic 2-2-2 forward pass")


@lab.exercise(6, hint="Subtract z.max() from every score before np.exp: the result is "
              "the same (softmax(z) = softmax(z - c)), and the largest exponent is then "
              "exp(0) = 1, which cannot overflow. Then divide by the sum.")
def check_softmax(softmax):
    """Exercise 6: ``softmax(z)`` for a 1-D z; right, and stable for scores of 1000."""
    rng = np.random.default_rng(601)
    cases = [rng.normal(0, 2, int(rng.integers(2, 7))) for _ in range(5)]
    name = "softmax(z)"
    fb = check_function(softmax, _softmax, cases, name=name, mistakes=[
        Mistake("not normalised", "Divide the exponentials by their sum so that the "
                "outputs add up to 1.", function=np.exp),
        Mistake("normalised without exp", "softmax exponentiates first: exp(z) / "
                "sum(exp(z)). Dividing z by its sum can give negative 'probabilities'.",
                function=lambda z: z / z.sum()),
        Mistake("shifted only the numerator", "If you subtract max(z) in the numerator, "
                "subtract it in the denominator too: e = exp(z - max(z)); e / e.sum().",
                function=lambda z: np.exp(z - z.max()) / np.exp(z).sum()),
        Mistake("max instead of sum", "Divide by the sum of the exponentials, not by the "
                "largest one.", function=lambda z: np.exp(z - z.max()))])
    if not fb.correct:
        return fb
    big = [np.array([1000.0, 999.0, 998.0]), np.array([-1000.0, 0.0, 1000.0, 999.5])]
    try:
        with np.errstate(all="ignore"):
            outs = [np.asarray(softmax(z.copy()), dtype=float) for z in big]
    except Exception as exc:
        return Feedback(ERROR, name, f"Called with z = {big[0]}, your function raised "
                        f"{type(exc).__name__}: {exc}")
    if not all(np.all(np.isfinite(o)) for o in outs):
        return Feedback(INCORRECT, name, "Right for ordinary scores, but for z = "
                        "[1000, 999, 998] it returns nan or inf: exp(1000) overflows. "
                        "Subtract max(z) from z before taking exp (Chapter 3).",
                        mistake="overflow for large scores")
    return check_function(softmax, _softmax, big, name=name)


@lab.exercise(7, hint="Two layers in a row, each a matrix product plus biases followed "
              "by the sigmoid; the second layer's input is the first layer's output. Your "
              "dense_forward and bplib's sigmoid do the pieces.")
def check_forward(forward):
    """Exercise 7: ``forward(X, W1, b1, W2, b2)`` of a sigmoid 2-layer net, batch at once."""
    rng = np.random.default_rng(701)
    cases = []
    for N, n_in, n_h, n_out in ((5, 3, 4, 2), (1, 2, 3, 1), (8, 4, 2, 3), (3, 2, 2, 2)):
        X, W1, b1 = _layer_case(rng, N, n_in, n_h)
        _, W2, b2 = _layer_case(rng, 1, n_h, n_out)
        cases.append((X, W1, b1, W2, b2))
    c = CLASSIC
    classic = (np.array([c["inputs"]]),
               np.array([[c["w1"], c["w3"]], [c["w2"], c["w4"]]]), np.full(2, c["b1"]),
               np.array([[c["w5"], c["w7"]], [c["w6"], c["w8"]]]), np.full(2, c["b2"]))
    cases.append(classic)
    name = "forward(X, W1, b1, W2, b2)"
    fb = _check_forward(forward, cases, name)
    if fb.status in (INCORRECT, ERROR):
        return uses_earlier(forward, "dense_forward", check_dense_forward, name=name,
                            exercise=4) or fb
    return fb


def _check_forward(forward, cases, name):
    return check_function(forward, _forward, cases, name=name, mistakes=[
        Mistake("no hidden activation", "Apply the sigmoid to the hidden layer too: "
                "without it the two layers collapse into one linear layer.",
                function=lambda X, W1, b1, W2, b2: _sig((X @ W1 + b1) @ W2 + b2)),
        Mistake("no output activation", "The output layer is a sigmoid layer as well: "
                "apply sigmoid to A1 @ W2 + b2.",
                function=lambda X, W1, b1, W2, b2: _sig(X @ W1 + b1) @ W2 + b2),
        Mistake("forgot the biases", "Add b1 in the hidden layer and b2 in the output "
                "layer.", function=lambda X, W1, b1, W2, b2: _sig(_sig(X @ W1) @ W2)),
        Mistake("biases swapped", "b1 belongs to the hidden layer, b2 to the output.",
                function=lambda X, W1, b1, W2, b2: _forward(X, W1, b2, W2, b1))])


def _slider_options():
    """Grid settings of ch03.neuron_demo whose switch rises through SLIDER_X0."""
    from bplib.demos.ch03 import neuron_demo

    w_s, b_s = neuron_demo().sliders
    return [(w, b) for w in w_s.values for b in b_s.values
            if w > 0 and abs(-b / w - SLIDER_X0) < 1e-9]


@lab.exercise(8, hint="The output is 0.5 where net = w x + b = 0, at x = -b/w. It rises "
              "when w > 0, and the slope there is w/4: larger w, steeper switch.")
def check_neuron_slider(w, b):
    """Exercise 8: the neuron slider setting with the steepest rising switch at x = -1."""
    options = _slider_options()
    best_w, best_b = max(options)
    w_mistakes = [Mistake("falling instead of rising", "With w < 0 the output falls as x "
                          "grows; the switch must rise.", value=-best_w)]
    w_mistakes += [Mistake("not the steepest", "It works, but the slope at the switch is "
                           "w/4, and the slider allows a larger w.", value=o[0])
                   for o in options if o[0] != best_w]
    return combine(
        check_number(w, best_w, name="w", mistakes=w_mistakes),
        check_number(b, best_b, name="b", mistakes=[
            Mistake("switch on the wrong side", f"With b = {-best_b:g} the output crosses "
                    f"0.5 at x = {-SLIDER_X0:g}; the switch sits at x = -b/w.",
                    value=-best_b)]),
        name="place a neuron's switch")


def _first_scale_above_half():
    from bplib.demos.ch03 import saturation_at, saturation_demo

    (s,) = saturation_demo().sliders
    return next(v for v in s.values if saturation_at(v)[0] > 0.5)


@lab.exercise(9, hint="Move the slider up from its start and read the percentage under "
              "the figure at each step; stop at the first one above 50%.")
def check_saturation_slider(log10_scale):
    """Exercise 9: the smallest slider value at which most sigmoid units saturate."""
    right = _first_scale_above_half()
    return check_number(log10_scale, right, name="the first log10 scale with more than "
                        "half of the units saturated", rtol=0, atol=1e-9, mistakes=[
        Mistake("the scale, not its logarithm", "The slider shows log10 of the scale; "
                f"give the slider's value ({right:g}), not 10 to that power.",
                value=10.0 ** right),
        Mistake("one step too far", "Already the step before has more than half of the "
                "units saturated: look at the percentage again.", value=right + 0.25),
        Mistake("one step too early", "At that value fewer than half of the units are "
                "saturated yet.", value=right - 0.25)])
