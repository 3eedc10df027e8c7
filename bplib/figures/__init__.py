"""Interactive figures: a :class:`Demo` is one pure function from :class:`Slider`
values to a matplotlib figure, shown live in JupyterLab and as precomputed frames
in the book. See :mod:`bplib.figures.demo`."""

from bplib.figures.demo import DPI, Demo, is_static
from bplib.figures.slider import MAX_FRAMES, Slider

__all__ = ["Demo", "Slider", "is_static", "MAX_FRAMES", "DPI"]
