"""Self-checking exercises for the labs.

:mod:`bplib.exercises.core` holds the toolkit (Feedback, check_number, check_array,
check_function, Mistake, combine, Lab); each ``labNN`` module holds one lab's checks.

How a lab is written (``labs/labNN-topic.ipynb`` with ``bplib/exercises/labNN.py``)
-------------------------------------------------------------------------------------
1. The module: ``lab = Lab("Lab N")`` and ``hint = lab.hint``; one check per exercise,
   ``@lab.exercise(k, hint="...")`` on a function named ``check_something`` that
   returns a Feedback built with the core checks (several parts: ``combine``). Give
   function checks fresh cases (not the notebook's example) from a fixed seed, and
   name the common mistakes with ``Mistake(name, message, value=...|function=...)``.
   Wrong sign, factors 2 / 1/2 / n / 1/n, transposes, hard-coded answers, ``None``
   returned and learner exceptions are recognised without being listed.
2. The notebook imports the module as ``ex``: ``from bplib.exercises import labNN as ex``.
3. Each exercise: a markdown cell with the statement, as a sphinx-exercise
   ``:::{exercise} Title`` / ``:label: labNN-name`` / text / ``:::`` (refer to it
   with ``{ref}`labNN-name```), then ONE code cell: the learner lines with ``...``,
   the solution between ``# BEGIN SOLUTION`` and ``# END SOLUTION``, and the check
   ``ex.check_something(...)`` as the cell's last line (so its Feedback displays).
   A function answer ends its body with ``return ...`` after the solution region.
4. Outside exercise cells, never use a learner's answer (in the learner copy it is
   ``...``): the learner copy must run top to bottom without an error.
5. Mark the solution cells for the book and clean the notebook::

       python -m tools.learner --tag labs/labNN-topic.ipynb
       python -m tools.nbclean labs/labNN-topic.ipynb

6. ``tests/test_labs.py`` then checks, for every lab: the solutions pass every check,
   the learner copy reports every exercise "not attempted yet", every ``check_*`` of
   the module is called in the notebook, and solution cells are hidden in the book.
   Test each named mistake in ``tests/test_exercises_labNN.py``.
"""

from .core import (Feedback, Hint, Lab, Mistake, check_array, check_function,  # noqa: F401
                   check_number, combine)
