"""The chapters' figures and slider demos, one module per chapter."""

from __future__ import annotations

import importlib
import inspect
import pkgutil


def demo_factories() -> dict:
    """``{"ch01.error_curve_demo": fn, ...}``: every function named ``*_demo`` defined
    in a module of this package (the chapter demos, which tests and benchmarks sweep)."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.endswith("_demo") and fn.__module__ == module.__name__:
                found[f"{info.name}.{name}"] = fn
    return found
