# Qyzmet. `make run` serves the app on 127.0.0.1:8000 (SQLite, in-process background work);
# `make test` runs the whole suite; `make prod` runs the production topology (Procfile) on
# PostgreSQL and RabbitMQ. Both set up the virtualenv from the lock files first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# The seeds' regulations were all repealed; the demo runs on a day when ten of them were in force.
DEMO_TODAY ?= 2015-10-14

.PHONY: help run prod setup test lint format bench lock messages assets clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.runtime: $(BIN)/activate requirements.lock
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(BIN)/pip install -q --require-hashes -r requirements-dev.lock
	touch $@

# Browser tests drive Debian's Chromium (Playwright's own browser download is not reachable here).
/usr/bin/chromium:
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

assets:  ## front-end packages from the npm lock file (node-forge for in-browser signing, bpmn-js for the process diagrams) into qyzmet/static/vendor/
	npm ci --no-audit --no-fund --loglevel=error
	npm run build

messages: $(VENV)/.runtime  ## compile the kk/ru/en translations
	$(BIN)/python -m qyzmet compilemessages --ignore=.venv --ignore=node_modules -v0

setup: $(VENV)/.runtime messages assets  ## virtualenv, migrations, regulation catalogue, demo data
	$(BIN)/python -m qyzmet migrate -v0
	$(BIN)/python -m qyzmet regulations load
	QYZMET_TODAY=$(DEMO_TODAY) $(BIN)/python -m qyzmet demo load
	$(BIN)/python -m qyzmet collectstatic --noinput -v0

run: setup  ## set everything up and serve on 127.0.0.1:$(PORT)
	@echo ""
	@echo "  Qyzmet is at http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@echo "  demo logins: admin / admin (superuser); back office at /office/ as aed.office-clerk, aed.head,"
	@echo "  aed.licensing-department (Almaty licensing department), moh.supervisor (figures of the health"
	@echo "  providers at /office/figures/) ... all with password demo; open data at /portal/open-data/"
	@echo "  the demo clock stands on $(DEMO_TODAY) (QYZMET_TODAY); 'make run DEMO_TODAY=' for real time"
	@echo ""
	QYZMET_TODAY=$(DEMO_TODAY) QYZMET_INPROCESS_SCHEDULER=1 $(BIN)/python -m qyzmet runserver 127.0.0.1:$(PORT)

# The production topology (Procfile, run by honcho): gunicorn, a Celery worker, Celery beat and the
# gateway simulators as their own service, on PostgreSQL and RabbitMQ, which must already run.
GATEWAY_PORT ?= 8101
# The app connects as qyzmet_app, which owns nothing and may only add to the audit log and the
# register; migrations run as qyzmet_owner; preflight makes both as the superuser of
# DATABASE_ADMIN_URL. A DATABASE_URL given without DATABASE_OWNER_URL keeps one role for both.
PROD_ENV = DATABASE_OWNER_URL="$${DATABASE_OWNER_URL:-$${DATABASE_URL:-postgres://qyzmet_owner@127.0.0.1:5432/qyzmet}}" \
	DATABASE_URL="$${DATABASE_URL:-postgres://qyzmet_app@127.0.0.1:5432/qyzmet}" \
	DATABASE_ADMIN_URL="$${DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-amqp://guest@127.0.0.1//}" \
	QYZMET_GATEWAY_URL=http://127.0.0.1:$(GATEWAY_PORT) \
	QYZMET_BIND=127.0.0.1:$(PORT) QYZMET_GATEWAY_BIND=127.0.0.1:$(GATEWAY_PORT)

prod: $(VENV)/.runtime messages assets  ## gunicorn, Celery worker and beat, gateway on PostgreSQL and RabbitMQ; health at /health/
	$(PROD_ENV) $(BIN)/python deploy/preflight.py
	$(PROD_ENV) $(BIN)/python -m qyzmet migrate -v0
	$(PROD_ENV) $(BIN)/python -m qyzmet regulations load
	$(PROD_ENV) $(BIN)/python -m qyzmet collectstatic --noinput -v0
	@echo ""
	@echo "  Qyzmet (production topology) is at http://127.0.0.1:$(PORT)/, health at http://127.0.0.1:$(PORT)/health/"
	@echo "  gateway simulators at http://127.0.0.1:$(GATEWAY_PORT)/health; Ctrl-C stops every process"
	@echo ""
	$(PROD_ENV) $(BIN)/honcho start

# Bytecode is written even where the environment says not to (PYTHONDONTWRITEBYTECODE): without it
# every test worker and every command-line test compiles the project and rewrites the tests' asserts
# anew, some seconds each. The __pycache__ directories are ignored by git.
test: $(VENV)/.dev messages assets /usr/bin/chromium  ## lint, validate the catalogue, run the test suite
	$(BIN)/ruff check qyzmet tests bench deploy manage.py
	$(BIN)/ruff format --check qyzmet tests bench deploy manage.py
	$(BIN)/lint-imports
	$(BIN)/python -m qyzmet regulations validate
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest

lint: $(VENV)/.dev  ## ruff lint and format check, and the layer contract (pyproject.toml)
	$(BIN)/ruff check qyzmet tests bench deploy manage.py
	$(BIN)/ruff format --check qyzmet tests bench deploy manage.py
	$(BIN)/lint-imports

format: $(VENV)/.dev
	$(BIN)/ruff format qyzmet tests bench deploy manage.py

bench: $(VENV)/.dev  ## benchmarks under bench/
	$(BIN)/python bench/run.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/portal.py
	$(BIN)/python bench/overload.py
	$(BIN)/python bench/chaos.py
	$(BIN)/python bench/analytics.py

lock: $(BIN)/activate  ## recompile the lock files from requirements*.in
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile --python-version 3.11 --generate-hashes requirements.in -o requirements.lock
	$(BIN)/uv pip compile --python-version 3.11 --generate-hashes requirements-dev.in -o requirements-dev.lock

clean:
	rm -rf $(VENV) var node_modules qyzmet/static/vendor
