# `make demo`, `make lab` and `make test` are all a new user needs: each creates .venv with pip when missing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip install --quiet --disable-pip-version-check

.PHONY: demo lab test bench dot browser lint notebooks clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.demo: pyproject.toml | $(PY)
	$(PIP) -e '.[draw,plot,progress]'
	touch $@

$(VENV)/.dev: pyproject.toml | $(PY)
	$(PIP) -e '.[dev,torch]'
	touch $@ $(VENV)/.demo $(VENV)/.lab

$(VENV)/.bench: pyproject.toml | $(VENV)/.dev
	$(PIP) -e '.[bench]'
	touch $@

dot:
	bash scripts/install_dot.sh

browser:
	bash scripts/install_browser.sh

demo: $(VENV)/.demo dot
	$(VENV)/bin/chainrule train --out demo-output

$(VENV)/.lab: pyproject.toml | $(PY)
	$(PIP) -e '.[notebooks]'
	touch $@

# The lessons in JupyterLab, everything installed (as root, e.g. in a container, Jupyter needs --allow-root).
lab: $(VENV)/.lab dot
	$(VENV)/bin/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

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
