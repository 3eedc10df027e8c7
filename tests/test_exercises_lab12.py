"""bplib.exercises.lab12: right, equivalent and wrong answers for every check; the
missing +1, the unflipped kernel, the forgotten carry, h_t for h_{t-1}, the missing
slopes and the uncounted backward pass are named."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.conv import Conv2D
from bplib.demos.ch12 import dense_macs
from bplib.recurrent import RNN
from bplib.exercises import lab12 as ex

X, K, D = ex.HAND["X"], ex.HAND["K"], ex.HAND["delta"]


def _layer_grads():
    layer = Conv2D(1, 1, 2, K=K[None, None])
    layer.forward(X[None, None])
    dX = layer.backward(D[None, None])[0, 0]
    return dX, layer.grads["K"][0, 0]


DX, DK = _layer_grads()


# ------------------------------------------------------------ 1. output size
def test_output_size_right_and_equivalent():
    assert ex.check_output_size(lambda H, k, padding=0, stride=1:
                                (H + 2 * padding - k) // stride + 1).correct
    assert ex.check_output_size(lambda H, k, p=0, s=1:
                                int(np.floor((H + 2 * p - k) / s)) + 1).correct
    assert ex.check_output_size(...).status == "not-attempted"
    assert ex.check_output_size(lambda H, k, p=0, s=1: ...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda H, k, p=0, s=1: (H + 2 * p - k) // s, "the missing +1"),
    (lambda H, k, p=0, s=1: (H + p - k) // s + 1, "padding on one side only"),
    (lambda H, k, p=0, s=1: H + 2 * p - k + 1, "the stride ignored"),
    (lambda H, k, p=0, s=1: (H + 2 * p - k + 1) // s, "the +1 inside the division"),
    (lambda H, k, p=0, s=1: int(np.ceil((H + 2 * p - k) / s)) + 1, "rounded up instead of down"),
    (lambda H, k, p=0, s=1: (H + 2 * p - k) / s + 1, "/ instead of //"),
    (lambda H, k, p=0, s=1: (H - k) // s + 1, "the padding ignored"),
])
def test_output_size_mistakes_named(fn, mistake):
    fb = ex.check_output_size(fn)
    assert not fb.correct and fb.mistake == mistake


def test_output_size_other_wrong_answers():
    fb = ex.check_output_size(lambda H, k, p=0, s=1: H)
    assert fb.status == "incorrect" and fb.mistake is None
    assert ex.check_output_size(14).mistake == "not a function"


# ------------------------------------------------------------ 2. parameters
def test_conv_params():
    assert ex.check_conv_params(lambda C, n, k: n * (C * k * k + 1)).correct
    assert ex.check_conv_params(lambda C, n, k: Conv2D(C, n, k).params["K"].size + n).correct
    assert ex.check_conv_params(...).status == "not-attempted"
    for fn, mistake in [(lambda C, n, k: n * C * k * k, "the biases forgotten"),
                        (lambda C, n, k: n * k * k + n, "the channels forgotten"),
                        (lambda C, n, k: n * C * k + n, "k instead of k squared"),
                        (lambda C, n, k: n * C * k * k + n * C, "a bias per channel")]:
        fb = ex.check_conv_params(fn)
        assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 3. dE/dX
def test_input_gradient_right_and_equivalent():
    assert ex.check_input_gradient(DX).correct
    assert ex.check_input_gradient(DX.tolist()).correct                   # typed as lists
    assert ex.check_input_gradient(DX.astype(int)).correct
    assert ex.check_input_gradient(...).status == "not-attempted"


@pytest.mark.parametrize("value, mistake", [
    (ex._c2(np.pad(D, 1), K), "the kernel not flipped"),
    (ex._c2(np.pad(D, 1), K.T), "the kernel transposed instead of flipped"),
    (ex._dX_last_wins(X, K, D), "overlaps not added"),
    (-DX, "wrong sign"),
    (DX.T, "transposed"),
])
def test_input_gradient_mistakes_named(value, mistake):
    fb = ex.check_input_gradient(value)
    assert not fb.correct and fb.mistake == mistake


def test_input_gradient_wrong_shape_and_other():
    fb = ex.check_input_gradient(DK)
    assert fb.status == "incorrect" and "shape" in fb.message
    wrong = DX.copy()
    wrong[1, 1] += 5
    assert ex.check_input_gradient(wrong).status == "incorrect"


# ------------------------------------------------------------ 4. dE/dK
def test_kernel_gradient_right_and_equivalent():
    assert ex.check_kernel_gradient(DK).correct
    assert ex.check_kernel_gradient([[3, 7], [0, 2]]).correct
    assert ex.check_kernel_gradient(...).status == "not-attempted"


@pytest.mark.parametrize("value, mistake", [
    (DK[::-1, ::-1], "the kernel's gradient flipped"),
    (ex._c2(X, D[::-1, ::-1]), "the deltas flipped"),
    (D[0, 0] * X[:2, :2], "one position only"),
    (DK / 4, "a mean over positions"),
    (DK.T, "transposed"),
])
def test_kernel_gradient_mistakes_named(value, mistake):
    fb = ex.check_kernel_gradient(value)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 5. BPTT step
def test_bptt_step_right_and_equivalent():
    assert ex.check_bptt_step(lambda g, a, h, W: (g + a @ W.T) * (1 - h ** 2)).correct
    assert ex.check_bptt_step(lambda g, a, h, W: (g + np.einsum("nj,ij->ni", a, W))
                              * (1 - h) * (1 + h)).correct
    assert ex.check_bptt_step(...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda g, a, h, W: g * (1 - h ** 2), "the carry from the next step forgotten"),
    (lambda g, a, h, W: (g + a @ W) * (1 - h ** 2), "Wh not transposed"),
    (lambda g, a, h, W: g + a @ W.T, "tanh's slope left out"),
    (lambda g, a, h, W: g + (a @ W.T) * (1 - h ** 2), "the slope applied to one path only"),
    (lambda g, a, h, W: (g + a @ W.T) * (1 - h), "the slope without the square"),
    (lambda g, a, h, W: (g + a @ W.T) * (1 - np.tanh(h) ** 2), "tanh applied to h_t again"),
])
def test_bptt_step_mistakes_named(fn, mistake):
    fb = ex.check_bptt_step(fn)
    assert not fb.correct and fb.mistake == mistake


def test_bptt_step_error_is_reported():
    fb = ex.check_bptt_step(lambda g, a, h, W: g @ W @ W.T @ h)
    assert fb.status in ("error", "incorrect")


# ------------------------------------------------------------ 6. vanishing product
def test_vanishing_right_typed_and_named():
    w, h = ex.VANISH["w"], ex.VANISH["h"]
    right = float(np.prod(w * (1 - h ** 2)))
    assert ex.check_vanishing(right).correct
    assert ex.check_vanishing(float(f"{right:.3g}")).correct          # typed, 3 digits
    assert ex.check_vanishing(np.float32(right)).correct
    assert ex.check_vanishing(...).status == "not-attempted"
    assert "right to" in ex.check_vanishing(float(f"{right:.2g}")).message
    for value, mistake in [(w ** len(h), "tanh's slopes left out"),
                           (np.prod(w * (1 - h[1:] ** 2)), "one factor too few"),
                           (np.sum(w * (1 - h ** 2)), "a sum instead of a product"),
                           (np.prod(w * (1 - h)), "the slope without the square"),
                           (np.prod(w * (1 - h[:-1] ** 2)), "one factor too few (the last)"),
                           (np.prod(1 - h ** 2), "the ratio to w^T")]:
        fb = ex.check_vanishing(value)
        assert not fb.correct and fb.mistake == mistake, (mistake, fb.mistake)


# ------------------------------------------------------------ 7. multiply-adds
def test_training_macs_right_and_equivalent():
    assert ex.check_training_macs(lambda w: dense_macs(w)["total"]).correct

    def by_loop(widths):
        total = 0
        for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
            total += a * b * (2 if i == 0 else 3)
        return total
    assert ex.check_training_macs(by_loop).correct
    assert ex.check_training_macs(...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda w: dense_macs(w)["forward"], "the backward pass not counted"),
    (lambda w: 2 * dense_macs(w)["forward"], "the input gradients not counted"),
    (lambda w: dense_macs(w, first_input_grad=True)["total"],
     "the first layer's input gradient counted"),
    (lambda w: 2 * dense_macs(w)["total"], "operations instead of multiply-adds"),
    (lambda w: 3 * dense_macs(w)["forward"] - w[-2] * w[-1],
     "the last layer's input gradient skipped"),
])
def test_training_macs_mistakes_named(fn, mistake):
    fb = ex.check_training_macs(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 6. BPTT weight gradients
def test_bptt_weight_reference_is_bplib_rnn_backward():
    # adjoints from a real RNN: the reference sums equal its BPTT gradients
    rng = np.random.default_rng(5)
    rnn = RNN(3, 2, seed=4)
    rnn.params["b"] = rng.normal(size=2)
    X_seq, grad_H = rng.normal(size=(2, 5, 3)), rng.normal(size=(2, 5, 2))
    A_bar = ex._adjoints(rnn, X_seq, grad_H)
    H = rnn.forward(X_seq)
    rnn.backward(grad_H)
    dWx, dWh = ex._bptt_weight_grads(X_seq, H, A_bar)
    np.testing.assert_allclose(dWx, rnn.grads["Wx"], rtol=1e-12)
    np.testing.assert_allclose(dWh, rnn.grads["Wh"], rtol=1e-12)


def _by_loop(X_seq, H, A_bar):
    dWx = np.zeros((X_seq.shape[2], H.shape[2]))
    dWh = np.zeros((H.shape[2], H.shape[2]))
    for t in range(X_seq.shape[1]):
        dWx += X_seq[:, t].T @ A_bar[:, t]
        if t > 0:                                   # h_0 = 0 adds nothing
            dWh += H[:, t - 1].T @ A_bar[:, t]
    return dWx, dWh


def _padded(X_seq, H, A_bar):
    H_prev = np.concatenate([np.zeros_like(H[:, :1]), H[:, :-1]], axis=1)
    return [np.einsum("nti,ntj->ij", X_seq, A_bar).tolist(),
            np.tensordot(H_prev, A_bar, axes=([0, 1], [0, 1]))]


def test_bptt_weight_grads_right_and_equivalent():
    assert ex.check_bptt_weight_grads(_by_loop).correct
    assert ex.check_bptt_weight_grads(_padded).correct                 # a list, lists inside
    assert ex.check_bptt_weight_grads(lambda X_, H, A: np.array(_by_loop(X_, H, A),
                                                                dtype=object)).correct
    assert ex.check_bptt_weight_grads(...).status == "not-attempted"
    assert ex.check_bptt_weight_grads(lambda X_, H, A: ...).status == "not-attempted"


def _wrong(dWx=None, dWh=None):
    """A learner's function: _by_loop with one or both sums replaced."""
    def fn(X_seq, H, A_bar):
        right = _by_loop(X_seq, H, A_bar)
        return (dWx(X_seq, H, A_bar) if dWx else right[0],
                dWh(X_seq, H, A_bar) if dWh else right[1])
    return fn


def _sum(pairs):
    return sum(P.T @ A for P, A in pairs)


def _steps(M):
    return [M[:, t] for t in range(M.shape[1])]


@pytest.mark.parametrize("fn, mistake", [
    (_wrong(dWh=lambda X_, H, A: _sum(zip(_steps(H), _steps(A)))), "h_t instead of h_{t-1}"),
    (_wrong(dWh=lambda X_, H, A: _sum((H[:, t - 1], A[:, t]) for t in range(H.shape[1]))),
     "h_0 read as h_T"),
    (lambda X_, H, A: (X_[:, -1].T @ A[:, -1], H[:, -2].T @ A[:, -1]), "the last step only"),
    (lambda X_, H, A: tuple(g / X_.shape[1] for g in _by_loop(X_, H, A)),
     "the mean over steps"),
    (lambda X_, H, A: tuple(g.T for g in _by_loop(X_, H, A)), "transposed"),
    (_wrong(dWh=lambda X_, H, A: _by_loop(X_, H, A)[1].T), "dWh transposed"),
    (_wrong(dWx=lambda X_, H, A: _sum((X_[:, t], A[:, t]) for t in range(1, X_.shape[1]))),
     "the first step left out of dWx"),
    (lambda X_, H, A: _by_loop(X_, H, A)[::-1], "the two results swapped"),
])
def test_bptt_weight_grads_mistakes_named(fn, mistake):
    fb = ex.check_bptt_weight_grads(fn)
    assert not fb.correct and fb.mistake == mistake, (mistake, fb.mistake, fb.message)


def test_bptt_weight_grads_other_wrong_answers():
    fb = ex.check_bptt_weight_grads(lambda X_, H, A: _by_loop(X_, H, A)[0])
    assert fb.status == "incorrect" and fb.mistake == "wrong number of results"
    fb = ex.check_bptt_weight_grads(_wrong(dWh=lambda X_, H, A: 2 * _by_loop(X_, H, A)[1]))
    assert fb.status == "incorrect" and "dWx is right" in fb.message
    assert ex.check_bptt_weight_grads(np.zeros((2, 2))).mistake == "not a function"
