"""A Sphinx extension that keeps the built book free of network references.

Jupyter Book 1 always loads sphinx-thebe, which writes the URL of thebe's JavaScript on a
CDN into every page (it would fetch it only on a "launch" click, which this book does
not offer). This extension drops those scripts from each page, so a page refers to no
external script at all. Listed in ``_config.yml`` under ``sphinx: local_extensions``.
"""

from __future__ import annotations

import re

EXTERNAL = re.compile(r"^(https?:)?//", re.I)


def _is_external_or_thebe(script) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return (bool(EXTERNAL.match(filename)) or filename.endswith("sphinx-thebe.js")
            or "THEBE_JS_URL" in body)


def drop_external_scripts(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_external_or_thebe(s)]


def setup(app):
    app.connect("html-page-context", drop_external_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
