"""Write tests/data/optimizer_reference.json: torch.optim's updates on fixed inputs.

For each optimizer configuration below, two float64 parameters start from fixed
values and receive a fixed sequence of gradients (drawn once from a seeded
generator, independent of the weights); after every ``optimizer.step()`` the
parameters are recorded. tests/test_optimizers.py replays the same gradients
through bplib.optimizers and compares (tolerance 1e-12). The file also records
each optimizer's default hyperparameters as PyTorch reports them, and the learning
rates of torch.optim.lr_scheduler's StepLR, CosineAnnealingLR, LinearLR and a
warm-up followed by a cosine (SequentialLR), epoch by epoch, with one run of SGD
under a schedule (tests/test_schedules.py compares bplib.schedules with them).

Regenerate (needs PyTorch, the bench extra; never needed by the tests):

    python bench/make_optimizer_reference.py
"""

from __future__ import annotations

import json
import pathlib

import numpy as np
import torch

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data" / "optimizer_reference.json"
STEPS = 6
SHAPES = {"dense0.W": (3, 4), "dense0.b": (4,)}

# (bplib / torch class name, keyword arguments); names of arguments are bplib's,
# which are also torch's.
CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "nesterov": True, "weight_decay": 0.01}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.5, "eps": 1e-6}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.001, "alpha": 0.9, "eps": 1e-6, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.001, "alpha": 0.9, "momentum": 0.5, "centered": True}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.1, "amsgrad": True}),
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
]

EPOCHS = 25
BASE_LR = 0.1
# (name, bplib schedule and settings, how to build the torch scheduler)
SCHEDULES = [
    ("StepDecay", {"step_size": 3, "gamma": 0.5},
     lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)),
    ("StepDecay", {"step_size": 10},
     lambda opt: torch.optim.lr_scheduler.StepLR(opt, step_size=10)),
    ("Cosine", {"T_max": 10},
     lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10)),
    ("Cosine", {"T_max": 20, "eta_min": 0.001},
     lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=20, eta_min=0.001)),
    ("Warmup", {"warmup": 5},
     lambda opt: torch.optim.lr_scheduler.LinearLR(opt, total_iters=5)),
    ("Warmup", {"warmup": 4, "start_factor": 0.1},
     lambda opt: torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=4)),
    ("Warmup+Cosine", {"warmup": 3, "start_factor": 0.1, "T_max": 12},
     lambda opt: torch.optim.lr_scheduler.SequentialLR(opt, [
         torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=3),
         torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=12)], milestones=[3])),
]


def run_schedule(name, kwargs, make):
    """The learning rate of each epoch 0..EPOCHS-1 (scheduler.step() after each)."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE_LR)
    scheduler = make(opt)
    lrs = []
    for _ in range(EPOCHS):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return {"schedule": name, "kwargs": kwargs, "base_lr": BASE_LR, "lrs": lrs}


def run_scheduled_sgd(rng):
    """SGD with momentum 0.9, lr 0.1, cosine over 6 steps (one step per 'epoch')."""
    initial = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    grads = [{k: rng.standard_normal(s) for k, s in SHAPES.items()} for _ in range(STEPS)]
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
               for k, v in initial.items()}
    opt = torch.optim.SGD(list(tensors.values()), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS)
    expected = []
    for g in grads:
        for k, t in tensors.items():
            t.grad = torch.tensor(g[k], dtype=torch.float64)
        opt.step()
        scheduler.step()
        expected.append({k: t.detach().numpy().tolist() for k, t in tensors.items()})
    as_lists = lambda d: {k: v.tolist() for k, v in d.items()}  # noqa: E731
    return {"optimizer": "SGD", "kwargs": {"lr": 0.1, "momentum": 0.9},
            "schedule": "Cosine", "schedule_kwargs": {"T_max": STEPS},
            "initial": as_lists(initial), "grads": [as_lists(g) for g in grads],
            "expected": expected}


def scheduler_defaults():
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=BASE_LR)
    step = torch.optim.lr_scheduler.StepLR(opt, step_size=1)
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=1)
    linear = torch.optim.lr_scheduler.LinearLR(opt)
    return {"StepDecay": {"gamma": step.gamma}, "Cosine": {"eta_min": cosine.eta_min},
            "Warmup": {"start_factor": linear.start_factor, "warmup": linear.total_iters}}

DEFAULT_KEYS = {
    "SGD": ["lr", "momentum", "nesterov", "weight_decay"],
    "Adagrad": ["lr", "eps"],
    "RMSprop": ["lr", "alpha", "eps", "momentum", "centered"],
    "Adam": ["lr", "betas", "eps", "weight_decay", "amsgrad"],
    "AdamW": ["lr", "betas", "eps", "weight_decay", "amsgrad"],
}


def run_case(name, kwargs, rng):
    initial = {k: rng.standard_normal(s) for k, s in SHAPES.items()}
    grads = [{k: rng.standard_normal(s) for k, s in SHAPES.items()} for _ in range(STEPS)]
    grads[2]["dense0.b"][1] = 0.0  # one exact zero gradient entry
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
               for k, v in initial.items()}
    opt = getattr(torch.optim, name)(list(tensors.values()), **kwargs)
    expected = []
    for g in grads:
        for k, t in tensors.items():
            t.grad = torch.tensor(g[k], dtype=torch.float64)
        opt.step()
        expected.append({k: t.detach().numpy().tolist() for k, t in tensors.items()})
    as_lists = lambda d: {k: v.tolist() for k, v in d.items()}  # noqa: E731
    return {"optimizer": name, "kwargs": kwargs, "initial": as_lists(initial),
            "grads": [as_lists(g) for g in grads], "expected": expected}


def main():
    rng = np.random.default_rng(20240613)
    dummy = [torch.zeros(1, requires_grad=True)]
    defaults = {}
    for name, keys in DEFAULT_KEYS.items():
        d = getattr(torch.optim, name)(dummy).defaults
        defaults[name] = {k: (list(d[k]) if isinstance(d[k], tuple) else d[k]) for k in keys}
    data = {
        "generated_by": "bench/make_optimizer_reference.py",
        "torch_version": torch.__version__,
        "defaults": defaults,
        "cases": [run_case(name, kwargs, rng) for name, kwargs in CASES],
        "scheduler_defaults": scheduler_defaults(),
        "schedules": [run_schedule(*case) for case in SCHEDULES],
        "scheduled_sgd": run_scheduled_sgd(rng),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT.name}: {len(CASES)} cases x {STEPS} steps, {len(SCHEDULES)} "
          f"schedules x {EPOCHS} epochs, torch {torch.__version__}")
    print("torch defaults:", json.dumps(defaults))


if __name__ == "__main__":
    main()
