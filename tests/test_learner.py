"""tools.learner: solution regions removed, outputs cleared, copies never overwritten."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.learner import (HIDE_TAG, NOTE_ID, PROMPTS, learner_notebook, main, make_copies,
                           strip_solutions, tag_solution_cells)

SOLVED = """\
sse = ...            # your answer
# BEGIN SOLUTION
sse = float(np.sum((3 * x - y) ** 2))
# END SOLUTION
ex.check_sse(sse)"""

FUNCTION = '''\
def f(x):
    """Doc."""
    # BEGIN SOLUTION
    return 2 * x
    # END SOLUTION
    return ...'''


def test_region_removed_rest_kept():
    assert strip_solutions(SOLVED) == "sse = ...            # your answer\nex.check_sse(sse)"
    assert strip_solutions(FUNCTION) == 'def f(x):\n    """Doc."""\n    return ...'


def test_several_regions_and_no_region():
    src = ("a = ...\n# BEGIN SOLUTION\na = 1\n# END SOLUTION\n"
           "b = ...\n# BEGIN SOLUTION\nb = 2\n# END SOLUTION\nprint(a, b)")
    assert strip_solutions(src) == "a = ...\nb = ...\nprint(a, b)"
    assert strip_solutions("x = 1\n# BEGIN SOLUTIONS are great") == \
        "x = 1\n# BEGIN SOLUTIONS are great"


@pytest.mark.parametrize("src, words", [
    ("# BEGIN SOLUTION\nx = 1", "never closed"),
    ("x = 1\n# END SOLUTION", "without a"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION", "inside another"),
])
def test_unmatched_markers_are_errors(src, words):
    with pytest.raises(ValueError, match=words):
        strip_solutions(src, "lab99.ipynb, cell 3")


def _lab():
    ex = new_markdown_cell("See [Chapter 9](../book/09-test.ipynb).\n\n"
                           ":::{exercise} Sums\n:label: lab99-sums\n\nAdd them.\n:::")
    see = new_markdown_cell("As in {ref}`lab99-sums`, and {ref}`other-label`.")
    cell = new_code_cell(SOLVED, execution_count=4,
                         outputs=[new_output("stream", name="stdout", text="14\n")])
    cell.metadata["tags"] = [HIDE_TAG]
    cell.metadata["mystnb"] = dict(PROMPTS)
    return new_notebook(cells=[ex, cell, see])


def test_learner_notebook_clears_outputs_tags_and_rewrites_exercises():
    nb = _lab()
    out = learner_notebook(nb)
    code = out.cells[1]
    assert code.source == "sse = ...            # your answer\nex.check_sse(sse)"
    assert code.outputs == [] and code.execution_count is None
    assert "tags" not in code.metadata and "mystnb" not in code.metadata
    assert out.cells[0].source == ("See [Chapter 9](book/09-test.ipynb).\n\n"
                                   "### Exercise 1: Sums\n\nAdd them.")
    assert out.cells[2].source == "As in Exercise 1, and {ref}`other-label`."
    assert "BEGIN SOLUTION" in nb.cells[1].source      # the source is not changed


def _write_labs(tmp_path):
    labs = tmp_path / "labs"
    labs.mkdir()
    nbformat.write(_lab(), labs / "lab99-test.ipynb")
    return labs, tmp_path / "work"


def test_copies_written_then_never_overwritten(tmp_path):
    labs, work = _write_labs(tmp_path)
    msgs = []
    report = make_copies(labs, work, out=msgs.append)
    target = work / "lab99-test.ipynb"
    assert report["written"] == [target]
    assert "BEGIN SOLUTION" not in target.read_text()
    target.write_text(target.read_text().replace("sse = ...", "sse = 14.0"))  # an answer
    msgs.clear()
    report = make_copies(labs, work, out=msgs.append)
    assert report == {"written": [], "kept": [target], "backups": [], "chapters": []}
    assert "sse = 14.0" in target.read_text()
    assert any("kept" in m for m in msgs) and any("--fresh" in m for m in msgs)


def test_fresh_renames_the_old_copy_first(tmp_path):
    labs, work = _write_labs(tmp_path)
    make_copies(labs, work, out=lambda m: None)
    target = work / "lab99-test.ipynb"
    target.write_text(target.read_text().replace("sse = ...", "sse = 14.0"))
    report = make_copies(labs, work, fresh={"other-lab"}, out=lambda m: None)
    assert report["kept"] == [target]                      # not named: kept
    report = make_copies(labs, work, fresh={"lab99-test"}, out=lambda m: None)
    backup = work / "lab99-test.backup-1.ipynb"
    assert report["backups"] == [backup] and "sse = 14.0" in backup.read_text()
    assert "sse = 14.0" not in target.read_text()
    make_copies(labs, work, fresh=True, out=lambda m: None)
    assert (work / "lab99-test.backup-2.ipynb").exists()


def test_cli(tmp_path, capsys):
    labs, work = _write_labs(tmp_path)
    assert main([str(labs), str(work)]) == 0
    assert main([str(labs), str(work)]) == 0
    assert "kept" in capsys.readouterr().out
    assert main([str(labs), str(work), "--fresh", "lab99-test.ipynb"]) == 0
    assert (work / "lab99-test.backup-1.ipynb").exists()
    assert main([str(tmp_path / "nope"), str(work)]) == 2


def test_tag_solution_cells(tmp_path):
    nb = _lab()
    nb.cells[1].metadata.pop("tags")
    nb.cells[1].metadata.pop("mystnb")
    nb.cells.append(new_code_cell("print(1)"))
    path = tmp_path / "lab.ipynb"
    nbformat.write(nb, path)
    assert tag_solution_cells(path) == 1
    again = nbformat.read(path, as_version=4)
    assert again.cells[1].metadata["tags"] == [HIDE_TAG]
    assert again.cells[1].metadata["mystnb"]["code_prompt_show"] == "Show the solution"
    assert "tags" not in again.cells[3].metadata
    assert tag_solution_cells(path) == 0


def test_learner_copies_carry_no_test_only_tags():
    nb = _lab()
    nb.cells[1].metadata["tags"] = [HIDE_TAG, "nbval-check-output", "keep-me"]
    nb.cells.append(new_code_cell("print(1)", metadata={"tags": ["nbval-check-output"]}))
    out = learner_notebook(nb)
    assert out.cells[1].metadata["tags"] == ["keep-me"]
    assert "tags" not in out.cells[3].metadata


def _write_book(tmp_path, text="chapter 9"):
    book = tmp_path / "book"
    book.mkdir(exist_ok=True)
    nbformat.write(new_notebook(cells=[new_markdown_cell(text)]), book / "09-test.ipynb")
    return book


def test_the_link_to_the_chapter_resolves_inside_work(tmp_path):
    labs, work = _write_labs(tmp_path)
    _write_book(tmp_path)
    report = make_copies(labs, work, out=lambda m: None)
    assert report["chapters"] == [work / "book" / "09-test.ipynb"]
    lab = nbformat.read(work / "lab99-test.ipynb", as_version=4)
    links = re.findall(r"\]\(([^)]+\.ipynb)\)", lab.cells[0].source)
    assert links == ["book/09-test.ipynb"]
    target = (work / links[0]).resolve()
    assert target.is_file() and work.resolve() in target.parents


def test_chapter_copies_follow_the_book_and_keep_the_learners_changes(tmp_path):
    labs, work = _write_labs(tmp_path)
    book = _write_book(tmp_path, "version 1")
    make_copies(labs, work, out=lambda m: None)
    copy = work / "book" / "09-test.ipynb"
    copy.write_text(copy.read_text().replace("version 1", "my notes"))   # the learner's
    assert make_copies(labs, work, out=lambda m: None)["chapters"] == []  # book unchanged
    assert "my notes" in copy.read_text()
    _write_book(tmp_path, "version 2")                                    # the book changes
    report = make_copies(labs, work, out=lambda m: None)
    assert report["chapters"] == [copy] and "version 2" in copy.read_text()
    backup = work / "book" / "09-test.backup-1.ipynb"
    assert backup in report["backups"] and "my notes" in backup.read_text()
    _write_book(tmp_path, "version 3")               # an untouched copy is just replaced
    report = make_copies(labs, work, out=lambda m: None)
    assert "version 3" in copy.read_text() and report["backups"] == []
    assert book.is_dir()


def test_every_link_of_the_real_labs_works_in_work(tmp_path):
    root = Path(__file__).resolve().parents[1]
    work = tmp_path / "work"
    make_copies(root / "labs", work, out=lambda m: None)
    found = 0
    for lab in sorted(work.glob("lab*.ipynb")):
        nb = nbformat.read(lab, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for link in re.findall(r"\]\(([^)\s#]+)(?:#[^)]*)?\)", cell.source):
                if "://" in link:
                    continue
                target = (lab.parent / link).resolve()
                assert target.is_file(), f"{lab.name}: dead link {link}"
                assert work.resolve() in target.parents, f"{lab.name}: {link} leaves work/"
                found += 1
    assert found >= 4     # every lab links to its chapter


def test_a_chapter_copy_says_where_its_text_reads_best(tmp_path):
    labs, work = _write_labs(tmp_path)
    _write_book(tmp_path, "chapter text with {glue:text}`n`")
    make_copies(labs, work, out=lambda m: None)
    copy = nbformat.read(work / "book" / "09-test.ipynb", as_version=4)
    note = copy.cells[0]
    assert note.cell_type == "markdown" and note.id == NOTE_ID
    assert "make book" in note.source and "_build/html/book/09-test.html" in note.source
    assert copy.cells[1].source == "chapter text with {glue:text}`n`"
    # the same chapter gives the same copy, so an unchanged book is not copied again
    assert make_copies(labs, work, out=lambda m: None)["chapters"] == []


def test_only_the_chapters_in_the_toc_are_copied(tmp_path):
    labs, work = _write_labs(tmp_path)
    book = _write_book(tmp_path)
    nbformat.write(new_notebook(cells=[new_markdown_cell("a draft")]), book / "10-draft.ipynb")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/index\nparts:\n"
                                       "  - chapters:\n      - file: book/09-test\n")
    report = make_copies(labs, work, out=lambda m: None)
    assert report["chapters"] == [work / "book" / "09-test.ipynb"]
    assert not (work / "book" / "10-draft.ipynb").exists()


def test_the_real_chapters_copied_are_those_of_the_toc(tmp_path):
    root = Path(__file__).resolve().parents[1]
    report = make_copies(root / "labs", tmp_path / "work", out=lambda m: None)
    listed = set(re.findall(r"file:\s*book/([\w-]+)", (root / "_toc.yml").read_text()))
    copied = {p.stem for p in report["chapters"]}
    assert copied == {n for n in listed if (root / "book" / f"{n}.ipynb").is_file()}


def test_every_lab_names_the_built_page_of_its_chapter():
    root = Path(__file__).resolve().parents[1]
    for lab in sorted((root / "labs").glob("lab0[1-4]*.ipynb")):
        first = nbformat.read(lab, as_version=4).cells[0].source
        chapter = re.search(r"\]\(\.\./book/([\w-]+)\.ipynb\)", first).group(1)
        assert f"_build/html/book/{chapter}.html" in first and "make book" in first, lab.name
