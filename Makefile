# `make demo` and `make test` are all a new user needs: each creates .venv with pip when missing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: demo test bench dot browser lint notebooks clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.demo: pyproject.toml | $(PY)
	$(PIP) -e '.[draw,plot,progress]'
	touch $@

$(VENV)/.dev: pyproject.toml | $(PY)
	$(PIP) -e '.[dev,torch]'
	touch $@ $(VENV)/.demo

$(VENV)/.bench: pyproject.toml | $(VENV)/.dev
	$(PIP) -e '.[bench]'
	touch $@

dot:
	bash scripts/install_dot.sh

browser:
	bash scripts/install_browser.sh

demo: $(VENV)/.demo dot
	$(VENV)/bin/chainrule train --out demo-output

test: $(VENV)/.dev dot browser
	$(PY) -m pytest

bench: $(VENV)/.bench
	$(PY) -m benchmarks

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check autograd nn tests benchmarks notebooks
	$(VENV)/bin/mypy

notebooks: $(VENV)/.dev dot
	$(PY) notebooks/run.py

clean:
	rm -rf $(VENV) demo-output
