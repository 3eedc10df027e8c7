"""Tests of bplib.schedules and of fit(..., schedule=...).

The learning rates are compared with those of ``torch.optim.lr_scheduler``, recorded
in ``tests/data/optimizer_reference.json`` by ``bench/make_optimizer_reference.py``
(the tests never import torch), and with the closed forms written out below.
"""

import json
import math
import pathlib

import numpy as np
import pytest

from bplib import schedules as S
from bplib.layers import Dense
from bplib.network import Sequential
from bplib.optimizers import SGD

REF = json.loads((pathlib.Path(__file__).parent / "data" / "optimizer_reference.json").read_text())


def _make(case):
    kwargs = dict(case["kwargs"])
    if case["schedule"] == "Warmup+Cosine":
        return S.Warmup(kwargs["warmup"], kwargs["start_factor"],
                        then=S.Cosine(kwargs["T_max"]))
    return getattr(S, case["schedule"])(**kwargs)


@pytest.mark.parametrize("case", REF["schedules"],
                         ids=[f"{c['schedule']}{c['kwargs']}" for c in REF["schedules"]])
def test_learning_rates_match_torch(case):
    ours = _make(case).lrs(len(case["lrs"]), case["base_lr"])
    np.testing.assert_allclose(ours, case["lrs"], rtol=1e-12, atol=1e-15)


def test_defaults_are_torchs():
    d = REF["scheduler_defaults"]
    assert S.StepDecay(1).gamma == d["StepDecay"]["gamma"]
    assert S.Cosine(1).eta_min == d["Cosine"]["eta_min"]
    w = S.Warmup(d["Warmup"]["warmup"])
    assert w.start_factor == pytest.approx(d["Warmup"]["start_factor"], rel=1e-15)


def test_scheduled_sgd_matches_torch():
    case = REF["scheduled_sgd"]
    opt, schedule = SGD(**case["kwargs"]), S.Cosine(**case["schedule_kwargs"])
    params = {k: np.array(v) for k, v in case["initial"].items()}
    for t, (g, expected) in enumerate(zip(case["grads"], case["expected"])):
        opt.lr = schedule.lr(t, case["kwargs"]["lr"])
        opt.step(params, {k: np.array(v) for k, v in g.items()})
        for k, v in expected.items():
            np.testing.assert_allclose(params[k], v, rtol=1e-12, atol=1e-12)


def test_closed_forms():
    assert S.StepDecay(2, gamma=0.5).lrs(5, 1.0) == [1.0, 1.0, 0.5, 0.5, 0.25]
    c = S.Cosine(4, eta_min=0.1)
    assert c.lr(0, 1.0) == 1.0 and c.lr(4, 1.0) == pytest.approx(0.1)
    assert c.lr(2, 1.0) == pytest.approx(0.1 + 0.9 * 0.5)
    w = S.Warmup(4, start_factor=0.2, then=S.Cosine(2))
    assert w.lrs(7, 1.0) == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 0.5, 0.0])
    assert S.Warmup(2).lr(10, 0.3) == 0.3 and S.Constant().lr(7, 0.2) == 0.2
    assert math.isclose(S.Warmup(3).lr(0, 0.3), 0.1)


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="step_size"):
        S.StepDecay(2.5)
    with pytest.raises(ValueError, match="gamma"):
        S.StepDecay(2, gamma=0)
    with pytest.raises(ValueError, match="t must be a whole number >= 0"):
        S.Cosine(5).lr(-1, 0.1)
    with pytest.raises(ValueError, match="base_lr"):
        S.Cosine(5).lr(1, -0.1)
    with pytest.raises(ValueError, match="start_factor"):
        S.Warmup(3, start_factor=0)
    with pytest.raises(TypeError, match="then must be a Schedule"):
        S.Warmup(3, then="cosine")
    with pytest.raises(ValueError, match="every must be 'epoch' or 'step'"):
        S.Cosine(3, every="batch")
    with pytest.raises(ValueError, match="unknown schedule 'linear'"):
        S.get_schedule("linear")
    assert isinstance(S.get_schedule("cosine", T_max=3), S.Cosine)


def _net():
    return Sequential([Dense(3, 2, seed=1)], loss="mse")


def test_fit_sets_the_rate_each_epoch_and_logs_it():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    opt = SGD(lr=0.2)
    history = _net().fit(X, Y, epochs=5, optimizer=opt, batch_size=4,
                         schedule=S.StepDecay(2, gamma=0.5))
    assert history["lr"] == [0.2, 0.2, 0.1, 0.1, 0.05]
    assert opt.lr == 0.05
    # the same training by hand, epoch by epoch, gives the same weights
    net, opt2 = _net(), SGD(lr=0.2)
    for epoch in range(5):
        opt2.lr = S.StepDecay(2, gamma=0.5).lr(epoch, 0.2)
        net.fit(X, Y, epochs=1, optimizer=opt2, batch_size=4, seed=epoch, shuffle=False)
    ref = _net()
    ref.fit(X, Y, epochs=5, optimizer=SGD(lr=0.2), batch_size=4, shuffle=False,
            schedule=S.StepDecay(2, gamma=0.5))
    for k, v in ref.params.items():
        np.testing.assert_allclose(net.params[k], v, rtol=1e-12)


def test_fit_per_step_schedule():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))
    opt = SGD(lr=0.4)
    history = _net().fit(X, Y, epochs=3, optimizer=opt, batch_size=2,
                         schedule=S.Warmup(8, start_factor=0.5, every="step"))
    # 4 steps per epoch: epochs start at steps 0, 4, 8
    assert history["lr"] == pytest.approx([0.2, 0.3, 0.4])
    assert opt.lr == 0.4
