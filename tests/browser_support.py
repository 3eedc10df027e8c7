"""Shared by the browser tests (the static book, and the live notebooks in JupyterLab).

Chromium comes from the system's package manager (Debian/Ubuntu: ``apt-get install
chromium``), never from a download; set BPLIB_CHROMIUM to use another binary. A missing
browser (or other missing piece) skips the test with a message saying how to install
it, except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from tools.chromium import CHROMIUM_ARGS, find_chromium  # noqa: F401 (re-exported)

INSTALL_HINT = ("install Chromium from the system's package manager "
                "(Debian/Ubuntu: `sudo apt-get install chromium`) or set BPLIB_CHROMIUM "
                "to a Chromium binary; never `playwright install`")


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def skip_or_fail(message: str):
    """Skip with ``message``; under CI, fail with it (a missing tool is a broken setup)."""
    if under_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_browser(what: str = "browser checks of the built book"):
    """Return (sync_playwright, chromium path), or skip/fail saying how to install."""
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright, problem = None, "the playwright Python package is not installed"
    chromium = find_chromium()
    if problem is None and chromium is None:
        problem = "no Chromium binary found"
    if problem:
        skip_or_fail(f"{what}: {problem}; {INSTALL_HINT}")
    return sync_playwright, chromium


def is_local(url: str) -> bool:
    """True for URLs that stay on this machine (localhost, data:, blob:, about:)."""
    parts = urlsplit(url)
    return parts.scheme in {"data", "blob", "about"} or (
        parts.scheme in {"http", "https", "ws", "wss"}
        and parts.hostname in {"127.0.0.1", "localhost"})
