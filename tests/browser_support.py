"""Shared by the browser tests (the static book, and the live notebooks in JupyterLab).

Chromium comes from the system's package manager (Debian/Ubuntu: ``apt-get install
chromium``), never from a download; set BPLIB_CHROMIUM to use another binary. A missing
browser (or other missing piece) skips the test with a message saying how to install
it, except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlsplit

import pytest

#: Headless, and nothing that reaches for the network on its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
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


def find_chromium() -> str | None:
    candidates = [os.environ.get("BPLIB_CHROMIUM"), "/usr/bin/chromium",
                  shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


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
