"""The built book as a reader sees it: served on localhost, opened in headless Chromium.

Page by page: math is typeset (MathJax output, no raw TeX left), images load, every
static slider moves and changes the shown frame, no console errors, and no request
leaves localhost. A full-page screenshot of each page goes to _build/screenshots/.

Chromium comes from the system's package manager (Debian/Ubuntu: ``apt-get install
chromium``), never from a download; set BPLIB_CHROMIUM to use another binary. Without
it the tests are skipped, except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import browser_support
import pytest
from browser_support import CHROMIUM_ARGS, is_local, require_browser

PAGE_BUDGET_BYTES = 4_000_000     # one page's HTML, inline slider frames included
SKIP_DIRS = {"_static", "_sources", "_images", "reports", "_sphinx_design_static"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built_book):
    """(base URL, html dir): the built book served by http.server on a free port."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", Path(built_book)
    server.shutdown()
    server.server_close()


REDIRECT = re.compile(r'<meta http-equiv="refresh" content="\d+;\s*url=([^"]+)"', re.I)


def book_pages(html_dir: Path) -> tuple[list[str], dict[str, str]]:
    """Every HTML page of the book (not theme or source files), and the redirect
    stubs (like the root index.html) as {page: target}."""
    pages, redirects = [], {}
    for p in sorted(html_dir.rglob("*.html")):
        rel = p.relative_to(html_dir)
        if SKIP_DIRS & set(rel.parts[:-1]):
            continue
        head = p.read_text(encoding="utf-8", errors="replace")[:2000]
        match = REDIRECT.search(head) if p.stat().st_size < 2000 else None
        if match:
            redirects[rel.as_posix()] = (rel.parent / match.group(1)).as_posix()
        else:
            pages.append(rel.as_posix())
    return pages, redirects


# Runs in the page: raw TeX outside code, math elements without MathJax output.
MATH_JS = """() => {
  const root = document.querySelector('main, article, [role=main]') || document.body;
  const copy = root.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, textarea, .highlight, mjx-container')
      .forEach(e => e.remove());
  const text = copy.textContent;
  const raw = [];
  for (const pat of ['\\\\(', '\\\\)', '\\\\[', '\\\\]', '$$']) {
    const i = text.indexOf(pat);
    if (i >= 0) raw.push(text.slice(Math.max(0, i - 30), i + 30).replace(/\\s+/g, ' '));
  }
  const m = text.match(/\\$\\\\[a-zA-Z]+/);
  if (m) raw.push(m[0]);
  const maths = [...document.querySelectorAll('.math')];
  const untypeset = maths.filter(e => !e.querySelector('mjx-container')).length;
  return {n_math: maths.length, n_mjx: document.querySelectorAll('mjx-container').length,
          untypeset, raw};
}"""

IMAGES_JS = """() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0))
  .map(i => (i.currentSrc || i.src).slice(0, 80))"""

# Moves every range input of every static demo; reports what did not follow.
SLIDERS_JS = """() => {
  const problems = [];
  let n = 0;
  const shown = d => [...d.querySelectorAll('.bplib-frame')].filter(f => !f.hidden);
  document.querySelectorAll('.bplib-demo').forEach((demo, di) => {
    demo.querySelectorAll('input[type=range]').forEach((input, si) => {
      n += 1;
      const where = `demo ${di} slider ${si} (${input.dataset.label})`;
      const before = demo.getAttribute('data-frame'), old = input.value;
      const target = input.value === input.max ? input.min : input.max;
      input.value = target;
      input.dispatchEvent(new Event('input', {bubbles: true}));
      const after = demo.getAttribute('data-frame'), vis = shown(demo);
      const values = JSON.parse(input.dataset.values);
      const out = document.getElementById(input.id + '-out');
      if (after === before) problems.push(`${where}: the frame did not change`);
      if (vis.length !== 1 || vis[0].dataset.index !== after)
        problems.push(`${where}: ${vis.length} frames shown, expected frame ${after}`);
      else {
        const img = vis[0].querySelector('img');
        if (!img || !(img.naturalWidth > 0)) problems.push(`${where}: frame image not loaded`);
      }
      if (!out || out.textContent !== values[+target])
        problems.push(`${where}: label shows ${out && out.textContent}, not ${values[+target]}`);
      if (!document.querySelector(`label[for="${input.id}"]`))
        problems.push(`${where}: no <label> for the slider`);
      input.value = old;
      input.dispatchEvent(new Event('input', {bubbles: true}));
      if (demo.getAttribute('data-frame') !== before) problems.push(`${where}: not restored`);
    });
  });
  return {n, problems};
}"""


def visit(browser, url: str, shot: Path) -> dict:
    """Open one page; collect math, images, sliders, console errors, external requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    external, errors = [], []

    def route(r):
        if is_local(r.request.url):
            r.continue_()
        else:
            external.append(r.request.url)
            r.abort()
    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    try:
        page.goto(url, wait_until="load", timeout=60_000)
        page.evaluate("""() => (window.MathJax && MathJax.startup && MathJax.startup.promise)
                          ? MathJax.startup.promise.then(() => true) : false""")
        page.evaluate("() => document.fonts ? document.fonts.ready.then(() => true) : true")
        report = {"math": page.evaluate(MATH_JS), "broken_images": page.evaluate(IMAGES_JS)}
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        # keyboard: the first slider must answer the arrow keys
        first = page.query_selector(".bplib-demo input[type=range]")
        report["keyboard"] = None
        if first is not None:
            demo = page.query_selector(".bplib-demo")
            before = demo.get_attribute("data-frame")
            first.focus()
            key = "ArrowLeft" if first.input_value() == first.get_attribute("max") else "ArrowRight"
            page.keyboard.press(key)
            report["keyboard"] = demo.get_attribute("data-frame") != before
            page.keyboard.press("ArrowRight" if key == "ArrowLeft" else "ArrowLeft")
        report["sliders"] = page.evaluate(SLIDERS_JS)
    finally:
        context.close()
    report.update(external=external, errors=errors)
    return report


@pytest.fixture(scope="module")
def reports(site):
    """{page: report} for every page of the built book (one browser session)."""
    sync_playwright, chromium = require_browser()
    base, html_dir = site
    shots = html_dir.parent / "screenshots"
    for old in shots.glob("*.png"):      # the book's pages only; jupyterlab/ is another test's
        old.unlink()
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for rel in book_pages(html_dir)[0]:
                shot = shots / (rel.removesuffix(".html").replace("/", "__") + ".png")
                try:
                    out[rel] = visit(browser, base + rel, shot)
                except Exception as exc:    # one broken page must not hide the others
                    out[rel] = {"math": {"n_math": 0, "n_mjx": 0, "untypeset": 0, "raw": []},
                                "broken_images": [], "keyboard": None, "external": [],
                                "sliders": {"n": 0, "problems": []},
                                "errors": [f"could not check the page: {exc}"]}
                out[rel]["html_bytes"] = (html_dir / rel).stat().st_size
        finally:
            browser.close()
    return out


def _fail_if(problems: dict, what: str):
    bad = {page: p for page, p in problems.items() if p}
    assert not bad, f"{what}:\n" + "\n".join(f"  {page}: {p}" for page, p in bad.items())


def test_every_page_was_visited(reports, site):
    pages, redirects = book_pages(site[1])
    assert sorted(reports) == pages
    assert any(p.startswith("book/") for p in pages), f"no chapter pages among {pages}"
    missing = {page: target for page, target in redirects.items()
               if not (site[1] / target).is_file()}
    assert not missing, f"redirects to missing pages: {missing}"


def test_math_is_typeset(reports):
    problems = {}
    for page, r in reports.items():
        m = r["math"]
        issues = []
        if m["untypeset"]:
            issues.append(f"{m['untypeset']} of {m['n_math']} math elements not typeset")
        if m["n_math"] and not m["n_mjx"]:
            issues.append("math present but no <mjx-container>")
        if m["raw"]:
            issues.append(f"raw TeX left: {m['raw']}")
        problems[page] = issues
    _fail_if(problems, "math not typeset")
    assert any(r["math"]["n_mjx"] for r in reports.values()), "no typeset math anywhere"


def test_images_load(reports):
    _fail_if({page: r["broken_images"] for page, r in reports.items()}, "images that did not load")


def test_static_sliders_move(reports):
    _fail_if({page: r["sliders"]["problems"] for page, r in reports.items()},
             "static sliders that did not move")
    _fail_if({page: ["arrow keys did not move the first slider"]
              for page, r in reports.items() if r["keyboard"] is False},
             "sliders not keyboard accessible")


def test_some_page_has_a_static_slider(reports):
    assert sum(r["sliders"]["n"] for r in reports.values()) > 0, "no static slider in the book"


def test_the_playground_page_moves_over_its_grid_of_runs(reports):
    """The book's playground: four sliders (data set, activation, penalty, epoch) over
    precomputed runs, each moving its frame, in a page under 3 MB."""
    page = reports.get("book/playground.html")
    assert page is not None, f"no playground page among {sorted(reports)}"
    assert page["sliders"]["n"] == 4 and not page["sliders"]["problems"], page["sliders"]
    assert page["keyboard"], "the playground's first slider did not answer the arrow keys"
    assert page["html_bytes"] < 3_000_000, f"playground page {page['html_bytes']} bytes"


def test_no_console_errors(reports):
    _fail_if({page: r["errors"] for page, r in reports.items()}, "console errors")


def test_no_request_leaves_localhost(reports):
    _fail_if({page: r["external"] for page, r in reports.items()},
             "requests to outside localhost (blocked)")


def test_screenshots_saved(reports, site):
    shots = site[1].parent / "screenshots"
    missing = [p for p in reports
               if not (shots / (p.removesuffix(".html").replace("/", "__") + ".png")).is_file()]
    assert not missing, f"no screenshot for {missing}"


def test_page_weight_is_reasonable(reports):
    weights = sorted(((r["html_bytes"], page) for page, r in reports.items()), reverse=True)
    print("\nheaviest pages (HTML incl. inline frames): " +
          ", ".join(f"{page} {size / 1e6:.2f} MB" for size, page in weights[:3]))
    heavy = {page: f"{size / 1e6:.2f} MB" for size, page in weights if size > PAGE_BUDGET_BYTES}
    assert not heavy, f"pages over {PAGE_BUDGET_BYTES / 1e6:.0f} MB: {heavy}"


# ------------------------------------------- without a browser (no build needed)
@pytest.mark.parametrize("ci, outcome", [("", pytest.skip.Exception),
                                         ("true", pytest.fail.Exception)])
def test_missing_browser_skips_outside_ci_and_fails_under_ci(monkeypatch, ci, outcome):
    monkeypatch.setattr(browser_support, "find_chromium", lambda: None)
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="apt-get install chromium"):
        require_browser()


def test_redirect_stubs_are_not_pages(tmp_path):
    (tmp_path / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/index.html" />')
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "index.html").write_text("<html><body>a page</body></html>")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "x.html").write_text("<html></html>")
    assert book_pages(tmp_path) == (["book/index.html"], {"index.html": "book/index.html"})
