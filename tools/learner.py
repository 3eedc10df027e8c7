"""Make learners' own copies of the labs: solutions removed, outputs cleared.

Usage::

    python -m tools.learner labs work              # new copies only (and the chapters)
    python -m tools.learner labs work --fresh lab01-error   # start one lab afresh
    python -m tools.learner labs work --fresh      # start every lab afresh
    python -m tools.learner --tag labs/lab01-error.ipynb    # for lab authors

Each ``labs/NAME.ipynb`` (the one source, with solutions) becomes ``work/NAME.ipynb``:

* in code cells, every region from a line ``# BEGIN SOLUTION`` to a line
  ``# END SOLUTION`` (both included, any indentation) is removed; the rest stays, so
  ``answer = ...`` lines and the checks remain;
* outputs and execution counts are cleared; the book-only ``hide-input`` tag and the
  test-only ``nbval-*`` tags are dropped;
* sphinx-exercise statements (``:::{exercise}`` ... ``:::`` with ``:label:``) become
  plain "### Exercise N" headings, and ``{ref}`label``` references "Exercise N", so the
  markdown reads well in JupyterLab.

* a link to a chapter, ``../book/NAME.ipynb``, becomes ``book/NAME.ipynb``: the chapters
  are copied into ``work/book/`` as well, because JupyterLab serves ``work/`` only and a
  link that leaves it is dead. Only the chapters that ``_toc.yml`` lists are copied (not
  drafts), and each copy starts with a note: run the chapter's code here, read its text,
  with its numbers, in the built book (JupyterLab shows the book's markup as it is).

A learner's existing copy is never overwritten: it is kept and reported. ``--fresh``
first renames it to ``NAME.backup-K.ipynb`` (K = 1, 2, ...) and then writes a new copy.
The chapter copies in ``work/book/`` are the book's own, so they are brought up to date
whenever the book changes (a chapter copy the learner edited is first renamed to
``NAME.backup-K.ipynb``, never lost).

``--tag`` (for lab authors) adds the ``hide-input`` tag (and the toggle's words, "Show
the solution", as myst-nb cell metadata) to every cell holding a solution region, so the
published book shows those cells closed behind a toggle, with their check's output
visible. The learner copies drop both.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
HIDE_TAG = "hide-input"
#: Tags that only the tests read (nbval): learners' copies do not carry them.
TEST_TAG_PREFIX = "nbval"
#: The folder of the chapters, relative to the labs' folder, and inside the learner's.
BOOK = "book"
#: myst-nb cell metadata: the toggle's words for a solution cell in the book.
PROMPTS = {"code_prompt_show": "Show the solution", "code_prompt_hide": "Hide the solution"}
_EXERCISE_OPEN = re.compile(r"^(:{3,}|`{3,})\{exercise\}\s*(.*)$")
_REF = re.compile(r"\{ref\}`([^`<]+)`")
_BOOK_LINK = re.compile(r"\]\(\.\./" + BOOK + r"/")
#: The first cell of a chapter's copy in ``work/book/`` (a fixed id, so that the copy of an
#: unchanged chapter is the same text each time).
NOTE_ID = "learner-copy-note"
NOTE = """\
**Your copy of this chapter, for running its code.** Run the cells, change the numbers,
move the sliders: this copy is yours. Its text, with every number filled in and every
figure and equation numbered, reads best in the built book: run `make book`, then open
`_build/html/book/{name}.html` in a browser. (Here in JupyterLab the text shows the
book's markup as it is: a role such as `{{glue:text}}` stands where the book prints a
number.)"""


def has_solution(source: str) -> bool:
    """True if ``source`` (a cell's text) holds a solution region."""
    return any(line.strip() == BEGIN for line in source.splitlines())


def strip_solutions(source: str, where: str = "cell") -> str:
    """Remove every ``# BEGIN SOLUTION`` .. ``# END SOLUTION`` region (markers included).

    Raises ValueError naming ``where`` for an unmatched or nested marker.
    """
    out, inside = [], False
    for n, line in enumerate(source.splitlines(keepends=True), start=1):
        mark = line.strip()
        if mark == BEGIN:
            if inside:
                raise ValueError(f"{where}, line {n}: '{BEGIN}' inside another solution region")
            inside = True
        elif mark == END:
            if not inside:
                raise ValueError(f"{where}, line {n}: '{END}' without a '{BEGIN}' before it")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{where}: '{BEGIN}' is never closed by '{END}'")
    return "".join(out).rstrip("\n")


def _plain_exercises(source: str, labels: dict, counter: list) -> str:
    """Rewrite sphinx-exercise fences as '### Exercise N: title' (labels -> numbers)."""
    lines, out, i = source.splitlines(), [], 0
    while i < len(lines):
        m = _EXERCISE_OPEN.match(lines[i].strip())
        if not m:
            out.append(lines[i])
            i += 1
            continue
        fence, title = m.group(1), m.group(2).strip()
        counter[0] += 1
        i += 1
        while i < len(lines) and lines[i].strip().startswith(":") and not \
                lines[i].strip().startswith(fence):
            opt = lines[i].strip()
            if opt.startswith(":label:"):
                labels[opt.split(":label:", 1)[1].strip()] = counter[0]
            i += 1
        out.append(f"### Exercise {counter[0]}" + (f": {title}" if title else ""))
        body = []
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        out.extend(body)
        i += 1  # skip the closing fence
    return "\n".join(out)


def learner_notebook(nb, where: str = "notebook"):
    """Return a learner copy of ``nb`` (an nbformat notebook); ``nb`` is not changed."""
    import copy

    nb = copy.deepcopy(nb)
    labels, counter = {}, [0]
    for i, cell in enumerate(nb.cells):
        tags = cell.metadata.get("tags", [])
        kept = [t for t in tags if t != HIDE_TAG and not t.startswith(TEST_TAG_PREFIX)]
        if "tags" in cell.metadata:
            if kept:
                cell.metadata["tags"] = kept
            else:
                cell.metadata.pop("tags")
        mystnb = cell.metadata.get("mystnb", {})
        for key in PROMPTS:
            mystnb.pop(key, None)
        if "mystnb" in cell.metadata and not mystnb:
            cell.metadata.pop("mystnb")
        if cell.cell_type == "code":
            cell.source = strip_solutions(cell.source, f"{where}, cell {i}")
            cell.outputs = []
            cell.execution_count = None
        elif cell.cell_type == "markdown":
            cell.source = _plain_exercises(cell.source, labels, counter)
            cell.source = _BOOK_LINK.sub("](" + BOOK + "/", cell.source)
        for key in ("execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _REF.sub(
                lambda m: f"Exercise {labels[m.group(1)]}" if m.group(1) in labels
                else m.group(0), cell.source)
    nb.metadata.pop("widgets", None)
    return nb


def _backup_path(path: Path) -> Path:
    k = 1
    while (path.parent / f"{path.stem}.backup-{k}{path.suffix}").exists():
        k += 1
    return path.parent / f"{path.stem}.backup-{k}{path.suffix}"


def chapter_copy(path: Path) -> str:
    """The text of the learner's copy of the chapter ``path``: the chapter, with a first
    cell saying where its text reads best (the built page ``_build/html/book/NAME.html``)."""
    import nbformat
    from nbformat.v4 import new_markdown_cell

    nb = nbformat.read(path, as_version=4)
    note = new_markdown_cell(NOTE.format(name=Path(path).stem))
    note.id = NOTE_ID
    nb.cells.insert(0, note)
    return nbformat.writes(nb) + "\n"


def toc_chapters(book: Path):
    """The chapters (stems) that ``_toc.yml`` beside ``book`` lists, or None without one."""
    toc = Path(book).parent / "_toc.yml"
    if not toc.is_file():
        return None
    found = re.findall(r"^\s*-?\s*(?:file|root):\s*" + BOOK + r"/([^\s#]+?)(?:\.ipynb)?\s*$",
                       toc.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return set(found)


def copy_chapters(book: Path, dst: Path, out=print) -> dict:
    """Copy the chapters ``book/*.ipynb`` into ``dst`` (the learner's ``work/book``).

    Only chapters listed in ``_toc.yml`` (next to ``book``) are copied, when there is one:
    a draft that is not in the book yet stays out. Each copy starts with a note on where
    to read the text (:func:`chapter_copy`). While the book's chapter is the one we
    copied last time (its copy kept in ``.NAME.ipynb.orig``), the learner's copy is left
    alone, whatever they did with it. When the book has changed, the copy is replaced; a
    copy the learner changed is first renamed to ``NAME.backup-K.ipynb``. Returns
    {"written": [...], "backups": [...]}.
    """
    report = {"written": [], "backups": []}
    dst.mkdir(parents=True, exist_ok=True)
    listed = toc_chapters(book)
    for path in sorted(Path(book).glob("*.ipynb")):
        if listed is not None and path.stem not in listed:
            continue
        text = chapter_copy(path)
        target = dst / path.name
        orig = dst / f".{path.name}.orig"
        ours = orig.read_text(encoding="utf-8") if orig.exists() else None
        if target.exists():
            if ours == text:                # the book has not changed since our copy
                continue
            current = target.read_text(encoding="utf-8")
            if current not in (text, ours):   # the learner changed it: keep their version
                backup = _backup_path(target)
                target.rename(backup)
                report["backups"].append(backup)
                out(f"moved your changed copy of the chapter to {backup}")
        target.write_text(text, encoding="utf-8")
        orig.write_text(text, encoding="utf-8")
        report["written"].append(target)
    if report["written"]:
        out(f"copied {len(report['written'])} chapter(s) into {dst} "
            "(the labs link to them there)")
    return report


def make_copies(src: Path, dst: Path, fresh=None, out=print, book=None) -> dict:
    """Write learner copies of ``src/*.ipynb`` into ``dst``, and the chapters beside them.

    ``fresh``: None (keep every existing copy), True (start all afresh) or a set of
    lab names (stems) to start afresh. ``book``: the chapters' folder (default: the
    ``book`` folder next to ``src``, if there is one), copied into ``dst/book`` so that
    the labs' links to their chapters work in JupyterLab. Returns {"written": [...],
    "kept": [...], "backups": [...], "chapters": [...]} as lists of Paths.
    """
    import nbformat

    src, dst = Path(src), Path(dst)
    if not src.is_dir():
        raise ValueError(f"learner: {src} is not a folder of lab notebooks")
    dst.mkdir(parents=True, exist_ok=True)
    report = {"written": [], "kept": [], "backups": [], "chapters": []}
    book = Path(book) if book is not None else src.parent / BOOK
    if book.is_dir():
        chapters = copy_chapters(book, dst / BOOK, out=out)
        report["chapters"] = chapters["written"]
        report["backups"] += chapters["backups"]
    for path in sorted(src.glob("*.ipynb")):
        target = dst / path.name
        if target.exists():
            if fresh is True or (fresh and path.stem in fresh):
                backup = _backup_path(target)
                target.rename(backup)
                report["backups"].append(backup)
                out(f"moved your old copy to {backup}")
            else:
                report["kept"].append(target)
                continue
        nb = learner_notebook(nbformat.read(path, as_version=4), str(path))
        nbformat.write(nb, target)
        report["written"].append(target)
        out(f"wrote {target}")
    if report["kept"]:
        out("kept your own copies (your answers are safe): "
            + ", ".join(str(p) for p in report["kept"]))
        name = report["kept"][0].stem
        out(f"to start a lab afresh, e.g. {name}: python -m tools.learner {src} {dst} "
            f"--fresh {name}  (your copy is first renamed {name}.backup-1.ipynb; "
            "--fresh alone starts every lab afresh), or delete your copy and run make lab")
    return report


def tag_solution_cells(path: Path) -> int:
    """Mark every cell of ``path`` holding a solution region to show closed in the book.

    Adds the ``hide-input`` tag and the toggle's words (:data:`PROMPTS`, myst-nb cell
    metadata "Show the solution"). Returns the number of cells changed.
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    changed = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and has_solution(cell.source):
            tags = cell.metadata.setdefault("tags", [])
            mystnb = cell.metadata.setdefault("mystnb", {})
            if HIDE_TAG not in tags or any(mystnb.get(k) != v for k, v in PROMPTS.items()):
                if HIDE_TAG not in tags:
                    tags.append(HIDE_TAG)
                mystnb.update(PROMPTS)
                changed += 1
    if changed:
        nbformat.write(nb, path)
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path,
                        help="SRC DST (folders), or notebooks with --tag")
    parser.add_argument("--fresh", nargs="*", metavar="NAME", default=None,
                        help="start these labs (all, if no name) afresh; old copies are "
                             "renamed, never deleted")
    parser.add_argument("--tag", action="store_true",
                        help="add the hide-input tag to solution cells of these notebooks")
    args = parser.parse_args(argv)
    try:
        if args.tag:
            for p in args.paths:
                print(f"{p}: tagged {tag_solution_cells(p)} solution cell(s)")
            return 0
        if len(args.paths) != 2:
            parser.error("give two folders: SRC (the labs) and DST (your working copies)")
        fresh = None if args.fresh is None else ({Path(n).stem for n in args.fresh} or True)
        make_copies(args.paths[0], args.paths[1], fresh=fresh)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
