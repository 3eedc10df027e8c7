"""Interactive figures: one pure function, a live slider and a static one.

A demo is a pure function from slider values to a matplotlib figure (optionally
with a table, text or HTML beside it). ``Demo.show()`` then gives

* in a live kernel (JupyterLab): an ipywidgets control whose figure is replaced
  in place (an ``ipywidgets.Image``), so moving a slider does not flicker;
* when the environment variable ``BPLIB_STATIC=1`` is set (the book build sets
  it): one self-contained HTML block, a keyboard-accessible
  ``<input type="range">`` over frames precomputed with the Agg backend, with
  inline ``<style>``/``<script>`` only (no kernel, no CDN, no external file,
  no ipywidgets at all). Several demos may share a page.

Example
-------
>>> import numpy as np
>>> from matplotlib.figure import Figure
>>> from bplib.interactive import Demo, Slider
>>> def error_curve(w):
...     fig = Figure(figsize=(5, 3))
...     ax = fig.add_subplot()
...     ws = np.linspace(-1, 5, 121)
...     ax.plot(ws, (ws - 2) ** 2)
...     ax.plot([w], [(w - 2) ** 2], "o")
...     return fig, f"E(W) = {(w - 2) ** 2:.2f}"
>>> demo = Demo(error_curve, Slider("w", -1, 5, 0.25, value=1, label="W"),
...             title="Error as a function of W")
>>> demo.n_frames
25
>>> # demo.show()      # in a notebook cell

Writing a demo function
-----------------------
* Build the figure with ``matplotlib.figure.Figure`` (no pyplot): faster,
  never leaks, safe to render in the background. pyplot figures are accepted
  (and closed).
* ``fn`` must be pure: same values, same figure. The live control memoises
  frames by grid point and prefetches the others in a background thread.
* A fixed ``figsize`` and fixed axis limits, so frames line up. A
  constrained/tight layout is computed only for the initial and corner
  settings; every frame then reuses those axes positions (no jitter while
  sliding, about a third less drawing).
* Live frames draw the axes' ticks and labels once and reuse their pixels
  while the limits stay put (:mod:`bplib._layered`; this is most of the
  speed). Mark other artists that are the same in every frame with
  :func:`static` (a curve that does not move, a legend whose labels do not
  change), and give the changing text a higher zorder than the fixed text
  so that the fixed parts are drawn together.
* What stays slow: every Axes costs ~6 ms to create, every changing Text
  ~1 ms to draw (a sentence with the numbers is cheaper as the extra text
  beside the figure), colours named "C0".."C9" ~0.25 ms per use (use hex, see
  ``bplib.demos._style``), ``add_patch`` of a fancy arrow recomputes its path
  (``add_artist`` when the limits are set anyway). ``bench/bench_interactive.py``
  reports the time of each chapter demo.
* Extreme settings must still draw something: clip diverging values and say so
  in the figure (e.g. a title "diverges"), never return an empty axes.
* Keep frame counts small: one slider <= ~41 values, two sliders <= ~80
  frames (``MAX_FRAMES`` is the hard limit).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import html
import io
import itertools
import math
import os
import threading

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bplib._layered import SharedRendererCanvas, draw_layered, static
from bplib._png import encode_rgb
from bplib._slider import MAX_FRAMES, Slider

__all__ = ["Slider", "Demo", "static", "is_static", "demo_factories", "MAX_FRAMES"]

# matplotlib is not thread-safe (its mathtext parser, for one, is shared), and a
# live control draws from the kernel's thread and its prefetch thread.
_MATPLOTLIB_LOCK = threading.RLock()

_STATIC_DPI = 96
_LIVE_DPI = 90


def is_static() -> bool:
    """True when ``BPLIB_STATIC`` is set to 1/true/yes (the book build)."""
    return os.environ.get("BPLIB_STATIC", "").strip().lower() in {"1", "true", "yes"}


def demo_factories(package="bplib.demos"):
    """``{"ch01.error_curve_demo": fn, ...}``: every function named ``*_demo``
    defined in a module of ``package`` (the chapter demos; tests sweep them)."""
    import importlib
    import inspect
    import pkgutil
    pkg = importlib.import_module(package)
    found = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package}.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_demo") and fn.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = fn
    return found


def _extra_html(extra) -> str:
    """HTML for the thing shown beside the figure (DataFrame, str, HTML or None)."""
    if extra is None:
        return ""
    if isinstance(extra, str):
        return f'<pre class="bplib-text">{html.escape(extra)}</pre>'
    if hasattr(extra, "to_html") and hasattr(extra, "columns"):     # pandas DataFrame
        return extra.to_html(border=0, classes="bplib-table")
    if hasattr(extra, "_repr_html_"):
        return extra._repr_html_() or ""
    raise TypeError(
        "Demo: the extra output must be a pandas DataFrame, a str or an HTML object, "
        f"got {type(extra).__name__}")


@contextlib.contextmanager
def _garbage_dies_young():
    """No garbage collection while a frame is made; then collect the young objects.

    A frame makes tens of thousands of objects, most in reference cycles. Left
    to itself, the collector runs mid-frame, finds the half-built figure alive and
    promotes it to older generations, so that every frame or two a full collection
    scans the whole process (over 100 ms in a kernel with matplotlib loaded).
    Collected at once after the figure is dropped, the garbage dies young and
    full collections stop.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect(0)


def _compact_png(rgb):
    """A small PNG of (h, w, 3) pixels: a 256-colour palette, packed hard (Pillow)."""
    from PIL import Image
    img = Image.fromarray(rgb).quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                                        dither=Image.Dither.NONE)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=9)
    return buf.getvalue()


def _close(fig):
    import matplotlib.pyplot as plt   # only to drop figures made with pyplot
    plt.close(fig)


class Demo:
    """A figure driven by sliders: ``fn(**values) -> Figure | (Figure, extra)``.

    Parameters
    ----------
    fn : callable
        Pure function of the slider values (keywords named like the sliders).
    *sliders : Slider
        One or more controls; the product of their lengths is the frame count
        (at most ``MAX_FRAMES``).
    title : str, optional
        Caption shown above the control (also used as the images' alt text).
    fixed_layout : bool, default True
        Lay out constrained/tight figures once (initial and corner settings,
        the tightest boxes win) and place every frame's axes there.
    reuse_layers : bool, default True
        Live frames reuse the pixels of what every frame shares (the axes'
        ticks and labels, artists marked with :func:`static`), drawn once;
        False draws every live frame in full. Static frames are always drawn
        in full.
    """

    _counter = itertools.count()

    def __init__(self, fn, *sliders, title=None, fixed_layout=True, reuse_layers=True):
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
            raise ValueError(
                f"Demo: {' x '.join(str(len(s)) for s in sliders)} = {n} frames is too many "
                f"(at most {MAX_FRAMES}); use larger steps")
        if title is not None and not isinstance(title, str):
            raise TypeError(f"Demo: title must be a str, got {type(title).__name__}")
        self.fn, self.sliders, self.title = fn, tuple(sliders), title
        self._cache = {}      # grid indices -> (live png, extra html)
        self.reuse_layers = bool(reuse_layers)
        self._layers = {}     # shared pixels of live frames (bplib._layered)
        self.fixed_layout = bool(fixed_layout)
        self._layouts = {}    # figure structure -> axes boxes shared by all frames

    @property
    def name(self) -> str:
        """The title, else the function's name (for messages)."""
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

    def render(self, **values):
        """Call ``fn(**values)``; return ``(Figure, extra)`` (extra may be None).

        The caller owns the figure (close it, or use ``image``).
        """
        try:
            out = self.fn(**values)
        except Exception as exc:
            exc.add_note(f"in Demo {self.name!r} at {values}")
            raise
        fig, extra = out if isinstance(out, tuple) and len(out) == 2 else (out, None)
        if not isinstance(fig, Figure):
            raise TypeError(
                f"Demo {self.name!r}: fn must return a matplotlib Figure "
                f"or (Figure, extra), got {type(out).__name__}")
        return fig, extra

    def image(self, *, dpi=_LIVE_DPI, compact=False, **values):
        """Render one frame with Agg: ``(png bytes, extra HTML)``; the figure is closed.

        One draw, then PNG encoding by Pillow: fast (``compact=False``, live) or
        small (``compact=True``: 256-colour palette; static frames).
        """
        return self._draw(values, dpi, compact, wait=True)[:2]

    def _draw(self, values, dpi, compact, wait, layered=False):
        """``(png, extra_html, final)``; final is False if the shared layout was
        not ready and ``wait`` was False (the frame used the figure's own layout).

        ``compact``: a 256-colour PNG packed hard (static frames); else a fast
        RGB PNG (:mod:`bplib._png`). ``layered`` (live frames): draw on this
        thread's shared renderer, reusing the cached layers (:mod:`bplib._layered`).
        """
        with _MATPLOTLIB_LOCK, _garbage_dies_young():
            rgb, extra, final = self._draw_pixels(values, dpi, wait, layered)
        return (_compact_png(rgb) if compact else encode_rgb(rgb)), _extra_html(extra), final

    def _draw_pixels(self, values, dpi, wait, layered):
        fig, extra = self.render(**values)
        try:
            if layered:
                SharedRendererCanvas(fig)
            else:
                FigureCanvasAgg(fig)     # draw with Agg whatever backend pyplot uses
            fig.set_dpi(dpi)
            final = self._fix_layout(fig, wait)
            if layered and final:
                draw_layered(fig, self._layers)
            else:
                fig.canvas.draw()
            rgb = np.array(np.asarray(fig.canvas.buffer_rgba())[..., :3])
        finally:
            _close(fig)
        return rgb, extra, final

    # ---------------------------------------------------------------- layout
    @staticmethod
    def _structure(fig):
        engine = fig.get_layout_engine()
        if type(engine).__name__ not in ("ConstrainedLayoutEngine", "TightLayoutEngine"):
            return None
        return (type(engine).__name__, tuple(np.round(fig.get_size_inches(), 3)),
                len(fig.axes))

    def _corners(self):
        """Settings whose layout all frames share: initial, and the grid's corners."""
        ends = [(s.values[0], s.values[-1]) for s in self.sliders]
        corners = (itertools.product(*ends) if len(ends) <= 2 else
                   [tuple(e[0] for e in ends), tuple(e[1] for e in ends)])
        out = [self.initial]
        for c in corners:
            v = dict(zip((s.name for s in self.sliders), c))
            if v not in out:
                out.append(v)
        return out

    def _reference_boxes(self, structure):
        """Axes boxes (figure fractions) leaving room for every corner's labels.

        Each corner is laid out by the figure's own engine; a box is the
        intersection of that axes' boxes, so the widest labels of any corner fit.
        """
        boxes = None
        for values in self._corners():
            fig, _ = self.render(**values)
            try:
                if self._structure(fig) != structure:
                    continue
                FigureCanvasAgg(fig)
                fig.canvas.draw()     # runs the layout engine once
                b = np.array([ax.get_position().extents for ax in fig.axes])
            finally:
                _close(fig)
            boxes = b if boxes is None else np.hstack(
                [np.maximum(boxes[:, :2], b[:, :2]), np.minimum(boxes[:, 2:], b[:, 2:])])
        return boxes

    def _fix_layout(self, fig, wait=True):
        """Replace a constrained/tight layout by boxes fixed across frames.

        Frames line up (no jitter while sliding) and draw about a third faster.
        Figures whose structure no corner shares keep their own layout engine.
        Returns False when the boxes are not computed yet and ``wait`` is False.
        """
        structure = self._structure(fig) if self.fixed_layout else None
        if structure is None:
            return True
        if structure not in self._layouts:
            if not wait:
                return False
            self._layouts[structure] = self._reference_boxes(structure)   # under the draw lock
        boxes = self._layouts[structure]
        if boxes is not None:
            try:
                fig.set_layout_engine("none")
            except RuntimeError:      # an engine that cannot be swapped: keep it
                return True
            for ax, (x0, y0, x1, y1) in zip(fig.axes, boxes):
                ax.set_position([x0, y0, x1 - x0, y1 - y0])
        return True

    # ---------------------------------------------------------------- static
    def frames(self):
        """List of ``(values, png_bytes, extra_html)`` over the whole grid."""
        return [(v, *self.image(compact=True, dpi=_STATIC_DPI, **v)) for v in self.grid()]

    def to_html(self) -> str:
        """The self-contained static slider (one HTML string)."""
        frames = self.frames()
        digest = hashlib.sha1(b"".join(f[1] for f in frames)).hexdigest()[:10]
        uid = f"bplib-demo-{digest}-{next(Demo._counter)}"
        from bplib._static_slider import static_html
        return static_html(uid, self.title, self.sliders, frames)

    # ------------------------------------------------------------------ live
    def snap(self, **values) -> tuple:
        """Grid indices of ``values`` (each snapped to its slider's nearest point)."""
        return tuple(min(max(round((values[s.name] - s.start) / s.step), 0), len(s) - 1)
                     for s in self.sliders)

    def live_frame(self, key, *, wait=True):
        """``(png, extra_html)`` for grid indices ``key``, memoised (fn is pure).

        ``wait=False``: do not stop to compute the shared layout (a frame drawn
        with the figure's own layout is shown but not memoised).
        """
        hit = self._cache.get(key)
        if hit is None:
            values = {s.name: s.values[k] for s, k in zip(self.sliders, key)}
            png, extra, final = self._draw(values, _LIVE_DPI, False, wait,
                                           layered=self.reuse_layers)
            hit = (png, extra)
            if final:
                self._cache[key] = hit
        return hit

    def widget(self, *, prefetch=True):
        """The live ipywidgets control (a :class:`LiveDemo`).

        ``prefetch=True`` renders the other frames in a background thread
        (nearest first), so later moves are served from memory.
        """
        from bplib._live_slider import LiveDemo
        return LiveDemo(self, prefetch=prefetch)

    def show(self):
        """Display the demo: static HTML if ``BPLIB_STATIC=1``, else the widget."""
        from IPython.display import HTML, display
        if is_static():
            display(HTML(self.to_html()))
        else:
            display(self.widget().box)

    def _ipython_display_(self):
        self.show()

    def __repr__(self):
        sliders = ", ".join(map(repr, self.sliders))
        return f"Demo({getattr(self.fn, '__name__', 'fn')}, {sliders}, title={self.title!r})"
