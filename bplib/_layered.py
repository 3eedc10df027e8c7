"""Fast redraws for live sliders: what is the same in every frame is drawn once.

Most of the time matplotlib spends on a slider frame goes to the axes' ``Axis``
artists (tick objects, tick-label text, grids), yet a slider demo keeps its
axis limits fixed, so those pixels are the same in every frame; so are the
artists a demo marks with :func:`static`. :func:`draw_layered` walks the
figure in the order ``Figure.draw`` uses (figure children and each Axes'
children sorted by zorder) and cuts it into runs:

* a run of *cacheable* artists (``Axis`` objects, marked artists) is drawn
  once onto a transparent canvas, kept as an RGBA layer under a key (figure
  size and dpi, every Axes' position, limits, ticks and labels, the run's
  artists), and blended by Agg in later frames;
* every other run is drawn as usual, with all artists outside it hidden,
  onto the same canvas.

The result matches a plain ``canvas.draw()`` to within rounding of the blends
(tests compare them for every chapter demo). Figures this could misdraw get a
plain draw: a layout engine still attached, subfigures, inset or located axes
(colorbars), polar and 3-D axes, rasterisation, and titles that matplotlib
places against top tick labels or an offset text.
"""

from __future__ import annotations

import threading
from operator import attrgetter

import numpy as np
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import Collection
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

__all__ = ["static", "draw_layered", "SharedRendererCanvas", "MAX_LAYERS"]

MAX_LAYERS = 64
"""A demo's layer cache is emptied when it holds this many layers."""

_MISSING = object()


def static(*artists):
    """Mark artists that are the same in every frame of a demo; returns the first.

    A live slider draws marked artists (like the axes' ticks and labels) once
    and reuses the pixels while their key is unchanged: the axes' positions and
    limits, and each artist's type, zorder and visibility, a Text's string,
    position and colour, a line's data, a patch's colours and box, a legend's
    labels. Other changes go unnoticed, so mark only what does not depend on
    the slider values. The static book always draws every frame in full.
    """
    for a in artists:
        a._bplib_static = True
    return artists[0] if artists else None


def _text_key(t):
    """How a Text looks, apart from where a draw will move it."""
    return (t.get_text(), t.get_visible(), str(t.get_color()), str(t.get_fontproperties()),
            t.get_rotation(), t.get_horizontalalignment(), t.get_verticalalignment())


def _axis_key(axis):
    """What decides how one ``Axis`` looks (limits, ticks, labels, tick params)."""
    if not axis.get_visible():
        return None
    major = axis.get_majorticklocs()
    minor = axis.get_minorticklocs()
    fmt_major, fmt_minor = axis.get_major_formatter(), axis.get_minor_formatter()
    ticks = [(_text_key(t.label1), t.label2.get_visible(), t.tick1line.get_markersize(),
              str(t.tick1line.get_color()), t.gridline.get_visible(),
              str(t.gridline.get_color()), t.gridline.get_linewidth())
             for t in (*axis.majorTicks, *axis.minorTicks)]   # those made so far
    return (tuple(axis.get_view_interval()), axis.get_scale(),
            tuple(major), tuple(fmt_major.format_ticks(major)), fmt_major.get_offset(),
            tuple(minor), tuple(fmt_minor.format_ticks(minor)),
            repr(sorted(axis._major_tick_kw.items())),
            repr(sorted(axis._minor_tick_kw.items())),
            axis.get_ticks_position(), axis.get_label_position(),
            _text_key(axis.label), tuple(axis.label.get_position()), repr(ticks))


def _spine_key(name, spine):
    try:
        where = repr(spine.get_position())
    except ValueError:             # a colorbar's outline has no position to report
        where = spine.spine_type
    return (name, where, spine.get_visible(), spine.get_bounds())


def _axes_key(ax):
    return (tuple(np.round(ax.get_position(original=True).bounds, 6)),
            tuple(np.round(ax.get_position().bounds, 6)),      # after apply_aspect
            ax.get_aspect(), ax.get_anchor(), ax.get_adjustable(), ax.axison,
            ax.get_axisbelow(), _axis_key(ax.xaxis), _axis_key(ax.yaxis),
            tuple(_spine_key(n, sp) for n, sp in ax.spines.items()))


def _text_above(ax):
    """True if ``ax`` has text a title would be placed above: tick labels or an
    axis label at the top, or an offset text ("1e6") on the y axis."""
    fmt = ax.yaxis.get_major_formatter()
    fmt.format_ticks(ax.yaxis.get_majorticklocs())            # sets its offset
    return (ax.xaxis.get_ticks_position() in ("top", "unknown")
            or ax.xaxis.get_label_position() == "top" or bool(fmt.get_offset()))


def _sequence(fig):
    """Every artist in the order ``Figure.draw`` draws them, axes expanded;
    None when the layering could misdraw the figure."""
    engine = fig.get_layout_engine()
    if fig.subfigs or not (engine is None or isinstance(engine, PlaceHolderLayoutEngine)):
        return None                # a layout engine would lay out each pass anew
    if any(ax.name != "rectilinear" or ax.child_axes or ax.get_axes_locator() is not None
           or ax.get_rasterization_zorder() is not None for ax in fig.axes):
        return None                # polar/3-D axes, insets, rasterisation
    titled = any(t.get_text() for ax in fig.axes
                 for t in (ax.title, ax._left_title, ax._right_title))
    if titled and any(_text_above(ax) for ax in fig.axes):
        return None                # a title is placed against some axis' text (a twin's too)
    out = [fig.patch]
    for a in sorted((a for a in fig.get_children() if a is not fig.patch),
                    key=attrgetter("zorder")):
        if not isinstance(a, Axes):
            out.append(a)
            continue
        skip = {id(a.patch)}           # drawn first, below; then as Axes.draw does:
        if not (a.axison and a.get_frame_on()):
            skip.update(map(id, a.spines.values()))
        if not a.axison:
            skip.update(map(id, a._axis_map.values()))
        out.append(a.patch)
        out.extend(sorted((c for c in a.get_children() if id(c) not in skip),
                          key=attrgetter("zorder")))
    return [a for a in out if a.get_visible()]


def _cacheable(a):
    return isinstance(a, Axis) or getattr(a, "_bplib_static", False)


def _runs(seq):
    """``[(cacheable, [artist, ...]), ...]``: maximal runs of one kind, in order."""
    runs = []
    for a in seq:
        flag = _cacheable(a)
        if runs and runs[-1][0] == flag:
            runs[-1][1].append(a)
        else:
            runs.append((flag, [a]))
    return runs


def _fingerprint(a, where):
    """A cheap summary of a cached artist: a changed one gets a new layer.

    ``where``: the index of its Axes in ``fig.axes`` (-1 for the figure's own).
    """
    if isinstance(a, Axis):
        return ("axis", where, a.axis_name)     # the rest is in the axes' keys
    key = (type(a).__name__, where, a.get_zorder(), a.get_visible(), a.get_alpha())
    if isinstance(a, Text):
        key += (_text_key(a), tuple(a.get_position()), a.get_fontsize())
    elif isinstance(a, Line2D):
        key += (a.get_xydata().tobytes(), str(a.get_color()), a.get_linewidth(),
                a.get_linestyle(), str(a.get_marker()))
    elif isinstance(a, Patch):
        key += (tuple(a.get_facecolor()), tuple(a.get_edgecolor()), a.get_linewidth(),
                repr(getattr(a, "_posA_posB", None)))
        if hasattr(a, "get_bbox"):
            key += tuple(a.get_bbox().bounds)
    elif isinstance(a, Legend):
        key += tuple(t.get_text() for t in a.get_texts())
    elif isinstance(a, Collection):
        key += (np.asarray(a.get_offsets()).tobytes(), len(a.get_paths()),
                np.asarray(a.get_edgecolor()).tobytes())
    return key


def _draw_only(fig, renderer, show):
    """Draw ``fig`` onto ``renderer`` (not cleared) with only ``show`` visible."""
    ids = {id(a) for a in show}
    hidden = []
    for a in _all_artists(fig):
        if id(a) not in ids and a.get_visible():
            a.set_visible(False)
            hidden.append(a)
    try:
        fig.draw(renderer)
    finally:
        for a in hidden:
            a.set_visible(True)


def _all_artists(fig):
    yield from (a for a in fig.get_children() if not isinstance(a, Axes))
    for ax in fig.axes:
        yield from ax.get_children()


def _crop(rgba):
    """``(x, y, pixels)`` of the non-transparent part (rows bottom-up), or None."""
    alpha = rgba[..., 3]
    rows, cols = np.flatnonzero(alpha.any(axis=1)), np.flatnonzero(alpha.any(axis=0))
    if rows.size == 0:
        return None
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    return int(c0), int(r0), rgba[r0:r1, c0:c1].copy()     # not a view of the renderer


def draw_layered(fig, cache):
    """Draw ``fig`` on its Agg canvas, reusing the layers kept in ``cache``.

    ``cache``: a dict (key -> cropped RGBA layer) owned by the caller, one per
    demo. Returns True if layers were used, False after a plain ``canvas.draw()``.
    """
    canvas = fig.canvas
    seq = _sequence(fig)
    runs = _runs(seq) if seq is not None else []
    if not any(flag for flag, _ in runs):
        canvas.draw()
        return False
    renderer = canvas.renderer = canvas.get_renderer()
    for ax in fig.axes:
        ax.apply_aspect()          # the limits and boxes the draw will use
    frame = (tuple(np.round(fig.get_size_inches(), 4)), fig.dpi,
             tuple(_axes_key(ax) for ax in fig.axes))
    where = {id(ax): i for i, ax in enumerate(fig.axes)}
    layers = []
    for i, (flag, run) in enumerate(runs):
        if flag:
            key = (frame, i, tuple(_fingerprint(a, where.get(id(a.axes), -1)) for a in run))
            layer = cache.get(key, _MISSING)
            if layer is _MISSING:
                if len(cache) >= MAX_LAYERS:      # marked artists that keep changing
                    cache.clear()
                renderer.clear()
                _draw_only(fig, renderer, run)
                layer = cache[key] = _crop(np.asarray(renderer.buffer_rgba())[::-1])
            layers.append(layer)
    renderer.clear()
    layers = iter(layers)
    for flag, run in runs:
        if not flag:
            _draw_only(fig, renderer, run)
        elif (layer := next(layers)) is not None:
            x, y, pixels = layer
            gc = renderer.new_gc()
            renderer.draw_image(gc, x, y, pixels)
            gc.restore()
    return True


class SharedRendererCanvas(FigureCanvasAgg):
    """An Agg canvas drawing on one renderer per (thread, size, dpi).

    matplotlib caches text metrics per renderer, so frames that share one lay
    out their tick labels, titles and legends once (a fresh canvas per frame
    would start with an empty cache).
    """

    _local = threading.local()

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        pool = self._local.__dict__.setdefault("pool", {})
        key = (w, h, self.figure.dpi)
        if key not in pool:
            pool.clear()       # one size at a time per thread
            pool[key] = RendererAgg(w, h, self.figure.dpi)
        self.renderer = pool[key]
        return self.renderer
