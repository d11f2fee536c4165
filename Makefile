# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed-dev

.PHONY: run test lint bench clean

# `make run` installs only what running needs (a newcomer's first start is quick);
# `make test`, `lint` and `bench` add the dev extras (pytest, playwright, ruff...).
$(RUN_STAMP): pyproject.toml setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e .
	touch $(RUN_STAMP)

$(STAMP): $(RUN_STAMP)
	$(PY) -m pip install -q -e ".[dev]"
	touch $(STAMP)

run: $(RUN_STAMP)  ## install, then serve http://127.0.0.1:8000
	$(PY) -m app

test: $(STAMP)  ## install, then lint and run every test (browser tests need /usr/bin/chromium)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)  ## speed figures against PyTorch, scikit-learn and the targets
	$(PY) bench/engine.py
	$(PY) bench/layers.py
	$(PY) bench/stream.py
	$(PY) bench/classroom.py
	$(PY) bench/page.py
	$(PY) bench/fuzz.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache test-artifacts
