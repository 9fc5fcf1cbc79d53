# Two commands set up a fresh machine (Python 3.11, Node 20):
#   make demo   - install, build assets, migrate SQLite, generate the demo corporation, serve on :8000
#   make test   - install test dependencies and run the whole suite (DATABASE_URL=postgres://... for PostgreSQL)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEMO_DWELLINGS ?= 12000
# Place the demo in a real municipality: make demo OPEN_DATA=../shared/data MUNICIPALITY=GM0193
OPEN_DATA ?=
MUNICIPALITY ?= GM0193
PYTEST_ARGS ?=

.PHONY: demo test serve install install-test assets messages secret migrate seed lint clean

demo: install assets messages secret migrate seed
	$(BIN)/buurtbalans collectstatic --noinput --verbosity 0
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

test: install-test assets messages
	@command -v chromium >/dev/null || echo "note: browser tests are skipped: install Chromium (apt-get install chromium)"
	$(BIN)/pytest $(PYTEST_ARGS)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps make installation re-run only when a lock file changes.
$(VENV)/.runtime: requirements/lock.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/lock.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.test: requirements/lock-test.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements/lock-test.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(VENV)/.runtime

install: $(VENV)/.runtime
install-test: $(VENV)/.test

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed
	node scripts/build-assets.mjs

messages: install
	$(BIN)/python scripts/compile_messages.py

secret: var/secret_key
var/secret_key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

migrate: install secret
	$(BIN)/buurtbalans migrate --noinput

seed: migrate
	$(BIN)/buurtbalans seed_demo --dwellings $(DEMO_DWELLINGS) $(if $(OPEN_DATA),--open-data $(OPEN_DATA) --municipality $(MUNICIPALITY))

serve: install secret
	HOST=$(HOST) PORT=$(PORT) scripts/serve.sh

lint: install-test
	$(BIN)/ruff check buurtbalans benchmarks scripts

clean:
	rm -rf $(VENV) node_modules buurtbalans/static/build var/static
