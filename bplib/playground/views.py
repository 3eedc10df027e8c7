"""The playground's views, all in one matplotlib figure (one image to send per update).

* the network: every unit drawn as a small heat map of its output over the plane
  (inputs: the feature itself and hidden units: their activation, each scaled to its
  largest absolute value, 0 in the middle of the colour scale; sigmoid units and the
  output: as they are, 0.5 in the middle, the colour scale ending at 0 and 1), joined by lines whose colour is the weight's sign (blue
  positive, orange negative) and whose width grows with its size;
* the decision boundary: the output over the plane with the training points (white
  edges) and the test points (black edges);
* the training and test loss per epoch (without the penalty, which the title then
  says); the norm of the gradient per layer that the optimizer followed, ∂L/∂W (plus
  the penalty's gradient when one is on); accuracy and the confusion matrices.

The figure is made once; ``update(session)`` changes only the data of its artists.
The live figure is drawn as animations are ("blitting"): what never changes (axes,
ticks, labels) is drawn once and kept as a background image; each ``png()`` pastes
it and draws only the changing artists over it. The axes' limits move in steps
(doubling, whole decades), and only a step redraws the background. ``compact=True``
keeps the network, the boundary and the loss curves, drawn whole each time (the
book's precomputed frames).
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.colors import BoundaryNorm, LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, MaxNLocator, NullLocator
from PIL import Image

from bplib.playground.data import DOMAIN, features

__all__ = ["PlaygroundView", "CMAP", "DPI"]

DPI = 90
ORANGE, BLUE = "#f59322", "#0877bd"     # class 0, class 1 (and negative, positive weights)
CMAP = LinearSegmentedColormap.from_list("playground", [ORANGE, "#e8eaeb", BLUE])
BACKGROUND = LinearSegmentedColormap.from_list("playground_bg", ["#fbc58a", "#f4f5f6",
                                                                  "#8fc3e6"])
LEVELS = BoundaryNorm(np.linspace(0, 1, 11), CMAP.N)
"""Ten bands of colour over [0, 1] (the boundary lies where two bands meet, at 0.5)."""
BOUNDARY_RES, UNIT_RES = 60, 24


def _grid(res):
    """Points of a res x res grid over the square (res², 2), first row at the bottom."""
    t = np.linspace(-DOMAIN, DOMAIN, res)
    x1, x2 = np.meshgrid(t, t)
    return np.column_stack([x1.ravel(), x2.ravel()])


class PlaygroundView:
    """The figure of a :class:`~bplib.playground.session.Session`; ``update`` redraws it.

    Parameters
    ----------
    session : Session
        Its settings fix the layout (the network's shape); ``update`` may be given
        another session of the same shape.
    compact : bool
        Network, boundary and loss only, in a smaller figure (the book's frames).
    epochs : int, optional
        A fixed end for the epoch axes (the book's runs, shown at several epochs);
        by default the axes grow in steps as training goes on.
    """

    def __init__(self, session, *, compact=False, epochs=None):
        self.compact, self.epochs = compact, epochs
        s = session.settings
        self.widths = [len(s.features)] + [s.units] * s.hidden_layers + [1]
        self.fig = Figure(figsize=(7.8, 2.7) if compact else (10.0, 6.4), dpi=DPI)
        if compact:
            gs = self.fig.add_gridspec(1, 3, width_ratios=[1.5, 1, 1], left=0.01,
                                       right=0.98, bottom=0.15, top=0.80, wspace=0.2)
            self.ax_net, self.ax_boundary, self.ax_loss = (self.fig.add_subplot(g)
                                                           for g in gs)
        else:
            gs = self.fig.add_gridspec(2, 3, width_ratios=[1.5, 1, 1], height_ratios=[1.25, 1],
                                       left=0.05, right=0.98, bottom=0.08, top=0.92,
                                       wspace=0.25, hspace=0.3)
            self.ax_net = self.fig.add_subplot(gs[0, :2])
            self.ax_boundary = self.fig.add_subplot(gs[0, 2])
            self.ax_loss = self.fig.add_subplot(gs[1, 0])
            self.ax_grad = self.fig.add_subplot(gs[1, 1])
            self.ax_conf = self.fig.add_subplot(gs[1, 2])
        self.title = self.fig.text(0.5, 0.985, "", ha="center", va="top", fontsize=10)
        self._boundary_grid, self._unit_grid = _grid(BOUNDARY_RES), _grid(UNIT_RES)
        self._setup_network(session)
        self._setup_boundary(session)
        penalty = s.penalty if session.penalty is not None else None     # "L1", "L2"
        self._setup_loss(s.loss, penalty)
        if not compact:
            self._setup_grad(penalty)
            self._setup_conf()
        self.canvas = FigureCanvasAgg(self.fig)
        self._limits, self._background = None, None
        # the artists that change, in drawing order (the points over the boundary)
        self.dynamic = [self.lines, *[im for col in self.unit_images for im in col],
                        self.boundary, *self.points, self.train_line, self.test_line,
                        self.title]
        if not compact:
            self.dynamic += [*self.grad_lines, *self.conf_texts.values()]
            for artist in self.dynamic:
                artist.set_animated(True)       # left out of the background
        self.update(session)

    # ------------------------------------------------------------------ layout
    def _node_xy(self):
        """Centre of every unit: one column per layer, units spread evenly."""
        return [[(3.0 * col, (n - 1) / 2 - k) for k in range(n)]
                for col, n in enumerate(self.widths)]

    def _setup_network(self, session):
        ax, half = self.ax_net, 0.4
        ax.set_axis_off()
        self.nodes = self._node_xy()
        top = max(self.widths)
        segments = [(a, b) for left, right in zip(self.nodes, self.nodes[1:])
                    for a in left for b in right]
        self.lines = LineCollection([((ax_ + half, ay), (bx - half, by))
                                     for (ax_, ay), (bx, by) in segments], zorder=1)
        ax.add_collection(self.lines)
        self.unit_images = []
        extent = lambda x, y: (x - half, x + half, y - half, y + half)  # noqa: E731
        for col in self.nodes:
            self.unit_images.append([ax.imshow(np.zeros((UNIT_RES, UNIT_RES)), cmap=CMAP,
                                               norm=LEVELS,
                                               origin="lower", extent=extent(x, y),
                                               interpolation="nearest", zorder=2)
                                     for x, y in col])
        names = list(session.settings.features)
        for (x, y), name in zip(self.nodes[0], names):
            ax.text(x - half - 0.1, y, name, ha="right", va="center", fontsize=8)
        ax.set_xlim(-2.2, 3.0 * (len(self.widths) - 1) + 0.6)
        ax.set_ylim(-(top - 1) / 2 - 0.6, (top - 1) / 2 + 0.6)
        _title(ax, "network: each unit's output over the plane")

    def _setup_boundary(self, session):
        ax = self.ax_boundary
        self.boundary = ax.imshow(np.zeros((BOUNDARY_RES, BOUNDARY_RES)), cmap=BACKGROUND,
                                  norm=LEVELS, origin="lower", interpolation="nearest",
                                  extent=(-DOMAIN, DOMAIN, -DOMAIN, DOMAIN))
        colours = np.array([ORANGE, BLUE])
        self.points = [ax.scatter(*session.X_train.T, c=colours[session.y_train], s=11,
                                  edgecolors="white", linewidths=0.5),
                       ax.scatter(*session.X_test.T, c=colours[session.y_test], s=11,
                                  edgecolors="black", linewidths=0.5)]
        ax.set_xlim(-DOMAIN, DOMAIN)
        ax.set_ylim(-DOMAIN, DOMAIN)
        ax.set_xticks([])          # fewer texts, faster frames; the title says the range
        ax.set_yticks([])
        _title(ax, "output (test points: black edge)")

    def _setup_loss(self, loss, penalty=None):
        ax = self.ax_loss
        (self.train_line,) = ax.plot([], [], color="k", lw=1.2, label="train")
        (self.test_line,) = ax.plot([], [], color="tab:red", lw=1.2, label="test")
        ax.xaxis.set_major_locator(MaxNLocator(4, integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(4))
        ax.set_xlabel("epoch", fontsize=8)
        ax.xaxis.set_label_coords(0.5, -0.13)    # fixed: not re-placed at every draw
        ax.tick_params(labelsize=7)
        _title(ax, f"{loss}: train black, test red"
               + (f"\n(without the {penalty} penalty term)" if penalty else ""))

    def _setup_grad(self, penalty=None):
        ax = self.ax_grad
        n = len(self.widths) - 1
        self.grad_lines = [ax.plot([], [], lw=1.2, label=f"W({k + 1})")[0]
                           for k in range(n)]
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))  # plain text, no mathtext
        ax.yaxis.set_minor_locator(NullLocator())
        ax.legend(fontsize=7, loc="upper right", ncol=2, framealpha=0.8,
                  edgecolor="none")
        ax.set_xlabel("epoch", fontsize=8)
        ax.xaxis.set_label_coords(0.5, -0.13)    # fixed: not re-placed at every draw
        ax.tick_params(labelsize=7)
        _title(ax, "gradient norm per layer, ‖∂L/∂W‖"
               + (f"\n(with the {penalty} penalty's gradient)" if penalty else ""))

    def _setup_conf(self):
        ax = self.ax_conf
        ax.set_axis_off()
        ax.set_xlim(0, 6)
        ax.set_ylim(0, 4)
        _title(ax, "accuracy and confusion matrices")
        self.conf_texts = {}
        for j, part in enumerate(("train", "test")):
            x0 = 0.8 + 3 * j
            self.conf_texts[part, "acc"] = ax.text(x0 + 1, 3.4, "", ha="center",
                                                   fontsize=8)
            ax.text(x0 + 0.5, 2.75, "pred 0", ha="center", fontsize=7)
            ax.text(x0 + 1.5, 2.75, "pred 1", ha="center", fontsize=7)
            for r in range(2):
                for c in range(2):
                    ax.add_patch(_cell(x0 + c, 1.5 - r, ORANGE if c == 0 else BLUE))
                    self.conf_texts[part, r, c] = ax.text(
                        x0 + c + 0.5, 2.0 - r, "", ha="center", va="center", fontsize=9)
            ax.text(x0 - 0.1, 2.0, "true 0", ha="right", va="center", fontsize=7)
            ax.text(x0 - 0.1, 1.0, "true 1", ha="right", va="center", fontsize=7)

    # ------------------------------------------------------------------ update
    def update(self, session):
        """Show ``session`` as it is now: maps, boundary, curves, scores and title."""
        s, h = session.settings, session.history
        outs = session.unit_outputs(self._unit_grid)
        maps = [features(self._unit_grid, s.features)] + outs
        in_01 = [False] + [s.activation == "sigmoid"] * s.hidden_layers + [True]
        for images, A, already in zip(self.unit_images, maps, in_01):
            for k, im in enumerate(images):
                a = A[:, k].reshape(UNIT_RES, UNIT_RES)
                if not already:     # scaled to this unit's largest value: 0 in the middle
                    a = 0.5 + 0.5 * a / max(float(np.abs(a).max()), 1e-12)
                im.set_data(a)      # sigmoid units and the output: in [0, 1] already
        weights = [layer.params["W"] for layer in session.dense_layers]
        w = np.concatenate([W.ravel() for W in weights])
        big = max(float(np.abs(w).max()), 1e-12)
        self.lines.set_color(np.where(w[:, None] > 0, _rgba(BLUE), _rgba(ORANGE)))
        self.lines.set_linewidth(0.3 + 3.0 * np.abs(w) / big)
        self.boundary.set_data(session.predict_proba(self._boundary_grid)
                               .reshape(BOUNDARY_RES, BOUNDARY_RES))
        epochs = np.arange(len(h["train_loss"]))
        self.train_line.set_data(epochs, h["train_loss"])
        self.test_line.set_data(epochs, h["test_loss"])
        top = max(max(h["train_loss"]), max(h["test_loss"]))
        end = self.epochs or _steps(len(epochs) - 1)
        limits = [(0, end), (0, 1.05 * top if top > 0 else 1)]
        if not self.compact:
            limits += self._update_grad(h["grad_norm"])
            self._update_conf(session.scores())
        if limits != self._limits:              # a new step: redraw the background
            self._limits, self._background = limits, None
            self.ax_loss.set_xlim(*limits[0])
            self.ax_loss.set_ylim(*limits[1])
            if not self.compact:
                self.ax_grad.set_xlim(*limits[2])
                self.ax_grad.set_ylim(*limits[3])
        status = "  (stopped: NaN or infinity)" if session.error else ""
        self.title.set_text(f"epoch {session.epoch}    train loss "
                            f"{_number(h['train_loss'][-1])}    test loss "
                            f"{_number(h['test_loss'][-1])}{status}")
        return self

    def _update_grad(self, norms):
        G = np.array(norms[1:], dtype=float).reshape(-1, len(self.grad_lines))
        epochs = np.arange(1, len(G) + 1)
        for k, line in enumerate(self.grad_lines):
            line.set_data(epochs, G[:, k])
        good = G[np.isfinite(G) & (G > 0)]
        lo, hi = (good.min(), good.max()) if good.size else (1e-3, 1.0)
        decades = (10.0 ** math.floor(math.log10(lo)), 10.0 ** math.ceil(math.log10(hi)))
        if decades[1] <= decades[0]:
            decades = (decades[0], decades[0] * 10)
        return [(0, _steps(len(G))), decades]

    def _update_conf(self, scores):
        for part, (acc, C) in scores.items():
            self.conf_texts[part, "acc"].set_text(f"{part}: {100 * acc:.1f}% right")
            for r in range(2):
                for c in range(2):
                    self.conf_texts[part, r, c].set_text(str(int(C[r, c])))

    def png(self):
        """The figure as PNG bytes (fast compression: it is sent, not stored)."""
        buf = io.BytesIO()
        if self.compact:
            self.fig.savefig(buf, format="png", dpi=DPI, pil_kwargs={"compress_level": 1})
            return buf.getvalue()
        if self._background is None:
            self.canvas.draw()                  # everything but the changing artists
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.dynamic:
            self.fig.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(),
                                 "raw", "RGBA", 0, 1)
        image.convert("RGB").save(buf, format="png", compress_level=1)
        return buf.getvalue()


def _steps(n):
    """An axis end for n epochs that moves in steps: 10, 20, 40, 80, ..."""
    top = 10
    while top < n:
        top *= 2
    return top


def _number(x):
    """A loss in the title: 0.031, or 1.23e+288 for a run on its way to overflowing."""
    return f"{x:.3f}" if abs(x) < 1e4 else f"{x:.3g}"


def _title(ax, text):
    """A title above ``ax`` as a plain text artist (``set_title`` re-places itself
    at every draw, measuring every tick label)."""
    ax.text(0.5, 1.03, text, transform=ax.transAxes, ha="center", va="bottom", fontsize=9)


def _rgba(colour):
    from matplotlib.colors import to_rgba
    return np.array(to_rgba(colour))


def _cell(x, y, colour):
    from matplotlib.patches import Rectangle
    return Rectangle((x, y), 1, 1, facecolor=colour, alpha=0.25, edgecolor="white")
