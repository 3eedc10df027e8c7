"""Every notebook of the book, checked from its one execution: the book build's.

The build (tools/build_book.py, shared by every test of a run through the ``built_book``
fixture) executes each notebook of the table of contents top to bottom in a fresh kernel
and stops on any error. Its executed copies land in ``_build/executed``. Here each
copy is checked as nbval's ``--nbval-lax`` mode would check a fresh run: no cell raised,
and every cell tagged ``nbval-check-output`` printed exactly what the committed notebook
stores (text and HTML outputs; images and widget ids are not compared, as in nbval).

A single notebook can still be run under nbval while writing it:
``pytest --nbval-lax book/07-losses.ipynb``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tools.build_book import toc_notebooks

ROOT = Path(__file__).resolve().parents[1]
CHECK_TAG = "nbval-check-output"
NOT_COMPARED = {"image/png", "image/jpeg", "application/vnd.jupyter.widget-view+json"}
NOTEBOOKS = toc_notebooks()


def comparable(outputs) -> list[tuple]:
    """A cell's outputs as nbval compares them: consecutive streams of one name joined,
    rich outputs by MIME type, images and widget ids left out."""
    found: list[tuple] = []
    for out in outputs:
        if out["output_type"] == "stream":
            if found and found[-1][:2] == ("stream", out["name"]):
                found[-1] = ("stream", out["name"], found[-1][2] + out["text"])
            else:
                found.append(("stream", out["name"], out["text"]))
        elif out["output_type"] == "error":
            found.append(("error", out["ename"], out["evalue"]))
        else:
            found += [(mime, value) for mime, value in sorted(out.get("data", {}).items())
                      if mime not in NOT_COMPARED]
    return found


def executed_copy(notebook: Path, built_book: Path) -> nbformat.NotebookNode:
    path = built_book.parent / "executed" / notebook.relative_to(ROOT)
    assert path.exists(), f"the build left no executed copy of {notebook.name} at {path}"
    return nbformat.read(path, as_version=4)


def test_the_book_has_notebooks():
    assert len(NOTEBOOKS) >= 12, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_ran_and_checked_outputs_match(notebook, built_book):
    committed = nbformat.read(notebook, as_version=4)
    executed = executed_copy(notebook, built_book)
    assert [c.source for c in executed.cells] == [c.source for c in committed.cells], \
        f"{notebook.name}: the executed copy is of another version of the notebook"
    errors = [i for i, c in enumerate(executed.cells) if c.cell_type == "code"
              and any(o["output_type"] == "error" for o in c.outputs)
              and "raises-exception" not in c.metadata.get("tags", [])]
    assert not errors, f"{notebook.name}: cells {errors} raised an error"
    for i, (mine, stored) in enumerate(zip(executed.cells, committed.cells)):
        if mine.cell_type != "code" or CHECK_TAG not in stored.metadata.get("tags", []):
            continue
        assert comparable(mine.outputs) == comparable(stored.outputs), (
            f"{notebook.name}, cell {i} ({CHECK_TAG}): the output changed.\n"
            f"stored:   {comparable(stored.outputs)}\nexecuted: {comparable(mine.outputs)}\n"
            f"If the new output is right, store it: execute the notebook and save it.")


def test_comparable_joins_streams_and_skips_images():
    outputs = [nbformat.v4.new_output("stream", name="stdout", text="a"),
               nbformat.v4.new_output("stream", name="stdout", text="b\n"),
               nbformat.v4.new_output("display_data", data={"image/png": "x", "text/plain": "F"})]
    assert comparable(outputs) == [("stream", "stdout", "ab\n"), ("text/plain", "F")]
