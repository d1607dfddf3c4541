# Two commands on a fresh machine with only Python 3: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run test bench soak schema clean graphiql-assets

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

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

## Seed the bench tenant, serve it, and measure the gateway against the raw-SQL limit.
bench: $(INSTALLED)
	$(PY) -m tests.bench $(BENCH_ARGS)

## Serve the bench tenant and run the headline queries for 5 minutes at concurrency 32: errors, RSS, connections.
soak: $(INSTALLED)
	$(PY) -m tests.soak $(SOAK_ARGS)

## Write schema.graphql from the code.
schema: $(INSTALLED)
	$(PY) -m graph schema > schema.graphql

clean:
	rm -rf $(VENV) .pytest_cache

.PHONY: schema-baseline
## Record the schema as the baseline clients are promised (tests/schema/test_compatibility.py; see README).
schema-baseline: schema
	cp schema.graphql tests/schema/baseline.graphql
