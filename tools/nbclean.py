"""Execute notebooks and strip them to what the repository keeps.

Usage::

    python -m tools.nbclean NOTEBOOK [NOTEBOOK ...] [--no-execute] [--check]

Every code cell loses its outputs and execution count, except cells tagged
``nbval-check-output``: their text outputs are claims the prose relies on, so they are
kept (with a fresh execution count) for nbval to compare. Image and widget outputs are
dropped everywhere. ``--check`` changes nothing and exits 1 if a notebook is not clean.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

CHECK_TAG = "nbval-check-output"
KEPT_MIMETYPES = ("text/plain", "text/html", "text/markdown", "text/latex")
GLUE_MIMETYPE_PREFIX = "application/papermill.record/"  # myst-nb glue() outputs
VOLATILE_METADATA = ("execution", "collapsed", "scrolled")


def _keep_output(output: dict) -> dict | None:
    if output.get("output_type") in ("execute_result", "display_data"):
        data = {k: v for k, v in output.get("data", {}).items()
                if k in KEPT_MIMETYPES or (k.startswith(GLUE_MIMETYPE_PREFIX)
                                           and not k.startswith(GLUE_MIMETYPE_PREFIX + "image/"))}
        if not data:
            return None
        output = copy.deepcopy(output)
        output["data"] = data
        output["metadata"] = {}
    return output


def clean(nb) -> None:
    """Strip ``nb`` (an nbformat notebook) in place; see the module docstring."""
    count = 0
    for cell in nb.cells:
        for key in VOLATILE_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type != "code":
            continue
        if CHECK_TAG in cell.metadata.get("tags", []) and cell.get("outputs"):
            count += 1
            outputs = [o for o in map(_keep_output, cell.outputs) if o is not None]
            for o in outputs:
                if "execution_count" in o:
                    o["execution_count"] = count
            cell.outputs = outputs
            cell.execution_count = count
        else:
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)


def is_clean(nb) -> bool:
    """True if cleaning ``nb`` would change nothing."""
    cleaned = copy.deepcopy(nb)
    clean(cleaned)
    return cleaned == nb


def main(argv: list[str] | None = None) -> int:
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--no-execute", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)

    dirty = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if args.check:
            if not is_clean(nb):
                dirty.append(path)
            continue
        if not args.no_execute:
            from nbclient import NotebookClient

            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
        clean(nb)
        nbformat.write(nb, path)
        print(f"cleaned {path}")
    for path in dirty:
        print(f"not clean: {path} (run python -m tools.nbclean {path})")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main())
