"""Write tests/data/bce_logits_reference.json: PyTorch's binary cross-entropy on fixed inputs.

Three cases, each a float64 batch of logits z and targets y (logits of 0, ±2, ±30 and
±1000 included, targets 0, 1 and in between), recorded through

* ``torch.nn.BCEWithLogitsLoss()`` (fused, on logits): the loss and dL/dz;
* ``torch.nn.BCELoss()`` after ``torch.sigmoid`` (unfused, on probabilities): the
  loss, dL/dy_hat and dL/dz through the sigmoid.

tests/test_losses.py replays them through ``bplib.losses.BinaryCrossEntropyWithLogits``
and ``Sigmoid`` + ``BinaryCrossEntropy`` and compares. The tests never import torch.

Regenerate (needs PyTorch, the bench extra; never needed by the tests):

    python bench/make_bce_logits_reference.py
"""

from __future__ import annotations

import json
import pathlib

import torch

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "bce_logits_reference.json"

CASES = {
    # a batch of one column: moderate, saturated (|z| = 30) and extreme (|z| = 1000)
    "column": {
        "z": [[0.0], [2.0], [-2.0], [30.0], [-30.0], [1000.0], [-1000.0], [0.5]],
        "y": [[1.0], [0.0], [1.0], [0.0], [1.0], [0.0], [1.0], [0.25]],
    },
    # confidently right: tiny losses and gradients that must not round to nonsense
    "right": {
        "z": [[30.0, -30.0], [1000.0, -1000.0], [12.0, -12.0]],
        "y": [[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]],
    },
    # a small matrix of ordinary values, soft targets
    "matrix": {
        "z": [[0.3, -1.7, 4.2], [-0.05, 2.5, -3.3]],
        "y": [[0.0, 1.0, 0.7], [1.0, 0.2, 0.0]],
    },
}


def record(z, y):
    zt = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    yt = torch.tensor(y, dtype=torch.float64)
    fused = torch.nn.BCEWithLogitsLoss()(zt, yt)
    fused.backward()
    fused_grad = zt.grad.tolist()

    zu = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    y_hat = torch.sigmoid(zu)
    y_hat.retain_grad()
    unfused = torch.nn.BCELoss()(y_hat, yt)
    unfused.backward()
    return {"z": z, "y": y,
            "with_logits": {"loss": fused.item(), "grad_z": fused_grad},
            "sigmoid_then_bce": {"loss": unfused.item(), "y_hat": y_hat.tolist(),
                                 "grad_y_hat": y_hat.grad.tolist(),
                                 "grad_z": zu.grad.tolist()}}


def main():
    data = {"generated_by": "bench/make_bce_logits_reference.py",
            "torch_version": torch.__version__,
            "cases": {name: record(c["z"], c["y"]) for name, c in CASES.items()}}
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(OUT.parents[2])}")


if __name__ == "__main__":
    main()
