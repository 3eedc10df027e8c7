"""A figure driven by sliders: one pure function, shown live or as precomputed frames.

``fn(**values)`` returns a matplotlib ``Figure`` (or ``(Figure, extra)``, extra a
DataFrame, str or HTML shown beside it). Every frame takes one path: ``fn``, the axes
placed where the initial frame's layout put them, ``savefig`` to PNG, memoised by grid
point. ``Demo.show()`` displays ipywidgets sliders over those frames in JupyterLab
(:mod:`~bplib.figures.live`), or, when ``BPLIB_STATIC=1`` (the book build), every
frame in one HTML block that moves without a kernel (:mod:`~bplib.figures.static_html`).

Write ``fn`` as a reader would: a ``Figure`` of fixed size with fixed axis limits, any
layout engine, mathtext welcome. It must be pure (same values, same figure) and draw
something at every setting (clip what diverges and say so in the figure).
The chapter demos in :mod:`bplib.demos` are the examples.
"""

from __future__ import annotations

import html
import io
import itertools
import math
import os

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from bplib.figures.slider import MAX_FRAMES, Slider

DPI = 90
"""Resolution of every frame, live and in the book."""


def is_static() -> bool:
    """True when ``BPLIB_STATIC`` is 1/true/yes (the book build)."""
    return os.environ.get("BPLIB_STATIC", "").strip().lower() in {"1", "true", "yes"}


def extra_html(extra) -> str:
    """HTML for what is shown beside the figure: a DataFrame, a str, HTML or None."""
    if extra is None:
        return ""
    if isinstance(extra, str):
        return f'<pre class="bplib-text">{html.escape(extra)}</pre>'
    if hasattr(extra, "to_html") and hasattr(extra, "columns"):     # pandas DataFrame
        return extra.to_html(border=0, classes="bplib-table")
    if hasattr(extra, "_repr_html_"):                              # IPython's display protocol
        return extra._repr_html_() or ""
    raise TypeError("Demo: the extra output must be a pandas DataFrame, a str or an HTML "
                    f"object, got {type(extra).__name__}")


class Demo:
    """``fn(**values) -> Figure | (Figure, extra)`` over the grid of its sliders.

    fn: a pure function of the slider values (keywords named like the sliders).
    sliders: one or more :class:`Slider`; the product of their lengths is the number
    of frames (at most ``MAX_FRAMES``). title: caption above the controls, also the
    frames' alt text. continuous: redraw while a live slider is dragged (False: on
    release; for demos whose frames are slow).
    """

    def __init__(self, fn, *sliders, title=None, continuous=True):
        if not callable(fn):
            raise TypeError(f"Demo: fn must be callable, got {type(fn).__name__}")
        if not sliders:
            raise ValueError("Demo: at least one Slider is needed, got none")
        for s in sliders:
            if not isinstance(s, Slider):
                raise TypeError(f"Demo: sliders must be Slider objects, got {type(s).__name__}")
        names = [s.name for s in sliders]
        if len(set(names)) != len(names):
            raise ValueError(f"Demo: slider names must be unique, got {names}")
        n = math.prod(len(s) for s in sliders)
        if n > MAX_FRAMES:
            raise ValueError(f"Demo: {' x '.join(str(len(s)) for s in sliders)} = {n} frames "
                             f"is too many (at most {MAX_FRAMES}); use larger steps")
        if title is not None and not isinstance(title, str):
            raise TypeError(f"Demo: title must be a str, got {type(title).__name__}")
        self.fn, self.sliders, self.title = fn, tuple(sliders), title
        self.continuous = bool(continuous)
        self._frames = {}      # grid indices -> (png, extra html)
        self._boxes = None     # the first frame's axes positions, shared by every frame

    @property
    def name(self) -> str:
        return self.title or getattr(self.fn, "__name__", repr(self.fn))

    @property
    def n_frames(self) -> int:
        return math.prod(len(s) for s in self.sliders)

    @property
    def initial(self) -> dict:
        """Initial slider values, by name."""
        return {s.name: s.value for s in self.sliders}

    def grid(self):
        """Every combination of slider values as dicts, first slider slowest."""
        for combo in itertools.product(*(s.values for s in self.sliders)):
            yield dict(zip((s.name for s in self.sliders), combo))

    def key(self, **values) -> tuple:
        """Grid indices of ``values``, each snapped to its slider's nearest point."""
        return tuple(s.snap(values[s.name]) for s in self.sliders)

    def values_at(self, key) -> dict:
        """Slider values at grid indices ``key``."""
        return {s.name: s.values[k] for s, k in zip(self.sliders, key)}

    def _call(self, values):
        try:
            out = self.fn(**values)
        except Exception as exc:
            exc.add_note(f"in Demo {self.name!r} at {values}")
            raise
        fig, extra = out if isinstance(out, tuple) and len(out) == 2 else (out, None)
        if not isinstance(fig, Figure):
            raise TypeError(f"Demo {self.name!r}: fn must return a matplotlib Figure or "
                            f"(Figure, extra), got {type(out).__name__}")
        return fig, extra

    def render(self, **values):
        """``(Figure, extra)`` from ``fn(**values)``, laid out as the initial frame.

        The initial frame's layout (its engine's or its own) fixes every axes'
        position; every frame with as many axes is placed there, so nothing jumps.
        """
        if self._boxes is None:
            first, _ = self._call(self.initial)
            first.draw_without_rendering()          # runs the layout engine, if any
            self._boxes = [ax.get_position() for ax in first.axes]
            plt.close(first)
        fig, extra = self._call(values)
        if len(self._boxes) == len(fig.axes):
            fig.set_layout_engine(None)     # no engine: savefig then draws once
            for ax, box in zip(fig.axes, self._boxes):
                ax.set_position(box)
        return fig, extra

    def frame(self, **values) -> tuple[bytes, str]:
        """``(PNG bytes, extra HTML)`` of the frame at ``values`` (snapped), memoised."""
        key = self.key(**values)
        if key not in self._frames:
            fig, extra = self.render(**self.values_at(key))
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
            plt.close(fig)       # a no-op unless fn made the figure with pyplot
            self._frames[key] = (png.getvalue(), extra_html(extra))
        return self._frames[key]

    def is_ready(self, **values) -> bool:
        """True if the frame at ``values`` is in memory (shown or prepared before)."""
        return self.key(**values) in self._frames

    def to_html(self) -> str:
        """Every frame in one self-contained HTML block (no kernel, no network)."""
        from bplib.figures.static_html import static_html
        return static_html(self)

    def widget(self):
        """The live control (a :class:`bplib.figures.live.LiveDemo`)."""
        from bplib.figures.live import LiveDemo
        return LiveDemo(self)

    def show(self):
        """Display the demo: static HTML if ``BPLIB_STATIC=1``, else the live control."""
        from IPython.display import HTML, display
        display(HTML(self.to_html()) if is_static() else self.widget().box)

    def _ipython_display_(self):
        self.show()

    def __repr__(self):
        return f"Demo({self.name!r}, {', '.join(map(repr, self.sliders))})"
