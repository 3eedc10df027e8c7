"""bplib.exercises.lab11: right, equivalent and wrong answers for every check; each named
mistake (lambda/2 versus lambda, sign(0), the missing 1/(1 - p), scaling at test time,
the last epoch, choosing on the test set, the decay inside Adam, np.roll) is detected."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.exercises import lab11 as ex
from bplib.optimizers import Adam, AdamW

W, LAM = ex.L2_CASE["W"], ex.L2_CASE["lam"]
R = 0.5 * LAM * float(np.sum(W ** 2))


# ------------------------------------------------------------ 1. L2
def test_l2_right_and_equivalent():
    assert ex.check_l2(R, LAM * W).correct
    assert ex.check_l2(round(R, 6), (LAM * W).tolist()).correct
    assert ex.check_l2(float(f"{R:.3g}"), LAM * W).correct               # typed, 3 digits
    assert ex.check_l2(LAM / 2 * np.vdot(W, W), np.multiply(W, LAM)).correct
    assert ex.check_l2(..., ...).status == "not-attempted"


@pytest.mark.parametrize("value, grad, mistake", [
    (2 * R, LAM * W, "the 1/2 left out of the penalty"),
    (LAM * np.abs(W).sum(), LAM * W, "absolute values instead of squares"),
    (0.5 * LAM * np.linalg.norm(W), LAM * W, "the norm, not its square"),
    (R, 0.5 * LAM * W, "lambda/2 instead of lambda"),
    (R, 2 * LAM * W, "2 lambda instead of lambda"),
    (R, np.full_like(W, LAM), "lambda alone"),
    (R, -LAM * W, "wrong sign"),
    (R, (LAM * W).T, "transposed shape"),
])
def test_l2_mistakes_named(value, grad, mistake):
    fb = ex.check_l2(value, grad)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 2. L1
def test_l1_right_and_equivalent():
    assert ex.check_l1_subgradient(lambda W, lam: lam * np.sign(W)).correct
    assert ex.check_l1_subgradient(
        lambda W, lam: lam * ((W > 0).astype(float) - (W < 0))).correct
    assert ex.check_l1_subgradient(...).status == "not-attempted"
    assert ex.check_l1_subgradient(lambda W, lam: ...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda W, lam: lam * W / np.abs(W), "division by |w| at zero"),
    (lambda W, lam: lam * np.where(W >= 0, 1.0, -1.0), "+lambda at w = 0"),
    (lambda W, lam: lam * np.where(W > 0, 1.0, -1.0), "-lambda at w = 0"),
    (lambda W, lam: np.sign(W), "lambda left out"),
    (lambda W, lam: lam * W, "the L2 gradient"),
    (lambda W, lam: -lam * np.sign(W), "wrong sign"),
])
def test_l1_mistakes_named(fn, mistake):
    with np.errstate(all="ignore"):
        fb = ex.check_l1_subgradient(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 3. decay step
D = ex.DECAY
RIGHT = (1 - D["eta"] * D["lam"]) * D["w"] - D["eta"] * D["g"]


def test_decay_right_and_typed():
    assert ex.check_decay_step(RIGHT).correct
    assert ex.check_decay_step(float(f"{RIGHT:.3g}")).correct          # typed, 3 digits
    assert ex.check_decay_step(D["w"] - D["eta"] * (D["g"] + D["lam"] * D["w"])).correct
    assert ex.check_decay_step(...).status == "not-attempted"


@pytest.mark.parametrize("answer, mistake", [
    ((1 - D["lam"]) * D["w"] - D["eta"] * D["g"], "the decay without the learning rate"),
    (D["w"] - D["eta"] * D["g"], "no decay"),
    ((1 - D["eta"] * D["lam"] / 2) * D["w"] - D["eta"] * D["g"], "lambda/2 instead of lambda"),
    ((1 + D["eta"] * D["lam"]) * D["w"] - D["eta"] * D["g"], "the decay with the wrong sign"),
    ((1 - D["eta"] * D["lam"]) * D["w"] + D["eta"] * D["g"], "a step up the gradient"),
    ((1 - 2 * D["eta"] * D["lam"]) * D["w"] - D["eta"] * D["g"], "2 lambda instead of lambda"),
    ((1 - D["eta"] * D["lam"]) * (D["w"] - D["eta"] * D["g"]),
     "the decay applied after the step"),
])
def test_decay_mistakes_named(answer, mistake):
    fb = ex.check_decay_step(answer)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 4. dropout
def fwd(X, keep, p, training):
    return X * keep / (1 - p) if training else X


def bwd(grad_out, keep, p):
    return grad_out * keep / (1 - p)


def test_dropout_right_and_equivalent():
    assert ex.check_dropout(fwd, bwd).correct
    assert ex.check_dropout(lambda X, k, p, t: np.where(k > 0, X / (1 - p), 0.0) if t
                            else X.copy(), lambda g, k, p: g * (k / (1 - p))).correct
    assert ex.check_dropout(..., ...).status == "not-attempted"
    assert ex.check_dropout(fwd, ...).status == "not-attempted"


@pytest.mark.parametrize("f, b, mistake", [
    (lambda X, k, p, t: X * k if t else X, bwd, "missing 1/(1 - p)"),
    (lambda X, k, p, t: X * k / (1 - p) if t else X * (1 - p), bwd, "scaling at test time"),
    (lambda X, k, p, t: X * k / (1 - p) if t else X / (1 - p), bwd, "scaling at test time"),
    (lambda X, k, p, t: X * k / p if t else X, bwd, "1/p instead of 1/(1 - p)"),
    (lambda X, k, p, t: X * k / (1 - p), bwd, "the mask at test time"),
    (fwd, lambda g, k, p: g * k, "missing 1/(1 - p)"),
    (fwd, lambda g, k, p: g / (1 - p), "the mask left out"),
    (fwd, lambda g, k, p: g * k / p, "1/p instead of 1/(1 - p)"),
    (lambda X, k, p, t: X * k if t else X * (1 - p), bwd,
     "the original, non-inverted dropout"),
    (fwd, lambda g, k, p: g, "the gradient passed through unchanged"),
    (fwd, lambda g, k, p: g * k * (1 - p), "multiplied by 1 - p instead of divided"),
])
def test_dropout_mistakes_named(f, b, mistake):
    fb = ex.check_dropout(f, b)
    assert not fb.correct and fb.mistake == mistake
    part = "dropout_forward" if f is not fwd else "dropout_backward"
    assert fb.message.startswith(f"In {part}")


# ------------------------------------------------------------ 5. early stopping
def early(vals, patience):
    best, best_epoch, wait = float("inf"), None, 0
    for e, v in enumerate(vals):
        if v < best:
            best, best_epoch, wait = v, e, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, e
    return best_epoch, len(vals) - 1


def test_early_stopping_right_and_equivalent():
    assert ex.check_early_stopping(early).correct
    assert ex.check_early_stopping(lambda v, p: list(early(v, p))).correct
    assert ex.check_early_stopping(lambda v, p: np.array(early(v, p))).correct
    assert ex.check_early_stopping(...).status == "not-attempted"


def test_early_stopping_agrees_with_fit():
    """The reference is fit's rule: best_epoch and stopped_epoch of History."""
    from bplib.activations import ReLU
    from bplib.layers import Dense
    from bplib.network import Sequential

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 4)), rng.integers(0, 3, 30)
    Xv, yv = rng.normal(size=(30, 4)), rng.integers(0, 3, 30)
    net = Sequential([Dense(4, 32, seed=1), ReLU(), Dense(32, 3, seed=2)], loss="softmax_ce")
    h = net.fit(X, y, epochs=200, optimizer="adam", validation_data=(Xv, yv),
                early_stopping=5)
    assert h.stopped_epoch is not None
    assert ex._early_stop(h["val_loss"], 5) == (h.best_epoch, h.stopped_epoch)


@pytest.mark.parametrize("fn, mistake", [
    (lambda v, p: (early(v, p)[1], early(v, p)[1]), "the last epoch, not the best"),
    (lambda v, p: early(v, p + 1), "patience off by one"),
    (lambda v, p: ex._early_ties(v, p), "a tie counted as progress"),
    (lambda v, p: (int(np.argmin(v)), early(v, p)[1]), "the best of the whole list"),
    (lambda v, p: (early(v, p)[0] + 1, early(v, p)[1] + 1), "epochs counted from 1"),
    (lambda v, p: early(v, p)[::-1], "the pair in the wrong order"),
])
def test_early_stopping_mistakes_named(fn, mistake):
    fb = ex.check_early_stopping(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 6. choosing lambda
def test_choose_lambda_right_and_equivalent():
    assert ex.check_choose_lambda(
        lambda t: t["lambda"][int(np.argmin(t["val"]))]).correct
    assert ex.check_choose_lambda(
        lambda t: min(zip(t["val"], t["lambda"]))[1]).correct
    assert ex.check_choose_lambda(...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda t: t["lambda"][int(np.argmin(t["train"]))], "chosen on the training error"),
    (lambda t: t["lambda"][int(np.argmin(t["test"]))], "chosen on the test set"),
    (lambda t: t["lambda"][int(np.argmax(t["val"]))], "the largest validation error"),
    (lambda t: int(np.argmin(t["val"])), "the position, not the value"),
    (lambda t: 0.01, "hard-coded answer"),
    (lambda t: t["lambda"][int(np.argmin(np.subtract(t["val"], t["train"])))],
     "chosen on the gap"),
])
def test_choose_lambda_mistakes_named(fn, mistake):
    fb = ex.check_choose_lambda(fn)
    assert not fb.correct and fb.mistake == mistake


# ------------------------------------------------------------ 7. Adam versus AdamW
def adam_l2(w, g, lam, lr):
    g = g + lam * w
    return w - lr * g / (np.abs(g) + 1e-8)


def adamw(w, g, lam, lr):
    return (1 - lr * lam) * w - lr * g / (np.abs(g) + 1e-8)


def with_bplib(cls):
    def step(w, g, lam, lr):
        w = np.array(w, dtype=float)
        cls(lr=lr, weight_decay=lam).step({"w": w}, {"w": g})
        return w
    return step


def test_adam_right_and_equivalent():
    assert ex.check_adam_vs_adamw(adam_l2, adamw).correct
    assert ex.check_adam_vs_adamw(with_bplib(Adam), with_bplib(AdamW)).correct
    # the sign form of Adam's first step, epsilon left out, is right to ~1e-7
    assert ex.check_adam_vs_adamw(lambda w, g, lam, lr: w - lr * np.sign(g + lam * w),
                                  lambda w, g, lam, lr: (1 - lr * lam) * w
                                  - lr * np.sign(g)).correct
    assert ex.check_adam_vs_adamw(lambda *a: adam_l2(*a).tolist(), adamw).correct
    assert ex.check_adam_vs_adamw(..., ...).status == "not-attempted"


def adam(w, g, lam, lr):
    return w - lr * g / (np.abs(g) + 1e-8)


def no_correction(w, g, lam, lr, decoupled):
    gg = g if decoupled else g + lam * w
    m, v = 0.1 * gg, 0.001 * gg * gg
    base = (1 - lr * lam) * w if decoupled else w
    return base - lr * m / (np.sqrt(v) + 1e-8)


@pytest.mark.parametrize("a, b, part, mistake", [
    (adam, adamw, "adam_l2_step", "the penalty left out"),
    (adamw, adamw, "adam_l2_step", "decoupled decay (that is AdamW)"),
    (lambda *a: no_correction(*a, False), adamw, "adam_l2_step", "bias correction left out"),
    (adam_l2, adam_l2, "adamw_step", "the decay inside Adam (that is Adam with L2)"),
    (adam_l2, lambda w, g, lam, lr: (1 - lam) * w - lr * g / (np.abs(g) + 1e-8),
     "adamw_step", "the decay without the learning rate"),
    (adam_l2, adam, "adamw_step", "no decay"),
    (adam_l2, lambda w, g, lam, lr: (1 - lr * lam) * adam(w, g, lam, lr), "adamw_step",
     "decay applied after the step"),
    (adam_l2, lambda *a: no_correction(*a, True), "adamw_step", "bias correction left out"),
    (lambda w, g, lam, lr: adam_l2(w, g, lam / 2, lr), adamw, "adam_l2_step",
     "lambda/2 instead of lambda"),
    (lambda w, g, lam, lr: w - lr * (g + lam * w), adamw, "adam_l2_step",
     "an SGD step, not Adam's"),
    (adam_l2, lambda w, g, lam, lr: (1 + lr * lam) * w - lr * g / (np.abs(g) + 1e-8),
     "adamw_step", "the decay with the wrong sign"),
])
def test_adam_mistakes_named(a, b, part, mistake):
    fb = ex.check_adam_vs_adamw(a, b)
    assert not fb.correct and fb.mistake == mistake and fb.message.startswith(f"In {part}")


# ------------------------------------------------------------ 8. shift
def shift(image, dx, dy):
    out = np.zeros_like(image)
    for r in range(8):
        for c in range(8):
            if 0 <= r - dy < 8 and 0 <= c - dx < 8:
                out[r, c] = image[r - dy, c - dx]
    return out


def test_shift_right_and_equivalent():
    from bplib.augment import shift_images

    assert ex.check_shift(shift).correct
    assert ex.check_shift(lambda im, dx, dy: shift_images(im[None], dx, dy)[0]).correct
    assert ex.check_shift(...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda im, dx, dy: np.roll(np.roll(im, dy, axis=0), dx, axis=1), "np.roll wraps around"),
    (lambda im, dx, dy: shift(im, dy, dx), "dx and dy swapped"),
    (lambda im, dx, dy: shift(im, -dx, -dy), "the wrong direction"),
])
def test_shift_mistakes_named(fn, mistake):
    fb = ex.check_shift(fn)
    assert not fb.correct and fb.mistake == mistake
