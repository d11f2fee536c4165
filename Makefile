# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip >/dev/null
	$(PY) -m pip install -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)  ## install, then serve http://127.0.0.1:8000
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
	$(PY) bench/stream.py
	$(PY) bench/classroom.py
	$(PY) bench/page.py
	$(PY) bench/fuzz.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache test-artifacts
