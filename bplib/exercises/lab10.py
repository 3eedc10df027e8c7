"""Checks for Lab 10, "Vanishing and exploding gradients" (labs/lab10-vanishing-exploding.ipynb).

The sigmoid's slope bound (Chapter 10, eq. (ch10-sigma-bound)), the gradient through a
chain of sigmoid neurons (ch10-chain), Xavier and He scales (ch10-xavier), (ch10-he),
the variance factor of one layer (ch10-var-forward), dead ReLU units, clipping by norm
and by value (ch10-clip-norm), (ch10-clip-value), the update-to-weight ratio
(ch10-ratio), and an initialisation picked for a network. The checks name the classic
mistakes: fan-out for fan-in, the missing factor 2, variance for standard deviation,
clipping each tensor separately, a one-sided clip.

In the lab: ``from bplib.exercises import lab10 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import numpy as np

from bplib.activations import ReLU, sigmoid
from bplib.layers import Dense
from bplib.network import Sequential

from .core import TYPED_RTOL, Lab, Mistake, _unfinished, check_function, check_number, combine
from .feedback import CORRECT, INCORRECT, NOT_ATTEMPTED, Feedback

lab = Lab("Lab 10")
hint = lab.hint

#: Exercise 2: the depth of the chain and the weights' largest size.
CHAIN = dict(L=10, w_max=1.0)
#: Exercise 5: a layer's fan-in and its weights' standard deviation.
LAYER = dict(n_in=256, std=0.1)


# ------------------------------------------------------------ 1. the slope's bound
@lab.exercise(1, hint="sigma'(z) = sigma(z) (1 - sigma(z)) = s (1 - s). The product "
              "s (1 - s) of two numbers that add up to 1 is largest when they are equal.")
def check_sigma_bound(max_slope, z_at_max):
    """Exercise 1: the largest value of sigma'(z), and the z where it is reached."""
    return combine(
        check_number(max_slope, 0.25, name="the largest slope", rtol=TYPED_RTOL,
                     mistakes=[
            Mistake("sigma(0) instead of sigma'(0)", "sigma(0) = 0.5 is the value of the "
                    "sigmoid; its slope there is sigma(0) (1 - sigma(0)) = 0.25.",
                    value=0.5),
            Mistake("tanh's slope", "1 is the largest slope of tanh (at 0). The sigmoid's "
                    "is sigma(0) (1 - sigma(0)).", value=1.0),
            Mistake("the slope at z = 1", "sigma'(1) is not the largest: the slope is "
                    "largest where sigma(z) = 1/2.",
                    value=float(sigmoid(1.0) * (1 - sigmoid(1.0))))]),
        check_number(z_at_max, 0.0, name="the z of the largest slope", atol=1e-3,
                     mistakes=[
            Mistake("sigma(z) instead of z", "sigma(z) = 0.5 there; the question asks for "
                    "z itself.", value=0.5)]),
        name="the bound on sigma'")


# ------------------------------------------------------------ 2. the bound through L layers
@lab.exercise(2, hint="Each of the L layers contributes one factor w_l sigma'(z_l) to eq. "
              "(ch10-chain) (the first one sigma'(z_1) alone); with |w| <= 1 each factor is at "
              "most 1/4. Multiply them.")
def check_depth_bound(bound):
    """Exercise 2: the largest factor by which L = 10 sigmoid layers can pass a gradient."""
    L = CHAIN["L"]
    return check_number(bound, 0.25 ** L, name=f"the bound for L = {L}", rtol=TYPED_RTOL,
                        mistakes=[
        Mistake("one factor too few", f"There are L = {L} slopes in eq. (ch10-chain), one "
                "per layer, the first layer's included.", value=0.25 ** (L - 1)),
        Mistake("one factor too many", f"There are L = {L} slopes in eq. (ch10-chain), one "
                "per layer.", value=0.25 ** (L + 1)),
        Mistake("a sum instead of a product", "The chain rule multiplies the factors "
                "along the path; it does not add them.", value=0.25 * L),
        Mistake("1/2 per layer", "The sigmoid's slope is at most 1/4, not 1/2 "
                "(exercise 1).", value=0.5 ** L),
        Mistake("the bound itself, not the power", "That is one layer's factor; L layers "
                "multiply L of them.", value=0.25),
        Mistake("how many times smaller, not the factor", f"4**{L} is how many times "
                f"smaller the gradient can get; the factor itself is its inverse, "
                f"0.25**{L}.", value=4.0 ** L),
        Mistake("rounded to a power of ten", f"1e-6 is right to one significant digit; "
                f"give three: 0.25**{L} = {0.25 ** L:.3g}.", value=1e-6)])


# ------------------------------------------------------------ 3. the gradient through a chain
def _chain(w, b, x, *, slope=True, weights="rest", which="b", of_output=False):
    """da_L/db_1 (or a variant, for naming mistakes) for a chain of sigmoid neurons."""
    a, zs = x, []
    for wl, bl in zip(w, b):
        zs.append(wl * a + bl)
        a = sigmoid(zs[-1])
    s = [sigmoid(z) * (1 - sigmoid(z)) if slope else sigmoid(z) for z in zs]
    if of_output:                # sigma' evaluated at a_l = sigma(z_l) instead of z_l
        s = [sigmoid(sigmoid(z)) * (1 - sigmoid(sigmoid(z))) for z in zs]
    g = s[0]
    if which == "w":
        g = g * x
    for l in range(1, len(w)):
        g = g * (w[l] if weights != "none" else 1.0) * s[l]
    if weights == "all":
        g = g * w[0]
    return float(g)


def _chain_reference(w, b, x):
    """da_L/db_1 of the chain a_l = sigmoid(w_l a_(l-1) + b_l), a_0 = x (eq. (ch10-chain))."""
    return _chain(w, b, x)


def _chain_cases():
    rng = np.random.default_rng(1001)
    cases = []
    for L in (1, 2, 3, 5, 7):
        cases.append((rng.uniform(-2, 2, L).round(3), rng.normal(size=L).round(3),
                      round(float(rng.normal()), 3)))
    return cases


@lab.exercise(3, hint="Forward first, keeping every z_l = w_l a_(l-1) + b_l. Then start "
              "with sigma'(z_1) (the first bias enters z_1 with factor 1) and multiply by "
              "w_l sigma'(z_l) for l = 2..L.")
def check_chain_gradient(fn):
    """Exercise 3: chain_grad(w, b, x) = da_L/db_1, eq. (ch10-chain)."""
    return check_function(fn, _chain_reference, _chain_cases(), name="chain_grad(w, b, x)",
                          mistakes=[
        Mistake("the weights left out", "Each later layer multiplies by w_l as well as by "
                "its slope: the factor is w_l sigma'(z_l).",
                function=lambda w, b, x: _chain(w, b, x, weights="none")),
        Mistake("the first weight included", "b_1 enters z_1 = w_1 x + b_1 with factor 1: "
                "w_1 is not on the path from b_1. Multiply by w_l for l = 2..L only.",
                function=lambda w, b, x: _chain(w, b, x, weights="all")),
        Mistake("sigma instead of sigma'", "Multiply by the slopes sigma'(z_l) = "
                "sigma(z_l) (1 - sigma(z_l)), not the outputs sigma(z_l).",
                function=lambda w, b, x: _chain(w, b, x, slope=False)),
        Mistake("the gradient of w_1, not b_1", "You multiplied by the input x: that is "
                "da_L/dw_1. The bias enters with factor 1.",
                function=lambda w, b, x: _chain(w, b, x, which="w")),
        Mistake("sigma' of the output, not of z", "sigmoid_prime(a_l) evaluates the slope "
                "at a_l = sigma(z_l); the slope is sigma'(z_l) = a_l (1 - a_l), i.e. "
                "sigmoid_prime(z_l).",
                function=lambda w, b, x: _chain(w, b, x, of_output=True)),
    ])


# ------------------------------------------------------------ 4. Xavier and He
def _xavier(n_in, n_out):
    return float(np.sqrt(2.0 / (n_in + n_out)))


def _he(n_in, n_out):
    return float(np.sqrt(2.0 / n_in))


_FAN_CASES = [(784, 256), (256, 10), (64, 64), (3, 500), (1000, 30)]


@lab.exercise(4, hint="Standard deviations, not variances: Xavier sqrt(2 / (n_in + n_out)), "
              "eq. (ch10-xavier); He sqrt(2 / n_in), eq. (ch10-he): the fan-in, the number "
              "of inputs each neuron adds up.")
def check_scales(xavier_std, he_std):
    """Exercise 4: xavier_std(n_in, n_out) and he_std(n_in, n_out), normal initialisation."""
    return combine(
        check_function(xavier_std, _xavier, _FAN_CASES, name="xavier_std(n_in, n_out)",
                       mistakes=[
            Mistake("variance instead of standard deviation", "2 / (n_in + n_out) is the "
                    "variance; the standard deviation is its square root.",
                    function=lambda i, o: 2.0 / (i + o)),
            Mistake("missing factor 2", "Glorot and Bengio's compromise is the harmonic "
                    "mean: Var(w) = 2 / (n_in + n_out), with the 2.",
                    function=lambda i, o: float(np.sqrt(1.0 / (i + o)))),
            Mistake("He's scale where Xavier's was asked", "sqrt(2 / n_in) is He's; "
                    "Xavier's averages fan-in and fan-out: sqrt(2 / (n_in + n_out)).",
                    function=_he),
            Mistake("the uniform bound", "sqrt(6 / (n_in + n_out)) is the bound a of "
                    "xavier_uniform's U(-a, a); the normal's standard deviation is "
                    "sqrt(2 / (n_in + n_out)).",
                    function=lambda i, o: float(np.sqrt(6.0 / (i + o))))]),
        check_function(he_std, _he, _FAN_CASES, name="he_std(n_in, n_out)", mistakes=[
            Mistake("fan-out instead of fan-in", "He's variance is 2 / n_in: each neuron "
                    "adds up n_in inputs (eq. (ch10-var-forward)), not n_out.",
                    function=lambda i, o: float(np.sqrt(2.0 / o))),
            Mistake("missing factor 2", "The ReLU zeroes half its inputs, halving the "
                    "variance; He's 2 in Var(w) = 2 / n_in makes up for it.",
                    function=lambda i, o: float(np.sqrt(1.0 / i))),
            Mistake("variance instead of standard deviation", "2 / n_in is the variance; "
                    "the standard deviation is sqrt(2 / n_in).",
                    function=lambda i, o: 2.0 / i),
            Mistake("Xavier's scale where He's was asked", "sqrt(2 / (n_in + n_out)) is "
                    "Xavier's; He's uses the fan-in only: sqrt(2 / n_in).", function=_xavier),
            Mistake("the uniform bound", "sqrt(6 / n_in) is he_uniform's bound a; the "
                    "normal's standard deviation is sqrt(2 / n_in).",
                    function=lambda i, o: float(np.sqrt(6.0 / i)))]),
        name="Xavier and He")


# ------------------------------------------------------------ 5. one layer's factor
@lab.exercise(5, hint="Eq. (ch10-var-forward): Var(z) = n_in Var(w) E[x^2], so the factor "
              "is n_in Var(w), with Var(w) = std^2. A ReLU then keeps E[relu(z)^2] = Var(z) / 2.")
def check_variance_factor(factor_linear, factor_relu):
    """Exercise 5: Var(z) / E[x^2] for LAYER, and E[relu(z)^2] / E[x^2]."""
    n, s = LAYER["n_in"], LAYER["std"]
    lin = n * s ** 2
    return combine(
        check_number(factor_linear, lin, name="Var(z) / E[x^2]", rtol=TYPED_RTOL, mistakes=[
            Mistake("the standard deviation where the variance belongs", "Variances add: "
                    "Var(w) = std^2, so the factor is n_in std^2.", value=n * s),
            Mistake("the fan-in left out", "z adds up n_in terms, each of variance "
                    "Var(w) E[x^2]: multiply by n_in.", value=s ** 2),
            Mistake("a standard deviation instead of a variance", "That is the factor for "
                    "the standard deviation, sqrt(n_in) std; the variance's is n_in std^2.",
                    value=np.sqrt(n) * s)]),
        check_number(factor_relu, lin / 2, name="E[relu(z)^2] / E[x^2]", rtol=TYPED_RTOL,
                     mistakes=[
            Mistake("the ReLU's half left out", "The ReLU zeroes the negative half of a "
                    "symmetric z: E[relu(z)^2] = Var(z) / 2.", value=lin),
            Mistake("a quarter instead of a half", "Only the square's average is halved, "
                    "not squared again: E[relu(z)^2] = Var(z) / 2.", value=lin / 4),
            Mistake("He's 2 where the ReLU's half belongs", "He's initialisation doubles "
                    "Var(w) to make up for the ReLU; the ReLU itself halves the mean "
                    "square: E[relu(z)^2] = Var(z) / 2.", value=2 * lin)]),
        name="one layer's variance factor")


# ------------------------------------------------------------ 6. dead units
#: Exercise 6: the units of the hidden layer given a very negative bias.
DEAD = (1, 4, 6)


def dead_case():
    """(net, X) for exercise 6: a ReLU network 5 -> 8 -> 2 and 40 inputs; some of its
    hidden units never fire, others fire only sometimes."""
    rng = np.random.default_rng(1006)
    X = rng.normal(size=(40, 5))
    net = Sequential([Dense(5, 8, init="he", seed=61), ReLU(), Dense(8, 2, seed=62)],
                     loss="mse")
    b = net.params["dense0.b"]
    b[list(DEAD)] = -20.0
    b[[0, 3]] = -1.5            # off for most examples, not all
    return net, X


def _dead_mask():
    net, X = dead_case()
    Z = X @ net.params["dense0.W"] + net.params["dense0.b"]
    return np.all(Z <= 0, axis=0), np.any(Z <= 0, axis=0), Z


@lab.exercise(6, hint="Compute the hidden layer's inputs Z = X @ W + b with W, b = "
              "net.params['dense0.W'], net.params['dense0.b']. A unit (a column of Z) is "
              "dead if Z <= 0 in every row: np.all(Z <= 0, axis=0). Give the unit indices, "
              "e.g. np.flatnonzero(mask).")
def check_dead_units(dead):
    """Exercise 6: the indices (or a boolean mask) of the dead hidden units of dead_case()."""
    name = "the dead units"
    right, some, Z = _dead_mask()
    if _unfinished(dead):
        return Feedback(NOT_ATTEMPTED, name, "Replace the `...` with the dead units' "
                        "indices, then run the cell again.")
    if isinstance(dead, (set, frozenset, range)):
        dead = sorted(dead)
    arr = np.asarray(dead)
    if arr.dtype == bool:
        if arr.shape != right.shape:
            if arr.shape == (Z.shape[0],):
                return Feedback(INCORRECT, name, "Your mask has one entry per example "
                                "(row); a unit is a column of Z: use axis=0.",
                                mistake="the wrong axis")
            return Feedback(INCORRECT, name, f"A mask needs one entry per hidden unit, "
                            f"shape {right.shape}; yours has shape {arr.shape}.")
        got = set(np.flatnonzero(arr).tolist())
    else:
        try:
            got = {int(v) for v in np.ravel(arr)}
        except (TypeError, ValueError):
            return Feedback(INCORRECT, name, f"{dead!r}: give the indices of the dead units "
                            "as a list of ints, e.g. [0, 5].")
    want = set(np.flatnonzero(right).tolist())
    if got == want:
        return Feedback(CORRECT, name)
    if got == set(np.flatnonzero(some).tolist()):
        return Feedback(INCORRECT, name, "These units are off for SOME examples; a dead unit "
                        "is off for ALL of them (np.all, not np.any): only those get no "
                        "gradient at all.", mistake="off for some examples, not all")
    if got == {i + 1 for i in want}:
        return Feedback(INCORRECT, name, "numpy counts from 0: give the indices as Z[:, j] "
                        "would use them.", mistake="counted from 1")
    if got == set(range(Z.shape[1])) - want:
        return Feedback(INCORRECT, name, "Those are the living units; the dead ones are the "
                        "others.", mistake="the alive units")
    return Feedback(INCORRECT, name, f"{sorted(got)} is not the set of units whose input is "
                    "<= 0 for every example.")


# ------------------------------------------------------------ 7, 8. clipping
_KEYS = ("dense0.W", "dense0.b", "dense1.W")


def _clip_cases(scale, seed):
    rng = np.random.default_rng(seed)
    cases = []
    for k, (s, c) in enumerate([(scale, 1.0), (scale, 0.5), (0.01, 1.0), (scale, 2.0)]):
        g = {"dense0.W": rng.normal(0, s, (3, 2)).round(3),
             "dense0.b": rng.normal(0, s, 2).round(3),
             "dense1.W": rng.normal(0, s * (1 + 3 * (k % 2)), (2, 1)).round(3)}
        cases.append((g, c))
    return cases


def _as_tuple(fn):
    """The learner's dict -> dict function as one returning a tuple in _KEYS order."""
    if fn is Ellipsis or not callable(fn):
        return fn

    def call(grads, c):
        out = fn(grads, c)
        if isinstance(out, dict) and set(out) == set(grads):
            return tuple(out[k] for k in _KEYS)
        return out
    call.__name__ = getattr(fn, "__name__", "fn")
    return call


def _norm_all(grads):
    return float(np.sqrt(sum(float(np.sum(g * g)) for g in grads.values())))


def _clip_norm(grads, c):
    scale = min(1.0, c / _norm_all(grads))
    return tuple(grads[k] * scale for k in _KEYS)


def _clip_each(grads, c):
    return tuple(grads[k] * min(1.0, c / np.linalg.norm(grads[k])) for k in _KEYS)


def _rescale_always(grads, c):
    return tuple(grads[k] * c / _norm_all(grads) for k in _KEYS)


def _clip_value(grads, c):
    return tuple(np.clip(grads[k], -c, c) for k in _KEYS)


def _clip_sum_of_norms(grads, c):
    total = sum(float(np.linalg.norm(g)) for g in grads.values())
    return tuple(grads[k] * min(1.0, c / total) for k in _KEYS)


@lab.exercise(7, hint="One norm for all tensors together: total = sqrt of the sum of "
              "(g**2).sum() over every g in grads. Then multiply every tensor by "
              "min(1, max_norm / total): gradients already shorter stay as they are.")
def check_clip_by_norm(fn):
    """Exercise 7: clip_by_norm(grads, max_norm), the global norm of eq. (ch10-clip-norm)."""
    return check_function(_as_tuple(fn), _clip_norm, _clip_cases(3.0, 1007),
                          name="clip_by_norm(grads, max_norm)", returns=_KEYS, mistakes=[
        Mistake("each tensor clipped separately", "A global norm was asked: one norm over "
                "ALL tensors together, and one factor for all. Clipping each tensor to norm "
                "max_norm on its own changes the balance between them, and the direction.",
                function=_clip_each),
        Mistake("rescaled even when short", "Multiply by min(1, max_norm / total): a "
                "gradient shorter than max_norm is left as it is, not stretched.",
                function=_rescale_always),
        Mistake("clipped by value", "That is clipping by value (each entry to [-c, c]); "
                "here the whole gradient is scaled by one factor.", function=_clip_value),
        Mistake("the tensors' norms added", "The global norm is the root of the sum of ALL "
                "squared entries, sqrt(sum of (g**2).sum()), not the sum of the tensors' "
                "norms.", function=_clip_sum_of_norms),
        Mistake("never clipped", "A gradient longer than max_norm must be shortened: "
                "multiply by min(1, max_norm / total) (min, not max).",
                function=lambda g, c: tuple(g[k] for k in _KEYS)),
    ])


@lab.exercise(8, hint="np.clip(g, -c, c) for every tensor g: each entry is cut to the "
              "interval [-c, c], both sides.")
def check_clip_by_value(fn):
    """Exercise 8: clip_by_value(grads, c), eq. (ch10-clip-value)."""
    return check_function(_as_tuple(fn), _clip_value, _clip_cases(2.0, 1008),
                          name="clip_by_value(grads, c)", returns=_KEYS, mistakes=[
        Mistake("only the upper side clipped", "Clip both sides: entries below -c become "
                "-c as well (np.clip(g, -c, c)).",
                function=lambda g, c: tuple(np.minimum(g[k], c) for k in _KEYS)),
        Mistake("clipped to [0, c]", "The interval is [-c, c]: negative entries keep "
                "their sign.", function=lambda g, c: tuple(np.clip(g[k], 0, c) for k in _KEYS)),
        Mistake("clipped by norm", "That rescales the whole gradient (clipping by norm); "
                "here each entry is cut to [-c, c] on its own.", function=_clip_norm),
    ])


# ------------------------------------------------------------ 9. update-to-weight ratio
def _ratio(W_before, W_after):
    return float(np.linalg.norm(W_after - W_before) / np.linalg.norm(W_before))


def _ratio_cases():
    rng = np.random.default_rng(1009)
    cases = []
    for shape, step in [((4, 3), 1e-3), ((5, 2), 0.05), ((3, 3), 0.3), ((2, 6), 1e-2)]:
        W = rng.normal(size=shape).round(4)
        cases.append((W, (W + step * rng.normal(size=shape)).round(6)))
    return cases


@lab.exercise(9, hint="np.linalg.norm(W_after - W_before) / np.linalg.norm(W_before): "
              "whole-matrix norms, the change over the weights before the step.")
def check_update_ratio(fn):
    """Exercise 9: update_ratio(W_before, W_after), eq. (ch10-ratio)."""
    return check_function(fn, _ratio, _ratio_cases(), name="update_ratio(W_before, W_after)",
                          mistakes=[
        Mistake("upside down", "The change goes on top: ||W_after - W_before|| / ||W_before||.",
                function=lambda a, b: float(np.linalg.norm(a) / np.linalg.norm(b - a))),
        Mistake("the weights after the step below the line", "Eq. (ch10-ratio) divides by "
                "the weights before the step, ||W_before||.",
                function=lambda a, b: float(np.linalg.norm(b - a) / np.linalg.norm(b))),
        Mistake("squared norms", "Use the norms themselves (np.linalg.norm), not their "
                "squares.", function=lambda a, b: float(np.sum((b - a) ** 2) / np.sum(a ** 2))),
        Mistake("entry by entry", "Take the norm of the whole change and of the whole "
                "matrix, then divide; not the mean of the entries' ratios.",
                function=lambda a, b: float(np.mean(np.abs(b - a) / np.abs(a)))),
    ])


# ------------------------------------------------------------ 10. pick an initialisation
#: Exercise 10: the network (layer, activation that follows it).
NETWORK = (("Dense(784, 256)", "ReLU"), ("Dense(256, 128)", "tanh"))
_HE = {"he", "he_normal", "he_uniform", "kaiming", "kaiming_normal", "kaiming_uniform"}
_XAVIER = {"xavier", "xavier_normal", "xavier_uniform", "glorot", "glorot_normal",
           "glorot_uniform"}


@lab.exercise(10, hint="Look at the activation AFTER each dense layer: a ReLU halves the "
              "variance, and He's 2 / n_in makes up for it; tanh passes it on near 0, and "
              "Xavier's 2 / (n_in + n_out) keeps it.")
def check_pick_init(choices):
    """Exercise 10: the initialiser's name for each dense layer of NETWORK."""
    name = "the initialisations"
    if _unfinished(choices):
        return Feedback(NOT_ATTEMPTED, name, "Replace each `...` with a name such as "
                        "\"xavier\" or \"he\", then run the cell again.")
    if isinstance(choices, np.ndarray):
        choices = choices.tolist()
    if not isinstance(choices, (list, tuple)) or len(choices) != len(NETWORK):
        return Feedback(INCORRECT, name, f"Give a list of {len(NETWORK)} names, one per "
                        "dense layer, e.g. [\"he\", \"xavier\"].")
    kinds = []
    for c in choices:
        c = str(c).strip().lower()
        kinds.append("he" if c in _HE else "xavier" if c in _XAVIER else
                     "small" if c in ("small", "small_random") else c)
    if kinds == ["he", "xavier"]:
        return Feedback(CORRECT, name)
    if kinds == ["xavier", "he"]:
        return Feedback(INCORRECT, name, "The other way round: He's scale for the layer "
                        "followed by the ReLU, Xavier's for the one followed by tanh.",
                        mistake="swapped")
    if "small" in kinds:
        return Feedback(INCORRECT, name, "Weights N(0, 0.01^2) are far smaller than "
                        "1/sqrt(n_in): the signal shrinks at every layer (the vanishing of "
                        "Chapter 10's slider at small c).", mistake="the small random start")
    for (layer, _act), k in zip(NETWORK, kinds):
        if k not in ("he", "xavier"):
            return Feedback(INCORRECT, name, f"{k!r} for {layer}: answer \"xavier\" or "
                            "\"he\".")
    first = "He" if kinds[0] == "he" else "Xavier"
    return Feedback(INCORRECT, name, f"{first} for both layers: the right scale depends on "
                    "the activation after each layer, and the two differ here.",
                    mistake="one scale for every layer")
