# The two set-up commands on a fresh machine are `make run` and `make test`; both install what
# they need first (Python packages here; PostgreSQL and the JVM jars through the stack command).
PYTHON ?= python3
STACK := $(PYTHON) -m connectors.stack
DEPS_STAMP := .stack/deps.stamp

.PHONY: run up down status logs test unit bench bench-billing chaos deps

$(DEPS_STAMP): pyproject.toml
	@echo "[make] installing Python packages (pip install -e '.[test]') ..."
	$(PYTHON) -m pip install --progress-bar off --root-user-action=ignore -e '.[test]'
	@mkdir -p $(dir $@) && touch $@

deps: $(DEPS_STAMP)

run: deps  ## the whole system in the foreground; Ctrl-C stops everything
	$(STACK) run

up: deps  ## the whole system in the background
	$(STACK) up --apps

down:
	$(STACK) down

status:
	$(STACK) status

logs:
	$(STACK) logs

test: deps  ## every test tier; starts (or reuses) the stack and the apps
	$(PYTHON) -m pytest -ra

unit: deps
	$(PYTHON) -m pytest -ra tests/unit tests/contract

bench: deps  ## needs the system running (make up); BENCH_PARTS=pgbench,e2e,drain, BENCH_BACKLOG=N, ...
	$(PYTHON) -m tests.bench

bench-billing: deps  ## the subscriptions report and eligible list on 1,000,000 rows (own database)
	$(PYTHON) -m tests.bench.billing

chaos: deps  ## the full fault run (CHAOS_ROUNDS=3, CHAOS_RATE=20 writes/s); starts the system if needed
	$(PYTHON) -m tests.chaos
