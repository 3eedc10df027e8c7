"""The live side, proved in a real JupyterLab driven by headless Chromium.

A temporary folder gets learner copies of two labs (solutions removed, as ``make lab``
makes them) and a plain copy of one chapter. JupyterLab is started on it from this
environment (127.0.0.1, a free port, no token), and each notebook is opened as a new
learner sees it (a 1366x768 window, JupyterLab's file browser open in the left sidebar,
as it opens by default), run with Run > Run All Cells, and checked:

* no output is an error: no traceback or stderr output, no "Error displaying widget";
* every live slider, moved with the keyboard (its handle focused, then an arrow key and
  End or Home), changes the image of its figure (the PNG bytes, not only the URL);
* every live demo (``.bplib-demo`` in an output area) fits, before its first move and
  after each: nothing in it passes the right edge of its output area, neither the output
  area nor the notebook scrolls sideways, the image is no wider than the output area,
  and the side panel (the table or text after the image) is at least 14em wide wherever
  it sits (beside the image or wrapped under it), shows all its content without a
  scrollbar, and breaks no word across lines;
* in the lab, an exercise answered wrongly (typed into its cell, run with Shift+Enter)
  names the mistake, and answered rightly says "Correct".

The playground notebook is run the same way; then its play button is pressed, the epoch
counter must count up and the views' image (the decision boundary among them) change,
and after pause the counter must stand still (screenshots in
``_build/screenshots/jupyterlab-playground/``).

Screenshots go to ``_build/screenshots/jupyterlab/``, with ``latency.json``: the time
from each key press to the new image. Speed is not asserted here (benchmarks measure
it); the median is printed.

Needs Chromium from the system's package manager and JupyterLab in this environment;
without either the test is skipped, except under CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import CHROMIUM_ARGS, is_local, require_browser, skip_or_fail

REPO_ROOT = Path(__file__).resolve().parent.parent
SHOTS = REPO_ROOT / "_build" / "screenshots" / "jupyterlab"
PLAYGROUND_SHOTS = REPO_ROOT / "_build" / "screenshots" / "jupyterlab-playground"

LAB = "lab02-gradient-descent"     # two live demos with side text; exercises of both kinds
LAB1 = "lab01-error"               # a live demo with a table beside it
CHAPTER = "01-error"               # a chapter as a learner opens it in JupyterLab
PLAYGROUND = "playground"          # the live playground: play, watch, pause
LABS = [LAB, LAB1]

#: What a new learner sees: a common laptop screen, the file browser open beside the
#: notebook (JupyterLab's default layout).
VIEWPORT = {"width": 1366, "height": 768}
#: The side panel beside (or under) a live figure is at least this many em wide.
SIDE_PANEL_MIN_EM = 14
#: Rounding slack, in CSS pixels, for the layout comparisons.
SLACK_PX = 1

#: Exercises typed into the lab's learner copy: (placeholder that finds the cell, wrong
#: answer, words naming the mistake, right answer). See bplib/exercises/lab02.py.
EXERCISES = [
    ("grad_at_2 = ...",
     "grad_at_2 = 14\nex.check_grad_by_hand(grad_at_2)",
     "Common mistake: wrong sign.",
     "grad_at_2 = 2 * (1 * 0 + 3 * (-1) + 4 * (-1))\nex.check_grad_by_hand(grad_at_2)"),
    ("def gd_step(",
     "def gd_step(W, x, y, lr):\n    return W + lr * 2 * np.sum(x * (W * x - y))\n\n"
     "ex.check_step(gd_step)",
     "Common mistake: wrong sign: gradient ascent.",
     "def gd_step(W, x, y, lr):\n    return W - lr * 2 * np.sum(x * (W * x - y))\n\n"
     "ex.check_step(gd_step)"),
]

# Generous limits: a cold JupyterLab on 2 busy cores takes its time. They are only
# upper bounds on waits for conditions; nothing sleeps for them.
SERVER_START_S = 180
PAGE_READY_MS = 180_000
RUN_ALL_MS = 180_000
FIGURE_CHANGE_MS = 20_000
CELL_RUN_MS = 60_000
#: The live figures prepare nearby frames once idle for a moment; each figure's first
#: move waits this long (after Run All, or after the previous figure's moves), as a
#: reader would (there is no condition to wait for).
IDLE_BEFORE_MOVES_MS = 3_000

STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


# --------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1))


def _make_folder(root: Path) -> Path:
    """The served folder: learner copies of the labs, a plain copy of the chapter."""
    import nbformat
    from tools.learner import learner_notebook

    served = root / "notebooks"
    served.mkdir()
    for lab in LABS:
        src = REPO_ROOT / "labs" / f"{lab}.ipynb"
        nbformat.write(learner_notebook(nbformat.read(src, as_version=4), str(src)),
                       served / src.name)
    shutil.copy(REPO_ROOT / "book" / f"{CHAPTER}.ipynb", served)
    shutil.copy(REPO_ROOT / "book" / f"{PLAYGROUND}.ipynb", served)
    return served


def _jupyter_env(root: Path) -> dict:
    """This environment, with Jupyter's config, data, settings and workspaces of its own
    (nothing of the user's, such as a kernel of another Python, gets in)."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"BPLIB_STATIC", "JUPYTER_TOKEN", "JUPYTER_PASSWORD"}}
    dirs = {"JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
            "JUPYTER_RUNTIME_DIR": "runtime",
            "JUPYTERLAB_SETTINGS_DIR": "settings", "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
            "IPYTHONDIR": "ipython"}
    for var, name in dirs.items():
        (root / name).mkdir()
        env[var] = str(root / name)
    # No news feed and no update check (no request leaves the machine, no pop-up).
    _write_json(root / "config" / "jupyter_server_config.json",
                {"LabApp": {"news_url": None,
                            "check_for_updates_class": "jupyterlab.NeverCheckForUpdate"}})
    _write_json(root / "settings" / "@jupyterlab" / "apputils-extension"
                / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})
    # Every cell in the DOM (no virtual scrolling), so every output can be inspected.
    _write_json(root / "settings" / "@jupyterlab" / "notebook-extension"
                / "tracker.jupyterlab-settings", {"windowingMode": "none"})
    return env


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


def require_jupyterlab() -> None:
    """Skip (fail under CI) when JupyterLab is not installed in this environment."""
    if importlib.util.find_spec("jupyterlab") is None:
        skip_or_fail("the JupyterLab check: jupyterlab is not installed in this "
                     "environment; install the project's lab extra (make setup)")


def _start(cmd: list, served: Path, env: dict, log_path: Path, base: str):
    """Start JupyterLab; (process, None) once it answers, or (None, why it did not)."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=served, env=env, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        started = time.monotonic()
        while not _answers(base + "api/status"):
            if proc.poll() is not None:
                return None, (f"JupyterLab exited with code {proc.returncode} before "
                              f"answering:\n{log_path.read_text()[-6000:]}")
            if time.monotonic() - started > SERVER_START_S:
                _stop(proc)
                return None, (f"JupyterLab did not answer on {base} within "
                              f"{SERVER_START_S} s:\n{log_path.read_text()[-6000:]}")
            time.sleep(0.2)
    except BaseException:
        _stop(proc)
        raise
    print(f"\nJupyterLab answered after {time.monotonic() - started:.1f} s")
    return proc, None


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory):
    """(base URL, served folder): JupyterLab on a temporary folder, stopped at the end."""
    require_jupyterlab()
    root = tmp_path_factory.mktemp("jupyterlab")
    served = _make_folder(root)
    env = _jupyter_env(root)
    for attempt in range(3):        # a free port can be taken before the server binds it
        port = _free_port()
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0", "--ServerApp.token=",
               "--ServerApp.password=", f"--ServerApp.root_dir={served}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        base = f"http://127.0.0.1:{port}/"
        proc, why = _start(cmd, served, env, root / f"jupyterlab-{attempt + 1}.log", base)
        if proc is not None or "already in use" not in why.lower():
            break
    if proc is None:
        pytest.fail(why, pytrace=False)
    try:
        yield base, served
    finally:
        _stop(proc)


# --------------------------------------------------------------- in the page
# Ready: the whole notebook loaded (as many cells as the file has), a kernel started and
# connected (the status bar says "<kernel> | Idle"; the toolbar's execution indicator
# alone says idle before any kernel exists, and Run All then asks for a kernel), or a
# dialog asking something (reported, never answered).
READY_JS = """([panelSel, nCells]) => {
  if (document.querySelector('.jp-Dialog')) return true;
  const panel = document.querySelector(panelSel);
  if (!panel || panel.querySelectorAll('.jp-Cell').length !== nCells) return false;
  const ind = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  if (!ind || ind.dataset.status !== 'idle') return false;
  return [...document.querySelectorAll('.jp-StatusBar-TextItem')]
    .some(e => /^(?!No Kernel).+ \\| Idle$/.test(e.textContent.trim()));
}"""

DIALOG_JS = """() => [...document.querySelectorAll('.jp-Dialog')]
    .map(d => d.innerText.replace(/\\s+/g, ' ').trim())"""

# Completion of Run All: the kernel idle, no cell queued or running, and either every
# code cell numbered 1..N in order (a fresh kernel ran them all) or an error shown
# (JupyterLab stops a Run All at the first error).
RUN_DONE_JS = """([panelSel, stderrSel]) => {
  if (document.querySelector('.jp-Dialog')) return true;
  const panel = document.querySelector(panelSel);
  if (!panel) return false;
  const ind = panel.querySelector('.jp-Notebook-ExecutionIndicator');
  if (!ind || ind.dataset.status !== 'idle') return false;
  const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputPrompt')]
      .map(p => p.textContent.trim());
  if (!prompts.length || prompts.some(t => t.includes('*'))) return false;
  const all = prompts.every((t, i) => t === `[${i + 1}]:`);
  return all || panel.querySelector(stderrSel) !== null;
}"""

PROMPTS_JS = """(panelSel) => [...document.querySelector(panelSel)
    .querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim())"""

# The outputs that show a problem: tracebacks and stderr, widgets that failed.
ERRORS_JS = """([panelSel, stderrSel]) => {
  const panel = document.querySelector(panelSel);
  const cells = [...panel.querySelectorAll('.jp-CodeCell')];
  const where = el => {
    const i = cells.indexOf(el.closest('.jp-CodeCell'));
    return `code cell ${i + 1} (${cells[i] ? cells[i].querySelector('.jp-InputPrompt')
                                                .textContent.trim() : '?'})`;
  };
  const out = [];
  panel.querySelectorAll(stderrSel).forEach(e =>
    out.push(`${where(e)}: ${e.innerText.trim().slice(-600)}`));
  panel.querySelectorAll('.jp-OutputArea-output').forEach(e => {
    if (e.innerText.includes('Error displaying widget'))
      out.push(`${where(e)}: ${e.innerText.trim().slice(0, 300)}`);
  });
  return out;
}"""

# Marks every live demo (the smallest element of an output holding a live slider and
# an image) with data-bplib-demo=k; returns its sliders' labels and values.
FIND_DEMOS_JS = """(panelSel) => {
  const panel = document.querySelector(panelSel);
  const demos = [];
  panel.querySelectorAll('.widget-slider').forEach(slider => {
    if (!slider.querySelector('.noUi-handle')) return;
    let box = slider;
    while (box && !box.querySelector('img') && !box.classList.contains('jp-Cell'))
      box = box.parentElement;
    if (!box || !box.querySelector('img')) {
      demos.push({orphan: (slider.querySelector('.widget-label') || {}).textContent});
      return;
    }
    if (!box.hasAttribute('data-bplib-demo')) {
      box.setAttribute('data-bplib-demo', String(demos.length));
      demos.push({sliders: []});
    }
    const d = demos[+box.getAttribute('data-bplib-demo')];
    d.sliders.push({label: ((slider.querySelector('.widget-label') || {}).textContent
                            || '').trim()});
  });
  return demos;
}"""

# Every live demo widget in the notebook's outputs, and those that FIND_DEMOS_JS did not
# mark (a demo with no live slider, or a slider outside its .bplib-demo).
DEMO_ELEMENTS_JS = """(panelSel) => {
  const all = [...document.querySelector(panelSel)
      .querySelectorAll('.jp-OutputArea-output .bplib-demo')];
  const marked = d => d.hasAttribute('data-bplib-demo') || d.closest('[data-bplib-demo]')
      || d.querySelector('[data-bplib-demo]');
  return {count: all.length, unmarked: all.filter(d => !marked(d)).length};
}"""

# A slider's exact value and range, from noUiSlider's API on its target element (the
# handle's aria-valuenow is rounded for display); the readout as the reader sees it.
SLIDER_JS = """(h) => {
  const t = h.closest('.noUi-target'), api = t && t.noUiSlider;
  const readout = h.closest('.widget-slider').querySelector('.widget-readout');
  const shown = readout ? (readout.value || readout.textContent).trim() : null;
  if (!api) return {now: +h.getAttribute('aria-valuenow'), shown,
                    min: +h.getAttribute('aria-valuemin'), max: +h.getAttribute('aria-valuemax')};
  const r = api.options.range, first = v => Array.isArray(v) ? v[0] : v;
  return {now: +api.get(true), shown, min: +first(r.min), max: +first(r.max)};
}"""

# Before a key press: remember the figure's image and its bytes' hash, then watch for
# the key (capture phase) and for the image to change (its src, or a new element).
ARM_JS = """async (k) => {
  const box = document.querySelector(`[data-bplib-demo="${k}"]`);
  const img = box.querySelector('img');
  const hash = async src => {
    const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
    let h = 2166136261 >>> 0;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619) >>> 0;
    return `${bytes.length}:${h}`;
  };
  const state = {src0: img.src, t0: null, t1: null, last: null, hash, box};
  state.hash0 = await hash(img.src);
  state.onkey = () => { if (state.t0 === null) state.t0 = performance.now(); };
  document.addEventListener('keydown', state.onkey, true);
  state.obs = new MutationObserver(() => {
    const now = box.querySelector('img');
    if (now && now.src !== state.src0) {
      const t = performance.now();
      if (state.t1 === null) state.t1 = t;
      state.last = t;
    }
  });
  state.obs.observe(box, {subtree: true, childList: true, attributes: true,
                          attributeFilter: ['src']});
  window.__bplibMove = state;
  return state.hash0;
}"""

CHANGED_JS = "() => window.__bplibMove.t1 !== null"
# Settled: no new image for half a second (a move may bring more than one frame).
SETTLED_JS = "() => performance.now() - window.__bplibMove.last > 500"

DISARM_JS = """async () => {
  const s = window.__bplibMove;
  document.removeEventListener('keydown', s.onkey, true);
  s.obs.disconnect();
  const img = s.box.querySelector('img');
  const complete = img.complete ? true : await new Promise(r => {
    img.addEventListener('load', () => r(true), {once: true});
    img.addEventListener('error', () => r(false), {once: true});
  });
  return {t0: s.t0, t1: s.t1, hash1: await s.hash(img.src),
          loaded: complete && img.naturalWidth > 0};
}"""

# The window and the left sidebar as the learner sees them: the file browser's panel
# shown (not hidden, not collapsed), and how wide the notebook is left.
SIDEBAR_JS = """(panelSel) => {
  const fb = document.getElementById('filebrowser');
  const r = fb ? fb.getBoundingClientRect() : null;
  const cs = fb ? getComputedStyle(fb) : null;
  const nb = document.querySelector(panelSel);
  return {window: [window.innerWidth, window.innerHeight],
          found: !!fb,
          shown: !!fb && !fb.closest('.lm-mod-hidden') && cs.display !== 'none'
                 && cs.visibility !== 'hidden' && r.width > 0 && r.height > 0,
          width: r ? Math.round(r.width) : 0,
          notebook_width: nb ? Math.round(nb.getBoundingClientRect().width) : 0};
}"""

# Layout of the live demo marked data-bplib-demo=k: its output area, its descendants'
# right edges, the image, and the side panel (the ipywidgets.HTML after the image) with
# every word of its text measured by a Range (a word drawn on two lines is broken).
FIT_JS = """(k) => {
  const marked = document.querySelector(`[data-bplib-demo="${k}"]`);
  const demo = marked.closest('.bplib-demo') || marked.querySelector('.bplib-demo');
  if (!demo) return {problem: 'no .bplib-demo element around or in the figure'};
  const area = demo.closest('.jp-OutputArea-output');
  if (!area) return {problem: 'the .bplib-demo is not inside an output area'};
  const rect = e => { const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
            width: r.width, height: r.height}; };
  const name = e => e.tagName.toLowerCase() + [...e.classList].slice(0, 3)
      .map(c => '.' + c).join('');
  const a = rect(area);
  const scroller = area.closest('.jp-WindowedPanel-outer') || area.closest('.jp-Notebook');
  const out = {area: a, area_scroll: [area.scrollWidth, area.clientWidth],
               notebook_scroll: scroller ? [scroller.scrollWidth, scroller.clientWidth]
                                         : null,
               notebook_right: scroller ? rect(scroller).left + scroller.clientWidth : null,
               demo: rect(demo), widest: null};
  let widest = null;
  demo.querySelectorAll('*').forEach(e => {
    const r = rect(e);
    if (r.width > 0 && r.height > 0 && (!widest || r.right > widest.right))
      widest = {what: name(e), right: r.right};
  });
  out.widest = widest;
  const img = demo.querySelector('img');
  if (!img) { out.problem = 'no image in the demo'; return out; }
  out.image = rect(img);
  out.image.natural = [img.naturalWidth, img.naturalHeight];
  const siblings = [...img.parentElement.children];
  const panel = siblings.slice(siblings.indexOf(img) + 1)
      .find(e => e.classList.contains('widget-html'));
  if (!panel) { out.problem = 'no ipywidgets.HTML side panel after the image'; return out; }
  const p = rect(panel);
  const em = parseFloat(getComputedStyle(panel).fontSize);
  const content = panel.querySelector('.widget-html-content') || panel;
  out.panel = {rect: p, em, text: content.innerText.trim(),
               has_table: !!content.querySelector('table'),
               scroll: [panel.scrollWidth, panel.clientWidth],
               content_scroll: [content.scrollWidth, content.clientWidth],
               where: p.top >= out.image.bottom - 1 ? 'under the image'
                    : p.left >= out.image.right - 1 ? 'beside the image' : 'overlapping'};
  // every word (run of non-space characters) of every visible text node
  const broken = [];
  let longest = {word: '', width: 0};
  const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('style, script')) continue;
    for (const m of node.data.matchAll(/\\S+/g)) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      if (!rects.length) continue;
      const lines = [];
      rects.forEach(r => { if (!lines.some(t => Math.abs(t - r.top) < r.height / 2))
                             lines.push(r.top); });
      const width = rects.reduce((s, r) => s + r.width, 0);
      if (width > longest.width) longest = {word: m[0], width};
      if (lines.length > 1)
        broken.push(`${JSON.stringify(m[0])} drawn on ${lines.length} lines`);
    }
  }
  out.panel.broken = broken;
  out.panel.longest = longest;
  return out;
}"""


def _fit_problems(fit: dict) -> list[str]:
    """What does not fit in one measurement of FIT_JS (an empty list when all fits)."""
    if fit.get("problem"):
        return [fit["problem"]]
    out, a, slack = [], fit["area"], SLACK_PX
    sw, cw = fit["area_scroll"]
    if sw > cw + slack:
        out.append(f"the output area scrolls sideways: scrollWidth {sw} px > clientWidth "
                   f"{cw} px (expected <= {cw + slack})")
    if fit["notebook_scroll"]:
        sw, cw = fit["notebook_scroll"]
        if sw > cw + slack:
            out.append(f"the notebook scrolls sideways: scrollWidth {sw} px > clientWidth "
                       f"{cw} px")
        if a["right"] > fit["notebook_right"] + slack:
            out.append(f"the output area's right edge ({a['right']:.0f} px) passes the "
                       f"notebook's visible right edge ({fit['notebook_right']:.0f} px)")
    if fit["demo"]["right"] > a["right"] + slack:
        out.append(f"the demo's right edge ({fit['demo']['right']:.0f} px) passes its "
                   f"output area's ({a['right']:.0f} px)")
    if fit["widest"] and fit["widest"]["right"] > a["right"] + slack:
        out.append(f"{fit['widest']['what']} in the demo extends to "
                   f"{fit['widest']['right']:.0f} px, past its output area's right edge "
                   f"({a['right']:.0f} px): drawn outside the cell or cut off")
    im = fit["image"]
    if im["width"] > a["width"] + slack:
        out.append(f"the image is {im['width']:.0f} px wide, wider than its output area "
                   f"({a['width']:.0f} px)")
    p = fit["panel"]
    if not p["text"]:
        return out          # nothing beside the figure this frame: nothing to read
    need = SIDE_PANEL_MIN_EM * p["em"]
    if p["rect"]["width"] < need - slack:
        out.append(f"the side panel ({p['where']}) is {p['rect']['width']:.0f} px wide; "
                   f"expected at least {SIDE_PANEL_MIN_EM}em = {need:.0f} px")
    for what, (sw, cw) in (("side panel", p["scroll"]), ("side panel's content",
                                                          p["content_scroll"])):
        if sw > cw + slack:
            out.append(f"the {what} hides part of its content behind a sideways scroll: "
                       f"scrollWidth {sw} px > clientWidth {cw} px")
    if p["longest"]["width"] > p["rect"]["width"] + slack:
        out.append(f"the side panel ({p['rect']['width']:.0f} px) is narrower than its "
                   f"longest word {p['longest']['word']!r} ({p['longest']['width']:.0f} px)")
    if p["broken"]:
        out.append(f"{len(p['broken'])} word(s) of the side panel ({p['where']}, "
                   f"{p['rect']['width']:.0f} px wide) broken across lines, expected none: "
                   + "; ".join(p["broken"][:8]))
    return out


def _check_fit(page, name: str, k: int, when: str, report: dict) -> None:
    """Measure demo k's layout now; keep the measurement and what does not fit."""
    fit = page.evaluate(FIT_JS, k)
    problems = _fit_problems(fit)
    report["fit"].append({"demo": k + 1, "when": when, "problems": problems,
                          "panel": {key: fit["panel"][key] for key in
                                    ("where", "has_table", "em", "longest")}
                          | {"width": round(fit["panel"]["rect"]["width"]),
                             "has_text": bool(fit["panel"]["text"])}
                          if fit.get("panel") else None,
                          "area_width": round(fit["area"]["width"]) if "area" in fit
                          else None})


def _notebook_shot(page, path: Path) -> None:
    """A screenshot of the whole notebook (the window made as tall as its content)."""
    size = page.viewport_size
    height = page.evaluate("""(panelSel) => {
      const p = document.querySelector(panelSel);
      const outer = p.querySelector('.jp-WindowedPanel-outer') || p.querySelector('.jp-Notebook');
      return outer.scrollHeight + (window.innerHeight - outer.clientHeight);
    }""", PANEL)
    page.set_viewport_size({"width": size["width"], "height": max(size["height"],
                                                                  min(height + 40, 16000))})
    try:
        page.evaluate("""(panelSel) => {
          const p = document.querySelector(panelSel);
          (p.querySelector('.jp-WindowedPanel-outer') || p.querySelector('.jp-Notebook'))
            .scrollTop = 0;
        }""", PANEL)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(size)


def _no_dialog(page, when: str, report: dict) -> bool:
    """True if no dialog is open; otherwise the dialog is reported as a problem."""
    dialogs = page.evaluate(DIALOG_JS)
    for text in dialogs:
        report["problems"].append(f"{when}, JupyterLab asked: {text!r}")
    return not dialogs


def _open_and_run(page, base: str, name: str, n_cells: int, report: dict) -> bool:
    """Open the notebook, wait for its kernel, Run All; False if it could not finish."""
    page.goto(f"{base}lab/tree/{name}.ipynb?reset", wait_until="domcontentloaded",
              timeout=PAGE_READY_MS)
    try:
        page.wait_for_function(READY_JS, arg=[PANEL, n_cells], timeout=PAGE_READY_MS,
                               polling=250)
    except Exception:
        report["problems"].append(
            f"the notebook ({n_cells} cells) and an idle kernel were not ready within "
            f"{PAGE_READY_MS / 1000:.0f} s")
        return False
    if not _no_dialog(page, "on opening the notebook", report):
        return False
    report["timings"]["opened_s"] = round(time.monotonic() - report["_t"], 1)
    report["sidebar"] = page.evaluate(SIDEBAR_JS, PANEL)
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^\s*Run\s*$")).click()
    page.locator(".lm-Menu-item").filter(
        has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$"))
    ).click()
    t = time.monotonic()
    try:
        page.wait_for_function(RUN_DONE_JS, arg=[PANEL, STDERR], timeout=RUN_ALL_MS,
                               polling=250)
    except Exception:
        report["problems"].append(
            f"Run All did not finish within {RUN_ALL_MS / 1000:.0f} s; prompts: "
            f"{page.evaluate(PROMPTS_JS, PANEL)}")
        return False
    report["timings"]["run_all_s"] = round(time.monotonic() - t, 1)
    report["code_cells"] = len(page.evaluate(PROMPTS_JS, PANEL))
    return _no_dialog(page, "during Run All", report)


def _move(page, notebook: str, k: int, s: int, key: str, label: str) -> dict:
    """Press ``key`` on slider ``s`` of demo ``k``; wait for a new image; time it."""
    handle = page.locator(f'[data-bplib-demo="{k}"] .widget-slider .noUi-handle').nth(s)
    state0 = handle.evaluate(SLIDER_JS)
    page.evaluate(ARM_JS, k)
    handle.focus()
    page.keyboard.press(key)
    move = {"notebook": notebook, "demo": k + 1, "slider": s + 1, "label": label,
            "key": key, "value_before": state0["shown"]}
    try:
        page.wait_for_function(CHANGED_JS, timeout=FIGURE_CHANGE_MS, polling="raf")
        page.wait_for_function(SETTLED_JS, timeout=FIGURE_CHANGE_MS, polling=100)
        changed = True
    except Exception:
        changed = False
    result = page.evaluate(DISARM_JS)
    state1 = handle.evaluate(SLIDER_JS)
    move["value_after"] = state1["shown"]
    if changed and result["t0"] is not None:
        move["latency_ms"] = round(result["t1"] - result["t0"], 1)
    move["problem"] = None
    if state1["now"] == state0["now"]:
        move["problem"] = f"the slider did not move (value stayed {state0['now']})"
    elif not changed:
        move["problem"] = (f"the figure's image did not change within "
                           f"{FIGURE_CHANGE_MS / 1000:.0f} s")
    elif result["hash1"] == page.evaluate("() => window.__bplibMove.hash0"):
        move["problem"] = "a new image URL, but the same image bytes"
    elif not result["loaded"]:
        move["problem"] = "the new image did not load"
    return move


def _move_sliders(page, name: str, report: dict) -> None:
    demos = page.evaluate(FIND_DEMOS_JS, PANEL)
    report["demos"] = demos
    report["demo_elements"] = page.evaluate(DEMO_ELEMENTS_JS, PANEL)
    for k, demo in enumerate(demos):
        if "orphan" in demo:
            report["problems"].append(f"a live slider ({demo['orphan']}) with no image "
                                      "in its output")
            continue
        box = page.locator(f'[data-bplib-demo="{k}"]')
        box.scroll_into_view_if_needed()
        page.wait_for_timeout(IDLE_BEFORE_MOVES_MS)
        box.screenshot(path=str(SHOTS / f"{name}__demo{k + 1}_before.png"))
        # the window as the learner sees it there, sidebar and all
        page.screenshot(path=str(SHOTS / f"{name}__demo{k + 1}_window.png"))
        _check_fit(page, name, k, "before any move", report)
        for s, slider in enumerate(demo["sliders"]):
            handle = box.locator(".widget-slider .noUi-handle").nth(s)
            state = handle.evaluate(SLIDER_JS)
            # one step (the nearby frame), then to the far end (a frame far away)
            first = "ArrowLeft" if state["now"] >= state["max"] else "ArrowRight"
            report["moves"].append(_move(page, name, k, s, first, slider["label"]))
            _check_fit(page, name, k, f"after {first} on slider {s + 1}", report)
            state = handle.evaluate(SLIDER_JS)
            second = "Home" if state["now"] >= state["max"] else "End"
            report["moves"].append(_move(page, name, k, s, second, slider["label"]))
            _check_fit(page, name, k, f"after {second} on slider {s + 1}", report)
        box.screenshot(path=str(SHOTS / f"{name}__demo{k + 1}_after.png"))


def _cell_index(page, placeholder: str) -> int:
    return page.evaluate("""([panelSel, text]) => [...document.querySelector(panelSel)
        .querySelectorAll('.jp-CodeCell')]
        .findIndex(c => (c.querySelector('.cm-content') || {}).textContent.includes(text))""",
                         [PANEL, placeholder])


def _answer(page, cell, source: str) -> dict:
    """Type ``source`` into ``cell`` (replacing its text), run it with Shift+Enter."""
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text().strip()
    editor = cell.locator(".cm-content")
    editor.click()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.insert_text(source)
    typed = editor.evaluate("e => [...e.querySelectorAll('.cm-line')]"
                            ".map(l => l.textContent).join('\\n')")
    if typed.strip() != source.strip():
        return {"typed": typed, "text": "", "problem": f"the editor holds {typed!r} after "
                f"typing {source!r}"}
    page.keyboard.press("Shift+Enter")
    try:
        page.wait_for_function(
            """([p, before]) => { const t = p.textContent.trim();
                 return t !== before && /^\\[\\d+\\]:$/.test(t); }""",
            arg=[prompt.element_handle(), before], timeout=CELL_RUN_MS, polling=100)
    except Exception:
        return {"typed": typed, "text": cell.locator(".jp-OutputArea").inner_text(),
                "problem": f"the cell did not finish within {CELL_RUN_MS / 1000:.0f} s "
                f"(prompt {prompt.inner_text().strip()})"}
    return {"typed": typed, "text": cell.locator(".jp-OutputArea").inner_text(),
            "problem": None}


def _exercises(page, name: str, report: dict) -> None:
    for n, (placeholder, wrong, mistake, right) in enumerate(EXERCISES, start=1):
        i = _cell_index(page, placeholder)
        entry = {"placeholder": placeholder, "mistake": mistake}
        report["exercises"].append(entry)
        if i < 0:
            entry["problem"] = f"no code cell holds {placeholder!r}"
            continue
        cell = page.locator(f"{PANEL} .jp-CodeCell").nth(i)
        entry["wrong"] = _answer(page, cell, wrong)
        cell.screenshot(path=str(SHOTS / f"{name}__exercise{n}_wrong.png"))
        entry["right"] = _answer(page, cell, right)
        cell.screenshot(path=str(SHOTS / f"{name}__exercise{n}_right.png"))


def _visit(browser, base: str, served: Path, name: str, exercises: bool) -> dict:
    import nbformat

    n_cells = len(nbformat.read(served / f"{name}.ipynb", as_version=4).cells)
    report = {"problems": [], "errors": [], "moves": [], "exercises": [], "timings": {},
              "external": [], "console": [], "code_cells": 0, "fit": [], "sidebar": None,
              "demo_elements": None, "_t": time.monotonic()}
    context = browser.new_context(viewport=VIEWPORT)

    def route(r):
        if is_local(r.request.url):
            r.continue_()
        else:
            report["external"].append(r.request.url)
            r.abort()
    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: report["console"].append(m.text) if m.type == "error"
            else None)
    try:
        ran = _open_and_run(page, base, name, n_cells, report)
        report["errors"] = page.evaluate(ERRORS_JS, [PANEL, STDERR])
        _notebook_shot(page, SHOTS / f"{name}.png")
        if not ran:
            raise RuntimeError("the notebook did not run to the end (see above)")
        t = time.monotonic()
        _move_sliders(page, name, report)
        report["timings"]["sliders_s"] = round(time.monotonic() - t, 1)
        if exercises:
            t = time.monotonic()
            _exercises(page, name, report)
            report["timings"]["exercises_s"] = round(time.monotonic() - t, 1)
        # errors again: the moves and the typed answers must not have caused any
        report["errors"] = page.evaluate(ERRORS_JS, [PANEL, STDERR])
        _notebook_shot(page, SHOTS / f"{name}__after.png")
        # Free the CPU for the next notebook: shut this notebook's kernel down.
        page.evaluate("""async (path) => {
          const m = document.cookie.match(/_xsrf=([^;]+)/);
          const headers = m ? {'X-XSRFToken': decodeURIComponent(m[1])} : {};
          const sessions = await (await fetch('/api/sessions')).json();
          for (const s of sessions)
            if (s.path === path) await fetch(`/api/sessions/${s.id}`,
                                             {method: 'DELETE', headers});
        }""", f"{name}.ipynb")
    except Exception as exc:        # report it; the other notebook is still checked
        report["problems"].append(f"could not finish the check: {type(exc).__name__}: "
                                  f"{str(exc)[:2000]}")
        try:
            page.screenshot(path=str(SHOTS / f"{name}__failure.png"))
        except Exception:
            pass
    finally:
        context.close()
    report["timings"]["total_s"] = round(time.monotonic() - report.pop("_t"), 1)
    return report


@pytest.fixture(scope="module")
def reports(request):
    """{notebook: report}: the lab and the chapter, run and checked in JupyterLab."""
    sync_playwright, chromium = require_browser("the JupyterLab check")
    base, served = request.getfixturevalue("jupyter_lab")    # only once a browser exists
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    out = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for name in NOTEBOOKS:
                out[name] = _visit(browser, base, served, name, exercises=name == LAB)
        finally:
            browser.close()
    moves = [m for r in out.values() for m in r["moves"]]
    latencies = [m["latency_ms"] for m in moves if "latency_ms" in m]
    median = round(statistics.median(latencies), 1) if latencies else None
    _write_json(SHOTS / "latency.json", {
        "what": "milliseconds from a key press on a live slider's handle to the new "
                "image of its figure, in JupyterLab in headless Chromium",
        "cpus": os.cpu_count(), "median_ms": median, "moves": moves,
        "timings_s": {name: r["timings"] for name, r in out.items()}})
    print("\nslider moves (key press to new image):")
    for m in moves:
        print(f"  {m['notebook']} demo {m['demo']} slider {m['slider']} ({m['label']}) "
              f"{m['key']}: {m['value_before']} -> {m['value_after']}: "
              f"{m.get('latency_ms', '-')} ms" + (f"  PROBLEM: {m['problem']}"
                                                  if m["problem"] else ""))
    print(f"median latency: {median} ms over {len(latencies)} moves "
          f"(written to {SHOTS.relative_to(REPO_ROOT) / 'latency.json'})")
    print("live demos' layout at "
          f"{VIEWPORT['width']}x{VIEWPORT['height']}, file browser open:")
    for name, r in out.items():
        print(f"  {name}: sidebar {r['sidebar']}")
        for f in r["fit"]:
            print(f"    demo {f['demo']} {f['when']}: output area {f['area_width']} px, "
                  f"side panel {f['panel']}"
                  + "".join(f"\n      DOES NOT FIT: {p}" for p in f["problems"]))
    for name, r in out.items():
        print(f"{name}: {r['timings']}; blocked external requests: "
              f"{r['external'] or 'none'}; {len(r['console'])} console errors"
              + "".join(f"\n    {text[:300]}" for text in r["console"][:5]))
    return out


# --------------------------------------------------------------- the checks
NOTEBOOKS = [LAB, LAB1, CHAPTER]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_to_the_end(reports, name):
    r = reports[name]
    assert not r["problems"], f"{name}: " + "\n".join(r["problems"])
    assert r["code_cells"] > 0, f"{name}: no code cell found in the page"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_output_shows_an_error(reports, name):
    errors = reports[name]["errors"]
    assert not errors, (f"{name}: expected no error, stderr or 'Error displaying widget' "
                        f"output; saw {len(errors)}:\n" + "\n".join(errors))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_live_slider_changes_its_figure(reports, name):
    r = reports[name]
    sliders = sum(len(d.get("sliders", [])) for d in r.get("demos", []))
    assert sliders > 0, f"{name}: expected live sliders (.widget-slider with a handle); " \
                        f"found none (demos seen: {r.get('demos')})"
    moved = {(m["demo"], m["slider"]) for m in r["moves"]}
    assert len(moved) == sliders, f"{name}: {sliders} sliders, but only {len(moved)} moved"
    bad = [f"demo {m['demo']} slider {m['slider']} ({m['label']}) {m['key']} "
           f"({m['value_before']} -> {m['value_after']}): {m['problem']}"
           for m in r["moves"] if m["problem"]]
    assert not bad, f"{name}: sliders whose figure did not follow the keyboard:\n" + \
        "\n".join(bad)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_window_is_a_laptop_screen_with_the_file_browser_open(reports, name):
    side = reports[name]["sidebar"]
    assert side is not None, f"{name}: the window was not measured (the notebook did " \
                             f"not open: {reports[name]['problems']})"
    want = [VIEWPORT["width"], VIEWPORT["height"]]
    assert side["window"] == want, f"{name}: expected a {want} window, saw {side['window']}"
    assert side["found"] and side["shown"] and side["width"] >= 150, (
        f"{name}: expected JupyterLab's file browser (#filebrowser) shown in the left "
        f"sidebar, at least 150 px wide, as it opens by default; saw {side}")
    assert side["notebook_width"] <= VIEWPORT["width"] - side["width"], (
        f"{name}: expected the notebook beside the file browser (at most "
        f"{VIEWPORT['width'] - side['width']} px wide); it is {side['notebook_width']} px")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_live_demo_fits_the_window(reports, name):
    r = reports[name]
    elements, demos = r["demo_elements"], r.get("demos") or []
    assert elements and elements["count"] > 0, \
        f"{name}: expected live demos (.bplib-demo in an output area); saw {elements}"
    assert elements["unmarked"] == 0 and elements["count"] == len(demos), (
        f"{name}: expected every .bplib-demo to hold live sliders and be checked; "
        f"{elements['count']} in the outputs, {len(demos)} found by their sliders, "
        f"{elements['unmarked']} without one")
    for k, demo in enumerate(demos):
        want = 1 + 2 * len(demo.get("sliders", []))
        seen = sum(f["demo"] == k + 1 for f in r["fit"])
        assert seen == want, (f"{name}: demo {k + 1} should be measured {want} times "
                              f"(before any move, after each move); it was {seen} times")
    bad = [f"demo {f['demo']} {f['when']}: {p}" for f in r["fit"] for p in f["problems"]]
    assert not bad, (
        f"{name}: at {VIEWPORT['width']}x{VIEWPORT['height']} with the file browser open, "
        f"live demos that do not fit (screenshots {name}__demoN_*.png in "
        f"{SHOTS.relative_to(REPO_ROOT)}):\n" + "\n".join(bad))


def test_demos_with_a_table_and_with_side_text_are_both_checked(reports):
    panels = [f["panel"] for r in reports.values() for f in r["fit"] if f["panel"]]
    tables = [p for p in panels if p["has_text"] and p["has_table"]]
    texts = [p for p in panels if p["has_text"] and not p["has_table"]]
    assert tables and texts, (
        f"expected the fit checks to cover a live demo with a table beside its figure and "
        f"one with side text; measured {len(tables)} table panels and {len(texts)} text "
        f"panels in {NOTEBOOKS}")


def test_exercise_feedback_names_the_mistake_then_says_correct(reports):
    entries = reports[LAB]["exercises"]
    assert len(entries) == len(EXERCISES), \
        f"expected {len(EXERCISES)} exercises tried, got {len(entries)}: {entries}"
    problems = []
    for e in entries:
        if e.get("problem"):
            problems.append(f"{e['placeholder']!r}: {e['problem']}")
            continue
        wrong, right = e["wrong"], e["right"]
        for what, answer in (("wrong", wrong), ("right", right)):
            if answer["problem"]:
                problems.append(f"{e['placeholder']!r}, {what} answer: {answer['problem']}")
        if wrong["problem"] is None and not (e["mistake"] in wrong["text"]
                                             and "Not yet" in wrong["text"]):
            problems.append(f"{e['placeholder']!r}: a wrong answer should show 'Not yet' "
                            f"and {e['mistake']!r}; the output was {wrong['text']!r}")
        if right["problem"] is None and not ("Correct" in right["text"]
                                             and "Not yet" not in right["text"]):
            problems.append(f"{e['placeholder']!r}: a right answer should show 'Correct'; "
                            f"the output was {right['text']!r}")
    assert not problems, "exercise feedback in JupyterLab:\n" + "\n".join(problems)


def test_screenshots_and_latencies_saved(reports):
    expected = [f"{name}{suffix}.png" for name in NOTEBOOKS for suffix in ("", "__after")]
    expected += [f"{name}__demo{k + 1}_{when}.png" for name in NOTEBOOKS
                 for k in range(len(reports[name].get("demos") or []))
                 for when in ("before", "window", "after")]
    missing = [p for p in expected if not (SHOTS / p).is_file()]
    assert not missing, f"expected screenshots {expected} in {SHOTS}; missing {missing}"
    data = json.loads((SHOTS / "latency.json").read_text())
    n = sum(len(r["moves"]) for r in reports.values())
    assert len(data["moves"]) == n, \
        f"latency.json should list {n} moves; it lists {len(data['moves'])}"


# --------------------------------------------------------------- the playground
#: How long the playground gets to show a few epochs after play, and to prove that
#: pause holds (the counter read twice, this far apart).
PLAY_MS = 60_000
PAUSE_HOLD_MS = 2_000

# The playground's state in the page: its epoch counter, and its image's bytes hashed.
PLAYGROUND_STATE_JS = """async (panelSel) => {
  const box = document.querySelector(panelSel + ' .bplib-playground');
  if (!box) return null;
  const label = box.querySelector('.bplib-playground-epoch');
  const m = label ? label.innerText.match(/epoch (\\d+)/) : null;
  const img = box.querySelector('img');
  let hash = null;
  if (img && img.src) {
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let h = 2166136261 >>> 0;
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619) >>> 0;
    hash = `${bytes.length}:${h}`;
  }
  return {epoch: m ? +m[1] : null, hash,
          message: (box.querySelector('.bplib-playground-message') || {}).innerText || ''};
}"""


def _playground_state(page):
    return page.evaluate(PLAYGROUND_STATE_JS, PANEL)


def _press(page, name: str) -> None:
    page.locator(f"{PANEL} .bplib-playground button",
                 has_text=re.compile(rf"^\s*{name}\s*$")).first.click()


@pytest.fixture(scope="module")
def playground_report(request):
    """Run the playground notebook in JupyterLab, press play, watch, press pause."""
    import nbformat

    sync_playwright, chromium = require_browser("the JupyterLab playground check")
    base, served = request.getfixturevalue("jupyter_lab")
    shutil.rmtree(PLAYGROUND_SHOTS, ignore_errors=True)
    PLAYGROUND_SHOTS.mkdir(parents=True)
    n_cells = len(nbformat.read(served / f"{PLAYGROUND}.ipynb", as_version=4).cells)
    report = {"problems": [], "errors": [], "timings": {}, "sidebar": None,
              "code_cells": 0, "states": [], "_t": time.monotonic()}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT)
        context.route("**/*", lambda r: r.continue_() if is_local(r.request.url)
                      else r.abort())
        page = context.new_page()
        try:
            if _open_and_run(page, base, PLAYGROUND, n_cells, report):
                box = page.locator(f"{PANEL} .bplib-playground")
                box.scroll_into_view_if_needed()
                report["states"].append(("before play", _playground_state(page)))
                box.screenshot(path=str(PLAYGROUND_SHOTS / "before_play.png"))
                _press(page, "play")
                first = report["states"][0][1] or {}
                try:       # the counter past 2 and a new image: several turns shown
                    page.wait_for_function(
                        """([panelSel, e0]) => {
                          const l = document.querySelector(
                              panelSel + ' .bplib-playground .bplib-playground-epoch');
                          const m = l && l.innerText.match(/epoch (\\d+)/);
                          return m && +m[1] > e0 + 2;
                        }""", arg=[PANEL, first.get("epoch") or 0], timeout=PLAY_MS,
                        polling=200)
                except Exception:
                    report["problems"].append(f"the epoch counter did not pass "
                                              f"{(first.get('epoch') or 0) + 2} within "
                                              f"{PLAY_MS / 1000:.0f} s of play")
                report["states"].append(("playing", _playground_state(page)))
                box.screenshot(path=str(PLAYGROUND_SHOTS / "playing.png"))
                _press(page, "pause")
                page.wait_for_timeout(PAUSE_HOLD_MS)     # the turn under way may finish
                report["states"].append(("paused", _playground_state(page)))
                page.wait_for_timeout(PAUSE_HOLD_MS)
                report["states"].append(("paused later", _playground_state(page)))
                box.screenshot(path=str(PLAYGROUND_SHOTS / "paused.png"))
            report["errors"] = page.evaluate(ERRORS_JS, [PANEL, STDERR])
            _notebook_shot(page, PLAYGROUND_SHOTS / f"{PLAYGROUND}.png")
        except Exception as exc:
            report["problems"].append(f"could not finish the check: {type(exc).__name__}: "
                                      f"{str(exc)[:2000]}")
        finally:
            context.close()
            browser.close()
    report["timings"]["total_s"] = round(time.monotonic() - report.pop("_t"), 1)
    print(f"\nplayground in JupyterLab: {report['timings']}; states: "
          f"{[(when, (s or {}).get('epoch')) for when, s in report['states']]}")
    return report


def test_playground_runs_without_errors(playground_report):
    r = playground_report
    assert not r["problems"], "playground: " + "\n".join(r["problems"])
    assert not r["errors"], ("playground: expected no error, stderr or 'Error displaying "
                             "widget' output; saw:\n" + "\n".join(r["errors"]))


def test_playground_play_counts_epochs_and_changes_the_views(playground_report):
    states = dict(playground_report["states"])
    before, playing = states.get("before play"), states.get("playing")
    assert before and playing, f"the playground was not found in the page: {states}"
    assert before["epoch"] == 0, f"expected epoch 0 before play, saw {before}"
    assert playing["epoch"] > 2, f"expected the epoch counter past 2 after play: {playing}"
    assert playing["hash"] != before["hash"], \
        "the views' image (the decision boundary among them) did not change while playing"
    assert not playing["message"], f"training stopped: {playing['message']}"


def test_playground_pause_stops_the_epoch_counter(playground_report):
    states = dict(playground_report["states"])
    paused, later = states.get("paused"), states.get("paused later")
    assert paused and later, f"the playground was not read after pause: {states}"
    assert later["epoch"] == paused["epoch"], \
        f"after pause the counter went on: {paused['epoch']} -> {later['epoch']}"
    assert later["hash"] == paused["hash"], "after pause the image still changed"


# ------------------------------------------- without a browser or a server
def _measured(**change) -> dict:
    """A FIT_JS measurement of a demo that fits (1038 px notebook, side text under the
    figure), with ``change`` applied (dotted keys reach into nested dicts)."""
    fit = {"area": {"left": 378, "right": 1312, "top": 0, "bottom": 500, "width": 934,
                    "height": 500},
           "area_scroll": [934, 934], "notebook_scroll": [1036, 1036],
           "notebook_right": 1327,
           "demo": {"left": 378, "right": 1312, "width": 934},
           "widest": {"what": "div.widget-box", "right": 1312},
           "image": {"left": 380, "right": 1190, "width": 810, "bottom": 400},
           "panel": {"rect": {"left": 380, "right": 1310, "width": 930, "top": 404},
                     "em": 13, "text": "eta = 0.01: slow (no overshoot)", "has_table": False,
                     "scroll": [930, 930], "content_scroll": [930, 930],
                     "where": "under the image", "broken": [],
                     "longest": {"word": "overshoot)", "width": 80}}}
    for key, value in change.items():
        *path, last = key.split(".")
        d = fit
        for part in path:
            d = d[part]
        d[last] = value
    return fit


@pytest.mark.parametrize("change, words", [
    ({"area_scroll": [1100, 934]}, "output area scrolls sideways"),
    ({"notebook_scroll": [1200, 1036]}, "notebook scrolls sideways"),
    ({"area.right": 1400}, "passes the notebook's visible right edge"),
    ({"demo.right": 1320}, "demo's right edge (1320 px) passes"),
    ({"widest": {"what": "table.bplib-table", "right": 1500}}, "table.bplib-table in the "
                                                               "demo extends to 1500 px"),
    ({"image.width": 1000}, "image is 1000 px wide, wider than its output area"),
    ({"panel.rect": {"width": 150}, "panel.where": "beside the image"},
     "side panel (beside the image) is 150 px wide; expected at least 14em = 182 px"),
    ({"panel.scroll": [1200, 930]}, "side panel hides part of its content"),
    ({"panel.content_scroll": [1200, 930]}, "side panel's content hides part"),
    ({"panel.longest": {"word": "overshoot", "width": 2000}}, "narrower than its longest"),
    ({"panel.broken": ['"slow" drawn on 2 lines']}, '1 word(s) of the side panel'),
    ({"problem": "no image in the demo"}, "no image in the demo"),
])
def test_fit_problems_say_what_does_not_fit(change, words):
    """Each layout check of the live demos can fail, and says what it saw."""
    assert _fit_problems(_measured()) == [], \
        f"a fitting demo should pass; got {_fit_problems(_measured())}"
    problems = _fit_problems(_measured(**change))
    assert any(words in p for p in problems), \
        f"expected a problem saying {words!r} for {change}; got {problems}"


def test_fit_problems_ignore_an_empty_side_panel():
    """A frame with nothing beside the figure has nothing to read: no width needed."""
    empty = _measured(**{"panel.text": "", "panel.rect": {"width": 0}})
    assert _fit_problems(empty) == [], \
        f"expected no problem for an empty side panel; got {_fit_problems(empty)}"


@pytest.mark.parametrize("ci, outcome", [("", pytest.skip.Exception),
                                         ("true", pytest.fail.Exception)])
def test_missing_jupyterlab_skips_outside_ci_and_fails_under_ci(monkeypatch, ci, outcome):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "jupyterlab" else real(name, *a))
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="jupyterlab is not installed"):
        require_jupyterlab()


def test_the_lab_copy_asks_for_the_answers_the_test_types(tmp_path):
    """The placeholders that find the exercise cells exist in a fresh learner copy,
    with no solution left in those cells."""
    import nbformat

    served = _make_folder(tmp_path)
    cells = [c.source for c in nbformat.read(served / f"{LAB}.ipynb", as_version=4).cells
             if c.cell_type == "code"]
    for placeholder, *_ in EXERCISES:
        found = [c for c in cells if placeholder in c]
        assert len(found) == 1, (f"expected one code cell holding {placeholder!r} in the "
                                 f"learner copy of {LAB}; found {len(found)}")
        assert "SOLUTION" not in found[0] and "..." in found[0], \
            f"the cell holding {placeholder!r} should be unanswered; it reads:\n{found[0]}"
