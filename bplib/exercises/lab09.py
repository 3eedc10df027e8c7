"""Checks for Lab 9, "Optimizers" (labs/lab09-optimizers.ipynb).

One momentum step by hand and momentum as a function (Chapter 9, eq. (ch09-momentum)),
Nesterov's step in the framework form (ch09-nesterov), RMSprop (ch09-rmsprop), Adam
with its bias corrections (ch09-adam), the best momentum for a condition number
(ch09-hb-best), a cosine schedule (ch09-cosine), and AdamW against Adam with an L2
penalty (ch09-adamw), (ch09-adam-l2). The checks name the classic mistakes: the old
buffer, the average where momentum sums, a missing or misplaced bias correction, ε
inside the root, the decay coupled to the gradient or not multiplied by η.

In the lab: ``from bplib.exercises import lab09 as ex``; ``ex.hint(5)`` shows a hint.
"""

from __future__ import annotations

import math

import numpy as np

from .core import TYPED_RTOL, Lab, Mistake, check_function, check_number, combine

lab = Lab("Lab 9")
hint = lab.hint

#: Exercise 1: one momentum step by hand.
MOMENTUM_STEP = dict(theta=0.5, m=-0.8, g=1.2, lr=0.1, mu=0.9)
#: Exercise 6: the condition number.
KAPPA = 50.0


def _rng_cases(seed, k, make):
    rng = np.random.default_rng(seed)
    return [make(rng, i) for i in range(k)]


# ------------------------------------------------------------ 1. one step by hand
@lab.exercise(1, hint="First the buffer: m_new = mu * m + g (the old buffer, shrunk, plus "
              "the new gradient). Then the step uses the NEW buffer: "
              "theta_new = theta - lr * m_new.")
def check_momentum_step(m_new, theta_new):
    """Exercise 1: m_new and theta_new for MOMENTUM_STEP, eq. (ch09-momentum)."""
    p = MOMENTUM_STEP
    theta, m, g, lr, mu = p["theta"], p["m"], p["g"], p["lr"], p["mu"]
    right_m = mu * m + g
    return combine(
        check_number(m_new, right_m, name="m_new", rtol=TYPED_RTOL, mistakes=[
            Mistake("the momentum term left out", "The buffer remembers: m_new = mu * m + g, "
                    "not just g.", value=g),
            Mistake("an average where momentum sums", "bplib's and PyTorch's momentum adds "
                    "the whole gradient: m_new = mu * m + g, without the factor (1 - mu).",
                    value=mu * m + (1 - mu) * g),
            Mistake("the gradient subtracted", "The buffer adds the gradient: "
                    "m_new = mu * m + g.", value=mu * m - g)]),
        check_number(theta_new, theta - lr * right_m, name="theta_new", rtol=TYPED_RTOL,
                     mistakes=[
            Mistake("the old buffer", "The step uses the buffer just updated, m_new, not "
                    "the old m.", value=theta - lr * m),
            Mistake("a plain gradient step", "That is theta - lr * g; momentum steps along "
                    "the buffer m_new.", value=theta - lr * g),
            Mistake("a step uphill", "Descend: theta_new = theta - lr * m_new.",
                    value=theta + lr * right_m),
            Mistake("the averaged buffer", "Your theta_new uses m_new with the factor "
                    "(1 - mu); the buffer is mu * m + g.",
                    value=theta - lr * (mu * m + (1 - mu) * g))]),
        name="one momentum step")


# ------------------------------------------------------------ 2. momentum as a function
def _momentum(theta, m, g, lr, mu):
    m_new = mu * m + g
    return theta - lr * m_new, m_new


def _state_cases(seed, k=5):
    def make(rng, i):
        shape = [(3,), (2, 3), (4,), (1,), (2, 2)][i]
        return (rng.normal(size=shape).round(3), rng.normal(size=shape).round(3),
                rng.normal(size=shape).round(3), [0.1, 0.05, 0.2, 0.01, 0.3][i],
                [0.9, 0.5, 0.8, 0.99, 0.7][i])
    return _rng_cases(seed, k, make)


_RETURNS2 = ("theta_new", "m_new")


@lab.exercise(2, hint="Two lines: m_new = mu * m + g, then theta_new = theta - lr * m_new. "
              "Return (theta_new, m_new) in that order, and do not change the inputs.")
def check_momentum_update(fn):
    """Exercise 2: momentum_update(theta, m, g, lr, mu) -> (theta_new, m_new)."""
    return check_function(fn, _momentum, _state_cases(902), name="momentum_update",
                          returns=_RETURNS2, mistakes=[
        Mistake("the old buffer", "Update the buffer first and step along the new one: "
                "theta - lr * (mu * m + g).",
                function=lambda th, m, g, lr, mu: (th - lr * m, mu * m + g)),
        Mistake("an average where momentum sums", "The buffer is mu * m + g (PyTorch's "
                "SGD), not mu * m + (1 - mu) * g.",
                function=lambda th, m, g, lr, mu: (th - lr * (mu * m + (1 - mu) * g),
                                                   mu * m + (1 - mu) * g)),
        Mistake("Nesterov's step", "That is Nesterov's step, theta - lr * (g + mu * m_new); "
                "classic momentum steps along m_new alone.",
                function=lambda th, m, g, lr, mu: (th - lr * (g + mu * (mu * m + g)),
                                                   mu * m + g)),
        Mistake("the results swapped", "Return (theta_new, m_new), in that order.",
                function=lambda th, m, g, lr, mu: _momentum(th, m, g, lr, mu)[::-1]),
        Mistake("the momentum term left out", "m_new = mu * m + g: the old buffer, "
                "shrunk by mu, is what momentum remembers.",
                function=lambda th, m, g, lr, mu: (th - lr * g, g)),
        Mistake("a step uphill", "Descend: theta_new = theta - lr * m_new.",
                function=lambda th, m, g, lr, mu: (th + lr * (mu * m + g), mu * m + g)),
        Mistake("the learning rate inside the buffer", "Here the buffer sums gradients, "
                "m_new = mu * m + g, and lr multiplies only the step, theta - lr * m_new. "
                "(Some texts keep a velocity mu * v + lr * g instead: a different state.)",
                function=lambda th, m, g, lr, mu: (th - (mu * m + lr * g), mu * m + lr * g)),
    ])


# ------------------------------------------------------------ 3. Nesterov
def _nesterov(theta, m, g, lr, mu):
    m_new = mu * m + g
    return theta - lr * (g + mu * m_new), m_new


@lab.exercise(3, hint="The buffer is updated as for momentum, m_new = mu * m + g; the step "
              "adds the look-ahead: theta_new = theta - lr * (g + mu * m_new).")
def check_nesterov_update(fn):
    """Exercise 3: nesterov_update(theta, m, g, lr, mu) -> (theta_new, m_new),
    eq. (ch09-nesterov)."""
    return check_function(fn, _nesterov, _state_cases(903), name="nesterov_update",
                          returns=_RETURNS2, mistakes=[
        Mistake("classic momentum", "That is the heavy-ball step, theta - lr * m_new "
                "(g + mu * m with the OLD buffer is the same thing). Nesterov's look-ahead "
                "uses the new buffer: theta - lr * (g + mu * m_new).",
                function=_momentum),
        Mistake("mu missing in the look-ahead", "The look-ahead adds mu times the new "
                "buffer: theta - lr * (g + mu * m_new).",
                function=lambda th, m, g, lr, mu: (th - lr * (g + mu * m + g), mu * m + g)),
        Mistake("the results swapped", "Return (theta_new, m_new), in that order.",
                function=lambda th, m, g, lr, mu: _nesterov(th, m, g, lr, mu)[::-1]),
        Mistake("a step uphill", "Descend: theta_new = theta - lr * (g + mu * m_new).",
                function=lambda th, m, g, lr, mu: (th + lr * (g + mu * (mu * m + g)),
                                                   mu * m + g)),
    ])


# ------------------------------------------------------------ 4. RMSprop
def _rmsprop(theta, v, g, lr, alpha, eps):
    v_new = alpha * v + (1 - alpha) * g * g
    return theta - lr * g / (np.sqrt(v_new) + eps), v_new


def _rms_cases(seed=904):
    def make(rng, i):
        shape = [(3,), (2, 3), (4,), (2,), (1,)][i]
        v = np.abs(rng.normal(size=shape)).round(3) + 0.01
        return (rng.normal(size=shape).round(3), v, rng.normal(size=shape).round(3),
                [0.01, 0.001, 0.1, 0.05, 0.02][i], [0.99, 0.9, 0.5, 0.8, 0.95][i],
                [1e-8, 1e-6, 1e-3, 0.1, 1e-8][i])
    return _rng_cases(seed, 5, make)


@lab.exercise(4, hint="v_new = alpha * v + (1 - alpha) * g**2, then "
              "theta_new = theta - lr * g / (sqrt(v_new) + eps): eps outside the root.")
def check_rmsprop_update(fn):
    """Exercise 4: rmsprop_update(theta, v, g, lr, alpha, eps) -> (theta_new, v_new),
    eq. (ch09-rmsprop)."""
    return check_function(fn, _rmsprop, _rms_cases(), name="rmsprop_update",
                          returns=("theta_new", "v_new"), mistakes=[
        Mistake("eps inside the root", "PyTorch (and the chapter) add eps after the root: "
                "sqrt(v_new) + eps, not sqrt(v_new + eps).",
                function=lambda th, v, g, lr, a, e: (
                    th - lr * g / np.sqrt(a * v + (1 - a) * g * g + e),
                    a * v + (1 - a) * g * g)),
        Mistake("no square root", "Divide by the root mean square, sqrt(v_new) + eps: "
                "v is a mean of squares.",
                function=lambda th, v, g, lr, a, e: (
                    th - lr * g / (a * v + (1 - a) * g * g + e), a * v + (1 - a) * g * g)),
        Mistake("alpha and 1 - alpha swapped", "The old average keeps the weight alpha "
                "(0.99): v_new = alpha * v + (1 - alpha) * g**2.",
                function=lambda th, v, g, lr, a, e: _rmsprop(th, v, g, lr, 1 - a, e)),
        Mistake("the old average in the step", "Update v first, then divide by "
                "sqrt(v_new) + eps.",
                function=lambda th, v, g, lr, a, e: (th - lr * g / (np.sqrt(v) + e),
                                                     a * v + (1 - a) * g * g)),
        Mistake("the results swapped", "Return (theta_new, v_new), in that order.",
                function=lambda *args: _rmsprop(*args)[::-1]),
        Mistake("a step uphill", "Descend: theta_new = theta - lr * g / (sqrt(v_new) + eps).",
                function=lambda th, v, g, lr, a, e: (2 * th - _rmsprop(th, v, g, lr, a, e)[0],
                                                     a * v + (1 - a) * g * g)),
        Mistake("eps left out", "Add eps to the root, sqrt(v_new) + eps: it keeps the "
                "division safe where v_new is tiny.",
                function=lambda th, v, g, lr, a, e: _rmsprop(th, v, g, lr, a, 0.0)),
    ])


# ------------------------------------------------------------ 5. Adam
def _adam_with(th, m, v, g, t, lr, b1, b2, eps, *, cm=1, cv=1, swap=False, store=False,
               t0=False, eps_in=False, eps_raw=False, uphill=False):
    """Adam's step with one thing changed (for naming mistakes); the defaults are right."""
    m_new = b1 * m + (1 - b1) * g
    v_new = b2 * v + (1 - b2) * g * g
    tt = t - 1 if t0 else t
    c1, c2 = (1 - b2 ** tt, 1 - b1 ** tt) if swap else (1 - b1 ** tt, 1 - b2 ** tt)
    m_hat = m_new / c1 if cm else m_new
    v_hat = v_new / c2 if cv else v_new
    denom = np.sqrt(v_hat + eps) if eps_in else np.sqrt(v_hat) + eps
    if eps_raw:                  # eps added to sqrt(v_new) before the correction
        denom = (np.sqrt(v_new) + eps) / math.sqrt(c2)
    theta_new = th + lr * m_hat / denom if uphill else th - lr * m_hat / denom
    if store:
        return theta_new, m_hat, v_hat
    return theta_new, m_new, v_new


def _adam(theta, m, v, g, t, lr, beta1, beta2, eps):
    return _adam_with(theta, m, v, g, t, lr, beta1, beta2, eps)


def _adam_cases(seed=905):
    def make(rng, i):
        shape = [(3,), (2, 2), (4,), (2,), (3,)][i]
        t = [3, 10, 2, 50, 1][i]
        m = np.zeros(shape) if t == 1 else rng.normal(size=shape).round(3) * 0.1
        v = np.zeros(shape) if t == 1 else np.abs(rng.normal(size=shape)).round(3) * 0.01
        return (rng.normal(size=shape).round(3), m, v, rng.normal(size=shape).round(3), t,
                [0.001, 0.01, 0.1, 0.003, 0.01][i], [0.9, 0.8, 0.9, 0.5, 0.9][i],
                [0.999, 0.99, 0.999, 0.9, 0.999][i], [1e-8, 1e-8, 1e-3, 1e-8, 1e-8][i])
    return _rng_cases(seed, 5, make)


_ADAM_RETURNS = ("theta_new", "m_new", "v_new")


def _adam_mistakes(fn_of):
    """The named mistakes of Adam's step; ``fn_of(**change)`` makes a wrong function."""
    return [
        Mistake("no bias correction", "Divide m_new by (1 - beta1**t) and v_new by "
                "(1 - beta2**t) before the step: both averages start at 0 and are too "
                "small for the first steps.", function=fn_of(cm=0, cv=0)),
        Mistake("only m corrected", "v_new needs its correction too: "
                "v_hat = v_new / (1 - beta2**t).", function=fn_of(cv=0)),
        Mistake("only v corrected", "m_new needs its correction too: "
                "m_hat = m_new / (1 - beta1**t).", function=fn_of(cm=0)),
        Mistake("corrections applied to the wrong moment", "Each average is corrected with "
                "its own beta: m_new / (1 - beta1**t) and v_new / (1 - beta2**t).",
                function=fn_of(swap=True)),
        Mistake("the corrected moments stored", "Keep the uncorrected averages as the "
                "state (return m_new and v_new); the corrections only enter the step.",
                function=fn_of(store=True)),
        Mistake("t counted from 0", "t is the number of this step, 1 on the first step: "
                "use beta**t, not beta**(t - 1).", function=fn_of(t0=True)),
        Mistake("eps inside the root", "PyTorch adds eps after the root: "
                "sqrt(v_hat) + eps.", function=fn_of(eps_in=True)),
        Mistake("eps added before the correction", "That is the faster form of Adam's "
                "paper, (sqrt(v_new) + eps) / sqrt(1 - beta2**t), whose eps means something "
                "slightly different; PyTorch (and the lab) add eps to the corrected root: "
                "sqrt(v_hat) + eps.", function=fn_of(eps_raw=True)),
        Mistake("a step uphill", "Descend: theta_new = theta - lr * m_hat / "
                "(sqrt(v_hat) + eps).", function=fn_of(uphill=True)),
    ]


@lab.exercise(5, hint="m_new = beta1*m + (1-beta1)*g and v_new = beta2*v + (1-beta2)*g**2; "
              "m_hat = m_new / (1 - beta1**t), v_hat = v_new / (1 - beta2**t); "
              "theta_new = theta - lr * m_hat / (sqrt(v_hat) + eps). Return "
              "(theta_new, m_new, v_new): the state keeps the uncorrected averages.")
def check_adam_update(fn):
    """Exercise 5: adam_update(theta, m, v, g, t, lr, beta1, beta2, eps) ->
    (theta_new, m_new, v_new), eq. (ch09-adam)."""
    def wrong(**change):
        return lambda *args: _adam_with(*args, **change)
    cases = _adam_cases()
    later = [c for c in cases if c[4] > 1]       # t counted from 0 divides by 0 at t = 1
    first = check_function(fn, _adam, later, name="adam_update", returns=_ADAM_RETURNS,
                           mistakes=_adam_mistakes(wrong))
    if not first.correct:
        return first
    return check_function(fn, _adam, [c for c in cases if c[4] == 1], name="adam_update",
                          returns=_ADAM_RETURNS, mistakes=_adam_mistakes(wrong))


# ------------------------------------------------------------ 6. the best momentum
@lab.exercise(6, hint="With sqrt(kappa): the rate is (sqrt(kappa) - 1) / (sqrt(kappa) + 1), "
              "and the best momentum is the rate squared (Chapter 9, eq. (ch09-hb-best)).")
def check_best_momentum(mu, rate):
    """Exercise 6: the best heavy-ball momentum and its rate for KAPPA."""
    k = KAPPA
    r = (math.sqrt(k) - 1) / (math.sqrt(k) + 1)
    gd = (k - 1) / (k + 1)
    return combine(
        check_number(mu, r * r, name="the best momentum mu", rtol=TYPED_RTOL, mistakes=[
            Mistake("the rate, not the momentum", "That is the rate sqrt(mu*); the best "
                    "momentum is its square, ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))**2.",
                    value=r),
            Mistake("kappa where sqrt(kappa) belongs", "The formula uses the square root "
                    "of the condition number: ((sqrt(kappa) - 1) / (sqrt(kappa) + 1))**2.",
                    value=gd * gd)]),
        check_number(rate, r, name="the rate", rtol=TYPED_RTOL, mistakes=[
            Mistake("gradient descent's rate", "(kappa - 1) / (kappa + 1) is the rate of "
                    "plain gradient descent; momentum's has sqrt(kappa) in its place.",
                    value=gd),
            Mistake("the momentum, not the rate", "The rate is sqrt(mu*), the root of your "
                    "momentum.", value=r * r)]),
        name="the best momentum")


# ------------------------------------------------------------ 7. a cosine schedule
def _cosine(t, base_lr, T_max, eta_min):
    return eta_min + (base_lr - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2


def _cosine_cases():
    return [(0, 0.1, 10, 0.0), (5, 0.1, 10, 0.0), (3, 0.5, 8, 0.01), (8, 0.5, 8, 0.01),
            (7, 0.02, 20, 0.001), (12, 1.0, 12, 0.1)]


@lab.exercise(7, hint="eta_t = eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2: "
              "base_lr at t = 0, eta_min at t = T_max.")
def check_cosine_lr(fn):
    """Exercise 7: cosine_lr(t, base_lr, T_max, eta_min), eq. (ch09-cosine)."""
    return check_function(fn, _cosine, _cosine_cases(), name="cosine_lr", mistakes=[
        Mistake("eta_min left out", "The cosine runs from base_lr down to eta_min: "
                "eta_min + (base_lr - eta_min) * (1 + cos(pi t / T_max)) / 2.",
                function=lambda t, b, T, e: b * (1 + math.cos(math.pi * t / T)) / 2),
        Mistake("cos without (1 + ...) / 2", "cos(pi t / T_max) runs from 1 to -1; "
                "(1 + cos) / 2 runs from 1 to 0, which is the fraction wanted.",
                function=lambda t, b, T, e: e + (b - e) * math.cos(math.pi * t / T)),
        Mistake("pi missing", "Half a period over T_max epochs: cos(pi * t / T_max).",
                function=lambda t, b, T, e: e + (b - e) * (1 + math.cos(t / T)) / 2),
        Mistake("eta_min added twice", "The rate at t = T_max is eta_min: "
                "eta_min + (base_lr - eta_min) * ..., not eta_min + base_lr * ...",
                function=lambda t, b, T, e: e + b * (1 + math.cos(math.pi * t / T)) / 2),
        Mistake("t counted from 1", "Epoch t counts from 0: the first epoch has base_lr.",
                function=lambda t, b, T, e: _cosine(t + 1, b, T, e)),
        Mistake("sin instead of cos", "The schedule starts at base_lr: at t = 0, "
                "(1 + cos 0) / 2 = 1, while sin 0 = 0.",
                function=lambda t, b, T, e: e + (b - e) * (1 + math.sin(math.pi * t / T)) / 2),
        Mistake("the schedule runs backwards", "(1 - cos) / 2 climbs from eta_min to "
                "base_lr; the schedule falls: (1 + cos(pi t / T_max)) / 2.",
                function=lambda t, b, T, e: e + (b - e) * (1 - math.cos(math.pi * t / T)) / 2),
    ])


# ------------------------------------------------------------ 8. AdamW
def _adamw_with(th, m, v, g, t, lr, b1, b2, eps, wd, *, how="decoupled"):
    if how == "l2":
        return _adam_with(th, m, v, g + wd * th, t, lr, b1, b2, eps)
    if how == "after":
        new, m_new, v_new = _adam_with(th, m, v, g, t, lr, b1, b2, eps)
        return new * (1 - lr * wd), m_new, v_new
    factor = {"decoupled": 1 - lr * wd, "no lr": 1 - wd}[how]
    return _adam_with(th * factor, m, v, g, t, lr, b1, b2, eps)


def _adamw(theta, m, v, g, t, lr, beta1, beta2, eps, weight_decay):
    return _adamw_with(theta, m, v, g, t, lr, beta1, beta2, eps, weight_decay)


def _adamw_cases():
    wds = [0.01, 0.1, 0.5, 0.05, 0.2]
    return [(*case, wd) for case, wd in zip(_adam_cases(908), wds)]


@lab.exercise(8, hint="First shrink: theta_dec = theta * (1 - lr * weight_decay). Then "
              "Adam's step from theta_dec with the gradient g as it is (nothing added to "
              "g). Return (theta_new, m_new, v_new).")
def check_adamw_update(fn):
    """Exercise 8: adamw_update(theta, m, v, g, t, lr, beta1, beta2, eps, weight_decay) ->
    (theta_new, m_new, v_new), eq. (ch09-adamw)."""
    def wrong(how):
        return lambda *args: _adamw_with(*args, how=how)
    return check_function(fn, _adamw, _adamw_cases(), name="adamw_update",
                          returns=_ADAM_RETURNS, mistakes=[
        Mistake("Adam with L2, not AdamW", "You added weight_decay * theta to the "
                "gradient: that is Adam's coupled L2 form (ch09-adam-l2). AdamW shrinks "
                "theta directly and gives Adam the undecayed g.", function=wrong("l2")),
        Mistake("the decay not multiplied by the learning rate", "PyTorch's AdamW shrinks "
                "by (1 - lr * weight_decay), not (1 - weight_decay).",
                function=wrong("no lr")),
        Mistake("the decay after the step", "PyTorch shrinks theta first, then takes "
                "Adam's step from the shrunk theta.", function=wrong("after")),
        Mistake("no decay at all", "Shrink theta by (1 - lr * weight_decay) before Adam's "
                "step.", function=lambda th, m, v, g, t, lr, b1, b2, e, wd:
                _adam_with(th, m, v, g, t, lr, b1, b2, e)),
    ])
