# The two commands a new user runs: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip -q --disable-pip-version-check
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= auto

.PHONY: demo serve test bench lint format worker beat install install-dev browser-deps clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# The checkout on the venv's path (a .pth file), so that the command-line contracts
# (`.venv/bin/python -m pma_engine.transition FILE ...`) run from any directory.
$(VENV)/.installed: requirements.txt $(VENV)/bin/python
	$(PIP) install -r requirements.txt
	$(PY) -c "import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()['purelib'], 'pma-portal.pth').write_text('$(CURDIR)\n')"
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## demo: install, migrate the SQLite database, load the demo data and serve on 127.0.0.1:8000
demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "Portal: http://$(HOST):$(PORT)/   API docs: http://$(HOST):$(PORT)/api/docs/   Admin: http://$(HOST):$(PORT)/admin/"
	$(PY) manage.py runserver $(HOST):$(PORT)

serve: install
	$(PY) manage.py runserver $(HOST):$(PORT)

## browser-deps: Debian's Chromium for the browser tests (no downloaded browsers)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else echo "Install Debian's chromium (apt-get install chromium) for the browser tests."; fi; }

## test: install what the tests need and run the whole suite
test: install-dev browser-deps
	$(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## bench: run the benchmarks, print a table, write bench/results.json
bench: install-dev
	$(PY) -m bench.run

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## worker: a Celery worker (needs CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0)
worker: install
	$(VENV)/bin/celery -A pma_portal worker --loglevel=info --concurrency=2

## beat: Celery beat, run ONCE per installation: requeues jobs whose worker died (jobs_reap_expired)
beat: install
	$(VENV)/bin/celery -A pma_portal beat --loglevel=info --schedule=/tmp/pma-celerybeat-schedule

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache .mypy_cache
