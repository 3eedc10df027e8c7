"""Checks for Lab 7, "Loss functions" (labs/lab07-losses.ipynb).

The quadratic cost through a sigmoid (Chapter 7, eq. (ch07-quad-grad)), the binary
cross-entropy's derivative (ch07-bce-dyhat), the softmax Jacobian (ch03-softmax-jacobian),
softmax with cross-entropy (ch07-softmax-ce-grad), a stable log-sum-exp (ch07-lse), which
loss for which task, the ln K sanity check, and Nielsen's slow neuron trained and
measured. The checks name the classic mistakes: the sigmoid's slope left out or kept, the
missing (1 - y) log(1 - y_hat) term, the gradient with respect to the wrong variable, the
missing 1/N, the overflow of exp(1000).

In the lab: ``from bplib.exercises import lab07 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import numpy as np

from bplib.activations import softmax
from bplib.demos.ch07 import epochs_below, train_neuron

from .core import (TYPED_RTOL, Lab, Mistake, _unfinished, call_learner, check_function,
                   check_number, combine)
from .feedback import CORRECT, INCORRECT, NOT_ATTEMPTED, Feedback

lab = Lab("Lab 7")
hint = lab.hint


def _sig(z):
    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))


# ------------------------------------------------------------ 1. quadratic cost
def _quad_grad(z, y):
    s = _sig(z)
    return (s - y) * s * (1 - s)


def _z_y_cases(seed):
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 3, size=5).round(3), rng.integers(0, 2, size=5).astype(float)),
            (np.array([4.0, -4.0, 0.5]), np.array([0.0, 1.0, 0.3])),
            (rng.normal(0, 2, size=(2, 3)).round(3), rng.uniform(0, 1, size=(2, 3)).round(2)),
            (1.5, 0.0)]


_NO_SLOPE = ("the sigmoid's slope left out", "sigma(z) - y is the cross-entropy's gradient. "
             "The quadratic cost's gradient through a sigmoid carries sigma'(z) = sigma(z) "
             "(1 - sigma(z)) as well: (sigma(z) - y) sigma'(z).")


@lab.exercise(1, hint="Chain rule: dE/dz = dE/dy_hat * dy_hat/dz with y_hat = sigmoid(z), "
              "dE/dy_hat = y_hat - y and dy_hat/dz = y_hat (1 - y_hat).")
def check_quad_grad(fn):
    """Exercise 1: quad_grad(z, y) = dE/dz for E = (sigmoid(z) - y)^2 / 2, eq. (ch07-quad-grad)."""
    return check_function(fn, _quad_grad, _z_y_cases(701), name="quad_grad(z, y)", mistakes=[
        Mistake(*_NO_SLOPE, function=lambda z, y: _sig(z) - y),
        Mistake("the slope from z", "sigma'(z) = sigma(z) (1 - sigma(z)), computed from the "
                "OUTPUT sigma(z), not z (1 - z).",
                function=lambda z, y: (_sig(z) - y) * np.asarray(z) * (1 - np.asarray(z))),
        Mistake("z where the output belongs", "The error is y_hat - y with y_hat = "
                "sigmoid(z), not z - y.",
                function=lambda z, y: (np.asarray(z) - y) * _sig(z) * (1 - _sig(z)))])


# ------------------------------------------------------------ 2. binary cross-entropy
def _bce_grad(y_hat, y):
    return -y / y_hat + (1 - y) / (1 - y_hat)


def _bce_cases():
    rng = np.random.default_rng(702)
    return [(rng.uniform(0.05, 0.95, size=5).round(3), np.array([0.0, 1.0, 0.0, 1.0, 0.0])),
            (np.array([0.9, 0.2, 0.5]), np.array([0.0, 0.0, 0.3])),
            (rng.uniform(0.1, 0.9, size=(2, 2)).round(3), np.array([[1.0, 0.0], [0.7, 0.0]])),
            (0.25, 0.0)]


_MISSING_TERM = ("missing (1 - y) log(1 - y_hat) term", "The binary cross-entropy has TWO "
                 "terms, -[y log y_hat + (1 - y) log(1 - y_hat)]. Without the second, an "
                 "example with target 0 has gradient 0 and teaches nothing. Add the "
                 "derivative of -(1 - y) log(1 - y_hat), which is (1 - y) / (1 - y_hat).")


@lab.exercise(2, hint="Differentiate each term: d/dy_hat of -y log(y_hat) is -y / y_hat, and "
              "d/dy_hat of -(1 - y) log(1 - y_hat) is +(1 - y) / (1 - y_hat) (the inner "
              "derivative of 1 - y_hat is -1).")
def check_bce_grad(fn):
    """Exercise 2: bce_grad(y_hat, y) = dE/dy_hat of the binary cross-entropy, eq. (ch07-bce-dyhat)."""
    return check_function(fn, _bce_grad, _bce_cases(), name="bce_grad(y_hat, y)", mistakes=[
        Mistake(*_MISSING_TERM, function=lambda y_hat, y: -y / y_hat),
        Mistake("the gradient with respect to z", "y_hat - y is dE/dz, AFTER the sigmoid's "
                "slope has cancelled. Asked for here is dE/dy_hat, before the sigmoid: "
                "-y / y_hat + (1 - y) / (1 - y_hat).", function=lambda y_hat, y: y_hat - y),
        Mistake("the second term's sign", "d/dy_hat of log(1 - y_hat) is -1 / (1 - y_hat) "
                "(the inner derivative is -1), so -(1 - y) log(1 - y_hat) gives "
                "+(1 - y) / (1 - y_hat).",
                function=lambda y_hat, y: -y / y_hat - (1 - y) / (1 - y_hat)),
        Mistake("the second term left as y", "The second term has (1 - y) on top: "
                "(1 - y) / (1 - y_hat), not y / (1 - y_hat).",
                function=lambda y_hat, y: -y / y_hat + y / (1 - y_hat))])


# ------------------------------------------------------------ 3. softmax Jacobian
def _jacobian(z):
    s = softmax(np.asarray(z, dtype=float))
    return np.diag(s) - np.outer(s, s)


def _jacobian_cases():
    rng = np.random.default_rng(703)
    return [rng.normal(size=3).round(3), np.array([2.0, 1.0, 0.1]), np.array([0.0, 0.0, 0.0]),
            rng.normal(0, 2, size=3).round(3)]


@lab.exercise(3, hint="With s = softmax(z): J[i, j] = s_i (1 - s_i) on the diagonal and "
              "-s_i s_j off it. In numpy: np.diag(s) - np.outer(s, s).")
def check_softmax_jacobian(fn):
    """Exercise 3: softmax_jacobian(z) for 3 classes, J = diag(s) - s s^T, eq. (ch03-softmax-jacobian)."""
    def diagonal_only(z):
        s = softmax(np.asarray(z, dtype=float))
        return np.diag(s * (1 - s))

    return check_function(fn, _jacobian, _jacobian_cases(), name="softmax_jacobian(z)",
                          mistakes=[
        Mistake("the diagonal only", "Each output depends on EVERY logit through the sum in "
                "the denominator, so the off-diagonal entries are -s_i s_j, not 0. Treating "
                "softmax like K separate sigmoids loses them.", function=diagonal_only),
        Mistake("diag(s) left out", "On the diagonal the quotient rule gives s_i - s_i^2: "
                "J = diag(s) - s s^T, not just -s s^T.",
                function=lambda z: -np.outer(softmax(np.asarray(z, float)),
                                             softmax(np.asarray(z, float)))),
        Mistake("softmax of z taken as z", "Compute s = softmax(z) first; the Jacobian is "
                "built from the probabilities, not the logits.",
                function=lambda z: np.diag(np.asarray(z, float))
                - np.outer(np.asarray(z, float), np.asarray(z, float)))])


# ------------------------------------------------------------ 4. softmax + cross-entropy
def _sce_grad(Z, labels):
    Z = np.asarray(Z, dtype=float)
    N, K = Z.shape
    return (softmax(Z) - np.eye(K)[labels]) / N


def _sce_cases():
    rng = np.random.default_rng(704)
    cases = []
    for N, K in [(4, 3), (2, 5), (6, 4), (3, 3)]:
        cases.append((rng.normal(0, 2, size=(N, K)).round(3), rng.integers(0, K, size=N)))
    return cases


@lab.exercise(4, hint="The fused gradient is (Y_hat - Y) / N: Y_hat = softmax of each row, "
              "Y the one-hot rows (np.eye(K)[labels]), N the number of rows (the loss is "
              "the mean over the batch).")
def check_softmax_ce_grad(fn):
    """Exercise 4: softmax_ce_grad(Z, labels) = (softmax(Z) - Y) / N, eq. (ch07-softmax-ce-grad)."""
    def no_onehot(Z, labels):
        return softmax(np.asarray(Z, float)) / len(Z)

    def dyhat(Z, labels):
        Z = np.asarray(Z, float)
        return -np.eye(Z.shape[1])[labels] / softmax(Z) / len(Z)

    def by_nk(Z, labels):
        return _sce_grad(Z, labels) * len(Z) / np.asarray(Z).size

    def softmax_over(axis):
        def fn(Z, labels):
            Z = np.asarray(Z, float)
            e = np.exp(Z - Z.max())
            return (e / e.sum(axis=axis, keepdims=axis is not None)
                    - np.eye(Z.shape[1])[labels]) / len(Z)
        return fn

    return check_function(fn, _sce_grad, _sce_cases(), name="softmax_ce_grad(Z, labels)",
                          mistakes=[
        Mistake("the batch mean's 1/N left out", "The loss is the MEAN over the N examples, "
                "so every row of the gradient is divided by N: (Y_hat - Y) / N.",
                function=lambda Z, labels: _sce_grad(Z, labels) * len(Z)),
        Mistake("the one-hot targets not subtracted", "The gradient is Y_hat - Y: subtract "
                "1 at each example's right class (np.eye(K)[labels]).", function=no_onehot),
        Mistake("the gradient with respect to y_hat", "-y / y_hat is dE/dy_hat, before "
                "softmax. Through softmax's Jacobian it collapses to y_hat - y, the gradient "
                "with respect to the logits Z that is asked for.", function=dyhat),
        Mistake("divided by N K", "The mean is over the N examples (rows), not over all "
                "N K entries: divide by N.", function=by_nk),
        Mistake("softmax down the columns", "Each ROW is one example: softmax normalises "
                "the K logits of a row (sum over axis=1), not one class over the batch.",
                function=softmax_over(0)),
        Mistake("softmax over the whole batch", "Each row is its own distribution: divide "
                "by the sum of its row (axis=1, keepdims=True), not by the sum of all "
                "entries.", function=softmax_over(None))])


# ------------------------------------------------------------ 5. log-sum-exp
def _lse(z):
    z = np.asarray(z, dtype=float)
    m = z.max()
    return float(m + np.log(np.exp(z - m).sum()))


_LSE_CASES = [np.array([1000.0, 999.0, 0.0]), np.array([-1000.0, -1000.5, -1001.0]),
              np.array([1000.0, -1000.0]), np.array([0.5, -1.2, 2.0, 0.0]),
              np.array([3.0]), np.array([2.0, 2.0, 2.0])]


@lab.exercise(5, hint="Subtract the largest logit m = z.max() before exponentiating, and add "
              "it back outside the log: m + log(sum(exp(z - m))), eq. (ch07-lse).")
def check_logsumexp(fn):
    """Exercise 5: logsumexp(z) = log(sum(exp(z))) without overflow, eq. (ch07-lse)."""
    name = "logsumexp(z)"
    if fn is not Ellipsis and callable(fn):
        for z, what in ((_LSE_CASES[0], "overflow"), (_LSE_CASES[1], "underflow")):
            got, failed = call_learner(fn, (z.copy(),), {}, name, f"z = {z}")
            if failed is not None:
                return failed
            if got is Ellipsis:
                break
            try:
                value = float(np.asarray(got, dtype=float))
            except (TypeError, ValueError):
                break                  # check_function below says what came back
            if not np.isfinite(value):
                if what == "overflow":
                    return Feedback(INCORRECT, name, f"Called with z = {z}, your function "
                                    f"returned {value}: exp(1000) is larger than the largest "
                                    "float (about 1.8e308) and became inf. Subtract the "
                                    "largest logit first.", mistake="overflow in exp")
                return Feedback(INCORRECT, name, f"Called with z = {z}, your function "
                                f"returned {value}: exp(-1000) underflows to 0, and log(0) "
                                "is -inf. Subtract the largest logit first, so that one "
                                "term of the sum is exp(0) = 1.", mistake="underflow to log(0)")
    return check_function(fn, _lse, [(z,) for z in _LSE_CASES], name=name, mistakes=[
        Mistake("the max not added back", "log(sum(exp(z - m))) is the log-sum-exp of the "
                "SHIFTED logits; add m back: m + log(sum(exp(z - m))).",
                function=lambda z: float(np.log(np.exp(z - z.max()).sum()))),
        Mistake("the max alone", "max(z) is only an approximation: add "
                "log(sum(exp(z - m))), which is between 0 and log K.",
                function=lambda z: float(np.max(z))),
        Mistake("the mean subtracted", "Subtract the MAXIMUM: with the mean some exponent "
                "can still be large or very negative.",
                function=lambda z: float(z.mean() + np.log(np.exp(z - z.mean()).sum())))])


# ------------------------------------------------------------ 6. which loss
#: Exercise 6: the tasks, in order.
TASKS = ("tomorrow's temperature in degrees",
         "is this email spam or not",
         "which of the 10 digits an image shows",
         "which of 20 tags apply to a photo (any number of them)",
         "the price of a house")
#: Exercise 6: the choices.
CHOICES = {"A": "identity output, mean squared error (MSE)",
           "B": "one logit, sigmoid and binary cross-entropy (BinaryCrossEntropyWithLogits)",
           "C": "K logits, softmax and cross-entropy (SoftmaxCrossEntropy)",
           "D": "K logits, a sigmoid and binary cross-entropy on each "
                "(BinaryCrossEntropyWithLogits)"}
_RIGHT_CHOICES = ("A", "B", "C", "D", "A")
_WHY = {
    (0, "B"): ("a classification loss for a number", "A temperature is a real number, not a "
               "probability: binary cross-entropy needs targets in [0, 1]. Regression: "
               "identity output and squared error (A)."),
    (4, "B"): ("a classification loss for a number", "A price is a real number, not a "
               "probability. Regression: identity output and squared error (A)."),
    (1, "A"): ("squared error for a class", "Squared error through a sigmoid learns "
               "slowest when the output is confidently wrong (the sigmoid's slope stays in "
               "the gradient). A yes/no answer: one logit and binary cross-entropy (B)."),
    (1, "C"): ("two logits where one will do", "Softmax over two logits is a sigmoid of "
               "their difference, so C would work, but it needs two outputs for one "
               "probability. The standard for yes/no is one logit and B."),
    (2, "D"): ("independent sigmoids for exclusive classes", "An image shows exactly one "
               "digit: the 10 probabilities must sum to 1, which softmax guarantees and 10 "
               "separate sigmoids do not. Use C."),
    (2, "B"): ("a binary loss for 10 classes", "One logit can only answer a yes/no "
               "question. One of 10 classes: 10 logits, softmax and cross-entropy (C)."),
    (3, "C"): ("softmax for multi-label", "Softmax makes the tags compete: its "
               "probabilities sum to 1, so two tags cannot both be near 1. Each tag is its "
               "own yes/no question: a sigmoid and binary cross-entropy per tag (D)."),
}


@lab.exercise(6, hint="Ask two questions. Is the target a number (regression) or a class? "
              "If a class: do the classes exclude each other (one of K: softmax), or can "
              "several be true at once (any of K: a sigmoid per label)?")
def check_which_loss(answers):
    """Exercise 6: a letter from CHOICES for each of the TASKS, in order."""
    name = "which loss for which task"
    if _unfinished(answers):
        return Feedback(NOT_ATTEMPTED, name, "Replace each `...` with a letter \"A\" to "
                        "\"D\", then run the cell again.")
    if not isinstance(answers, (list, tuple)) or len(answers) != len(TASKS):
        return Feedback(INCORRECT, name, f"Give a list of {len(TASKS)} letters, one per "
                        "task, in the order of ex.TASKS, e.g. [\"A\", \"B\", ...].")
    for i, (got, want) in enumerate(zip(answers, _RIGHT_CHOICES)):
        letter = got.strip().upper() if isinstance(got, str) else None
        if letter not in CHOICES:
            return Feedback(INCORRECT, name, f"Task {i + 1}: {got!r} is not one of the "
                            "letters \"A\", \"B\", \"C\", \"D\".")
        if letter == want:
            continue
        if (i, letter) in _WHY:
            mistake, message = _WHY[(i, letter)]
            return Feedback(INCORRECT, name, f"Task {i + 1} ({TASKS[i]}): {message}",
                            mistake=mistake)
        return Feedback(INCORRECT, name, f"Task {i + 1} ({TASKS[i]}): {letter} is not the "
                        "usual choice. Is the target a number, one class of several, or "
                        "any number of labels?")
    return Feedback(CORRECT, name)


# ------------------------------------------------------------ 7. ln K
@lab.exercise(7, hint="Untrained, with small output weights, every class gets about the same "
              "probability, 1/K. The cross-entropy of one example is -ln(probability of "
              "its class). A binary classifier with logit 0 outputs sigmoid(0) = 1/2.")
def check_initial_loss(loss_10_classes, loss_binary):
    """Exercise 7: the first loss of an untrained classifier, ln 10 and ln 2."""
    def part(answer, K, label):
        return check_number(answer, np.log(K), name=label, rtol=TYPED_RTOL, mistakes=[
            Mistake("the probability, not the loss", f"1/{K} is the probability each class "
                    f"gets; the loss is -ln(1/{K}) = ln {K}.", value=1 / K),
            Mistake("log base 10", "Cross-entropy uses the natural logarithm, ln (np.log), "
                    "not log10.", value=np.log10(K)),
            Mistake("log base 2", "That is log2, the entropy in bits. Cross-entropy as a "
                    "loss uses the natural logarithm, ln (np.log).", value=np.log2(K)),
            Mistake("the two answers swapped", f"That is the answer for "
                    f"{12 - K} classes: ln 10 for ten classes, ln 2 for the binary "
                    "classifier.", value=np.log(12 - K)),
            Mistake("the squared error", f"That is the squared error of a uniform "
                    f"prediction, not the cross-entropy -ln(1/{K}).",
                    value=(1 - 1 / K) ** 2 + (K - 1) / K ** 2)])

    return combine(part(loss_10_classes, 10, "the first loss with 10 classes"),
                   part(loss_binary, 2, "the first loss of a binary classifier"),
                   name="the initial-loss sanity check")


# ------------------------------------------------------------ 8. Nielsen's neuron
def _outputs(w, b, eta, epochs, cost):
    return train_neuron(w, b, cost, eta, epochs)["output"]


def _outputs_with(*, slope, update_b=True, keep_start=True, sign=1.0):
    def fn(w, b, eta, epochs, cost):
        outs = []
        for step in range(epochs + 1):
            a = float(_sig(w + b))
            outs.append(a)
            if step == epochs:
                break
            with_slope = {"always": True, "never": False, "right": cost == "quadratic",
                          "swapped": cost != "quadratic"}[slope]
            delta = sign * (a * a * (1 - a) if with_slope else a)
            w, b = w - eta * delta, (b - eta * delta) if update_b else b
        return outs if keep_start else outs[1:] + [float(_sig(w + b))]
    return fn


def _neuron_cases():
    return [(2.0, 2.0, 0.15, 40, "quadratic"), (2.0, 2.0, 0.15, 40, "cross_entropy"),
            (0.6, 0.9, 0.3, 25, "quadratic"), (-1.0, 3.0, 0.05, 30, "cross_entropy"),
            (1.0, 0.5, 0.15, 0, "quadratic")]


@lab.exercise(8, hint="Loop epochs + 1 times: z = w * 1 + b, a = sigmoid(z), append a; then "
              "(except after the last) delta = (a - 0) * a * (1 - a) for the quadratic cost "
              "or a - 0 for the cross-entropy, w -= eta * 1 * delta, b -= eta * delta.")
def check_train_neuron(fn):
    """Exercise 8: outputs of Nielsen's neuron (x = 1, y = 0) under either cost, eqs.
    (ch07-quad-grad) and (ch07-ce-grad)."""
    return check_function(fn, _outputs, _neuron_cases(),
                          name="neuron_outputs(w, b, eta, epochs, cost)", mistakes=[
        Mistake("the sigmoid's slope kept in the cross-entropy", "For the cross-entropy "
                "sigma' cancels: delta = a - y, not (a - y) a (1 - a).",
                function=_outputs_with(slope="always")),
        Mistake(*_NO_SLOPE, function=_outputs_with(slope="never")),
        Mistake("the bias not updated", "Both w and b learn: b -= eta * delta too.",
                function=_outputs_with(slope="right", update_b=False)),
        Mistake("the starting output left out", "Record the output before the first step as "
                "well: epochs + 1 outputs, the first one sigmoid(w + b) at the start.",
                function=_outputs_with(slope="right", keep_start=False)),
        Mistake("gradient ascent", "The output moves away from the target 0: a gradient "
                "step subtracts, w -= eta * x * delta and b -= eta * delta.",
                function=_outputs_with(slope="right", sign=-1.0)),
        Mistake("the two costs swapped", "The quadratic cost's delta carries the sigmoid's "
                "slope, (a - y) a (1 - a); the cross-entropy's is a - y alone.",
                function=_outputs_with(slope="swapped"))])


# ------------------------------------------------------------ 9. the slowdown measured
def _epochs(cost):
    return epochs_below(train_neuron(2.0, 2.0, cost, 0.15, 300)["output"])


@lab.exercise(9, hint="Use your neuron_outputs from exercise 8 from w = b = 2 with eta = 0.15 "
              "and 300 epochs, and find the first index whose output is below 0.5: "
              "np.argmax(np.array(outputs) < 0.5), the starting output being index 0.")
def check_slowdown(epochs_quadratic, epochs_cross_entropy):
    """Exercise 9: epochs until the output is below 0.5 from w = b = 2, both costs."""
    def part(answer, cost, label):
        right = _epochs(cost)
        other = _epochs("cross_entropy" if cost == "quadratic" else "quadratic")
        first_start = epochs_below(train_neuron(0.6, 0.9, cost, 0.15, 300)["output"])
        return check_number(answer, right, name=label, rtol=0, atol=0.01, mistakes=[
            Mistake("the two answers swapped", "That is the number of epochs of the OTHER "
                    "cost: the quadratic cost is the slow one from w = b = 2.", value=other),
            Mistake("the other start", "That is the count from Nielsen's first start, "
                    "w = 0.6, b = 0.9. This exercise starts at w = b = 2 (output 0.98).",
                    value=first_start),
            Mistake("off by one", "Count the starting output as epoch 0: the answer is the "
                    "INDEX of the first output below 0.5 in the list of epochs + 1 outputs.",
                    value=right + 1),
            Mistake("off by one", "Count the starting output as epoch 0: the answer is the "
                    "INDEX of the first output below 0.5 in the list of epochs + 1 outputs.",
                    value=right - 1)])

    return combine(part(epochs_quadratic, "quadratic", "epochs with the quadratic cost"),
                   part(epochs_cross_entropy, "cross_entropy",
                        "epochs with the cross-entropy"),
                   name="the slowdown measured")
