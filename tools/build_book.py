"""Build the book into _build/html, every notebook executed once, on all cores.

`jupyter-book build` executes the notebooks one after another. The book's configuration
asks it to take each notebook's outputs from a jupyter-cache instead
(``execute_notebooks: cache``); this tool first empties that cache, so no output can be
stale, executes every notebook of the table of contents into it in parallel (one fresh
kernel per notebook, top to bottom, as the build would), keeps a copy of each executed
notebook in ``_build/executed/`` (what the tests check), then runs the build. A notebook
that failed here is left out of the cache: the build executes it again and stops on its
error, with the traceback. Last, the built book is printed to ``_build/html/book.pdf``
(tools/print_pdf.py) when the machine has Chromium.

    python -m tools.build_book [--jobs N]

`make book` and the tests' book fixture both build this way.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution

from tools.chromium import find_chromium
from tools.print_pdf import print_book

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
CACHE = BUILD / ".jupyter_cache"  # the `execute: cache:` path of _config.yml
EXECUTED = BUILD / "executed"      # executed copies: _build/executed/book/01-error.ipynb
TIMEOUT_S = 900                   # the `execute: timeout:` of _config.yml


def toc_notebooks(toc: Path = ROOT / "_toc.yml") -> list[Path]:
    """The notebooks of the table of contents, chapters first (they take longest)."""
    files = []

    def walk(entries):
        for entry in entries:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("chapters", []) + entry.get("sections", []))

    spec = yaml.safe_load(toc.read_text())
    files.append(spec["root"])
    walk(spec.get("parts", []) + spec.get("chapters", []))
    notebooks = [ROOT / f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()]
    return sorted(notebooks, key=lambda p: p.parent.name != "book")


def _execute(path: Path) -> tuple[Path, nbformat.NotebookNode, float, str | None]:
    nb = nbformat.read(path, as_version=4)
    result = single_nb_execution(nb, cwd=str(path.parent), timeout=TIMEOUT_S,
                                 allow_errors=False)
    return path, nb, result.time, result.exc_string


def execute_all(notebooks: list[Path], jobs: int) -> list[Path]:
    """Execute the notebooks into a fresh cache; return those that failed."""
    for folder in (CACHE, EXECUTED):
        shutil.rmtree(folder, ignore_errors=True)
    cache = get_cache(str(CACHE))
    failed = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for path, nb, seconds, error in pool.map(_execute, notebooks):
            name = path.relative_to(ROOT)
            if error is not None:
                failed.append(path)
                print(f"{name}: FAILED after {seconds:.1f} s (the build will show why)")
                continue
            copy = EXECUTED / name
            copy.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, copy)
            cache.cache_notebook_bundle(
                CacheBundleIn(nb, str(path), data={"execution_seconds": seconds}),
                check_validity=False, overwrite=True)
            print(f"{name}: executed in {seconds:.1f} s")
    return failed


def build(jobs: int | None = None, quiet: bool = False) -> subprocess.CompletedProcess:
    """Execute every notebook, then build the HTML book; the build's completed process."""
    os.environ["BPLIB_STATIC"] = "1"  # sliders become kernel-less HTML, in every kernel
    for threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(threads, "1")  # the kernels already fill every core
    jobs = jobs or os.cpu_count() or 1
    start = time.perf_counter()
    notebooks = toc_notebooks()
    execute_all(notebooks, jobs)
    print(f"executed {len(notebooks)} notebooks on {jobs} processes in "
          f"{time.perf_counter() - start:.0f} s; building the pages")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "-W", "-n", "--keep-going"],
        cwd=ROOT, capture_output=quiet, text=True)
    print(f"built the pages in {time.perf_counter() - start:.0f} s")
    if result.returncode == 0:
        if find_chromium():
            start = time.perf_counter()
            pdf = print_book().relative_to(ROOT)
            print(f"printed the book to {pdf} in {time.perf_counter() - start:.0f} s")
        else:
            print("no Chromium on this machine, so no PDF (Debian/Ubuntu: apt-get install chromium)")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None,
                        help="notebooks executed at once (default: the number of cores)")
    return build(parser.parse_args(argv).jobs).returncode


if __name__ == "__main__":
    sys.exit(main())
