"""bplib.exercises.lab09: right, equivalent and wrong answers for every check; each named
mistake (old buffer, averaged buffer, missing or misplaced bias correction, eps inside the
root, coupled or unscaled weight decay, ...) is detected by name."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bplib.exercises import lab09 as ex
from bplib.optimizers import SGD, Adam, AdamW, RMSprop

P = ex.MOMENTUM_STEP
M_RIGHT = P["mu"] * P["m"] + P["g"]
TH_RIGHT = P["theta"] - P["lr"] * M_RIGHT


# ------------------------------------------------------------ 1. by hand
def test_momentum_step_right_typed_and_not_attempted():
    assert ex.check_momentum_step(M_RIGHT, TH_RIGHT).correct
    assert ex.check_momentum_step(round(M_RIGHT, 3), round(TH_RIGHT, 3)).correct   # typed
    assert ex.check_momentum_step(..., ...).status == "not-attempted"


@pytest.mark.parametrize("m_new, theta_new, mistake", [
    (P["g"], TH_RIGHT, "the momentum term left out"),
    (P["mu"] * P["m"] + (1 - P["mu"]) * P["g"], TH_RIGHT, "an average where momentum sums"),
    (P["mu"] * P["m"] - P["g"], TH_RIGHT, "the gradient subtracted"),
    (M_RIGHT, P["theta"] - P["lr"] * P["m"], "the old buffer"),
    (M_RIGHT, P["theta"] - P["lr"] * P["g"], "a plain gradient step"),
    (M_RIGHT, P["theta"] + P["lr"] * M_RIGHT, "a step uphill"),
])
def test_momentum_step_mistakes(m_new, theta_new, mistake):
    fb = ex.check_momentum_step(m_new, theta_new)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 2. momentum
def _momentum(theta, m, g, lr, mu):
    m = mu * m + g
    return theta - lr * m, m


def _momentum_by_bplib(theta, m, g, lr, mu):
    opt, p = SGD(lr=lr, momentum=mu), np.array(theta, dtype=float)
    opt.step({"p": p}, {"p": np.zeros_like(p)})          # creates the state
    opt.state["p"]["momentum_buffer"][...] = m
    p[...] = theta
    opt.step({"p": p}, {"p": g})
    return p, opt.state["p"]["momentum_buffer"]


def test_momentum_update_right_and_equivalent():
    assert ex.check_momentum_update(_momentum).correct
    assert ex.check_momentum_update(lambda *a: list(_momentum(*a))).correct
    assert ex.check_momentum_update(_momentum_by_bplib).correct
    assert ex.check_momentum_update(...).status == "not-attempted"
    assert ex.check_momentum_update(lambda *a: ...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda th, m, g, lr, mu: (th - lr * m, mu * m + g), "the old buffer"),
    (lambda th, m, g, lr, mu: (th - lr * (mu * m + (1 - mu) * g), mu * m + (1 - mu) * g),
     "an average where momentum sums"),
    (lambda th, m, g, lr, mu: (th - lr * (g + mu * (mu * m + g)), mu * m + g),
     "Nesterov's step"),
    (lambda th, m, g, lr, mu: _momentum(th, m, g, lr, mu)[::-1], "the results swapped"),
    (lambda th, m, g, lr, mu: (th - lr * g, g), "the momentum term left out"),
    (lambda th, m, g, lr, mu: (th + lr * (mu * m + g), mu * m + g), "a step uphill"),
    (lambda th, m, g, lr, mu: (th - (mu * m + lr * g), mu * m + lr * g),
     "the learning rate inside the buffer"),
])
def test_momentum_update_mistakes(fn, mistake):
    fb = ex.check_momentum_update(fn)
    assert not fb.correct and fb.mistake == mistake


def test_momentum_update_errors_are_reported():
    def broken(theta, m, g, lr, mu):
        raise KeyError("oops")
    assert ex.check_momentum_update(broken).status == "error"
    assert ex.check_momentum_update(lambda *a: None).mistake == "no return value"


# ------------------------------------------------------------ 3. Nesterov
def _nesterov(theta, m, g, lr, mu):
    m = mu * m + g
    return theta - lr * (g + mu * m), m


def test_nesterov_right_and_equivalent():
    assert ex.check_nesterov_update(_nesterov).correct
    # the old buffer in the look-ahead, g + mu * m, equals m_new: it is classic momentum
    fb = ex.check_nesterov_update(lambda th, m, g, lr, mu: (th - lr * (g + mu * m), mu * m + g))
    assert fb.mistake == "classic momentum"

    def by_bplib(theta, m, g, lr, mu):
        opt, p = SGD(lr=lr, momentum=mu, nesterov=True), np.array(theta, dtype=float)
        opt.step({"p": p}, {"p": np.zeros_like(p)})
        opt.state["p"]["momentum_buffer"][...] = m
        p[...] = theta
        opt.step({"p": p}, {"p": g})
        return p, opt.state["p"]["momentum_buffer"]
    assert ex.check_nesterov_update(by_bplib).correct
    assert ex.check_nesterov_update(...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (_momentum, "classic momentum"),
    (lambda th, m, g, lr, mu: (th - lr * (g + (mu * m + g)), mu * m + g),
     "mu missing in the look-ahead"),
    (lambda *a: _nesterov(*a)[::-1], "the results swapped"),
    (lambda th, m, g, lr, mu: (th + lr * (g + mu * (mu * m + g)), mu * m + g), "a step uphill"),
])
def test_nesterov_mistakes(fn, mistake):
    fb = ex.check_nesterov_update(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 4. RMSprop
def _rmsprop(theta, v, g, lr, alpha, eps):
    v = alpha * v + (1 - alpha) * g ** 2
    return theta - lr * g / (np.sqrt(v) + eps), v


def test_rmsprop_right_and_equivalent():
    assert ex.check_rmsprop_update(_rmsprop).correct

    def by_bplib(theta, v, g, lr, alpha, eps):
        opt, p = RMSprop(lr=lr, alpha=alpha, eps=eps), np.array(theta, dtype=float)
        opt.state["p"] = {"step": 0, "square_avg": np.array(v, dtype=float),
                          "momentum_buffer": np.zeros_like(p)}
        opt.step({"p": p}, {"p": g})
        return p, opt.state["p"]["square_avg"]
    assert ex.check_rmsprop_update(by_bplib).correct
    assert ex.check_rmsprop_update(...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda th, v, g, lr, a, e: (th - lr * g / np.sqrt(a * v + (1 - a) * g * g + e),
                                 a * v + (1 - a) * g * g), "eps inside the root"),
    (lambda th, v, g, lr, a, e: (th - lr * g / (a * v + (1 - a) * g * g + e),
                                 a * v + (1 - a) * g * g), "no square root"),
    (lambda th, v, g, lr, a, e: _rmsprop(th, v, g, lr, 1 - a, e),
     "alpha and 1 - alpha swapped"),
    (lambda th, v, g, lr, a, e: (th - lr * g / (np.sqrt(v) + e), a * v + (1 - a) * g * g),
     "the old average in the step"),
    (lambda *a: _rmsprop(*a)[::-1], "the results swapped"),
    (lambda th, v, g, lr, a, e: (th + lr * g / (np.sqrt(a * v + (1 - a) * g * g) + e),
                                 a * v + (1 - a) * g * g), "a step uphill"),
    (lambda th, v, g, lr, a, e: (th - lr * g / np.sqrt(a * v + (1 - a) * g * g),
                                 a * v + (1 - a) * g * g), "eps left out"),
])
def test_rmsprop_mistakes(fn, mistake):
    fb = ex.check_rmsprop_update(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 5. Adam
def _adam(theta, m, v, g, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def _adam_by_bplib(cls, theta, m, v, g, t, lr, beta1, beta2, eps, **kw):
    opt, p = cls(lr=lr, betas=(beta1, beta2), eps=eps, **kw), np.array(theta, dtype=float)
    opt.state["p"] = {"step": t - 1, "exp_avg": np.array(m, dtype=float),
                      "exp_avg_sq": np.array(v, dtype=float)}
    opt.step({"p": p}, {"p": g})
    return p, opt.state["p"]["exp_avg"], opt.state["p"]["exp_avg_sq"]


def test_adam_right_and_equivalent():
    assert ex.check_adam_update(_adam).correct
    assert ex.check_adam_update(lambda *a: _adam_by_bplib(Adam, *a)).correct

    def folded(theta, m, v, g, t, lr, b1, b2, eps):     # PyTorch's arrangement
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        step = lr / (1 - b1 ** t)
        return theta - step * m / (np.sqrt(v) / math.sqrt(1 - b2 ** t) + eps), m, v
    assert ex.check_adam_update(folded).correct
    assert ex.check_adam_update(...).status == "not-attempted"


@pytest.mark.parametrize("change, mistake", [
    (dict(cm=0, cv=0), "no bias correction"),
    (dict(cv=0), "only m corrected"),
    (dict(cm=0), "only v corrected"),
    (dict(swap=True), "corrections applied to the wrong moment"),
    (dict(store=True), "the corrected moments stored"),
    (dict(t0=True), "t counted from 0"),
    (dict(eps_in=True), "eps inside the root"),
    (dict(eps_raw=True), "eps added before the correction"),
    (dict(uphill=True), "a step uphill"),
])
def test_adam_mistakes(change, mistake):
    fb = ex.check_adam_update(lambda *a: ex._adam_with(*a, **change))
    assert not fb.correct and fb.mistake == mistake


def test_adam_without_correction_written_by_hand_is_named():
    def no_correction(theta, m, v, g, t, lr, b1, b2, eps):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        return theta - lr * m / (np.sqrt(v) + eps), m, v
    assert ex.check_adam_update(no_correction).mistake == "no bias correction"


# ------------------------------------------------------------ 6. best momentum
def test_best_momentum():
    r = (math.sqrt(ex.KAPPA) - 1) / (math.sqrt(ex.KAPPA) + 1)
    assert ex.check_best_momentum(r * r, r).correct
    assert ex.check_best_momentum(round(r * r, 3), round(r, 3)).correct
    assert ex.check_best_momentum(..., ...).status == "not-attempted"
    assert ex.check_best_momentum(r, r).mistake == "the rate, not the momentum"
    gd = (ex.KAPPA - 1) / (ex.KAPPA + 1)
    assert ex.check_best_momentum(gd ** 2, r).mistake == "kappa where sqrt(kappa) belongs"
    assert ex.check_best_momentum(r * r, gd).mistake == "gradient descent's rate"
    assert ex.check_best_momentum(r * r, r * r).mistake == "the momentum, not the rate"


# ------------------------------------------------------------ 7. cosine
def test_cosine_right_and_equivalent():
    from bplib.schedules import Cosine

    def mine(t, base_lr, T_max, eta_min):
        return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2
    assert ex.check_cosine_lr(mine).correct
    assert ex.check_cosine_lr(lambda t, b, T, e: Cosine(T, eta_min=e).lr(t, b)).correct
    assert ex.check_cosine_lr(
        lambda t, b, T, e: e + (b - e) * math.cos(math.pi * t / (2 * T)) ** 2).correct
    assert ex.check_cosine_lr(...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda t, b, T, e: b * (1 + math.cos(math.pi * t / T)) / 2, "eta_min left out"),
    (lambda t, b, T, e: e + (b - e) * math.cos(math.pi * t / T), "cos without (1 + ...) / 2"),
    (lambda t, b, T, e: e + (b - e) * (1 + math.cos(t / T)) / 2, "pi missing"),
    (lambda t, b, T, e: e + b * (1 + math.cos(math.pi * t / T)) / 2, "eta_min added twice"),
    (lambda t, b, T, e: e + (b - e) * (1 + math.cos(math.pi * (t + 1) / T)) / 2,
     "t counted from 1"),
    (lambda t, b, T, e: e + (b - e) * (1 + math.sin(math.pi * t / T)) / 2,
     "sin instead of cos"),
    (lambda t, b, T, e: e + (b - e) * (1 - math.cos(math.pi * t / T)) / 2,
     "the schedule runs backwards"),
])
def test_cosine_mistakes(fn, mistake):
    fb = ex.check_cosine_lr(fn)
    assert not fb.correct and fb.mistake == mistake


def test_cosine_hard_coded():
    assert ex.check_cosine_lr(lambda *a: 0.05).mistake == "hard-coded answer"


# ------------------------------------------------------------ 8. AdamW
def _adamw(theta, m, v, g, t, lr, b1, b2, eps, weight_decay):
    theta = theta * (1 - lr * weight_decay)
    return _adam(theta, m, v, g, t, lr, b1, b2, eps)


def test_adamw_right_and_equivalent():
    assert ex.check_adamw_update(_adamw).correct
    assert ex.check_adamw_update(
        lambda *a: _adam_by_bplib(AdamW, *a[:-1], weight_decay=a[-1])).correct
    assert ex.check_adamw_update(...).status == "not-attempted"


@pytest.mark.parametrize("how, mistake", [
    ("l2", "Adam with L2, not AdamW"),
    ("no lr", "the decay not multiplied by the learning rate"),
    ("after", "the decay after the step"),
])
def test_adamw_mistakes(how, mistake):
    fb = ex.check_adamw_update(lambda *a: ex._adamw_with(*a, how=how))
    assert not fb.correct and fb.mistake == mistake


def test_adamw_l2_by_bplib_is_named_and_no_decay_too():
    fb = ex.check_adamw_update(lambda *a: _adam_by_bplib(Adam, *a[:-1], weight_decay=a[-1]))
    assert fb.mistake == "Adam with L2, not AdamW"
    fb = ex.check_adamw_update(lambda *a: _adam(*a[:-1]))
    assert fb.mistake == "no decay at all"


def test_every_check_is_registered():
    assert sorted(ex.lab.checks, key=int) == [str(k) for k in range(1, 9)]


def test_adam_in_the_papers_faster_form_is_named():
    """Kingma and Ba's faster arrangement adds eps to sqrt(v_new), before the correction."""
    def paper(theta, m, v, g, t, lr, b1, b2, eps):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        step = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        return theta - step * m / (np.sqrt(v) + eps), m, v
    assert ex.check_adam_update(paper).mistake == "eps added before the correction"
