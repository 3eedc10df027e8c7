"""The playground in JupyterLab: ipywidgets controls, play/pause/step/reset, one image.

Training runs on the kernel's own asyncio event loop, as the live sliders of
:mod:`bplib.figures.live` prepare their frames: each turn (``tick``) trains for about
``TRAIN_S`` seconds (at least one epoch), redraws the views and asks the loop to call
it again ``PAUSE_S`` later. Between turns the kernel reads the messages of the
widgets, so "pause" and every control answer at once. No thread, no lock.
"""

from __future__ import annotations

import asyncio
import html
import time

import ipywidgets as w

from bplib.playground.data import FEATURES
from bplib.playground.session import CHOICES, Session, Settings
from bplib.playground.views import PlaygroundView

__all__ = ["Playground", "show"]

#: Controls: setting name -> (label, widget kind); the values are ``CHOICES[name]``.
CONTROLS = {
    "dataset": ("data set", "dropdown"),
    "noise": ("noise", "slider"),
    "test_fraction": ("test share", "slider"),
    "batch_size": ("batch size", "slider"),
    "hidden_layers": ("hidden layers", "slider"),
    "units": ("units per layer", "slider"),
    "activation": ("activation", "dropdown"),
    "init": ("initialisation", "dropdown"),
    "loss": ("loss", "dropdown"),
    "optimizer": ("optimizer", "dropdown"),
    "lr": ("learning rate", "slider"),
    "penalty": ("penalty", "dropdown"),
    "lam": ("λ (penalty)", "slider"),
    "dropout": ("dropout p", "slider"),
}


class Playground:
    """The live playground: ``Playground()`` then display it (or ``.box``).

    ``controls``: setting name -> widget; ``feature_boxes``: feature -> Checkbox;
    ``buttons``: "play", "pause", "step", "reset"; ``epoch_label`` (the epoch
    counter), ``image`` (every view in one PNG), ``message`` (why training stopped).
    Changing any control starts a new session from epoch 0, and keeps playing if it
    was playing (so a play pressed just before a control's change is not lost);
    reset starts one paused. The play button is highlighted while it plays.
    """

    TRAIN_S = 0.03
    """Train for about this long per turn before redrawing."""
    PAUSE_S = 0.01
    """Give the kernel this long between turns to read the widgets' messages."""

    def __init__(self, settings=None):
        settings = (settings or Settings()).checked()
        style, layout = {"description_width": "9em"}, w.Layout(width="20em")
        self.controls = {}
        for name, (label, kind) in CONTROLS.items():
            options = [(_text(v), v) for v in CHOICES[name]]
            cls = w.Dropdown if kind == "dropdown" else w.SelectionSlider
            self.controls[name] = cls(options=options, value=getattr(settings, name),
                                      description=label, style=style, layout=layout)
        self.feature_boxes = {f: w.Checkbox(value=f in settings.features, description=f,
                                            indent=False, layout=w.Layout(width="6em"))
                              for f in FEATURES}
        self.buttons = {name: w.Button(description=name, icon=icon, tooltip=tip,
                                       layout=w.Layout(width="7em"))
                        for name, icon, tip in (
                            ("play", "play", "train until paused"),
                            ("pause", "pause", "stop after this turn"),
                            ("step", "step-forward", "train one epoch"),
                            ("reset", "refresh", "new weights, epoch 0"))}
        self.epoch_label = w.HTML()
        self.epoch_label.add_class("bplib-playground-epoch")
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
        self.message = w.HTML()
        self.message.add_class("bplib-playground-message")
        self.buttons["play"].on_click(lambda _: self.play())
        self.buttons["pause"].on_click(lambda _: self.pause())
        self.buttons["step"].on_click(lambda _: self.step())
        self.buttons["reset"].on_click(lambda _: self.reset())
        for c in [*self.controls.values(), *self.feature_boxes.values()]:
            c.observe(lambda _: self.restart(), names="value")
        self.playing, self._timer, self.updates = False, None, 0
        c = self.controls
        column = lambda *names: w.VBox([c[n] for n in names])  # noqa: E731
        self.box = w.VBox([
            w.HBox([*self.buttons.values(), self.epoch_label],
                   layout=w.Layout(align_items="center", flex_flow="row wrap")),
            w.HBox([column("dataset", "noise", "test_fraction", "batch_size"),
                    column("hidden_layers", "units", "activation", "init", "loss"),
                    column("optimizer", "lr", "penalty", "lam", "dropout")],
                   layout=w.Layout(flex_flow="row wrap")),
            w.HBox([w.HTML("features:"), *self.feature_boxes.values()],
                   layout=w.Layout(flex_flow="row wrap", align_items="center")),
            self.message, self.image])
        self.box.add_class("bplib-playground")
        self.reset()

    # ------------------------------------------------------------------ state
    @property
    def settings(self):
        """The settings the controls show now."""
        values = {name: c.value for name, c in self.controls.items()}
        picked = tuple(f for f, box in self.feature_boxes.items() if box.value)
        return Settings(features=picked, **values)

    def reset(self):
        """A new session from the controls (new weights, epoch 0), paused."""
        self.pause()
        settings = self.settings
        if not settings.features:
            self.message.value = _note("Tick at least one feature (x1, x2, ...).")
            return
        self.session = Session(settings)
        self.view = PlaygroundView(self.session)
        self.message.value = ""
        self.show()

    def restart(self):
        """A control changed: a new session, playing again if it was playing."""
        was_playing = self.playing
        self.reset()
        if was_playing:
            self.play()

    def show(self):
        """Redraw the views and the epoch counter."""
        self.view.update(self.session)
        self.image.value = self.view.png()
        self.epoch_label.value = f"<b>epoch {self.session.epoch}</b>"
        if self.session.error:
            self.message.value = _note(self.session.error)
        self.updates += 1

    # --------------------------------------------------------------- training
    def step(self):
        """One epoch, then redraw."""
        self.pause()
        if self.settings.features:
            self.session.step()
            self.show()

    def play(self):
        """Train turn after turn on the kernel's event loop until ``pause``."""
        if self.playing or self.session.error or not self.settings.features:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:        # no kernel loop (a plain script): nothing to do
            return
        self.playing = True
        self.buttons["play"].button_style = "success"
        self._timer = loop.call_later(0, self.tick, loop)

    def pause(self):
        """Stop training after the current turn."""
        self.playing = False
        self.buttons["play"].button_style = ""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def tick(self, loop=None):
        """One turn: train for about ``TRAIN_S`` seconds, redraw, schedule the next."""
        if not self.playing:
            return
        end = time.perf_counter() + self.TRAIN_S
        while self.session.step() and time.perf_counter() < end:
            pass
        self.show()
        if self.session.error:
            self.pause()
        elif loop is not None:
            self._timer = loop.call_later(self.PAUSE_S, self.tick, loop)

    def _ipython_display_(self):
        from IPython.display import display
        display(self.box)


def show(settings=None, *, epochs=30):
    """The live playground in JupyterLab; in the built book (``BPLIB_STATIC=1``), where
    no kernel answers its buttons, a still image of its views after ``epochs`` epochs."""
    from IPython.display import Image, display

    from bplib.figures import is_static
    if not is_static():
        display(Playground(settings).box)
        return
    session = Session(settings).run(epochs)
    display(Image(_small_png(PlaygroundView(session).png())))


def _small_png(png):
    """The PNG with at most 256 colours (about a third of the bytes, the same look)."""
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").quantize(256).save(out, format="PNG",
                                                                   optimize=True)
    return out.getvalue()


def _text(value):
    """How a choice is shown: names as they are, numbers in short form."""
    return value if isinstance(value, str) else f"{value:g}"


def _note(text):
    return (f'<p style="color:#b00020;max-width:60em;line-height:1.4">'
            f'{html.escape(text)}</p>')
