"""bplib.exercises.lab10: right, equivalent and wrong answers for every check; fan-in
versus fan-out, the missing factor 2 and clipping each tensor separately are named."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.activations import sigmoid
from bplib.exercises import lab10 as ex
from bplib.monitor import dead_units, update_ratios
from bplib.regularization import clip_by_global_norm, clip_by_value


# ------------------------------------------------------------ 1. sigma' bound
def test_sigma_bound():
    assert ex.check_sigma_bound(0.25, 0).correct
    assert ex.check_sigma_bound(1 / 4, 0.0).correct
    assert ex.check_sigma_bound(..., ...).status == "not-attempted"
    assert ex.check_sigma_bound(0.5, 0).mistake == "sigma(0) instead of sigma'(0)"
    assert ex.check_sigma_bound(1.0, 0).mistake == "tanh's slope"
    assert ex.check_sigma_bound(float(sigmoid(1.0) * (1 - sigmoid(1.0))), 1).mistake == \
        "the slope at z = 1"
    assert ex.check_sigma_bound(0.25, 0.5).mistake == "sigma(z) instead of z"


# ------------------------------------------------------------ 2. the depth bound
@pytest.mark.parametrize("answer, mistake", [
    (0.25 ** 9, "one factor too few"), (0.25 ** 11, "one factor too many"),
    (2.5, "a sum instead of a product"), (0.5 ** 10, "1/2 per layer"),
    (0.25, "the bound itself, not the power")])
def test_depth_bound_mistakes(answer, mistake):
    assert ex.check_depth_bound(answer).mistake == mistake


def test_depth_bound_right_typed_and_equivalent():
    assert ex.check_depth_bound(4.0 ** -10).correct
    assert ex.check_depth_bound(9.54e-7).correct           # typed, 3 digits
    assert ex.check_depth_bound(...).status == "not-attempted"


# ------------------------------------------------------------ 3. chain gradient
def _chain_loop(w, b, x):
    a, slopes = x, []
    for wl, bl in zip(w, b):
        a = sigmoid(wl * a + bl)
        slopes.append(a * (1 - a))
    g = slopes[0]
    for wl, s in zip(w[1:], slopes[1:]):
        g = g * wl * s
    return g


def test_chain_gradient_right_and_equivalent():
    assert ex.check_chain_gradient(_chain_loop).correct
    assert ex.check_chain_gradient(lambda w, b, x: np.array([_chain_loop(w, b, x)])).correct
    assert ex.check_chain_gradient(...).status == "not-attempted"
    assert ex.check_chain_gradient(lambda w, b, x: ...).status == "not-attempted"


@pytest.mark.parametrize("flags, mistake", [
    (dict(weights="none"), "the weights left out"),
    (dict(weights="all"), "the first weight included"),
    (dict(slope=False), "sigma instead of sigma'"),
    (dict(which="w"), "the gradient of w_1, not b_1")])
def test_chain_gradient_mistakes(flags, mistake):
    assert ex.check_chain_gradient(lambda w, b, x: ex._chain(w, b, x, **flags)).mistake \
        == mistake


def test_chain_gradient_wrong_sign():
    assert ex.check_chain_gradient(lambda w, b, x: -_chain_loop(w, b, x)).mistake == \
        "wrong sign"


# ------------------------------------------------------------ 4. Xavier and He
def xavier(n_in, n_out):
    return np.sqrt(2 / (n_in + n_out))


def he(n_in, n_out):
    return np.sqrt(2 / n_in)


def test_scales_right_and_equivalent():
    assert ex.check_scales(xavier, he).correct
    assert ex.check_scales(lambda i, o: (2 / (i + o)) ** 0.5, lambda i, o: (2 / i) ** 0.5
                           ).correct
    assert ex.check_scales(..., ...).status == "not-attempted"


@pytest.mark.parametrize("xav, he_, mistake, part", [
    (lambda i, o: 2 / (i + o), he, "variance instead of standard deviation", "xavier"),
    (lambda i, o: np.sqrt(1 / (i + o)), he, "missing factor 2", "xavier"),
    (he, he, "He's scale where Xavier's was asked", "xavier"),
    (lambda i, o: np.sqrt(6 / (i + o)), he, "the uniform bound", "xavier"),
    (xavier, lambda i, o: np.sqrt(2 / o), "fan-out instead of fan-in", "he"),
    (xavier, lambda i, o: np.sqrt(1 / i), "missing factor 2", "he"),
    (xavier, lambda i, o: 2 / i, "variance instead of standard deviation", "he"),
    (xavier, xavier, "Xavier's scale where He's was asked", "he"),
    (xavier, lambda i, o: np.sqrt(6 / i), "the uniform bound", "he"),
])
def test_scales_mistakes(xav, he_, mistake, part):
    fb = ex.check_scales(xav, he_)
    assert not fb.correct and fb.mistake == mistake and fb.message.startswith(f"In {part}")


# ------------------------------------------------------------ 5. variance factor
def test_variance_factor():
    assert ex.check_variance_factor(2.56, 1.28).correct
    assert ex.check_variance_factor(256 * 0.1 ** 2, 256 * 0.01 / 2).correct
    assert ex.check_variance_factor(..., ...).status == "not-attempted"
    assert ex.check_variance_factor(25.6, 1.28).mistake == \
        "the standard deviation where the variance belongs"
    assert ex.check_variance_factor(0.01, 1.28).mistake == "the fan-in left out"
    assert ex.check_variance_factor(1.6, 1.28).mistake == \
        "a standard deviation instead of a variance"
    assert ex.check_variance_factor(2.56, 2.56).mistake == "the ReLU's half left out"
    assert ex.check_variance_factor(2.56, 0.64).mistake == "a quarter instead of a half"


# ------------------------------------------------------------ 6. dead units
def test_dead_units_right_and_equivalent():
    net, X = ex.dead_case()
    mask = dead_units(net, X)["relu0"]
    assert np.flatnonzero(mask).tolist() == list(ex.DEAD)
    assert ex.check_dead_units(mask).correct
    assert ex.check_dead_units(list(ex.DEAD)).correct
    assert ex.check_dead_units(np.array(ex.DEAD)).correct
    assert ex.check_dead_units((6, 1, 4)).correct
    assert ex.check_dead_units(...).status == "not-attempted"


def test_dead_units_mistakes():
    net, X = ex.dead_case()
    Z = X @ net.params["dense0.W"] + net.params["dense0.b"]
    assert ex.check_dead_units(np.any(Z <= 0, axis=0)).mistake == \
        "off for some examples, not all"
    assert ex.check_dead_units(np.all(Z <= 0, axis=1)).mistake == "the wrong axis"
    assert ex.check_dead_units([i + 1 for i in ex.DEAD]).mistake == "counted from 1"
    alive = [i for i in range(8) if i not in ex.DEAD]
    assert ex.check_dead_units(alive).mistake == "the alive units"
    fb = ex.check_dead_units([1, 4])
    assert fb.status == "incorrect" and fb.mistake is None
    assert "list of ints" in ex.check_dead_units("one").message


# ------------------------------------------------------------ 7, 8. clipping
def by_norm(grads, c):
    return clip_by_global_norm(grads, c)[0]


def by_norm_own(grads, c):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads.values()))
    return {k: g * min(1.0, c / total) for k, g in grads.items()}


def test_clip_by_norm_right_and_equivalent():
    assert ex.check_clip_by_norm(by_norm).correct       # bplib's, with its 1e-6
    assert ex.check_clip_by_norm(by_norm_own).correct
    assert ex.check_clip_by_norm(...).status == "not-attempted"
    assert ex.check_clip_by_norm(lambda g, c: ...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda g, c: {k: v * min(1, c / np.linalg.norm(v)) for k, v in g.items()},
     "each tensor clipped separately"),
    (lambda g, c: {k: v * c / np.sqrt(sum(np.sum(u ** 2) for u in g.values()))
                   for k, v in g.items()}, "rescaled even when short"),
    (clip_by_value, "clipped by value"),
])
def test_clip_by_norm_mistakes(fn, mistake):
    assert ex.check_clip_by_norm(fn).mistake == mistake


def test_clip_by_value_right_and_mistakes():
    assert ex.check_clip_by_value(clip_by_value).correct
    assert ex.check_clip_by_value(lambda g, c: {k: np.minimum(np.maximum(v, -c), c)
                                                for k, v in g.items()}).correct
    assert ex.check_clip_by_value(...).status == "not-attempted"
    assert ex.check_clip_by_value(lambda g, c: {k: np.minimum(v, c) for k, v in g.items()}
                                  ).mistake == "only the upper side clipped"
    assert ex.check_clip_by_value(lambda g, c: {k: np.clip(v, 0, c) for k, v in g.items()}
                                  ).mistake == "clipped to [0, c]"
    assert ex.check_clip_by_value(by_norm_own).mistake == "clipped by norm"


# ------------------------------------------------------------ 9. update ratio
def test_update_ratio_right_and_mistakes():
    assert ex.check_update_ratio(lambda a, b: np.linalg.norm(b - a) / np.linalg.norm(a)
                                 ).correct
    assert ex.check_update_ratio(
        lambda a, b: update_ratios({"W": a}, {"W": b})["W"]).correct
    assert ex.check_update_ratio(...).status == "not-attempted"
    cases = {
        "upside down": lambda a, b: np.linalg.norm(a) / np.linalg.norm(b - a),
        "the weights after the step below the line":
            lambda a, b: np.linalg.norm(b - a) / np.linalg.norm(b),
        "squared norms": lambda a, b: np.sum((b - a) ** 2) / np.sum(a ** 2),
        "entry by entry": lambda a, b: np.mean(np.abs(b - a) / np.abs(a)),
    }
    for mistake, fn in cases.items():
        assert ex.check_update_ratio(fn).mistake == mistake


# ------------------------------------------------------------ 10. pick an initialisation
def test_pick_init():
    assert ex.check_pick_init(["he", "xavier"]).correct
    assert ex.check_pick_init(("He_Normal", "glorot_uniform")).correct
    assert ex.check_pick_init([..., ...]).status == "not-attempted"
    assert ex.check_pick_init(["xavier", "he"]).mistake == "swapped"
    assert ex.check_pick_init(["he", "he"]).mistake == "one scale for every layer"
    assert ex.check_pick_init(["xavier", "xavier"]).mistake == "one scale for every layer"
    assert ex.check_pick_init(["small", "xavier"]).mistake == "the small random start"
    assert "list of 2 names" in ex.check_pick_init("he").message
    assert "answer" in ex.check_pick_init(["he", "zeros"]).message


# ------------------------------------------------------------ review additions
def test_more_named_mistakes():
    L = ex.CHAIN["L"]
    assert ex.check_depth_bound(4.0 ** L).mistake == "how many times smaller, not the factor"
    assert ex.check_depth_bound(1e-6).mistake == "rounded to a power of ten"
    fb = ex.check_chain_gradient(lambda w, b, x: ex._chain(w, b, x, of_output=True))
    assert fb.mistake == "sigma' of the output, not of z"
    lin = ex.LAYER["n_in"] * ex.LAYER["std"] ** 2
    assert ex.check_variance_factor(lin, 2 * lin).mistake == "He's 2 where the ReLU's half belongs"

    def sum_of_norms(grads, c):
        total = sum(np.linalg.norm(g) for g in grads.values())
        return {k: g * min(1.0, c / total) for k, g in grads.items()}
    assert ex.check_clip_by_norm(sum_of_norms).mistake == "the tensors' norms added"
    assert ex.check_clip_by_norm(lambda g, c: dict(g)).mistake == "never clipped"


def test_equivalent_containers_are_accepted():
    net, X = ex.dead_case()
    assert ex.check_dead_units(set(ex.DEAD)).correct
    assert ex.check_pick_init(np.array(["he", "xavier"])).correct
