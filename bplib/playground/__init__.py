"""The playground: train a small network on 2-D data and watch it learn.

One module per concept, each readable in a sitting:

* :mod:`~bplib.playground.data`: the four data sets, the train/test split, the input
  features (x1, x2, x1², x2², x1 x2, sin x1, sin x2);
* :mod:`~bplib.playground.session`: the reader's settings and the training session
  that steps a bplib network one epoch at a time (and says why when it diverges);
* :mod:`~bplib.playground.views`: every view in one matplotlib figure;
* :mod:`~bplib.playground.control`: the JupyterLab control (ipywidgets, play/pause);
* :mod:`~bplib.playground.book`: the kernel-less version over precomputed runs.
"""

from bplib.playground.data import DATASETS, FEATURES, features, make_data, split
from bplib.playground.session import CHOICES, Session, Settings, divergence_message

__all__ = ["DATASETS", "FEATURES", "make_data", "split", "features", "CHOICES", "Settings",
           "Session", "divergence_message", "Playground", "PlaygroundView",
           "playground_demo"]


def __getattr__(name):
    """The widget, the views and the book demo load matplotlib/ipywidgets on first use."""
    if name == "Playground":
        from bplib.playground.control import Playground
        return Playground
    if name == "PlaygroundView":
        from bplib.playground.views import PlaygroundView
        return PlaygroundView
    if name == "playground_demo":
        from bplib.playground.book import playground_demo
        return playground_demo
    raise AttributeError(f"module 'bplib.playground' has no attribute {name!r}")
