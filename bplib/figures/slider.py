"""One control of a :class:`~bplib.figures.Demo`: a slider over a finite grid.

The grid ``start, start + step, ..., stop`` is what the book precomputes frames for
and what the live control snaps to, so every value is checked here.
"""

from __future__ import annotations

import numbers

from bplib._validate import real_number

MAX_FRAMES = 121
"""Largest number of frames one demo may have (the book stores every one)."""


def _decimals(step) -> int:
    """Decimals needed to print multiples of ``step`` exactly (at most 10)."""
    return next((d for d in range(11)
                 if abs(round(step, d) - step) <= 1e-12 * max(1.0, abs(step))), 10)


class Slider:
    """One control: the grid ``start, start + step, ..., stop``.

    name: keyword passed to the demo function (a Python identifier).
    start < stop, step > 0 with (stop - start) / step whole; all three ints give an
    integer slider. value: the initial grid point (default: the one nearest the
    middle). label: text shown beside the control (default ``name``). texts: what to
    show for each grid value instead of the number (a choice among named options,
    e.g. ``Slider("data", 0, 2, 1, texts=["circle", "XOR", "spiral"])``).
    """

    def __init__(self, name, start, stop, step, value=None, label=None, texts=None):
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError(f"Slider: name must be a Python identifier string, got {name!r}")
        where = f"Slider {name!r}"
        real_number(start, "start", where=where)
        real_number(stop, "stop", where=where)
        real_number(step, "step", where=where, low=0, low_open=True)
        if not start < stop:
            raise ValueError(f"{where}: start must be < stop, got start={start!r}, stop={stop!r}")
        q = (stop - start) / step
        n_steps = round(q)
        if abs(q - n_steps) > 1e-9 * max(1.0, q):
            raise ValueError(f"{where}: (stop - start) / step must be a whole number, got "
                             f"({stop!r} - {start!r}) / {step!r} = {q:.6g}")
        if n_steps + 1 > MAX_FRAMES:
            raise ValueError(f"{where}: {n_steps + 1} values is too many (at most "
                             f"{MAX_FRAMES}); use a larger step")
        self.name, self.start, self.stop, self.step = name, start, stop, step
        self.integer = all(isinstance(x, numbers.Integral) for x in (start, stop, step))
        self.decimals = 0 if self.integer else max(_decimals(step), _decimals(start))
        if self.integer:
            self.values = [int(start + k * step) for k in range(n_steps + 1)]
        else:
            self.values = [round(float(start) + k * float(step), self.decimals)
                           for k in range(n_steps + 1)]
        self.index = n_steps // 2 if value is None else self._grid_index(value, where)
        if label is not None and not isinstance(label, str):
            raise TypeError(f"{where}: label must be a str, got {type(label).__name__}")
        self.label = name if label is None else label
        if texts is not None:
            texts = list(texts)
            if len(texts) != len(self.values) or not all(isinstance(t, str) for t in texts):
                raise ValueError(f"{where}: texts must be {len(self.values)} strings, one "
                                 f"per grid value, got {texts!r}")
        self.texts = texts

    def _grid_index(self, value, where) -> int:
        real_number(value, "value", where=where)
        if not self.start - 1e-12 <= value <= self.stop + 1e-12:
            raise ValueError(f"{where}: value must lie in [{self.start!r}, {self.stop!r}], "
                             f"got {value!r}")
        k = round((value - self.start) / self.step)
        if abs(self.values[k] - value) > 1e-9 * max(1.0, abs(self.step)):
            raise ValueError(f"{where}: value {value!r} is not on the grid start + k*step; "
                             f"nearest is {self.values[k]!r}")
        return k

    def snap(self, value) -> int:
        """Index of the grid point nearest ``value`` (clipped to the ends)."""
        return min(max(round((value - self.start) / self.step), 0), len(self.values) - 1)

    @property
    def value(self):
        """The initial value (a grid point)."""
        return self.values[self.index]

    def format(self, v) -> str:
        """``v`` printed with the step's number of decimals (or its text, if given)."""
        if self.texts is not None:
            return self.texts[self.snap(v)]
        return str(int(v)) if self.integer else f"{v:.{self.decimals}f}"

    def __len__(self):
        return len(self.values)

    def __repr__(self):
        return (f"Slider({self.name!r}, {self.start!r}, {self.stop!r}, {self.step!r}, "
                f"value={self.value!r}, label={self.label!r})")
