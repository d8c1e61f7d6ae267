# GM Assistant: the two set-up commands are `make run` and `make test`.
# Everything is installed into .venv from the exact lock files in requirements/.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# CPU seconds of the long schemathesis run (`make fuzz`); `make test` gives it 50
FUZZ_SECONDS ?= 900

.PHONY: run test fuzz lint format bench lock clean help

help:
	@echo "make run    install, migrate, create the demo company if empty, serve on http://127.0.0.1:$(PORT)"
	@echo "make test   install test dependencies and run the whole suite (SQLite and PostgreSQL if reachable, side by side)"
	@echo "make fuzz   the long schemathesis run against the live API ($(FUZZ_SECONDS) CPU s; FUZZ_SECONDS=N)"
	@echo "make bench  benchmarks (needs PostgreSQL); results in bench/results/"
	@echo "make lint   ruff check and format check"
	@echo "make lock   re-resolve requirements/*.txt from pyproject.toml"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found; install Python 3.11 (Debian: apt-get install python3.11 python3.11-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.main-installed: requirements/main.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/main.txt
	$(BIN)/pip install --quiet --no-deps -e .
	@touch $@

# Front-end libraries (htmx, Pico CSS, Chart.js) from the npm registry, exactly as locked.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "error: Node.js with npm is needed for the front-end libraries (Debian: apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.main-installed
	$(BIN)/pip install --quiet --require-hashes -r requirements/dev.txt
	@touch $@

run: $(VENV)/.main-installed node_modules/.installed
	$(BIN)/gmassist migrate --no-input
	$(BIN)/gmassist demo --if-empty --tier S --seed 1
	$(BIN)/gmassist demo-logins
	PORT=$(PORT) $(BIN)/gmassist serve

test: $(VENV)/.dev-installed node_modules/.installed
	@$(BIN)/python -m tests.run_suites

fuzz: $(VENV)/.dev-installed node_modules/.installed
	GMASSIST_FUZZ_SECONDS=$(FUZZ_SECONDS) $(BIN)/python -m pytest -q -s -p no:cacheprovider -W ignore tests/test_api_schemathesis.py

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(VENV)/.dev-installed node_modules/.installed
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk (load generator)"; apt-get install -y -qq wrk >/dev/null || { echo "error: wrk is needed (apt-get install wrk)"; exit 1; }; }
	$(BIN)/python -m bench $(BENCH_ARGS)

lock: | $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --generate-hashes -o requirements/main.txt
	$(BIN)/uv pip compile pyproject.toml --extra test --extra bench --python-version 3.11 --generate-hashes -c requirements/main.txt -o requirements/dev.txt

clean:
	rm -rf $(VENV) node_modules var/*.sqlite3*
