"""The checking toolkit behind every lab: answers in, :class:`Feedback` out.

A lab check compares a learner's answer with the right one and says, in words, what
is right or wrong, naming the common mistakes it recognises (wrong sign, a missing
factor of 2 or 1/n, transposed shapes, a hard-coded answer, ...). Checks never run
strings, never touch the network and never raise on a learner's error: they report it.
An answer that is still ``...`` (Ellipsis), or a function that returns ``...``, is
"not attempted yet".

Writing a lab's checks (``bplib/exercises/labNN.py``)::

    import numpy as np
    from bplib.exercises.core import Lab, Mistake, check_number, check_function

    lab = Lab("Lab 1")
    hint = lab.hint                      # learners type ex.hint(1)

    X_NEW = np.array([1.0, 2.0, 3.0])
    Y_NEW = np.array([2.0, 4.0, 6.0])

    @lab.exercise(1, hint="Square each row's error first, then add the squares.")
    def check_sse(sse):
        e = 3 * X_NEW - Y_NEW
        return check_number(sse, np.sum(e ** 2), name="the sum of squared errors",
                            mistakes=[Mistake("absolute instead of squared errors",
                                              "You added |error|; square each error.",
                                              value=np.sum(np.abs(e)))])

    def _sse(w, x, y):
        return float(np.sum((w * x - y) ** 2))

    @lab.exercise(2, hint="Use w * x for the model's outputs.")
    def check_sse_function(fn):
        rng = np.random.default_rng(11)
        cases = [(rng.normal(), rng.normal(size=4), rng.normal(size=4)) for _ in range(5)]
        return check_function(fn, _sse, cases, name="sse(w, x, y)")

and in the lab notebook (``from bplib.exercises import lab01 as ex``)::

    sse = ...            # your answer
    # BEGIN SOLUTION
    sse = float(np.sum((3 * x - y) ** 2))
    # END SOLUTION
    ex.check_sse(sse)

Function answers: the check calls the learner's function on the given cases (make
them fresh: not the example in the text), so a hard-coded answer fails.

Hints are shown on request only: in Jupyter the feedback box holds a closed "Need a
hint?" section; in plain text the feedback says ``Need a hint? run ex.hint(1)``;
``ex.check_sse.hint()`` works too. A correct answer shows no hint.

Several answers in one exercise: ``combine(check_number(...), check_array(...),
name=...)`` reports the first part that is not right yet.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import signal
import threading
import time

import numpy as np

from ._compare import (TYPED_DIGITS, TYPED_RTOL, _diagnose, _fmt, _numeric,  # noqa: F401
                       _plural)
from .feedback import (CORRECT, ERROR, INCORRECT, MARKER_RE, NOT_ATTEMPTED,  # noqa: F401
                       STATUSES, Feedback, Hint)


#: Seconds a lab check may run (a learner's loop that never ends is stopped).
TIME_LIMIT = 20.0


class OutOfTime(BaseException):
    """Raised inside a learner's code when a check's time limit is reached.

    A BaseException, like KeyboardInterrupt, so that a learner's ``except Exception``
    cannot swallow it.
    """


_DEADLINE = threading.local()


def _on_alarm(signum, frame):
    raise OutOfTime()


@contextlib.contextmanager
def time_limit(seconds):
    """Stop the code inside after ``seconds`` by raising :class:`OutOfTime` in it.

    Works in the main thread of a Unix process (where Jupyter runs a notebook's code);
    elsewhere it does nothing. A limit inside another one ends at the earlier of the two
    deadlines, and the outer one keeps running afterwards.
    """
    usable = (hasattr(signal, "setitimer") and seconds
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    was_active = getattr(_DEADLINE, "active", False)
    outer_left = signal.getitimer(signal.ITIMER_REAL)[0] if was_active else 0.0
    limit = min(float(seconds), outer_left) if outer_left > 0 else float(seconds)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    _DEADLINE.active = True
    start = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, limit)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _DEADLINE.active = was_active
        if outer_left > 0:
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))


def did_not_finish(name, seconds, interrupted, where="", hint=None):
    """The Feedback for a learner's function that was stopped before it returned."""
    how = "you interrupted it" if interrupted else "the check stopped it"
    return Feedback(ERROR, name, f"{where}your function did not finish ({how} after "
                    f"{seconds:.1f} s). Look for a loop that never ends: a `while` whose "
                    "condition never becomes false, or a step budget that is never "
                    "checked.", mistake="did not finish", hint=hint)


class Mistake:
    """A known wrong answer and what to tell the learner who gives it.

    Parameters
    ----------
    name : str
        Short name shown as "Common mistake: <name>", e.g. ``"missing factor of 2"``.
    message : str
        The explanation (what went wrong, and how to fix it).
    value : number or array_like, optional
        The wrong answer (for :func:`check_number` and :func:`check_array`).
    function : callable, optional
        A wrong implementation (for :func:`check_function`), called with the same
        arguments as the reference.
    """

    def __init__(self, name, message, value=None, function=None):
        if (value is None) == (function is None):
            raise ValueError(f"Mistake {name!r}: give exactly one of value= or function=")
        if function is not None and not callable(function):
            raise TypeError(f"Mistake {name!r}: function must be callable, "
                            f"got {type(function).__name__}")
        self.name, self.message, self.value, self.function = name, message, value, function

    def __repr__(self):
        return f"Mistake({self.name!r})"


def _unfinished(answer) -> bool:
    """True for ``...`` or a list/tuple (nested) still holding a ``...``."""
    if answer is Ellipsis:
        return True
    if isinstance(answer, (list, tuple)):
        return any(_unfinished(a) for a in answer)
    if isinstance(answer, np.ndarray) and answer.dtype == object:
        return any(a is Ellipsis for a in answer.ravel())
    return False


def _not_attempted(name, hint, what="answer"):
    return Feedback(NOT_ATTEMPTED, name, f"Replace the `...` with your {what}, then "
                    "run the cell again.", hint=hint)


def check_number(answer, expected, *, name, rtol=1e-6, atol=1e-9, mistakes=(), hint=None):
    """Check a numeric answer against ``expected`` (|a - e| <= atol + rtol |e|).

    ``mistakes`` (Mistake with value=) are recognised by name; a wrong sign and
    simple factors (2, 1/2, n, 1/n) are recognised without being listed. For an answer
    typed by hand use ``rtol=TYPED_RTOL``: the right value correctly rounded to
    :data:`TYPED_DIGITS` (3) significant digits is accepted too, and an answer right to
    fewer digits is told so ("right to 2 significant digits"). Other answers (computed in
    code, whole-number counts) that are not close are "too large" or "too small".
    """
    if _unfinished(answer):
        return _not_attempted(name, hint)
    arr = _numeric(answer)[0]
    if arr is not None and arr.size != 1:
        return Feedback(INCORRECT, name, f"A single number was expected, but your answer "
                        f"has shape {arr.shape}.", mistake="an array instead of a number",
                        hint=hint)
    status, mistake, message = _diagnose(answer, float(expected), rtol, atol, mistakes)
    return Feedback(status, name, message, mistake=mistake, hint=hint)


def check_array(answer, expected, *, name, rtol=1e-6, atol=1e-9, mistakes=(), hint=None,
                entry="entry"):
    """Check an array answer: shape first (transposes named), then values.

    ``entry``: the word for one position of a 1-D answer in the feedback ("row" for a
    column of a table filled in by hand: "the first one is row 2").
    """
    if _unfinished(answer):
        return _not_attempted(name, hint)
    status, mistake, message = _diagnose(answer, expected, rtol, atol, mistakes,
                                         what="your array", entry=entry)
    return Feedback(status, name, message, mistake=mistake, hint=hint)


# ---------------------------------------------------------------- function answers
def _as_call(case):
    """A case is a tuple of positional arguments, a dict of keywords, or one argument."""
    if isinstance(case, tuple):
        return case, {}
    if isinstance(case, dict):
        return (), case
    return (case,), {}


def _describe(reference, args, kwargs) -> str:
    try:
        bound = inspect.signature(reference).bind(*args, **kwargs)
        items = bound.arguments.items()
    except (TypeError, ValueError):
        items = [(f"argument {i + 1}", a) for i, a in enumerate(args)] + list(kwargs.items())
    return ", ".join(f"{k} = {_fmt(v)}" for k, v in items)


def _parts(value):
    """The results in ``value``: a tuple or list, or an array's rows; else None."""
    if isinstance(value, (tuple, list)):
        return list(value)
    if isinstance(value, np.ndarray) and value.ndim >= 1:
        return list(value)
    return None


def _diagnose_parts(got, want, rtol, atol, returns=None):
    """(status, mistake name, message, lead) for a function's result.

    Like _diagnose, but a reference returning a tuple is compared part by part: a tuple
    result may come back as any sequence of the same length, or as an array whose first
    axis has that length. ``returns`` names the parts in the feedback; ``lead`` says
    which parts are right ("dE_dw is right; dE_db is not. "), or is empty.
    """
    want_parts = list(want) if isinstance(want, tuple) else None
    if want_parts is None:
        return (*_diagnose(got, want, rtol, atol, (), what="what your function returned"),
                "")
    k = len(want_parts)
    names = list(returns) if returns and len(returns) == k else \
        [f"result {i + 1}" for i in range(k)]
    got_parts = _parts(got)
    if got_parts is None or len(got_parts) != k:
        if isinstance(got, np.ndarray):
            size = f"one array of shape {got.shape}"
        elif got_parts is not None:
            size = f"{len(got_parts)} results"
        else:
            size = f"one {type(got).__name__}"
        example = ", ".join("abcdefgh"[:k]) if k <= 8 else "a, b, ..."
        return INCORRECT, "wrong number of results", (
            f"Your function should return {k} results ({', '.join(names)}), but it "
            f"returned {size}. Return the {k} results as a tuple: `return {example}`."), ""
    diags = [_diagnose(g, w, rtol, atol, (), what=f"{n} of your function")
             for g, w, n in zip(got_parts, want_parts, names)]
    wrong = [i for i, d in enumerate(diags) if d[0] != CORRECT]
    if not wrong:
        return CORRECT, None, "", ""
    i = wrong[0]
    right = [names[j] for j in range(k) if j not in wrong]
    verb = "are" if len(right) > 1 or _plural(right[0] if right else "") else "is"
    lead = (f"{' and '.join(right)} {verb} right; {names[i]} "
            f"{'are' if _plural(names[i]) else 'is'} not. " if right else "")
    if lead.startswith(("the ", "result ")):   # a sentence, not a code name like dE_dw
        lead = lead[0].upper() + lead[1:]
    return INCORRECT, diags[i][1], (lead + diags[i][2]).strip(), lead


def _diagnose_output(got, want, rtol, atol, returns=None):
    """(status, mistake name, message) for a function's result (see _diagnose_parts)."""
    return _diagnose_parts(got, want, rtol, atol, returns)[:3]


def _same(got, other, rtol, atol) -> bool:
    try:
        return _diagnose_output(got, other, rtol, atol)[0] == CORRECT
    except Exception:  # a broken Mistake.function must never break a check
        return False


def call_learner(fn, args, kwargs, name, describe, hint=None):
    """``(result, None)`` from ``fn(*args, **kwargs)``, or ``(None, Feedback)`` when it
    raised an exception, was interrupted (Kernel > Interrupt) or ran out of time."""
    return _call_learner(fn, args, kwargs, name, describe, hint)[:2]


def _call_learner(fn, args, kwargs, name, describe, hint=None):
    """call_learner's ``(result, feedback)`` and whether the call was stopped
    (interrupted or out of time) rather than raising an exception."""
    start = time.monotonic()
    try:
        return fn(*copy.deepcopy(args), **copy.deepcopy(kwargs)), None, False
    except (KeyboardInterrupt, OutOfTime) as exc:
        return None, did_not_finish(name, time.monotonic() - start,
                                    isinstance(exc, KeyboardInterrupt),
                                    f"Called with {describe}, ", hint), True
    except Exception as exc:  # report, never raise: the learner's code is being tested
        return None, Feedback(ERROR, name, f"Called with {describe}, your function "
                              f"raised {type(exc).__name__}: {exc}", hint=hint), False


def check_function(fn, reference, cases, *, name, mistakes=(), hint=None,
                   rtol=1e-6, atol=1e-9, returns=None):
    """Call the learner's ``fn`` and ``reference`` on every case and compare results.

    ``cases`` is a sequence; each case is a tuple of positional arguments, a dict of
    keyword arguments, or a single argument. Arguments are deep-copied for each call.
    Exceptions raised by ``fn`` are reported (status "error"), never raised; so is a
    function stopped by Kernel > Interrupt or by the time limit (:func:`time_limit`,
    :data:`TIME_LIMIT` s). Mistakes with ``function=`` are recognised when they agree
    with ``fn`` on every case; when ``fn`` raises on some cases, a mistake that raises
    on exactly those and agrees on the others is named (``d @ W`` fails only where W
    is not square). When ``reference`` returns a tuple, ``returns`` names
    its parts in the feedback (e.g. ``("dE_dw", "dE_db")``); the learner may return any
    sequence of that length, or an array with that many rows.
    """
    if fn is Ellipsis:
        return _not_attempted(name, hint, "function")
    if not callable(fn):
        return Feedback(INCORRECT, name, f"A function was expected, but you gave a "
                        f"{type(fn).__name__}. Pass the function's name, without ().",
                        mistake="not a function", hint=hint)
    calls = [_as_call(c) for c in cases]
    if not calls:
        raise ValueError(f"check_function({name!r}): cases is empty; give at least one case")
    wants, gots, raised = [], [], []
    first_error = None
    # a learner's diverging loop overflows: the feedback says so, numpy need not warn
    with time_limit(TIME_LIMIT), np.errstate(all="ignore"):
        for i, (args, kwargs) in enumerate(calls):
            wants.append(reference(*copy.deepcopy(args), **copy.deepcopy(kwargs)))
            got, failed, stopped = _call_learner(fn, args, kwargs, name,
                                                 _describe(reference, args, kwargs), hint)
            if failed is not None:
                if stopped:                     # interrupted or out of time: stop now
                    return failed
                first_error = first_error or failed
                raised.append(i)
                gots.append(None)
                continue
            if got is Ellipsis:
                return _not_attempted(name, hint, "code (your function still returns `...`)")
            gots.append(got)
    if first_error is not None:
        with np.errstate(all="ignore"):
            named = _mistake_that_raises(calls, gots, raised, mistakes, rtol, atol)
        if named is None:
            return first_error
        error = first_error.message.rsplit("your function raised ", 1)[-1]
        return Feedback(INCORRECT, name, f"{named.message} That mistake is also why "
                        f"your function raised an error on {len(raised)} of {len(calls)} "
                        f"test inputs ({error.splitlines()[0]}).", mistake=named.name,
                        hint=hint)
    with np.errstate(all="ignore"):
        return _compare_results(reference, calls, wants, gots, name=name,
                                mistakes=mistakes, hint=hint, rtol=rtol, atol=atol,
                                returns=returns)


def _mistake_that_raises(calls, gots, raised, mistakes, rtol, atol):
    """The mistake (with ``function=``) that raises on exactly the cases where the
    learner's function raised, and agrees with it on every other case; None if there
    is none, or if the learner's function ran on no case at all."""
    if len(raised) == len(calls):
        return None
    for m in mistakes:
        if m.function is None:
            continue
        for i, (args, kwargs) in enumerate(calls):
            try:
                out = m.function(*copy.deepcopy(args), **copy.deepcopy(kwargs))
            except Exception:
                if i in raised:
                    continue
                break
            if i in raised or not _same(gots[i], out, rtol, atol):
                break
        else:
            return m
    return None


def _compare_results(reference, calls, wants, gots, *, name, mistakes, hint, rtol,
                     atol, returns):
    """check_function's verdict, once every case has been called."""
    parts = [_diagnose_parts(g, w, rtol, atol, returns) for g, w in zip(gots, wants)]
    diags = [d[:3] for d in parts]
    if all(d[0] == CORRECT for d in diags):
        return Feedback(CORRECT, name, "", hint=hint)

    def wrong(mistake, message):
        return Feedback(INCORRECT, name, message, mistake=mistake, hint=hint)

    if any(g is None for g in gots) and not any(w is None for w in wants):
        return wrong("no return value", "Your function returned None. Did you forget "
                     "the `return` line, or return inside an if that was not taken?")
    for m in mistakes:
        if m.function is None:
            continue
        try:
            outs = [m.function(*copy.deepcopy(a), **copy.deepcopy(k)) for a, k in calls]
        except Exception:
            continue
        if all(_same(g, o, rtol, atol) for g, o in zip(gots, outs)):
            return wrong(m.name, m.message)
    names = [d[1] for d in diags]
    if names[0] and all(n == names[0] for n in names):
        return wrong(names[0], diags[0][2])
    for prefix, msg in (("missing factor of 1/", "Your answer is n times the right one, "
                         "where n changes with the data: did you add up where you should "
                         "average (a missing 1/n)?"),
                        ("extra factor of 1/", "Your answer is the right one divided by n, "
                         "where n changes with the data: did you divide by n where a sum "
                         "is asked for?")):
        if all(n and n.startswith(prefix) for n in names):
            return wrong(prefix + "n", parts[0][3] + msg)
    numeric = [_numeric(g)[0] for g in gots]
    if (len(calls) > 1 and all(a is not None for a in numeric)
            and all(a.shape == numeric[0].shape and np.array_equal(a, numeric[0])
                    for a in numeric)
            and not all(_same(w, wants[0], rtol, atol) for w in wants)):
        return wrong("hard-coded answer", "Your function returns the same result "
                     f"({_fmt(numeric[0])}) whatever its inputs. It must compute the "
                     "answer from its arguments, not return a number worked out by hand.")
    i = next(i for i, d in enumerate(diags) if d[0] != CORRECT)
    args, kwargs = calls[i]
    ok = sum(d[0] == CORRECT for d in diags)
    lead = (f"Your function is right for {ok} of {len(calls)} test inputs, but not for "
            "all. " if ok else "")
    called = f"{lead}Called with {_describe(reference, args, kwargs)}, "
    if numeric[i] is None and not isinstance(wants[i], tuple):
        # the diagnosis already shows what came back (text, None, a function...)
        message = diags[i][2]
        if message.split(" ", 1)[0] in ("What", "Your"):
            message = message[0].lower() + message[1:]
        return wrong(diags[i][1], f"{called}{message} The right result is "
                     f"{_fmt(wants[i])}.")
    shown = _fmt(gots[i]) if numeric[i] is not None else _show(gots[i])
    return wrong(diags[i][1], f"{called}your function returned {shown}, but the right "
                 f"result is {_show(wants[i])}. {diags[i][2]}".rstrip())


def _show(value):
    """A result for the feedback: numbers rounded; a tuple of results part by part."""
    if isinstance(value, tuple):
        return "(" + ", ".join(_show(v) for v in value) + ")"
    if _numeric(value)[0] is not None:
        return _fmt(value)
    if isinstance(value, list) and all(_numeric(v)[0] is not None for v in value):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return repr(value)


def uses_earlier(fn, names, check, *, name, exercise, hint=None):
    """Feedback if ``fn`` calls an earlier answer that is not right yet, else None.

    ``names``: the global name(s) of the earlier function (e.g. ``"grad_E"``), looked
    up where ``fn`` was defined; ``check``: that exercise's check; ``exercise``: its
    number. A wrong earlier answer would make this one look wrong (or give nan), so the
    learner is sent back to it first.
    """
    if not callable(fn) or not hasattr(fn, "__code__"):
        return None
    used = _global_names(fn.__code__)
    cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    for earlier in [names] if isinstance(names, str) else names:
        if earlier in cells:
            try:
                other = cells[earlier].cell_contents
            except ValueError:  # an empty cell
                continue
        elif earlier in used:
            other = getattr(fn, "__globals__", {}).get(earlier)
        else:
            continue
        if other is None or other is fn or other is Ellipsis:
            continue
        fb = check(other)
        if fb.status == NOT_ATTEMPTED or not fb.correct:
            return Feedback(INCORRECT, name, f"Your function calls `{earlier}` from "
                            f"exercise {exercise}, which is not right yet. Make exercise "
                            f"{exercise} pass first (or compute it here without calling "
                            "it), then run this check again.",
                            mistake="an earlier answer is not right yet", hint=hint)
    return None


def _global_names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if inspect.iscode(const):
            names |= _global_names(const)
    return names


def combine(*feedbacks, name, hint=None):
    """One Feedback for an exercise with several parts: correct when every part is.

    Otherwise the first part that is not correct is reported (its name is kept in
    the message), so the learner fixes the parts in order.
    """
    for fb in feedbacks:
        if not fb.correct:
            return Feedback(fb.status, name, f"In {fb.name}: {fb.message}".strip(),
                            mistake=fb.mistake, hint=fb.hint or hint)
    return Feedback(CORRECT, name, "", hint=hint)


# ---------------------------------------------------------------- a lab's exercises
class Lab:
    """The registry of one lab's checks: numbers them, attaches hints, keeps them safe.

    ``@lab.exercise(key, hint=...)`` wraps a check so that its Feedback carries the
    exercise key and hint, and so that an unexpected error inside the check (e.g. an
    answer of a type the check did not foresee) is reported, not raised. Learners ask
    for a hint with ``ex.hint(key)`` (``hint = lab.hint`` in the lab module) or
    ``ex.check_xxx.hint()``; in Jupyter the feedback box also holds a closed hint.
    """

    def __init__(self, title, *, alias="ex"):
        self.title = title
        self.alias = alias
        self.checks = {}   # key (str) -> wrapped check
        self.hints = {}    # key (str) -> hint text or None

    def exercise(self, key, *, hint=None):
        key = str(key)
        if key in self.checks:
            raise ValueError(f"Lab {self.title!r}: exercise {key!r} is registered twice")

        def decorate(check):
            @functools.wraps(check)
            def wrapper(*args, **kwargs):
                start = time.monotonic()
                try:
                    with time_limit(TIME_LIMIT), np.errstate(all="ignore"):
                        fb = check(*args, **kwargs)
                except (KeyboardInterrupt, OutOfTime) as exc:
                    fb = did_not_finish(check.__name__.replace("check_", "")
                                        .replace("_", " "), time.monotonic() - start,
                                        isinstance(exc, KeyboardInterrupt))
                except Exception as exc:  # the answer broke the check: say so, don't crash
                    fb = Feedback(ERROR, check.__name__.replace("check_", "").replace("_", " "),
                                  "The check could not use your answer "
                                  f"({type(exc).__name__}: {exc}). Make sure it is what "
                                  "the exercise asks for (a number, an array, a function).")
                if not isinstance(fb, Feedback):
                    raise TypeError(f"{check.__name__} must return a Feedback, "
                                    f"got {type(fb).__name__}")
                fb.exercise = key
                if fb.hint is None:
                    fb.hint = hint
                if fb.hint:
                    fb.hint_call = f"{self.alias}.hint({key if key.isdigit() else repr(key)})"
                return fb

            wrapper.hint = lambda: self.hint(key)
            wrapper.exercise = key
            self.checks[key] = wrapper
            self.hints[key] = hint
            return wrapper

        return decorate

    def hint(self, key):
        """The hint for exercise ``key`` (shown nicely in Jupyter)."""
        key = str(key)
        if key not in self.checks:
            known = ", ".join(self.checks) or "none"
            return Hint(f"exercise {key}", f"There is no exercise {key} in {self.title} "
                        f"(exercises: {known}).")
        return Hint(f"exercise {key}", self.hints[key] or "No hint for this one, sorry: "
                    "reread the text just above the exercise.")
