"""bplib.exercises.lab08: right, equivalent and wrong answers for every check; the named
mistakes (test statistics, a split that ignores the classes, precision and recall
swapped, the unweighted batch mean, a patience off by one, a search on the test score)
are recognised."""

from __future__ import annotations

import numpy as np
import pytest

from bplib.data import minibatches
from bplib.exercises import lab08 as ex


# ------------------------------------------------------------ 1. stratified split
def _split(y, test, seed):
    rng = np.random.default_rng(seed)
    tr, te = [], []
    for c in np.unique(y):
        rows = rng.permutation(np.flatnonzero(y == c))
        k = int(round(test * len(rows)))
        te.append(rows[:k])
        tr.append(rows[k:])
    return np.concatenate(tr), np.concatenate(te)


def _split_floor(y, test, seed):           # equivalent: floor instead of round, a list
    tr, te = [], []
    for c in np.unique(y):
        rows = np.flatnonzero(y == c)
        k = int(np.floor(test * len(rows) + 0.5))
        te.extend(rows[:k])
        tr.extend(rows[k:])
    return [np.array(tr), np.array(te)]


def _plain(y, test, seed):
    perm = np.random.default_rng(seed).permutation(len(y))
    k = int(round(test * len(y)))
    return perm[k:], perm[:k]


def test_split_right_and_equivalent():
    assert ex.check_stratified_split(_split).correct
    assert ex.check_stratified_split(_split_floor).correct
    assert ex.check_stratified_split(...).status == "not-attempted"
    assert ex.check_stratified_split(lambda y, t, s: ...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (_plain, "not stratified"),
    (lambda y, t, s: _split(y, t, s)[::-1], "train and test swapped"),
    (lambda y, t, s: (np.arange(len(y)), _split(y, t, s)[1]), "rows in both sets"),
    (lambda y, t, s: (_split(y, t, s)[0][1:], _split(y, t, s)[1]), "rows lost or repeated"),
    (lambda y, t, s: tuple(y[i] * 1.0 for i in _split(y, t, s)), "not indices"),
    (lambda y, t, s: _split(y, t, s)[0], "wrong number of results"),
])
def test_split_mistakes_named(fn, mistake):
    fb = ex.check_stratified_split(fn)
    assert not fb.correct and fb.mistake == mistake, (fb.mistake, fb.message)


def test_split_error_is_reported():
    fb = ex.check_stratified_split(lambda y, t, s: 1 / 0)
    assert fb.status == "error" and "ZeroDivisionError" in fb.message


# ------------------------------------------------------------ 2. standardize
def _std(a, b):
    mu, s = a.mean(axis=0), a.std(axis=0)
    s = np.where(s > 0, s, 1.0)
    return (a - mu) / s, (b - mu) / s


def test_standardize_right_and_equivalent():
    assert ex.check_standardize(_std).correct

    def with_bplib(a, b):
        from bplib.data import Standardizer
        s = Standardizer().fit(a)
        return [s.transform(a), s.transform(b)]
    assert ex.check_standardize(with_bplib).correct
    assert ex.check_standardize(...).status == "not-attempted"


def _own(a, b):
    return _std(a, a)[0], _std(b, b)[0]


def _all(a, b):
    both = np.vstack([a, b])
    mu, s = both.mean(axis=0), both.std(axis=0)
    s = np.where(s > 0, s, 1.0)
    return (a - mu) / s, (b - mu) / s


@pytest.mark.parametrize("fn, mistake", [
    (_own, "used test statistics"),
    (_all, "statistics of all the data"),
    (lambda a, b: (a - a.mean(0), b - a.mean(0)), "only centred"),
    (lambda a, b: tuple((x - x.mean(1, keepdims=True))
                        / np.where(x.std(1, keepdims=True) > 0, x.std(1, keepdims=True), 1)
                        for x in (a, b)), "standardised each row"),
    (lambda a, b: ((a - a.mean(0)) / a.std(0), (b - a.mean(0)) / a.std(0)),
     "division by sigma = 0"),
    (lambda a, b: tuple((x - a.mean(0)) / np.where(a.std(0, ddof=1) > 0, a.std(0, ddof=1), 1)
                        for x in (a, b)), "the sample standard deviation"),
    (lambda a, b: tuple((x - a.mean(0)) / (a.std(0) + 1e-8) for x in (a, b)),
     "a small epsilon instead of 1"),
])
def test_standardize_mistakes_named(fn, mistake):
    fb = ex.check_standardize(fn)
    assert not fb.correct and fb.mistake == mistake, (fb.mistake, fb.message)


# ------------------------------------------------------------ 3. one-hot
def test_one_hot_right_equivalent_and_wrong():
    assert ex.check_one_hot(lambda y, k: np.eye(k)[y]).correct
    assert ex.check_one_hot(lambda y, k: (np.arange(k) == np.asarray(y)[:, None])
                            .astype(int)).correct
    assert ex.check_one_hot(...).status == "not-attempted"
    cases = {
        "labels shifted by one": lambda y, k: np.eye(k)[(y - 1) % k],
        "zeros and ones swapped": lambda y, k: 1 - np.eye(k)[y],
        "columns from the labels seen": lambda y, k: np.eye(int(max(y)) + 1)[y],
        "transposed shape": lambda y, k: np.eye(k)[y].T,
    }
    for mistake, fn in cases.items():
        fb = ex.check_one_hot(fn)
        assert not fb.correct and fb.mistake == mistake, (mistake, fb.mistake, fb.message)


# ------------------------------------------------------------ 4. zero init
def test_zero_init_right_and_wrong():
    assert ex.check_zero_init(0.0, 1).correct
    assert ex.check_zero_init(np.float64(0), 1.0).correct
    assert ex.check_zero_init(..., ...).status == "not-attempted"
    assert ex.check_zero_init(0.0, 64).mistake == "counted hidden units, not distinct ones"
    rows = len(np.unique(ex.zero_sigmoid_W1().round(12), axis=0))
    assert rows not in (1, 64)
    assert ex.check_zero_init(0.0, rows).mistake == \
        "counted rows (inputs), not columns (hidden units)"
    fb = ex.check_zero_init(0.5, 1)
    assert not fb.correct and fb.message.startswith("In (a)")


def test_zero_init_matches_the_lab_network():
    W1 = ex.zero_sigmoid_W1()
    assert W1.shape == (64, 64) and np.abs(W1).max() > 0
    assert len(np.unique(W1.round(12), axis=1).T) == 1


# ------------------------------------------------------------ 5. one epoch
def _epoch(net, X, y, B, lr, seed, *, weighted=True, sign=1.0, shuffle=True, total=False):
    losses, sizes = [], []
    for Xb, yb in minibatches(X, y, B, shuffle=shuffle, seed=seed):
        losses.append(net.loss(Xb, yb))
        sizes.append(len(Xb))
        net.backward()
        for k, p in net.trainable_params.items():
            p -= sign * lr * net.grads[k]
    if total:
        return sum(losses)
    return np.dot(losses, sizes) / sum(sizes) if weighted else np.mean(losses)


def test_one_epoch_right_and_equivalent():
    assert ex.check_one_epoch(_epoch).correct

    def with_fit(net, X, y, B, lr, seed):            # the library's own loop is fine too
        from bplib.optimizers import SGD
        return net.fit(X, y, epochs=1, optimizer=SGD(lr=lr), batch_size=B,
                       seed=seed)["loss"][0]
    assert ex.check_one_epoch(with_fit).correct
    assert ex.check_one_epoch(...).status == "not-attempted"
    assert ex.check_one_epoch(lambda *a: ...).status == "not-attempted"


@pytest.mark.parametrize("kw, mistake", [
    (dict(sign=0.0), "no update"),
    (dict(sign=-1.0), "gradient ascent"),
    (dict(weighted=False), "unweighted mean of the batch losses"),
    (dict(total=True), "sum of the batch losses"),
    (dict(shuffle=False), "no shuffling"),
])
def test_one_epoch_mistakes_named(kw, mistake):
    fb = ex.check_one_epoch(lambda *a: _epoch(*a, **kw))
    assert not fb.correct and fb.mistake == mistake, (fb.mistake, fb.message)


def test_one_epoch_other_wrong_answers():
    fb = ex.check_one_epoch(lambda net, X, y, B, lr, s: _epoch(net, X, y, B, 2 * lr, s))
    assert not fb.correct and "weights after your epoch differ" in fb.message
    fb = ex.check_one_epoch(lambda *a: None)
    assert not fb.correct and fb.mistake == "no loss returned"
    fb = ex.check_one_epoch(lambda *a: [][1])
    assert fb.status == "error" and "IndexError" in fb.message


# ------------------------------------------------------------ 6. precision and recall
def _pr(C):
    C = np.asarray(C, dtype=float)
    tp, pred, act = np.diag(C), C.sum(0), C.sum(1)
    return (np.divide(tp, pred, out=np.zeros_like(tp), where=pred > 0),
            np.divide(tp, act, out=np.zeros_like(tp), where=act > 0))


def test_precision_recall_right_and_equivalent():
    assert ex.check_precision_recall(_pr).correct
    assert ex.check_precision_recall(lambda C: np.array(_pr(C))).correct   # rows as parts
    assert ex.check_precision_recall(lambda C: list(_pr(C))).correct
    assert ex.check_precision_recall(...).status == "not-attempted"


@pytest.mark.parametrize("fn, mistake", [
    (lambda C: _pr(np.asarray(C).T), "precision and recall swapped"),
    (lambda C: (np.diag(C) / np.sum(C), np.diag(C) / np.sum(C)), "divided by the total"),
    (lambda C: (np.diag(C) / C.sum(0), np.diag(C) / C.sum(1)),
     "0/0 for a class never predicted"),
])
def test_precision_recall_mistakes_named(fn, mistake):
    fb = ex.check_precision_recall(fn)
    assert not fb.correct and fb.mistake == mistake, (fb.mistake, fb.message)


def test_precision_recall_matches_bplib_metrics():
    from bplib.metrics import confusion_matrix, precision, recall
    rng = np.random.default_rng(0)
    t, p = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    P, R = ex._pr(confusion_matrix(t, p, n_classes=4))
    np.testing.assert_allclose(P, precision(t, p, average=None))
    np.testing.assert_allclose(R, recall(t, p, average=None))


# ------------------------------------------------------------ 7. early stopping
def test_early_stop_reference_keeps_the_first_lowest_loss():
    """The kept epoch is the first lowest loss up to the stop."""
    for losses, patience in ex.STOP_CASES:
        best, stop = ex._early_stop(losses, patience)
        assert losses[best] == min(losses[:stop + 1])
        assert best == int(np.argmin(losses[:stop + 1]))   # the first of equal minima


def test_early_stop_right_and_equivalent():
    assert ex.check_early_stopping(ex._early_stop).correct

    def with_counter(v, patience):
        best_epoch = 0
        for e in range(len(v)):
            if v[e] < v[best_epoch]:
                best_epoch = e
            if e - best_epoch >= patience:
                return [best_epoch, e]
        return [best_epoch, len(v) - 1]
    assert ex.check_early_stopping(with_counter).correct
    assert ex.check_early_stopping(...).status == "not-attempted"


@pytest.mark.parametrize("kw, mistake", [
    (dict(offset=1), "patience off by one"),
    (dict(offset=-1), "patience off by one"),
    (dict(ties=True), "an equal loss counted as an improvement"),
    (dict(last=True), "kept the last epoch"),
    (dict(from_one=True), "epochs counted from 1"),
])
def test_early_stop_mistakes_named(kw, mistake):
    fb = ex.check_early_stopping(ex._early_stop_with(**kw))
    assert not fb.correct and fb.mistake == mistake, (fb.mistake, fb.message)


def test_early_stop_agrees_with_fit():
    from bplib.activations import ReLU
    from bplib.layers import Dense
    from bplib.network import Sequential
    from bplib.optimizers import SGD
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    net = Sequential([Dense(3, 8, init="he", seed=1), ReLU(), Dense(8, 2, seed=2)],
                     loss="softmax_ce")
    h = net.fit(X, y, epochs=60, optimizer=SGD(lr=0.5), validation_data=(X, 1 - y),
                early_stopping=3)
    assert ex._early_stop(h["val_loss"], 3) == (h.best_epoch, h.stopped_epoch)


# ------------------------------------------------------------ 8. random search
def test_random_search_right_and_equivalent():
    assert ex.check_random_search(ex._search).correct

    def by_loop(score, n, seed):
        rng = np.random.default_rng(seed)
        lrs = 10 ** rng.uniform(-3, 0, size=n)
        best = max(lrs, key=lambda lr: score(lr)["val"])
        return best, score(best)["val"]
    assert ex.check_random_search(by_loop).correct
    assert ex.check_random_search(...).status == "not-attempted"


@pytest.mark.parametrize("kw, mistake", [
    (dict(key="test"), "chose by the test score"),
    (dict(report="test"), "reported the test score"),
    (dict(uniform=True), "uniform instead of log-uniform"),
    (dict(pick=np.argmin), "picked the lowest score"),
])
def test_random_search_mistakes_named(kw, mistake):
    fb = ex.check_random_search(ex._search_with(**kw))
    assert not fb.correct and fb.mistake == mistake, (fb.mistake, fb.message)
