"""The repository passes `ruff check` with the rules in pyproject.toml ([tool.ruff])."""

import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _ruff():
    """The ruff next to this Python (the test environment's), else one on PATH."""
    here = pathlib.Path(sys.executable).parent / "ruff"
    return str(here) if here.exists() else shutil.which("ruff")


def test_ruff_check_is_clean():
    ruff = _ruff()
    if ruff is None:
        pytest.fail("ruff is not installed: it is part of the 'test' extra "
                    "(pip install -e '.[test]')")
    result = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise", "."],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (
        "ruff check found problems (rules in pyproject.toml, [tool.ruff.lint]):\n"
        + result.stdout + result.stderr)


def test_ruff_finds_what_it_is_configured_to_find(tmp_path):
    """The configuration is read: an unused import and a mutable default are caught."""
    ruff = _ruff()
    if ruff is None:
        pytest.skip("ruff is not installed (reported by test_ruff_check_is_clean)")
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\n\ndef f(x=[]):\n    return x\n")
    result = subprocess.run([ruff, "check", "--no-cache", "--output-format", "concise",
                             "--config", str(ROOT / "pyproject.toml"), str(bad)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "F401" in result.stdout and "B006" in result.stdout
