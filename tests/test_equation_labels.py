"""Code and equations linked: every backward and optimizer rule names its book equation."""

import inspect
import json
import re

import pytest

import bplib.activations
import bplib.layers
import bplib.losses
import bplib.optimizers
from bplib.engine import Value
from conftest import REPO_ROOT

LABEL = re.compile(r"\((ch\d\d-[a-z0-9-]+)\)")


def _classes(module, base):
    return [c for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, base) and c is not base and c.__module__ == module.__name__]


RULES = ([(c.__name__ + ".backward", c.backward)
          for m in (bplib.layers, bplib.activations) for c in _classes(m, bplib.layers.Layer)]
         + [(c.__name__ + ".backward", c.backward)
            for c in _classes(bplib.losses, bplib.losses.Loss)]
         + [(c.__name__, c) for c in _classes(bplib.optimizers, bplib.optimizers.Optimizer)]
         + [("Value.backward", Value.backward)])


def book_labels():
    """Equation labels defined in the chapters: ``$$ ... $$ (label)``."""
    labels = set()
    for path in sorted((REPO_ROOT / "book").glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                labels |= set(re.findall(r"\$\$\s*\(([a-z0-9-]+)\)", "".join(cell["source"])))
    return labels


@pytest.mark.parametrize("name, rule", RULES, ids=[n for n, _ in RULES])
def test_rule_names_an_equation_of_the_book(name, rule):
    doc = inspect.getdoc(rule) or ""
    cited = LABEL.findall(doc)
    assert cited, f"{name}: its docstring cites no equation label like (ch03-sigmoid-prime)"
    missing = [label for label in cited if label not in book_labels()]
    assert not missing, f"{name} cites {missing}, which no chapter defines"


def test_bplib_uses_one_label_scheme():
    """Labels are chNN-name (two digits): ch03-..., never ch3-..."""
    old = []
    for path in sorted((REPO_ROOT / "bplib").rglob("*.py")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if re.search(r"\bch\d-[a-z]", line):
                old.append(f"{path.relative_to(REPO_ROOT)}:{n}: {line.strip()}")
    assert not old, "labels not in the chNN- scheme:\n" + "\n".join(old)
