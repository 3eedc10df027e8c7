"""Shared fixtures: the repository root and the built book."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILD_HTML = REPO_ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


def build_book() -> subprocess.CompletedProcess:
    """Build the whole book as `make book` does: every notebook executed, warnings fatal."""
    env = dict(os.environ, BPLIB_STATIC="1")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run(
        [str(jupyter_book), "build", str(REPO_ROOT), "-W", "-n", "--keep-going"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True,
    )


def execution_reports() -> str:
    reports = sorted((BUILD_HTML / "reports").rglob("*.log")) if BUILD_HTML.exists() else []
    return "\n".join(f"--- {p.relative_to(REPO_ROOT)}\n{p.read_text()}" for p in reports)


@pytest.fixture(scope="session")
def built_book() -> Path:
    """The built HTML book (built once per test session).

    Set BPLIB_REUSE_BUILD=1 to reuse an existing ``_build/html`` while developing.
    """
    if os.environ.get("BPLIB_REUSE_BUILD") == "1" and (BUILD_HTML / "index.html").exists():
        return BUILD_HTML
    result = build_book()
    if result.returncode != 0:
        tail = (result.stdout + result.stderr)[-12000:]
        pytest.fail(f"the book build failed (exit {result.returncode}):\n{tail}\n"
                    f"execution reports:\n{execution_reports()}", pytrace=False)
    return BUILD_HTML


BOOK_TESTS = {"test_book.py", "test_browser.py"}


def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (``-n``, ``--dist loadgroup``), each file's tests run together
    in one worker: a notebook's cells share one kernel, a module's fixtures (a JupyterLab
    server) start once, and the tests of the built book share one build."""
    for item in items:
        name = item.path.name
        group = "built book" if name in BOOK_TESTS else str(item.path.relative_to(REPO_ROOT))
        item.add_marker(pytest.mark.xdist_group(group))
