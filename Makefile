# The book's commands. Each sets up what it needs: a virtual environment in .venv
# with the pinned dependencies (requirements.lock) and bplib installed editable.
# Only Python 3.10+ and make are needed on the machine.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
EXTRAS := book,lab,test

.PHONY: help setup book test lab clean lock bench

help:
	@echo "make book   build the book into _build/html (then open _build/html/index.html)"
	@echo "make test   run every test: bplib, notebooks, book build, browser checks"
	@echo "make lab    open JupyterLab on your own copies of the labs"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make clean  remove the build, the caches and the virtual environment"

setup: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Python 3.10 or newer is needed; found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[$(EXTRAS)]"
	@touch $(STAMP)

book: $(STAMP)
	$(PY) -m tools.build_book || { find _build/html/reports -name "*.log" -exec cat {} + 2>/dev/null; exit 1; }
	@echo ""
	@echo "The book is built. Open this page in a browser:"
	@echo "  file://$(CURDIR)/_build/html/index.html"

# Two workers or more (pytest-xdist); each test file runs whole in one worker, so a
# notebook's cells share one kernel. The tests of the built book share one build.
test: $(STAMP)
	$(PY) -m pytest -n auto --dist loadfile

# JupyterLab refuses to run as root (common in containers) unless told --allow-root.
lab: $(STAMP)
	$(PY) -m tools.learner labs work
	$(VENV)/bin/jupyter lab work $$(test "$$(id -u)" = 0 && echo --allow-root)

# The benchmark peers (PyTorch, scikit-learn) get an environment of their own,
# .venv-bench (the one name used in README.md and bench/README.md too), so the book,
# lab and test environment never contains them.
BENCH_VENV := .venv-bench
bench:
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -c requirements.lock -e ".[bench]"
	$(BENCH_VENV)/bin/python bench/run_all.py

lock:
	$(PY) -m pip freeze --exclude-editable > requirements.lock

clean:
	rm -rf _build .pytest_cache .hypothesis .jupyter_cache $(VENV) $(BENCH_VENV)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
