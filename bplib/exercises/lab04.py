"""Checks for Lab 4, "The chain rule and computational graphs" (labs/lab04-chain-rule.ipynb).

The chain rule for compositions (Chapter 4, eq. (ch04-chain)) and graphs (eq.
(ch04-chain-paths)), the local rules add distributes / multiply swaps / max routes,
the sigmoid neuron's delta = (y_hat - t) y_hat (1 - y_hat) (eq. (ch04-delta)), a new
operation for bplib.engine, and what finite differences cost (eq. (ch04-cost)). The
output of a unit is y_hat (``y_hat`` in code) and its target t, as in Chapter 4.

In the lab: ``from bplib.exercises import lab04 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import math

import numpy as np

from bplib.engine import Value

from .core import (TYPED_RTOL, Lab, Mistake, check_array, check_function, check_number,
                   combine)
from .feedback import INCORRECT, Feedback

lab = Lab("Lab 4")
hint = lab.hint

#: Exercise 1: E(w) = 1/2 (tanh(w x) - t)^2 at these numbers.
CHAIN = dict(w=0.7, x=1.5, t=0.5)
#: Exercise 2: u = p q, v = p + q, f = u v at these numbers.
PATHS = dict(p=1.5, q=-2.0)
#: Exercise 3: a gradient G arrives at a + b, a * b and max(a, b).
LOCAL = dict(a=3.0, b=-2.0, g=0.5)
#: Exercise 4: a sigmoid neuron with three inputs and the half squared error.
NEURON = dict(x=np.array([0.5, -1.0, 2.0]), w=np.array([0.2, 0.4, -0.1]), b=0.3, t=0.0)
#: Exercise 7: layer sizes of the network whose gradient is counted.
SIZES = (10, 20, 20, 1)
#: Exercise 8: the chapter's neuron slider (x = 1.5, b = 0.1, t = 0.8).
SLIDER = dict(x=1.5, b=0.1, t=0.8, step=0.25, read_at=-3.0)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ------------------------------------------------------------ 1. a composition
@lab.exercise(1, hint="Do the forward pass first (z, then y_hat, then E) and keep the "
              "numbers. Then write down the three local derivatives, one per step, each "
              "evaluated at those numbers, and multiply them.")
def check_chain(dE_dw):
    """Exercise 1: dE/dw for E = 1/2 (tanh(w x) - t)^2."""
    w, x, t = CHAIN["w"], CHAIN["x"], CHAIN["t"]
    y = math.tanh(w * x)
    return check_number(dE_dw, (y - t) * (1 - y * y) * x, name="dE/dw", rtol=TYPED_RTOL,
                        mistakes=[
        Mistake("forgot the activation's derivative", "You multiplied (y_hat - t) by x but "
                "left out dy_hat/dz = 1 - tanh(z)^2: every step of the chain contributes a "
                "factor.", value=(y - t) * x),
        Mistake("forgot the inner derivative", "The last factor, dz/dw = x, is missing: "
                "z = w x changes x times as fast as w.", value=(y - t) * (1 - y * y)),
        Mistake("derivative of tanh as 1 - tanh", "The derivative of tanh(z) is "
                "1 - tanh(z)^2, not 1 - tanh(z).", value=(y - t) * (1 - y) * x),
        Mistake("used the sigmoid's derivative", "That is y_hat (1 - y_hat), the "
                "sigmoid's rule; for tanh it is 1 - y_hat^2.", value=(y - t) * y * (1 - y) * x),
    ])


# ------------------------------------------------------------ 2. sum over paths
@lab.exercise(2, hint="p reaches f along two paths, one through u and one through v. "
              "Along each path multiply the two local derivatives (f by the middle value, "
              "the middle value by p); then add the two paths. Compute u and v first.")
def check_paths(df_dp, df_dq):
    """Exercise 2: f = (p q)(p + q); both partial derivatives, summed over paths."""
    p, q = PATHS["p"], PATHS["q"]
    u, v = p * q, p + q
    dp, dq = v * q + u, v * p + u
    swapped = ("swapped df/dp and df/dq", "Both numbers are right, but the wrong way "
               "round: df/dp follows the paths that start at p.")

    def sign(right):
        return Mistake("wrong sign", "Your answer has the right size but the opposite "
                       "sign. Check the sign of each product: q is negative, so every "
                       "factor q, and u = p q, is negative too.", value=-right)

    return combine(
        check_number(df_dp, dp, name="df/dp", rtol=TYPED_RTOL, mistakes=[
            Mistake("only the path through u", "You followed p -> u -> f only; p also "
                    "reaches f through v = p + q. Add that path.", value=v * q),
            Mistake("only the path through v", "You followed p -> v -> f only; p also "
                    "reaches f through u = p q. Add that path.", value=u),
            Mistake(*swapped, value=dq), sign(dp)]),
        check_number(df_dq, dq, name="df/dq", rtol=TYPED_RTOL, mistakes=[
            Mistake("only the path through u", "You followed q -> u -> f only; q also "
                    "reaches f through v = p + q. Add that path.", value=v * p),
            Mistake("only the path through v", "You followed q -> v -> f only; q also "
                    "reaches f through u = p q. Add that path.", value=u),
            Mistake(*swapped, value=dp), sign(dq)]),
        name="the sum over paths")


# ------------------------------------------------------------ 3. local gradients
@lab.exercise(3, hint="Ask, for each operation, how its result changes when a alone "
              "moves by a little (then b alone): that rate is the local derivative. Then "
              "multiply it by the g that arrives from above.")
def check_local(add_grads, mul_grads, max_grads):
    """Exercise 3: (a.grad, b.grad) for a + b, a * b and max(a, b) when g arrives."""
    a, b, g = LOCAL["a"], LOCAL["b"], LOCAL["g"]
    return combine(
        check_array(add_grads, [g, g], name="a + b", rtol=TYPED_RTOL, mistakes=[
            Mistake("add split the gradient", "Addition does not split g between its "
                    "inputs: d(a + b)/da = 1, so each input receives all of g.",
                    value=[g / 2, g / 2]),
            Mistake("forgot the arriving gradient", "Multiply the local derivative by the "
                    "gradient g that arrives from above.", value=[1.0, 1.0])]),
        check_array(mul_grads, [g * b, g * a], name="a * b", rtol=TYPED_RTOL, mistakes=[
            Mistake("multiply did not swap", "d(ab)/da = b: the gradient of a is scaled by "
                    "the OTHER input, so a gets g * b and b gets g * a.",
                    value=[g * a, g * b]),
            Mistake("forgot the arriving gradient", "Multiply the swapped inputs by the "
                    "gradient g that arrives from above.", value=[b, a])]),
        check_array(max_grads, [g if a > b else 0.0, g if b > a else 0.0],
                    name="max(a, b)", rtol=TYPED_RTOL, mistakes=[
            Mistake("routed to the smaller input", "max passes the gradient to the input "
                    "that won, the larger one.", value=[0.0 if a > b else g,
                                                        0.0 if b > a else g]),
            Mistake("max treated like add", "Only the larger input affects max(a, b), so "
                    "only it receives g; the other gets 0.", value=[g, g]),
            Mistake("forgot the arriving gradient", "The local derivatives 1 (for the "
                    "larger input) and 0 are right; multiply them by the gradient g that "
                    "arrives from above.", value=[1.0 if a > b else 0.0,
                                                  1.0 if b > a else 0.0]),
            Mistake("max split the gradient", "max does not share g between its inputs: "
                    "only the larger input affects max(a, b), so it receives all of g and "
                    "the other 0.", value=[g / 2, g / 2])]),
        name="local gradients")


# ------------------------------------------------------------ 4. a sigmoid neuron
def _neuron(w, b, x, t):
    y = float(_sigmoid(np.dot(w, x) + b))
    delta = (y - t) * y * (1 - y)
    return y, delta


@lab.exercise(4, hint="Forward first: z, then y_hat, keeping the numbers. delta is "
              "dE/dz: the chain rule through the error and then through the sigmoid (whose "
              "local derivative needs only y_hat). Then the patterns: the addition "
              "distributes delta, each product swaps.")
def check_neuron_by_hand(delta, grad_w, grad_b):
    """Exercise 4: delta, dE/dw (3,) and dE/db for the lab's neuron."""
    x, w, b, t = NEURON["x"], NEURON["w"], NEURON["b"], NEURON["t"]
    y, d = _neuron(w, b, x, t)
    return combine(
        check_number(delta, d, name="delta", rtol=TYPED_RTOL, mistakes=[
            Mistake("forgot the sigmoid's derivative", "delta = dE/dz, not dE/dy_hat: multiply "
                    "(y_hat - t) by dy_hat/dz = y_hat (1 - y_hat).", value=y - t),
            Mistake("sigmoid derivative of z", "The factor is y_hat (1 - y_hat) with "
                    "y_hat = sigmoid(z), not z (1 - z).", value=(y - t) * (np.dot(w, x) + b)
                    * (1 - np.dot(w, x) - b))]),
        check_array(grad_w, d * x, name="dE/dw", rtol=TYPED_RTOL, mistakes=[
            Mistake("gradient with respect to the wrong variable", "delta * w is dE/dx, "
                    "the gradient for the inputs. For the weights, multiply swaps: "
                    "dE/dw_i = delta * x_i.", value=d * w),
            Mistake("forgot the sigmoid's derivative", "Use delta = (y_hat - t) y_hat "
                    "(1 - y_hat), not (y_hat - t).", value=(y - t) * x)]),
        check_number(grad_b, d, name="dE/db", rtol=TYPED_RTOL, mistakes=[
            Mistake("treated the bias like an input of 1 times b", "b enters z by an "
                    "addition, which distributes: dE/db = delta.", value=d * b)]),
        name="the neuron by hand")


def _neuron_grads(w, b, x, t):
    _, d = _neuron(w, b, x, t)
    return d * np.asarray(x, dtype=float), d


def _neuron_cases(seed=404, k=6):
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(k):
        n = int(rng.integers(2, 6))
        cases.append((rng.normal(0, 1, n).round(3), round(float(rng.normal()), 3),
                      rng.normal(0, 1.5, n).round(3), round(float(rng.uniform(0, 1)), 3)))
    return cases


@lab.exercise(5, hint="Do what you did by hand in exercise 4, but inside the function "
              "and from its arguments only (np.dot gives the weighted sum). Return the two "
              "gradients as a pair: the weights' (an array) first, then the bias's.")
def check_neuron_function(fn):
    """Exercise 5: neuron_grads(w, b, x, t) -> (dE/dw, dE/db) for any neuron."""
    cases = _neuron_cases()
    if callable(fn):
        try:
            outs = [fn(*c) for c in cases]
        except Exception:  # check_function reports it
            outs = None
        if outs and all(o is not Ellipsis for o in outs) and all(
                _same_pair(o, outs[0]) for o in outs[1:]):
            return Feedback(INCORRECT, "neuron_grads", "Your function returns the same "
                            "result whatever its inputs. It must compute the gradients "
                            "from w, b, x and t, not return numbers worked out by hand.",
                            mistake="hard-coded answer")
    try:
        return _check_neuron_function(fn, cases)
    except ValueError:  # a wrong pair the generic report cannot print
        args = cases[0]
        return Feedback(INCORRECT, "neuron_grads", f"Called with w = {args[0]}, b = "
                        f"{args[1]}, x = {args[2]}, t = {args[3]}, your function returned "
                        f"{_fmt_pair(fn(*args))}, but the right result is "
                        f"{_fmt_pair(_neuron_grads(*args))}.")


def _fmt_pair(pair):
    try:
        gw, gb = pair
        return f"({np.array2string(np.asarray(gw, dtype=float), precision=4)}, {float(gb):.4g})"
    except (TypeError, ValueError):
        return repr(pair)


def _same_pair(a, b):
    """True when a and b are the same pair; False for anything that is not a pair (a dict,
    a number, ...): check_function then says that a pair (dE/dw, dE/db) is expected."""
    try:
        return (len(a) == len(b) == 2 and np.shape(a[0]) == np.shape(b[0])
                and np.allclose(a[0], b[0]) and np.allclose(a[1], b[1]))
    except (TypeError, ValueError, KeyError, IndexError):
        return False


def _check_neuron_function(fn, cases):
    def wrong_variable(w, b, x, t):
        _, d = _neuron(w, b, x, t)
        return d * np.asarray(w, dtype=float), d

    def no_sigmoid_prime(w, b, x, t):
        y, _ = _neuron(w, b, x, t)
        return (y - t) * np.asarray(x, dtype=float), y - t

    def wrong_sign(w, b, x, t):
        gw, gb = _neuron_grads(w, b, x, t)
        return -gw, -gb

    def swapped(w, b, x, t):
        gw, gb = _neuron_grads(w, b, x, t)
        return gb, gw

    return check_function(fn, _neuron_grads, cases, name="neuron_grads",
                          returns=("dE/dw", "dE/db"), mistakes=[
        Mistake("gradient with respect to the wrong variable", "You returned delta * w, "
                "the gradient for the inputs x. The weights' gradient is delta * x.",
                function=wrong_variable),
        Mistake("forgot the sigmoid's derivative", "delta is (y_hat - t) y_hat "
                "(1 - y_hat); the factor y_hat (1 - y_hat) is missing.",
                function=no_sigmoid_prime),
        Mistake("wrong sign", "The error is (y_hat - t)^2 / 2, so dE/dy_hat = y_hat - t, "
                "not t - y_hat.", function=wrong_sign),
        Mistake("(dE/db, dE/dw): the pair in the wrong order", "Both gradients are right, "
                "but the wrong way round: return the weights' gradient (an array) first, "
                "then the bias's (a number): return dE_dw, dE_db.", function=swapped),
    ])


# ------------------------------------------------------------ 6. a new operation
def silu_reference(a):
    """The reference SiLU op: s(a) = a * sigmoid(a), local derivative s + a s (1 - s)."""
    s = float(_sigmoid(a.data))
    return Value.from_op(a.data * s, (a,), "silu", lambda g: (g * (s + a.data * s * (1 - s)),))


def _through(op):
    """Value and gradients of f = op(x * y) * y + x at (x, y), built with ``op``."""
    def run(x, y):
        vx, vy = Value(x), Value(y)
        h = op(vx * vy)
        if h is Ellipsis:
            return ...
        if not isinstance(h, Value):
            raise TypeError(f"your op must return a Value, got {type(h).__name__}")
        f = h * vy + vx
        try:
            f.backward()
        except TypeError as exc:
            if "not iterable" in str(exc):
                raise _NotATuple(str(exc)) from None
            raise
        return f.data, vx.grad, vy.grad
    return run


class _NotATuple(TypeError):
    """The backward rule returned one number where the engine iterates over a tuple."""


_NOT_A_TUPLE = ("the backward rule must return a tuple", "Your backward rule returned one "
                "number, but the engine expects one gradient per input, as a tuple: "
                "return (g * local,), with the comma. (The engine's own message was: {}.)")


def _bad_op(rule, forward=lambda a, s: a * s):
    def op(a):
        s = float(_sigmoid(a.data))
        return Value.from_op(forward(a.data, s), (a,), "silu", lambda g: (rule(g, a.data, s),))
    return op


@lab.exercise(6, hint="a * sigmoid(a) is a product of two functions of a: which rule "
              "differentiates a product? Chapter 3 writes sigmoid's own derivative with "
              "sigmoid itself. For the form of a backward rule (what it receives, what it "
              "returns), read one of the engine's own operations in bplib/engine.py.")
def check_silu(silu):
    """Exercise 6: a SiLU operation for the engine, tested inside a fresh expression."""
    rng = np.random.default_rng(406)
    cases = [tuple(float(v) for v in rng.uniform(-2.5, 2.5, 2).round(3)) for _ in range(6)]
    if silu is Ellipsis:
        return check_function(..., _through(silu_reference), cases, name="silu")
    if callable(silu):
        try:
            _through(silu)(*cases[0])
        except _NotATuple as exc:
            return Feedback(INCORRECT, "silu(a)", _NOT_A_TUPLE[1].format(exc),
                            mistake=_NOT_A_TUPLE[0])
        except Exception:  # noqa: BLE001 - check_function reports it
            pass
    return check_function(_through(silu) if callable(silu) else silu,
                          _through(silu_reference), cases, name="silu(a)", mistakes=[
        Mistake("forgot the arriving gradient", "The rule receives g, the gradient "
                "arriving at the result; multiply your local derivative by it.",
                function=_through(_bad_op(lambda g, a, s: s + a * s * (1 - s)))),
        Mistake("only half of the product rule", "a * sigmoid(a) is a product: its "
                "derivative has two terms, sigmoid(a) + a * sigmoid'(a).",
                function=_through(_bad_op(lambda g, a, s: g * s))),
        Mistake("only half of the product rule", "a * sigmoid(a) is a product: its "
                "derivative has two terms, sigmoid(a) + a * sigmoid(a) (1 - sigmoid(a)).",
                function=_through(_bad_op(lambda g, a, s: g * a * s * (1 - s)))),
        Mistake("forward value in the backward rule", "The backward rule returns the "
                "derivative times g, not the function's value.",
                function=_through(_bad_op(lambda g, a, s: g * a * s))),
    ])


# ------------------------------------------------------------ 7. counting the cost
def parameter_count(sizes):
    """Weights and biases of a dense network with layer sizes ``sizes``."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))


@lab.exercise(7, hint="Write down what one layer holds (its weights, and what else?), "
              "then add over the layers. For the differences, write out the formula for "
              "one parameter and count the evaluations of E in it; then ask which of them "
              "is the same for every parameter, so that it is needed only once.")
def check_cost(n_params, n_central, n_forward):
    """Exercise 7: parameters, and forward passes of central and forward differences."""
    P = parameter_count(SIZES)
    no_bias = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))
    return combine(
        check_number(n_params, P, name="number of parameters", mistakes=[
            Mistake("forgot the biases", "Each layer also has one bias per output unit; "
                    "biases are parameters too.", value=no_bias),
            Mistake("counted units, not weights", "Count the connections (n_in * n_out per "
                    "layer) and the biases, not the units.", value=sum(SIZES))]),
        check_number(n_central, 2 * P, name="central differences", mistakes=[
            Mistake("one evaluation per parameter", "Central differences evaluate the "
                    "error at w + eps AND at w - eps: two passes per parameter.", value=P),
            Mistake("forgot the biases", "Count the biases among the parameters too.",
                    value=2 * no_bias),
            Mistake("counted E(w) for central differences", "Central differences use "
                    "E(w + eps) and E(w - eps) only: E(w) itself is never needed, so the "
                    "count is 2P, not 2P + 1.", value=2 * P + 1)]),
        check_number(n_forward, P + 1, name="forward differences", mistakes=[
            Mistake("forgot the unchanged point", "Forward differences need E(w) once, "
                    "plus E(w + eps) for each parameter: P + 1.", value=P),
            Mistake("two evaluations per parameter", "Forward differences reuse E(w): one "
                    "new pass per parameter, plus one.", value=2 * P)]),
        name="the cost of finite differences")


# ------------------------------------------------------------ 8. the slider
def slider_answers():
    """(w just below the sign change, w just above, dE/dw at read_at) on the grid."""
    x, b, t, step = SLIDER["x"], SLIDER["b"], SLIDER["t"], SLIDER["step"]
    w_star = (math.log(t / (1 - t)) - b) / x
    lo = math.floor(w_star / step) * step
    y = float(_sigmoid(SLIDER["read_at"] * x + b))
    return lo, lo + step, (y - t) * y * (1 - y) * x


@lab.exercise(8, hint="Watch the red grad in the box of w while you move w (the text "
              "beside the figure prints the same number, the tangent's slope dE/dw): it is "
              "negative at first and becomes positive. At w = -3 read it from that text.")
def check_slider(w_below, w_above, grad_at_minus_3):
    """Exercise 8: where dE/dw changes sign, and the gradient in the flat region."""
    lo, hi, g = slider_answers()
    y = float(_sigmoid(SLIDER["read_at"] * SLIDER["x"] + SLIDER["b"]))
    return combine(
        check_number(w_below, lo, name="the last w with dE/dw < 0", atol=1e-6, mistakes=[
            Mistake("gave the first positive one", "That w already has dE/dw > 0; give the "
                    "slider value just before it.", value=hi)]),
        check_number(w_above, hi, name="the first w with dE/dw > 0", atol=1e-6),
        check_number(grad_at_minus_3, g, name="dE/dw at w = -3", rtol=0.05, atol=6e-4,
                     mistakes=[Mistake("read E instead of the gradient", "That is the "
                                       "error E; the gradient is the grad in the box of w.",
                                       value=0.5 * (y - SLIDER["t"]) ** 2)]),
        name="the neuron slider")
