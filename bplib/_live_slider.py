"""The live form of a :class:`bplib.interactive.Demo`: ipywidgets sliders and an
``ipywidgets.Image`` whose value is replaced on each move (no flicker).

Frames are memoised by grid point in the Demo; a background thread prefetches
the other frames, nearest first, pausing while the reader moves a control (so
the moves get the CPU). Use ``Demo.widget()`` rather than this module.
"""

from __future__ import annotations

import html
import itertools
import math
import threading
import time

from bplib.interactive import Demo


class LiveDemo:
    """The live control of a :class:`Demo`.

    Attributes: ``box`` (the widget to display), ``controls`` (slider name ->
    ipywidgets slider), ``image`` (an ``ipywidgets.Image`` whose value is
    replaced on each move: no flicker), ``extra`` (``ipywidgets.HTML``) and
    ``timings`` (seconds spent per update).
    """

    QUIET_S = 0.15
    """The prefetch waits until the controls have been still this long."""

    def __init__(self, demo: Demo, *, prefetch=True):
        import ipywidgets as w
        self.demo, self.timings = demo, []
        self._last_move = -math.inf
        self.controls = {}
        for s in demo.sliders:
            cls = w.IntSlider if s.integer else w.FloatSlider
            kw = {} if s.integer else {"readout_format": f".{s.decimals}f"}
            self.controls[s.name] = cls(
                value=s.value, min=s.start, max=s.stop, step=s.step, description=s.label,
                continuous_update=True, style={"description_width": "initial"}, **kw)
        self.image = w.Image(format="png")
        self.extra = w.HTML()
        parts = [w.HTML(f"<b>{html.escape(demo.title)}</b>")] if demo.title else []
        parts += [*self.controls.values(), w.HBox([self.image, self.extra])]
        self.box = w.VBox(parts)
        self.thread = None
        if prefetch:
            self.thread = threading.Thread(target=self._prefetch, daemon=True)
        self.update()
        for c in self.controls.values():
            c.observe(self.update, names="value")
        if prefetch:
            self.thread.start()

    @property
    def values(self) -> dict:
        """Current values of the controls, by name."""
        return {name: c.value for name, c in self.controls.items()}

    def update(self, change=None):
        """Show the frame for the controls' current values (observer callback)."""
        t0 = time.perf_counter()
        key = self.demo.snap(**self.values)
        try:
            png, extra = self.demo.live_frame(key, wait=self.thread is None)
        except Exception as exc:     # keep the control alive; say what went wrong
            self.extra.value = f'<pre class="bplib-error">{html.escape(repr(exc))}</pre>'
        else:
            if self.demo.snap(**self.values) == key:   # else a newer move shows its own
                self.image.value = png
                self.extra.value = extra
        done = time.perf_counter()
        self.timings.append(done - t0)
        if change is not None:         # a move by the reader, not the first draw
            self._last_move = done

    def _moving(self) -> bool:
        """True while the reader has moved a control in the last ``QUIET_S`` seconds."""
        return time.perf_counter() - self._last_move < self.QUIET_S

    def _prefetch(self):
        """Background: every frame, nearest first; then refresh the shown one
        (it may have been drawn before the shared layout existed)."""
        here = self.demo.snap(**self.values)
        keys = sorted(itertools.product(*(range(len(s)) for s in self.demo.sliders)),
                      key=lambda k: sum(abs(a - b) for a, b in zip(k, here)))
        for i, key in enumerate(keys):
            while i and self._moving():
                time.sleep(self.QUIET_S / 3)
            try:
                self.demo.live_frame(key)
            except Exception:         # shown by update() if the reader goes there
                pass
            if i == 0:
                self.update()

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)
