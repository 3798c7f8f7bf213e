# LineageLens. Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 5000
BIN    := $(VENV)/bin

.PHONY: run test install ui lint pytest services-start services-stop bench clean

UI_DIST := receiver/ui_dist/index.html
UI_INPUTS := $(shell find ui/src ui/public -type f 2>/dev/null) ui/index.html ui/package.json \
	ui/package-lock.json ui/vite.config.ts ui/tsconfig.json

# A fresh virtualenv with the package (editable) and the test tools; redone when setup.cfg changes.
$(BIN)/.installed: setup.cfg setup.py pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/.installed

# The web UI, built when its sources change, into the package (served at "/", shipped in the wheel).
$(UI_DIST): $(UI_INPUTS)
	scripts/ui-build.sh
	rm -rf receiver/ui_dist && mkdir -p receiver/ui_dist && cp -R ui/dist/. receiver/ui_dist/
	find receiver/ui_dist -name '*.map' -delete

ui: $(UI_DIST)

## Start the receiver on the embedded default (SQLite + SQL graph store) at http://127.0.0.1:$(PORT).
run: install
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory ui; \
	 else echo "npm not found: starting without the web UI (the API works; install Node 20 for the UI)"; fi
	$(BIN)/lineagelens serve --host 127.0.0.1 --port $(PORT)

lint: install
	$(BIN)/ruff check .
	scripts/typecheck.sh

## Install, start real PostgreSQL and Neo4j on localhost, run lint and the whole suite, stop them.
test: install ui
	PYTHON=$(abspath $(BIN)/python) scripts/test.sh

pytest: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

services-start:
	scripts/postgres.sh start
	PYTHON=$(abspath $(BIN)/python) scripts/neo4j.sh start

services-stop:
	-scripts/neo4j.sh stop
	-scripts/postgres.sh stop

bench: install
	PYTHON=$(abspath $(BIN)/python) scripts/bench.sh

clean:
	rm -rf $(VENV) build *.egg-info lineagelens.db*
