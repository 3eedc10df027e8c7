"""Tests of bplib.optimizers.

Two independent checks of every update rule:

1. against PyTorch: ``tests/data/optimizer_reference.json`` holds the parameters
   that ``torch.optim`` (version recorded in the file) produced from fixed initial
   weights and a fixed sequence of gradients. The numbers were made by
   ``bench/make_optimizer_reference.py``; regenerate them with
   ``python bench/make_optimizer_reference.py`` in an environment with the bench
   extra (PyTorch). The tests themselves never import torch. Tolerance: 1e-12.
2. against the update equations written out below, one step at a time.
"""

import json
import math
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bplib import optimizers as O

REF = json.loads((pathlib.Path(__file__).parent / "data" / "optimizer_reference.json").read_text())


def _case_id(case):
    return case["optimizer"] + "(" + ", ".join(f"{k}={v}" for k, v in case["kwargs"].items()) + ")"


@pytest.mark.parametrize("case", REF["cases"], ids=_case_id)
def test_matches_torch_reference(case):
    kwargs = dict(case["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    opt = getattr(O, case["optimizer"])(**kwargs)
    params = {k: np.array(v) for k, v in case["initial"].items()}
    for step, (g, expected) in enumerate(zip(case["grads"], case["expected"]), start=1):
        opt.step(params, {k: np.array(v) for k, v in g.items()})
        for k, v in expected.items():
            np.testing.assert_allclose(params[k], v, rtol=1e-12, atol=1e-12,
                                       err_msg=f"{_case_id(case)}, {k}, step {step}")


@pytest.mark.parametrize("name", sorted(REF["defaults"]))
def test_defaults_are_torchs(name):
    opt = getattr(O, name)()
    for key, value in REF["defaults"][name].items():
        ours = getattr(opt, key)
        if key == "betas":
            ours = list(ours)
        assert ours == value, f"{name}.{key}: bplib {ours!r}, torch {value!r}"


# ---------------------------------------------------------------- equations
rng = np.random.default_rng(0)
P0 = rng.standard_normal((3, 2))
GRADS = [rng.standard_normal((3, 2)) for _ in range(4)]


def run(opt):
    """Apply ``opt`` to P0 with GRADS; return the parameter after each step."""
    p = P0.copy()
    out = []
    for g in GRADS:
        opt.step({"w": p}, {"w": g})
        out.append(p.copy())
    return out


def test_sgd_plain_equation():
    lr = 0.3
    p = P0.copy()
    for got, g in zip(run(O.SGD(lr=lr)), GRADS):
        p = p - lr * g                                   # θ ← θ − η g
        np.testing.assert_allclose(got, p, rtol=0, atol=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_equation(nesterov):
    lr, mu, wd = 0.1, 0.9, 0.05
    p, b = P0.copy(), None
    for got, g in zip(run(O.SGD(lr=lr, momentum=mu, nesterov=nesterov, weight_decay=wd)), GRADS):
        g = g + wd * p                                   # coupled weight decay
        b = g.copy() if b is None else mu * b + g        # b ← μ b + g (b₁ = g₁)
        p = p - lr * (g + mu * b if nesterov else b)     # Nesterov looks ahead
        np.testing.assert_allclose(got, p, rtol=1e-14, atol=1e-14)


def test_adagrad_equation():
    lr, eps = 0.2, 1e-10
    p, G = P0.copy(), np.zeros_like(P0)
    for got, g in zip(run(O.Adagrad(lr=lr, eps=eps)), GRADS):
        G = G + g ** 2                                   # G ← G + g²
        p = p - lr * g / (np.sqrt(G) + eps)
        np.testing.assert_allclose(got, p, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("momentum", [0.0, 0.8])
def test_rmsprop_equation(momentum):
    lr, alpha, eps = 0.01, 0.99, 1e-8
    p, v, b = P0.copy(), np.zeros_like(P0), np.zeros_like(P0)
    for got, g in zip(run(O.RMSprop(lr=lr, alpha=alpha, eps=eps, momentum=momentum)), GRADS):
        v = alpha * v + (1 - alpha) * g ** 2             # running mean of g²
        b = momentum * b + g / (np.sqrt(v) + eps)
        p = p - lr * b
        np.testing.assert_allclose(got, p, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("cls, wd", [(O.Adam, 0.0), (O.Adam, 0.1), (O.AdamW, 0.1)])
def test_adam_and_adamw_equations(cls, wd):
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p, m, v = P0.copy(), np.zeros_like(P0), np.zeros_like(P0)
    for t, (got, g) in enumerate(zip(run(cls(lr=lr, weight_decay=wd)), GRADS), start=1):
        if cls is O.AdamW:
            p = p - lr * wd * p                          # decoupled: shrink the weights
        else:
            g = g + wd * p                               # coupled: L2 in the gradient
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        np.testing.assert_allclose(got, p, rtol=1e-12, atol=1e-14)


def test_adam_first_step_moves_by_lr():
    # With bias correction, the first step is lr * sign(g) (up to eps).
    p = np.array([1.0, -2.0, 3.0])
    O.Adam(lr=0.01).step({"w": p}, {"w": np.array([5.0, -0.001, 1e3])})
    np.testing.assert_allclose(p, [0.99, -1.99, 2.99], rtol=1e-6)


def test_adamw_decay_differs_from_adam_l2():
    a, b = P0.copy(), P0.copy()
    O.Adam(lr=0.1, weight_decay=0.5).step({"w": a}, {"w": GRADS[0]})
    O.AdamW(lr=0.1, weight_decay=0.5).step({"w": b}, {"w": GRADS[0]})
    assert not np.allclose(a, b)


# ------------------------------------------------------------ state & input
def test_state_kept_by_name():
    opt = O.SGD(lr=0.1, momentum=0.9)
    a, b = np.zeros(2), np.zeros(2)
    opt.step({"a": a, "b": b}, {"a": np.ones(2), "b": -np.ones(2)})
    opt.step({"a": a}, {"a": np.ones(2)})                # b has no step here
    np.testing.assert_allclose(a, -0.1 - 0.1 * 1.9)
    np.testing.assert_allclose(b, 0.1)
    assert opt.state["a"]["step"] == 2 and opt.state["b"]["step"] == 1
    opt.reset()
    assert opt.state == {}


def test_updates_in_place_and_keep_float32():
    p = np.ones(3, dtype=np.float32)
    ref = p
    O.Adam(lr=0.1).step({"w": p}, {"w": np.ones(3, dtype=np.float32)})
    assert ref is p and p.dtype == np.float32
    np.testing.assert_allclose(p, 0.9, rtol=1e-6)


def test_missing_or_misshapen_gradient():
    with pytest.raises(ValueError, match="no gradient for parameter 'w'"):
        O.SGD(lr=0.1).step({"w": np.zeros(2)}, {"v": np.zeros(2)})
    with pytest.raises(ValueError, match=r"shape \(3,\).*\(2,\)"):
        O.Adam().step({"w": np.zeros(2)}, {"w": np.zeros(3)})


@pytest.mark.parametrize("make, match", [
    (lambda: O.SGD(lr=-1), "lr"),
    (lambda: O.SGD(lr=0), "lr"),
    (lambda: O.SGD(lr=0.1, nesterov=True), "nesterov"),
    (lambda: O.SGD(lr=0.1, momentum=-0.5), "momentum"),
    (lambda: O.Adam(betas=(0.9, 1.0)), "beta2"),
    (lambda: O.RMSprop(alpha=1.5), "alpha"),
    (lambda: O.Adagrad(eps=float("nan")), "eps"),
])
def test_bad_hyperparameters(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_types_and_names():
    with pytest.raises(TypeError, match="lr"):
        O.SGD(lr="0.1")
    with pytest.raises(TypeError, match="betas"):
        O.Adam(betas=0.9)
    with pytest.raises(ValueError, match="unknown optimizer 'adamax'"):
        O.get_optimizer("adamax")
    assert isinstance(O.get_optimizer("adamw", lr=0.1), O.AdamW)


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, st.integers(1, 6), elements=st.floats(-1e3, 1e3)),
       st.sampled_from([O.SGD(lr=0.1, momentum=0.9), O.Adagrad(), O.RMSprop(), O.Adam(),
                        O.AdamW()]))
def test_step_with_zero_gradient_only_decays(p, opt):
    """A zero gradient leaves a parameter unchanged, except for decoupled decay."""
    opt.reset()
    before = p.copy()
    opt.step({"w": p}, {"w": np.zeros_like(p)})
    factor = 1 - opt.lr * opt.weight_decay if isinstance(opt, O.AdamW) else 1.0
    np.testing.assert_allclose(p, before * factor, rtol=1e-12, atol=0)
    assert all(math.isfinite(x) for x in p)


def test_sgd_keeps_its_state_by_name_like_the_others():
    p = {"w": np.array([1.0, -2.0])}
    sgd = O.SGD(lr=0.1, momentum=0.9)
    sgd.step(p, {"w": np.array([0.5, 0.5])})
    sgd.step(p, {"w": np.array([1.0, 0.0])})
    s = sgd.state["w"]
    assert s["step"] == 2
    np.testing.assert_allclose(s["momentum_buffer"], [0.9 * 0.5 + 1.0, 0.9 * 0.5])
    np.testing.assert_allclose(p["w"], [1.0 - 0.1 * 0.5 - 0.1 * 1.45, -2.0 - 0.05 - 0.045])
    plain = O.SGD(lr=0.1)
    plain.step(p, {"w": np.ones(2)})
    assert plain.state == {}                   # plain gradient descent has nothing to keep


def test_rmsprop_centered_equation():
    lr, alpha, eps = 0.01, 0.9, 1e-8
    p, v, m = P0.copy(), np.zeros_like(P0), np.zeros_like(P0)
    for got, g in zip(run(O.RMSprop(lr=lr, alpha=alpha, centered=True)), GRADS):
        v = alpha * v + (1 - alpha) * g ** 2
        m = alpha * m + (1 - alpha) * g                  # running mean of g
        p = p - lr * g / (np.sqrt(v - m ** 2) + eps)     # divide by a standard deviation
        np.testing.assert_allclose(got, p, rtol=1e-12, atol=1e-14)


def test_adam_amsgrad_equation_and_never_growing_denominator():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p, m, v, v_max = P0.copy(), np.zeros_like(P0), np.zeros_like(P0), np.zeros_like(P0)
    for t, (got, g) in enumerate(zip(run(O.Adam(lr=lr, amsgrad=True)), GRADS), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        v_max = np.maximum(v_max, v)
        p = p - lr / (1 - b1 ** t) * m / (np.sqrt(v_max / (1 - b2 ** t)) + eps)
        np.testing.assert_allclose(got, p, rtol=1e-12, atol=1e-14)
    opt = O.Adam(amsgrad=True)
    w = np.zeros(1)
    opt.step({"w": w}, {"w": np.array([10.0])})
    opt.step({"w": w}, {"w": np.array([0.0])})
    assert opt.state["w"]["max_exp_avg_sq"][0] > opt.state["w"]["exp_avg_sq"][0]
    assert "max_exp_avg_sq" not in O.Adam().__dict__ and O.Adam().amsgrad is False
