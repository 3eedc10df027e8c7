"""What a lab check returns: a :class:`Feedback`, shown in words a learner understands.

In Jupyter a Feedback renders as a coloured box (green: correct; red: not yet;
orange: your code raised an error; grey: not attempted yet). Everywhere else it is
plain text whose first line is a machine-readable marker, e.g.::

    [bplib-check:correct] Exercise 1 - the sum of squared errors

so tests can parse executed notebooks (see :data:`MARKER_RE`).
"""

from __future__ import annotations

import html
import re

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not-attempted"
ERROR = "error"
STATUSES = (CORRECT, INCORRECT, NOT_ATTEMPTED, ERROR)

#: Matches the marker on the first line of ``repr(feedback)``; group 1 is the status.
MARKER_RE = re.compile(r"\[bplib-check:(correct|incorrect|not-attempted|error)\]")

_HEADLINE = {
    CORRECT: "Correct",
    INCORRECT: "Not yet",
    NOT_ATTEMPTED: "Not attempted yet",
    ERROR: "Your code raised an error",
}
_SYMBOL = {CORRECT: "\u2714", INCORRECT: "\u2718", NOT_ATTEMPTED: "\u2026", ERROR: "\u26a0"}
_COLOURS = {  # (border/headline colour, background)
    CORRECT: ("#1b7f3b", "#e9f7ee"),
    INCORRECT: ("#b3261e", "#fdecea"),
    NOT_ATTEMPTED: ("#555555", "#f3f3f3"),
    ERROR: ("#a15c00", "#fff4e0"),
}


def _inline_html(text: str) -> str:
    """Escape ``text`` for HTML; `backticks` become <code>, newlines <br>."""
    parts = html.escape(text).split("`")
    out = [p if i % 2 == 0 else f"<code>{p}</code>" for i, p in enumerate(parts)]
    return "".join(out).replace("\n", "<br>")


class Feedback:
    """The result of one check.

    Attributes
    ----------
    status : {"correct", "incorrect", "not-attempted", "error"}
    name : str
        What was checked, e.g. ``"the sum of squared errors"``.
    message : str
        What is right or wrong, in plain words (may be empty when correct).
    mistake : str or None
        Name of the recognised common mistake (e.g. ``"wrong sign"``), if any.
    hint : str or None
        Shown on request: a closed "Need a hint?" box in Jupyter; in plain text,
        only a pointer to it (see :meth:`bplib.exercises.core.Lab.hint`).
    exercise : str or None
        The exercise's key (``"1"``, ``"2a"``) when the check is registered with a Lab.
    """

    def __init__(self, status, name, message="", *, mistake=None, hint=None,
                 exercise=None, hint_call=None):
        if status not in STATUSES:
            raise ValueError(f"Feedback: status must be one of {STATUSES}, got {status!r}")
        self.status = status
        self.name = str(name)
        self.message = str(message)
        self.mistake = mistake
        self.hint = hint
        self.exercise = exercise
        self.hint_call = hint_call  # e.g. "ex.hint(1)", set by Lab.exercise

    @property
    def correct(self) -> bool:
        """True when the answer is right."""
        return self.status == CORRECT

    @property
    def title(self) -> str:
        """``Exercise k - name`` (plain text only: in the book, sphinx-exercise numbers
        the lab exercises across pages, so the HTML box shows just the name)."""
        prefix = f"Exercise {self.exercise} - " if self.exercise is not None else ""
        return prefix + self.name

    def _body_lines(self):
        lines = []
        if self.mistake:
            lines.append(f"Common mistake: {self.mistake}.")
        if self.message:
            lines.append(self.message)
        return lines

    def __repr__(self) -> str:
        lines = [f"[bplib-check:{self.status}] {self.title}",
                 f"{_SYMBOL[self.status]} {_HEADLINE[self.status]}."]
        lines += self._body_lines()
        if self.hint and self.status != CORRECT:
            where = f"run {self.hint_call}" if self.hint_call else "read feedback.hint"
            lines.append(f"Need a hint? {where}")
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        fg, bg = _COLOURS[self.status]
        lines = [_inline_html(t) for t in self._body_lines()]
        if self.mistake:
            lines[0] = f"Common mistake: <b>{_inline_html(self.mistake)}</b>."
        body = "".join(f"<div style='margin-top:0.3em'>{t}</div>" for t in lines)
        hint = ""
        if self.hint and self.status != CORRECT:
            hint = ("<details style='margin-top:0.4em'><summary style='cursor:pointer'>"
                    f"Need a hint? Click here.</summary><div>{_inline_html(self.hint)}"
                    "</div></details>")
        return (
            f"<div class='bplib-feedback bplib-{self.status}' data-status='{self.status}' "
            f"style='border-left:6px solid {fg};background:{bg};padding:0.5em 0.8em;"
            "margin:0.3em 0;border-radius:4px;color:#222'>"
            f"<div style='font-weight:bold;color:{fg}'>{_SYMBOL[self.status]} "
            f"{_HEADLINE[self.status]}: {_inline_html(self.name)}</div>"
            f"{body}{hint}</div>"
        )


class Hint:
    """A hint shown on request; displays as HTML in Jupyter, plain text elsewhere."""

    def __init__(self, title: str, text: str):
        self.title = title
        self.text = text

    def __repr__(self) -> str:
        return f"Hint for {self.title}:\n{self.text}"

    def _repr_html_(self) -> str:
        return ("<div class='bplib-hint' style='border-left:6px solid #1f5fa8;"
                "background:#eaf1fb;padding:0.5em 0.8em;border-radius:4px;color:#222'>"
                f"<b>Hint for {_inline_html(self.title)}</b><div>{_inline_html(self.text)}"
                "</div></div>")
