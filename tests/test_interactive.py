"""Tests for bplib.interactive (Slider, Demo) and a sweep over every chapter demo."""

from __future__ import annotations

import inspect
import io
import json
import os
import re
import subprocess
import sys
import warnings
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bplib.interactive import (
    _STATIC_DPI, MAX_FRAMES, Demo, Slider, _extra_html, demo_factories)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def line_fig(w, b=0.0):
    """A small pure demo function: the line y = w x + b."""
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    x = np.linspace(-1, 1, 5)
    ax.plot(x, w * x + b)
    ax.set_ylim(-5, 5)
    return fig


def line_with_table(w, b=0.0):
    return line_fig(w, b), pd.DataFrame({"w": [w], "b": [b]})


# ----------------------------------------------------------------- Slider
@pytest.mark.parametrize("args, kwargs, error, match", [
    (("w", 0, 1, 0), {}, ValueError, "step must be > 0"),
    (("w", 0, 1, -0.1), {}, ValueError, "step must be > 0"),
    (("w", 1, 1, 0.1), {}, ValueError, "start must be < stop"),
    (("w", 2, 1, 0.1), {}, ValueError, "start must be < stop"),
    (("w", 0, 1, 0.3), {}, ValueError, "whole number"),
    (("w", 0, 1000, 1), {}, ValueError, "too many"),
    (("w", 0, float("nan"), 0.1), {}, ValueError, "finite"),
    (("w", -float("inf"), 1, 0.1), {}, ValueError, "finite"),
    (("w", "0", 1, 0.1), {}, TypeError, "real number"),
    (("w", 0, 1, None), {}, TypeError, "real number"),
    (("w", True, 1, 0.5), {}, TypeError, "real number"),
    (("not a name", 0, 1, 0.1), {}, TypeError, "identifier"),
    ((3, 0, 1, 0.1), {}, TypeError, "identifier"),
    (("w", 0, 1, 0.1), {"value": 1.5}, ValueError, r"lie in \[0, 1\]"),
    (("w", 0, 1, 0.1), {"value": 0.35}, ValueError, "not on the grid"),
    (("w", 0, 1, 0.1), {"value": "0.5"}, TypeError, "real number"),
    (("w", 0, 1, 0.1), {"label": 5}, TypeError, "label must be a str"),
])
def test_slider_rejects_bad_ranges(args, kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        Slider(*args, **kwargs)
    assert "Slider" in str(info.value)


def test_slider_float_grid_is_exact_decimals():
    s = Slider("lr", 0.02, 0.22, 0.02, value=0.1, label="learning rate")
    assert len(s) == 11
    assert s.values[0] == 0.02 and s.values[-1] == 0.22
    assert s.values[4] == 0.1 and s.value == 0.1 and s.index == 4
    assert [s.format(v) for v in s.values[:3]] == ["0.02", "0.04", "0.06"]
    assert s.label == "learning rate"


def test_slider_integer_grid_and_default_middle():
    s = Slider("epochs", 0, 10, 2)
    assert s.integer and s.values == [0, 2, 4, 6, 8, 10]
    assert all(isinstance(v, int) for v in s.values)
    assert s.value == 4          # nearest the middle, on the grid
    assert s.label == "epochs" and s.format(4) == "4"


@settings(max_examples=40, deadline=None)
@given(start=st.integers(-50, 50), k=st.integers(1, 60),
       step=st.sampled_from([0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5]))
def test_slider_grid_property(start, k, step):
    start = start * step
    stop = start + k * step
    s = Slider("v", start, stop, step)
    assert len(s) == k + 1
    assert s.values[0] == pytest.approx(start) and s.values[-1] == pytest.approx(stop)
    assert np.allclose(np.diff(s.values), step)
    assert s.values[0] <= s.value <= s.values[-1]


# ------------------------------------------------------------------- Demo
def test_demo_rejects_bad_arguments():
    s = Slider("w", 0, 1, 0.5)
    with pytest.raises(TypeError, match="callable"):
        Demo(42, s)
    with pytest.raises(ValueError, match="at least one Slider"):
        Demo(line_fig)
    with pytest.raises(TypeError, match="Slider objects"):
        Demo(line_fig, (0, 1, 0.5))
    with pytest.raises(ValueError, match="unique"):
        Demo(line_fig, s, Slider("w", 0, 2, 1))
    with pytest.raises(TypeError, match="title"):
        Demo(line_fig, s, title=3)
    with pytest.raises(ValueError, match="too many"):
        Demo(line_fig, Slider("w", 0, 20, 1), Slider("b", 0, 10, 1))   # 21 x 11
    assert Demo(line_fig, Slider("w", 0, MAX_FRAMES - 1, 1)).n_frames == MAX_FRAMES


def test_render_checks_what_fn_returns():
    with pytest.raises(TypeError, match="must return a matplotlib Figure"):
        Demo(lambda w: "not a figure", Slider("w", 0, 1, 0.5)).render(w=0)
    bad_extra = Demo(lambda w: (line_fig(w), 3.0), Slider("w", 0, 1, 0.5))
    with pytest.raises(TypeError, match="DataFrame, a str or an HTML"):
        bad_extra.image(w=0)


def test_an_error_in_fn_names_the_demo_and_values():
    def broken(w):
        raise ZeroDivisionError("boom")
    demo = Demo(broken, Slider("w", 0, 1, 0.5), title="Broken demo")
    with pytest.raises(ZeroDivisionError) as info:
        demo.frames()
    assert "Broken demo" in "".join(info.value.__notes__)
    assert "'w': 0.0" in "".join(info.value.__notes__)


def test_frames_cover_the_grid_first_slider_slowest():
    demo = Demo(line_with_table, Slider("w", -1, 1, 1), Slider("b", 0, 1, 1))
    frames = demo.frames()
    assert [v for v, _, _ in frames] == [
        {"w": -1, "b": 0}, {"w": -1, "b": 1}, {"w": 0, "b": 0},
        {"w": 0, "b": 1}, {"w": 1, "b": 0}, {"w": 1, "b": 1}]
    pngs = [png for _, png, _ in frames]
    assert all(p.startswith(PNG_SIGNATURE) for p in pngs)
    assert len(set(pngs)) == len(pngs)              # each setting draws differently
    assert all("<table" in extra for _, _, extra in frames)
    from PIL import Image
    img = Image.open(io.BytesIO(pngs[0]))
    assert img.size == (3 * _STATIC_DPI, 2 * _STATIC_DPI)   # figsize x static dpi


def test_extra_kinds_are_rendered_as_html():
    from IPython.display import HTML
    for extra, expect in [("a < b", "<pre class=\"bplib-text\">a &lt; b</pre>"),
                          (HTML("<b>bold</b>"), "<b>bold</b>"), (None, "")]:
        demo = Demo(lambda w, e=extra: (line_fig(w), e), Slider("w", 0, 1, 1))
        assert demo.image(w=0)[1] == expect


def test_pyplot_figures_are_closed():
    import matplotlib.pyplot as plt

    def with_pyplot(w):
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot([0, 1], [0, w])
        return fig
    before = set(plt.get_fignums())
    Demo(with_pyplot, Slider("w", 0, 2, 1)).frames()
    assert set(plt.get_fignums()) == before


def wide_labels_fig(w):
    """Constrained layout whose y tick labels get wider as w grows."""
    fig = Figure(figsize=(3, 2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_yticks([0, 1], ["0", "9" * (1 + 3 * w)])
    return fig


def test_fixed_layout_is_shared_and_leaves_room_for_every_frame():
    demo = Demo(wide_labels_fig, Slider("w", 0, 2, 1, value=0))
    boxes = []
    for values in demo.grid():
        fig, _ = demo.render(**values)
        FigureCanvasAgg(fig)
        demo._fix_layout(fig)
        assert type(fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"
        fig.canvas.draw()
        ax = fig.axes[0]
        boxes.append(ax.get_position().extents)
        assert ax.get_tightbbox(fig.canvas.get_renderer()).x0 >= 0, values   # labels fit
    assert np.allclose(boxes, boxes[0])                  # no jitter between frames
    own, _ = Demo(wide_labels_fig, Slider("w", 0, 2, 1), fixed_layout=False).render(w=2)
    FigureCanvasAgg(own).draw()
    assert boxes[0][0] == pytest.approx(own.axes[0].get_position().x0)  # widest frame's room


# ---------------------------------------------------------------- static
class _Tree(HTMLParser):
    """Collects start tags (name, attrs) and checks that tags nest properly."""
    VOID = {"img", "input", "br", "hr", "meta", "link"}

    def __init__(self):
        super().__init__()
        self.tags, self.stack, self.errors, self.script = [], [], [], ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unexpected </{tag}>")

    def handle_data(self, data):
        if self.stack and self.stack[-1] == "script":
            self.script += data


def parse(html):
    tree = _Tree()
    tree.feed(html)
    tree.close()
    assert not tree.errors and not tree.stack, (tree.errors, tree.stack)
    return tree


def test_static_html_is_self_contained_and_well_formed():
    demo = Demo(line_with_table, Slider("w", -1, 1, 1, value=0, label="weight w"),
                Slider("b", 0, 1, 1, value=1), title="A line")
    page = demo.to_html()
    assert not re.search(r"https?://|//cdn|require\.js", page)
    tree = parse(page)
    root_tag, root = tree.tags[0]
    assert root_tag == "div" and "bplib-demo" in root["class"]
    uid = root["id"]
    assert int(root["data-frames"]) == 6
    # no external resources: every src is inline data, no <link>, scripts inline
    assert all(a["src"].startswith("data:image/png;base64,")
               for t, a in tree.tags if "src" in a and t != "script")
    assert not [t for t, a in tree.tags if t == "link" or (t == "script" and "src" in a)]
    assert "function" in tree.script and uid in tree.script
    inputs = [a for t, a in tree.tags if t == "input"]
    assert [(a["type"], a["min"], a["max"], a["value"]) for a in inputs] == [
        ("range", "0", "2", "1"), ("range", "0", "1", "1")]
    assert json.loads(inputs[0]["data-values"]) == ["-1", "0", "1"]
    labels = {a["for"] for t, a in tree.tags if t == "label"}
    assert labels == {a["id"] for a in inputs}      # every control is labelled
    frames = [a for t, a in tree.tags if t == "div" and a.get("class") == "bplib-frame"]
    assert len(frames) == 6
    shown = [a for a in frames if "hidden" not in a]
    assert [a["data-index"] for a in shown] == [str(1 * 2 + 1)]   # the initial values
    assert page.count("<table") == 6                              # extra per frame
    assert demo.to_html().split('id="')[1] != page.split('id="')[1]  # unique ids


def test_show_static_is_html_without_ipywidgets_and_live_is_a_widget():
    """One fresh interpreter: static show first (ipywidgets must stay unimported)."""
    code = ("import os, sys, bplib.interactive as bi\n"
            "import IPython.display as d\n"
            "shown = []\n"
            "d.display = lambda obj: shown.append(obj)\n"
            "demo = bi.Demo(lambda w: __import__('matplotlib.figure').figure.Figure(),"
            " bi.Slider('w', 0, 1, 1))\n"
            "os.environ['BPLIB_STATIC'] = '1'; demo.show()\n"
            "print(type(shown[-1]).__name__, 'ipywidgets' in sys.modules)\n"
            "os.environ['BPLIB_STATIC'] = '0'; demo.show()\n"
            "print(type(shown[-1]).__name__, 'ipywidgets' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=180, env={k: v for k, v in os.environ.items()
                                           if k != "BPLIB_STATIC"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["HTML", "False", "VBox", "True"]


# ------------------------------------------------------------------ live
def test_live_widget_updates_in_place_when_driven():
    demo = Demo(line_with_table, Slider("w", -1, 1, 0.5, value=0), Slider("b", 0, 1, 1))
    live = demo.widget(prefetch=False)
    first, image = bytes(live.image.value), live.image
    assert first.startswith(PNG_SIGNATURE) and "<table" in live.extra.value
    live.controls["w"].value = 1.0
    assert live.image is image                      # same widget, new value: no flicker
    assert bytes(live.image.value) != first
    assert ">1.0<" in live.extra.value
    live.controls["w"].value = 0.0                   # back: same picture (pure, memoised)
    assert bytes(live.image.value) == first
    assert len(live.timings) == 3 and all(t >= 0 for t in live.timings)
    assert set(live.controls) == {"w", "b"} and live.values == {"w": 0.0, "b": 0}


def test_live_prefetch_fills_every_frame_and_matches_direct_render():
    demo = Demo(line_fig, Slider("w", 0, 2, 1))
    live = demo.widget(prefetch=True)
    live.thread.join(timeout=60)
    assert len(demo._cache) == 3
    live.controls["w"].value = 2
    assert bytes(live.image.value) == demo.image(w=2)[0]


def test_prefetch_waits_while_the_reader_moves_a_control():
    demo = Demo(line_fig, Slider("w", 0, 4, 1, value=0))
    live = demo.widget(prefetch=False)
    live.QUIET_S = 60.0                              # no timing luck needed below
    assert not live._moving()                        # drawing the first frame is no move
    live.controls["w"].value = 3
    assert live._moving()
    live._last_move -= live.QUIET_S
    assert not live._moving()


def test_an_update_overtaken_by_a_move_does_not_show_its_old_frame():
    demo = Demo(line_fig, Slider("w", 0, 2, 1, value=0))
    live = demo.widget(prefetch=False)
    direct = demo.live_frame

    def slow_frame(key, wait=True):
        png = direct(key, wait=wait)
        if key == (0,):
            live.controls["w"].value = 2   # the reader moves while frame 0 is drawn
        return png
    demo.live_frame = slow_frame
    live.update()                          # as the prefetch thread's refresh does
    assert bytes(live.image.value) == direct((2,))[0]


def test_live_error_is_shown_not_raised():
    def fragile(w):
        if w > 0:
            raise ValueError("w too large for this demo")
        return line_fig(w)
    live = Demo(fragile, Slider("w", 0, 1, 1, value=0)).widget(prefetch=False)
    live.controls["w"].value = 1
    assert "w too large" in live.extra.value


# ------------------------------------------------ sweep over chapter demos
def all_demo_factories():
    return [pytest.param(fn, id=name) for name, fn in demo_factories().items()]


def corner_settings(demo):
    """Min, middle and max of every control (others at their initial values)."""
    settings_ = []
    for s in demo.sliders:
        for k in (0, len(s) // 2, len(s) - 1):
            values = dict(demo.initial)
            values[s.name] = s.values[k]
            if values not in settings_:
                settings_.append(values)
    low = {s.name: s.values[0] for s in demo.sliders}
    high = {s.name: s.values[-1] for s in demo.sliders}
    return settings_ + [v for v in (low, high) if v not in settings_]


def has_content(fig):
    """True if some axes draws finite data (a line, patch, image or collection)."""
    for ax in fig.axes:
        for line in ax.lines:
            x, y = (np.asarray(a, dtype=float) for a in line.get_data())
            if np.isfinite(x).any() and np.isfinite(y).any():
                return True
        if ax.collections or ax.images or ax.patches:
            return True
    return False


def test_demo_factories_are_discovered():
    assert demo_factories(), "no *_demo factory found in bplib/demos"


@pytest.mark.parametrize("factory", all_demo_factories())
def test_every_demo_renders_at_min_middle_max(factory):
    import matplotlib.pyplot as plt
    required = [p for p in inspect.signature(factory).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                       p.POSITIONAL_OR_KEYWORD)]
    assert not required, (f"{factory.__module__}.{factory.__name__} needs arguments "
                          f"{[p.name for p in required]}: give them defaults "
                          "(e.g. the chapter's data) so the demo can be swept")
    demo = factory()
    assert isinstance(demo, Demo)
    assert demo.n_frames <= 81, f"{demo.n_frames} frames makes a heavy page"
    before = set(plt.get_fignums())
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # overflow etc. would reach the book
        for values in corner_settings(demo):
            fig, extra = demo.render(**values)
            try:
                assert fig.axes, f"{values}: the figure has no axes"
                assert has_content(fig), f"{values}: nothing finite is drawn"
                FigureCanvasAgg(fig).draw()     # drawing must not fail either
                _extra_html(extra)              # a kind of extra the page can show
            finally:
                plt.close(fig)
    assert set(plt.get_fignums()) == before, "figures were left open"
