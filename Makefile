# Short commands for specfirst. Each target creates or reuses the virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.specfirst-installed

.PHONY: install check test test-fast lint docs serve bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## The main job: the CI pipeline on the reference spec (lint, drift, docs, server, contract test).
check: $(STAMP)
	$(BIN)/specfirst check

## Every test.
test: $(STAMP)
	$(BIN)/python -m pytest

## Tests without the slow suites.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m 'not slow'

lint: $(STAMP)
	$(BIN)/specfirst lint openapi/crm.yaml
	$(BIN)/ruff check generator server contract_tests

docs: $(STAMP)
	$(BIN)/specfirst docs openapi/crm.yaml --out docs/reference

serve: $(STAMP)
	$(BIN)/specfirst serve

## Our server against both FastAPI baselines (specfirst bench and wrk), start-up; BENCH_ARGS=--help.
bench: $(STAMP)
	$(BIN)/python -m specfirst.contract_tests.benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
