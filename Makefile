# cxloop: two commands on a fresh machine.
#   make run   install, migrate, load the demo world, serve http://127.0.0.1:8000
#   make test  install, then the whole suite on SQLite and on PostgreSQL
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha1sum | cut -c1-12)

.PHONY: install run test lint bench clean migration

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/cxloop migrate
	$(BIN)/cxloop demo
	$(BIN)/cxloop serve

test: install
	scripts/test.sh

lint: install
	$(BIN)/ruff check src tests bench && $(BIN)/ruff format --check src tests bench && $(BIN)/mypy && $(BIN)/lint-imports

bench: install
	$(BIN)/python bench/ingest.py && $(BIN)/python bench/identity.py && $(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# A new migration from the models: make migration msg="add cases"
migration: install
	$(BIN)/python -c "from alembic import command; from cxloop.core.migrate import alembic_config; command.revision(alembic_config(), message='$(msg)', autogenerate=True)"
	$(BIN)/ruff format -q src/cxloop/migrations/versions; $(BIN)/ruff check --fix -q src/cxloop/migrations/versions
