"""Self-checking exercises for the labs: :mod:`bplib.exercises.core` holds the toolkit,
``labNN`` modules hold one lab's checks (``from bplib.exercises import lab01 as ex``)."""

from .core import (Feedback, Hint, Lab, Mistake, check_array, check_function,  # noqa: F401
                   check_number, combine)
