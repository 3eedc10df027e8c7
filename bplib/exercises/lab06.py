"""Checks for Lab 6, "Backpropagation in matrix form" (labs/lab06-matrix-backprop.ipynb).

A dense layer's gradients for a batch (Chapter 6, eqs. (ch06-dW), (ch06-db),
(ch06-dX)), a two-layer network in matrix form with the mean squared error
(ch06-mean), a gradient checker of your own (ch06-central-diff), (ch06-rel-error),
a bug found with it, a loop vectorised, sum versus mean, and a kink's false alarm
(ch06-kink). The checks name the classic mistakes: the transposed product, the missing
sum over rows, the mean-versus-sum factor, the forgotten slope.

In the lab: ``from bplib.exercises import lab06 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import numpy as np

from bplib.activations import ReLU, Tanh
from bplib.layers import Dense
from bplib.losses import MSE
from bplib.network import Sequential

from .core import (TYPED_RTOL, Lab, Mistake, _unfinished, check_array, check_function,
                   check_number, combine)
from .feedback import CORRECT, INCORRECT, NOT_ATTEMPTED, Feedback

lab = Lab("Lab 6")
hint = lab.hint

#: Exercise 1: the shapes of X and W.
SHAPES = dict(N=5, n_in=3, n_out=4)
#: Names of the five shapes asked for in exercise 1, in order.
SHAPE_NAMES = ("Z", "delta", "dE/dW", "dE/db", "dE/dX")


def _batch():
    rng = np.random.default_rng(606)
    return dict(X=rng.normal(size=(4, 3)).round(2), W=rng.normal(size=(3, 2)).round(2),
                delta=rng.normal(size=(4, 2)).round(2))


#: Exercise 2: a batch of 4 examples, a layer 3 -> 2 and its deltas.
BATCH = _batch()
#: Exercise 9: the summed error's learning rate, the batch size.
SUM_MEAN = dict(eta_sum=0.002, N=50)

_TRANSPOSED = ("the transposed product", "dE/dW = X^T delta, shape (n_in, n_out) like W. "
               "delta^T X is its transpose, (n_out, n_in).")
_NO_SUM = ("missing sum over rows", "b is added to every row (every example), so its "
           "gradient collects every row's delta: delta.sum(axis=0), shape (n_out,).")
_ONE_ROW = ("only one example's delta", "b is used by every example: add the deltas of "
            "all rows, delta.sum(axis=0), not just one row.")
_MEAN = ("mean where the error sums", "The error here is a sum over examples, so the "
         "gradient is a sum too: delta.sum(axis=0), not delta.mean(axis=0).")
_WRONG_AXIS = ("summed over the wrong axis", "Rows are examples: sum over axis 0 (the "
               "batch), leaving one number per neuron, shape (n_out,).")


# ------------------------------------------------------------ 1. shapes first
def _shape(v):
    try:
        return tuple(int(s) for s in v)
    except TypeError:
        return None


@lab.exercise(1, hint="Z = X W + b has one row per example and one column per neuron. "
              "delta = dE/dZ has the shape of Z. Every gradient has the shape of the tensor "
              "it is the gradient of: W, b, X.")
def check_shapes(shapes):
    """Exercise 1: [Z, delta, dE/dW, dE/db, dE/dX] shapes for X (N, n_in), W (n_in, n_out)."""
    name = "the five shapes"
    N, n_in, n_out = SHAPES["N"], SHAPES["n_in"], SHAPES["n_out"]
    right = [(N, n_out), (N, n_out), (n_in, n_out), (n_out,), (N, n_in)]
    if _unfinished(shapes):
        return Feedback(NOT_ATTEMPTED, name, "Replace each `...` with a shape such as "
                        "(2, 3), then run the cell again.")
    if not isinstance(shapes, (list, tuple)) or len(shapes) != 5:
        return Feedback(INCORRECT, name, "Give a list of five shapes, in the order "
                        f"{', '.join(SHAPE_NAMES)}, e.g. [(5, 4), ...].")
    special = {
        (2, (n_out, n_in)): _TRANSPOSED,
        (3, (N, n_out)): _NO_SUM,
        (3, (N,)): _WRONG_AXIS,
        (3, (1, n_out)): ("a row instead of a vector", "b has shape (n_out,), and so has "
                          "its gradient: sum over the rows without keepdims."),
        (4, (n_in, N)): ("the transposed product", "dE/dX = delta W^T has the shape of X, "
                         "(N, n_in): one row per example."),
        (2, (N, n_out)): ("the shape of delta", "dE/dW is summed over the examples and has "
                          "the shape of W, (n_in, n_out)."),
        (0, (n_out, N)): ("Z transposed", "Z = X W + b has one ROW per example and one "
                          "column per neuron: (N, n_out)."),
        (1, (n_out, N)): ("delta transposed", "delta = dE/dZ has the shape of Z, (N, n_out): "
                          "one row per example."),
        (3, (n_out, 1)): ("a column instead of a vector", "b has shape (n_out,), a vector "
                          "with one entry per neuron, and so has its gradient."),
    }
    for i, (got, want) in enumerate(zip(shapes, right)):
        g = _shape(got) if not isinstance(got, (int, np.integer)) else (int(got),)
        if g == want:
            continue
        what = SHAPE_NAMES[i]
        if (i, g) in special:
            mistake, message = special[(i, g)]
            return Feedback(INCORRECT, name, f"{what}: {message}", mistake=mistake)
        return Feedback(INCORRECT, name, f"{what}: {got!r} is not its shape. "
                        f"X is {(N, n_in)} and W is {(n_in, n_out)}.")
    return Feedback(CORRECT, name)


# ------------------------------------------------------------ 2. dW, db, dX for a batch
@lab.exercise(2, hint="Use the three products of Chapter 6: dW = X.T @ delta, "
              "db = delta.sum(axis=0), dX = delta @ W.T. Check each shape against "
              "exercise 1.")
def check_batch_gradients(dW, db, dX):
    """Exercise 2: the gradients of a dense layer for BATCH (4 examples, 3 -> 2)."""
    X, W, d = BATCH["X"], BATCH["W"], BATCH["delta"]
    N = X.shape[0]
    return combine(
        check_array(dW, X.T @ d, name="dE/dW", mistakes=[
            Mistake(*_TRANSPOSED, value=d.T @ X),
            Mistake("mean where the error sums", "The error sums over the examples: "
                    "X.T @ delta, without dividing by N.", value=X.T @ d / N),
            Mistake("one example only", "dE/dW sums over all rows of the batch: "
                    "X.T @ delta does it in one product.", value=np.outer(X[0], d[0]))]),
        check_array(db, d.sum(axis=0), name="dE/db", mistakes=[
            Mistake(*_NO_SUM, value=d), Mistake(*_ONE_ROW, value=d[0]),
            Mistake(*_MEAN, value=d.mean(axis=0)),
            Mistake(*_WRONG_AXIS, value=d.sum(axis=1))]),
        check_array(dX, d @ W.T, name="dE/dX", mistakes=[
            Mistake("the transposed product", "dE/dX = delta W^T has the shape of X, "
                    "(N, n_in); W delta^T is its transpose.", value=W @ d.T),
            Mistake("mean where the error sums", "dE/dX has no sum over examples, so no "
                    "1/N either: delta @ W.T.", value=d @ W.T / N)]),
        name="the batch gradients")


# ------------------------------------------------------------ 3. dense_backward
def _dense(X, W, delta):
    return X.T @ delta, delta.sum(axis=0), delta @ W.T


def _dense_cases(seed=603, k=5):
    rng = np.random.default_rng(seed)
    cases = []
    for n, n_in, n_out in [(4, 3, 2), (3, 2, 5), (6, 4, 4), (1, 3, 2), (5, 2, 3)][:k]:
        cases.append((rng.normal(size=(n, n_in)).round(3),
                      rng.normal(size=(n_in, n_out)).round(3),
                      rng.normal(size=(n, n_out)).round(3)))
    return cases


_DENSE_RETURNS = ("dW", "db", "dX")


@lab.exercise(3, hint="Three lines: dW = X.T @ delta, db = delta.sum(axis=0), "
              "dX = delta @ W.T. Return them as a tuple (dW, db, dX).")
def check_dense_backward(fn):
    """Exercise 3: dense_backward(X, W, delta) -> (dW, db, dX), eqs. (ch06-dW) to (ch06-dX)."""
    return check_function(fn, _dense, _dense_cases(), name="dense_backward(X, W, delta)",
                          returns=_DENSE_RETURNS, mistakes=[
        Mistake(*_TRANSPOSED, function=lambda X, W, d: (d.T @ X, d.sum(axis=0), d @ W.T)),
        Mistake(*_NO_SUM, function=lambda X, W, d: (X.T @ d, d, d @ W.T)),
        Mistake(*_ONE_ROW, function=lambda X, W, d: (X.T @ d, d[0], d @ W.T)),
        Mistake(*_MEAN, function=lambda X, W, d: (X.T @ d, d.mean(axis=0), d @ W.T)),
        Mistake(*_WRONG_AXIS, function=lambda X, W, d: (X.T @ d, d.sum(axis=1), d @ W.T)),
        Mistake("mean where the error sums", "Divide by nothing: the error sums over the "
                "batch, so dW and db are sums.",
                function=lambda X, W, d: (X.T @ d / len(X), d.mean(axis=0), d @ W.T)),
        Mistake("the transposed product", "dX = delta @ W.T: delta (N, n_out) times W^T "
                "(n_out, n_in). delta @ W only works for a square W, and is wrong there.",
                function=lambda X, W, d: (X.T @ d, d.sum(axis=0), d @ W)),
    ])


# ------------------------------------------------------------ 4. a two-layer network
def _two_layer_reference(X, W1, b1, W2, b2, Y):
    net = Sequential([Dense(W1.shape[0], W1.shape[1], W=W1, b=b1), Tanh(),
                      Dense(W2.shape[0], W2.shape[1], W=W2, b=b2)], loss=MSE())
    net.loss(X, Y)
    net.backward()
    g = net.grads
    return g["dense0.W"], g["dense0.b"], g["dense1.W"], g["dense1.b"]


def _two_layer_with(*, scale="mean", slope="A", out="sum", two=True):
    """The two-layer gradients with one thing changed (for naming mistakes)."""
    def fn(X, W1, b1, W2, b2, Y):
        Z1 = X @ W1 + b1
        A1 = np.tanh(Z1)
        Y_hat = A1 @ W2 + b2
        M = {"mean": Y.size, "sum": 1, "rows": Y.shape[0]}[scale]
        d2 = (2.0 if two else 1.0) * (Y_hat - Y) / M
        fp = {"A": 1 - A1 ** 2, "none": 1.0, "Z": 1 - Z1 ** 2}[slope]
        d1 = (d2 @ W2.T) * fp
        red = {"sum": lambda a: a.sum(axis=0), "mean": lambda a: a.mean(axis=0)}[out]
        return X.T @ d1, red(d1), A1.T @ d2, red(d2)
    return fn


def _two_layer_cases(seed=604, k=5):
    rng = np.random.default_rng(seed)
    cases = []
    for n, k_out in [(4, 2), (3, 1), (5, 3), (2, 2), (6, 1)][:k]:
        cases.append((rng.normal(size=(n, 3)).round(3), rng.normal(0, 0.7, (3, 4)).round(3),
                      rng.normal(0, 0.3, 4).round(3), rng.normal(0, 0.7, (4, k_out)).round(3),
                      rng.normal(0, 0.3, k_out).round(3), rng.normal(size=(n, k_out)).round(3)))
    return cases


@lab.exercise(4, hint="Forward: Z1 = X W1 + b1, A1 = tanh(Z1), Y_hat = A1 W2 + b2, "
              "E_mean = mean of (Y_hat - Y)^2 over all N K entries. Backward: "
              "delta2 = 2 (Y_hat - Y) / Y.size (no activation at the output); dW2 = A1.T @ "
              "delta2, db2 = delta2.sum(axis=0); delta1 = (delta2 @ W2.T) * (1 - A1**2); "
              "dW1 = X.T @ delta1, db1 = delta1.sum(axis=0).")
def check_two_layer(fn):
    """Exercise 4: two_layer_grads(X, W1, b1, W2, b2, Y) -> (dW1, db1, dW2, db2)."""
    return check_function(fn, _two_layer_reference, _two_layer_cases(),
                          name="two_layer_grads", returns=("dW1", "db1", "dW2", "db2"),
                          mistakes=[
        Mistake("the mean-versus-sum factor", "E_mean divides by all N K entries of Y, so "
                "every gradient carries 1 / Y.size; you used the sum (no division).",
                function=_two_layer_with(scale="sum")),
        Mistake("the mean-versus-sum factor", "E_mean divides by all N K entries (like "
                "bplib's MSE), not only by the N rows: divide by Y.size.",
                function=_two_layer_with(scale="rows")),
        Mistake("missing factor of 2", "d(Y_hat - Y)^2 / dY_hat = 2 (Y_hat - Y): keep the 2.",
                function=_two_layer_with(two=False)),
        Mistake("the hidden activation's slope left out", "delta1 = (delta2 @ W2.T) * "
                "(1 - A1**2): multiply by tanh's slope.", function=_two_layer_with(slope="none")),
        Mistake("tanh's slope from Z", "tanh'(Z) = 1 - tanh(Z)^2 = 1 - A1^2, with the "
                "OUTPUT A1, not 1 - Z1^2.", function=_two_layer_with(slope="Z")),
        Mistake("missing sum over rows (a mean instead)", "The biases' gradients are the "
                "column SUMS of the deltas (the 1/Y.size is already inside delta2).",
                function=_two_layer_with(out="mean")),
    ])


# ------------------------------------------------------------ 5. numerical gradient
def _f_sin(x):
    return float(np.sum(np.sin(x)) + 0.5 * np.sum(x ** 2))


def _g_sin(x):
    return np.cos(x) + x


def _f_softplus(x):
    return float(np.sum(np.log1p(np.exp(x)) * np.arange(1, x.size + 1).reshape(x.shape)))


def _g_softplus(x):
    return np.arange(1, x.size + 1).reshape(x.shape) / (1 + np.exp(-x))


def _f_layer(W):
    X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]])
    return float(np.sum(np.tanh(X @ W) ** 2))


def _g_layer(W):
    X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]])
    A = np.tanh(X @ W)
    return X.T @ (2 * A * (1 - A ** 2))


_GRADIENTS = {_f_sin: _g_sin, _f_softplus: _g_softplus, _f_layer: _g_layer}


def _numgrad_cases():
    rng = np.random.default_rng(605)
    return [(_f_sin, rng.normal(size=3)), (_f_softplus, rng.normal(size=(2, 3))),
            (_f_layer, rng.normal(size=(2, 3))), (_f_sin, np.array([0.7]))]


def _exact(f, x):
    return _GRADIENTS[f](x)


def _one_sided(f, x, h=1e-5):
    x, g = x.astype(float), np.zeros(x.shape)
    base = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        g[i] = (f(x) - base) / h
        x[i] = old
    return g


@lab.exercise(5, hint="Loop over every index i of x (np.ndindex(x.shape) gives them all, "
              "for any shape): remember x[i], set x[i] = old + h and evaluate f, set "
              "x[i] = old - h and evaluate f, put x[i] back, and store the difference "
              "divided by 2h.")
def check_numerical_gradient(fn):
    """Exercise 5: numerical_grad(f, x, h=1e-5) by central differences, eq. (ch06-central-diff)."""
    name = "numerical_grad(f, x)"
    restored = _x_restored(fn, name)
    if restored is not None:
        return restored
    return check_function(fn, _exact, _numgrad_cases(), name=name, rtol=1e-6, atol=1e-8,
                          mistakes=[
        Mistake("one-sided difference", "(f(x + h) - f(x)) / h has an error proportional "
                "to h; the central difference (f(x + h) - f(x - h)) / (2h) one proportional "
                "to h^2 (eq. ch06-central-diff).", function=_one_sided),
        Mistake("backward one-sided difference", "(f(x) - f(x - h)) / h is one-sided too "
                "(backwards), with an error proportional to h; use the central difference "
                "(f(x + h) - f(x - h)) / (2h).",
                function=lambda f, x, h=1e-5: _one_sided(f, x, -h))])


def _x_restored(fn, name):
    """Feedback if ``fn`` leaves x changed (checked first), else None."""
    if fn is Ellipsis or not callable(fn):
        return None
    x = np.array([0.3, -1.2, 2.0, 0.7, 1.1])   # where x + h - 2h + h is not x again
    before = x.copy()
    try:
        fn(_f_sin, x)
    except Exception:   # check_function reports the error, with its inputs
        return None
    if np.array_equal(x, before):
        return None
    drift = float(np.max(np.abs(x - before)))
    if drift < 1e-12:
        return Feedback(INCORRECT, name, "Your function changed x, by at most "
                        f"{drift:.1e}: adding h and subtracting it again does not undo "
                        "exactly in floating point (x + h - 2h + h is not always x). "
                        "Store old = x[i] first and assign x[i] = old back at the end.",
                        mistake="x not restored exactly")
    return Feedback(INCORRECT, name, f"Your function changed x: it was {before}, "
                    f"afterwards {x}. Put every x[i] back to its old value (store "
                    "old = x[i], assign x[i] = old after the two evaluations) or work on "
                    "a copy.", mistake="x not restored")


# ------------------------------------------------------------ 6. relative error
def _rel(a, n):
    a, n = np.asarray(a, dtype=float), np.asarray(n, dtype=float)
    d = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if d == 0 else float(np.linalg.norm(a - n) / d)


def _rel_cases():
    rng = np.random.default_rng(606)
    a = rng.normal(size=(3, 2))
    return [(a, a + 1e-3 * rng.normal(size=(3, 2))), (np.array([1.0, 2.0]), np.array([1.0, 2.5])),
            (np.array([1e-6, -2e-6]), np.array([1.1e-6, -2e-6])),
            (rng.normal(size=4), -rng.normal(size=4)), (np.zeros(3), np.zeros(3))]


@lab.exercise(6, hint="Norms of whole arrays: np.linalg.norm(a - n) / (np.linalg.norm(a) "
              "+ np.linalg.norm(n)). When both are all zeros the two gradients agree: "
              "return 0.0 instead of dividing by zero.")
def check_relative_error(fn):
    """Exercise 6: rel_error(a, n) = ||a - n|| / (||a|| + ||n||), eq. (ch06-rel-error)."""
    def absolute(a, n):
        return float(np.linalg.norm(np.asarray(a) - np.asarray(n)))

    def by_max(a, n):
        d = max(np.linalg.norm(a), np.linalg.norm(n))
        return 0.0 if d == 0 else float(np.linalg.norm(np.asarray(a) - np.asarray(n)) / d)

    def only_a(a, n):
        d = np.linalg.norm(a)
        return 0.0 if d == 0 else float(np.linalg.norm(np.asarray(a) - np.asarray(n)) / d)

    def plus_tiny(a, n):
        return float(np.linalg.norm(np.asarray(a) - np.asarray(n))
                     / (np.linalg.norm(a) + np.linalg.norm(n) + 1e-8))

    return check_function(fn, _rel, _rel_cases(), name="rel_error(a, n)", mistakes=[
        Mistake("absolute instead of relative", "Divide by the sizes of the gradients, "
                "||a|| + ||n||: an absolute difference means nothing without them.",
                function=absolute),
        Mistake("the larger norm as the denominator", "A fine measure too (CS231n divides "
                "by the larger size), but eq. (ch06-rel-error) divides by the SUM "
                "||a|| + ||n||.", function=by_max),
        Mistake("denominator ||a|| only", "Divide by ||a|| + ||n||, both gradients: with "
                "||a|| alone the measure is not symmetric and breaks when a is zero.",
                function=only_a),
        Mistake("+ 1e-8 in the denominator", "Adding 1e-8 to the denominator avoids the "
                "division by zero but distorts small gradients (1e-6 here): return 0.0 "
                "when both norms are zero instead.", function=plus_tiny)])


# ------------------------------------------------------------ 7. find the bug
class MysteryDense(Dense):
    """A dense layer with one bug in its backward pass (exercise 7). Find it with a
    gradient check before reading this class's code."""

    def backward(self, grad_out, need_input_grad=True):
        super().backward(grad_out, need_input_grad=False)
        return np.asarray(grad_out) @ self.params["W"]


def _right_input_grad(delta, W):
    return delta @ W.T


@lab.exercise(7, hint="Run check_layer(ex.MysteryDense(3, 3, seed=0), X) on a batch of a "
              "few examples and read report.table(): the verdict column says which "
              "gradient is wrong. Then compare that line of MysteryDense.backward with "
              "eqs. (ch06-dW) to (ch06-dX).")
def check_find_the_bug(wrong, fixed_input_grad):
    """Exercise 7: which gradient of MysteryDense is wrong, and the corrected formula."""
    name = "the bug in MysteryDense"
    if _unfinished(wrong):
        part = Feedback(NOT_ATTEMPTED, name, "Replace the `...` with the name of the "
                        "wrong gradient (\"X\", \"W\" or \"b\"), then run the cell again.")
    elif not isinstance(wrong, str) or wrong.strip() not in ("X", "W", "b"):
        part = Feedback(INCORRECT, name, f"{wrong!r}: give one of the report's names, "
                        "\"X\", \"W\" or \"b\", as a string.")
    elif wrong.strip() != "X":
        part = Feedback(INCORRECT, name, f"The gradient of {wrong.strip()} is right: its "
                        "row of report.table() says ok. Look for the row that says FAILED.",
                        mistake="a correct gradient named")
    else:
        part = Feedback(CORRECT, name)
    rng = np.random.default_rng(607)
    cases = [(rng.normal(size=(4, 3)).round(3), rng.normal(size=(3, 3)).round(3)),
             (rng.normal(size=(2, 2)).round(3), rng.normal(size=(2, 2)).round(3)),
             (rng.normal(size=(5, 2)).round(3), rng.normal(size=(3, 2)).round(3))]
    return combine(part, check_function(
        fixed_input_grad, _right_input_grad, cases, name="fixed_input_grad(delta, W)",
        mistakes=[Mistake("the transposed product (the bug itself)", "That is what "
                          "MysteryDense computes: delta @ W. The gradient for X needs "
                          "W transposed.", function=lambda d, W: d @ W)]), name=name)


# ------------------------------------------------------------ 8. vectorise a loop
def relu_dense_loop(X, Z, dA):
    """dE/dW and dE/db of a dense layer followed by ReLU, with loops (exercise 8).

    X (N, n_in) the layer's input, Z (N, n_out) its output before the ReLU, dA
    (N, n_out) the gradient arriving at the ReLU's output.
    """
    N, n_in = X.shape
    n_out = Z.shape[1]
    dW = np.zeros((n_in, n_out))
    db = np.zeros(n_out)
    for n in range(N):
        for j in range(n_out):
            dz = dA[n, j] if Z[n, j] > 0 else 0.0       # through the ReLU
            db[j] += dz
            for i in range(n_in):
                dW[i, j] += X[n, i] * dz
    return dW, db


def _relu_cases(seed=608):
    rng = np.random.default_rng(seed)
    out = []
    for n, n_in, n_out in [(4, 3, 2), (6, 2, 5), (3, 4, 4), (8, 3, 1)]:
        out.append((rng.normal(size=(n, n_in)).round(3), rng.normal(size=(n, n_out)).round(3),
                    rng.normal(size=(n, n_out)).round(3)))
    return out


@lab.exercise(8, hint="First the ReLU for every entry at once: dZ = dA * (Z > 0). Then "
              "the two sums of the loop are exercise 3's products: dW = X.T @ dZ and "
              "db = dZ.sum(axis=0).")
def check_vectorised(fn):
    """Exercise 8: relu_dense_grads(X, Z, dA) without Python loops, same as relu_dense_loop."""
    return check_function(fn, relu_dense_loop, _relu_cases(), name="relu_dense_grads",
                          returns=("dW", "db"), mistakes=[
        Mistake("the ReLU's mask left out", "The loop passes dA[n, j] only where "
                "Z[n, j] > 0: multiply by (Z > 0) first (eq. ch06-act).",
                function=lambda X, Z, dA: (X.T @ dA, dA.sum(axis=0))),
        Mistake("the mask taken from dA", "The ReLU's slope depends on its input Z, not on "
                "the arriving gradient: dZ = dA * (Z > 0).",
                function=lambda X, Z, dA: (X.T @ (dA * (dA > 0)), (dA * (dA > 0)).sum(axis=0))),
        Mistake("the ReLU's value, not its slope", "Multiply by the ReLU's slope, "
                "1 where Z > 0 and 0 elsewhere, (Z > 0), not by its value max(Z, 0).",
                function=lambda X, Z, dA: (X.T @ (dA * np.maximum(Z, 0)),
                                           (dA * np.maximum(Z, 0)).sum(axis=0))),
        Mistake("the mask the wrong way round", "The ReLU passes the gradient where "
                "Z > 0 (its slope is 1 there), and blocks it where Z < 0: dA * (Z > 0).",
                function=lambda X, Z, dA: (X.T @ (dA * (Z < 0)), (dA * (Z < 0)).sum(axis=0))),
        Mistake(*_WRONG_AXIS, function=lambda X, Z, dA: (X.T @ (dA * (Z > 0)),
                                                         (dA * (Z > 0)).sum(axis=1))),
        Mistake(*_NO_SUM, function=lambda X, Z, dA: (X.T @ (dA * (Z > 0)), dA * (Z > 0))),
        Mistake(*_MEAN, function=lambda X, Z, dA: (X.T @ (dA * (Z > 0)),
                                                   (dA * (Z > 0)).mean(axis=0))),
        Mistake(*_TRANSPOSED, function=lambda X, Z, dA: ((dA * (Z > 0)).T @ X,
                                                         (dA * (Z > 0)).sum(axis=0))),
    ])


# ------------------------------------------------------------ 9. sum versus mean
@lab.exercise(9, hint="A step on E_mean = E / N with learning rate eta_mean moves the "
              "weights by eta_mean / N times dE/dW (eq. ch06-mean). For the doubled batch, "
              "every term of the sum appears twice; the mean divides by twice as many.")
def check_sum_vs_mean(eta_mean, ratio_sum, ratio_mean):
    """Exercise 9: the learning rate for E_mean giving the same steps, and what doubling
    the batch does to each gradient."""
    eta, N = SUM_MEAN["eta_sum"], SUM_MEAN["N"]
    factor = ("the mean-versus-sum factor the wrong way round", "The mean's gradient is "
              "1/N of the sum's, so its learning rate must be N times larger to take the "
              "same step: eta_mean = N eta_sum.")
    return combine(
        check_number(eta_mean, eta * N, name="eta_mean", rtol=TYPED_RTOL, mistakes=[
            Mistake(*factor, value=eta / N), Mistake("the same learning rate", "With the "
                    "same eta the mean takes steps N times shorter.", value=eta)]),
        check_number(ratio_sum, 2.0, name="the sum's gradient, doubled batch / batch",
                     rtol=TYPED_RTOL, mistakes=[Mistake(
                         "the mean's ratio", "That is the mean's: the sum adds every term "
                         "twice, so its gradient doubles.", value=1.0), Mistake(
                         "the ratio upside down", "Doubled batch over batch: the sum adds "
                         "every term twice, so the doubled batch's gradient is the larger.",
                         value=0.5)]),
        check_number(ratio_mean, 1.0, name="the mean's gradient, doubled batch / batch",
                     rtol=TYPED_RTOL, mistakes=[Mistake(
                         "the sum's ratio", "That is the sum's: the mean divides twice the "
                         "sum by twice the N, so nothing changes.", value=2.0), Mistake(
                         "halved by the doubled N", "The mean divides by twice the N, but "
                         "its sum is twice as large too: the two cancel, ratio 1.",
                         value=0.5)]),
        name="sum versus mean")


# ------------------------------------------------------------ 10. the kink
def kink_case():
    """(net, X, Y) for exercise 10: a ReLU network with one hidden input near its kink."""
    rng = np.random.default_rng(610)
    net = Sequential([Dense(3, 5, seed=61), ReLU(), Dense(5, 2, seed=62)], loss=MSE())
    X, Y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    Z = X @ net.params["dense0.W"]
    net.params["dense0.b"][KINK[1]] = -3e-7 - Z[KINK]
    return net, X, Y


#: Exercise 10: (example, hidden unit) of the ReLU input placed next to the kink.
KINK = (4, 2)


def _is_flat_index(entry):
    """Whether ``entry`` is KINK as a flat index into the (6, 5) matrix Z."""
    try:
        return float(np.ravel(entry)[0]) == np.ravel_multi_index(KINK, (6, 5))
    except (TypeError, ValueError):
        return False


@lab.exercise(10, hint="The hidden inputs are Z = X @ W + b with W, b = "
              "net.params['dense0.W'], net.params['dense0.b']; find the entry closest to 0 "
              "(np.argmin(np.abs(Z)) with np.unravel_index). Then read the report's verdict "
              "column, or report.false_alarm.")
def check_kink(entry, false_alarm):
    """Exercise 10: the (row, column) of Z next to the kink, and whether the failure is a
    false alarm."""
    n, j = KINK
    if _unfinished(entry):
        part = Feedback(NOT_ATTEMPTED, "the entry of Z", "Replace the `...` with the "
                        "entry as (row, column), then run the cell again.")
    elif np.size(entry) == 1 and np.ndim(entry) <= 1 and _is_flat_index(entry):
        part = Feedback(INCORRECT, "the entry of Z (row, column)", f"{int(np.ravel(entry)[0])} is a flat "
                        "index into Z (what np.argmin returns): use np.unravel_index(i, "
                        "Z.shape) to turn it into (row, column).", mistake="flat index")
    else:
        part = check_array(entry, [n, j], name="the entry of Z (row, column)", atol=0.1,
                           mistakes=[
            Mistake("row and column swapped", "Rows of Z are examples, columns hidden "
                    "units: give (example, unit).", value=[j, n]),
            Mistake("counted from 1", "numpy counts from 0: give the indices as Z[row, "
                    "column] would use them.", value=[n + 1, j + 1])])
    if _unfinished(false_alarm):
        alarm = Feedback(NOT_ATTEMPTED, "false alarm?", "Replace the `...` with True or "
                         "False, then run the cell again.")
    elif false_alarm is True or false_alarm is np.True_:
        alarm = Feedback(CORRECT, "false alarm?")
    elif false_alarm is False or false_alarm is np.False_:
        alarm = Feedback(INCORRECT, "false alarm?", "The network is bplib's own, whose "
                         "backward passes every check away from the kink; the report's "
                         "verdict says 'false alarm (kink)': re-checked with a smaller step "
                         "that crosses no kink, every tensor passes.", mistake="a real bug "
                         "suspected")
    else:
        alarm = Feedback(INCORRECT, "false alarm?", f"{false_alarm!r}: answer True or "
                         "False.")
    return combine(part, alarm, name="the kink's false alarm")
