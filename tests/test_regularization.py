"""Tests for bplib.regularization: penalties and clipping."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bplib.gradcheck import check_function
from bplib.regularization import L1, L2, clip_by_global_norm, clip_by_value

TOL = 1e-7
shapes = hnp.array_shapes(min_dims=1, max_dims=2, max_side=5)
lams = st.floats(0.0, 2.0)
# weights with 0.01 <= |w| <= 3, so no central difference straddles L1's kink at 0
away = st.tuples(st.floats(0.01, 3.0), st.booleans()).map(lambda t: t[0] if t[1] else -t[0])


def params_like(W, b):
    return {"dense0.W": W, "dense0.b": b}


@pytest.mark.parametrize("Penalty", [L1, L2])
@settings(max_examples=30, deadline=None)
@given(data=st.data(), shape=shapes, lam=lams)
def test_penalties_pass_gradcheck(Penalty, data, shape, lam):
    W = data.draw(hnp.arrays(np.float64, shape, elements=away))
    b = np.ones(3)
    pen = Penalty(lam)
    check_function(lambda w: pen.value(params_like(w, b)),
                   lambda w: pen.grad(params_like(w, b))["dense0.W"], W).raise_if_failed(TOL)


def test_values_and_gradients_follow_the_formulas():
    params = {"dense0.W": np.array([[1.0, -2.0]]), "dense0.b": np.array([5.0]),
              "dense1.W": np.array([3.0]), "W": np.array([-1.0])}
    assert L2(0.5).value(params) == pytest.approx(0.5 / 2 * (1 + 4 + 9 + 1))
    assert L1(0.5).value(params) == pytest.approx(0.5 * (1 + 2 + 3 + 1))
    g2, g1 = L2(0.5).grad(params), L1(0.5).grad(params)
    assert set(g2) == set(g1) == {"dense0.W", "dense1.W", "W"}  # biases are not penalised
    np.testing.assert_array_equal(g2["dense0.W"], [[0.5, -1.0]])
    np.testing.assert_array_equal(g1["dense0.W"], [[0.5, -0.5]])
    np.testing.assert_array_equal(L1(1.0).grad({"W": np.array([0.0])})["W"], [0.0])


def test_penalty_gradient_is_a_new_array():
    W = np.ones(3)
    g = L2(1.0).grad({"W": W})["W"]
    g += 1
    assert np.all(W == 1.0)


@pytest.mark.parametrize("Penalty", [L1, L2])
def test_penalty_bad_input(Penalty):
    name = Penalty.__name__
    with pytest.raises(ValueError, match=rf"{name}: expected lam in \[0, inf\), got -1"):
        Penalty(-1)
    with pytest.raises(TypeError, match=rf"{name}: expected lam to be a real number"):
        Penalty("0.1")
    with pytest.raises(TypeError, match=rf"{name}\.value: expected params as a dict"):
        Penalty(0.1).value([np.ones(2)])
    with pytest.raises(TypeError, match=rf"{name}\.grad: expected params\['W'\] to be an "
                                        r"ndarray, got list"):
        Penalty(0.1).grad({"W": [1.0]})


# --- clipping -----------------------------------------------------------------------

grads_st = st.dictionaries(st.sampled_from(["a.W", "a.b", "b.W"]),
                           hnp.arrays(np.float64, shapes, elements=st.floats(-10, 10)),
                           min_size=1)


@settings(max_examples=40, deadline=None)
@given(grads=grads_st, c=st.floats(0.01, 5.0))
def test_clip_by_value(grads, c):
    out = clip_by_value(grads, c)
    assert set(out) == set(grads)
    for k in grads:
        assert np.all(np.abs(out[k]) <= c)
        np.testing.assert_array_equal(out[k], np.minimum(np.maximum(grads[k], -c), c))
        assert out[k] is not grads[k]


@settings(max_examples=40, deadline=None)
@given(grads=grads_st, max_norm=st.floats(0.01, 50.0))
def test_clip_by_global_norm_matches_torch_rule(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    out, reported = clip_by_global_norm(grads, max_norm)
    assert reported == pytest.approx(total, rel=1e-12, abs=1e-300)
    coef = min(1.0, max_norm / (total + 1e-6))  # torch.nn.utils.clip_grad_norm_
    for k in grads:
        np.testing.assert_allclose(out[k], grads[k] * coef, rtol=1e-12)
    new_total = np.sqrt(sum(np.sum(g ** 2) for g in out.values()))
    assert new_total <= max_norm * (1 + 1e-9)


def test_clip_by_global_norm_known_numbers():
    grads = {"W": np.array([3.0, 4.0])}
    out, total = clip_by_global_norm(grads, 1.0)
    assert total == 5.0
    np.testing.assert_allclose(out["W"], [0.6, 0.8], rtol=1e-6)
    same, _ = clip_by_global_norm(grads, 10.0)
    assert same["W"] is grads["W"]  # below the threshold: untouched, not copied


def test_clipping_bad_input():
    with pytest.raises(ValueError, match=r"clip_by_value: expected c in \(0, inf\), got 0"):
        clip_by_value({"W": np.ones(2)}, 0)
    with pytest.raises(ValueError, match=r"clip_by_global_norm: expected max_norm in "
                                         r"\(0, inf\), got -1"):
        clip_by_global_norm({"W": np.ones(2)}, -1)
    with pytest.raises(TypeError, match="clip_by_global_norm: expected grads as a dict"):
        clip_by_global_norm([np.ones(2)], 1.0)
    with pytest.raises(ValueError, match=r"clip_by_global_norm: expected finite gradients"
                                         r".*non-finite in b\.W"):
        clip_by_global_norm({"a.W": np.ones(2), "b.W": np.array([np.nan])}, 1.0)


# ---------------------------------------------------------------- soft_threshold
def test_soft_threshold_lands_on_exact_zeros():
    from bplib.regularization import soft_threshold

    W = np.array([-2.0, -0.5, -0.1, 0.0, 0.3, 1.5])
    out = soft_threshold(W, 0.5)
    np.testing.assert_array_equal(out, [-1.5, 0.0, 0.0, 0.0, 0.0, 1.0])
    assert not np.signbit(out[1:5]).any()
    np.testing.assert_array_equal(soft_threshold(W, 0.0), W)


def test_soft_threshold_is_the_proximal_minimiser():
    from bplib.regularization import soft_threshold

    rng = np.random.default_rng(0)
    W, t = rng.normal(size=20), 0.4
    grid = np.linspace(-4, 4, 80001)
    for w, got in zip(W, soft_threshold(W, t)):
        objective = t * np.abs(grid) + 0.5 * (grid - w) ** 2
        assert got == pytest.approx(grid[np.argmin(objective)], abs=1e-4)


def test_soft_threshold_bad_input():
    from bplib.regularization import soft_threshold

    with pytest.raises(TypeError, match="ndarray"):
        soft_threshold([1.0, 2.0], 0.1)
    with pytest.raises(ValueError, match="t"):
        soft_threshold(np.ones(2), -0.1)
