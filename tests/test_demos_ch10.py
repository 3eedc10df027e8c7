"""Tests for bplib.demos.ch10: the speed of learning, products of random matrices, the
initial-scale slider, dead units, clipping and update-to-weight ratios."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from bplib.demos import ch10, demo_factories


def test_digits_train_is_standardised_and_copied():
    X, y = ch10.digits_train()
    assert X.shape == (1257, 64) and y.shape == (1257,)
    assert np.allclose(X.mean(axis=0), 0, atol=1e-12)
    X[0, 0] = 99.0
    assert ch10.digits_train(5)[0][0, 0] != 99.0


def test_scaled_normal_has_the_asked_std():
    W = ch10.scaled_normal(2.0)((400, 300), 0)
    assert W.std() == pytest.approx(2.0 / 20.0, rel=0.01)


def test_sigmoid_speeds_shrink_towards_the_input_faster_than_relu():
    table = ch10.speed_table(hidden=3, seeds=1)
    assert list(table.index) == ["sigmoid", "tanh", "relu"]
    s = table.loc["sigmoid"].to_numpy()
    assert np.all(np.diff(s) > 0) and s[-1] / s[0] > 10
    r = table.loc["relu"].to_numpy()
    assert r[-1] / r[0] < s[-1] / s[0]
    assert isinstance(ch10.speed_figure(table, ch10.NIELSEN_SPEEDS[3]), Figure)


def test_products_blow_up_or_collapse_in_float32():
    norms = ch10.matrix_product_norms()
    big, small = norms["scale 1"], norms["scale 0.01"]
    assert not np.isfinite(big.iloc[-1]) and small.iloc[-1] == 0.0
    # the growth is a power: about sqrt(n) = 10 per layer
    assert big.iloc[10] / big.iloc[0] == pytest.approx(10.0 ** 10, rel=0.9)
    # x itself overflows near float32's largest number, about 3e38 (not x squared at
    # 1e19): an inf first, then NaN from inf - inf; the small one reaches 0 near 1e-45
    first_inf = int(np.argmax(np.isinf(big.to_numpy())))
    assert 35 <= first_inf < 45 and np.isnan(big.iloc[first_inf + 1])
    first_zero = int(np.argmax(small.to_numpy() == 0))
    assert 40 <= first_zero and small.iloc[first_zero - 1] < 1e-40
    f64 = ch10.matrix_product_norms(dtype=np.float64)
    assert np.isfinite(f64["scale 1"].iloc[-1])
    assert isinstance(ch10.product_figure(norms), Figure)


def test_activation_stds_xavier_for_tanh_he_for_relu():
    relu_he = ch10.activation_stds("relu", np.sqrt(2.0))
    relu_x = ch10.activation_stds("relu", 1.0)
    assert 0.3 < relu_he[-1] / relu_he[0] < 3
    assert relu_x[-1] / relu_x[0] < 1e-2


def test_scale_view_and_demo():
    fig, text = ch10.scale_view(0.0, 1)
    assert isinstance(fig, Figure) and len(fig.axes) == 2 and "tanh" in text
    assert text.count("layer") == 8
    _, relu_text = ch10.scale_view(1.5, 2)
    assert "units off" in relu_text
    A, deltas = ch10.scale_signals(-1.5, "sigmoid")
    assert len(A) == len(deltas) == 8
    # small weights: the deltas shrink layer by layer towards the input
    rms = [np.sqrt(np.mean(d ** 2)) for d in deltas]
    assert rms[0] < 1e-6 * rms[-1]
    demo = ch10.scale_demo()
    assert demo.n_frames == 21 and demo.initial == {"log2_c": 0.0, "activation": 1}
    assert "ch10.scale_demo" in demo_factories()


def test_dead_units_appear_with_a_large_learning_rate():
    runs = ch10.dead_unit_runs(epochs=3)
    small, large = runs[0.05][0], runs[1.0][0]
    assert small[0] == 0 and small[-1] == 0
    assert large[-1] > 10


def test_clipping_rescues_the_deep_tanh_network():
    runs = ch10.clipping_runs(epochs=15)
    plain, clipped = runs["no clipping"], runs["clip by norm 1"]
    assert plain["norms"].max() > 10
    assert clipped["loss"][-1] < plain["loss"][-1] - 0.3
    assert isinstance(ch10.clipping_figure(runs), Figure)


def test_ratio_runs_grow_with_the_learning_rate():
    runs = ch10.ratio_runs(lrs=(0.001, 0.1), steps=3)
    low, high = runs[0.001][0], runs[0.1][0]
    assert list(low.columns) == ["dense0.W", "dense1.W", "dense2.W"] and len(low) == 3
    np.testing.assert_allclose(high.iloc[0] / low.iloc[0], 100, rtol=1e-6)
    assert isinstance(ch10.ratio_figure(runs), Figure)


@pytest.mark.parametrize("residual", [False, True])
def test_residual_backward_matches_finite_differences(residual):
    from bplib.gradcheck import numerical_gradient
    rng = np.random.default_rng(5)
    X, R = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    Ws = [rng.normal(0, 0.8, (4, 4)) for _ in range(3)]
    _, norms, dX = ch10.residual_backward(X, Ws, R, residual)
    fd = numerical_gradient(lambda x: ch10.residual_backward(x, Ws, R, residual)[0], X.copy())
    np.testing.assert_allclose(dX, fd, rtol=1e-6, atol=1e-10)
    assert len(norms) == 4 and norms[0] == pytest.approx(np.linalg.norm(dX))


def test_residual_keeps_the_gradient_where_plain_loses_it():
    runs = ch10.residual_runs()
    plain, res = runs["plain"], runs["residual"]
    assert plain[0] < 1e-6 * plain[-1]
    assert res[0] >= res[-1]
    assert isinstance(ch10.residual_figure(runs), Figure)
