"""Data sets: the chapter-1 table, toy 2-D problems, and the handwritten digits.

All generators are seeded; the digits are shipped with the package (see
DIGITS_LICENSE.txt for the source, attribution and licence).
"""

from bplib.datasets.digits import DIGITS_ATTRIBUTION, load_digits
from bplib.datasets.toy import chapter1, circles, moons, noisy_line, spirals, xor

__all__ = ["chapter1", "noisy_line", "xor", "moons", "circles", "spirals", "load_digits",
           "DIGITS_ATTRIBUTION"]
