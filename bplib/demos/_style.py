"""Colours of the chapter figures: matplotlib's default cycle, resolved once.

matplotlib cannot cache the colours "C0".."C9" (they follow the current
``axes.prop_cycle``), so it re-reads the cycle at every conversion, about
0.25 ms each: a slider frame of the Chapter 4 graph spent 11 ms on it. The
figures use these hex strings instead (converted once, then cached).
"""

from matplotlib import rcParamsDefault
from matplotlib.colors import to_hex

#: ``C[k]`` is the colour matplotlib calls "Ck" in its default style.
C = tuple(to_hex(c) for c in rcParamsDefault["axes.prop_cycle"].by_key()["color"])
