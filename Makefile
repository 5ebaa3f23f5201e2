# Thin entry points; each target calls real tools. See README.md.
VENV ?= .venv
BIN  := $(VENV)/bin
PORT ?= 8080

.PHONY: run test check lint format bench setup translations

$(BIN)/enforcement: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

setup: $(BIN)/enforcement node_modules/.package-lock.json

run: setup
	$(BIN)/enforcement db upgrade
	$(BIN)/enforcement demo
	@echo "工贸专项执法平台已就绪：http://127.0.0.1:$(PORT)  演示账号："
	@$(BIN)/enforcement demo-logins
	$(BIN)/enforcement run --port $(PORT)

# The whole suite on both engines and Chromium, in parallel: one pytest-xdist worker per core, each
# starting on its share of the tests and taking over the other's when done (worksteal). Compiled
# modules are cached even where PYTHONDONTWRITEBYTECODE is set: the workers, the live server's
# PDF render processes and the next run import them without compiling again.
test: setup
	scripts/system-deps.sh
	$(BIN)/lint-imports
	env -u PYTHONDONTWRITEBYTECODE scripts/with-postgres.sh $(BIN)/pytest -n auto --dist worksteal

# The inner loop (well under 30 s): lint, formatting, unit and plugin tests; no database, no browser.
check: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	$(BIN)/lint-imports
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -q -n auto --dist worksteal -m "not slow" tests/unit tests/plugins

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/list_pages.py

# The platform's additions to FAB's Chinese catalogue: edit the .po, then compile (both committed).
translations:
	$(BIN)/pybabel compile -d platform/enforcement/translations -D messages
