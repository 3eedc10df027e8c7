"""Repository hygiene: packaging in sync, notebooks clean, the table of contents complete."""

from __future__ import annotations

import re
from pathlib import Path
import subprocess
import tomllib

import nbformat
import pytest
import yaml

from tools.nbclean import is_clean
from conftest import REPO_ROOT
from test_book import toc_files

NOTEBOOKS = sorted(p for folder in ("book", "labs") for p in (REPO_ROOT / folder).glob("*.ipynb"))


def normalise(requirement: str) -> tuple[str, str]:
    """'Sphinx >=7.2, <8' -> ('sphinx', '<8,>=7.2'): name and sorted specifiers."""
    match = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement)
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    specs = ",".join(sorted(s.strip().replace(" ", "") for s in match.group(2).split(",") if s.strip()))
    return name, specs


def pyproject() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())


def test_environment_yml_lists_the_same_packages_as_pyproject():
    project = pyproject()["project"]
    wanted = {normalise(r) for r in project["dependencies"]}
    for extra, reqs in project["optional-dependencies"].items():
        if extra != "bench":  # benchmark peers are not part of the environment
            wanted |= {normalise(r) for r in reqs}

    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    listed = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            listed |= {normalise(r) for r in dep["pip"] if not r.startswith("-e")}
        elif not dep.startswith(("python", "pip")) or dep.startswith("python-"):
            listed.add(normalise(dep))
    assert listed == wanted, (f"only in pyproject.toml: {sorted(wanted - listed)}; "
                              f"only in environment.yml: {sorted(listed - wanted)}")


def test_every_dependency_is_pinned_in_the_lock_file():
    project = pyproject()["project"]
    requirements = list(project["dependencies"])
    for extra in ("book", "lab", "test"):
        requirements += project["optional-dependencies"][extra]
    pins = {}
    for line in (REPO_ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==", 1)
            pins[normalise(name)[0]] = version.strip()
    missing = sorted({normalise(r)[0] for r in requirements} - pins.keys())
    assert not missing, f"not pinned in requirements.lock: {missing} (run make lock)"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean(notebook):
    nb = nbformat.read(notebook, as_version=4)
    images = [i for i, cell in enumerate(nb.cells) for out in cell.get("outputs", [])
              if any(k.startswith("image/") for k in out.get("data", {}))]
    assert not images, f"{notebook.name}: image outputs in cells {images}"
    assert is_clean(nb), (f"{notebook.name} has outputs other than checked text claims; "
                          f"run: python -m tools.nbclean {notebook.relative_to(REPO_ROOT)}")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_sliders_are_demos_not_kernel_bound_widgets(notebook):
    """Every slider goes through bplib.figures.Demo (live in JupyterLab, precomputed
    frames in the book); an ipywidgets control made in a notebook is dead in the book."""
    code = "\n".join(c.source for c in nbformat.read(notebook, as_version=4).cells
                     if c.cell_type == "code")
    bound = re.findall(r"\bipywidgets\b|\binteract(?:ive)?\s*\(|@interact", code)
    assert not bound, f"{notebook.name}: {sorted(set(bound))}; wrap the figure in a Demo"


def test_figure_machinery_uses_public_matplotlib_only():
    """bplib.figures reads no private attribute of another object, and runs no thread
    and no garbage-collector switch: matplotlib only ever runs on the kernel's thread."""
    for path in sorted((REPO_ROOT / "bplib" / "figures").glob("*.py")):
        code = path.read_text()
        used = re.findall(r"^\s*(?:import|from) (threading|gc|concurrent)\b", code, re.M)
        assert not used, f"{path.name} imports {used}"
        private = {f"{obj}.{attr}" for obj, attr in re.findall(r"(\w+)\.(_[a-z]\w*)", code)
                   if obj not in ("self", "bplib")       # its own, and bplib._validate
                   and attr != "_repr_html_"}             # IPython's display protocol
        assert not private, f"{path.name} reaches into private attributes: {sorted(private)}"


def test_table_of_contents_lists_every_notebook_and_nothing_missing():
    listed = set(toc_files())
    on_disk = {str(p.relative_to(REPO_ROOT).with_suffix("")) for p in NOTEBOOKS}
    assert on_disk <= listed, f"notebooks missing from _toc.yml: {sorted(on_disk - listed)}"
    for entry in listed:
        assert any((REPO_ROOT / entry).with_suffix(s).is_file() for s in (".ipynb", ".md")), entry


def test_ci_and_readme_use_the_test_command():
    assert "make test" in (REPO_ROOT / ".ci" / "run").read_text()
    assert "make test" in (REPO_ROOT / "README.md").read_text()


def test_the_repository_speaks_only_of_itself():
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True,
                             text=True, check=True).stdout.split()
    forbidden = re.compile("|".join(["/" + "work/", "/" + "tmp/team", "/" + "root/",
                                     "clau" + "de", "anthro" + "pic", "chat" + "gpt"]), re.I)
    hits = []
    for name in tracked:
        path = REPO_ROOT / name
        if path.suffix in (".npz", ".png", ".json") or not path.is_file():
            continue
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if forbidden.search(line):
                hits.append(f"{name}:{n}: {line.strip()[:80]}")
    assert not hits, "\n".join(hits)


@pytest.mark.parametrize("notebook", [p for p in NOTEBOOKS if p.parent.name == "book"],
                         ids=lambda p: p.name)
def test_chapter_keeps_its_key_numbers_for_comparison(notebook):
    """A chapter's worked numbers are compared by nbval, so a changed number fails a test."""
    nb = nbformat.read(notebook, as_version=4)
    checked = [c for c in nb.cells if c.cell_type == "code"
               and "nbval-check-output" in c.metadata.get("tags", []) and c.outputs]
    assert checked, f"{notebook.name}: no cell tagged nbval-check-output with a stored output"


@pytest.mark.parametrize("listing", ["README.md", "book/index.md"])
def test_chapter_lists_match_the_chapters_that_exist(listing):
    """The README's chapter list and the front page's path name every chapter, and no other."""
    chapters = {Path(f).name for f in toc_files() if re.match(r"book/\d\d-", f)}
    text = (REPO_ROOT / listing).read_text()
    named = set(re.findall(r"\b(\d\d-[a-z0-9-]+)\.ipynb", text))
    assert chapters, "no numbered chapter in _toc.yml"
    assert named == chapters, (f"{listing}: chapters missing {sorted(chapters - named)}, "
                               f"named but not in the book {sorted(named - chapters)}")


def glossary_terms() -> list[str]:
    """The terms defined in book/glossary.md's glossary directive, in order."""
    text = (REPO_ROOT / "book" / "glossary.md").read_text()
    body = text.split("```{glossary}\n", 1)[1].split("\n```", 1)[0]
    return [line for line in body.splitlines() if line and not line.startswith(" ")]


def test_every_glossary_term_is_linked_from_the_book_and_kept_in_order():
    terms = glossary_terms()
    assert len(terms) >= 40
    assert terms == sorted(terms, key=str.lower), "glossary terms out of alphabetical order"
    linked = set()
    for path in [*NOTEBOOKS, *(REPO_ROOT / "book").glob("*.md")]:
        for role in re.findall(r"\{term\}`([^`]*)`", path.read_text()):
            target = re.search(r"<([^>]*)>$", role)
            linked.add((target.group(1) if target else role).lower())
    unlinked = [t for t in terms if t.lower() not in linked]
    assert not unlinked, f"glossary terms no page links with {{term}}: {unlinked}"
