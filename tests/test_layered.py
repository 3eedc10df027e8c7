"""bplib._layered: live frames drawn in cached layers look like a plain draw.

A live slider draws what every frame shares (ticks, labels, artists marked with
static()) once and blends those pixels into later frames. These tests compare
such frames with matplotlib's own full draw, pixel by pixel, for made-up figures
and for every chapter demo, and check that the layers are really reused.
"""

from __future__ import annotations

import io
import threading

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from bplib import _layered
from bplib._layered import MAX_LAYERS, draw_layered, static
from bplib.interactive import Demo, Slider, demo_factories


def pixels(fig):
    return np.asarray(fig.canvas.buffer_rgba()).astype(int)


def assert_same_picture(ref, got, what=""):
    """Equal up to the rounding of an alpha blend: a few levels on a few pixels."""
    assert ref.shape == got.shape, what
    diff = np.abs(ref - got).max(axis=-1)
    assert diff.max() <= 4, f"{what}: a pixel differs by {diff.max()} levels"
    assert (diff > 2).mean() < 1e-3, f"{what}: {(diff > 2).mean():.2%} of pixels differ"


def plain_and_layered(make, cache=None):
    """(plain pixels, layered pixels, layers used?) of two figures made by make()."""
    ref = make()
    FigureCanvasAgg(ref).draw()
    fig = make()
    FigureCanvasAgg(fig)
    used = draw_layered(fig, {} if cache is None else cache)
    return pixels(ref), pixels(fig), used


# ------------------------------------------------------------- made-up figures
def curve_and_bars(w, *, grid=True):
    fig = Figure(figsize=(4, 3), dpi=80)
    ax = fig.add_subplot()
    xs = np.linspace(0, 4, 50)
    ax.bar([0.5, 1.5, 2.5, 3.5], [w, 2, 1, 3], color="#8fbcd4")   # below the grid
    ax.plot(xs, w * np.sin(xs), color="#d62728", lw=2)               # above it
    ax.set(xlim=(0, 4), ylim=(-3, 3), xlabel="x", ylabel="y", title=f"w = {w}")
    ax.grid(grid)
    return fig


@pytest.mark.parametrize("w", [-2.0, 0.5, 2.5])
def test_layers_match_a_plain_draw_and_are_reused(w):
    cache = {}
    for v in (w, w + 0.25):           # the second frame reuses the first one's layer
        ref, got, used = plain_and_layered(lambda: curve_and_bars(v), cache)
        assert used
        assert_same_picture(ref, got, f"w={v}")
    assert len(cache) == 1            # ticks, grid and labels: one layer for both


def test_changed_limits_get_a_new_layer():
    cache = {}
    for ymax in (3, 5):
        def make():
            fig = curve_and_bars(1.0)
            fig.axes[0].set_ylim(-3, ymax)
            return fig
        ref, got, _ = plain_and_layered(make, cache)
        assert_same_picture(ref, got, f"ymax={ymax}")
    assert len(cache) == 2


def test_twin_axes_keep_matplotlibs_order():
    def make():
        fig = Figure(figsize=(4, 3), dpi=80)
        ax = fig.add_subplot()
        ax.fill_between([0, 1, 2], [0, 2, 1], color="#2ca02c", alpha=0.6)
        ax.grid(True)
        twin = ax.twinx()
        twin.fill_between([0, 1, 2], [1, 0, 2], color="#1f77b4", alpha=0.5)   # under twin's axis
        twin.plot([0, 2], [0, 2], color="k")
        twin.grid(True, color="r")
        return fig
    ref, got, used = plain_and_layered(make)
    assert used
    assert_same_picture(ref, got)


def text_fig(label, *, mark=True, y=0.5):
    fig = Figure(figsize=(3, 2), dpi=80)
    ax = fig.add_subplot()
    ax.set(xlim=(0, 1), ylim=(0, 1))
    t = ax.text(0.2, y, label, fontsize=12)
    line, = ax.plot([0, 1], [y, 1 - y])
    if mark:
        static(t, line)
    return fig


def test_a_changed_static_artist_is_drawn_as_it_is_now():
    cache = {}
    for label, y in [("first", 0.5), ("second", 0.5), ("second", 0.2)]:
        ref, got, _ = plain_and_layered(lambda: text_fig(label, y=y), cache)
        assert_same_picture(ref, got, f"{label} at {y}")
    # Two cached runs per frame, (axis, line) and (text), the spines between them:
    # 2 layers, +1 when the text changed, +2 when the line and the text moved.
    assert len(cache) == 5


def test_static_marks_and_returns_the_first_artist():
    fig = text_fig("a", mark=False)
    t, line = fig.axes[0].texts[0], fig.axes[0].lines[0]
    assert static(t, line) is t
    assert _layered._cacheable(t) and _layered._cacheable(line)
    assert not _layered._cacheable(fig.axes[0].patch)
    assert static() is None


def test_the_cache_is_emptied_when_full():
    cache = {i: None for i in range(MAX_LAYERS)}
    ref, got, _ = plain_and_layered(lambda: curve_and_bars(1.0), cache)
    assert_same_picture(ref, got)
    assert len(cache) == 1


def test_a_one_pixel_static_line_survives_the_next_frame():
    cache = {}
    for _ in range(2):                # the second frame draws it from the cache
        def make():
            fig = curve_and_bars(1.0, grid=False)
            static(fig.axes[0].axhline(0.5, lw=0.5, color="k"))
            return fig
        ref, got, used = plain_and_layered(make, cache)
        assert used
        assert_same_picture(ref, got)


def test_layers_of_different_axes_never_stand_in_for_each_other():
    def make(marked):
        def build():
            fig = Figure(figsize=(6, 2), dpi=80)
            a1, a2, a3 = fig.subplots(1, 3)
            a1.set(xlim=(0, 1), ylim=(0, 1))
            a2.set(xlim=(0, 10), ylim=(-5, 5))
            a3.set(xlim=(-100, 100), ylim=(0, 1000))
            if marked:                # a mark in some frames only shifts the runs
                static(a1.axvline(0.3, color="g", zorder=2.7))
            return fig
        return build
    cache = {}
    for marked in (True, False):
        ref, got, _ = plain_and_layered(make(marked), cache)
        assert_same_picture(ref, got, f"marked={marked}")


def test_limits_set_by_the_aspect_are_in_the_key():
    cache = {}
    for top in (0.1, 0.9):            # "datalim" moves the limits with the data
        def make():
            fig = Figure(figsize=(4, 3), dpi=80)
            ax = fig.add_subplot()
            ax.plot([0, 0.5], [0, top])
            ax.set(xlim=(0, 1), ylim=(0, 1))
            ax.set_aspect("equal", adjustable="datalim")
            return fig
        ref, got, _ = plain_and_layered(make, cache)
        assert_same_picture(ref, got, f"top={top}")


def test_tick_label_fonts_are_in_the_key():
    cache = {}
    for weight in ("normal", "bold"):
        def make():
            fig = curve_and_bars(1.0)
            for t in fig.axes[0].get_xticklabels():
                t.set_fontweight(weight)
            return fig
        ref, got, _ = plain_and_layered(make, cache)
        assert_same_picture(ref, got, weight)


def with_colorbar(fig):
    ax = fig.axes[0]
    fig.colorbar(ax.imshow(np.arange(12.0).reshape(3, 4), extent=(0, 4, -3, 3)), ax=ax)
    return fig


def with_twin_top_ticks(fig):
    fig.axes[0].twiny().set_xlim(0, 1)         # the title must clear the twin's ticks
    return fig


def with_twin_offset_text(fig):
    fig.axes[0].twinx().set_ylim(1e6, 1e6 + 3)
    return fig


def with_polar(fig):
    fig.add_subplot(2, 2, 4, projection="polar").plot([0, 1, 2], [1, 2, 1])
    return fig


def with_3d(fig):
    fig.add_subplot(2, 2, 4, projection="3d").plot([0, 1], [0, 1], [0, 1])
    return fig


def with_constrained_layout(fig):
    fig.set_layout_engine("constrained")
    return fig


def with_inset(fig):
    fig.axes[0].inset_axes([0.6, 0.6, 0.3, 0.3]).plot([0, 1], [1, 0])
    return fig


def with_top_ticks(fig):
    fig.axes[0].xaxis.tick_top()
    return fig


def with_offset_text(fig):
    fig.axes[0].set_ylim(1e6, 1e6 + 3)          # tick labels get an offset "+1e6"
    return fig


def with_subfigure(fig):
    fig.subfigures(1, 1).add_subplot().plot([0, 1])
    return fig


@pytest.mark.parametrize("change", [with_constrained_layout, with_inset, with_top_ticks,
                                    with_offset_text, with_subfigure, with_colorbar,
                                    with_twin_top_ticks, with_twin_offset_text,
                                    with_polar, with_3d])
def test_figures_it_could_misdraw_get_a_plain_draw(change):
    ref, got, used = plain_and_layered(lambda: change(curve_and_bars(1.0)))
    assert not used
    assert np.array_equal(ref, got)


def test_a_figure_without_axes_or_marks_gets_a_plain_draw():
    def make():
        fig = Figure(figsize=(2, 2), dpi=80)
        ax = fig.add_subplot()
        ax.axis("off")
        ax.plot([0, 1], [0, 1])
        return fig
    ref, got, used = plain_and_layered(make)
    assert not used and np.array_equal(ref, got)


# ---------------------------------------------------------------- in a Demo
def decode(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def test_reuse_layers_false_draws_every_frame_in_full():
    demo = Demo(lambda w: curve_and_bars(w), Slider("w", 0, 2, 1), reuse_layers=False)
    png, _ = demo.live_frame((2,))
    assert not demo._layers
    assert_same_picture(decode(demo.image(w=2)[0]), decode(png))


def test_two_threads_drawing_at_once_draw_what_one_would():
    demo = Demo(lambda w: curve_and_bars(w), Slider("w", -2, 2, 0.25))
    keys = [(k,) for k in range(len(demo.sliders[0]))]
    alone = {key: decode(Demo(demo.fn, *demo.sliders).live_frame(key)[0]) for key in keys}
    errors = []

    def work(part):
        try:
            for key in part:
                demo.live_frame(key)
        except Exception as exc:       # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=work, args=(keys[i::2],)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    for key in keys:
        assert_same_picture(alone[key], decode(demo._cache[key][0]), f"frame {key}")


# ----------------------------------------------------- every chapter demo
def sample(demo, n=5):
    """n settings spread over the demo's grid (first, last and between)."""
    grid = list(demo.grid())
    return [grid[int(round(i))] for i in np.linspace(0, len(grid) - 1, n)]


@pytest.mark.parametrize("factory", [pytest.param(f, id=name)
                                     for name, f in demo_factories().items()])
def test_every_chapter_demo_draws_live_frames_as_a_plain_draw_would(factory):
    demo = factory()
    counts = []
    for values in sample(demo):
        live, _ = demo.live_frame(demo.snap(**values))
        plain, _ = demo.image(**values)
        assert_same_picture(decode(plain), decode(live), f"{demo.name} at {values}")
        counts.append(len(demo._layers))
    assert counts[0] > 0, f"{demo.name}: live frames use no cached layer (a slow redraw)"
    assert counts[-1] - counts[0] < len(counts) - 1, (
        f"{demo.name}: layers {counts}: something marked as shared changes with every "
        "frame (axis limits or a static() artist), so it is drawn again every frame")
