"""The built book: every page present, and nothing loaded from outside the book."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import yaml

from conftest import REPO_ROOT


def toc_files() -> list[str]:
    toc = yaml.safe_load((REPO_ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


class ExternalRefs(HTMLParser):
    """Collect URLs of scripts, stylesheets, images, frames and fonts that leave the page's site."""

    LOADED = {"script": "src", "img": "src", "iframe": "src", "source": "src",
              "audio": "src", "video": "src", "embed": "src"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        url = None
        if tag in self.LOADED:
            url = attrs.get(self.LOADED[tag])
        elif tag == "link" and attrs.get("rel", "") not in ("canonical",) and \
                any(r in (attrs.get("rel") or "") for r in ("stylesheet", "preload", "icon", "modulepreload")):
            url = attrs.get("href")
        if url and is_external(url):
            self.found.append(f"<{tag}> {url}")
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        # An inline script that names an external URL may load it later.
        if self._in_script:
            self.found += [f"<script> body names {u}" for u in re.findall(r"https?://[^\s'\"]+", data)]


def is_external(url: str) -> bool:
    return bool(re.match(r"^(https?:)?//", url.strip(), re.I))


CSS_URL = re.compile(r"""(?:@import\s+|url\()\s*['"]?((?:https?:)?//[^'")\s]+)""", re.I)


def test_every_toc_entry_is_a_page(built_book: Path):
    for entry in toc_files():
        page = built_book / (str(Path(entry).with_suffix("")) + ".html")
        assert page.is_file(), f"{entry} in _toc.yml has no built page {page.name}"


def test_no_page_loads_anything_from_the_network(built_book: Path):
    problems = []
    for page in sorted(built_book.rglob("*.html")):
        parser = ExternalRefs()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        problems += [f"{page.relative_to(built_book)}: {ref}" for ref in parser.found]
    for sheet in sorted(built_book.rglob("*.css")):
        for url in CSS_URL.findall(sheet.read_text(encoding="utf-8", errors="replace")):
            problems.append(f"{sheet.relative_to(built_book)}: {url}")
    assert not problems, "external resources in the built book:\n" + "\n".join(problems)


def test_math_is_rendered_by_a_local_mathjax(built_book: Path):
    page = (built_book / "book" / "01-error.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*)"', page, re.I)
    assert scripts, "no MathJax script on the chapter 1 page"
    for src in scripts:
        assert not is_external(src), src
        local = (built_book / "book" / src.split("?")[0]).resolve()
        assert local.is_file(), f"MathJax script {src} is not in the build"


def test_every_figure_is_drawn_not_printed(built_book: Path):
    """A figure returned without an inline backend shows up as '<Figure size ...>' text."""
    printed = [str(p.relative_to(built_book)) for p in sorted(built_book.rglob("*.html"))
               if "&lt;Figure size" in p.read_text(encoding="utf-8", errors="replace")]
    assert not printed, f"figures printed as text instead of drawn: {printed}"


def test_every_chapter_and_lab_page_offers_its_notebook(built_book: Path):
    """The page's download menu links the notebook, and the linked file is that notebook."""
    import nbformat

    missing = []
    for entry in toc_files():
        source = REPO_ROOT / f"{entry}.ipynb"
        if not source.exists():
            continue
        page = (built_book / f"{entry}.html").read_text(encoding="utf-8")
        link = f"_sources/{entry}.ipynb"
        copy = built_book / link
        if link not in page or not copy.exists():
            missing.append(entry)
        elif nbformat.read(copy, as_version=4).cells[0].source != \
                nbformat.read(source, as_version=4).cells[0].source:
            missing.append(f"{entry} (the download is another notebook)")
    assert not missing, f"pages without their notebook download: {missing}"


def test_the_whole_book_is_one_pdf_with_a_bookmark_per_page(built_book: Path):
    """make book prints the book (tools/print_pdf.py); the front page links the PDF."""
    from pypdf import PdfReader

    from browser_support import find_chromium, skip_or_fail

    if find_chromium() is None:
        skip_or_fail("no Chromium, so the build made no PDF; install it with the system's "
                     "package manager (Debian/Ubuntu: `sudo apt-get install chromium`)")
    pdf = PdfReader(built_book / "book.pdf")
    titles = [item.title for item in pdf.outline]
    assert len(titles) == len(toc_files()), titles
    assert titles[1].startswith("1. "), titles
    assert len(pdf.pages) > 2 * len(titles)
    assert 'href="../book.pdf"' in (built_book / "book" / "index.html").read_text(encoding="utf-8")


class ProseText(HTMLParser):
    """The text a reader sees as prose: everything outside code, scripts and typeset math."""

    SKIPPED = {"script", "style", "pre", "code"}

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED or "math" in (dict(attrs).get("class") or "").split():
            self._open.append(tag)
        elif self._open and tag == self._open[-1]:
            self._open.append(tag)  # the same tag nested inside a skipped one

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if not self._open:
            self.text.append(data)


RAW = re.compile(r"\$[^$\s][^$]*\$|\{(?:term|eq|cite:[pt]|glue:\w+|doc|ref|numref)\}`|"
                 r"\\(?:frac|partial|hat|sum|eta|lambda|mathrm)\b")


def test_no_page_shows_raw_tex_or_unresolved_roles(built_book: Path):
    raw = {}
    for name in toc_files():
        parser = ProseText()
        parser.feed((built_book / f"{name}.html").read_text())
        text = " ".join(parser.text)
        found = [text[max(0, m.start() - 40):m.end() + 20] for m in RAW.finditer(text)]
        if found:
            raw[name] = found[:3]
    assert not raw, f"raw TeX or markup shown as text: {raw}"
