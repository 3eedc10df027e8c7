"""Tests for bplib.engine: the scalar autograd engine of Chapter 4."""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bplib.engine import Value, maximum, topological_order, zero_grad

EPS = 1e-6

# -- random expressions ------------------------------------------------------------
# An expression is a program: a list of (op, i, j, c) instructions over a growing pool
# of values that starts with the inputs. Operands are drawn from the whole pool, so a
# value is often used more than once: the graph is a DAG with several paths.
UNARY = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "pow"]
BINARY = ["+", "-", "*", "/", "max"]
KINKS = 1e-3   # stay this far from the kinks of relu and max


def _apply(op, a, b, c):
    """Apply one instruction; operands are guarded so every op stays in its domain."""
    if op == "neg":
        return -a
    if op == "exp":
        return a.tanh().exp()                 # bounded input: no overflow
    if op == "log":
        return (a * a + 0.5).log()            # positive argument
    if op == "tanh":
        return a.tanh()
    if op == "sigmoid":
        return a.sigmoid()
    if op == "relu":
        return a.relu()
    if op == "pow":
        return (a * a + 0.5) ** c             # positive base, any exponent
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        return a / (b * b + 1.0)              # denominator >= 1
    if op == "max":
        return maximum(a, b)
    raise AssertionError(op)


def _run(program, xs):
    pool = [Value(x, label=f"x{k}") for k, x in enumerate(xs)]
    for op, i, j, c in program:
        pool.append(_apply(op, pool[i % len(pool)], pool[j % len(pool)], c))
    return pool[: len(xs)], pool[-1]


def _near_kink(root):
    for node in topological_order(root):
        if node.op == "relu" and abs(node.parents[0].data) < KINKS:
            return True
        if node.op == "max" and abs(node.parents[0].data - node.parents[1].data) < KINKS:
            return True
    return False


instruction = st.tuples(
    st.sampled_from(UNARY + BINARY),
    st.integers(0, 50), st.integers(0, 50),
    st.sampled_from([-1.0, 0.5, 2.0, 3.0]),
)
inputs = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=4)


@settings(max_examples=150, deadline=None)
@given(xs=inputs, program=st.lists(instruction, min_size=1, max_size=12))
def test_random_expressions_match_central_differences(xs, program):
    leaves, out = _run(program, xs)
    assume(not _near_kink(out))
    assume(abs(out.data) < 1e6)
    out.backward()
    for k, leaf in enumerate(leaves):
        up, down = list(xs), list(xs)
        up[k] += EPS
        down[k] -= EPS
        numeric = (_run(program, up)[1].data - _run(program, down)[1].data) / (2 * EPS)
        scale = max(1.0, abs(numeric), abs(leaf.grad))
        assert abs(leaf.grad - numeric) <= 1e-5 * scale, (program, k, leaf.grad, numeric)


# -- each operation's value and local gradient ---------------------------------------
CASES = [
    ("a + b", lambda a, b: a + b, (1.5, -0.7), (1.0, 1.0)),
    ("a - b", lambda a, b: a - b, (1.5, -0.7), (1.0, -1.0)),
    ("a * b", lambda a, b: a * b, (1.5, -0.7), (-0.7, 1.5)),
    ("a / b", lambda a, b: a / b, (1.5, -0.5), (-2.0, -6.0)),
    ("max a", lambda a, b: a.max(b), (1.5, -0.7), (1.0, 0.0)),
    ("max b", lambda a, b: maximum(a, b), (-1.5, 0.7), (0.0, 1.0)),
    ("max tie", lambda a, b: a.max(b), (0.3, 0.3), (0.5, 0.5)),
    ("2 - a", lambda a, b: 2 - a + 0 * b, (1.5, 1.0), (-1.0, 0.0)),
    ("3 / a", lambda a, b: 3 / a + b * 0, (2.0, 1.0), (-0.75, 0.0)),
    ("4 * a", lambda a, b: 4 * a + b, (2.0, 1.0), (4.0, 1.0)),
    ("1 + a", lambda a, b: 1 + a - b, (2.0, 1.0), (1.0, -1.0)),
]


@pytest.mark.parametrize("name, fn, args, expected", CASES, ids=[c[0] for c in CASES])
def test_binary_rules_by_hand(name, fn, args, expected):
    a, b = Value(args[0]), Value(args[1])
    fn(a, b).backward()
    assert (a.grad, b.grad) == pytest.approx(expected)


UNARY_CASES = [
    ("neg", lambda a: -a, 0.8, -0.8, -1.0),
    ("exp", lambda a: a.exp(), 0.8, math.exp(0.8), math.exp(0.8)),
    ("log", lambda a: a.log(), 0.8, math.log(0.8), 1 / 0.8),
    ("tanh", lambda a: a.tanh(), 0.8, math.tanh(0.8), 1 - math.tanh(0.8) ** 2),
    ("sigmoid", lambda a: a.sigmoid(), 0.8, 1 / (1 + math.exp(-0.8)),
     math.exp(-0.8) / (1 + math.exp(-0.8)) ** 2),
    ("relu+", lambda a: a.relu(), 0.8, 0.8, 1.0),
    ("relu-", lambda a: a.relu(), -0.8, 0.0, 0.0),
    ("relu0", lambda a: a.relu(), 0.0, 0.0, 0.0),
    ("square", lambda a: a ** 2, 0.8, 0.64, 1.6),
    ("sqrt", lambda a: a ** 0.5, 4.0, 2.0, 0.25),
    ("inverse", lambda a: a ** -1, 2.0, 0.5, -0.25),
]


@pytest.mark.parametrize("name, fn, x, value, slope", UNARY_CASES,
                         ids=[c[0] for c in UNARY_CASES])
def test_unary_rules_by_hand(name, fn, x, value, slope):
    a = Value(x)
    out = fn(a)
    out.backward()
    assert out.data == pytest.approx(value)
    assert a.grad == pytest.approx(slope)


def test_sigmoid_is_stable_for_large_inputs():
    for z, s in [(1000.0, 1.0), (-1000.0, 0.0)]:
        a = Value(z)
        out = a.sigmoid()
        out.backward()
        assert out.data == s and a.grad == 0.0


# -- the graph and the order of the backward pass -------------------------------------
def test_topological_order_puts_parents_first_and_counts_shared_nodes_once():
    x = Value(2.0)
    y = x * x
    z = y + y * x
    order = topological_order(z)
    assert order[-1] is z and len(order) == len({id(v) for v in order}) == 4
    position = {id(v): k for k, v in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]


def test_sum_over_paths():
    # f = x*x*x reaches x along three paths; df/dx = 3 x^2
    x = Value(1.5)
    (x * x * x).backward()
    assert x.grad == pytest.approx(3 * 1.5 ** 2)


def test_deep_graph_has_no_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


def test_backward_with_a_seed_gradient_scales_everything():
    x = Value(3.0)
    (x * x).backward(grad=0.5)
    assert x.grad == pytest.approx(3.0)


def test_from_op_adds_a_new_operation():
    # softplus(a) = log(1 + exp(a)); its local gradient is sigmoid(a)
    a = Value(0.3)
    sp = Value.from_op(math.log1p(math.exp(a.data)), (a,), "softplus",
                       lambda g: (g / (1 + math.exp(-a.data)),))
    (sp * 2).backward()
    assert sp.op == "softplus" and sp.parents == (a,)
    assert a.grad == pytest.approx(2 / (1 + math.exp(-0.3)))


# -- gradients accumulate; zero_grad is explicit --------------------------------------
def test_gradients_accumulate_across_backward_calls():
    x, w = Value(2.0), Value(-1.5)
    y = (x * w).tanh() + x
    y.backward()
    first = {"x": x.grad, "w": w.grad, "y": y.grad}
    y.backward()
    assert (x.grad, w.grad, y.grad) == pytest.approx(
        (2 * first["x"], 2 * first["w"], 2 * first["y"]))


def test_zero_grad_resets_the_whole_graph():
    x, w = Value(2.0), Value(-1.5)
    h = x * w
    y = h.sigmoid()
    y.backward()
    single = (x.grad, w.grad, h.grad)
    y.backward()
    y.zero_grad()
    assert all(v.grad == 0.0 for v in topological_order(y))
    y.backward()
    assert (x.grad, w.grad, h.grad) == pytest.approx(single)


def test_two_outputs_sum_their_gradients_in_shared_inputs():
    w = Value(0.7)
    a, b = w * 3.0, w.exp()
    a.backward()
    b.backward()
    assert w.grad == pytest.approx(3.0 + math.exp(0.7))
    zero_grad([w])
    assert w.grad == 0.0


# -- errors -------------------------------------------------------------------------
@pytest.mark.parametrize("bad", ["2", [1.0], None, np.array([1.0, 2.0]), True, 1j])
def test_unsupported_operands_raise_type_error(bad):
    v = Value(1.0)
    with pytest.raises(TypeError, match="Value"):
        v + bad
    with pytest.raises(TypeError, match="Value"):
        bad * v if not isinstance(bad, np.ndarray) else v * bad
    with pytest.raises(TypeError, match="Value"):
        Value(bad)


def test_variable_exponent_is_a_type_error():
    with pytest.raises(TypeError, match="constant"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(TypeError, match="constant"):
        2 ** Value(3.0)


@pytest.mark.parametrize("x", [0.0, -1.0])
def test_log_of_non_positive_raises_value_error(x):
    with pytest.raises(ValueError, match="log.*positive"):
        Value(x).log()


def test_domain_errors():
    with pytest.raises(ValueError, match="division by zero"):
        Value(1.0) / 0
    with pytest.raises(ValueError, match="undefined"):
        Value(0.0) ** -1
    with pytest.raises(ValueError, match="integer exponent"):
        Value(-2.0) ** 0.5
    with pytest.raises(ValueError, match="overflow"):
        Value(1000.0).exp()
    with pytest.raises(ValueError, match="finite"):
        Value(float("nan"))


def test_from_op_validates_its_arguments():
    with pytest.raises(TypeError, match="parents must be Values"):
        Value.from_op(1.0, (1.0,), "bad", lambda g: (g,))
    with pytest.raises(TypeError, match="callable"):
        Value.from_op(1.0, (Value(1.0),), "bad", None)
    a = Value(1.0)
    wrong = Value.from_op(1.0, (a,), "bad", lambda g: (g, g))
    with pytest.raises(ValueError, match="returned 2 gradients for 1 parents"):
        wrong.backward()


def test_repr_shows_label_data_and_grad():
    v = Value(2.5, label="w")
    assert repr(v) == "Value(w: data=2.5, grad=0)"
