"""bplib.figures: sliders, demos, their frames, the static HTML and the live control.

Behaviour only: frames change when values change, the same values give the same
frame, the layout does not jump, every chapter demo is swept over every control and
fits its figure, and the live control prepares nearby frames on the kernel's loop."""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import warnings
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure
from PIL import Image

from bplib.demos import demo_factories
from bplib.figures import DPI, MAX_FRAMES, Demo, Slider
from bplib.figures.live import LiveDemo

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
    (("w", 0, 1, 0), {}, ValueError, r"step in \(0, inf\)"),
    (("w", 0, 1, -0.1), {}, ValueError, r"step in \(0, inf\)"),
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


def test_slider_snaps_to_the_nearest_grid_point():
    s = Slider("w", 0, 1, 0.25)
    assert [s.snap(v) for v in (-3, 0.1, 0.13, 0.9, 7)] == [0, 0, 1, 4, 4]


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


def test_frame_checks_what_fn_returns():
    with pytest.raises(TypeError, match="must return a matplotlib Figure"):
        Demo(lambda w: "not a figure", Slider("w", 0, 1, 0.5)).frame(w=0)
    bad_extra = Demo(lambda w: (line_fig(w), 3.0), Slider("w", 0, 1, 0.5))
    with pytest.raises(TypeError, match="DataFrame, a str or an HTML"):
        bad_extra.frame(w=0)


def test_an_error_in_fn_names_the_demo_and_values():
    def broken(w):
        raise ZeroDivisionError("boom")
    demo = Demo(broken, Slider("w", 0, 1, 0.5), title="Broken demo")
    with pytest.raises(ZeroDivisionError) as info:
        demo.frame(w=0.5)
    assert "Broken demo" in "".join(info.value.__notes__)
    assert "'w': 0.5" in "".join(info.value.__notes__)


def test_frames_cover_the_grid_differ_and_repeat_exactly():
    demo = Demo(line_with_table, Slider("w", -1, 1, 1), Slider("b", 0, 1, 1))
    grid = list(demo.grid())
    assert grid == [{"w": -1, "b": 0}, {"w": -1, "b": 1}, {"w": 0, "b": 0},
                    {"w": 0, "b": 1}, {"w": 1, "b": 0}, {"w": 1, "b": 1}]
    frames = [demo.frame(**v) for v in grid]
    pngs = [png for png, _ in frames]
    assert all(p.startswith(PNG_SIGNATURE) for p in pngs)
    assert len(set(pngs)) == len(pngs)              # each setting draws differently
    assert all("<table" in extra for _, extra in frames)
    assert Image.open(io.BytesIO(pngs[0])).size == (3 * DPI, 2 * DPI)
    fresh = Demo(line_with_table, Slider("w", -1, 1, 1), Slider("b", 0, 1, 1))
    assert fresh.frame(w=1, b=0) == frames[4]       # a pure fn gives the same bytes
    assert demo.frame(w=0.9, b=0.2) == frames[4]    # values snap to the grid
    assert demo.is_ready(w=1, b=0) and not fresh.is_ready(w=-1, b=0)


def test_extra_kinds_are_rendered_as_html():
    from IPython.display import HTML
    for extra, expect in [("a < b", "<pre class=\"bplib-text\">a &lt; b</pre>"),
                          (HTML("<b>bold</b>"), "<b>bold</b>"), (None, "")]:
        demo = Demo(lambda w, e=extra: (line_fig(w), e), Slider("w", 0, 1, 1))
        assert demo.frame(w=0)[1] == expect


def test_pyplot_figures_are_closed():
    def with_pyplot(w):
        fig, ax = plt.subplots(figsize=(2, 2))
        ax.plot([0, 1], [0, w])
        return fig
    before = set(plt.get_fignums())
    demo = Demo(with_pyplot, Slider("w", 0, 2, 1))
    for values in demo.grid():
        demo.frame(**values)
    assert set(plt.get_fignums()) == before


def wide_labels_fig(w):
    """Constrained layout whose y tick labels get wider as w grows."""
    fig = Figure(figsize=(3, 2), layout="constrained")
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1])
    ax.set_yticks([0, 1], ["0", "9" * (1 + w)])
    return fig


def test_layout_is_the_initial_frames_and_does_not_jump():
    demo = Demo(wide_labels_fig, Slider("w", 0, 2, 1, value=1))
    own = wide_labels_fig(1)
    own.draw_without_rendering()
    expected = own.axes[0].get_position().bounds
    # Whatever frame comes first, every frame's axes sit where the initial frame's do.
    for w in (2, 0, 1):
        fig, _ = demo.render(w=w)
        fig.draw_without_rendering()
        assert fig.axes[0].get_position().bounds == pytest.approx(expected), w
    pngs = [Image.open(io.BytesIO(demo.frame(w=w)[0])) for w in (0, 1, 2)]
    assert len({p.size for p in pngs}) == 1


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
    imgs = [a for t, a in tree.tags if t == "img"]
    assert {(a["width"], a["height"]) for a in imgs} == {(str(3 * DPI), str(2 * DPI))}
    assert demo.to_html().split('id="')[1] != page.split('id="')[1]  # unique ids


def test_show_static_is_html_without_ipywidgets_and_live_is_a_widget():
    """One fresh interpreter: static show first (ipywidgets must stay unimported)."""
    code = textwrap.dedent("""
        import os, sys, bplib.figures as bf
        import IPython.display as d
        shown = []
        d.display = lambda obj: shown.append(obj)
        demo = bf.Demo(lambda w: __import__('matplotlib.figure').figure.Figure(),
                       bf.Slider('w', 0, 1, 1))
        os.environ['BPLIB_STATIC'] = '1'; demo.show()
        print(type(shown[-1]).__name__, 'ipywidgets' in sys.modules)
        os.environ['BPLIB_STATIC'] = '0'; demo.show()
        print(type(shown[-1]).__name__, 'ipywidgets' in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=180, env={k: v for k, v in os.environ.items()
                                           if k != "BPLIB_STATIC"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["HTML", "False", "VBox", "True"]


# ------------------------------------------------------------------ live
def test_live_widget_updates_in_place_when_driven():
    demo = Demo(line_with_table, Slider("w", -1, 1, 0.5, value=0), Slider("b", 0, 1, 1))
    live = demo.widget()
    first, image = bytes(live.image.value), live.image
    assert first.startswith(PNG_SIGNATURE) and "<table" in live.extra.value
    live.controls["w"].value = 1.0
    assert live.image is image                      # same widget, new value: no flicker
    assert bytes(live.image.value) != first
    assert ">1.0<" in live.extra.value
    live.controls["w"].value = 0.0                   # back: the same picture
    assert bytes(live.image.value) == first
    assert set(live.controls) == {"w", "b"} and live.values == {"w": 0.0, "b": 0}


def test_live_error_is_shown_not_raised():
    def fragile(w):
        if w > 0:
            raise ValueError("w too large for this demo")
        return line_fig(w)
    live = Demo(fragile, Slider("w", 0, 1, 1, value=0)).widget()
    live.controls["w"].value = 1
    assert "w too large" in live.extra.value


def test_nearby_frames_are_each_control_moved_up_to_reach_steps_nearest_first():
    demo = Demo(line_fig, Slider("w", 0, 6, 1, value=1), Slider("b", 0, 4, 1, value=4))
    live = demo.widget()
    near = [(v["w"], v["b"]) for v in live.nearby()]
    assert near[0] == (1, 4)
    assert set(near) == {(0, 4), (1, 4), (2, 4), (3, 4), (1, 3), (1, 2)}
    dist = [abs(w - 1) + abs(b - 4) for w, b in near]
    assert dist == sorted(dist)


def test_still_controls_prepare_nearby_frames_on_the_running_loop(monkeypatch):
    monkeypatch.setattr(LiveDemo, "IDLE_S", 0.05)
    demo = Demo(line_fig, Slider("w", 0, 8, 1, value=0))

    async def session():
        live = demo.widget()                 # inside a running loop, as in a kernel
        live.controls["w"].value = 4         # a move restarts the wait, around w = 4
        assert not demo.is_ready(w=5)        # nothing drawn ahead at once
        for _ in range(200):
            await asyncio.sleep(0.05)
            if all(demo.is_ready(w=w) for w in range(2, 7)):
                break
        return live

    asyncio.run(session())
    assert all(demo.is_ready(w=w) for w in range(2, 7))     # within REACH = 2 of w = 4
    assert not demo.is_ready(w=8)                             # farther ones wait


def test_no_running_loop_prepares_nothing():
    demo = Demo(line_fig, Slider("w", 0, 4, 1, value=0))
    demo.widget()
    assert [demo.is_ready(w=w) for w in range(5)] == [True, False, False, False, False]


def test_a_live_kernel_prepares_nearby_frames_while_idle():
    """In a real IPython kernel (as JupyterLab runs), between messages."""
    from jupyter_client.manager import start_new_kernel
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        def run(code):
            out = []
            reply = kc.execute_interactive(
                code, timeout=60, output_hook=lambda m: out.append(
                    m["content"].get("text", "") if m["msg_type"] == "stream" else ""))
            assert reply["content"]["status"] == "ok", reply["content"]
            return "".join(out).strip()
        run("from bplib.figures import Demo, Slider, live\n"
            "from matplotlib.figure import Figure\n"
            "def fig(w):\n"
            "    f = Figure(figsize=(2, 2)); f.add_subplot().plot([0, w]); return f\n"
            "demo = Demo(fig, Slider('w', 0, 8, 1, value=4))\n"
            "view = demo.widget()\n"
            "ready = lambda: [w for w in range(9) if demo.is_ready(w=w)]\n"
            "print(ready())")
        import time
        deadline = time.monotonic() + 30
        while True:
            time.sleep(live_idle_s() + 0.5)
            ready = run("print(ready())")
            if ready == "[2, 3, 4, 5, 6]" or time.monotonic() > deadline:
                break
        assert ready == "[2, 3, 4, 5, 6]"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def live_idle_s():
    return LiveDemo.IDLE_S


# ------------------------------------------------ sweep over chapter demos
def all_demo_factories():
    return [pytest.param(fn, id=name) for name, fn in demo_factories().items()]


def sweeps(demo):
    """Each control moved over its whole grid, the others at their initial values."""
    for s in demo.sliders:
        yield s.name, [{**demo.initial, s.name: v} for v in s.values]


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
    assert len(demo_factories()) >= 7, sorted(demo_factories())


@pytest.mark.parametrize("factory", all_demo_factories())
def test_every_demo_sweeps_every_control_and_fits_its_figure(factory):
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
    boxes, sizes = None, set()
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # overflow etc. would reach the book
        for name, settings_ in sweeps(demo):
            previous = None
            for values in settings_:
                fig, _ = demo.render(**values)
                fig.draw_without_rendering()
                assert has_content(fig), f"{values}: nothing finite is drawn"
                placed = [ax.get_position().bounds for ax in fig.axes]
                boxes = placed if boxes is None else boxes
                assert placed == boxes, f"{values}: the axes moved (the layout jumps)"
                w, h = fig.get_size_inches()
                ink = fig.get_tightbbox()
                assert (ink.x0 > -0.02 and ink.y0 > -0.02 and ink.x1 < w + 0.02
                        and ink.y1 < h + 0.02), (
                    f"{values}: something is drawn outside the {w}x{h} in figure, "
                    f"at {ink.bounds} (a title or label cut off)")
                png, _ = demo.frame(**values)
                sizes.add(Image.open(io.BytesIO(png)).size)
                assert png != previous, f"moving {name} to {values[name]} changed nothing"
                previous = png
    assert len(sizes) == 1, f"frames of different sizes: {sizes}"
    assert set(plt.get_fignums()) == before, "figures were left open"
