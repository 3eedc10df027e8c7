"""Checks for Lab 5, "Backpropagation by hand" (labs/lab05-backprop-by-hand.ipynb).

The classic 2-2-2 network of Chapter 5 (bplib.byhand): the three factors of dE/dw5
(eq. (ch05-three-factors)), the output deltas (ch05-delta-o), the two paths to a hidden
weight (ch05-two-paths), the update (ch05-update), the bias gradients
(ch05-bias-grads) and the four general equations (ch05-gen-output) to
(ch05-gen-biases), for a 2-3-2 network with sigmoid or ReLU hidden units.

Beyond the usual checks, :func:`mistaken_numbers` works out what each classic mistake
of a derivation by hand produces (sigma' left out, sigma'(net) taken of net instead of
out (1 - out) or of sigma(out), the wrong connecting weight, the updated w5..w8 used
for the hidden layer, a sign flipped, the half
dropped or doubled, one of the two paths forgotten, the wrong input multiplied), and
the checks name the mistake whose numbers the learner's match.

In the lab: ``from bplib.exercises import lab05 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import math

import numpy as np

from bplib import byhand
from bplib.activations import ReLU, Sigmoid
from bplib.gradcheck import numerical_gradient
from bplib.layers import Dense
from bplib.losses import HalfSSE
from bplib.network import Sequential

from .core import (TYPED_RTOL, Lab, Mistake, check_array, check_function, check_number,
                   combine)
from .feedback import INCORRECT, Feedback

lab = Lab("Lab 5")
hint = lab.hint

#: The classic network (Chapter 5): weights, shared biases, inputs, targets, eta.
CLASSIC = dict(p=byhand.classic_params(), x=(0.05, 0.10), t=(0.01, 0.99), lr=0.5)
#: Exercise 5: a network you have not seen, to derive by hand.
FRESH = dict(p=dict(w1=0.3, w2=-0.1, w3=0.2, w4=0.4, w5=0.6, w6=-0.3, w7=0.2, w8=0.7,
                    b1=0.1, b2=-0.2),
             x=(0.4, 0.7), t=(0.9, 0.1), lr=0.5)
#: Exercise 10: the slider's grid of training steps and its learning rates.
SLIDER = dict(steps=tuple(int(round(10 ** (k / 4))) for k in range(17)), lrs=(0.5, 2.0),
              below=0.01)

#: How close a new weight must be: 8 decimals asked for, 5e-7 accepted (every named
#: mistake, the sequential shortcut included, is at least 3.7e-5 away).
WEIGHT_ATOL = 5e-7
#: Decimals the statements ask for when giving a new weight.
WEIGHT_DECIMALS = 8

QUANTITIES = ("delta_o1", "dE_dw5", "dE_dout_h1", "dE_dw1", "new_w1")

#: Each classic mistake: (name, message).
MISTAKES = {
    "no_slope": ("sigma' left out", "A delta is dE/dnet, not dE/dout: multiply by the "
                 "sigmoid's slope out (1 - out) of that neuron."),
    "slope_of_net": ("sigma'(net) computed from net", "The sigmoid's slope is "
                     "sigma(net) (1 - sigma(net)) = out (1 - out), with the neuron's OUTPUT; "
                     "you used net (1 - net)."),
    "slope_of_out": ("sigma applied twice", "The slope is sigma'(net) = sigma(net) "
                     "(1 - sigma(net)) = out (1 - out): out is already sigma(net). You "
                     "computed sigma(out) (1 - sigma(out)), the sigmoid applied a second time."),
    "connecting_weight": ("wrong connecting weight", "out_h1 reaches o1 through w5 and o2 "
                          "through w7 (the weights leaving h1): dE/dout_h1 = delta_o1 w5 + "
                          "delta_o2 w7. w6 and w8 leave h2."),
    "no_input": ("input left out", "A weight's gradient is its neuron's delta TIMES the "
                 "input that weight multiplies (w1: i1, w5: out_h1); the delta alone is "
                 "the gradient of a bias."),
    "new_weights": ("updated w5..w8 used for the hidden layer", "The hidden deltas use the "
                    "weights of the forward pass (the old w5..w8): the gradient is taken where "
                    "the network is, before any update."),
    "sign": ("sign flipped", "dE/dout = out - t (from E = 1/2 (t - out)^2, the inner "
             "derivative is -1), not t - out."),
    "no_half": ("the half dropped", "E_total = 1/2 (t - out)^2: the 2 of the square cancels "
                "the 1/2, so dE/dout = out - t, not 2 (out - t)."),
    "half_twice": ("the half doubled", "The 1/2 cancels the 2 that differentiating the "
                   "square brings down: dE/dout = out - t, not (out - t) / 2."),
    "path_o1": ("only the path through o1", "out_h1 feeds both outputs: dE/dout_h1 = "
                "delta_o1 w5 + delta_o2 w7. You left out the path through o2."),
    "path_o2": ("only the path through o2", "out_h1 feeds both outputs: dE/dout_h1 = "
                "delta_o1 w5 + delta_o2 w7. You left out the path through o1."),
    "other_input": ("wrong input multiplied", "A weight's gradient is its neuron's delta "
                    "times the input THAT weight multiplies: w5 carries out_h1 into o1, w1 "
                    "carries i1 into h1."),
    "net_input": ("wrong input multiplied", "w5 multiplies out_h1, the hidden neuron's "
                  "output, not its net input net_h1."),
    "uphill": ("stepped uphill", "Gradient descent subtracts: w+ = w - eta dE/dw."),
    "no_eta": ("learning rate left out", "The step is eta times the gradient: "
               "w+ = w - eta dE/dw, with eta = 0.5."),
}


def _sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def derive(p, x, t, lr, *, out_slope="out", hid_slope="out", sign=1.0, scale=1.0,
           paths="both", hidden_w="old", w5_input="out_h1", w1_input="i1", step="down",
           h1_weights=("w5", "w7")):
    """The five numbers of a derivation, made the way the flags say (the right way
    by default): delta_o1, dE_dw5, dE_dout_h1, dE_dw1 and the new w1."""
    f = byhand.forward(p, x, t)
    (i1, i2), (t1, t2) = x, t

    def slope(kind, net, out):
        return {"out": out * (1 - out), "net": net * (1 - net), "none": 1.0,
                "sig_of_out": _sig(out) * (1 - _sig(out))}[kind]

    deltas = {}
    for k, tk in (("1", t1), ("2", t2)):
        dE_dout = sign * scale * (f[f"out_o{k}"] - tk)
        deltas[k] = dE_dout * slope(out_slope, f[f"net_o{k}"], f[f"out_o{k}"])
    inputs5 = {"out_h1": f["out_h1"], "out_h2": f["out_h2"], "net_h1": f["net_h1"]}
    dE_dw5 = deltas["1"] * inputs5[w5_input]
    w5, w7 = p[h1_weights[0]], p[h1_weights[1]]
    if hidden_w == "new":
        w5 = p["w5"] - lr * deltas["1"] * f["out_h1"]
        w7 = p["w7"] - lr * deltas["2"] * f["out_h1"]
    terms = {"o1": deltas["1"] * w5, "o2": deltas["2"] * w7}
    dE_dout_h1 = terms["o1"] + terms["o2"] if paths == "both" else terms[paths]
    delta_h1 = dE_dout_h1 * slope(hid_slope, f["net_h1"], f["out_h1"])
    dE_dw1 = delta_h1 * {"i1": i1, "i2": i2}[w1_input]
    new_w1 = {"down": p["w1"] - lr * dE_dw1, "up": p["w1"] + lr * dE_dw1,
              "no_eta": p["w1"] - dE_dw1}[step]
    return dict(delta_o1=deltas["1"], dE_dw5=dE_dw5, dE_dout_h1=dE_dout_h1,
                delta_h1=delta_h1, dE_dw1=dE_dw1, new_w1=new_w1)


_VARIANTS = [  # (mistake key, flags)
    ("no_slope", dict(out_slope="none", hid_slope="none")),
    ("no_slope", dict(hid_slope="none")),
    ("no_slope", dict(out_slope="none")),
    ("slope_of_net", dict(out_slope="net", hid_slope="net")),
    ("slope_of_net", dict(hid_slope="net")),
    ("slope_of_net", dict(out_slope="net")),
    ("slope_of_out", dict(out_slope="sig_of_out", hid_slope="sig_of_out")),
    ("slope_of_out", dict(hid_slope="sig_of_out")),
    ("slope_of_out", dict(out_slope="sig_of_out")),
    ("connecting_weight", dict(h1_weights=("w5", "w6"))),
    ("new_weights", dict(hidden_w="new")),
    ("sign", dict(sign=-1.0)),
    ("no_half", dict(scale=2.0)),
    ("half_twice", dict(scale=0.5)),
    ("path_o1", dict(paths="o1")),
    ("path_o2", dict(paths="o2")),
    ("other_input", dict(w5_input="out_h2")),
    ("net_input", dict(w5_input="net_h1")),
    ("other_input", dict(w1_input="i2")),
    ("uphill", dict(step="up")),
    ("no_eta", dict(step="no_eta")),
]


def mistaken_numbers(p, x, t, lr):
    """``[(mistake key, {quantity: value})]``: what each classic mistake produces.

    Every mistake is worked through the whole derivation (a mistake in the output
    layer reaches every later number), so a learner's numbers can be matched with it.
    """
    return [(key, derive(p, x, t, lr, **flags)) for key, flags in _VARIANTS]


def _mistakes_for(quantity, right, catalogue):
    """Mistake objects for one quantity: each distinct wrong value, named."""
    found, seen = [], []
    for key, numbers in catalogue:
        v = numbers[quantity]
        if math.isclose(v, right, rel_tol=1e-9, abs_tol=1e-15):
            continue
        if any(math.isclose(v, s, rel_tol=1e-9) for s in seen):
            continue
        seen.append(v)
        name, message = MISTAKES[key]
        found.append(Mistake(name, message, value=v))
    return found


def _local(quantity, right_before, p, x, t, lr):
    """Mistakes made in this step only, from right numbers before it."""
    f = byhand.forward(p, x, t)
    (i1, i2) = x
    out = []
    if quantity == "dE_dw5":
        d = right_before["delta_o1"]
        out += [Mistake(*MISTAKES["other_input"], value=d * f["out_h2"]),
                Mistake(*MISTAKES["net_input"], value=d * f["net_h1"]),
                Mistake(*MISTAKES["no_input"], value=d)]
    if quantity == "dE_dw1":
        g = right_before["dE_dout_h1"]
        s_out = _sig(f["out_h1"]) * (1 - _sig(f["out_h1"]))
        out += [Mistake(*MISTAKES["no_slope"], value=g * i1),
                Mistake(*MISTAKES["slope_of_net"], value=g * f["net_h1"] * (1 - f["net_h1"]) * i1),
                Mistake(*MISTAKES["slope_of_out"], value=g * s_out * i1),
                Mistake(*MISTAKES["other_input"], value=right_before["delta_h1"] * i2),
                Mistake(*MISTAKES["no_input"], value=right_before["delta_h1"])]
    if quantity == "new_w1":
        g = right_before["dE_dw1"]
        out += [Mistake(*MISTAKES["uphill"], value=p["w1"] + lr * g),
                Mistake(*MISTAKES["no_eta"], value=p["w1"] - g)]
    return out


def _decimals_right(got, want):
    """How many decimals (0 to 15) every entry of ``got`` gets right: within half a
    unit of the last of them from ``want``."""
    err = float(np.max(np.abs(np.asarray(got, dtype=float) - np.asarray(want, dtype=float))))
    n = 0
    while n < 15 and err <= 0.5 * 10.0 ** -(n + 1) * (1 + 1e-9):
        n += 1
    return n


def _check_weights(answer, right, *, name, mistakes):
    """A new weight (or list of them) to WEIGHT_ATOL; an answer that is right but
    rounded too early is told how many decimals are right, never "too large"."""
    several = np.ndim(right) > 0
    check = check_array if several else check_number
    fb = check(answer, right, name=name, rtol=0, atol=WEIGHT_ATOL, mistakes=mistakes)
    if fb.status != INCORRECT or fb.mistake is not None:
        return fb
    got = np.asarray(answer, dtype=float)
    if got.shape != np.shape(right):
        return fb
    n = _decimals_right(got, right)
    if n < 2:
        return fb
    what = "Your weights are" if several else "Your answer is"
    return Feedback(INCORRECT, name, f"{what} right to {n} decimals, but not closer: give "
                    f"{WEIGHT_DECIMALS} (let Python do the arithmetic, and round only for "
                    "printing).", mistake="not enough decimals")


def _check_quantity(answer, quantity, case, name):
    p, x, t, lr = case["p"], case["x"], case["t"], case["lr"]
    right = derive(p, x, t, lr)
    mistakes = _local(quantity, right, p, x, t, lr) + _mistakes_for(
        quantity, right[quantity], mistaken_numbers(p, x, t, lr))
    if quantity == "new_w1":
        return _check_weights(answer, right[quantity], name=name, mistakes=mistakes)
    return check_number(answer, right[quantity], name=name, rtol=TYPED_RTOL,
                        mistakes=mistakes)


# ------------------------------------------------------------ 1. three factors
@lab.exercise(1, hint="Follow w5 to the error: w5 -> net_o1 -> out_o1 -> E_total. "
              "The factors are out_o1 - t1, out_o1 (1 - out_o1) and the input w5 "
              "multiplies. Do the forward pass first (byhand.forward gives every number).")
def check_three_factors(dE_dout_o1, dout_o1_dnet_o1, dnet_o1_dw5, dE_dw5):
    """Exercise 1: the three factors of dE/dw5, eq. (ch05-three-factors), and their product."""
    c = CLASSIC
    f = byhand.forward(c["p"])
    t1 = c["t"][0]
    return combine(
        check_number(dE_dout_o1, f["out_o1"] - t1, name="dE/dout_o1", rtol=TYPED_RTOL,
                     mistakes=[Mistake(*MISTAKES["no_half"], value=2 * (f["out_o1"] - t1))]),
        check_number(dout_o1_dnet_o1, f["out_o1"] * (1 - f["out_o1"]),
                     name="dout_o1/dnet_o1", rtol=TYPED_RTOL, mistakes=[
            Mistake(*MISTAKES["no_slope"], value=1.0),
            Mistake(*MISTAKES["slope_of_net"], value=f["net_o1"] * (1 - f["net_o1"])),
            Mistake(*MISTAKES["slope_of_out"],
                    value=_sig(f["out_o1"]) * (1 - _sig(f["out_o1"])))]),
        check_number(dnet_o1_dw5, f["out_h1"], name="dnet_o1/dw5", rtol=TYPED_RTOL, mistakes=[
            Mistake(*MISTAKES["net_input"], value=f["net_h1"]),
            Mistake(*MISTAKES["other_input"], value=f["out_h2"]),
            Mistake("the weight instead of the input", "d(w5 out_h1)/dw5 is out_h1: "
                    "multiply swaps, so the derivative is the OTHER factor.",
                    value=c["p"]["w5"])]),
        _check_quantity(dE_dw5, "dE_dw5", c, "dE/dw5"),
        name="the three factors of dE/dw5")


# ------------------------------------------------------------ 2. the other outputs
@lab.exercise(2, hint="delta_o2 = (out_o2 - t2) out_o2 (1 - out_o2). Each weight into an "
              "output neuron gets that neuron's delta times the input it multiplies: "
              "w6 carries out_h2 into o1, w7 out_h1 into o2, w8 out_h2 into o2.")
def check_output_gradients(delta_o2, grads):
    """Exercise 2: delta_o2 and [dE/dw6, dE/dw7, dE/dw8], eqs. (ch05-delta-o), (ch05-output-grads)."""
    g = byhand.backward(CLASSIC["p"])
    t2 = CLASSIC["t"][1]
    right = [g["dE_dw6"], g["dE_dw7"], g["dE_dw8"]]
    d1, d2, h1, h2 = g["delta_o1"], g["delta_o2"], g["out_h1"], g["out_h2"]
    e1, e2 = g["out_o1"] - CLASSIC["t"][0], g["out_o2"] - t2
    return combine(
        check_number(delta_o2, d2, name="delta_o2", rtol=TYPED_RTOL, mistakes=[
            Mistake(*MISTAKES["no_slope"], value=g["out_o2"] - t2),
            Mistake(*MISTAKES["slope_of_net"], value=(g["out_o2"] - t2) * g["net_o2"]
                    * (1 - g["net_o2"])),
            Mistake(*MISTAKES["slope_of_out"], value=(g["out_o2"] - t2) * _sig(g["out_o2"])
                    * (1 - _sig(g["out_o2"])))]),
        check_array(grads, right, name="[dE/dw6, dE/dw7, dE/dw8]", rtol=TYPED_RTOL, mistakes=[
            Mistake(*MISTAKES["no_slope"], value=[e1 * h2, e2 * h1, e2 * h2]),
            Mistake(*MISTAKES["other_input"], value=[d1 * h1, d2 * h2, d2 * h1]),
            Mistake("the wrong neuron's delta", "w6 leads into o1 (delta_o1), w7 and w8 into "
                    "o2 (delta_o2).", value=[d2 * h2, d1 * h1, d1 * h2])]),
        name="the output gradients")


# ------------------------------------------------------------ 3. two paths
@lab.exercise(3, hint="out_h1 feeds o1 through w5 and o2 through w7: add delta_o1 * w5 "
              "and delta_o2 * w7, with the weights of the forward pass (0.40, 0.50). Then "
              "multiply by out_h1 (1 - out_h1) for delta_h1, and by i1 for dE/dw1.")
def check_hidden_gradient(dE_dout_h1, delta_h1, dE_dw1):
    """Exercise 3: dE/dout_h1 (both paths), delta_h1 and dE/dw1, eqs. (ch05-two-paths) to
    (ch05-hidden-grads)."""
    c = CLASSIC
    right = derive(c["p"], c["x"], c["t"], c["lr"])
    cat = mistaken_numbers(c["p"], c["x"], c["t"], c["lr"])
    f = byhand.forward(c["p"])
    return combine(
        _check_quantity(dE_dout_h1, "dE_dout_h1", c, "dE/dout_h1"),
        check_number(delta_h1, right["delta_h1"], name="delta_h1", rtol=TYPED_RTOL,
                     mistakes=[Mistake(*MISTAKES["no_slope"], value=right["dE_dout_h1"]),
                               Mistake(*MISTAKES["slope_of_net"], value=right["dE_dout_h1"]
                                       * f["net_h1"] * (1 - f["net_h1"])),
                               Mistake(*MISTAKES["slope_of_out"], value=right["dE_dout_h1"]
                                       * _sig(f["out_h1"]) * (1 - _sig(f["out_h1"])))]
                     + _mistakes_for("delta_h1", right["delta_h1"], cat)),
        _check_quantity(dE_dw1, "dE_dw1", c, "dE/dw1"),
        name="the two paths to w1")


# ------------------------------------------------------------ 4. one update
def _new_weights(p, lr, hidden="old"):
    q = byhand.update(p, lr, hidden=hidden)
    return [q[w] for w in byhand.WEIGHTS]


@lab.exercise(4, hint="Use your gradients of exercises 1 to 3; dE/dw2 = delta_h1 i2, and "
              "delta_h2 goes like delta_h1 but through w6 and w8 (dE/dw3 = delta_h2 i1, "
              "dE/dw4 = delta_h2 i2). Every one from the weights of the forward pass; then "
              "w+ = w - 0.5 dE/dw for each. Keep full precision (let Python compute): the "
              "check wants 8 decimals.")
def check_update(new_weights):
    """Exercise 4: [w1+, ..., w8+] after one step, eq. (ch05-update)."""
    p, lr = CLASSIC["p"], CLASSIC["lr"]
    g = byhand.backward(p)
    old = np.array([p[w] for w in byhand.WEIGHTS])
    grads = np.array([g[f"dE_d{w}"] for w in byhand.WEIGHTS])
    return _check_weights(new_weights, old - lr * grads, name="the eight new weights",
                          mistakes=[
        Mistake(*MISTAKES["new_weights"], value=_new_weights(p, lr, "new")),
        Mistake(*MISTAKES["uphill"], value=old + lr * grads),
        Mistake(*MISTAKES["no_eta"], value=old - grads),
        Mistake("only the output layer updated", "w1..w4 have gradients too (small ones): "
                "every weight takes a step.", value=np.r_[old[:4], (old - lr * grads)[4:]]),
        Mistake("gave the gradients", "The update asks for the new weights, "
                "w - eta dE/dw, not the gradients dE/dw.", value=grads)])


# ------------------------------------------------------------ 5. a fresh network
@lab.exercise(5, hint="Same steps as exercises 1 to 4, on new numbers: the forward pass "
              "first (byhand.forward(ex.FRESH['p'], ex.FRESH['x'], ex.FRESH['t']) lets you "
              "check it), then delta_o1, dE/dw5 = delta_o1 out_h1, both paths to h1, delta_h1, "
              "dE/dw1 = delta_h1 i1, and w1+ = w1 - eta dE/dw1.")
def check_derivation(delta_o1, dE_dw5, dE_dout_h1, dE_dw1, new_w1):
    """Exercise 5: a derivation by hand on a network not seen before; classic mistakes named."""
    c = FRESH
    return combine(
        _check_quantity(delta_o1, "delta_o1", c, "delta_o1"),
        _check_quantity(dE_dw5, "dE_dw5", c, "dE/dw5"),
        _check_quantity(dE_dout_h1, "dE_dout_h1", c, "dE/dout_h1"),
        _check_quantity(dE_dw1, "dE_dw1", c, "dE/dw1"),
        _check_quantity(new_w1, "new_w1", c, "the new w1"),
        name="your derivation, checked")


# ------------------------------------------------------------ 6. the backward pass as a function
def _params(w, b):
    return {**dict(zip(byhand.WEIGHTS, map(float, w))), "b1": float(b[0]), "b2": float(b[1])}


def _fd_grads(w, b, x, t):
    """dE/dw1..dE/dw8 by central differences: the reference is not our own formula."""
    def error(v):
        return byhand.forward(_params(v, b), tuple(x), tuple(t))["E_total"]
    return numerical_gradient(error, np.array(w, dtype=float))


def _grads_with(**flags):
    def fn(w, b, x, t):
        p = _params(w, b)
        f = byhand.forward(p, tuple(x), tuple(t))
        kinds = {"out": lambda n, o: o * (1 - o), "net": lambda n, o: n * (1 - n),
                 "none": lambda n, o: 1.0,
                 "sig_of_out": lambda n, o: _sig(o) * (1 - _sig(o))}
        slope = kinds[flags.get("slope", "out")]
        hid_slope = kinds[flags.get("hid_slope", flags.get("slope", "out"))]
        s = flags.get("sign", 1.0)
        d = [s * (f[f"out_o{k}"] - t[k - 1]) * slope(f[f"net_o{k}"], f[f"out_o{k}"])
             for k in (1, 2)]
        paths = flags.get("paths", (1, 1))
        dh = [(paths[0] * d[0] * p[wa] + paths[1] * d[1] * p[wb])
              * hid_slope(f[f"net_h{j}"], f[f"out_h{j}"])
              for j, (wa, wb) in ((1, ("w5", "w7")), (2, ("w6", "w8")))]
        xa, xb = (x[1], x[0]) if flags.get("swap_inputs") else (x[0], x[1])
        g = [dh[0] * xa, dh[0] * xb, dh[1] * xa, dh[1] * xb,
             d[0] * f["out_h1"], d[0] * f["out_h2"], d[1] * f["out_h1"], d[1] * f["out_h2"]]
        if flags.get("swap_w2_w3"):
            g[1], g[2] = g[2], g[1]
        return np.array(g)
    return fn


def _function_cases(seed=505, k=6):
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 1, 8).round(3), rng.normal(0, 0.5, 2).round(3),
             rng.uniform(-1, 1, 2).round(3), rng.uniform(0.05, 0.95, 2).round(3))
            for _ in range(k)]


@lab.exercise(6, hint="Write down, in order: the forward pass (net and out of h1, h2, o1, "
              "o2), the output deltas, the hidden deltas (two paths each: h1 through w5 and "
              "w7, h2 through w6 and w8), then each gradient as delta times input. Return "
              "the eight gradients in the order w1..w8.")
def check_backward_function(fn):
    """Exercise 6: backward_222(w, b, x, t) -> [dE/dw1, ..., dE/dw8], against finite differences."""
    return check_function(fn, _fd_grads, _function_cases(), name="backward_222",
                          rtol=1e-5, atol=1e-9, mistakes=[
        Mistake(*MISTAKES["no_slope"], function=_grads_with(slope="none")),
        Mistake(*MISTAKES["no_slope"], function=_grads_with(hid_slope="none")),
        Mistake(*MISTAKES["slope_of_net"], function=_grads_with(slope="net")),
        Mistake(*MISTAKES["slope_of_out"], function=_grads_with(slope="sig_of_out")),
        Mistake("w2 and w3 swapped", "w2 carries i2 into h1 (delta_h1 i2) and w3 carries i1 "
                "into h2 (delta_h2 i1): w1, w2 lead into h1, w3, w4 into h2.",
                function=_grads_with(swap_w2_w3=True)),
        Mistake("inputs swapped", "w1 and w3 multiply i1 = x[0], w2 and w4 multiply "
                "i2 = x[1]: each hidden gradient is the delta times THAT input.",
                function=_grads_with(swap_inputs=True)),
        Mistake(*MISTAKES["path_o1"], function=_grads_with(paths=(1, 0))),
        Mistake(*MISTAKES["path_o2"], function=_grads_with(paths=(0, 1))),
        Mistake(*MISTAKES["sign"], function=_grads_with(sign=-1.0)),
    ])


# ------------------------------------------------------------ 7. the biases
@lab.exercise(7, hint="A bias enters its neuron's net input with the factor 1, so its "
              "gradient is that neuron's delta. A bias shared by two neurons reaches the "
              "error through both: add their deltas.")
def check_bias_gradients(dE_db1, dE_db2, per_neuron):
    """Exercise 7: shared b1, b2 and per-neuron [b_h1, b_h2, b_o1, b_o2], eq. (ch05-bias-grads)."""
    g = byhand.backward(CLASSIC["p"])
    d = [g["delta_h1"], g["delta_h2"], g["delta_o1"], g["delta_o2"]]
    return combine(
        _check_shared_bias(dE_db1, "b1", ("delta_h1", d[0]), ("delta_h2", d[1]),
                           "hidden neurons"),
        _check_shared_bias(dE_db2, "b2", ("delta_o1", d[2]), ("delta_o2", d[3]), "outputs"),
        check_array(per_neuron, d, name="one bias per neuron", rtol=TYPED_RTOL, mistakes=[
            Mistake("the shared sums again", "With one bias per neuron, each bias reaches "
                    "the error through its own neuron only: its gradient is that delta.",
                    value=[d[0] + d[1]] * 2 + [d[2] + d[3]] * 2),
            Mistake("the layers in the wrong order", "The list asked for is [b_h1, b_h2, "
                    "b_o1, b_o2]: the hidden biases first.", value=[d[2], d[3], d[0], d[1]])]),
        name="the bias gradients")


def _check_shared_bias(answer, bias, first, second, feeds):
    """A bias shared by two neurons: its gradient is the sum of their (name, delta) pair."""
    (n1, d1), (n2, d2) = first, second
    add = f"{bias} feeds both {feeds}: add {n1} and {n2}."
    return check_number(answer, d1 + d2, name=f"dE/d{bias} (shared)", rtol=TYPED_RTOL, mistakes=[
        Mistake("only one neuron's delta", add, value=d1),
        Mistake("only one neuron's delta", add, value=d2),
        Mistake("multiplied by the bias", "The bias enters net with the factor 1: "
                "d(net)/d(b) = 1, not b.", value=(d1 + d2) * CLASSIC["p"][bias]),
        Mistake("averaged the deltas", f"{bias} reaches the error through both {feeds}, and "
                f"the paths ADD: {n1} + {n2}, not their mean.", value=(d1 + d2) / 2)])


# ------------------------------------------------------------ 8, 9. the general equations
def _layers_reference(hidden):
    def ref(X, W1, b1, W2, b2, Y):
        act = Sigmoid() if hidden == "sigmoid" else ReLU()
        net = Sequential([Dense(W1.shape[0], W1.shape[1], W=W1, b=b1), act,
                          Dense(W2.shape[0], W2.shape[1], W=W2, b=b2), Sigmoid()],
                         loss=HalfSSE())
        net.loss(X, Y)
        net.backward()
        gr = net.grads
        return gr["dense0.W"], gr["dense0.b"], gr["dense1.W"], gr["dense1.b"]
    return ref


def _layers_with(hidden, *, slope=None, out_slope=True, mean=False, sign=1.0):
    """The four equations with one thing changed (for naming mistakes)."""
    def fn(X, W1, b1, W2, b2, Y):
        Z1 = X @ W1 + b1
        A1 = 1 / (1 + np.exp(-Z1)) if hidden == "sigmoid" else np.maximum(Z1, 0)
        A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
        d2 = sign * (A2 - Y) * (A2 * (1 - A2) if out_slope else 1.0)
        kind = slope or ("sigmoid" if hidden == "sigmoid" else "relu")
        fp = {"sigmoid": A1 * (1 - A1), "relu": (Z1 > 0).astype(float), "none": 1.0,
              "net": Z1 * (1 - Z1)}[kind]
        d1 = (d2 @ W2.T) * fp
        red = (lambda a: a.mean(axis=0)) if mean else (lambda a: a.sum(axis=0))
        return X.T @ d1, red(d1), A1.T @ d2, red(d2)
    return fn


def _layer_cases(seed, k=5, relu=False):
    rng = np.random.default_rng(seed)
    cases = []
    for _ in range(k):
        n = int(rng.integers(1, 5))
        cases.append((rng.normal(0, 1, (n, 2)).round(3), rng.normal(0, 1, (2, 3)).round(3),
                      rng.normal(0, 0.5, 3).round(3), rng.normal(0, 1, (3, 2)).round(3),
                      rng.normal(0, 0.5, 2).round(3), rng.uniform(0, 1, (n, 2)).round(3)))
    return cases


_RETURNS = ("dE/dW1", "dE/db1", "dE/dW2", "dE/db2")


def _layer_mistakes(hidden):
    m = [Mistake("the hidden activation's slope left out", "The delta recursion ends with "
                 "the hidden layer's own slope: delta1 = (delta2 W2^T) * f'(Z1).",
                 function=_layers_with(hidden, slope="none")),
         Mistake("the output sigmoid's slope left out", "delta2 = (Y_hat - Y) * Y_hat "
                 "(1 - Y_hat): the output layer's sigmoid slope belongs in it.",
                 function=_layers_with(hidden, out_slope=False)),
         Mistake("bias gradient averaged", "The bias gradient is the SUM of the deltas over "
                 "the batch (E_total is a sum), not their mean.",
                 function=_layers_with(hidden, mean=True)),
         Mistake(*MISTAKES["sign"], function=_layers_with(hidden, sign=-1.0))]
    if hidden == "relu":
        m.insert(0, Mistake("the sigmoid's slope for a ReLU layer", "A ReLU's slope is 1 "
                            "where Z1 > 0 and 0 elsewhere, not A1 (1 - A1).",
                            function=_layers_with(hidden, slope="sigmoid")))
    else:
        m.insert(0, Mistake(*MISTAKES["slope_of_net"],
                            function=_layers_with(hidden, slope="net")))
    return m


@lab.exercise(8, hint="Forward: Z1 = X W1 + b1, A1 = sigmoid(Z1), A2 = sigmoid(A1 W2 + b2). "
              "Backward: delta2 = (A2 - Y) A2 (1 - A2); delta1 = (delta2 @ W2.T) A1 (1 - A1); "
              "dW2 = A1.T @ delta2, db2 = delta2.sum(axis=0), and the same one layer down.")
def check_general_equations(fn):
    """Exercise 8: the four equations (ch05-gen-output) to (ch05-gen-biases), 2-3-2 sigmoid."""
    return check_function(fn, _layers_reference("sigmoid"), _layer_cases(508),
                          name="backward_layers", returns=_RETURNS,
                          mistakes=_layer_mistakes("sigmoid"))


@lab.exercise(9, hint="Only the hidden layer's slope changes: relu'(Z1) is 1 where Z1 > 0 "
              "and 0 elsewhere, (Z1 > 0) as numbers. The output layer stays a sigmoid.")
def check_relu_network(fn):
    """Exercise 9: the same network with a ReLU hidden layer."""
    return check_function(fn, _layers_reference("relu"), _layer_cases(509, relu=True),
                          name="backward_relu", returns=_RETURNS,
                          mistakes=_layer_mistakes("relu"))


# ------------------------------------------------------------ 10. the slider
def _slider_errors(lr):
    return byhand.train(byhand.classic_params(), SLIDER["steps"][-1], lr)[1]


def slider_answers(exact=False):
    """First step count on the slider's grid with E_total < SLIDER['below'], per eta
    (``exact``: the first step of all, on the grid or not)."""
    out = []
    for lr in SLIDER["lrs"]:
        errors = _slider_errors(lr)
        steps = range(len(errors)) if exact else SLIDER["steps"]
        out.append(next(k for k in steps if errors[k] < SLIDER["below"]))
    return tuple(out)


@lab.exercise(10, hint="Keep eta at 0.5 and move the steps slider right until E_total in "
              "the title drops below 0.01 (1e-02); note the step count in the title. Then "
              "do the same with eta = 2.")
def check_slider(steps_eta_05, steps_eta_2):
    """Exercise 10: the first slider position with E_total below 0.01, for eta 0.5 and 2."""
    a, b = slider_answers()
    exact = dict(zip((a, b), slider_answers(exact=True)))
    grid = SLIDER["steps"]
    before = {s: grid[grid.index(s) - 1] for s in (a, b) if grid.index(s) > 0}

    def mistakes(right, other, other_lr):
        return [
            Mistake("the last position above 0.01", "At that many steps E_total is still "
                    "above 0.01; give the first position below it.",
                    value=before.get(right, -1)),
            Mistake("the other learning rate", f"That is where eta = {other_lr} gets there.",
                    value=other),
            Mistake("the slider's value, not the steps", "The slider shows log10(steps); "
                    "the number of steps is in the figure's title (10 to that power).",
                    value=math.log10(right)),
            Mistake("the exact first step, not a slider position", "That is the first step "
                    "of all with E_total < 0.01, but the slider cannot show it: give the "
                    "first slider position (the step count in the title) below 0.01.",
                    value=exact[right])]
    return combine(
        check_number(steps_eta_05, a, name="steps with eta = 0.5", atol=0.5,
                     mistakes=mistakes(a, b, 2)),
        check_number(steps_eta_2, b, name="steps with eta = 2", atol=0.5,
                     mistakes=mistakes(b, a, 0.5)),
        name="the training slider")
