"""Tests for bplib.demos.ch09: the surfaces and paths, the momentum theory, the two
sliders, Adam's bias-correction variants and the digits network of the race."""

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

from bplib.demos import ch09
from bplib.gradcheck import numerical_gradient
from bplib.optimizers import SGD, Adam


@pytest.mark.parametrize("name", list(ch09.SURFACES))
def test_surface_gradients_are_right(name):
    fn = ch09.SURFACES[name]["fn"]
    x = np.array([0.3, -0.7])
    fd = numerical_gradient(lambda v: float(fn(v)[0]), x.copy())
    np.testing.assert_allclose(fn(x)[1], fd, rtol=1e-7, atol=1e-9)
    assert np.allclose(fn(np.array(ch09.SURFACES[name]["minimum"], dtype=float))[1], 0)


def test_run_path_and_divergence():
    path = ch09.run_path(SGD(lr=0.1), "bowl", steps=10)
    assert path.shape == (11, 2) and np.allclose(path[0], ch09.SURFACES["bowl"]["start"])
    assert np.linalg.norm(path[-1]) < np.linalg.norm(path[0])
    diverged = ch09.run_path(SGD(lr=1.0), "bowl", steps=200)      # above 2/L = 0.5
    assert len(diverged) < 201 and np.abs(diverged[-1]).max() >= 1e3


def test_rates_and_best_settings():
    h = ch09.BOWL_CURVATURES
    assert ch09.gd_rate(0.4, h) == pytest.approx(max(abs(1 - 0.08), abs(1 - 1.6)))
    b = ch09.best_settings(20, h_max=4.0)
    assert b["gd_lr"] == pytest.approx(2 / 4.2) and b["gd_rate"] == pytest.approx(19 / 21)
    r = (math.sqrt(20) - 1) / (math.sqrt(20) + 1)
    assert b["hb_rate"] == pytest.approx(r) and b["hb_momentum"] == pytest.approx(r * r)
    assert ch09.heavy_ball_rate(b["hb_lr"], b["hb_momentum"], h) == pytest.approx(r, rel=1e-6)
    assert ch09.heavy_ball_rate(0.1, 0.0, h) == pytest.approx(ch09.gd_rate(0.1, h))
    # stability boundary eta L = 2 (1 + mu)
    assert ch09.heavy_ball_rate(0.8, 0.6, h) == pytest.approx(1.0)


def test_measured_rates_agree_with_theory():
    b = ch09.best_settings(10)
    curv = np.geomspace(0.1, 1.0, 5)
    gd = ch09.measured_rate(SGD(lr=b["gd_lr"]), curv, 200)
    hb = ch09.measured_rate(SGD(lr=b["hb_lr"], momentum=b["hb_momentum"]), curv, 400)
    assert gd == pytest.approx(b["gd_rate"], rel=1e-6)
    assert b["hb_rate"] < hb < b["hb_rate"] * 1.01       # t r^t: a little above r


def test_views_and_demos():
    fig, text = ch09.surface_view("saddle", 0)
    assert isinstance(fig, Figure) and "Adam" in text and len(text.splitlines()) == 6
    fig, text = ch09.momentum_view(0.8, 0.0)
    assert "no convergence" in text
    d = ch09.momentum_demo()
    assert [s.name for s in d.sliders] == ["lr", "momentum"] and d.n_frames == 12
    assert d.initial == {"lr": 0.4, "momentum": 0.0}
    s = ch09.surface_demo()
    assert s.n_frames == 9 and s.sliders[0].values == [0, 1, 2]


def test_adam_variant_and_multipliers():
    p1, p2 = np.array([1.0, -2.0]), np.array([1.0, -2.0])
    opt1, opt2 = Adam(lr=0.01), ch09.AdamVariant(lr=0.01)
    rng = np.random.default_rng(0)
    for _ in range(5):
        g = rng.normal(size=2)
        opt1.step({"w": p1}, {"w": g})
        opt2.step({"w": p2}, {"w": g})
    np.testing.assert_allclose(p1, p2, rtol=1e-12)
    m = ch09.step_multipliers(steps=20)
    np.testing.assert_allclose(m["both corrected (Adam)"], 1.0, rtol=1e-6)
    assert m["no correction"][0] == pytest.approx(0.1 / math.sqrt(0.001), rel=1e-6)
    assert m["only m corrected"][0] == pytest.approx(1 / math.sqrt(0.001), rel=1e-6)
    assert m["only v corrected"][0] == pytest.approx(0.1, rel=1e-6)


def test_digits_network_and_training():
    (Xtr, ytr), (Xva, yva), (Xte, yte) = ch09.digits_data()
    assert Xtr.shape[1] == 64 and len(Xtr) + len(Xva) + len(Xte) == 1797
    np.testing.assert_allclose(Xtr.mean(axis=0), 0, atol=1e-12)
    net = ch09.digits_net(0)
    assert net.params["dense0.W"].shape == (64, 64) and net.params["dense1.W"].shape == (64, 10)
    data = ((Xtr[:200], ytr[:200]), (Xva[:50], yva[:50]), (Xte, yte))
    h = ch09.train_digits(SGD(lr=0.1), data, epochs=2, batch_size=50)
    assert len(h["seconds"]) == 2 and h["seconds"][1] >= h["seconds"][0]
    assert h["val_loss"][1] < h["val_loss"][0] + 0.5
    fig = ch09.race_figure({"SGD": [h, h]})
    assert isinstance(fig, Figure)
    fig = ch09.bias_correction_figure({"a": h["val_loss"]}, ch09.step_multipliers(5))
    assert isinstance(fig, Figure)


def test_nesterov_rate_at_its_best_settings():
    kappa, h = 20.0, np.linspace(0.2, 4.0, 101)
    root = np.sqrt(3 * kappa + 1)
    best = ch09.nesterov_rate(4 / (3 * 4.0 + 0.2), (root - 2) / (root + 2), h)
    assert best == pytest.approx(1 - 2 / root, rel=1e-9)
    assert best > ch09.best_settings(kappa, h_max=4.0)["hb_rate"]
    assert ch09.nesterov_rate(0.1, 0.0, h) == pytest.approx(ch09.gd_rate(0.1, h))
    assert ch09.nesterov_rate(0.3, 0.5, h) > best and ch09.nesterov_rate(0.35, 0.6, h) > best
