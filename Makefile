# Baotuan: `make demo` and `make test` set up everything on a fresh machine.
PYTHON ?= python3.11
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# The PostgreSQL run uses DATABASE_URL when it is a postgres:// URL, else the local default;
# pytest-django creates and drops its own test_<name> database there.
TEST_DATABASE_URL ?= $(or $(filter postgres%,$(DATABASE_URL)),postgres://postgres@127.0.0.1:5432/baotuan)
DEMO_ENV := DEBUG=false SECRET_KEY_FILE=var/secret_key ALLOWED_HOSTS=127.0.0.1,localhost

.PHONY: demo test test-sqlite test-postgres bench install install-dev lint serve messages clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

install-dev: $(VENV)/.installed-dev node_modules/.installed

var/secret_key:
	@mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# The web server, a worker and beat side by side (Procfile.demo, honcho): Ctrl-C stops all.
demo: install var/secret_key
	$(DEMO_ENV) $(BIN)/baotuan migrate --no-input
	$(DEMO_ENV) $(BIN)/baotuan collectstatic --no-input -v 0
	$(DEMO_ENV) $(BIN)/baotuan load_demo
	@echo "==> http://127.0.0.1:$(PORT)/"
	$(DEMO_ENV) LOG_FORMAT=text PORT=$(PORT) $(BIN)/honcho -f Procfile.demo start

# Production serving: gunicorn (2 workers), a Celery worker and beat (Procfile, honcho), with
# the settings from the environment (README "生产部署"); migrate and collectstatic first.
serve: install
	PORT=$(PORT) $(BIN)/honcho -f Procfile start

# The whole suite on SQLite, then on PostgreSQL when it answers (REQUIRE_POSTGRES=1: must).
test: install-dev
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -m baotuan.pgcheck "$(TEST_DATABASE_URL)"; then \
		$(MAKE) --no-print-directory test-postgres; \
	elif [ -n "$$REQUIRE_POSTGRES" ]; then \
		echo "PostgreSQL does not answer at $(TEST_DATABASE_URL) and REQUIRE_POSTGRES is set"; exit 1; \
	else echo "PostgreSQL not reachable: skipped the PostgreSQL run"; fi

test-sqlite:
	@echo "==> tests on SQLite"
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=baotuan.settings_test
	DATABASE_URL= DATABASE_REPLICA_URL= $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	@echo "==> tests on PostgreSQL ($(TEST_DATABASE_URL))"
	DATABASE_URL=$(TEST_DATABASE_URL) $(BIN)/pytest --create-db $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .

# Refresh the catalogues after changing UI strings; translate the new entries, then compile
# (the .mo files are committed). One run from the root fills every app's own catalogue in
# <app>/locale (baotuan/settings_messages.py routes each file to its app).
MSG_IGNORE := --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --ignore 'bench/*' --ignore 'tests/*' --ignore '*/tests/*'
messages: install-dev
	$(BIN)/django-admin makemessages -l zh_Hans --no-location --settings=baotuan.settings_messages --pythonpath=. $(MSG_IGNORE)
	$(BIN)/django-admin compilemessages $(MSG_IGNORE) --settings=baotuan.settings_test --pythonpath=.

clean:
	rm -rf $(VENV) node_modules var
