# clientbase: `make run` serves the demo, `make test` runs every check. `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CB := $(BIN)/clientbase
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
REDIS_ADDRESS ?= 127.0.0.1:6379
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(VENV)/.installed $@

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: install
install: $(VENV)/.installed ## install clientbase into .venv

.PHONY: run
run: export CLIENTBASE_PORT = $(PORT)
run: $(VENV)/.installed ## migrate, load the demo on first run, serve with the worker at http://HOST:PORT (default 127.0.0.1:8000)
	@$(CB) run --host $(HOST) --port $(PORT) --check-port
	$(CB) migrate --noinput
	$(CB) demo --if-empty --url http://$(HOST):$(PORT)
	@echo "Starting clientbase at http://$(HOST):$(PORT)/  (admin at /admin/, API at /api/docs/; Ctrl+C stops it)"
	@echo "Times and business hours are in the time zone $${TIME_ZONE:-UTC} (another: make run TIME_ZONE=America/Chicago)"
	@$(CB) run --host $(HOST) --port $(PORT)

.PHONY: test
test: $(VENV)/.installed-dev browser-deps lint ## lint, type-check, then the suite on SQLite and PostgreSQL side by side
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

.PHONY: lint
lint: $(VENV)/.installed-dev ## ruff, mypy, the apps' layers (import-linter), Django's checks and the migrations check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src
	$(BIN)/lint-imports --no-cache
	CLIENTBASE_VAR_DIR=$$(mktemp -d) $(CB) check --fail-level WARNING
	CLIENTBASE_VAR_DIR=$$(mktemp -d) $(CB) makemigrations --check --dry-run

.PHONY: test-sqlite
test-sqlite: $(VENV)/.installed-dev ## the suite on SQLite
	env -u DATABASE_URL CLIENTBASE_TESTING=1 CLIENTBASE_VAR_DIR=$$(mktemp -d) $(BIN)/pytest $(PYTEST_ARGS)

.PHONY: test-postgres
test-postgres: $(VENV)/.installed-dev ## the suite on PostgreSQL, with the fleet test on Redis (both mandatory when CI=true)
	@if ! scripts/postgres-ready "$(POSTGRES_URL)"; then \
		if [ "$$CI" = "true" ]; then echo "PostgreSQL is required under CI=true and is not reachable." >&2; exit 1; fi; \
		echo "!!! PostgreSQL not reachable at $(POSTGRES_URL): SKIPPING the PostgreSQL run !!!" >&2; exit 0; \
	fi; \
	if ! scripts/redis-ready "$(REDIS_ADDRESS)"; then \
		if [ "$$CI" = "true" ]; then echo "Redis is required under CI=true and is not reachable at $(REDIS_ADDRESS)." >&2; exit 1; fi; \
		echo "!!! Redis not reachable at $(REDIS_ADDRESS): the fleet test will SKIP !!!" >&2; \
	fi; \
	CLIENTBASE_TEST_REDIS=$(REDIS_ADDRESS) DATABASE_URL=$(POSTGRES_URL) CLIENTBASE_TESTING=1 CLIENTBASE_VAR_DIR=$$(mktemp -d) $(BIN)/pytest $(PYTEST_ARGS)

FUZZ_EXAMPLES ?= 50

.PHONY: fuzz
fuzz: $(VENV)/.installed-dev ## schemathesis against a served demo (SQLite, FUZZ_EXAMPLES per operation; the suite runs 4)
	env -u DATABASE_URL CLIENTBASE_TESTING=1 CLIENTBASE_VAR_DIR=$$(mktemp -d) CLIENTBASE_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
		$(BIN)/pytest -p no:cacheprovider tests/api/test_openapi_truth.py -k schemathesis

.PHONY: browser-deps
browser-deps: ## Debian's chromium for the browser tests (installed when root and missing)
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = "0" ]; then \
			(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
			|| { echo "Could not install chromium." >&2; [ "$$CI" != "true" ]; }; \
		else echo "!!! /usr/bin/chromium missing and not root: browser tests will skip !!!" >&2; fi; \
	fi

.PHONY: bench
bench: $(VENV)/.installed-dev ## workloads W1-W6 on SQLite and PostgreSQL (BENCH_ROWS, BENCH_IMPORT_ROWS): bench/results/latest.md
	$(BIN)/python -m bench --postgres-url "$(POSTGRES_URL)"

.PHONY: clean
clean: ## remove the virtualenv and local data
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
