# The two Quick start commands are `make run` and `make test`; both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: venv run test test-sqlite test-pg lint format openapi migrate demo-data clean

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

## The whole suite: lint, type checks, layer contracts, then every test on SQLite and PostgreSQL.
test: lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-sqlite: venv
	FAMILYHUB_TEST_DATABASES=sqlite $(BIN)/python -m pytest

test-pg: venv
	FAMILYHUB_TEST_DATABASES=postgres $(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check app tests migrations
	$(BIN)/mypy app
	$(BIN)/mypy --strict app/domain
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff format app tests
	$(BIN)/ruff check --fix app tests

openapi: venv
	$(BIN)/familyhub openapi

migrate: venv
	$(BIN)/familyhub migrate

demo-data: venv
	$(BIN)/familyhub demo-data

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
