# Taskboard: every entry point people need. Each target sets up .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Worker processes of `make run`; uvicorn's WEB_CONCURRENCY sets it too.
WORKERS ?= $(or $(WEB_CONCURRENCY),1)
FUZZ_EXAMPLES ?= 200
# The second run of `make test`. Where no server answers it is skipped, unless REQUIRE_POSTGRES=1 (CI).
TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
SDK_SOURCES := $(shell find sdk/python -type f -not -path '*/__pycache__/*' 2>/dev/null)
# The port of `make mock`.
MOCK_PORT ?= 4010
# The port of `make admin`, the back office.
ADMIN_PORT ?= 8001

.PHONY: run admin operator seed worker migrate schema mock sdk test test-flaky reliability lint breaking release generate fuzz bench bench-ab load-generator browser promtool node_modules node-lock clean

# What serving needs (make run, migrate, admin, operator, worker): the service's pins alone.
$(VENV)/.service: requirements/service.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/service.txt
	touch $@

# What changing Taskboard needs besides: generators, linters, tests (make generate, lint, test).
$(VENV)/.requirements: $(VENV)/.service requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	touch $@

# The Python SDK is installed the way a team installs it (pip install ./sdk/python), and again when it changes.
$(VENV)/.sdk: $(VENV)/.requirements $(SDK_SOURCES)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall ./sdk/python
	touch $@

# The Node tools (the TypeScript SDK's generator and compiler, the mock server), exactly as
# package-lock.json pins them; install scripts are not run (none is needed).
node_modules: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The SDKs as packages, into $(SDK_DIST): the npm tarball, compiled by the TypeScript it pins (without
# the other Node tools when they are not installed), and the Python wheel.
SDK_DIST ?= dist
sdk: $(VENV)/.requirements
	@[ -f node_modules/.installed ] || npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --workspace sdk/typescript
	mkdir -p $(SDK_DIST)
	npm pack --silent --workspace sdk/typescript --pack-destination $(SDK_DIST)
	$(BIN)/python -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation --wheel-dir $(SDK_DIST) ./sdk/python

# After a change to a package.json: package-lock.json anew, without the download addresses npm would
# record (npm ci finds each package by its name, version and integrity), nor the funding pages it copies.
node-lock:
	npm install --package-lock-only --omit-lockfile-registry-resolved --ignore-scripts --loglevel=error
	node -e 'const fs = require("fs"), lock = JSON.parse(fs.readFileSync("package-lock.json")); for (const p of Object.values(lock.packages)) { delete p.funding; if (/^[a-z+]+:/.test(p.resolved ?? "")) delete p.resolved; } fs.writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n")'

# A deploy's own step, run once before the new release's processes start (docs/operations.md): one
# run at a time on a database (PostgreSQL's advisory lock), each waiting for a table's lock briefly.
migrate: $(VENV)/.service
	$(BIN)/alembic upgrade head

# Before a process serves: the embedded SQLite database is migrated; any other only checked.
schema: $(VENV)/.service
	@$(BIN)/python -m service.migrations.ready

# How the API and the back office are served: uvloop, and the service's protocol, which bounds request
# heads and cuts a client that stops reading (service/kit/protocol.py); each request's log line is the
# service's own.
# X-Forwarded-For and X-Forwarded-Proto are believed only from FORWARDED_ALLOW_IPS: the proxies in front
# (addresses or networks, comma-separated); by default from none, so that no client picks its address.
FORWARDED_ALLOW_IPS ?=
# After the drain (DRAIN_SECONDS), how long the requests in flight have to finish (docs/operations.md).
GRACEFUL_SECONDS ?= 8
SERVE := --loop uvloop --http service.kit.protocol:Protocol --timeout-graceful-shutdown $(GRACEFUL_SECONDS) --no-access-log \
	--log-config service/kit/uvicorn-logging.json --forwarded-allow-ips '$(FORWARDED_ALLOW_IPS)'

# WEB_CONCURRENCY tells each worker how many there are (the rate limiter warns when they count apart).
# The service writes each request's log line itself (LOG_FORMAT: for people on a terminal, JSON elsewhere).
run: export LOG_FORMAT ?= $(shell [ -t 1 ] && echo console || echo json)
# With METRICS_PORT and several workers, prometheus-client's multiprocess mode: a folder of their values,
# emptied at each start, outside the code's (one per port: two services on one machine keep apart).
METRICS_DIR ?= $(or $(XDG_RUNTIME_DIR),/tmp)/taskboard-metrics-$(PORT)
run: schema
	@$(if $(and $(METRICS_PORT),$(filter-out 1,$(WORKERS))),rm -rf $(METRICS_DIR) && mkdir -p $(METRICS_DIR) && export PROMETHEUS_MULTIPROC_DIR=$(METRICS_DIR) &&) \
	WEB_CONCURRENCY=$(WORKERS) $(BIN)/uvicorn --factory service.app:create_app --host $(HOST) --port $(PORT) --workers $(WORKERS) $(SERVE)

# The back office for operators, on its own port (never on the public API's): service/admin/.
admin: schema
	@$(BIN)/uvicorn --factory service.admin.app:create_app --host $(HOST) --port $(ADMIN_PORT) $(SERVE)

# An operator of the back office: make operator EMAIL=ops@example.com [ROLE=support]; the password is
# asked for (or read from OPERATOR_PASSWORD).
ROLE ?= admin
operator: schema
	@test -n "$(EMAIL)" || { echo "usage: make operator EMAIL=ops@example.com [ROLE=admin|support]"; exit 2; }
	$(BIN)/python -m service.admin.operators "$(EMAIL)" --role $(ROLE)

# Demo data, made through the API: ada@example.com and bob@example.com (password "demo password")
# sharing a board of 300 tasks, for a frontend to develop against the real service.
seed: schema
	$(BIN)/python -m service.seed

# Export workers for EXPORT_QUEUE=saq (Redis at REDIS_URL); the default runs exports in the service.
worker: schema
	$(BIN)/python -m saq --quiet service.exports.redis_queue.worker_settings

generate: $(VENV)/.requirements node_modules/.installed
	$(BIN)/python -m codegen
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall ./sdk/python
	touch $(VENV)/.sdk

# The contract's examples, served by Stoplight Prism on MOCK_PORT, for frontend work before the
# service has a feature; requests are checked against the contract as the service checks them.
mock: node_modules/.installed
	node_modules/.bin/prism mock --host $(HOST) --port $(MOCK_PORT) openapi.yaml

lint: $(VENV)/.sdk node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m openapi_spec_validator openapi.yaml
	$(BIN)/python -m codegen --check
	$(BIN)/python -m codegen.breaking
	$(BIN)/python -m service.migrations.check
	@# The app refuses to be made while an operation of the contract has no handler, and names what to write.
	$(BIN)/python -c 'from service.app import create_app; create_app()'
	$(BIN)/mypy
	@# The alert rules docs/operations.md recommends, as Prometheus reads them (make promtool installs it).
	@if command -v promtool >/dev/null; then promtool check rules docs/alerts.yml; \
		else echo "promtool is not installed (make promtool): docs/alerts.yml is not checked"; fi

# What openapi.yaml changes for clients of the last released contract (contract/released/): fails on
# a change that breaks them, unless info.version raises the major version.
breaking: $(VENV)/.requirements
	$(BIN)/python -m codegen.breaking

# A release at openapi.yaml's info.version (raise it, then `make generate`): the SDKs' packages in
# dist/<version>/, and for a new version its CHANGELOG.md entry and contract/released/<version>.yaml.
release: $(VENV)/.sdk node_modules/.installed
	$(BIN)/python -m codegen.release

# The test command $(1) on SQLite, then on PostgreSQL.
define on_both_databases
	$(1)
	@if reason=$$($(BIN)/python -m tests.database $(TEST_POSTGRES_URL)); then \
		echo "== again, on PostgreSQL"; export TEST_DATABASE_URL=$(TEST_POSTGRES_URL); $(1); \
	elif [ -n "$(REQUIRE_POSTGRES)" ]; then \
		echo "PostgreSQL is required but does not answer at $(TEST_POSTGRES_URL): $$reason"; exit 1; \
	else \
		echo "SKIPPED the PostgreSQL run: nothing answers at $(TEST_POSTGRES_URL) ($$reason)"; \
	fi
endef

# Most tests in TEST_WORKERS processes at once; those that measure time or take the machine
# (marked `serial`) after them, alone.
TEST_WORKERS ?= 3
# Without the bench's own test (a smoke run of every measurement, half a minute), which keeps `make
# test` within its time; `make bench` runs it first.
NOT_BENCH := --ignore=tests/bench
test: promtool lint browser
	$(call on_both_databases,$(BIN)/pytest -n $(TEST_WORKERS) -m "not serial" --durations=12 $(NOT_BENCH) && $(BIN)/pytest -m serial $(NOT_BENCH))

# The tests that start servers (all but contract fuzzing, which `make fuzz` varies), FLAKY_ROUNDS times,
# each round in a new random order, on the database of TEST_DATABASE_URL (SQLite by default). A test
# that fails once in these rounds is a defect, and so is one that needs an idle machine.
FLAKY_ROUNDS ?= 10
LIVE_TESTS := tests/reliability tests/events tests/sdk tests/exports/test_redis_queue.py tests/kit/test_disconnect.py \
	tests/kit/test_passwords.py tests/kit/test_pool.py tests/kit/test_protocol.py tests/tasks/test_indexes.py \
	tests/test_secrets_in_logs.py
test-flaky: $(VENV)/.sdk
	@for round in $$(seq $(FLAKY_ROUNDS)); do \
		echo "== round $$round of $(FLAKY_ROUNDS)"; \
		$(BIN)/pytest -q -n $(TEST_WORKERS) -m "not serial" $(LIVE_TESTS) && $(BIN)/pytest -q -m serial $(LIVE_TESTS) || exit 1; \
	done

# The races, crash, shutdown and database-loss tests, RELIABILITY_ROUNDS times each.
reliability: export RELIABILITY_ROUNDS ?= 10
reliability: $(VENV)/.sdk
	$(call on_both_databases,$(BIN)/pytest tests/reliability)

fuzz: $(VENV)/.sdk
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=random $(BIN)/pytest tests/contract -v -s

# The performance report (docs/performance.md): about 8 minutes, on SQLite then on the PostgreSQL at
# BENCH_POSTGRES_URL (a database of its own, dropped after), written to bench-results/.
bench: $(VENV)/.sdk load-generator
	$(BIN)/pytest -q tests/bench
	$(BIN)/python -m bench

# A change's effect on the request path: server CPU per request, this checkout against BASE, in
# alternating rounds on one database (bench/ab.py).
BASE ?= main
bench-ab: $(VENV)/.sdk load-generator
	$(BIN)/python -m bench.ab $(BASE)

# wrk drives `make bench` and its smoke run; Debian's package, installed when missing.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
load-generator:
	@command -v wrk >/dev/null || $(SUDO) apt-get install -y -qq wrk >/dev/null \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk >/dev/null; }

# Debian's Chromium, for the tests of what a browser does; where it cannot be installed those tests
# say so in one line and are skipped, unless REQUIRE_BROWSER=1 (CI).
export REQUIRE_BROWSER
# promtool, which checks the shipped alert rules: Debian's Prometheus package (its server is not started).
promtool:
	@command -v promtool >/dev/null || $(SUDO) apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq --no-install-recommends prometheus >/dev/null; } \
		|| echo "prometheus could not be installed: the alert rules will not be checked"

browser:
	@command -v chromium >/dev/null || $(SUDO) apt-get install -y -qq chromium >/dev/null \
		|| { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; } \
		|| echo "chromium could not be installed: the browser tests will be skipped"

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .schemathesis test-artifacts
