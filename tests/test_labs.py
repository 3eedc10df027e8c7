"""Every lab, generically: the solution notebook passes every check; the learner copy
(made by tools.learner) runs top to bottom and reports each exercise as not
attempted yet; every check of bplib/exercises/labNN.py is used by its lab; solution
cells are hidden behind a toggle in the book (tag ``hide-input``)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from bplib.exercises.feedback import MARKER_RE
from tools.learner import HIDE_TAG, has_solution, learner_notebook

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted((ROOT / "labs").glob("lab*.ipynb"))
CHECK_CALL = re.compile(r"^\s*ex\.(check_\w+)\(", re.MULTILINE)


def _module(lab: Path):
    number = re.match(r"lab(\d+)", lab.stem).group(1)
    return importlib.import_module(f"bplib.exercises.lab{number}")


def _execute(nb, cwd: Path):
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(cwd)}}).execute()
    return nb


def _statuses(nb):
    """[(cell index, status)] for every check marker printed in the notebook's outputs."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            text = out.get("text", "") or out.get("data", {}).get("text/plain", "")
            found += [(i, m) for m in MARKER_RE.findall(text)]
    return found


def _check_cells(nb):
    return [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and CHECK_CALL.search(c.source)]


@pytest.fixture(scope="module", params=LABS, ids=[p.stem for p in LABS])
def lab(request):
    return request.param


def test_there_are_labs():
    assert LABS, "no labs/lab*.ipynb found"


def test_solution_notebook_passes_every_check(lab, built_book):
    # The book build executed the solution notebook; its executed copy is checked here.
    nb = nbformat.read(built_book.parent / "executed" / "labs" / lab.name, as_version=4)
    statuses = _statuses(nb)
    cells = _check_cells(nb)
    assert cells, f"{lab.name}: no `ex.check_...(...)` cell"
    assert sorted({i for i, _ in statuses}) == cells, \
        f"{lab.name}: every check cell must display its Feedback (last line of the cell)"
    wrong = [(i, s) for i, s in statuses if s != "correct"]
    assert not wrong, f"{lab.name}: checks not correct in cells {wrong}"


def test_learner_copy_runs_and_reports_not_attempted(lab, tmp_path):
    nb = learner_notebook(nbformat.read(lab, as_version=4), lab.name)
    assert not any(has_solution(c.source) for c in nb.cells)
    _execute(nb, tmp_path)   # raises CellExecutionError on any error
    statuses = _statuses(nb)
    assert sorted({i for i, _ in statuses}) == _check_cells(nb)
    assert statuses and all(s == "not-attempted" for _, s in statuses), \
        f"{lab.name} (learner copy): {statuses}"


def test_every_check_of_the_lab_module_is_used(lab):
    module = _module(lab)
    defined = {n for n, f in vars(module).items() if n.startswith("check_") and callable(f)
               and getattr(f, "__module__", None) == module.__name__}
    nb = nbformat.read(lab, as_version=4)
    used = {m for c in nb.cells if c.cell_type == "code" for m in CHECK_CALL.findall(c.source)}
    assert defined, f"{module.__name__} defines no check_* function"
    assert defined <= used, f"checks never called in {lab.name}: {sorted(defined - used)}"
    assert used <= defined, f"{lab.name} calls checks that do not exist: {sorted(used - defined)}"


def test_solution_cells_are_hidden_in_the_book(lab):
    nb = nbformat.read(lab, as_version=4)
    untagged = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                and has_solution(c.source) and HIDE_TAG not in c.metadata.get("tags", [])]
    assert not untagged, (f"{lab.name}: solution cells {untagged} lack the '{HIDE_TAG}' tag; "
                          f"run: python -m tools.learner --tag labs/{lab.name}")


def test_every_check_has_a_hint_available(lab):
    module = _module(lab)
    lab_registry = getattr(module, "lab", None)
    if lab_registry is None:
        pytest.skip(f"{module.__name__} does not use core.Lab")
    for key in lab_registry.checks:
        assert "There is no exercise" not in repr(lab_registry.hint(key))
