"""bplib.exercises.core: statuses, tolerances, every built-in mistake, safety."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bplib.exercises.core import (Feedback, Lab, Mistake, check_array, check_function,
                                  check_number, combine)
from bplib.exercises.feedback import MARKER_RE


def sse(w, x, y):
    return float(np.sum((w * x - y) ** 2))


def sse_cases(k=5, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(k):
        n = int(rng.integers(3, 7))
        out.append((float(rng.normal()), rng.normal(size=n), rng.normal(size=n)))
    return out


def status_of(fb):
    return MARKER_RE.search(repr(fb)).group(1)


# ---------------------------------------------------------------- numbers
def test_number_correct_within_tolerance_and_not_outside():
    assert check_number(14.0 * (1 + 1e-8), 14, name="e").correct
    assert not check_number(14.0 * (1 + 1e-4), 14, name="e").correct
    assert check_number(14.1, 14, name="e", rtol=0.01).correct
    assert check_number(1e-12, 0.0, name="e").correct          # atol near zero
    assert not check_number(1e-3, 0.0, name="e").correct


@settings(max_examples=40, deadline=None)
@given(st.floats(-1e6, 1e6).filter(lambda v: abs(v) > 1e-3),
       st.floats(-5e-7, 5e-7))
def test_number_tolerance_property(expected, rel):
    assert check_number(expected * (1 + rel), expected, name="e").correct
    fb = check_number(2 * expected, expected, name="e")
    assert not fb.correct and fb.mistake == "extra factor of 2"


def test_number_accepts_numpy_scalars_and_size_one_arrays():
    assert check_number(np.float32(2.5), 2.5, name="e").correct
    assert check_number(np.array([2.5]), 2.5, name="e").correct


def test_number_too_large_or_small_says_so():
    assert "too large" in check_number(15.3, 14, name="e").message
    assert "too small" in check_number(12.7, 14, name="e").message


@pytest.mark.parametrize("answer, expected, mistake", [
    (-14.0, 14.0, "wrong sign"),
    (28.0, 14.0, "extra factor of 2"),
    (7.0, 14.0, "missing factor of 2"),
    (42.0, 14.0, "missing factor of 1/3"),      # summed where a mean was asked
    (14.0 / 3, 14.0, "extra factor of 1/3"),    # took a mean where a sum was asked
    (-28.0, 14.0, "wrong sign and extra factor of 2"),
])
def test_number_builtin_mistakes(answer, expected, mistake):
    fb = check_number(answer, expected, name="e")
    assert fb.status == "incorrect" and fb.mistake == mistake
    assert f"Common mistake: {mistake}." in repr(fb)


def test_named_mistake_wins_over_builtin_guess():
    e = np.array([1.0, -1.5, 5.0])
    fb = check_number(7.0, 27.0, name="sse", mistakes=[
        Mistake("summing absolute instead of squared errors", "square them", value=7.0)])
    assert fb.mistake == "summing absolute instead of squared errors"
    assert "square them" in fb.message
    fb = check_number(float(np.sum(np.abs(e))), float(np.sum(e ** 2)), name="sse")
    assert fb.mistake is None and not fb.correct


@pytest.mark.parametrize("answer, words", [
    ("14", "text"), (None, "None"), (True, "True"), (float("nan"), "nan"),
    ({"a": 1}, "type dict"), (abs, "is a function"),
])
def test_number_bad_types_are_explained_not_raised(answer, words):
    fb = check_number(answer, 14, name="e")
    assert fb.status == "incorrect" and words in fb.message


def test_number_given_an_array():
    fb = check_number([1.0, 2.0], 3.0, name="e")
    assert fb.mistake == "an array instead of a number"


# ---------------------------------------------------------------- not attempted
@pytest.mark.parametrize("answer", [..., [..., 2, 3], [[1, ...]],
                                    np.array([1, ...], dtype=object)])
def test_not_attempted(answer):
    for fb in (check_number(answer, 1.0, name="e"), check_array(answer, [1.0, 2.0], name="a")):
        assert fb.status == "not-attempted" and not fb.correct
        assert "[bplib-check:not-attempted]" in repr(fb).splitlines()[0]


def test_function_not_attempted():
    assert check_function(..., sse, sse_cases(), name="f").status == "not-attempted"
    fb = check_function(lambda w, x, y: ..., sse, sse_cases(), name="f")
    assert fb.status == "not-attempted"


# ---------------------------------------------------------------- arrays
def test_array_transposed_shape():
    A = np.arange(6.0).reshape(2, 3)
    fb = check_array(A.T, A, name="W")
    assert fb.mistake == "transposed shape" and "(3, 2)" in fb.message
    fb = check_array(np.ones((3, 2)), A, name="W")           # transposed and wrong values
    assert fb.mistake == "transposed shape"


def test_array_wrong_shape_extra_axis():
    fb = check_array(np.ones((3, 1)), np.ones(3), name="b")
    assert fb.mistake == "wrong shape" and "(3, 1)" in fb.message


def test_array_factor_sign_and_constant_factor():
    A = np.array([[1.0, 2.0], [3.0, -4.0]])
    assert check_array(-A, A, name="d").mistake == "wrong sign"
    assert check_array(A / 2, A, name="d").mistake == "missing factor of 2"
    assert check_array(1.5 * A, A, name="d").mistake == "off by a constant factor"


def test_array_points_at_first_wrong_entry():
    fb = check_array([1.0, 2.0, 9.0], [1.0, 2.0, 3.0], name="d")
    assert fb.mistake is None and "entry 3 (index 2)" in fb.message and "1 of 3" in fb.message
    fb = check_array([1.0, 5.0, 3.0], [1.0, 2.0, 3.0], name="d", entry="row")
    assert "the first one is row 2" in fb.message
    fb = check_array([[1.0, 2.0], [3.0, 5.0]], [[1.0, 2.0], [3.0, 4.0]], name="d")
    assert "row 2, column 2" in fb.message


def test_array_named_mistake_forgetting_the_bias():
    X, W, b = np.array([[1.0, 2.0]]), np.array([[1.0], [1.0]]), np.array([0.5])
    fb = check_array(X @ W, X @ W + b, name="Z", mistakes=[
        Mistake("forgot the bias", "Add b to X @ W.", value=X @ W)])
    assert fb.mistake == "forgot the bias"


# ---------------------------------------------------------------- functions
def test_function_correct_and_fresh_cases_catch_hard_coding():
    assert check_function(sse, sse, sse_cases(), name="f").correct
    fb = check_function(lambda w, x, y: 27.0, sse, sse_cases(), name="f")
    assert fb.mistake == "hard-coded answer" and not fb.correct


def test_function_right_only_on_the_example_fails():
    cs = sse_cases()
    example = cs[0]

    def only_example(w, x, y):
        return sse(*example) if np.array_equal(x, example[1]) else 1.0

    fb = check_function(only_example, sse, cs, name="f")
    assert not fb.correct and f"right for 1 of {len(cs)}" in fb.message


def test_learner_exception_is_reported_not_raised():
    def broken(w, x, y):
        return np.sum(x) + {}["missing"]

    fb = check_function(broken, sse, sse_cases(), name="f")
    assert fb.status == "error" and "KeyError" in fb.message and "w = " in fb.message
    assert "[bplib-check:error]" in repr(fb)


def test_a_mistake_that_raises_where_the_learner_raises_is_named():
    cases = [(np.ones((2, 2)), np.eye(2)), (np.ones((2, 3)), np.ones((2, 3)))]

    def right(d, W):
        return d @ W.T
    wrong = Mistake("not transposed", "Transpose W.", function=lambda d, W: d @ W)
    fb = check_function(lambda d, W: d @ W, right, cases, name="f", mistakes=[wrong])
    assert fb.status == "incorrect" and fb.mistake == "not transposed"
    assert "raised an error on 1 of 2 test inputs (ValueError" in fb.message
    # raising everywhere, or where the mistake does not: the error itself
    fb = check_function(lambda d, W: {}["k"], right, cases, name="f", mistakes=[wrong])
    assert fb.status == "error" and "KeyError" in fb.message
    other = Mistake("other", "", function=lambda d, W: d @ W.T * 2)
    fb = check_function(lambda d, W: d @ W, right, cases, name="f", mistakes=[other])
    assert fb.status == "error" and "ValueError" in fb.message


def test_function_returning_none_and_non_function():
    assert check_function(lambda w, x, y: None, sse, sse_cases(), name="f").mistake == \
        "no return value"
    assert check_function(3.0, sse, sse_cases(), name="f").mistake == "not a function"
    assert check_function("sse", sse, sse_cases(), name="f").mistake == "not a function"


def test_function_mean_instead_of_sum_named_with_n():
    fb = check_function(lambda w, x, y: float(np.mean((w * x - y) ** 2)), sse,
                        sse_cases(), name="f")
    assert fb.mistake == "extra factor of 1/n"
    fb = check_function(lambda w, x, y: len(x) * sse(w, x, y), sse, sse_cases(), name="f")
    assert fb.mistake == "missing factor of 1/n"


def slope(w, x, y):
    return float(2 * np.sum(x * (w * x - y)))


@pytest.mark.parametrize("wrong, mistake", [
    (lambda w, x, y: float(2 * np.sum(x * (y - w * x))), "wrong sign"),
    (lambda w, x, y: float(np.sum(x * (w * x - y))), "missing factor of 2"),
    (lambda w, x, y: float(4 * np.sum(x * (w * x - y))), "extra factor of 2"),
    (lambda w, x, y: float(2 * w * np.sum(w * x - y)),
     "gradient with respect to the wrong variable"),
])
def test_function_mistakes(wrong, mistake):
    mistakes = [Mistake("gradient with respect to the wrong variable", "d/dW, not d/dx",
                        function=lambda w, x, y: float(2 * w * np.sum(w * x - y)))]
    fb = check_function(wrong, slope, sse_cases(), name="slope", mistakes=mistakes)
    assert fb.mistake == mistake, repr(fb)


def test_function_transposed_output_and_tuples():
    def grads(X, dZ):
        return X.T @ dZ, dZ.sum(0)

    rng = np.random.default_rng(3)
    cs = [(rng.normal(size=(4, 3)), rng.normal(size=(4, 2))) for _ in range(3)]
    assert check_function(grads, grads, cs, name="g").correct
    fb = check_function(lambda X, dZ: ((X.T @ dZ).T, dZ.sum(0)), grads, cs, name="g")
    assert fb.mistake == "transposed shape" and "Result 1" in fb.message
    fb = check_function(lambda X, dZ: X.T @ dZ, grads, cs, name="g")
    assert fb.mistake == "wrong number of results"


def test_function_gets_copies_so_mutation_cannot_cheat():
    def mutating(w, x, y):
        x[:] = 0.0
        y[:] = 0.0
        return 0.0

    assert not check_function(mutating, sse, sse_cases(), name="f").correct


def test_broken_mistake_function_is_ignored():
    bad = Mistake("boom", "never shown", function=lambda w, x, y: 1 / 0)
    fb = check_function(lambda w, x, y: -sse(w, x, y), sse, sse_cases(), name="f",
                        mistakes=[bad])
    assert fb.mistake == "wrong sign"


def test_empty_cases_is_an_author_error():
    with pytest.raises(ValueError, match="cases is empty"):
        check_function(sse, sse, [], name="f")


# ---------------------------------------------------------------- Feedback, hints, Lab
def test_feedback_text_marker_and_html_colours():
    ok, bad = check_number(1, 1, name="e"), check_number(2, 1, name="e", hint="think")
    assert repr(ok).splitlines()[0] == "[bplib-check:correct] e"
    assert "Correct" in ok._repr_html_() and "#1b7f3b" in ok._repr_html_()
    html = bad._repr_html_()
    assert "Not yet" in html and "<details" in html and "think" in html
    assert "think" not in repr(bad)          # hints only on request
    assert "<details" not in ok._repr_html_()
    assert "&lt;b&gt;" in Feedback("incorrect", "<b>", "")._repr_html_()   # escaped
    with pytest.raises(ValueError, match="status"):
        Feedback("maybe", "e")


def test_lab_registry_hints_and_safety():
    lab = Lab("Test lab")

    @lab.exercise(1, hint="Square, then add.")
    def check_one(v):
        return check_number(v, 14.0, name="sse")

    @lab.exercise("2b")
    def check_two(v):
        return check_number(float(v["key"]), 1.0, name="two")   # breaks on a non-dict

    fb = check_one(15.0)
    assert fb.exercise == "1" and "ex.hint(1)" in repr(fb) and "Exercise 1" in repr(fb)
    assert "Square, then add." in repr(lab.hint(1)) and "Square" in check_one.hint()._repr_html_()
    assert "No hint" in repr(lab.hint("2b"))
    assert "no exercise 9" in repr(lab.hint(9))
    fb = check_two(3.0)
    assert fb.status == "error" and "could not use your answer" in fb.message
    with pytest.raises(ValueError, match="twice"):
        lab.exercise(1)(lambda v: None)

    @lab.exercise(3)
    def check_bad(v):
        return True

    with pytest.raises(TypeError, match="must return a Feedback"):
        check_bad(1)


def test_combine_reports_first_part_not_correct():
    fb = combine(check_number(1, 1, name="a"), check_number(..., 1, name="b"),
                 check_number(-1, 1, name="c"), name="both")
    assert fb.status == "not-attempted" and "In b:" in fb.message
    assert combine(check_number(1, 1, name="a"), name="x").correct


def test_mistake_needs_exactly_one_of_value_or_function():
    with pytest.raises(ValueError):
        Mistake("m", "msg")
    with pytest.raises(ValueError):
        Mistake("m", "msg", value=1.0, function=abs)
    with pytest.raises(TypeError):
        Mistake("m", "msg", function=3)


def test_checks_never_run_strings_or_touch_the_network():
    import re
    from pathlib import Path

    import bplib.exercises as pkg

    banned = re.compile(r"(?<![.\w])(eval|exec|compile|__import__)\(|\b(socket|urllib|requests)\b")
    for path in Path(pkg.__file__).parent.glob("*.py"):
        code = "\n".join(line for line in path.read_text().splitlines()
                         if not line.lstrip().startswith("#"))
        assert not banned.search(code), f"{path.name}: {banned.search(code).group(0)}"


# ---------------------------------------------------------------- issue 13 findings
def test_typed_answers_and_digits():
    from bplib.exercises.core import TYPED_RTOL

    right = 1 / (1 + np.exp(0.2))                      # 0.450166...
    for typed in (0.4502, 0.45017, 0.45):
        assert check_number(typed, right, name="out", rtol=TYPED_RTOL).correct, typed
    fb = check_number(0.4502, right, name="out")      # the strict default: not typed
    assert fb.mistake is None and "too large" in fb.message and "digits" not in fb.message
    fb = check_number(0.449, right, name="out", rtol=TYPED_RTOL)
    assert "right to 2 significant digits" in fb.message
    assert "too large" in check_number(0.5, right, name="out", rtol=TYPED_RTOL).message
    # a typed answer with the wrong sign is still named
    assert check_number(-0.4502, right, name="out", rtol=TYPED_RTOL).mistake == "wrong sign"


def test_text_and_lists_are_asked_for_by_kind():
    assert "give a number," in check_number("3", 3, name="n").message
    fb = check_array("1, 2", [1.0, 2.0], name="a")
    assert "give numbers (a list or an array)" in fb.message


def _pair(w, x):
    return w * x, w + x


PAIR_CASES = [(1.0, 2.0), (3.0, -1.0), (0.5, 4.0)]


@pytest.mark.parametrize("shape", ["tuple", "list", "array"])
def test_a_pair_may_come_back_as_any_length_2_sequence(shape):
    wrap = {"tuple": tuple, "list": list, "array": np.array}[shape]
    fb = check_function(lambda w, x: wrap(_pair(w, x)), _pair, PAIR_CASES, name="p")
    assert fb.correct, repr(fb)


def test_a_pair_names_the_wrong_part():
    fb = check_function(lambda w, x: (w * x, w - x), _pair, PAIR_CASES, name="p",
                        returns=("prod", "total"))
    assert "prod is right; total is not" in fb.message, fb.message
    fb = check_function(lambda w, x: w * x, _pair, PAIR_CASES, name="p",
                        returns=("prod", "total"))
    assert fb.mistake == "wrong number of results" and "(prod, total)" in fb.message


def test_returned_text_is_shown_once():
    fb = check_function(lambda w, x: "abc", lambda w, x: w * x, PAIR_CASES, name="p")
    assert fb.message.count("'abc'") == 1, fb.message


def test_a_function_that_never_finishes_is_stopped(monkeypatch):
    import bplib.exercises.core as core

    monkeypatch.setattr(core, "TIME_LIMIT", 0.3)

    def forever(w, x):
        while True:
            pass

    fb = check_function(forever, lambda w, x: w * x, PAIR_CASES, name="p")
    assert fb.status == "error" and fb.mistake == "did not finish"
    assert "did not finish (the check stopped it after" in fb.message


def test_kernel_interrupt_is_reported_not_raised():
    def interrupted(w, x):
        raise KeyboardInterrupt

    fb = check_function(interrupted, lambda w, x: w * x, PAIR_CASES, name="p")
    assert fb.status == "error" and "you interrupted it" in fb.message
    lab = Lab("Lab T")

    @lab.exercise(1)
    def check_thing(value):
        raise KeyboardInterrupt

    fb = check_thing(1)
    assert fb.status == "error" and "did not finish" in fb.message


def test_an_earlier_wrong_answer_is_named():
    from bplib.exercises.core import uses_earlier

    def check_double(fn):
        return check_function(fn, lambda v: 2 * v, [1.0, 2.0, 3.0], name="double")

    def double(v):            # wrong: the earlier exercise
        return 3 * v

    def quadruple(v):         # right, given a right double
        return double(double(v))

    fb = uses_earlier(quadruple, "double", check_double, name="quadruple", exercise=1)
    assert fb is not None and "exercise 1" in fb.message and "`double`" in fb.message
    assert uses_earlier(lambda v: 4 * v, "double", check_double, name="q", exercise=1) is None


# ---------------------------------------------------------------- the review of issue 13
def test_typed_answers_correctly_rounded_to_3_digits_are_accepted():
    from bplib.exercises.core import TYPED_RTOL
    for typed, right in ((0.0192, 1 / 52), (0.298, 0.29837), (0.111, 0.11146)):
        assert abs(typed - right) > TYPED_RTOL * abs(right)      # outside 1e-3 ...
        assert check_number(typed, right, name="t", rtol=TYPED_RTOL).correct   # ... but 3 digits
    assert check_array([0.0192, 0.298], [1 / 52, 0.29837], name="t", rtol=TYPED_RTOL).correct
    assert not check_number(0.0193, 1 / 52, name="t", rtol=TYPED_RTOL).correct
    assert not check_number(0.0192, 1 / 52, name="t").correct      # not typed: strict


def test_digits_only_for_typed_answers_that_are_not_whole_numbers():
    from bplib.exercises.core import TYPED_RTOL
    fb = check_number(41, 42, name="count", rtol=TYPED_RTOL)
    assert "digits" not in fb.message and "too small" in fb.message
    fb = check_number(1283, 1282, name="count")
    assert "digits" not in fb.message and "too large" in fb.message
    fb = check_function(lambda w, x: w * x * 1.001, lambda w, x: w * x, PAIR_CASES, name="f")
    assert "digits" not in fb.message and fb.mistake is None, fb.message


def test_negative_answers_say_less_or_more_negative():
    fb = check_number(-13, -14, name="g", rtol=1e-3)
    assert "too large (less negative than the right one)" in fb.message
    fb = check_number(-15, -14, name="g", rtol=1e-3)
    assert "too small (more negative than the right one)" in fb.message


def test_one_number_where_a_list_is_expected():
    fb = check_array(0.5, [0.5, 0.5, 0.5], name="a")
    assert "You gave one number; a list of 3 is expected." in fb.message, fb.message
    assert "shape ()" not in fb.message


def test_count_of_wrong_entries_agrees_with_its_verb():
    assert "1 of 3 entries is not right yet" in check_array([1, 2, 4], [1, 2, 3], name="a").message
    assert "2 of 3 entries are not" in check_array([1, 5, 4], [1, 2, 3], name="a").message


@pytest.mark.parametrize("got, words", [
    (lambda w, x: np.array([w * x, w + x, 0.0, 1.0]), "one array of shape (4,)"),
    (lambda w, x: np.ones((4, 2)), "one array of shape (4, 2)"),
    (lambda w, x: np.append(np.ones(5), w), "one array of shape (6,)"),
    (lambda w, x: (w, x, 1.0), "3 results"),
    (lambda w, x: {"a": w}, "one dict"),
])
def test_one_array_where_a_pair_is_expected(got, words):
    fb = check_function(got, _pair, PAIR_CASES, name="p", returns=("prod", "total"))
    assert fb.mistake == "wrong number of results" and words in fb.message, fb.message
    assert "return a, b" in fb.message and "returned 4 results" not in fb.message


def test_pair_lead_grammar_and_capital():
    def errs(w, x):
        return np.array([abs(w - x)]), np.array([(w - x) ** 2])
    fb = check_function(lambda w, x: (np.array([abs(w - x)]), np.array([w - x])), errs,
                        PAIR_CASES, name="e", returns=("the absolute errors",
                                                       "the squared errors"))
    assert "The absolute errors are right; the squared errors are not." in fb.message, \
        fb.message
    fb = check_function(lambda w, x: (w * x, 0.0), lambda w, x: (w * x, float(w)),
                        PAIR_CASES, name="e", returns=("the weight", "the number of steps"))
    assert "The weight is right; the number of steps is not." in fb.message, fb.message
    assert ". the" not in fb.message


def test_missing_one_over_n_names_the_wrong_part():
    def grads(w, x):
        return float(np.mean(w * x)), float(np.mean(x))
    fb = check_function(lambda w, x: (float(np.mean(w * x)), float(np.sum(x))), grads,
                        [(1.0, np.arange(1.0, n + 1)) for n in (3, 4, 5)], name="g",
                        returns=("dE_dw", "dE_db"))
    assert fb.mistake == "missing factor of 1/n", fb
    assert fb.message.startswith("dE_dw is right; dE_db is not. "), fb.message


def test_overflow_warnings_do_not_leak(recwarn):
    def diverges(w, x):
        return float(np.exp(np.float64(1000.0)) * w)
    check_function(diverges, lambda w, x: w * x, PAIR_CASES, name="f")
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
