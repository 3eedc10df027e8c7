"""Tests of bplib.datasets: the chapter-1 table, toy sets, the shipped digits."""

import pathlib

import numpy as np
import pytest

import bplib.datasets as D
from bplib.datasets import chapter1, circles, load_digits, moons, noisy_line, spirals, xor


def test_chapter1_table():
    x, y = chapter1()
    np.testing.assert_array_equal(x, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(y, [0.0, 2.0, 4.0])
    assert x.dtype == y.dtype == np.float64


def test_noisy_line():
    x, y = noisy_line(200, w=3.0, b=1.0, noise=0.1, x_range=(1, 2), seed=0)
    assert x.shape == y.shape == (200,)
    assert 1 <= x.min() and x.max() <= 2 and np.all(np.diff(x) >= 0)
    w, b = np.polyfit(x, y, 1)
    assert abs(w - 3.0) < 0.2 and abs(b - 1.0) < 0.3
    x0, y0 = noisy_line(20, noise=0.0)
    np.testing.assert_allclose(y0, 2.0 * x0)


def test_xor():
    X, y = xor()
    assert X.shape == (4, 2)
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(int))


@pytest.mark.parametrize("make, n, k", [(moons, 101, 2), (circles, 100, 2),
                                        (lambda n, seed, noise: spirals(n, classes=4, noise=noise, seed=seed), 203, 4)])
def test_toy_sets_shape_balance_seed(make, n, k):
    X, y = make(n, seed=7, noise=0.1)
    assert X.shape == (n, 2) and y.shape == (n,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == k and counts.max() - counts.min() <= 1
    X2, y2 = make(n, seed=7, noise=0.1)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(n, seed=8, noise=0.1)
    assert not np.array_equal(X, X3)
    assert not np.array_equal(y[: n // 2], np.sort(y[: n // 2]))  # rows are shuffled


def test_toy_geometry_without_noise():
    X, y = circles(100, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.3)
    X, y = moons(100, noise=0.0, seed=0)
    np.testing.assert_allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0)
    X, _ = spirals(90, noise=0.0, seed=0)
    assert np.hypot(X[:, 0], X[:, 1]).max() <= 1.0


def test_toy_bad_input():
    with pytest.raises(ValueError, match="noise"):
        moons(10, noise=-1)
    with pytest.raises(ValueError, match="factor"):
        circles(10, factor=1.5)
    with pytest.raises(ValueError, match="classes >= 2"):
        spirals(10, classes=1)
    with pytest.raises(TypeError, match="n"):
        moons(2.5)
    with pytest.raises(ValueError, match="x_range"):
        noisy_line(x_range=(3, 1))
    with pytest.raises(TypeError, match="seed is required"):
        circles(10, seed=None)


def test_load_digits():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))
    np.testing.assert_array_equal(np.bincount(y),
                                  [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    np.testing.assert_array_equal(y[:10], np.arange(10))
    # Fingerprints of the shipped file (catch an accidental change of the data).
    assert X.sum() == 561718.0
    np.testing.assert_array_equal(X[0].reshape(8, 8)[1], [0, 0, 13, 15, 10, 15, 5, 0])
    images, _ = load_digits(images=True)
    assert images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(images.reshape(1797, 64), X)


def test_digits_shipped_with_attribution_and_licence():
    folder = pathlib.Path(D.__file__).parent
    text = (folder / "DIGITS_LICENSE.txt").read_text()
    for needle in ("Alpaydin", "Kaynak", "1998", "CC BY 4.0", "UCI"):
        assert needle in text and needle.split()[0] in D.DIGITS_ATTRIBUTION
    data = folder / "digits.npz"
    assert data.stat().st_size < 100_000
    with np.load(data) as f:
        assert f["images"].dtype == np.uint8 and f["labels"].dtype == np.uint8
