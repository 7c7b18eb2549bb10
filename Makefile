# The project's commands. `make help` lists them.
SHELL := /bin/bash
VENV ?= .venv
PYTHON ?= python3
BIN := $(CURDIR)/$(VENV)/bin
# Tools from the virtualenv first (ansible-playbook, molecule, pytest...).
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg

SCENARIOS ?= $(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))

# The private MariaDB that scripts/test-mariadb.sh runs for the app's tests.
TEST_DB_ENV := HBNB_TYPE_STORAGE=db HBNB_MYSQL_HOST=127.0.0.1 \
	HBNB_MYSQL_PORT=$${HBNB_TEST_DB_PORT:-3307} HBNB_MYSQL_DB=$${HBNB_TEST_DB_NAME:-hbnb_test_db} \
	HBNB_MYSQL_USER=$${HBNB_TEST_DB_USER:-hbnb_test} HBNB_MYSQL_PWD=$${HBNB_TEST_DB_PWD:-hbnb_test_pwd}

.PHONY: help venv lab lab-down bench browser test lint test-app test-app-fs test-app-db test-collection test-db-up test-db-down \
	images molecule $(addprefix molecule-,$(SCENARIOS)) run-api clean

help:
	@echo "make lab         deploy the whole stack into a local container and print its URL"
	@echo "make lab-down    remove the lab"
	@echo "make test        lint, the app's tests (both storage engines, real MariaDB), every Molecule scenario"
	@echo "make lint        ruff, yamllint, shellcheck, ansible-lint (production profile)"
	@echo "make test-app    the app's tests only"
	@echo "make test-collection  build the collection, install it, use its roles by FQCN, ansible-doc"
	@echo "make molecule    every Molecule scenario ($(SCENARIOS)); molecule-<name> for one"
	@echo "make bench       measure the stack (wrk: Nginx vs Gunicorn vs Flask dev server, converge times) into docs/"
	@echo "make run-api     the API alone on 127.0.0.1:5002 with Gunicorn (file storage)"

venv: $(VENV)/.installed

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt app/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# -- the lab -------------------------------------------------------------------
lab: venv
	scripts/ensure-docker.sh
	scripts/build-test-image.sh 12
	ansible-playbook playbooks/lab_up.yml
	ansible-playbook site.yml
	ansible-playbook playbooks/lab_summary.yml

lab-down: venv
	ansible-playbook playbooks/lab_down.yml

# -- benchmarks ------------------------------------------------------------------
# A fresh bench-web-01 container, cold and warm converge, wrk on loopback inside it;
# writes docs/benchmarks.{md,json,png}.  BENCH_ARGS="--reuse --keep" measures again quickly.
bench: venv
	scripts/ensure-docker.sh
	scripts/build-test-image.sh 12
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

# -- tests ---------------------------------------------------------------------
# Everything in one schedule, two jobs at a time (TEST_JOBS), longest first:
# the lint, the app's tests and the collection's test fill the gaps beside
# the long scenarios instead of running alone before them (about 12 minutes
# of a clean clone's run).  Each job's output is printed whole when it ends;
# TEST_JOBS=1 runs them one by one with live output.
TEST_JOBS ?= $(MOLECULE_JOBS)
TEST_LONGEST := molecule-cluster molecule-default molecule-resilience molecule-clone \
	molecule-role_tls_certificate test-collection test-app-db lint test-app-fs
TEST_ORDER = $(TEST_LONGEST) $(filter-out $(TEST_LONGEST),$(addprefix molecule-,$(MOLECULE_ORDER)))

# What every job needs is made first, once; the jobs then find it done
# (TEST_PREPARED).  A prerequisite still being made while the jobs start
# made GNU make start the short jobs before the long ones.
test: venv images browser test-db-up
	$(MAKE) --jobs=$(TEST_JOBS) $(if $(filter-out 1,$(TEST_JOBS)),--output-sync=target) TEST_PREPARED=1 $(TEST_ORDER)

lint: venv
	ruff check app molecule scripts plugins roles
	pycodestyle app
	ruff check --select D1 app
	$(BIN)/python scripts/check-docstrings.py app
	yamllint -s .
	shellcheck -x scripts/*.sh .ci/run roles/airbnb_app/files/4-reload_gunicorn_no_downtime
	ansible-lint

test-app: test-app-fs test-app-db

test-app-fs: venv
	cd app && HBNB_TYPE_STORAGE=fs $(BIN)/python -m pytest

test-app-db: venv test-db-up
	cd app && $(TEST_DB_ENV) $(BIN)/python -m pytest

# The built collection, installed into an empty path, used by FQCN from outside the repository.
test-collection: venv images
	scripts/test-collection.sh

test-db-up:
ifndef TEST_PREPARED
	scripts/test-mariadb.sh start
endif

test-db-down:
	scripts/test-mariadb.sh stop

images:
ifndef TEST_PREPARED
	scripts/ensure-docker.sh
	scripts/build-test-image.sh 12 13
endif

# Two scenarios at a time: a converge mostly waits on one module call after
# another (about one core busy), so a second lane uses the other core.  On a
# 2-core machine `make test` took 34 to 40 min instead of 50.  The longest
# scenarios start first; each scenario's output is printed in one piece when
# it ends.  MOLECULE_JOBS=1 runs them one by one, with live output.
MOLECULE_JOBS ?= 2
MOLECULE_LONGEST := cluster default resilience clone role_tls_certificate
MOLECULE_ORDER := $(foreach name,$(MOLECULE_LONGEST),$(filter $(name),$(SCENARIOS))) $(filter-out $(MOLECULE_LONGEST),$(SCENARIOS))

molecule: venv images browser
	$(MAKE) --jobs=$(MOLECULE_JOBS) $(if $(filter-out 1,$(MOLECULE_JOBS)),--output-sync=target) \
		$(addprefix molecule-,$(MOLECULE_ORDER))

$(addprefix molecule-,$(SCENARIOS)): molecule-%: venv images
	molecule test -s $*

# The default and clone scenarios open the site in Debian's chromium (test_browser.py).
molecule-default molecule-clone: browser

browser:
ifndef TEST_PREPARED
	scripts/ensure-chromium.sh
endif

run-api: venv
	cd app && $(BIN)/gunicorn --bind 127.0.0.1:5002 --workers 2 api.v1.app:app

clean:
	rm -rf $(VENV) .cache .pytest_cache app/.pytest_cache
