"""The static form of a :class:`bplib.interactive.Demo`: one self-contained HTML
block (inline style and script, frames as inline PNG) with a keyboard-accessible
``<input type="range">`` per slider. No kernel, no CDN, no external file.

Frame ``k`` of sliders with lengths ``n_1, ..., n_m`` and positions ``i_1..i_m``
is ``k = (...(i_1 n_2 + i_2) n_3 + ...) + i_m`` (first slider slowest), as
``Demo.grid`` orders them. Use ``Demo.to_html()`` rather than this module.
"""

from __future__ import annotations

import base64
import html
import json
import math
import struct

_CSS = (
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
    ".bplib-demo pre.bplib-text{margin:0;white-space:pre-wrap}"
)

# Finds its own block by id, so several demos on one page stay independent.
_JS = """(function(){
var root=document.getElementById("%s");
if(!root||root.getAttribute("data-ready"))return;
root.setAttribute("data-ready","1");
var inputs=root.querySelectorAll("input.bplib-range"),
    frames=root.querySelectorAll(".bplib-frame"),
    vals=[],outs=[],i;
for(i=0;i<inputs.length;i++){
  vals.push(JSON.parse(inputs[i].getAttribute("data-values")));
  outs.push(document.getElementById(inputs[i].id+"-out"));
}
function update(){
  var idx=0,k,j;
  for(j=0;j<inputs.length;j++){
    k=parseInt(inputs[j].value,10);
    idx=idx*vals[j].length+k;
    outs[j].textContent=vals[j][k];
    inputs[j].setAttribute("aria-valuetext",inputs[j].getAttribute("data-label")+" = "+vals[j][k]);
  }
  for(j=0;j<frames.length;j++){frames[j].hidden=(j!==idx);}
  root.setAttribute("data-frame",String(idx));
}
for(i=0;i<inputs.length;i++){
  inputs[i].addEventListener("input",update);
  inputs[i].addEventListener("change",update);
}
update();
})();"""


def static_html(uid, title, sliders, frames) -> str:
    """One <div> with inline style, range inputs, every frame and the script."""
    esc = html.escape
    start = sum(s.index * math.prod(len(t) for t in sliders[i + 1:])
                for i, s in enumerate(sliders))
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
    for k, (values, png, extra) in enumerate(frames):
        alt = ", ".join(f"{s.label} = {s.format(values[s.name])}" for s in sliders)
        alt = f"{title}: {alt}" if title else alt
        hidden = "" if k == start else " hidden"
        b64 = base64.b64encode(png).decode("ascii")
        width, height = struct.unpack(">II", png[16:24])     # from the PNG header
        parts.append(
            f'<div class="bplib-frame" data-index="{k}"{hidden}>'
            f'<img src="data:image/png;base64,{b64}" width="{width}" height="{height}" '
            f'alt="{esc(alt)}">'
            f'{f"<div class=bplib-extra>{extra}</div>" if extra else ""}</div>')
    parts.append(f"<script>{_JS % uid}</script></div>")
    return "\n".join(parts)
