"""Where the headless Chromium comes from, for the PDF print and the browser tests.

Chromium comes from the system's package manager (Debian/Ubuntu: ``apt-get install
chromium``), never from a download; set BPLIB_CHROMIUM to use another binary.
"""

from __future__ import annotations

import os
import shutil

#: Headless, and nothing that reaches for the network on its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def find_chromium() -> str | None:
    """The Chromium binary to use, or None when the machine has none."""
    candidates = [os.environ.get("BPLIB_CHROMIUM"), "/usr/bin/chromium",
                  shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)
