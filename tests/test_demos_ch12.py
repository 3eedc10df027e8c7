"""bplib.demos.ch12: the two digit networks and their loop, the multiply-add count,
the matrix-product rate, the gradient through time and its slider."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from bplib.demos import ch12, demo_factories


def test_networks_and_parameter_counts():
    assert ch12.n_params(ch12.dense_net()) == 64 * 64 + 64 + 64 * 10 + 10
    assert ch12.n_params(ch12.conv_net(8)) == 8 * 9 + 8 + 8 * 36 * 10 + 10
    (X_tr, y_tr), (X_te, y_te) = ch12.digits_split()
    assert X_tr.shape == (1438, 64) and X_te.shape == (359, 64)
    assert 0.0 <= X_tr.min() and X_tr.max() <= 1.0


def test_train_lowers_the_loss_for_both_networks():
    (X, y), _ = ch12.digits_split()
    X, y = X[:200], y[:200]
    for net, data in ((ch12.dense_net(), X), (ch12.conv_net(2), X.reshape(-1, 1, 8, 8))):
        losses, seconds = ch12.train(net, data, y, epochs=3, batch_size=50)
        assert len(losses) == 3 and losses[-1] < losses[0] and seconds > 0


def test_dense_macs_counts_products():
    m = ch12.dense_macs((64, 64, 10))
    assert m["forward"] == 64 * 64 + 64 * 10
    assert m["backward"] == 2 * (64 * 64 + 64 * 10) - 64 * 64
    assert m["total"] == m["forward"] + m["backward"]
    assert ch12.dense_macs((3, 2), n_examples=5, first_input_grad=True)["total"] == 3 * 6 * 5


def test_matmul_rate_is_positive():
    assert ch12.matmul_rate(32, repeats=1) > 1e6
    assert ch12.matmul_rate(8, 16, 4, repeats=1) > 1e5


@pytest.mark.parametrize("w, activation", [(0.5, "linear"), (1.3, "linear"),
                                           (0.9, "tanh"), (1.5, "tanh")])
def test_through_time_is_the_product_of_local_factors(w, activation):
    T = 6
    h, factor = ch12.through_time(w, T, activation)
    # finite differences of h_T with respect to h_t, rerunning the recurrence from t
    x = 0.1 * np.random.default_rng(0).normal(size=T + 1)
    f = np.tanh if activation == "tanh" else (lambda a: a)
    for t in range(T + 1):
        def h_T(start, t=t):
            v = start
            for s in range(t + 1, T + 1):
                v = f(w * v + x[s])
            return v
        fd = (h_T(h[t] + 1e-6) - h_T(h[t] - 1e-6)) / 2e-6
        assert abs(fd) == pytest.approx(factor[t], rel=1e-6)
    if activation == "linear":
        assert factor[0] == pytest.approx(abs(w) ** T)


def test_through_time_view_and_demo():
    fig, text = ch12.through_time_view(1.2)
    assert isinstance(fig, Figure) and len(fig.axes[0].lines) == 3
    assert "2.4e+02 linear" in text            # 1.2 ** 30: linear, the factor is w^T
    demo = ch12.through_time_demo()
    assert [s.name for s in demo.sliders] == ["w"] and demo.n_frames == 11
    assert demo.initial == {"w": 0.9}
    assert "ch12.through_time_demo" in demo_factories()
