"""One control of a :class:`bplib.interactive.Demo`: a slider over a finite grid.

The grid ``start, start + step, ..., stop`` is what the static book precomputes
frames for and what the live control snaps to, so every value is checked here.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["Slider", "MAX_FRAMES"]

MAX_FRAMES = 121
"""Largest number of precomputed frames one static demo may have."""


def _real(x, what):
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what}: expected a real number, got {type(x).__name__} {x!r}")
    if not math.isfinite(float(x)):
        raise ValueError(f"{what}: expected a finite number, got {x!r}")
    return x


def _decimals(step) -> int:
    """Decimals needed to print multiples of ``step`` exactly (at most 10)."""
    for d in range(11):
        if abs(round(step, d) - step) <= 1e-12 * max(1.0, abs(step)):
            return d
    return 10


class Slider:
    """One control: the grid ``start, start + step, ..., stop``.

    Parameters
    ----------
    name : str
        Keyword passed to the demo function (a Python identifier).
    start, stop, step : real
        ``start < stop``, ``step > 0`` and ``(stop - start) / step`` whole.
        All three ints give an integer slider.
    value : real, optional
        Initial value, a grid point; default the grid point nearest the middle.
    label : str, optional
        Text shown next to the control (default ``name``).
    """

    def __init__(self, name, start, stop, step, value=None, label=None):
        if not isinstance(name, str) or not name.isidentifier():
            raise TypeError(f"Slider: name must be a Python identifier string, got {name!r}")
        where = f"Slider {name!r}"
        for arg, x in (("start", start), ("stop", stop), ("step", step)):
            _real(x, f"{where}: {arg}")
        if step <= 0:
            raise ValueError(f"{where}: step must be > 0, got {step!r}")
        if not start < stop:
            raise ValueError(f"{where}: start must be < stop, got start={start!r}, stop={stop!r}")
        q = (stop - start) / step
        n_steps = round(q)
        if abs(q - n_steps) > 1e-9 * max(1.0, q):
            raise ValueError(
                f"{where}: (stop - start) / step must be a whole number, got "
                f"({stop!r} - {start!r}) / {step!r} = {q:.6g}")
        if n_steps + 1 > MAX_FRAMES:
            raise ValueError(
                f"{where}: {n_steps + 1} values is too many for precomputed frames "
                f"(at most {MAX_FRAMES}); use a larger step")
        self.name = name
        self.start, self.stop, self.step = start, stop, step
        self.integer = all(isinstance(x, numbers.Integral) for x in (start, stop, step))
        self.decimals = 0 if self.integer else max(_decimals(step), _decimals(start))
        if self.integer:
            self.values = [int(start + k * step) for k in range(n_steps + 1)]
        else:
            self.values = [round(float(start) + k * float(step), self.decimals)
                           for k in range(n_steps + 1)]
        if value is None:
            self.index = n_steps // 2
        else:
            _real(value, f"{where}: value")
            if not start - 1e-12 <= value <= stop + 1e-12:
                raise ValueError(
                    f"{where}: value must lie in [{start!r}, {stop!r}], got {value!r}")
            k = round((value - start) / step)
            if abs(self.values[k] - value) > 1e-9 * max(1.0, abs(step)):
                raise ValueError(
                    f"{where}: value {value!r} is not on the grid start + k*step; "
                    f"nearest is {self.values[k]!r}")
            self.index = k
        if label is not None and not isinstance(label, str):
            raise TypeError(f"{where}: label must be a str, got {type(label).__name__}")
        self.label = name if label is None else label

    @property
    def value(self):
        """The initial value (a grid point)."""
        return self.values[self.index]

    def format(self, v) -> str:
        """``v`` printed with the step's number of decimals."""
        return str(int(v)) if self.integer else f"{v:.{self.decimals}f}"

    def __len__(self):
        return len(self.values)

    def __repr__(self):
        return (f"Slider({self.name!r}, {self.start!r}, {self.stop!r}, {self.step!r}, "
                f"value={self.value!r}, label={self.label!r})")
