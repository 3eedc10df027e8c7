"""The live form of a :class:`~bplib.figures.Demo` in JupyterLab: ipywidgets sliders
and one ``ipywidgets.Image`` whose PNG is replaced on each move (no flicker).

Each move shows ``demo.frame(...)``: from memory if it was shown or prepared before,
else drawn then. When the controls have been still for ``IDLE_S`` seconds, the
frames up to ``REACH`` steps away on each control are prepared, one per turn of
the kernel's own event loop, so a move that arrives meanwhile waits for at most
one frame. No thread, no lock: matplotlib only ever runs on the kernel's thread.
"""

from __future__ import annotations

import asyncio
import html

import ipywidgets as w

from bplib.figures.static_html import TABLE_CSS


class LiveDemo:
    """The live control of a :class:`~bplib.figures.Demo`.

    ``box``: the widget to display; ``controls``: slider name -> ipywidgets slider;
    ``image``: the ``ipywidgets.Image``; ``extra``: the ``ipywidgets.HTML`` beside it.
    """

    IDLE_S = 1.0
    """Prepare nearby frames after the controls have been still this long."""
    REACH = 2
    """Prepare the frames up to this many steps away on each control."""

    def __init__(self, demo):
        self.demo = demo
        self.controls = {}
        for s in demo.sliders:
            common = dict(value=s.value, description=s.label,
                          continuous_update=demo.continuous,
                          style={"description_width": "initial"},
                          layout=w.Layout(width="min(32em, 100%)"))
            if s.texts is not None:        # named choices: show the names
                self.controls[s.name] = w.SelectionSlider(
                    options=list(zip(s.texts, s.values)), **common)
                continue
            cls = w.IntSlider if s.integer else w.FloatSlider
            kw = {} if s.integer else {"readout_format": f".{s.decimals}f"}
            self.controls[s.name] = cls(min=s.start, max=s.stop, step=s.step, **common, **kw)
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
        self.extra = w.HTML(layout=w.Layout(flex="1 1 16em", min_width="16em",
                                            overflow="auto"))
        title = f"<b>{html.escape(demo.title)}</b>" if demo.title else ""
        row = w.Box([self.image, self.extra], layout=w.Layout(
            display="flex", flex_flow="row wrap", align_items="flex-start"))
        self.box = w.VBox([w.HTML(f"<style>{TABLE_CSS}</style>{title}"),
                           *self.controls.values(), row])
        self.box.add_class("bplib-demo")
        self._timer = None
        self.update()
        for c in self.controls.values():
            c.observe(self.update, names="value")

    @property
    def values(self) -> dict:
        """Current values of the controls, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def update(self, change=None):
        """Show the frame for the controls' current values (the sliders' observer)."""
        try:
            png, extra = self.demo.frame(**self.values)
        except Exception as exc:     # keep the control alive; say what went wrong
            self.extra.value = f'<pre class="bplib-error">{html.escape(repr(exc))}</pre>'
        else:
            self.image.value, self.extra.value = png, extra
        self._prepare_nearby_later()

    def nearby(self) -> list[dict]:
        """Values one control at a time up to ``REACH`` steps away (a reader moves one
        slider at a time), nearest first."""
        here = self.demo.key(**self.values)
        keys = {here[:i] + (k,) + here[i + 1:]
                for i, s in enumerate(self.demo.sliders)
                for k in range(max(here[i] - self.REACH, 0),
                               min(here[i] + self.REACH, len(s) - 1) + 1)}
        keys = sorted(keys, key=lambda k: sum(abs(a - b) for a, b in zip(k, here)))
        return [self.demo.values_at(k) for k in keys]

    def _prepare_nearby_later(self):
        """After ``IDLE_S`` still seconds, prepare the nearby frames (needs the
        kernel's running event loop; without one, as in a plain script, nothing)."""
        if self._timer is not None:
            self._timer.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        todo = self.nearby()
        self._timer = loop.call_later(self.IDLE_S, self._prepare_one, loop, todo)

    def _prepare_one(self, loop, todo):
        while todo and self.demo.is_ready(**todo[0]):
            todo.pop(0)
        if todo:
            try:
                self.demo.frame(**todo.pop(0))
            except Exception:      # shown by update() if the reader goes there
                pass
            self._timer = loop.call_later(0, self._prepare_one, loop, todo)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)
