# The two Quick start commands are `make run` and `make test`; both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: venv run test test-sqlite test-pg lint format openapi error-codes migrate demo-data client-check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

## Run the service on the embedded SQLite database with demo data; docs at http://127.0.0.1:8000/docs
run: venv
	$(BIN)/familyhub migrate
	$(BIN)/familyhub demo-data
	$(BIN)/familyhub serve

## The whole suite: lint, type checks, layer contracts, every test on SQLite and PostgreSQL, then the
## generated TypeScript client against a live server (skipped, with a warning, where npm is missing).
test: lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup
	@if command -v npm >/dev/null 2>&1; then scripts/client-check.sh; \
	else echo "WARNING: npm not installed: the TypeScript client check (make client-check) was skipped"; fi

## The TypeScript client: regenerate from the contract, type-check, and run the whole cycle with it.
client-check: venv
	scripts/client-check.sh

test-sqlite: venv
	FAMILYHUB_TEST_DATABASES=sqlite $(BIN)/python -m pytest

test-pg: venv
	FAMILYHUB_TEST_DATABASES=postgres $(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check app demo tests migrations bench
	$(BIN)/ruff format --check app demo tests bench
	$(BIN)/mypy app demo bench tests
	$(BIN)/mypy --strict app/domain
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff format app demo tests bench
	$(BIN)/ruff check --fix app demo tests bench

openapi: venv
	$(BIN)/familyhub openapi

## Regenerate docs/errors.md and app/api/error_codes.py from the raises in app/ (a test checks they match)
error-codes: venv
	$(BIN)/familyhub error-codes

migrate: venv
	$(BIN)/familyhub migrate

demo-data: venv
	$(BIN)/familyhub demo-data

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
