"""Write tests/data/autodiff_reference.json: PyTorch's gradients for three small networks.

Chapter 12 says that ``loss.backward()`` in a framework computes what bplib's
hand-written ``backward`` methods compute. This script records the evidence: for each
network below, fixed float64 inputs, labels and parameters (drawn once from a seeded
generator), the loss and every parameter's gradient as PyTorch's autograd computes
them. tests/test_autodiff_reference.py and the chapter rebuild the same networks
from bplib's layers with these values and compare (relative 1e-12).

Parameters are stored in bplib's layout: a dense layer's W is (n_in, n_out) (torch's
``nn.Linear`` keeps the transpose), a convolution's kernel K is (n_out, n_in, kh, kw)
(torch's layout too), the recurrent layer's Wx (n_in, n_h) and Wh (n_h, n_h). The
networks are written with torch's functional operations in the same orientation, so
no transposition is needed in the comparison.

Regenerate (needs PyTorch, the bench extra; never needed by the tests):

    python bench/make_autodiff_reference.py
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "autodiff_reference.json"


def dense_case(rng):
    """Chapter 8's network, Dense(64, 64) -> ReLU -> Dense(64, 10), on 6 inputs."""
    values = {"X": rng.normal(size=(6, 64)), "y": rng.integers(0, 10, 6),
              "dense0.W": rng.normal(0, np.sqrt(2 / 64), (64, 64)),
              "dense0.b": rng.normal(0, 0.1, 64),
              "dense1.W": rng.normal(0, np.sqrt(2 / 64), (64, 10)),
              "dense1.b": rng.normal(0, 0.1, 10)}

    def loss(t):
        A1 = torch.relu(t["X"] @ t["dense0.W"] + t["dense0.b"])
        return F.cross_entropy(A1 @ t["dense1.W"] + t["dense1.b"], t["y"])
    return values, loss


def conv_case(rng):
    """Conv2D(1, 3, 3, padding=1) -> ReLU -> Flatten -> Dense(3*5*5, 4), on 5 images."""
    values = {"X": rng.normal(size=(5, 1, 5, 5)), "y": rng.integers(0, 4, 5),
              "conv2d0.K": rng.normal(0, 0.5, (3, 1, 3, 3)),
              "conv2d0.b": rng.normal(0, 0.1, 3),
              "dense0.W": rng.normal(0, 0.2, (75, 4)),
              "dense0.b": rng.normal(0, 0.1, 4)}

    def loss(t):
        Z = F.conv2d(t["X"], t["conv2d0.K"], t["conv2d0.b"], padding=1)  # cross-correlation
        A = torch.relu(Z).reshape(Z.shape[0], -1)
        return F.cross_entropy(A @ t["dense0.W"] + t["dense0.b"], t["y"])
    return values, loss


def rnn_case(rng):
    """RNN(2, 4) -> LastStep -> Dense(4, 3), on 5 sequences of 6 steps."""
    values = {"X": rng.normal(size=(5, 6, 2)), "y": rng.integers(0, 3, 5),
              "rnn0.Wx": rng.normal(0, 0.6, (2, 4)),
              "rnn0.Wh": rng.normal(0, 0.6, (4, 4)),
              "rnn0.b": rng.normal(0, 0.1, 4),
              "dense0.W": rng.normal(0, 0.5, (4, 3)),
              "dense0.b": rng.normal(0, 0.1, 3)}

    def loss(t):
        h = torch.zeros(t["X"].shape[0], 4, dtype=torch.float64)
        for step in range(t["X"].shape[1]):
            h = torch.tanh(t["X"][:, step] @ t["rnn0.Wx"] + h @ t["rnn0.Wh"] + t["rnn0.b"])
        return F.cross_entropy(h @ t["dense0.W"] + t["dense0.b"], t["y"])
    return values, loss


def record(make, rng):
    values, loss_fn = make(rng)
    tensors = {}
    for k, v in values.items():
        if k == "y":
            tensors[k] = torch.tensor(v, dtype=torch.int64)
        else:
            tensors[k] = torch.tensor(v, dtype=torch.float64, requires_grad=k != "X")
    loss = loss_fn(tensors)
    loss.backward()                  # reverse mode over the graph of tensor operations
    params = [k for k in values if k not in ("X", "y")]
    return {"network": make.__doc__.strip(),
            "X": values["X"].tolist(), "y": values["y"].tolist(),
            "params": {k: values[k].tolist() for k in params},
            "loss": loss.item(),
            "grads": {k: tensors[k].grad.numpy().tolist() for k in params}}


def main():
    rng = np.random.default_rng(20261202)
    data = {"generated_by": "bench/make_autodiff_reference.py",
            "torch_version": torch.__version__,
            "cases": {name: record(make, rng) for name, make in
                      (("dense", dense_case), ("conv", conv_case), ("rnn", rnn_case))}}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data) + "\n")
    print(f"wrote {OUT.name}: {len(data['cases'])} networks, torch {torch.__version__}")


if __name__ == "__main__":
    main()
