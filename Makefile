# The project's commands. `make help` lists them.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

# The private MariaDB that scripts/test-mariadb.sh runs for the app's tests.
TEST_DB_ENV := HBNB_TYPE_STORAGE=db HBNB_MYSQL_HOST=127.0.0.1 \
	HBNB_MYSQL_PORT=$${HBNB_TEST_DB_PORT:-3307} HBNB_MYSQL_DB=$${HBNB_TEST_DB_NAME:-hbnb_test_db} \
	HBNB_MYSQL_USER=$${HBNB_TEST_DB_USER:-hbnb_test} HBNB_MYSQL_PWD=$${HBNB_TEST_DB_PWD:-hbnb_test_pwd}

.PHONY: help venv test lint test-app test-app-fs test-app-db test-db-up test-db-down run-api clean

help:
	@echo "make test        lint + the app's tests on both storage engines (real MariaDB)"
	@echo "make lint        ruff on the Python code"
	@echo "make test-app    the app's tests only (FileStorage, then DBStorage)"
	@echo "make run-api     the API on 127.0.0.1:5002 with Gunicorn (FileStorage)"
	@echo "make clean       remove the virtualenv and caches"

venv: $(VENV)/.installed

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt app/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

test: lint test-app

lint: venv
	$(BIN)/ruff check app

test-app: test-app-fs test-app-db

test-app-fs: venv
	cd app && HBNB_TYPE_STORAGE=fs ../$(BIN)/python -m pytest

test-app-db: venv test-db-up
	cd app && $(TEST_DB_ENV) ../$(BIN)/python -m pytest

test-db-up:
	scripts/test-mariadb.sh start

test-db-down:
	scripts/test-mariadb.sh stop

run-api: venv
	cd app && ../$(BIN)/gunicorn --bind 127.0.0.1:5002 --workers 2 api.v1.app:app

clean:
	rm -rf $(VENV) .cache .pytest_cache app/.pytest_cache
