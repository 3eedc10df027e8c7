"""Chapter 12, "Beyond the dense network": experiments, a scalar-engine RNN, a slider.

Pure functions for the chapter's numbers and figures: the two digit classifiers
(Chapter 8's dense network and a small convolutional one) and the loop that trains
both alike (:func:`train`); the recurrent network of the chapter written with the
Chapter 4 scalar engine (:func:`rnn_engine_grads`), to check backpropagation through
time; PyTorch's stored gradients rebuilt as bplib networks (:func:`reference_network`);
the multiply-adds of a dense network and the machine's matrix-product rate
(:func:`dense_macs`, :func:`matmul_rate`); and the gradient that flows back through
time, with a slider over the recurrent weight (:func:`through_time_view`,
:func:`through_time_demo`).
"""

from __future__ import annotations

import time

import numpy as np
from matplotlib.figure import Figure

from bplib.activations import ReLU
from bplib.conv import Conv2D, Flatten
from bplib.data import minibatches, train_val_test_split
from bplib.datasets.digits import load_digits
from bplib.engine import Value
from bplib.figures import Demo, Slider
from bplib.layers import Dense
from bplib.losses import HalfSSE
from bplib.network import Sequential
from bplib.optimizers import SGD
from bplib.recurrent import RNN, LastStep

__all__ = ["digits_split", "dense_net", "conv_net", "n_params", "train",
           "tiny_rnn", "rnn_engine_grads", "conv_engine_grads", "reference_network", "compare_with_reference",
           "dense_macs", "matmul_rate", "through_time", "through_time_view",
           "through_time_demo"]


# -- the digits, two networks, one loop --------------------------------------------------
def digits_split(seed=0):
    """The 8x8 digits scaled to [0, 1], 80 % for training and 20 % for testing.

    Returns (X_train, y_train), (X_test, y_test) with X of shape (N, 64); reshape to
    (N, 1, 8, 8) for a convolutional network.
    """
    X, y = load_digits()
    (X_tr, y_tr), _, (X_te, y_te) = train_val_test_split(X / 16.0, y, val=0.0, test=0.2,
                                                         seed=seed)
    return (X_tr, y_tr), (X_te, y_te)


def dense_net(seed=0):
    """Chapter 8's network: Dense(64, 64) -> ReLU -> Dense(64, 10), He init, softmax CE."""
    return Sequential([Dense(64, 64, init="he", seed=seed), ReLU(),
                       Dense(64, 10, init="he", seed=seed + 1)], loss="softmax_ce")


def conv_net(n_filters=8, seed=0):
    """Conv2D(1, n_filters, 3) -> ReLU -> Flatten -> Dense(n_filters*6*6, 10), softmax CE.

    Input (N, 1, 8, 8); a 3 x 3 kernel without padding leaves 6 x 6 positions.
    """
    return Sequential([Conv2D(1, n_filters, 3, init="he", seed=seed), ReLU(), Flatten(),
                       Dense(n_filters * 36, 10, init="he", seed=seed + 1)],
                      loss="softmax_ce")


def n_params(net):
    """The number of numbers a network learns."""
    return int(sum(p.size for p in net.params.values()))


def train(net, X, y, *, epochs, batch_size=32, lr=0.05, momentum=0.9, seed=0):
    """Mini-batch SGD with momentum; returns (mean loss per epoch, seconds of training).

    The loop of ``Sequential.fit`` written out (``fit`` takes flat inputs (N, n_in);
    a convolutional network takes images (N, C, H, W)): forward and loss, backward,
    step, for every mini-batch of every epoch.
    """
    opt = SGD(lr=lr, momentum=momentum)
    rng = np.random.default_rng(seed)
    losses, start = [], time.perf_counter()
    for _ in range(epochs):
        total = 0.0
        for X_b, y_b in minibatches(X, y, batch_size, seed=rng):
            total += net.loss(X_b, y_b) * len(y_b)
            net.backward(need_input_grad=False)
            opt.step(net.trainable_params, net.grads)
        losses.append(total / len(y))
    return losses, time.perf_counter() - start


# -- the recurrent network, by layers and by the scalar engine ---------------------------
def tiny_rnn(seed=0, n_in=1, n_h=2):
    """RNN(n_in, n_h) -> LastStep -> Dense(n_h, 1) with E = ½ (ŷ - y)² (HalfSSE)."""
    rng = np.random.default_rng(seed)
    return Sequential([RNN(n_in, n_h, Wx=rng.normal(0, 0.8, (n_in, n_h)),
                           Wh=rng.normal(0, 0.8, (n_h, n_h)), b=rng.normal(0, 0.2, n_h)),
                       LastStep(), Dense(n_h, 1, seed=rng)], loss=HalfSSE())


def rnn_engine_grads(net, x, y):
    """The same network for one sequence, one scalar :class:`~bplib.engine.Value` at a time.

    x: (T, n_in), y: a number. Builds the unrolled graph of eq. (ch12-rnn) from the
    network's parameters, runs the engine's ``backward`` and returns
    (E, {"rnn0.Wx": ..., ...}) with the gradients as arrays keyed like ``net.grads``.
    """
    arrays = net.params
    P = {k: np.array([[Value(v) for v in row] for row in np.atleast_2d(a)], dtype=object)
         for k, a in arrays.items()}
    Wx, Wh, b = P["rnn0.Wx"], P["rnn0.Wh"], P["rnn0.b"][0]
    W, c = P["dense0.W"], P["dense0.b"][0]
    n_h = Wh.shape[0]
    h = [Value(0.0) for _ in range(n_h)]                     # h_0 = 0
    for x_t in np.asarray(x, dtype=float):
        h = [(sum((float(x_t[i]) * Wx[i, j] for i in range(len(x_t))), Value(0.0))
              + sum((h[k] * Wh[k, j] for k in range(n_h)), Value(0.0)) + b[j]).tanh()
             for j in range(n_h)]
    y_hat = sum((h[k] * W[k, 0] for k in range(n_h)), Value(0.0)) + c[0]
    E = 0.5 * (y_hat - float(y)) ** 2
    E.backward()
    grads = {k: np.array([[v.grad for v in row] for row in P[k]]).reshape(arrays[k].shape)
             for k in arrays}
    return E.data, grads


def conv_engine_grads(X, K, b, delta, padding=0):
    """Gradients of f = Σ δ ⊙ Z for one convolution, one scalar Value at a time.

    X (C, H, W) one image, K (O, C, kh, kw), b (O,), delta (O, Ho, Wo) the weights of
    the sum (so that ∂f/∂Z = δ); ``padding`` zeros around X as in ``Conv2D``. Builds
    eq. (ch12-conv) entry by entry with :class:`~bplib.engine.Value`, runs the engine's
    ``backward`` and returns (dX, dK, db) as arrays, dX of the shape of X.
    """
    X, K, b, delta = (np.asarray(a, dtype=float) for a in (X, K, b, delta))
    P = padding
    X = np.pad(X, ((0, 0), (P, P), (P, P)))
    to_values = np.vectorize(Value, otypes=[object])
    Xv, Kv, bv = to_values(X), to_values(K), to_values(b)
    O, C, kh, kw = K.shape
    f = Value(0.0)
    for o in range(O):
        for i in range(delta.shape[1]):
            for j in range(delta.shape[2]):
                z = bv[o]
                for c in range(C):
                    for p in range(kh):
                        for q in range(kw):
                            z = z + Xv[c, i + p, j + q] * Kv[o, c, p, q]
                f = f + float(delta[o, i, j]) * z
    f.backward()
    grad = np.vectorize(lambda v: v.grad, otypes=[float])
    dX = grad(Xv)
    return dX[:, P:dX.shape[1] - P, P:dX.shape[2] - P], grad(Kv), grad(bv)


# -- PyTorch's gradients, stored ---------------------------------------------------------
def reference_network(name, case):
    """The bplib network of a case of tests/data/autodiff_reference.json, with its values.

    name: "dense", "conv" or "rnn". Returns (net, X, y).
    """
    p = {k: np.array(v) for k, v in case["params"].items()}
    if name == "dense":
        layers = [Dense(64, 64, W=p["dense0.W"], b=p["dense0.b"]), ReLU(),
                  Dense(64, 10, W=p["dense1.W"], b=p["dense1.b"])]
    elif name == "conv":
        K = p["conv2d0.K"]
        layers = [Conv2D(1, K.shape[0], 3, padding=1, K=K, b=p["conv2d0.b"]), ReLU(),
                  Flatten(), Dense(*p["dense0.W"].shape, W=p["dense0.W"], b=p["dense0.b"])]
    elif name == "rnn":
        layers = [RNN(*p["rnn0.Wx"].shape, Wx=p["rnn0.Wx"], Wh=p["rnn0.Wh"], b=p["rnn0.b"]),
                  LastStep(), Dense(*p["dense0.W"].shape, W=p["dense0.W"], b=p["dense0.b"])]
    else:
        raise ValueError(f"reference_network: expected 'dense', 'conv' or 'rnn', got {name!r}")
    return Sequential(layers, loss="softmax_ce"), np.array(case["X"]), np.array(case["y"])


def compare_with_reference(name, case):
    """Loss and gradients of bplib against PyTorch's stored ones.

    Returns {"loss": abs(difference) / abs(torch's loss), "<param>": relative error, ...},
    each relative error ‖a - t‖ / ‖t‖ over the whole array.
    """
    net, X, y = reference_network(name, case)
    out = {"loss": abs(net.loss(X, y) - case["loss"]) / abs(case["loss"])}
    net.backward()
    for k, g in case["grads"].items():
        t = np.array(g)
        out[k] = float(np.linalg.norm(net.grads[k] - t) / np.linalg.norm(t))
    return out


# -- arithmetic and the machine ----------------------------------------------------------
def dense_macs(widths, n_examples=1, first_input_grad=False):
    """Multiply-adds of one training pass (forward and backward) of a dense network.

    widths: (n_0, n_1, ..., n_L). Per example: forward Σ n_{l-1} n_l (Z = X W); backward
    the same again for the weight gradients (Xᵀ δ) and again for every input gradient
    δ Wᵀ except the first layer's (unless ``first_input_grad``). Returns
    {"forward", "backward", "total"} for ``n_examples`` examples. Biases and activations
    (a few operations per unit, not per weight) are left out.
    """
    per_layer = [a * b for a, b in zip(widths[:-1], widths[1:])]
    forward = sum(per_layer)
    backward = sum(per_layer) + sum(per_layer[0 if first_input_grad else 1:])
    return {"forward": forward * n_examples, "backward": backward * n_examples,
            "total": (forward + backward) * n_examples}


def matmul_rate(m, k=None, n=None, repeats=5, seed=0):
    """Multiply-adds per second of a float64 product (m x k) @ (k x n), best of ``repeats``.

    ``matmul_rate(n)`` times a square n x n product. One product does m k n
    multiply-adds (2 m k n floating-point operations).
    """
    k = m if k is None else k
    n = m if n is None else n
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(m, k)), rng.normal(size=(k, n))
    number = max(1, int(1e8 // (m * k * n)))          # enough products to time
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            A @ B
        best = min(best, (time.perf_counter() - start) / number)
    return m * k * n / best


# -- the gradient through time -----------------------------------------------------------
def through_time(w, T=30, activation="tanh", x_scale=0.1, seed=0):
    """abs(∂h_T/∂h_t) for t = 0..T of the scalar recurrence h_t = f(w h_{t-1} + x_t).

    The inputs x_t are drawn once (normal, scale ``x_scale``, from ``seed``); f is tanh
    or the identity ("linear"). By eq. (ch12-vanish), ∂h_T/∂h_t = Π_{s=t+1}^{T} w f'(a_s).
    Returns (h, factor) with h of length T + 1 (h_0 = 0) and factor[t] = abs(∂h_T/∂h_t).
    """
    x = x_scale * np.random.default_rng(seed).normal(size=T + 1)
    h = np.zeros(T + 1)
    slope = np.ones(T + 1)
    for t in range(1, T + 1):
        a = w * h[t - 1] + x[t]
        h[t] = np.tanh(a) if activation == "tanh" else a
        slope[t] = 1 - h[t] ** 2 if activation == "tanh" else 1.0
    factor = np.ones(T + 1)
    for t in range(T - 1, -1, -1):
        factor[t] = factor[t + 1] * abs(w * slope[t + 1])
    return h, factor


def through_time_view(w=0.9):
    """How much of the gradient at step T = 30 reaches each earlier state.

    Two recurrences with the same weight w and the same small inputs: with tanh,
    h_t = tanh(w h_{t-1} + x_t), and linear, h_t = w h_{t-1} + x_t. Returns
    (Figure, text).
    """
    T = 30
    _, with_tanh = through_time(w, T, "tanh")
    _, linear = through_time(w, T, "linear")
    fig = Figure(figsize=(7.0, 3.4), layout="constrained")
    ax = fig.add_subplot()
    steps = np.arange(T + 1)
    ax.semilogy(steps, np.clip(with_tanh, 1e-12, 1e12), "o-", ms=3, color="C0",
                label="tanh")
    ax.semilogy(steps, np.clip(linear, 1e-12, 1e12), "s--", ms=3, color="C1",
                label="linear (no activation)")
    ax.axhline(1.0, color="0.5", lw=0.8)
    ax.set_ylim(1e-12, 1e12)
    ax.set_xlim(0, T)
    ax.set_xlabel("step t")
    ax.set_ylabel("|dh_T / dh_t|")
    ax.set_title(f"gradient reaching each step from step {T}, recurrent weight w = {w:g}")
    ax.legend(loc="upper left")
    text = (f"|dh_T/dh_0|: {with_tanh[0]:.1e} with tanh, {linear[0]:.1e} linear "
            "(plot clipped to 1e-12 .. 1e12)")
    return fig, text


def through_time_demo():
    """Slider: the recurrent weight w, 0.5 to 1.5."""
    return Demo(through_time_view,
                Slider("w", 0.5, 1.5, 0.1, value=0.9, label="recurrent weight w"),
                title="Backpropagation through time: the gradient over 30 steps")
