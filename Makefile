# Short commands for specfirst. Each target creates or reuses the virtual environment.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.specfirst-installed

.PHONY: install prepare check test test-fast lint ruff typecheck soak wheel docs serve bench clean

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

## What the tests need: installs Chromium, Node.js/npm and PostgreSQL if missing (apt-get), starts
## PostgreSQL if it is not answering. Quick when everything is there (SPECFIRST_PREPARE=0 skips it).
prepare:
	@.ci/prepare

## Every test (exit 5, no test collected, fails too), in PYTEST_WORKERS processes (pytest-xdist;
## 0 runs them in this process, one after another).
PYTEST_WORKERS ?= 2
test: prepare $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

## Tests without the slow suites.
test-fast: prepare $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) -m 'not slow'

lint: $(STAMP)
	$(BIN)/specfirst lint openapi/crm.yaml
	$(BIN)/ruff check generator server contract_tests

ruff: $(STAMP)
	$(BIN)/ruff check generator server contract_tests

## mypy --strict on the installed names (specfirst.generator, ...): a folder of symlinks maps them
## to the repository's folders.
TYPECHECK := $(VENV)/typecheck
typecheck: $(STAMP)
	@mkdir -p $(TYPECHECK)/specfirst
	@for p in generator server contract_tests; do ln -sfn ../../../$$p $(TYPECHECK)/specfirst/$$p; done
	MYPYPATH=$(TYPECHECK) $(BIN)/mypy -p specfirst.generator -p specfirst.server -p specfirst.contract_tests

## The whole suite SOAK_RUNS times in a row under a CPU hog on every core (see docs/ci.md).
SOAK_RUNS ?= 10
soak: prepare $(STAMP)
	PYTEST_WORKERS=$(PYTEST_WORKERS) .ci/soak -n $(SOAK_RUNS)

## The wheel (product only) into dist/.
wheel: $(STAMP)
	$(BIN)/python -m pip wheel --no-deps --quiet -w dist .

docs: $(STAMP)
	$(BIN)/specfirst docs openapi/crm.yaml --out docs/reference

serve: $(STAMP)
	$(BIN)/specfirst serve

## Our server against both FastAPI baselines (specfirst bench and wrk), start-up; BENCH_ARGS=--help.
bench: $(STAMP)
	$(BIN)/python -m specfirst.contract_tests.benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
