"""bplib: the small numpy library behind the backpropagation textbook.

Import the module that holds the concept you need, e.g.
``from bplib.layers import Dense`` or ``from bplib.losses import MSE``.
"""

__version__ = "0.1.0"
