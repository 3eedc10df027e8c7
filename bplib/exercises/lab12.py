"""Checks for Lab 12, "Beyond the dense network" (labs/lab12-beyond-dense.ipynb).

The output size of a convolution (Chapter 12, eq. (ch12-out-size)) and its number of
parameters; its backward pass for a 3 x 3 example by hand, the input's gradient
(ch12-conv-dX) and the kernel's (ch12-conv-dK); one step of backpropagation through
time (ch12-bptt-h) and the summed weight gradients (ch12-bptt-w); the vanishing
product over time steps (ch12-vanish); and the multiply-adds of training a dense
network. The checks name the classic mistakes: the missing +1, padding on one side
only, the kernel not flipped, overlaps not added, the carry through W_h forgotten or not
transposed, tanh's slope left out, h_t in place of h_{t-1}, the last step only, a mean
over the steps, one factor too few, the backward pass not counted.

In the lab: ``from bplib.exercises import lab12 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import numpy as np

from bplib.conv import correlate
from bplib.recurrent import RNN

from .core import TYPED_RTOL, Lab, Mistake, check_array, check_function, check_number

lab = Lab("Lab 12")
hint = lab.hint

#: Exercises 3 and 4: a 3 x 3 image, a 2 x 2 kernel, the 2 x 2 deltas of its output.
HAND = dict(X=np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 1.0, 1.0]]),
            K=np.array([[1.0, -1.0], [2.0, 0.0]]),
            delta=np.array([[1.0, 0.0], [-1.0, 2.0]]))


def _states():
    """h_1..h_20 of h_t = tanh(0.9 h_{t-1} + x_t), h_0 = 0, small inputs x_t."""
    x = 0.2 * np.random.default_rng(1212).normal(size=20)
    h, out = 0.0, []
    for x_t in x:
        h = np.tanh(0.9 * h + x_t)
        out.append(round(float(h), 4))
    return np.array(out)


#: Exercise 7: the recurrent weight and the states h_1..h_T of a scalar tanh network.
VANISH = dict(w=0.9, h=_states())


def _c2(A, B):
    """2-D valid correlation of two matrices (one image, one channel, one filter)."""
    return correlate(A[None, None], B[None, None])[0, 0]


# ------------------------------------------------------------ 1. output size
def _out_size(H, k, padding=0, stride=1):
    return (H + 2 * padding - k) // stride + 1


_SIZE_CASES = [(8, 3, 0, 1), (8, 3, 1, 1), (28, 5, 2, 2), (7, 3, 0, 2), (32, 5, 0, 3),
               (10, 4, 1, 3), (5, 5, 0, 1)]


@lab.exercise(1, hint="Count the positions of the filter's top-left corner: it can start "
              "at 0, s, 2s, ... as long as the filter still fits in the padded length "
              "H + 2P. That is floor((H + 2P - k) / s) + 1.")
def check_output_size(fn):
    """Exercise 1: conv_output_size(H, k, padding, stride), eq. (ch12-out-size)."""
    return check_function(fn, _out_size, _SIZE_CASES, name="conv_output_size", mistakes=[
        Mistake("the missing +1", "(H + 2P - k) // s counts the steps between positions; "
                "the number of positions is one more: add 1.",
                function=lambda H, k, P=0, s=1: (H + 2 * P - k) // s),
        Mistake("padding on one side only", "Padding adds P zeros on BOTH sides: "
                "H + 2P, not H + P.", function=lambda H, k, P=0, s=1: (H + P - k) // s + 1),
        Mistake("the stride ignored", "With stride s the filter moves s pixels at a time: "
                "divide (H + 2P - k) by s before adding 1.",
                function=lambda H, k, P=0, s=1: H + 2 * P - k + 1),
        Mistake("the +1 inside the division", "Divide first, then add 1: "
                "(H + 2P - k) // s + 1, not (H + 2P - k + 1) // s.",
                function=lambda H, k, P=0, s=1: (H + 2 * P - k + 1) // s),
        Mistake("rounded up instead of down", "A last step that would run off the edge "
                "does not count: use floor division //.",
                function=lambda H, k, P=0, s=1: -(-(H + 2 * P - k) // s) + 1),
        Mistake("/ instead of //", "A number of positions is a whole number: divide "
                "with floor division, (H + 2P - k) // s + 1, not /.",
                function=lambda H, k, P=0, s=1: (H + 2 * P - k) / s + 1),
        Mistake("the padding ignored", "Padding adds P zeros on both sides, so the "
                "length the filter slides over is H + 2P.",
                function=lambda H, k, P=0, s=1: (H - k) // s + 1),
    ])


# ------------------------------------------------------------ 2. parameters
def _conv_params(C, n_out, k):
    return n_out * C * k * k + n_out


@lab.exercise(2, hint="Each of the n_out filters has one k x k slice per input channel, "
              "and one bias.")
def check_conv_params(fn):
    """Exercise 2: conv_params(C, n_out, k) for a k x k kernel."""
    cases = [(1, 8, 3), (3, 16, 5), (2, 1, 1), (4, 6, 2), (64, 128, 3)]
    return check_function(fn, _conv_params, cases, name="conv_params", mistakes=[
        Mistake("the biases forgotten", "Every filter also has a bias: add n_out.",
                function=lambda C, n, k: n * C * k * k),
        Mistake("the channels forgotten", "A filter has one k x k slice per input "
                "channel: n_out * C * k * k weights.", function=lambda C, n, k: n * k * k + n),
        Mistake("k instead of k squared", "A k x k slice has k * k weights.",
                function=lambda C, n, k: n * C * k + n),
        Mistake("a bias per channel", "A filter has ONE bias, added after summing over "
                "the channels: n_out biases, not n_out * C.",
                function=lambda C, n, k: n * C * k * k + n * C),
    ])


# ------------------------------------------------------------ 3. dE/dX by hand
def _dX(X, K, d):
    kh, kw = K.shape
    return _c2(np.pad(d, ((kh - 1, kh - 1), (kw - 1, kw - 1))), K[::-1, ::-1])


def _dX_last_wins(X, K, d):
    out = np.zeros_like(X)
    for i in range(d.shape[0]):
        for j in range(d.shape[1]):
            out[i:i + 2, j:j + 2] = d[i, j] * K
    return out


@lab.exercise(3, hint="Each delta sends a copy of K, scaled by itself, back onto the 2 x 2 "
              "window it came from; where windows overlap the copies ADD. (Equivalently: "
              "pad delta with one ring of zeros and slide the FLIPPED kernel over it.)")
def check_input_gradient(dX):
    """Exercise 3: dE/dX (3 x 3) for HAND, eq. (ch12-conv-dX)."""
    X, K, d = HAND["X"], HAND["K"], HAND["delta"]
    padded = np.pad(d, 1)
    return check_array(dX, _dX(X, K, d), name="dE/dX", rtol=TYPED_RTOL, mistakes=[
        Mistake("the kernel not flipped", "Sliding K itself over the padded deltas gives "
                "the wrong pairs: input (a, b) meets delta (a - p, b - q) through K[p, q], "
                "so read as a correlation the kernel is flipped, K[::-1, ::-1].",
                value=_c2(padded, K)),
        Mistake("the kernel transposed instead of flipped", "Flip K in both directions "
                "(K[::-1, ::-1], a half turn); a transpose K.T mirrors it on the diagonal.",
                value=_c2(padded, K.T)),
        Mistake("overlaps not added", "An input inside several windows receives from each "
                "of their deltas: add the copies of K where they overlap.",
                value=_dX_last_wins(X, K, d)),
        Mistake("transposed", "Your array is the right one transposed: rows of dE/dX "
                "are the rows of X (the first index goes down).",
                value=_dX(X, K, d).T),
    ])


# ------------------------------------------------------------ 4. dE/dK by hand
@lab.exercise(4, hint="K[p, q] multiplied X[i + p, j + q] in output (i, j). So dE/dK[p, q] "
              "= sum over (i, j) of delta[i, j] * X[i + p, j + q]: slide delta over X like "
              "a kernel.")
def check_kernel_gradient(dK):
    """Exercise 4: dE/dK (2 x 2) for HAND, eq. (ch12-conv-dK)."""
    X, d = HAND["X"], HAND["delta"]
    right = _c2(X, d)
    return check_array(dK, right, name="dE/dK", rtol=TYPED_RTOL, mistakes=[
        Mistake("the kernel's gradient flipped", "The weight gradient is a correlation of "
                "the input with the deltas, with no flip: entry [p, q] pairs X[i + p, j + q] "
                "with delta[i, j].", value=right[::-1, ::-1]),
        Mistake("the deltas flipped", "Slide delta over X as it is: entry [p, q] sums "
                "delta[i, j] * X[i + p, j + q].", value=_c2(X, d[::-1, ::-1])),
        Mistake("one position only", "K is used at every position of the output: add the "
                "contributions of all four deltas.", value=d[0, 0] * X[:2, :2]),
        Mistake("transposed", "Your array is the right one transposed: entry [p, q] sums "
                "delta[i, j] * X[i + p, j + q], with p the row.", value=right.T),
        Mistake("a mean over positions", "The gradient of a shared weight is the SUM of its "
                "uses, not their mean.", value=right / d.size),
    ])


# ------------------------------------------------------------ 5. one step of BPTT
def _bptt_step(g_t, a_bar_next, h_t, Wh):
    return (g_t + a_bar_next @ Wh.T) * (1.0 - h_t ** 2)


def _bptt_cases(seed=1205, k=5):
    rng = np.random.default_rng(seed)
    cases = []
    for n, n_h in [(1, 2), (3, 3), (2, 4), (4, 2), (2, 3)][:k]:
        cases.append((rng.normal(size=(n, n_h)).round(3), rng.normal(size=(n, n_h)).round(3),
                      np.tanh(rng.normal(size=(n, n_h))).round(3),
                      rng.normal(size=(n_h, n_h)).round(3)))
    return cases


@lab.exercise(5, hint="Two paths leave h_t: the direct one (g_t) and the next step, which "
              "sends back a_bar_next @ Wh.T. Add them, then multiply by tanh's slope "
              "1 - h_t**2.")
def check_bptt_step(fn):
    """Exercise 5: bptt_step(g_t, a_bar_next, h_t, Wh) -> a_bar_t, eq. (ch12-bptt-h)."""
    return check_function(fn, _bptt_step, _bptt_cases(), name="bptt_step", mistakes=[
        Mistake("the carry from the next step forgotten", "h_t also feeds h_{t+1}: add "
                "a_bar_next @ Wh.T to g_t before the slope.",
                function=lambda g, a, h, W: g * (1 - h ** 2)),
        Mistake("Wh not transposed", "a_{t+1} = ... + h_t Wh, so the gradient sent back "
                "to h_t is a_bar_next @ Wh.T (eq. (ch06-dX)).",
                function=lambda g, a, h, W: (g + a @ W) * (1 - h ** 2)),
        Mistake("tanh's slope left out", "a_t passes through tanh: multiply by "
                "1 - h_t**2.", function=lambda g, a, h, W: g + a @ W.T),
        Mistake("the slope applied to one path only", "Both paths arrive at h_t; the "
                "slope 1 - h_t**2 multiplies their sum.",
                function=lambda g, a, h, W: g + (a @ W.T) * (1 - h ** 2)),
        Mistake("the slope without the square", "tanh'(a) = 1 - tanh(a)**2 = "
                "1 - h_t**2.", function=lambda g, a, h, W: (g + a @ W.T) * (1 - h)),
        Mistake("tanh applied to h_t again", "h_t is already tanh(a_t), so tanh's slope "
                "is 1 - h_t**2, not 1 - tanh(h_t)**2.",
                function=lambda g, a, h, W: (g + a @ W.T) * (1 - np.tanh(h) ** 2)),
    ])


# ------------------------------------------------------------ 6. the summed weight gradients
def _outer(P, A_bar):
    """sum over steps t and examples n of P[n, t]^T A_bar[n, t]: sum_t P_t^T a_bar_t."""
    return np.einsum("nti,ntj->ij", P, A_bar)


def _shifted(H, wrap=False):
    """h_{t-1} for t = 1..T: h_0 = 0, or (wrap) H[:, t - 1] read at t = 0, i.e. h_T."""
    H = np.asarray(H, dtype=float)
    return np.roll(H, 1, axis=1) if wrap else \
        np.concatenate([np.zeros_like(H[:, :1]), H[:, :-1]], axis=1)


def _bptt_weight_grads(X, H, A_bar):
    """(dWx, dWh) = (sum_t x_t^T a_bar_t, sum_t h_{t-1}^T a_bar_t), h_0 = 0."""
    return _outer(X, A_bar), _outer(_shifted(H), A_bar)


def _adjoints(rnn, X, grad_H):
    """a_bar_1..a_bar_T of ``rnn`` for the input X and dE/dH = grad_H, eq. (ch12-bptt-h)."""
    H = rnn.forward(X)
    A_bar, a_next = np.zeros_like(H), np.zeros_like(H[:, 0])
    for t in reversed(range(H.shape[1])):
        a_next = _bptt_step(grad_H[:, t], a_next, H[:, t], rnn.params["Wh"])
        A_bar[:, t] = a_next
    return A_bar


def _weight_cases(seed=1206):
    """(X, H, A_bar) of real forward and backward passes of bplib's RNN (N, T, widths)."""
    rng = np.random.default_rng(seed)
    cases = []
    for N, T, n_in, n_h in [(1, 4, 1, 2), (2, 3, 3, 2), (3, 5, 2, 4), (2, 6, 3, 3),
                            (1, 2, 4, 1)]:
        rnn = RNN(n_in, n_h, seed=int(rng.integers(1000)))
        rnn.params["b"] = rng.normal(scale=0.5, size=n_h)
        X = rng.normal(size=(N, T, n_in))
        grad_H = rng.normal(size=(N, T, n_h))
        cases.append((X, rnn.forward(X), _adjoints(rnn, X, grad_H)))
    return cases


@lab.exercise(6, hint="Each step uses W_x on x_t and W_h on the state before it, h_{t-1}: "
              "step t adds x_t.T @ a_bar_t to dWx and h_{t-1}.T @ a_bar_t to dWh. Add over "
              "all steps. In the arrays (index i = t - 1) that is X[:, i].T @ A_bar[:, i] "
              "and H[:, i - 1].T @ A_bar[:, i], where the state before the first step is "
              "h_0 = 0 (H[:, -1] would be the LAST state).")
def check_bptt_weight_grads(fn):
    """Exercise 6: bptt_weight_grads(X, H, A_bar) -> (dWx, dWh), eq. (ch12-bptt-w)."""
    return check_function(fn, _bptt_weight_grads, _weight_cases(), name="bptt_weight_grads",
                          returns=("dWx", "dWh"), mistakes=[
        Mistake("h_t instead of h_{t-1}", "W_h multiplies the PREVIOUS state in a_t = "
                "x_t W_x + h_{t-1} W_h + b, so step t adds h_{t-1}.T @ a_bar_t to dWh, "
                "with h_0 = 0; you used h_t.",
                function=lambda X, H, A: (_outer(X, A), _outer(H, A))),
        Mistake("h_0 read as h_T", "At the first step h_{t-1} is h_0 = 0; in Python "
                "H[:, t - 1] with t = 0 is H[:, -1], the LAST state. Start dWh's sum at "
                "the second step (h_0 = 0 adds nothing), or put a zero state in front of H.",
                function=lambda X, H, A: (_outer(X, A), _outer(_shifted(H, wrap=True), A))),
        Mistake("the last step only", "W_x and W_h are used at EVERY step, so their "
                "gradients add the contributions of all T steps, not only step T's.",
                function=lambda X, H, A: (_outer(X[:, -1:], A[:, -1:]),
                                          _outer(H[:, -2:-1], A[:, -1:]))),
        Mistake("the mean over steps", "A weight used at T steps collects the SUM of "
                "their gradients (eq. (ch12-bptt-w)), not their mean: do not divide by T.",
                function=lambda X, H, A: (_outer(X, A) / X.shape[1],
                                          _outer(_shifted(H), A) / X.shape[1])),
        Mistake("transposed", "A weight's gradient has the weight's shape: W_x is "
                "(n_in, n_h), so each step adds x_t.T @ a_bar_t, not a_bar_t.T @ x_t "
                "(eq. (ch06-dW)); the same for W_h.",
                function=lambda X, H, A: (_outer(A, X), _outer(A, _shifted(H)))),
        Mistake("dWh transposed", "dWx is right, but dWh is transposed: step t adds "
                "h_{t-1}.T @ a_bar_t (shape (n_h, n_h), rows for h_{t-1}), not "
                "a_bar_t.T @ h_{t-1}.",
                function=lambda X, H, A: (_outer(X, A), _outer(A, _shifted(H)))),
        Mistake("the first step left out of dWx", "h_0 = 0 makes the first step add "
                "nothing to dWh, but x_1 is not zero: dWx adds x_t.T @ a_bar_t over ALL "
                "steps, t = 1..T.",
                function=lambda X, H, A: (_outer(X[:, 1:], A[:, 1:]), _outer(_shifted(H), A))),
        Mistake("the two results swapped", "Return dWx first, then dWh: "
                "(dWx, dWh).", function=lambda X, H, A: tuple(_bptt_weight_grads(X, H, A)[::-1])),
    ])


# ------------------------------------------------------------ 7. the vanishing product
@lab.exercise(7, hint="dh_T/dh_0 = product over s = 1..T of w * (1 - h_s**2): one factor "
              "per step, each the recurrent weight times tanh's slope at that step.")
def check_vanishing(value):
    """Exercise 7: dh_T/dh_0 for VANISH, eq. (ch12-vanish)."""
    w, h = VANISH["w"], VANISH["h"]
    factors = w * (1 - h ** 2)
    return check_number(value, np.prod(factors), name="dh_T/dh_0", rtol=TYPED_RTOL, mistakes=[
        Mistake("tanh's slopes left out", "Every step also multiplies by tanh's slope "
                "1 - h_s**2, not only by w.", value=w ** len(h)),
        Mistake("one factor too few", "From h_0 to h_T there are T steps, s = 1..T: "
                "include the factor of h_1.", value=np.prod(factors[1:])),
        Mistake("a sum instead of a product", "The chain rule multiplies the local "
                "factors along the path: use np.prod.", value=np.sum(factors)),
        Mistake("the slope without the square", "tanh's slope is 1 - h_s**2.",
                value=np.prod(w * (1 - h))),
        Mistake("one factor too few (the last)", "From h_0 to h_T there are T steps, "
                "s = 1..T: include the factor of h_T.", value=np.prod(factors[:-1])),
        Mistake("the ratio to w^T", "That is the product of tanh's slopes alone, the "
                "ratio of the gradient to w^T; the gradient multiplies each slope by w.",
                value=np.prod(1 - h ** 2)),
    ])


# ------------------------------------------------------------ 8. multiply-adds
def _macs(widths):
    per_layer = [a * b for a, b in zip(widths[:-1], widths[1:])]
    return 2 * sum(per_layer) + sum(per_layer[1:])


@lab.exercise(8, hint="Per layer of n_in x n_out weights: n_in n_out multiply-adds for "
              "Z = X W, as many for dW = X^T delta, and as many for dX = delta W^T, except "
              "in the first layer (no one needs the gradient of the data).")
def check_training_macs(fn):
    """Exercise 8: training_macs(widths): multiply-adds of one training example."""
    cases = [((64, 64, 10),), ((2, 3, 1),), ((784, 128, 64, 10),), ((5, 7),),
             ((10, 20, 30, 40),)]

    def per(widths):
        return [a * b for a, b in zip(widths[:-1], widths[1:])]
    return check_function(fn, _macs, cases, name="training_macs", mistakes=[
        Mistake("the backward pass not counted", "Training runs the backward pass too: "
                "about twice the forward multiply-adds again.",
                function=lambda w: sum(per(w))),
        Mistake("the input gradients not counted", "Backward needs dX = delta W^T for "
                "every layer but the first, as well as dW.",
                function=lambda w: 2 * sum(per(w))),
        Mistake("the first layer's input gradient counted", "No one needs dE/dX of the "
                "data: the first layer skips delta W^T.", function=lambda w: 3 * sum(per(w))),
        Mistake("operations instead of multiply-adds", "Count a multiply and its add as "
                "one multiply-add (two floating-point operations).",
                function=lambda w: 2 * _macs(w)),
        Mistake("the last layer's input gradient skipped", "Every layer but the FIRST "
                "computes dX = delta W^T (the data need no gradient); the last layer's "
                "dX is needed by the layer below it.",
                function=lambda w: 2 * sum(per(w)) + sum(per(w)[:-1])),
    ])
