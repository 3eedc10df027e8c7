"""Tests for bplib._validate: the shared input checks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from bplib._validate import all_finite, as_array, as_generator, positive_int, real_number

WHERE = "Thing.forward"


def test_float_array_is_returned_as_is():
    x = np.arange(6.0).reshape(2, 3)
    assert as_array(x, "X", ndim=2, where=WHERE) is x


def test_float32_stays_float32():
    x = np.ones((2, 2), dtype=np.float32)
    out = as_array(x, "X", where=WHERE)
    assert out.dtype == np.float32 and out is x


@pytest.mark.parametrize("x", [[1, 2, 3], np.array([1, 2, 3]), np.array([True, False]),
                               3, [[1.5, 2], [3, 4]]])
def test_numbers_become_float64(x):
    out = as_array(x, "X", where=WHERE)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, np.asarray(x, dtype=float))


@pytest.mark.parametrize("x", ["abc", None, np.array([1 + 2j]), [[1, 2], [3]],
                               np.array(["a", "b"]), {"a": 1}])
def test_non_numeric_is_a_type_error_naming_where_and_name(x):
    with pytest.raises(TypeError, match=r"Thing\.forward: expected X") as info:
        as_array(x, "X", where=WHERE)
    assert "got" in str(info.value)


def test_wrong_ndim_says_expected_and_got():
    with pytest.raises(ValueError, match=r"Thing\.forward: expected X with 2 dimension"
                                         r".*got 1 \(shape \(3,\)\)"):
        as_array(np.ones(3), "X", ndim=2, where=WHERE)
    with pytest.raises(ValueError, match="1 or 2 dimension"):
        as_array(np.ones((1, 1, 1)), "y", ndim=(1, 2), where=WHERE)
    assert as_array(np.ones(3), "y", ndim=(1, 2), where=WHERE).shape == (3,)


@settings(max_examples=40, deadline=None)
@given(data=st.data(),
       shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
       bad=st.sampled_from([np.nan, np.inf, -np.inf]),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_non_finite_is_found_and_its_index_named(data, shape, bad, dtype):
    x = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-10, 10, width=32)))
    index = data.draw(st.tuples(*[st.integers(0, s - 1) for s in shape]))
    x[index] = bad
    assert not all_finite(x)
    with pytest.raises(ValueError, match="expected finite values in X") as info:
        as_array(x, "X", where=WHERE)
    first = tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0])
    assert str(first) in str(info.value)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3),
                  elements=st.floats(-1e300, 1e300)))
def test_all_finite_agrees_with_numpy(x):
    with np.errstate(over="ignore"):  # a sum near 1e308 may overflow: then checked fully
        assert all_finite(x) == bool(np.isfinite(x).all())


def test_huge_float32_values_do_not_overflow_the_check():
    x = np.full(10, 3e38, dtype=np.float32)  # sums past float32's max
    assert all_finite(x)


def test_generator_from_int_is_deterministic():
    a = as_generator(7).standard_normal(5)
    b = as_generator(7).standard_normal(5)
    np.testing.assert_array_equal(a, b)  # bit-identical
    assert isinstance(as_generator(np.int64(3)), np.random.Generator)


def test_generator_is_passed_through():
    g = np.random.default_rng(0)
    assert as_generator(g) is g


def test_none_seed_is_refused_with_a_reason():
    with pytest.raises(TypeError, match="seed is required"):
        as_generator(None)


@pytest.mark.parametrize("seed", [1.5, "0", True, np.random.RandomState(0)])
def test_bad_seed_types(seed):
    with pytest.raises(TypeError, match="expected seed"):
        as_generator(seed, where="Dropout.__init__")


def test_negative_seed():
    with pytest.raises(ValueError, match=r"Dropout\.__init__: expected seed to be an "
                                         r"int >= 0, got -1"):
        as_generator(-1, where="Dropout.__init__")


def test_positive_int_and_real_number():
    assert positive_int(np.int32(3), "n", where=WHERE) == 3
    with pytest.raises(TypeError, match="positive int"):
        positive_int(2.0, "n", where=WHERE)
    with pytest.raises(ValueError, match="got 0"):
        positive_int(0, "n", where=WHERE)
    assert real_number(0.5, "p", where=WHERE, low=0, high=1, high_open=True) == 0.5
    with pytest.raises(ValueError, match=r"expected p in \[0, 1\), got 1"):
        real_number(1, "p", where=WHERE, low=0, high=1, high_open=True)
    with pytest.raises(ValueError, match="got nan"):
        real_number(float("nan"), "lam", where=WHERE, low=0)
    with pytest.raises(TypeError, match="real number"):
        real_number("0.1", "lam", where=WHERE)


@pytest.mark.parametrize("bad, error, match", [
    (True, TypeError, r"Value: expected data to be a real number, got bool True"),
    (np.array([1.0]), TypeError, r"Value: expected data to be a real number, got ndarray"),
    (float("inf"), ValueError, r"Value: expected data to be a finite real number, got inf"),
])
def test_real_number_is_the_one_number_check_of_the_engine(bad, error, match):
    from bplib.engine import Value
    with pytest.raises(error, match=match):
        Value(bad)


def test_real_number_is_the_one_number_check_of_the_optimizers():
    from bplib.optimizers import SGD, Adam
    with pytest.raises(ValueError, match=r"SGD: expected lr in \(0, inf\), got -0\.1"):
        SGD(lr=-0.1)
    with pytest.raises(ValueError, match=r"Adam: expected beta2 in \[0, 1\), got 1\.0"):
        Adam(lr=0.1, betas=(0.9, 1.0))
    assert real_number(np.float32(0.25), "x", where=WHERE) == 0.25
