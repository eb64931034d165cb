# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test test-fast test-browser browser-setup install lint clean

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,serve]'
	touch $(STAMP)

install: $(STAMP)

## Set up, create or upgrade instance/, load the demo on first start, serve on :5000.
run: $(STAMP)
	$(BIN)/flask --app wiki init
	$(BIN)/flask --app wiki demo --if-empty
	@echo "The first account registered at http://127.0.0.1:5000/register becomes the admin."
	$(BIN)/flask --app wiki run --host 127.0.0.1 --port 5000

## Set up and run the whole test suite: lint, the suite on SQLite (browser and
## load tests included), then again on PostgreSQL when it can be had here.
## The quick tests run on every CPU (pytest-xdist: each test has its own
## instance folder and database); the slow ones (servers, Chromium) one at a time.
PARALLEL := -n auto --maxprocesses 4

test: $(STAMP) browser-setup
	$(BIN)/ruff check .
	$(BIN)/python -m wiki.importrules
	$(BIN)/pytest -m "not slow" $(PARALLEL)
	$(BIN)/pytest -m slow
	PARALLEL="$(PARALLEL)" .ci/test-postgres

## The suite without the slow tests (browser, load): for a quick check while coding.
test-fast: $(STAMP)
	$(BIN)/pytest -m "not slow" $(PARALLEL)

## Only the end-to-end tests in Chromium (tests/browser).
test-browser: $(STAMP) browser-setup
	$(BIN)/pytest -m browser

## Debian's Chromium and axe-core (into .cache/axe) for the browser tests, when missing.
browser-setup:
	.ci/browser-setup

## Only the linters: ruff, and the import rules of the core and the plugins (docs/plugins.md).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m wiki.importrules

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info .cache test-artifacts
