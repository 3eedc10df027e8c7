"""The classic 2-2-2 worked example: one forward pass, one backward pass, by hand.

Two inputs, two sigmoid hidden units, two sigmoid outputs, one shared bias per layer,
the ½-sum-of-squares error E = ½ Σ (target − output)² and learning rate η = 0.5.
The numbers (w1..w8, b1, b2, inputs, targets) are the ones the well-known
step-by-step backpropagation walkthroughs use, so every intermediate value can be
checked by hand.

Indexing: w1..w4 connect inputs to hidden units (w1: i1→h1, w2: i2→h1, w3: i1→h2,
w4: i2→h2) and w5..w8 hidden units to outputs (w5: h1→o1, w6: h2→o1, w7: h1→o2,
w8: h2→o2). With rows as samples, Z = X W + b, so W[i, j] is the weight from input
i to unit j: W1 = [[w1, w3], [w2, w4]], W2 = [[w5, w7], [w6, w8]].

In the classic version the biases are **not** updated (``train_bias=False``), and
**all gradients of a step use the weights from before that step**: the hidden
layer's deltas are computed with the old w5..w8, and only then are all eight
weights updated together. That is what ``net.backward()`` followed by one
``SGD(lr=0.5).step(net.trainable_params, net.grads)`` does.
"""

from __future__ import annotations

import numpy as np

from bplib.activations import Sigmoid
from bplib.layers import Dense
from bplib.losses import HalfSSE
from bplib.network import Sequential
from bplib.optimizers import SGD

__all__ = ["CLASSIC", "classic_network", "classic_data", "classic_step", "weights"]

CLASSIC = {
    "w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30,
    "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55,
    "b1": 0.35, "b2": 0.60,
    "inputs": (0.05, 0.10),
    "targets": (0.01, 0.99),
    "lr": 0.5,
}
"""The numbers of the worked example (a plain dict; do not modify it)."""


def classic_network():
    """The 2-2-2 network with the classic weights, biases fixed, loss ½ SSE.

    Layers "dense0" (W1, b1), "sigmoid0", "dense1" (W2, b2), "sigmoid1"; the weight
    of the text's w5 is ``net.params["dense1.W"][0, 0]`` (see the module docstring).
    """
    c = CLASSIC
    return Sequential([
        Dense(2, 2, W=[[c["w1"], c["w3"]], [c["w2"], c["w4"]]], b=[c["b1"], c["b1"]],
              train_bias=False),
        Sigmoid(),
        Dense(2, 2, W=[[c["w5"], c["w7"]], [c["w6"], c["w8"]]], b=[c["b2"], c["b2"]],
              train_bias=False),
        Sigmoid(),
    ], loss=HalfSSE())


def classic_data():
    """The single training example: X (1, 2) = [[0.05, 0.10]], Y (1, 2) = [[0.01, 0.99]]."""
    return np.array([CLASSIC["inputs"]]), np.array([CLASSIC["targets"]])


def weights(net):
    """The eight weights of a classic network by their textbook names, w1..w8."""
    W1, W2 = net.params["dense0.W"], net.params["dense1.W"]
    return {k: float(v) for k, v in {
        "w1": W1[0, 0], "w2": W1[1, 0], "w3": W1[0, 1], "w4": W1[1, 1],
        "w5": W2[0, 0], "w6": W2[1, 0], "w7": W2[0, 1], "w8": W2[1, 1]}.items()}


def classic_step(net=None, lr=None):
    """One training step of the worked example; returns (error before, net).

    Computes E with the current weights, backpropagates (every gradient from the
    weights before the step), then applies w⁺ = w − η ∂E/∂w, eq. (ch05-update), to
    w1..w8 at once.
    """
    net = classic_network() if net is None else net
    X, Y = classic_data()
    error = net.loss(X, Y)
    net.backward()
    SGD(lr=CLASSIC["lr"] if lr is None else lr).step(net.trainable_params, net.grads)
    return error, net
