"""Tests of bplib.data: splitting, standardising, one-hot, mini-batches."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib.data import Standardizer, minibatches, one_hot, train_val_test_split

X = np.arange(40.0).reshape(20, 2)
Y = np.arange(20)


def test_split_sizes_disjoint_and_complete():
    (a, ya), (b, yb), (c, yc) = train_val_test_split(X, Y, val=0.2, test=0.1, seed=3)
    assert (len(a), len(b), len(c)) == (14, 4, 2)
    rows = np.concatenate([ya, yb, yc])
    np.testing.assert_array_equal(np.sort(rows), Y)           # each row exactly once
    np.testing.assert_array_equal(a[:, 0], 2 * ya)            # X and y stay paired


def test_split_is_seeded():
    s1 = train_val_test_split(X, Y, seed=1)
    s2 = train_val_test_split(X, Y, seed=1)
    s3 = train_val_test_split(X, Y, seed=2)
    np.testing.assert_array_equal(s1[0][1], s2[0][1])
    assert not np.array_equal(s1[0][1], s3[0][1])
    g = np.random.default_rng(5)
    train_val_test_split(X, Y, seed=g)                        # a Generator is accepted


def test_split_errors():
    with pytest.raises(ValueError, match="same number of rows, got 20 and 19"):
        train_val_test_split(X, Y[:-1])
    with pytest.raises(ValueError, match="val \\+ test must be < 1"):
        train_val_test_split(X, Y, val=0.5, test=0.5)
    with pytest.raises(ValueError, match="test must be a fraction"):
        train_val_test_split(X, Y, test=-0.1)
    with pytest.raises(TypeError, match="seed is required"):
        train_val_test_split(X, Y, seed=None)


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    train = rng.normal(5.0, 3.0, size=(200, 3))
    test = rng.normal(50.0, 1.0, size=(10, 3))
    s = Standardizer().fit(train)
    z = s.transform(train)
    np.testing.assert_allclose(z.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(z.std(0), 1, atol=1e-12)
    np.testing.assert_allclose(s.transform(test), (test - train.mean(0)) / train.std(0))
    np.testing.assert_allclose(s.inverse_transform(s.transform(test)), test)
    np.testing.assert_allclose(Standardizer().fit_transform(train), z)


def test_standardizer_constant_column_and_float32():
    Xc = np.column_stack([np.ones(5), np.arange(5.0)]).astype(np.float32)
    z = Standardizer().fit_transform(Xc)
    assert z.dtype == np.float32
    np.testing.assert_array_equal(z[:, 0], 0)


def test_standardizer_errors():
    with pytest.raises(ValueError, match="call fit"):
        Standardizer().transform(X)
    with pytest.raises(ValueError, match=r"expected shape \(M, 2\), got \(3, 3\)"):
        Standardizer().fit(X).transform(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="NaN"):
        Standardizer().fit([[1.0], [np.nan]])
    with pytest.raises(ValueError, match="shape"):
        Standardizer().fit(np.arange(3.0))


def test_one_hot():
    np.testing.assert_array_equal(one_hot([2, 0, 1]), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert one_hot(np.array([0, 1]), 4).shape == (2, 4)
    with pytest.raises(ValueError, match=r"labels must be in 0..2, got values from 0 to 3"):
        one_hot([0, 3], 3)
    with pytest.raises(TypeError, match="integers"):
        one_hot([0.5])
    with pytest.raises(ValueError, match="shape"):
        one_hot(np.zeros((2, 2), dtype=int))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 50), st.integers(1, 60), st.booleans(), st.integers(0, 2**31))
def test_minibatches_cover_every_row_once(n, bs, shuffle, seed):
    Xn = np.arange(2 * n, dtype=float).reshape(n, 2)
    yn = np.arange(n)
    batches = list(minibatches(Xn, yn, bs, shuffle=shuffle, seed=seed))
    assert len(batches) == -(-n // bs)
    assert all(len(xb) == len(yb) <= bs for xb, yb in batches)
    seen = np.concatenate([yb for _, yb in batches])
    np.testing.assert_array_equal(np.sort(seen), yn)
    if not shuffle:
        np.testing.assert_array_equal(seen, yn)
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)


def test_minibatches_seeded_and_errors():
    a = [yb for _, yb in minibatches(X, Y, 6, seed=4)]
    b = [yb for _, yb in minibatches(X, Y, 6, seed=4)]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    with pytest.raises(ValueError, match="batch_size"):
        next(minibatches(X, Y, 0))
    with pytest.raises(ValueError, match="same number of rows"):
        next(minibatches(X, Y[:3], 2))


# ------------------------------------------------------------ stratified splits
def _imbalanced(seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(4), [50, 30, 15, 5])
    return rng.normal(size=(100, 3)), rng.permutation(y)


def test_stratified_split_keeps_every_class_proportion():
    Xi, yi = _imbalanced()
    (a, ya), (b, yb), (c, yc) = train_val_test_split(Xi, yi, val=0.2, test=0.2, seed=1,
                                                     stratify=True)
    assert (len(ya), len(yb), len(yc)) == (60, 20, 20)       # same sizes as unstratified
    for labels, frac in ((ya, 0.6), (yb, 0.2), (yc, 0.2)):
        np.testing.assert_array_equal(np.bincount(labels, minlength=4),
                                      np.round(frac * np.array([50, 30, 15, 5])))
    rows = np.concatenate([a, b, c])
    assert len(np.unique(rows, axis=0)) == 100                # every row exactly once
    key = {tuple(r): t for r, t in zip(Xi, yi)}
    assert all(key[tuple(r)] == t for r, t in zip(rows, np.concatenate([ya, yb, yc])))


def test_stratified_split_rounds_to_the_plain_sizes_and_shuffles():
    rng = np.random.default_rng(2)
    yi = rng.integers(0, 10, size=1797)
    Xi = np.arange(1797.0).reshape(-1, 1)
    plain = train_val_test_split(Xi, yi, seed=0)
    strat = train_val_test_split(Xi, yi, seed=0, stratify=yi)   # labels given as an array
    assert [len(p[1]) for p in plain] == [len(s[1]) for s in strat]
    counts = np.bincount(yi, minlength=10)
    for (_, ys), frac, tol in zip(strat, (0.7, 0.15, 0.15), (2, 1, 1)):
        # val and test: each class's share rounded one way; training: the rest
        assert np.all(np.abs(np.bincount(ys, minlength=10) - frac * counts) < tol)
    assert not np.all(np.diff(strat[0][1]) >= 0)      # not sorted by class


def test_stratify_accepts_one_hot_and_is_seeded():
    Xi, yi = _imbalanced()
    Y1 = np.eye(4)[yi]
    s1 = train_val_test_split(Xi, Y1, seed=4, stratify=True)
    s2 = train_val_test_split(Xi, yi, seed=4, stratify=True)
    for (xa, ya), (xb, yb) in zip(s1, s2):
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya.argmax(axis=1), yb)
    s3 = train_val_test_split(Xi, yi, seed=5, stratify=True)
    assert not np.array_equal(s2[0][0], s3[0][0])
    # stratify=None and False are the plain split, unchanged
    for flag in (None, False):
        np.testing.assert_array_equal(train_val_test_split(Xi, yi, seed=4, stratify=flag)[0][0],
                                      train_val_test_split(Xi, yi, seed=4)[0][0])


def test_stratify_errors():
    Xi, yi = _imbalanced()
    with pytest.raises(ValueError, match=r"stratify needs one label per row, shape \(100,\)"):
        train_val_test_split(Xi, yi, stratify=yi[:-1])
