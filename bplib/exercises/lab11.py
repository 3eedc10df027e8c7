"""Checks for Lab 11, "Overfitting and regularisation" (labs/lab11-regularisation.ipynb).

The L2 penalty and its gradient (Chapter 11, eqs. (ch11-l2), (ch11-l2-grad)), the L1
subgradient at zero (ch11-l1), one weight-decay step (ch11-decay), inverted dropout
forward and backward (ch11-dropout), (ch11-dropout-back), early stopping with
patience, choosing lambda on the validation set, Adam with L2 against AdamW
(ch11-adamw), and a shift of a digit. The checks name the classic mistakes: lambda/2
against lambda, sign(0) taken as 1, the decay without the learning rate, the missing
1/(1 - p), scaling at test time, the last epoch for the best, choosing on the test
set, the decay inside Adam's scaling, np.roll's wrap-around.

In the lab: ``from bplib.exercises import lab11 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import numpy as np

from bplib.optimizers import Adam, AdamW

from .core import TYPED_RTOL, Lab, Mistake, check_array, check_function, check_number, combine
from .feedback import INCORRECT, Feedback

lab = Lab("Lab 11")
hint = lab.hint


def _case(seed, shape, scale=1.0):
    return (np.random.default_rng(seed).normal(size=shape) * scale).round(2)


#: Exercise 1: a weight matrix and the L2 strength.
L2_CASE = dict(W=_case(1101, (2, 3)), lam=0.1)
#: Exercise 3: one weight, its data gradient, the learning rate and lambda.
#: (eta = 0.5 would make 2 eta lambda equal lambda, and two mistakes give one number.)
DECAY = dict(w=0.8, g=-0.3, eta=0.4, lam=0.25)
#: Exercise 6: an example table of runs (errors in %), one row per lambda.
LAMBDA_TABLE = {"lambda": [0.0, 0.001, 0.01, 0.1, 1.0],
                "train": [0.0, 0.0, 0.5, 3.0, 12.0],
                "val": [16.0, 15.2, 13.1, 13.9, 19.5],
                "test": [14.8, 14.0, 12.9, 12.6, 18.7]}


# ------------------------------------------------------------ 1. the L2 penalty
@lab.exercise(1, hint="R = (lambda / 2) * np.sum(W ** 2). Differentiate (lambda/2) w^2: "
              "the 2 of the square cancels the 1/2, leaving lambda * w.")
def check_l2(value, grad):
    """Exercise 1: R = (λ/2) Σ w² and dR/dW = λ W for L2_CASE."""
    W, lam = L2_CASE["W"], L2_CASE["lam"]
    R = 0.5 * lam * float(np.sum(W ** 2))
    return combine(
        check_number(value, R, name="the penalty R", rtol=TYPED_RTOL, mistakes=[
            Mistake("the 1/2 left out of the penalty", "R = (lambda/2) sum w^2: the "
                    "1/2 is part of the penalty (it cancels the 2 of the derivative).",
                    value=2 * R),
            Mistake("absolute values instead of squares", "L2 squares the weights; "
                    "sum |w| is the L1 penalty.", value=lam * float(np.sum(np.abs(W)))),
            Mistake("the norm, not its square", "The L2 penalty uses the SQUARED norm: "
                    "sum of w^2, no square root.",
                    value=0.5 * lam * float(np.linalg.norm(W)))]),
        check_array(grad, lam * W, name="dR/dW", mistakes=[
            Mistake("lambda/2 instead of lambda", "The 1/2 of the penalty cancels the 2 "
                    "from differentiating w^2: the gradient is lambda * W, not "
                    "(lambda/2) * W.", value=0.5 * lam * W),
            Mistake("2 lambda instead of lambda", "You differentiated lambda * w^2; the "
                    "penalty is (lambda/2) w^2, whose derivative is lambda * w.",
                    value=2 * lam * W),
            Mistake("lambda alone", "The gradient of (lambda/2) w^2 is lambda times w, one "
                    "entry per weight, not the constant lambda.",
                    value=np.full_like(W, lam))]),
        name="the L2 penalty and its gradient")


# ------------------------------------------------------------ 2. the L1 subgradient
def _l1(W, lam):
    return lam * np.sign(W)


def _l1_cases():
    rng = np.random.default_rng(1102)
    cases = []
    for shape, lam in (((3, 4), 0.1), ((2, 2), 0.5), ((5,), 0.01)):
        W = rng.normal(size=shape).round(2)
        W.ravel()[::3] = 0.0                       # exact zeros: the corner
        cases.append((W, lam))
    return cases


@lab.exercise(2, hint="lambda * np.sign(W): np.sign gives -1, 0 or +1, and 0 at w = 0, "
              "the middle of the subgradients [-lambda, lambda].")
def check_l1_subgradient(fn):
    """Exercise 2: l1_grad(W, lam) = λ sign(W), 0 where w = 0."""
    name = "l1_grad(W, lam)"
    if callable(fn) and fn is not Ellipsis:
        try:
            at_zero = np.asarray(fn(np.zeros((2, 2)), 0.1), dtype=float)
        except Exception:       # check_function reports it, with its inputs
            at_zero = None
        if at_zero is not None and at_zero.shape == (2, 2) and np.isnan(at_zero).any():
            return Feedback(INCORRECT, name, "At w = 0 your function gives nan: "
                            "W / abs(W) divides 0 by 0. Use np.sign(W), which is 0 there.",
                            mistake="division by |w| at zero")
    return check_function(fn, _l1, _l1_cases(), name=name, mistakes=[
        Mistake("+lambda at w = 0", "At w = 0 you returned +lambda (a sign that counts 0 "
                "as positive); the subgradient libraries take there is 0, the middle of "
                "[-lambda, lambda]: np.sign(0) = 0.",
                function=lambda W, lam: lam * np.where(W >= 0, 1.0, -1.0)),
        Mistake("-lambda at w = 0", "At w = 0 you returned -lambda; take 0, the middle of "
                "the subgradients [-lambda, lambda]: np.sign(0) = 0.",
                function=lambda W, lam: lam * np.where(W > 0, 1.0, -1.0)),
        Mistake("lambda left out", "Multiply the signs by lambda.",
                function=lambda W, lam: np.sign(W)),
        Mistake("the L2 gradient", "lambda * W is L2's gradient; L1's has the same size "
                "lambda for every nonzero weight: lambda * np.sign(W).",
                function=lambda W, lam: lam * W)])


# ------------------------------------------------------------ 3. one weight-decay step
@lab.exercise(3, hint="w_new = (1 - eta * lam) * w - eta * g: shrink the weight first, "
              "then take the data's step.")
def check_decay_step(w_new):
    """Exercise 3: one SGD step with L2, written as weight decay (ch11-decay)."""
    w, g, eta, lam = DECAY["w"], DECAY["g"], DECAY["eta"], DECAY["lam"]
    return check_number(w_new, (1 - eta * lam) * w - eta * g, name="the new weight",
                        rtol=TYPED_RTOL, mistakes=[
        Mistake("the decay without the learning rate", "The penalty's gradient lambda w "
                "is multiplied by eta like every gradient: the factor is 1 - eta lambda, "
                "not 1 - lambda.", value=(1 - lam) * w - eta * g),
        Mistake("no decay", "That is the step without the penalty: add lambda w to the "
                "gradient, i.e. shrink w by 1 - eta lambda.", value=w - eta * g),
        Mistake("lambda/2 instead of lambda", "The penalty (lambda/2) w^2 has the "
                "gradient lambda w: the factor is 1 - eta lambda.",
                value=(1 - eta * lam / 2) * w - eta * g),
        Mistake("2 lambda instead of lambda", "The penalty (lambda/2) w^2 has the "
                "gradient lambda w, not 2 lambda w: the factor is 1 - eta lambda.",
                value=(1 - 2 * eta * lam) * w - eta * g),
        Mistake("the decay applied after the step", "Both terms use the OLD weight: "
                "w_new = (1 - eta lambda) w - eta g; you shrank the weight after the "
                "data's step, (1 - eta lambda)(w - eta g).",
                value=(1 - eta * lam) * (w - eta * g)),
        Mistake("the decay with the wrong sign", "Decay shrinks the weight: multiply by "
                "1 - eta lambda, not 1 + eta lambda.", value=(1 + eta * lam) * w - eta * g),
        Mistake("a step up the gradient", "Gradient descent subtracts eta g.",
                value=(1 - eta * lam) * w + eta * g)])


# ------------------------------------------------------------ 4. inverted dropout
def _forward(X, keep, p, training):
    return X * keep / (1 - p) if training else X


def _backward(grad_out, keep, p):
    return grad_out * keep / (1 - p)


def _dropout_cases(training):
    rng = np.random.default_rng(1104)
    cases = []
    for shape, p in (((3, 4), 0.5), ((2, 5), 0.2), ((4, 3), 0.75)):
        X = rng.normal(size=shape).round(2)
        keep = (rng.random(shape) >= p).astype(float)
        cases.append((X, keep, p) + ((training,) if training is not None else ()))
    return cases


@lab.exercise(4, hint="Training: return X * keep / (1 - p), so that the expected output "
              "is X. Test: return X, nothing else. Backward: dE/dX = grad_out * keep / "
              "(1 - p), the forward's mask, where grad_out is dE/d(the output).")
def check_dropout(forward_fn, backward_fn):
    """Exercise 4: dropout_forward(X, keep, p, training) and
    dropout_backward(grad_out, keep, p), eqs. (ch11-dropout), (ch11-dropout-back)."""
    fwd = check_function(forward_fn, _forward, _dropout_cases(True) + _dropout_cases(False),
                         name="dropout_forward", mistakes=[
        Mistake("missing 1/(1 - p)", "In training, scale the kept units by 1/(1 - p): "
                "X * keep / (1 - p), so that the expected output equals X.",
                function=lambda X, k, p, t: X * k if t else X),
        Mistake("scaling at test time", "Inverted dropout scales during TRAINING only; at "
                "test time the layer returns X unchanged.",
                function=lambda X, k, p, t: X * k / (1 - p) if t else X * (1 - p)),
        Mistake("scaling at test time", "Inverted dropout scales during TRAINING only; at "
                "test time the layer returns X unchanged.",
                function=lambda X, k, p, t: X * k / (1 - p) if t else X / (1 - p)),
        Mistake("1/p instead of 1/(1 - p)", "p is the probability of DROPPING a unit; a "
                "unit is kept with probability 1 - p, so divide by 1 - p.",
                function=lambda X, k, p, t: X * k / p if t else X),
        Mistake("the mask at test time", "At test time no unit is dropped: return X.",
                function=lambda X, k, p, t: X * k / (1 - p)),
        Mistake("the original, non-inverted dropout", "That is the dropout of the first "
                "paper: no scaling in training, X (1 - p) at test time. Inverted dropout "
                "moves the scaling into training: X * keep / (1 - p) there, and X "
                "unchanged at test time.",
                function=lambda X, k, p, t: X * k if t else X * (1 - p))])
    bwd = check_function(backward_fn, _backward, _dropout_cases(None),
                         name="dropout_backward", mistakes=[
        Mistake("missing 1/(1 - p)", "The forward pass multiplied by keep / (1 - p), so "
                "the local derivative is keep / (1 - p): grad_out * keep / (1 - p).",
                function=lambda g, k, p: g * k),
        Mistake("the mask left out", "Dropped units passed nothing forward, so they pass "
                "no gradient back: multiply by the same mask.",
                function=lambda g, k, p: g / (1 - p)),
        Mistake("1/p instead of 1/(1 - p)", "Divide by the probability of KEEPING a "
                "unit, 1 - p.", function=lambda g, k, p: g * k / p),
        Mistake("the gradient passed through unchanged", "The forward pass multiplied X "
                "by keep / (1 - p), so the backward pass multiplies grad_out by the same: "
                "grad_out * keep / (1 - p).", function=lambda g, k, p: g),
        Mistake("multiplied by 1 - p instead of divided", "The kept units were scaled UP "
                "by 1/(1 - p): grad_out * keep / (1 - p).",
                function=lambda g, k, p: g * k * (1 - p))])
    return combine(fwd, bwd, name="inverted dropout")


# ------------------------------------------------------------ 5. early stopping
def _early_stop(val_losses, patience):
    best, best_epoch, wait = np.inf, None, 0
    for epoch, v in enumerate(val_losses):
        if v < best:
            best, best_epoch, wait = v, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def _early_cases():
    return [
        ([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.74, 0.9, 0.5], 3),   # stops before the 0.5
        ([1.0, 0.9, 0.95, 0.9, 0.95, 0.8], 2),                     # a tie is no progress
        ([2.0, 1.5, 1.2, 1.1, 1.05, 1.0], 2),                      # never stops
        ([0.5, 0.6, 0.4, 0.45, 0.46, 0.47, 0.3], 3),
        ([1.0, 1.1, 1.2, 1.3], 1),
    ]


def _early_last(val_losses, patience):
    return _early_stop(val_losses, patience)[1], _early_stop(val_losses, patience)[1]


def _early_off_by_one(val_losses, patience):
    return _early_stop(val_losses, patience + 1)


def _early_ties(val_losses, patience):
    best, best_epoch, wait = np.inf, None, 0
    for epoch, v in enumerate(val_losses):
        if v <= best:
            best, best_epoch, wait = v, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def _early_global(val_losses, patience):
    return int(np.argmin(val_losses)), _early_stop(val_losses, patience)[1]


@lab.exercise(5, hint="Keep the best loss so far and its epoch, and a counter of epochs "
              "without a new best. A loss strictly lower than the best resets the counter; "
              "otherwise add 1, and stop at this epoch once the counter reaches patience. "
              "If it never does, training ends at the last epoch.")
def check_early_stopping(fn):
    """Exercise 5: early_stop(val_losses, patience) -> (best_epoch, stop_epoch)."""
    return check_function(fn, _early_stop, _early_cases(),
                          name="early_stop(val_losses, patience)",
                          returns=("best_epoch", "stop_epoch"), mistakes=[
        Mistake("the last epoch, not the best", "Early stopping restores the weights of "
                "the BEST epoch (the lowest validation loss so far), not those of the "
                "epoch it stopped at.", function=_early_last),
        Mistake("patience off by one", "Stop as soon as `patience` epochs in a row brought "
                "no new best: the counter reaches patience, not patience + 1.",
                function=_early_off_by_one),
        Mistake("a tie counted as progress", "Only a loss strictly LOWER than the best "
                "counts as progress; an equal one adds to the counter (use <, not <=).",
                function=_early_ties),
        Mistake("the best of the whole list", "Training stopped: the epochs after the stop "
                "were never run, so the best epoch is the best among those run.",
                function=_early_global),
        Mistake("epochs counted from 1", "The epochs are counted from 0, like the list's "
                "positions (enumerate): the first loss is epoch 0.",
                function=lambda v, p: tuple(e + 1 for e in _early_stop(v, p))),
        Mistake("the pair in the wrong order", "Return (best_epoch, stop_epoch): the "
                "epoch whose weights are restored first, then the last epoch run.",
                function=lambda v, p: _early_stop(v, p)[::-1])])


# ------------------------------------------------------------ 6. choosing lambda
def _choose(table):
    return float(table["lambda"][int(np.argmin(table["val"]))])


def _tables():
    rng = np.random.default_rng(1106)
    out = [LAMBDA_TABLE]
    for _ in range(4):
        lams = [0.0] + sorted(rng.choice([1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3],
                                         size=4, replace=False).tolist())
        train = np.sort(rng.uniform(0, 10, 5)).round(1)
        val = rng.permutation(np.arange(10.0, 15.0) + rng.uniform(0, 0.5, 5)).round(1)
        test = rng.permutation(val + rng.uniform(-1, 1, 5)).round(1)
        out.append({"lambda": lams, "train": train.tolist(), "val": val.tolist(),
                    "test": test.tolist()})
    return [(t,) for t in out]


def _by(column, pick=np.argmin):
    return lambda table: float(table["lambda"][int(pick(table[column]))])


@lab.exercise(6, hint="Find the position of the smallest entry of table['val'] "
              "(np.argmin), and return the lambda at that position.")
def check_choose_lambda(fn):
    """Exercise 6: choose_lambda(table) -> the λ with the lowest validation error."""
    return check_function(fn, _choose, _tables(), name="choose_lambda(table)", mistakes=[
        Mistake("chosen on the training error", "The training error is lowest for the "
                "weakest penalty, always: it cannot see overfitting. Choose on the "
                "validation error.", function=_by("train")),
        Mistake("chosen on the test set", "The test set is for the final report only; "
                "choosing with it makes its error an optimistic estimate. Choose on the "
                "validation error.", function=_by("test")),
        Mistake("the largest validation error", "Take the SMALLEST validation error "
                "(np.argmin).", function=_by("val", np.argmax)),
        Mistake("the position, not the value", "Return the lambda at that position, "
                "table['lambda'][i], not the position i itself.",
                function=lambda table: float(np.argmin(table["val"]))),
        Mistake("chosen on the gap", "A small gap between validation and training error "
                "is not the goal (a network that learns nothing has no gap): choose the "
                "lowest validation error itself.",
                function=lambda table: float(table["lambda"][int(np.argmin(
                    np.asarray(table["val"]) - np.asarray(table["train"])))]))])


# ------------------------------------------------------------ 7. Adam + L2 versus AdamW
def _adam_l2(w, g, lam, lr):
    w = np.array(w, dtype=float)
    Adam(lr=lr, weight_decay=lam).step({"w": w}, {"w": np.asarray(g, dtype=float)})
    return w


def _adamw(w, g, lam, lr):
    w = np.array(w, dtype=float)
    AdamW(lr=lr, weight_decay=lam).step({"w": w}, {"w": np.asarray(g, dtype=float)})
    return w


def _adam_plain(w, g, lam, lr):
    return _adam_l2(w, g, 0.0, lr)


def _first_step(g, lr, correct=True):
    """Adam's first step from zero state, with or without bias correction."""
    m, v = 0.1 * g, 0.001 * g * g
    if correct:
        m, v = m / 0.1, v / 0.001
    return lr * m / (np.sqrt(v) + 1e-8)


def _adam_cases():
    rng = np.random.default_rng(1107)
    cases = []
    for n, lam, lr in ((4, 0.1, 0.01), (3, 0.5, 0.05), (5, 0.01, 0.1)):
        w = rng.normal(size=n).round(2)
        g = (rng.normal(size=n) * np.array([10.0, 0.01] * 3)[:n]).round(3)
        cases.append((w, g, lam, lr))
    # g = -0.75 lam w: g + lam w and g + lam w / 2 have opposite signs, so a penalty
    # of the wrong size moves the weight the other way (Adam's first step is a sign)
    w = np.array([1.0, -0.8, 0.5])
    cases.append((w, (-0.75 * 0.2 * w).round(6), 0.2, 0.01))
    return cases


@lab.exercise(7, hint="From a zero state (t = 1, betas 0.9 and 0.999), Adam's bias-"
              "corrected m-hat = g and v-hat = g^2, so its step is lr * g / (|g| + 1e-8). "
              "Adam with L2: use g + lam * w as the gradient. AdamW: (1 - lr * lam) * w, "
              "minus Adam's step for the undecayed g.")
def check_adam_vs_adamw(adam_l2_fn, adamw_fn):
    """Exercise 7: one step from a zero state of Adam with L2 and of AdamW (ch11-adamw)."""
    cases = _adam_cases()
    # tolerance: lr * sign(g) (epsilon left out) is right to about 1e-7
    tol = dict(rtol=1e-5, atol=1e-6)
    l2 = check_function(adam_l2_fn, _adam_l2, cases, name="adam_l2_step", **tol, mistakes=[
        Mistake("the penalty left out", "Adam with L2 adds lam * w to the gradient before "
                "the moments: g + lam * w.", function=_adam_plain),
        Mistake("decoupled decay (that is AdamW)", "With L2 the decay goes INSIDE Adam: "
                "add lam * w to g. Shrinking w by 1 - lr lam outside is AdamW.",
                function=_adamw),
        Mistake("lambda/2 instead of lambda", "The L2 penalty (lambda/2) w^2 adds "
                "lambda w to the gradient, not (lambda/2) w.",
                function=lambda w, g, lam, lr: _adam_l2(w, g, lam / 2, lr)),
        Mistake("an SGD step, not Adam's", "Adam divides the step by the root mean "
                "square of the gradients: from a fresh state it is lr * g / (|g| + eps), "
                "with g the gradient including lam * w.",
                function=lambda w, g, lam, lr: w - lr * (g + lam * w)),
        Mistake("bias correction left out", "Divide m by 1 - beta1^t and v by "
                "1 - beta2^t (t = 1): then m-hat = g and v-hat = g^2.",
                function=lambda w, g, lam, lr: w - _first_step(g + lam * w, lr, False))])
    decoupled = check_function(adamw_fn, _adamw, cases, name="adamw_step", **tol, mistakes=[
        Mistake("the decay inside Adam (that is Adam with L2)", "AdamW keeps the decay "
                "OUT of the gradient: w <- (1 - lr lam) w, then Adam's step for g alone.",
                function=_adam_l2),
        Mistake("the decay without the learning rate", "AdamW shrinks w by 1 - lr * lam, "
                "not 1 - lam.",
                function=lambda w, g, lam, lr: (1 - lam) * w - _first_step(g, lr)),
        Mistake("no decay", "Shrink the weight by 1 - lr * lam as well.",
                function=_adam_plain),
        Mistake("the decay with the wrong sign", "Decay SHRINKS the weight: multiply by "
                "1 - lr * lam, not 1 + lr * lam.",
                function=lambda w, g, lam, lr: (1 + lr * lam) * w - _first_step(g, lr)),
        Mistake("decay applied after the step", "AdamW (like PyTorch's) decays the weight "
                "as it was before the step: (1 - lr lam) w - step.",
                function=lambda w, g, lam, lr: (1 - lr * lam) * (w - _first_step(g, lr))),
        Mistake("bias correction left out", "Divide m by 1 - beta1^t and v by "
                "1 - beta2^t (t = 1): then m-hat = g and v-hat = g^2.",
                function=lambda w, g, lam, lr: (1 - lr * lam) * w
                - _first_step(g, lr, False))])
    return combine(l2, decoupled, name="Adam with L2 versus AdamW")


# ------------------------------------------------------------ 8. a shifted digit
def _shift(image, dx, dy):
    image = np.asarray(image, dtype=float)
    out = np.zeros_like(image)
    h, w = image.shape
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        image[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


def _shift_cases():
    rng = np.random.default_rng(1108)
    shifts = ((1, 0), (0, 1), (-1, 0), (0, -2), (2, -1), (-1, 1))
    return [(rng.integers(0, 17, size=(8, 8)).astype(float), dx, dy) for dx, dy in shifts]


@lab.exercise(8, hint="Make out = np.zeros_like(image), then copy a block: for dx = 1, "
              "out[:, 1:] = image[:, :-1]. Rows are y (down), columns are x (right). "
              "np.roll would wrap the pixels that leave on one side back in on the other.")
def check_shift(fn):
    """Exercise 8: shift(image, dx, dy) for an 8x8 image, moving it right/down, 0 filled."""
    return check_function(fn, _shift, _shift_cases(), name="shift(image, dx, dy)", mistakes=[
        Mistake("np.roll wraps around", "np.roll moves the pixels that leave one edge back "
                "in at the other: a stroke at the right edge reappears on the left. Fill "
                "with 0 (background) instead.",
                function=lambda im, dx, dy: np.roll(np.roll(im, dy, axis=0), dx, axis=1)),
        Mistake("dx and dy swapped", "dx moves along a row (the columns, axis 1), dy along "
                "a column (the rows, axis 0).", function=lambda im, dx, dy: _shift(im, dy, dx)),
        Mistake("the wrong direction", "Positive dx moves the picture RIGHT (to larger "
                "column indices), positive dy DOWN (to larger row indices).",
                function=lambda im, dx, dy: _shift(im, -dx, -dy))])
