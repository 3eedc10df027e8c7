"""Shared fixtures: the repository root and the built book."""

from __future__ import annotations

import fcntl
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
    """Build the whole book as `make book` does: every notebook executed once, warnings
    fatal. Its executed notebooks (``_build/executed``) are what tests/test_notebooks.py
    and tests/test_labs.py check, so no notebook of the book is executed twice in a run."""
    return subprocess.run([sys.executable, "-m", "tools.build_book"], cwd=REPO_ROOT,
                          env=dict(os.environ, BPLIB_STATIC="1"), capture_output=True, text=True)


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
    # Under pytest-xdist (make test) two test files may ask for the book in two
    # workers at once: the first builds it, the other waits and reuses that build.
    this_run = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid {os.getpid()}")
    stamp = REPO_ROOT / "_build" / "tested-build.txt"
    stamp.parent.mkdir(exist_ok=True)
    with open(REPO_ROOT / "_build" / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == this_run:
            return BUILD_HTML
        stamp.unlink(missing_ok=True)
        result = build_book()
        if result.returncode != 0:
            tail = (result.stdout + result.stderr)[-12000:]
            pytest.fail(f"the book build failed (exit {result.returncode}):\n{tail}\n"
                        f"execution reports:\n{execution_reports()}", pytrace=False)
        stamp.write_text(this_run)
    return BUILD_HTML

