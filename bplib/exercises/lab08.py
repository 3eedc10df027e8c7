"""Checks for Lab 8, "Training a network on real data" (labs/lab08-real-data.ipynb).

A stratified split, standardising without leakage (Chapter 8, eq. (ch08-standardize)),
one-hot targets (ch08-onehot), the symmetry of zero initialisation (ch08-symmetry),
one epoch of mini-batch SGD with bplib's parts (ch08-minibatch), precision and recall
from a confusion matrix (ch08-prf), the early-stopping rule of ``fit``, and a random
search judged on the validation set. The checks name the classic mistakes: test
statistics used for the test set, a split that ignores the classes, precision and
recall swapped, the unweighted mean of the batch losses, a patience off by one, a
search that peeks at the test score.

In the lab: ``from bplib.exercises import lab08 as ex``; ``ex.hint(3)`` shows a hint.
"""

from __future__ import annotations

import copy
import functools

import numpy as np

from bplib.activations import ReLU
from bplib.layers import Dense
from bplib.network import Sequential
from bplib.optimizers import SGD

from .core import Lab, Mistake, check_function, check_number, combine
from .feedback import CORRECT, ERROR, INCORRECT, NOT_ATTEMPTED, Feedback

lab = Lab("Lab 8")
hint = lab.hint


def _not_attempted(name, what="function"):
    return Feedback(NOT_ATTEMPTED, name, f"Replace the `...` with your {what}, then run "
                    "the cell again.")


def _raised(name, describe, exc):
    return Feedback(ERROR, name, f"Called with {describe}, your function raised "
                    f"{type(exc).__name__}: {exc}")


# ------------------------------------------------------------ 1. a stratified split
def _labels(counts, seed):
    return np.random.default_rng(seed).permutation(np.repeat(np.arange(len(counts)), counts))


#: Exercise 1's test cases: (labels, test fraction, seed).
SPLIT_CASES = [(_labels([40, 30, 20, 10], 81), 0.25, 0),
               (_labels([50, 5, 45], 82), 0.2, 1),
               (_labels([18, 17, 19, 16, 18, 12], 83), 0.3, 2)]


def _split_feedback(got, y, frac, name):
    """None if (train, test) is a stratified split of the rows of y, else a Feedback."""
    parts = list(got) if isinstance(got, (tuple, list)) else None
    if parts is None or len(parts) != 2:
        return Feedback(INCORRECT, name, "Return two arrays of row indices: "
                        "`return train_idx, test_idx`.", mistake="wrong number of results")
    train, test = (np.asarray(p) for p in parts)
    n = len(y)
    if train.ndim != 1 or test.ndim != 1 or train.dtype.kind not in "iu" \
            or test.dtype.kind not in "iu":
        return Feedback(INCORRECT, name, "Return row indices (integer arrays such as "
                        "np.flatnonzero(...) gives), not the rows or the labels themselves.",
                        mistake="not indices")
    both = np.concatenate([train, test])
    if len(np.intersect1d(train, test)):
        return Feedback(INCORRECT, name, "Some rows are in both sets. Each row must go to "
                        "exactly one of them: take the test rows first, then the rest.",
                        mistake="rows in both sets")
    if len(both) != n or not np.array_equal(np.sort(both), np.arange(n)):
        return Feedback(INCORRECT, name, f"The two sets should hold every one of the {n} "
                        f"rows exactly once; yours hold {len(both)} indices.",
                        mistake="rows lost or repeated")
    counts = np.bincount(y)
    got_test = np.bincount(y[test], minlength=len(counts))
    if abs(len(test) - frac * n) > len(counts) and abs(len(train) - frac * n) <= len(counts):
        return Feedback(INCORRECT, name, "Your test set has the size the training set should "
                        "have: the test fraction goes to the test set.",
                        mistake="train and test swapped")
    if np.all(np.abs(got_test - frac * counts) < 1):
        return None
    return Feedback(INCORRECT, name, f"Class counts in your test set: {got_test.tolist()}; "
                    f"a stratified split takes about {frac} of every class: "
                    f"{np.round(frac * counts).astype(int).tolist()}. Split each class "
                    "separately (np.flatnonzero(y == c)), then join the pieces.",
                    mistake="not stratified")


@lab.exercise(1, hint="For each class c: rows = rng.permutation(np.flatnonzero(y == c)); "
              "k = round(test * len(rows)); the first k go to the test set, the rest to "
              "training. np.concatenate the pieces at the end.")
def check_stratified_split(fn):
    """Exercise 1: stratified_split(y, test, seed) -> (train_idx, test_idx)."""
    name = "stratified_split(y, test, seed)"
    if fn is Ellipsis:
        return _not_attempted(name)
    if not callable(fn):
        return Feedback(INCORRECT, name, "Pass your function, without ().",
                        mistake="not a function")
    for y, frac, seed in SPLIT_CASES:
        describe = f"y with class counts {np.bincount(y).tolist()}, test = {frac}"
        try:
            got = fn(y.copy(), frac, seed)
        except Exception as exc:  # report, never raise
            return _raised(name, describe, exc)
        if got is Ellipsis:
            return _not_attempted(name, "code (your function still returns `...`)")
        fb = _split_feedback(got, y, frac, name)
        if fb is not None:
            fb.message = f"Called with {describe}: {fb.message}"
            return fb
    return Feedback(CORRECT, name)


# ------------------------------------------------------------ 2. standardising
def _std(X_train, X_test):
    mu = X_train.mean(axis=0)
    sigma = X_train.std(axis=0)
    sigma = np.where(sigma > 0, sigma, 1.0)
    return (X_train - mu) / sigma, (X_test - mu) / sigma


def _std_with(mean_of, std_of, axis=0, divide=True, ddof=0, eps=None):
    def fn(X_train, X_test):
        src = {"train": X_train, "all": np.vstack([X_train, X_test])}
        out = []
        for X in (X_train, X_test):
            m_src = X if mean_of == "own" else src[mean_of]
            s_src = X if std_of == "own" else src[std_of]
            mu = m_src.mean(axis=axis, keepdims=True)
            sigma = s_src.std(axis=axis, keepdims=True, ddof=ddof)
            sigma = sigma + eps if eps is not None else np.where(sigma > 0, sigma, 1.0)
            out.append((X - mu) / sigma if divide else X - mu)
        return tuple(out)
    return fn


def _std_cases():
    rng = np.random.default_rng(808)
    cases = []
    for n_tr, n_te, d in ((12, 5, 3), (9, 4, 4), (15, 6, 2)):
        X_train = rng.normal(3.0, 2.0, size=(n_tr, d)).round(2)
        X_test = rng.normal(4.0, 3.0, size=(n_te, d)).round(2)
        cases.append((X_train, X_test))
    X_train, X_test = cases[0]
    X_train, X_test = X_train.copy(), X_test.copy()
    X_train[:, 1], X_test[:, 1] = 0.0, [0.0, 1.0, 0.0, 2.0, 0.0]   # a constant pixel
    cases.append((X_train, X_test))
    return cases


_USED_TEST_STATS = Mistake(
    "used test statistics", "The test set was standardised with its own mean and standard "
    "deviation. Compute mu and sigma on X_train only and apply THOSE to X_test: the test "
    "set must not take part in preparing the data.",
    function=_std_with("own", "own"))
_ALL_DATA = Mistake(
    "statistics of all the data", "mu and sigma came from the training and test sets "
    "together: the test set leaks into the preparation. Use X_train only.",
    function=_std_with("all", "all"))


@lab.exercise(2, hint="mu = X_train.mean(axis=0), sigma = X_train.std(axis=0), then "
              "replace the zeros of sigma by 1 (np.where); return (X_train - mu) / sigma "
              "and (X_test - mu) / sigma.")
def check_standardize(fn):
    """Exercise 2: standardize(X_train, X_test) -> (X_train', X_test'), (ch08-standardize)."""
    name = "standardize(X_train, X_test)"
    if callable(fn):
        X_train, X_test = _std_cases()[-1]
        try:
            with np.errstate(all="ignore"):
                got = fn(X_train.copy(), X_test.copy())
        except Exception:
            got = None                       # check_function reports it
        if isinstance(got, (tuple, list)) and len(got) == 2 and all(
                isinstance(g, np.ndarray) and g.dtype.kind == "f" for g in got) and not all(
                np.all(np.isfinite(g)) for g in got):
            return Feedback(INCORRECT, name, "Your result holds NaN or infinity: a pixel "
                            "that is constant in the training set has sigma = 0. Take "
                            "sigma = 1 there (np.where(sigma > 0, sigma, 1.0)), as "
                            "bplib's Standardizer does.", mistake="division by sigma = 0")
    return check_function(fn, _std, _std_cases(), name=name,
                          returns=("X_train'", "X_test'"), mistakes=[
        _USED_TEST_STATS, _ALL_DATA,
        Mistake("standardised each row", "Each FEATURE (column) gets its own mean and "
                "standard deviation: axis=0, over the examples, not axis=1.",
                function=_std_with("own", "own", axis=1)),
        Mistake("only centred", "Subtracting the mean is half of it: divide by sigma too.",
                function=_std_with("train", "train", divide=False)),
        Mistake("used test statistics", "The test set's standard deviation was used for the "
                "test set: compute both mu and sigma on X_train only.",
                function=_std_with("train", "own")),
        Mistake("the sample standard deviation", "sigma here divides by N_train, eq. "
                "(ch08-standardize), as X_train.std(axis=0) does (ddof=0), not by "
                "N_train - 1.", function=_std_with("train", "train", ddof=1)),
        Mistake("a small epsilon instead of 1", "Adding a tiny epsilon to sigma turns a "
                "pixel that is constant in training but not in the test set into huge "
                "values. Where sigma = 0, use sigma = 1 (np.where(sigma > 0, sigma, 1.0)).",
                function=_std_with("train", "train", eps=1e-8)),
    ])


# ------------------------------------------------------------ 3. one-hot
def _one_hot(y, k):
    out = np.zeros((len(y), k))
    out[np.arange(len(y)), y] = 1.0
    return out


@lab.exercise(3, hint="Start from np.zeros((len(y), k)) and set one entry per row: "
              "Y[np.arange(len(y)), y] = 1. (np.eye(k)[y] does the same.)")
def check_one_hot(fn):
    """Exercise 3: one_hot(y, k) -> (N, k) one-hot rows, (ch08-onehot)."""
    rng = np.random.default_rng(803)
    cases = [(rng.integers(0, k, size=n), k) for n, k in ((6, 4), (5, 10), (8, 3))]
    cases.append((np.array([2, 2, 0]), 5))          # a class absent, the last one too
    return check_function(fn, _one_hot, cases, name="one_hot(y, k)", mistakes=[
        Mistake("labels shifted by one", "Label c goes in column c, counting from 0: "
                "digit 0 in column 0.", function=lambda y, k: _one_hot((y - 1) % k, k)),
        Mistake("zeros and ones swapped", "The row is 1 in the label's column and 0 "
                "elsewhere.", function=lambda y, k: 1.0 - _one_hot(y, k)),
        Mistake("columns from the labels seen", "The number of columns is k, the number of "
                "classes, even if some class does not occur in y.",
                function=lambda y, k: _one_hot(y, int(y.max()) + 1)),
    ])


# ------------------------------------------------------------ 4. zero initialisation
@functools.lru_cache(maxsize=1)
def zero_sigmoid_W1():
    """W1 of Chapter 8's network with sigmoid hidden units, all weights 0 at the start,
    after 3 epochs of the chapter's training (as in the lab's exercise 4)."""
    from bplib.activations import Sigmoid
    from bplib.demos.ch08 import digits_network, prepared_digits, train_digits

    net = digits_network(init=lambda shape, seed: np.zeros(shape), activation=Sigmoid)
    train_digits(prepared_digits(seed=0), net=net, epochs=3, validation=False)
    return net.params["dense0.W"].copy()


@lab.exercise(4, hint="(a) With ReLU and all-zero weights, Z1 = 0, so A1 = 0 (dW2 = A1^T "
              "delta2 = 0), and W2 = 0 and ReLU'(0) = 0 (dW1 = 0). (b) "
              "np.unique(W1.round(12), axis=1) keeps the distinct COLUMNS; a column of W1 "
              "is one hidden unit.")
def check_zero_init(relu_grad_norm, distinct_units):
    """Exercise 4: (a) the norm of the weight gradients of the all-zero ReLU network;
    (b) the number of distinct hidden units after training the all-zero sigmoid one."""
    rows = len(np.unique(zero_sigmoid_W1().round(12), axis=0))
    return combine(
        check_number(relu_grad_norm, 0.0, name="(a) the norm of the weight gradients",
                     atol=1e-12),
        check_number(distinct_units, 1, name="(b) the number of distinct hidden units",
                     mistakes=[
            Mistake("counted hidden units, not distinct ones", "There are 64 hidden "
                    "units, but how many DIFFERENT ones? Equal columns count once.",
                    value=64),
            Mistake("counted rows (inputs), not columns (hidden units)", "A hidden unit "
                    "is a column of W1 (its 64 incoming weights): np.unique(..., axis=1).",
                    value=rows)]),
        name="the symmetry of zero initialisation")


# ------------------------------------------------------------ 5. one epoch by hand
def _epoch_net(seed):
    rng = np.random.default_rng(seed)
    return Sequential([Dense(5, 6, init="he", seed=rng), ReLU(),
                       Dense(6, 3, init="he", seed=rng)], loss="softmax_ce")


def _epoch_data(seed, n):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    return X, (X[:, 0] - X[:, 1] > 0).astype(int) + (X[:, 2] > 1).astype(int)


#: Exercise 5's cases: (network seed, data seed, N, batch size, lr, shuffle seed).
EPOCH_CASES = [(1, 11, 23, 5, 0.1, 0), (2, 12, 17, 4, 0.3, 3), (3, 13, 30, 7, 0.05, 5)]


def _fit_epoch(net, X, y, B, lr, seed, shuffle=True):
    """(loss, params) after one epoch of bplib's fit, the reference."""
    h = net.fit(X, y, epochs=1, optimizer=SGD(lr=lr), batch_size=B, seed=seed,
                shuffle=shuffle)
    return h["loss"][0], net.get_params()


def _by_hand(net, X, y, B, lr, seed, *, weight=True, sign=1.0, scale=1.0, total=False):
    """One epoch with a known variation (for naming mistakes)."""
    from bplib.data import minibatches
    losses, sizes = [], []
    for Xb, yb in minibatches(X, y, B, seed=seed):
        losses.append(net.loss(Xb, yb))
        sizes.append(len(Xb))
        net.backward()
        for k, p in net.trainable_params.items():
            p -= sign * lr * scale * net.grads[k]
    if total:
        loss = float(np.sum(losses))
    elif weight:
        loss = float(np.dot(losses, sizes) / np.sum(sizes))
    else:
        loss = float(np.mean(losses))
    return loss, net.get_params()


def _same_params(a, b):
    return all(np.allclose(a[k], b[k], rtol=1e-9, atol=1e-12) for k in b)


@lab.exercise(5, hint="for X_b, y_b in minibatches(X, y, batch_size, seed=seed): "
              "loss = net.loss(X_b, y_b); net.backward(); then for every name, "
              "net.trainable_params[name] -= lr * net.grads[name]. Return the mean loss "
              "over the epoch, each batch weighted by its size (the last one is smaller).")
def check_one_epoch(fn):
    """Exercise 5: one_epoch(net, X, y, batch_size, lr, seed) -> mean loss; updates net."""
    name = "one_epoch(net, X, y, batch_size, lr, seed)"
    if fn is Ellipsis:
        return _not_attempted(name)
    if not callable(fn):
        return Feedback(INCORRECT, name, "Pass your function, without ().",
                        mistake="not a function")
    variants = {
        "no update": dict(sign=0.0),
        "gradient ascent": dict(sign=-1.0),
        "unweighted mean of the batch losses": dict(weight=False),
        "sum of the batch losses": dict(total=True),
    }
    for net_seed, data_seed, n, B, lr, seed in EPOCH_CASES:
        X, y = _epoch_data(data_seed, n)
        describe = f"N = {n}, batch_size = {B}, lr = {lr}, seed = {seed}"
        start = _epoch_net(net_seed)
        ref_loss, ref_params = _fit_epoch(copy.deepcopy(start), X, y, B, lr, seed)
        mine = copy.deepcopy(start)
        try:
            got = fn(mine, X.copy(), y.copy(), B, lr, seed)
        except Exception as exc:
            return _raised(name, describe, exc)
        if got is Ellipsis:
            return _not_attempted(name, "code (your function still returns `...`)")
        params = mine.get_params()
        ok_params = _same_params(params, ref_params)
        try:
            loss = float(got)
        except (TypeError, ValueError):
            return Feedback(INCORRECT, name, f"Return the epoch's mean loss, one number; "
                            f"your function returned {type(got).__name__}.",
                            mistake="no loss returned" if got is None else None)
        ok_loss = np.isclose(loss, ref_loss, rtol=1e-9, atol=1e-12)
        if ok_params and ok_loss:
            continue
        for mistake, kw in variants.items():
            v_loss, v_params = _by_hand(copy.deepcopy(start), X, y, B, lr, seed, **kw)
            if _same_params(params, v_params) and np.isclose(loss, v_loss, rtol=1e-9):
                return Feedback(INCORRECT, name, f"Called with {describe}: "
                                + _EPOCH_MESSAGES[mistake], mistake=mistake)
        _, plain = _fit_epoch(copy.deepcopy(start), X, y, B, lr, seed, shuffle=False)
        if _same_params(params, plain):
            return Feedback(INCORRECT, name, f"Called with {describe}: the batches came in "
                            "the rows' order. Pass seed=seed to minibatches, which shuffles "
                            "the rows first, as fit does every epoch.", mistake="no shuffling")
        if not ok_params:
            return Feedback(INCORRECT, name, f"Called with {describe}: the weights after "
                            "your epoch differ from those after one epoch of fit. Update "
                            "every parameter of net.trainable_params in place "
                            "(p -= lr * g), once per batch.")
        return Feedback(INCORRECT, name, f"Called with {describe}: the weights are right, "
                        f"but the loss you returned, {loss:.6g}, should be {ref_loss:.6g}: "
                        "the mean over the epoch's examples of the batch losses, each "
                        "computed before its step.")
    return Feedback(CORRECT, name)


_EPOCH_MESSAGES = {
    "no update": "the weights did not change. After net.backward(), subtract "
                 "lr * net.grads[name] from every parameter in net.trainable_params "
                 "(in place: p -= ..., so the network's own arrays change).",
    "gradient ascent": "the weights moved uphill: a gradient step subtracts, "
                       "p -= lr * g, eq. (ch08-minibatch).",
    "unweighted mean of the batch losses": "the weights are right, but the loss is the "
        "plain mean of the batch losses. The last batch is smaller, so weight each batch's "
        "loss by its size: sum(loss_b * len(X_b)) / N.",
    "sum of the batch losses": "the weights are right, but you added the batch losses. "
        "Return their mean over the epoch's examples (each weighted by its batch's size).",
}


# ------------------------------------------------------------ 6. precision and recall
def _pr(C):
    C = np.asarray(C, dtype=float)
    tp = np.diag(C)
    predicted, actual = C.sum(axis=0), C.sum(axis=1)
    P = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted != 0)
    R = np.divide(tp, actual, out=np.zeros_like(tp), where=actual != 0)
    return P, R


#: Exercise 6's confusion matrices (true class per row, predicted per column).
PR_CASES = [np.array([[8, 1, 1], [2, 6, 0], [0, 3, 9]]),
            np.array([[5, 0, 2, 1], [1, 7, 0, 0], [0, 2, 4, 0], [3, 0, 0, 9]]),
            np.array([[4, 0, 1], [2, 0, 0], [0, 0, 5]])]     # class 1 never predicted


@lab.exercise(6, hint="TP_k = C[k, k]. Precision divides by everything PREDICTED as k, "
              "column k: C.sum(axis=0). Recall divides by every TRUE k, row k: "
              "C.sum(axis=1). Where a sum is 0, the score is 0.")
def check_precision_recall(fn):
    """Exercise 6: precision_recall(C) -> (P, R) per class, eq. (ch08-prf)."""
    name = "precision_recall(C)"
    if callable(fn):
        try:
            with np.errstate(all="ignore"):
                got = fn(PR_CASES[2].copy())
            if isinstance(got, (tuple, list)) and len(got) == 2 and not all(
                    np.all(np.isfinite(np.asarray(g, dtype=float))) for g in got):
                return Feedback(INCORRECT, name, "Called with a matrix whose class 1 is "
                                "never predicted (column 1 is all zeros), your precision "
                                "holds NaN: 0/0. Return 0 there, bplib's convention "
                                "(np.divide(..., out=np.zeros(...), where=den != 0)).",
                                mistake="0/0 for a class never predicted")
        except Exception:
            pass                                  # check_function reports it
    return check_function(fn, _pr, [(C,) for C in PR_CASES], name=name,
                          returns=("P", "R"), mistakes=[
        Mistake("precision and recall swapped", "Precision divides by the column sum (what "
                "was PREDICTED as k), recall by the row sum (what truly IS k). Rows are "
                "true classes here.", function=lambda C: _pr(np.asarray(C).T)),
        Mistake("divided by the total", "Divide TP_k by the predicted (column) or true "
                "(row) count of class k, not by all examples.",
                function=lambda C: (np.diag(C) / np.sum(C), np.diag(C) / np.sum(C))),
    ])


# ------------------------------------------------------------ 7. early stopping
def _early_stop(val_losses, patience):
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, v in enumerate(val_losses):
        if v < best:
            best, best_epoch, wait = v, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return best_epoch, epoch
    return best_epoch, len(val_losses) - 1


def _early_stop_with(*, offset=0, ties=False, last=False, from_one=False):
    def fn(val_losses, patience):
        best, best_epoch, wait = np.inf, 0, 0
        stop = len(val_losses) - 1
        for epoch, v in enumerate(val_losses):
            if v < best or (ties and v == best):
                best, best_epoch, wait = v, epoch, 0
            else:
                wait += 1
                if wait >= patience + offset:
                    stop = epoch
                    break
        kept = stop if last else best_epoch
        return (kept + 1, stop + 1) if from_one else (kept, stop)
    return fn


#: Exercise 7's cases: (validation losses per epoch, patience).
STOP_CASES = [([0.9, 0.7, 0.6, 0.65, 0.62, 0.61, 0.64, 0.66, 0.5], 3),
              ([1.0, 0.8, 0.8, 0.79, 0.81, 0.82, 0.83, 0.84], 2),
              ([0.5, 0.4, 0.3, 0.2, 0.1], 2),
              ([0.6, 0.5, 0.55, 0.5, 0.52, 0.53, 0.54, 0.49, 0.6, 0.7, 0.8, 0.9], 4),
              ([0.3, 0.3, 0.3, 0.3], 2)]


@lab.exercise(7, hint="Keep the best loss so far and the epochs since it improved. A loss "
              "improves only if it is strictly lower. When the count reaches patience, "
              "stop: return (the best epoch, this epoch). If that never happens, the "
              "stopping epoch is the last one. Epochs count from 0.")
def check_early_stopping(fn):
    """Exercise 7: early_stop(val_losses, patience) -> (best_epoch, stop_epoch), fit's rule."""
    return check_function(fn, _early_stop, STOP_CASES, name="early_stop(val_losses, patience)",
                          returns=("best_epoch", "stop_epoch"), mistakes=[
        Mistake("patience off by one", "Stop when the number of epochs without improvement "
                "REACHES patience (wait >= patience), counting from the first epoch that is "
                "not better.", function=_early_stop_with(offset=1)),
        Mistake("patience off by one", "Stop when the number of epochs without improvement "
                "reaches patience, not one epoch earlier.",
                function=_early_stop_with(offset=-1)),
        Mistake("an equal loss counted as an improvement", "Only a strictly lower loss "
                "resets the count (v < best), as in fit; an equal one does not.",
                function=_early_stop_with(ties=True)),
        Mistake("kept the last epoch", "Early stopping goes back to the BEST epoch's "
                "weights, not those of the epoch where it stopped.",
                function=_early_stop_with(last=True)),
        Mistake("epochs counted from 1", "Count epochs from 0, as fit does "
                "(history.best_epoch).", function=_early_stop_with(from_one=True)),
    ])


# ------------------------------------------------------------ 8. a random search
def _bump(center, width=0.5):
    def score(lr):
        x = np.log10(lr)
        return {"val": float(np.exp(-((x - center) / width) ** 2)),
                "test": float(np.exp(-((x - center - 0.8) / width) ** 2))}
    score.__name__ = f"score_peaking_at_lr_{10 ** center:.3g}"
    return score


def _search(train_and_score, n, seed):
    rng = np.random.default_rng(seed)
    lrs = 10 ** rng.uniform(-3, 0, size=n)
    scores = [train_and_score(lr)["val"] for lr in lrs]
    best = int(np.argmax(scores))
    return float(lrs[best]), float(scores[best])


def _search_with(*, key="val", pick=np.argmax, uniform=False, report=None):
    def fn(train_and_score, n, seed):
        rng = np.random.default_rng(seed)
        lrs = rng.uniform(1e-3, 1, size=n) if uniform else 10 ** rng.uniform(-3, 0, size=n)
        results = [train_and_score(lr) for lr in lrs]
        best = int(pick([r[key] for r in results]))
        return float(lrs[best]), float(results[best][report or key])
    return fn


#: Exercise 8's cases: (score function, n, seed).
SEARCH_CASES = [(_bump(-1.5), 8, 0), (_bump(-0.7), 10, 1), (_bump(-2.2), 12, 2)]


@lab.exercise(8, hint="rng = np.random.default_rng(seed); lrs = 10 ** rng.uniform(-3, 0, "
              "size=n); score each with train_and_score(lr)['val'] and return the lr with "
              "the highest validation score, and that score. Never look at 'test'.")
def check_random_search(fn):
    """Exercise 8: random_search(train_and_score, n, seed) -> (best_lr, best_val_score)."""
    return check_function(fn, _search, SEARCH_CASES,
                          name="random_search(train_and_score, n, seed)",
                          returns=("best_lr", "best_val_score"), mistakes=[
        Mistake("chose by the test score", "The search must be judged on the VALIDATION "
                "score: choosing by the test score turns the test set into a second "
                "validation set, and its accuracy is then no longer an honest estimate.",
                function=_search_with(key="test")),
        Mistake("reported the test score", "Return the validation score of the chosen "
                "learning rate; the test set is for the very end.",
                function=_search_with(report="test")),
        Mistake("uniform instead of log-uniform", "Draw the exponent uniformly, "
                "10 ** rng.uniform(-3, 0, size=n): a uniform draw in [0.001, 1] puts 90 % of "
                "the learning rates above 0.1.", function=_search_with(uniform=True)),
        Mistake("picked the lowest score", "Accuracy: higher is better; use np.argmax.",
                function=_search_with(pick=np.argmin)),
    ])
