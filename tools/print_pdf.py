"""Print the built book to one PDF, ``_build/html/book.pdf``, offline.

Headless Chromium (from the system's package manager) opens each page of the built
HTML book in the order of the table of contents, waits until MathJax has typeset it,
and prints it; pypdf joins the pages into one file with a bookmark per page. Sliders
print at their first frame. Nothing is fetched from the network: the pages are files.

    python -m tools.print_pdf    (`make book` runs it after the build)
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import yaml
from pypdf import PdfWriter

from tools.chromium import CHROMIUM_ARGS, find_chromium

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
PDF = HTML / "book.pdf"
# Sphinx's typesetting hook: resolves once MathJax has rendered every formula.
MATH_DONE = "() => !window.MathJax || !MathJax.startup || MathJax.startup.promise.then(() => true)"


def toc_pages(toc: Path = ROOT / "_toc.yml") -> list[str]:
    """Every page of the book, front page first, in reading order (no extension)."""
    spec = yaml.safe_load(toc.read_text())
    return [spec["root"]] + [c["file"] for part in spec.get("parts", []) for c in part["chapters"]]


def print_book(html: Path = HTML, out: Path = PDF) -> Path:
    """Print every page of the built book at ``html`` into the PDF ``out``."""
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError("printing the book needs Chromium from the system's package manager "
                           "(Debian/Ubuntu: `sudo apt-get install chromium`) or BPLIB_CHROMIUM")
    book = PdfWriter()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page()
        for name in toc_pages():
            page.goto((html / f"{name}.html").as_uri(), wait_until="load")
            page.evaluate(MATH_DONE)
            title = page.title().split("\u2014")[0].strip()
            book.append(io.BytesIO(page.pdf(format="A4", print_background=True,
                                            margin={"top": "15mm", "bottom": "15mm",
                                                    "left": "12mm", "right": "12mm"})),
                        outline_item=title)
        browser.close()
    with open(out, "wb") as f:
        book.write(f)
    return out


def main() -> int:
    if not (HTML / "index.html").exists():
        print("build the book first: make book", file=sys.stderr)
        return 1
    path = print_book()
    print(f"printed the book to {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
