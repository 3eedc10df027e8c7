"""The static form of a :class:`bplib.figures.Demo`: one self-contained HTML
block (inline style and script, frames as inline PNG) with a keyboard-accessible
``<input type="range">`` per slider. No kernel, no CDN, no external file.

Frame ``k`` of sliders with lengths ``n_1, ..., n_m`` and positions ``i_1..i_m``
is ``k = (...(i_1 n_2 + i_2) n_3 + ...) + i_m`` (first slider slowest), as
``Demo.grid`` orders them. Use ``Demo.to_html()`` rather than this module.
Side text wraps at word boundaries and moves under the figure when there is no room.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json

from PIL import Image

_counter = itertools.count()     # several demos of one frame set may share a page

TABLE_CSS = (      # the table beside a figure, live or static, whatever the page's style
    ".bplib-demo .bplib-table{border-collapse:collapse;font-variant-numeric:tabular-nums}"
    ".bplib-demo .bplib-table th,.bplib-demo .bplib-table td{padding:.15em .6em;"
    "text-align:right}"
    ".bplib-demo .bplib-table thead th{border-bottom:1px solid #999}"
    ".bplib-demo .widget-html-content{line-height:normal}"    # ipywidgets sets 28px
)
_CSS = TABLE_CSS + (
    ".bplib-demo{margin:1em 0}"
    ".bplib-demo .bplib-title{font-weight:bold;margin:0 0 .3em}"
    ".bplib-demo .bplib-controls{display:grid;align-items:center;gap:.2em .8em;"
    "grid-template-columns:max-content minmax(8em,24em) max-content;margin:0 0 .5em}"
    ".bplib-demo .bplib-control{display:contents}"
    ".bplib-demo .bplib-control input{width:100%;margin:0}"
    ".bplib-demo .bplib-control output{font-variant-numeric:tabular-nums;min-width:4em}"
    ".bplib-demo .bplib-frame{display:flex;flex-wrap:wrap;align-items:flex-start;gap:1em}"
    ".bplib-demo .bplib-frame[hidden]{display:none}"
    ".bplib-demo img{max-width:100%;height:auto}"
    ".bplib-demo .bplib-extra{flex:1 1 16em;min-width:16em;max-width:100%;overflow-x:auto}"
    ".bplib-demo pre.bplib-text{margin:0;white-space:pre-wrap;word-break:normal;"
    "overflow-wrap:normal}"
)

# Finds its own block by id, so several demos on one page stay independent.
_JS = """(function(){
const root = document.getElementById("%s");
if (!root || root.dataset.ready) return;
root.dataset.ready = "1";
const inputs = [...root.querySelectorAll("input.bplib-range")];
const frames = [...root.querySelectorAll(".bplib-frame")];
const values = inputs.map(i => JSON.parse(i.dataset.values));
function update() {
  let k = 0;
  inputs.forEach((input, j) => {
    const v = values[j][+input.value];
    k = k * values[j].length + (+input.value);
    document.getElementById(input.id + "-out").textContent = v;
    input.setAttribute("aria-valuetext", input.dataset.label + " = " + v);
  });
  frames.forEach((f, j) => { f.hidden = j !== k; });
  root.dataset.frame = String(k);
}
inputs.forEach(i => { i.addEventListener("input", update); i.addEventListener("change", update); });
update();
})();"""


def _small_png(png: bytes) -> bytes:
    """The frame as a 256-colour PNG packed hard (a third of the bytes, same look)."""
    img = Image.open(io.BytesIO(png)).convert("RGB").quantize(
        colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    out = io.BytesIO()
    img.save(out, format="PNG", compress_level=9)
    return out.getvalue()


def static_html(demo) -> str:
    """One <div> with inline style, a range input per slider, every frame, the script."""
    esc, sliders, title, grid = html.escape, demo.sliders, demo.title, list(demo.grid())
    frames = [demo.frame(**values) for values in grid]
    pngs = [_small_png(png) for png, _ in frames]
    uid = f"bplib-demo-{hashlib.sha1(b''.join(pngs)).hexdigest()[:10]}-{next(_counter)}"
    start = grid.index(demo.initial)
    parts = [f'<div class="bplib-demo" id="{uid}" data-frames="{len(frames)}">',
             f"<style>{_CSS}</style>"]
    if title:
        parts.append(f'<p class="bplib-title">{esc(title)}</p>')
    parts.append('<div class="bplib-controls">')
    for i, s in enumerate(sliders):
        sid = f"{uid}-s{i}"
        texts = [s.format(v) for v in s.values]
        parts.append(
            f'<div class="bplib-control"><label for="{sid}">{esc(s.label)}</label>'
            f'<input type="range" class="bplib-range" id="{sid}" min="0" '
            f'max="{len(s) - 1}" step="1" value="{s.index}" data-name="{esc(s.name)}" '
            f'data-label="{esc(s.label)}" data-values="{esc(json.dumps(texts))}" '
            f'aria-valuetext="{esc(s.label)} = {texts[s.index]}">'
            f'<output id="{sid}-out" for="{sid}">{texts[s.index]}</output></div>')
    parts.append("</div>")
    for k, (values, (_, extra), png) in enumerate(zip(grid, frames, pngs)):
        alt = ", ".join(f"{s.label} = {s.format(values[s.name])}" for s in sliders)
        alt = f"{title}: {alt}" if title else alt
        hidden = "" if k == start else " hidden"
        b64 = base64.b64encode(png).decode("ascii")
        width, height = Image.open(io.BytesIO(png)).size
        parts.append(
            f'<div class="bplib-frame" data-index="{k}"{hidden}>'
            f'<img src="data:image/png;base64,{b64}" width="{width}" height="{height}" '
            f'alt="{esc(alt)}">'
            f'{f"<div class=bplib-extra>{extra}</div>" if extra else ""}</div>')
    parts.append(f"<script>{_JS % uid}</script></div>")
    return "\n".join(parts)
