# The project's front door: `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NPM_STAMP := contracts/node_modules/.installed
HARDHAT_STAMP := contracts/hardhat/node_modules/.installed
BROWSER := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HARDHAT_INPUTS := contracts/hardhat/install.sh contracts/hardhat/package.json contracts/hardhat/package-lock.json \
	contracts/hardhat/runtime/package.json contracts/hardhat/runtime/package-lock.json


.PHONY: setup setup-core demo test test-fast test-pg lint artifacts check-artifacts bench clean

# the demo needs the core; the tests also run a Hardhat node
setup-core: $(STAMP) $(NPM_STAMP)

setup: setup-core $(HARDHAT_STAMP) $(BROWSER)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(NPM_STAMP): contracts/package.json contracts/package-lock.json
	cd contracts && npm ci --no-audit --no-fund
	touch $@

# Hardhat 3 needs Node 22: install.sh takes it from the npm registry's `node` package.
$(HARDHAT_STAMP): $(HARDHAT_INPUTS)
	contracts/hardhat/install.sh
	touch $@

# the browser tests drive Debian's Chromium through Playwright (no browser download)
$(BROWSER):
	$(SUDO) apt-get install -y --no-install-recommends chromium || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium)

# Ctrl-C is how the demo ends: it stops everything itself and says so, and exits 130; the
# recipe's shell outlives the Ctrl-C (trap) and turns that 130 into success, so make adds no
# "Error 130" or "Interrupt" line. Any other failure keeps its exit code.
demo: setup-core
	@trap : INT; $(BIN)/python scripts/demo.py; status=$$?; [ $$status -eq 130 ] || exit $$status

# The suite runs in TEST_WORKERS processes (pytest-xdist), a test file to a worker so that its
# module fixtures are built once; tests spend most of their time waiting on blocks, servers and
# browsers, so two workers on two cores halve the wall time. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

test: setup
	$(PYTEST)

# the quick subset for daily work (every area's quick tests, under two minutes): no `slow` tests
test-fast: setup
	$(PYTEST) -m "not slow"

test-pg: setup
	LEDGER_TEST_DATABASE_URL=$${LEDGER_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(PYTEST)

lint: setup
	$(BIN)/ruff check ledger api scripts tests
	$(BIN)/ruff format --check ledger api scripts tests
	$(BIN)/mypy

artifacts: setup
	$(BIN)/python -m ledger.compile

check-artifacts: setup
	$(BIN)/python -m ledger.compile --check

# wrk loads the API from a second process (the API benchmark falls back to Python without it)
WRK := /usr/bin/wrk
$(WRK):
	$(SUDO) apt-get install -y --no-install-recommends wrk || \
		($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends wrk)

bench: setup-core $(WRK)
	$(BIN)/python scripts/bench/issuance.py
	$(BIN)/python scripts/bench/gas_breakdown.py
	$(BIN)/python scripts/bench/indexer.py
	$(BIN)/python scripts/bench/api.py
	$(BIN)/python scripts/bench/reconcile.py
	$(BIN)/python scripts/bench/rules.py
	$(BIN)/python scripts/bench/operator_api.py
	$(BIN)/python scripts/bench/cashout.py
	$(BIN)/python scripts/bench/gamification.py

clean:
	rm -rf $(VENV) contracts/node_modules contracts/hardhat/node_modules contracts/hardhat/runtime/node_modules
