"""Watching training: a progress bar and loss/accuracy curves while ``fit`` runs.

``TrainingMonitor`` is a callback for :func:`bplib.training.fit`::

    monitor = TrainingMonitor(every=5)
    history = net.fit(X, y, epochs=30, optimizer=SGD(lr=0.1),
                      validation_data=(X_val, y_val), callbacks=[monitor])

In JupyterLab it shows a progress bar with the epoch and the current loss, updated
after every epoch, and the curves of :func:`history_figure`, redrawn every ``every``
epochs and once more at the end. Everything happens inside ``fit``'s loop, on the
kernel's own thread (no thread, no timer): the widgets' new values reach the browser
while the cell is still running. When the book is built (``BPLIB_STATIC=1``) there is
no browser to update, so nothing is drawn during training and the final curves
appear once, as a static figure, when training ends.
"""

from __future__ import annotations

import html
import io

from matplotlib.figure import Figure

from bplib.figures.demo import DPI, is_static

__all__ = ["history_figure", "TrainingMonitor"]


def history_figure(logs, *, epochs=None, metric="accuracy", best_epoch=None,
                   title=None, figsize=(8.0, 3.2)):
    """Loss (left) and ``metric`` (right) per epoch, training and validation.

    Parameters
    ----------
    logs : dict[str, list[float]]
        ``History.history`` or the same kind of dict: "loss", optionally "val_loss",
        ``metric`` and ``"val_" + metric``; entry e belongs to epoch e + 1.
    epochs : int, optional
        Fix the x axis to 1..epochs (a live plot then does not rescale as it grows).
    best_epoch : int, optional
        The epoch (counting from 0) whose weights were kept: marked with a dotted line.
    """
    fig = Figure(figsize=figsize, layout="constrained")
    ax_loss, ax_metric = fig.subplots(1, 2)
    n = len(logs.get("loss", []))
    last = max(epochs or 0, n, 1)
    panels = ((ax_loss, "loss", "loss (log scale)"), (ax_metric, metric, metric))
    for ax, key, label in panels:
        for name, style in ((key, dict(color="C0", label="training")),
                            ("val_" + key, dict(color="C1", label="validation"))):
            values = logs.get(name, [])
            if values:
                ax.plot(range(1, len(values) + 1), values, marker="." if n < 40 else None,
                        **style)
        if best_epoch is not None:
            ax.axvline(best_epoch + 1, color="0.4", ls=":", lw=1,
                       label=f"kept: epoch {best_epoch + 1}")
        ax.set_xlim(0.5, last + 0.5)
        ax.set_xlabel("epoch")
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    if any(v > 0 for v in logs.get("loss", []) + logs.get("val_loss", [])):
        ax_loss.set_yscale("log")
    if metric == "accuracy":
        ax_metric.set_ylim(None, 1.0)
    handles = ax_metric.get_legend_handles_labels()[0]
    if handles:
        ax_metric.legend(loc="lower right", fontsize="small")
    if title:
        fig.suptitle(title)
    return fig


class TrainingMonitor:
    """A ``fit`` callback: progress bar with the current loss, and curves redrawn live.

    Parameters
    ----------
    every : int, default 5
        Redraw the curves after every ``every`` epochs (and after the last one). The
        progress bar moves after every epoch.
    metric : str, default "accuracy"
        The metric drawn in the right-hand panel.
    static : bool, optional
        True: draw nothing during training, show the final figure at the end (the
        book); False: the live widgets. Default: ``bplib.figures.is_static()``.
    title : str, optional
        Title of the figure.

    Attributes
    ----------
    logs : dict[str, list[float]]
        Everything seen so far, one value per epoch (like ``History.history``).
    epochs : int or None
        The number of epochs ``fit`` was asked for.
    redraws : int
        How many times the curves were drawn (live mode), for tests and the curious.
    """

    def __init__(self, every=5, *, metric="accuracy", static=None, title=None):
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"TrainingMonitor: every must be a positive int, got {every!r}")
        self.every, self.metric, self.title = every, metric, title
        self.static = is_static() if static is None else bool(static)
        self.logs: dict[str, list[float]] = {}
        self.epochs = None
        self.best_epoch = None
        self.redraws = 0
        self.bar = self.label = self.image = self.box = None

    # --------------------------------------------------------------- fit's hooks
    def on_train_begin(self, net, epochs):
        """Reset, and in live mode display the progress bar and an empty plot."""
        self.logs, self.epochs, self.best_epoch, self.redraws = {}, int(epochs), None, 0
        if not self.static:
            self._make_widgets()
            self._show(self.box)

    def __call__(self, net, epoch, logs):
        """After each epoch: record ``logs``, move the bar, redraw when due."""
        for key, value in logs.items():
            self.logs.setdefault(key, []).append(float(value))
        if self.bar is not None:
            self.bar.value = epoch + 1
            self.label.value = html.escape(self.progress_text())
            if self.due(epoch):
                self._redraw()

    def on_train_end(self, net, history):
        """The final curves: redrawn in place (live), or shown as a figure (static)."""
        self.best_epoch = getattr(history, "best_epoch", None)
        if self.bar is not None:
            self.bar.max = max(len(history), 1)      # early stopping ends it sooner
            self.bar.value = len(history)
            self.bar.bar_style = "success"
            self.label.value = html.escape(self.progress_text() + "  (done)")
            self._redraw()
        else:
            self._show(self.figure())

    # ------------------------------------------------------------------ logic
    def due(self, epoch) -> bool:
        """True when the curves are redrawn after ``epoch`` (counting from 0): every
        ``every`` epochs, but not after the last one, which ``on_train_end`` draws."""
        last = self.epochs is not None and epoch + 1 >= self.epochs
        return (epoch + 1) % self.every == 0 and not last

    def progress_text(self) -> str:
        """E.g. ``"epoch 12/30  loss 0.1234  val_loss 0.1500  val_accuracy 0.9630"``."""
        n = len(self.logs.get("loss", []))
        parts = [f"epoch {n}/{self.epochs if self.epochs is not None else '?'}"]
        for key in ("loss", "val_loss", "val_" + self.metric):
            if self.logs.get(key):
                parts.append(f"{key} {self.logs[key][-1]:.4f}")
        return "  ".join(parts)

    def figure(self):
        """The curves so far, as a matplotlib Figure (:func:`history_figure`)."""
        return history_figure(self.logs, epochs=self.epochs, metric=self.metric,
                              best_epoch=self.best_epoch, title=self.title)

    def png(self) -> bytes:
        """The curves so far as PNG bytes."""
        out = io.BytesIO()
        self.figure().savefig(out, format="png", dpi=DPI)
        return out.getvalue()

    # ---------------------------------------------------------------- display
    def _make_widgets(self):
        import ipywidgets as w
        self.bar = w.IntProgress(value=0, min=0, max=max(self.epochs or 1, 1),
                                 description="training", bar_style="info")
        self.label = w.HTML(value=html.escape(self.progress_text()))
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%", height="auto"))
        self.box = w.VBox([w.HBox([self.bar, self.label]), self.image])
        self.box.add_class("bplib-monitor")

    def _redraw(self):
        self.image.value = self.png()
        self.redraws += 1

    @staticmethod
    def _show(obj):
        from IPython.display import display
        display(obj)

    def __repr__(self):
        mode = "static" if self.static else "live"
        return f"TrainingMonitor(every={self.every}, metric={self.metric!r}, {mode})"
