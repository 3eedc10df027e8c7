"""Tests for bplib.initializers: scales, determinism, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib import initializers as ini

ALL = [ini.small_random, ini.xavier_uniform, ini.xavier_normal, ini.he_normal,
       ini.he_uniform]


@pytest.mark.parametrize("init", ALL)
@settings(max_examples=15, deadline=None)
@given(shape=st.tuples(st.integers(1, 6), st.integers(1, 6)), seed=st.integers(0, 2**63))
def test_same_seed_bit_identical_different_seed_different(init, shape, seed):
    a, b = init(shape, seed), init(shape, seed)
    assert a.shape == shape and a.dtype == np.float64
    assert np.array_equal(a, b)  # bit for bit
    if a.size > 1:
        assert not np.array_equal(a, init(shape, seed + 1))


@pytest.mark.parametrize("init", ALL)
def test_generator_seeds_advance(init):
    g = np.random.default_rng(5)
    first, second = init((3, 4), g), init((3, 4), g)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, init((3, 4), np.random.default_rng(5)))


@pytest.mark.parametrize("init, std", [
    (ini.small_random, lambda fi, fo: 0.01),
    (ini.xavier_uniform, lambda fi, fo: np.sqrt(6 / (fi + fo)) / np.sqrt(3)),
    (ini.xavier_normal, lambda fi, fo: np.sqrt(2 / (fi + fo))),
    (ini.he_normal, lambda fi, fo: np.sqrt(2 / fi)),
    (ini.he_uniform, lambda fi, fo: np.sqrt(6 / fi) / np.sqrt(3)),
])
def test_standard_deviations_follow_the_formulas(init, std):
    fan_in, fan_out = 300, 200
    W = init((fan_in, fan_out), 0)
    assert abs(W.mean()) < 0.01 * std(fan_in, fan_out) * 10
    assert W.std() == pytest.approx(std(fan_in, fan_out), rel=0.02)


def test_uniform_bounds():
    a = np.sqrt(6 / (10 + 30))
    W = ini.xavier_uniform((10, 30), 1)
    assert W.min() >= -a and W.max() <= a and W.max() > 0.9 * a
    W = ini.he_uniform((10, 30), 1)
    assert np.abs(W).max() <= np.sqrt(6 / 10)


def test_small_random_scale_and_vector_shapes():
    assert ini.small_random((1000,), 0, scale=2.0).std() == pytest.approx(2.0, rel=0.1)
    assert ini.he_normal(7, 0).shape == (7,)


def test_get_initializer():
    assert ini.get_initializer("xavier") is ini.xavier_uniform
    assert ini.get_initializer("he") is ini.he_normal
    assert ini.get_initializer("small") is ini.small_random
    for name in ["small_random", "xavier_uniform", "xavier_normal", "he_normal",
                 "he_uniform"]:
        assert ini.get_initializer(name) is getattr(ini, name)
    custom = lambda shape, seed: np.zeros(shape)  # noqa: E731
    assert ini.get_initializer(custom) is custom
    with pytest.raises(ValueError, match="get_initializer: unknown initializer 'kaiming'; "
                                         "expected one of 'small'"):
        ini.get_initializer("kaiming")
    with pytest.raises(TypeError, match="get_initializer: expected initializer name"):
        ini.get_initializer(3)


@pytest.mark.parametrize("init", ALL)
def test_bad_input(init):
    name = init.__name__
    with pytest.raises(TypeError, match=rf"{name}: a seed is required"):
        init((2, 2), None)
    with pytest.raises(TypeError, match=rf"{name}: expected shape as a tuple of ints"):
        init((2.0, 2), 0)
    with pytest.raises(ValueError, match=rf"{name}: expected every dimension of shape to "
                                         r"be >= 1, got \(0, 2\)"):
        init((0, 2), 0)
    with pytest.raises(ValueError, match=rf"{name}: expected seed to be an int >= 0"):
        init((2, 2), -3)


def test_bad_scale():
    with pytest.raises(ValueError, match=r"small_random: expected scale in \[0, inf\)"):
        ini.small_random((2, 2), 0, scale=-1.0)
