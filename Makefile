# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test test-at lint format install system-deps messages clean code

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## run: the portal with demo data at http://127.0.0.1:8000/ plus a Celery worker and beat (Ctrl-C stops all)
run: install system-deps
	mkdir -p var/celery-broker/processed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py setup_schedules
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Portal: http://127.0.0.1:8000/   Admin: http://127.0.0.1:8000/admin/"
	@echo "  Web server, Celery worker and beat start below; Ctrl-C stops all three."
	@echo
	$(BIN)/honcho start -f Procfile.dev

## system-deps: Debian's Chromium (browser tests), gettext (translation checks) and Pango with fonts (PDF letters), when root and missing
system-deps:
	@if [ "$$(id -u)" = 0 ] && { ! command -v chromium >/dev/null || ! command -v msgfmt >/dev/null \
			|| ! ldconfig -p | grep -q libpangoft2-1.0 || [ ! -d /usr/share/fonts/truetype/dejavu ]; }; then \
		echo "Installing chromium, gettext, Pango and DejaVu fonts from Debian's packages"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	fi

## code: the current two-factor code of a demo user, for `make run` without a phone (make code STAFF=oslo-leder)
code: install
	@$(BIN)/python manage.py totp_code $(STAFF)

## lint: ruff, and the floors contract (a module imports only from its own floor or below; pyproject.toml)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## test: lint, then the whole suite on PostgreSQL and Redis (DATABASE_URL / REDIS_URL; defaults: local servers):
## the unit and page tests on two processes, the browser and process tests after them on one (they start servers and
## workers of their own), the hostile-input probe last on two (exit 5: PYTEST_ARGS chose no test of that part)
test: install system-deps lint
	$(BIN)/pytest -m "not probe and not browser and not processes" -n 2 $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/pytest -m "(browser or processes) and not probe" $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(BIN)/pytest -m probe -n 2 $(PYTEST_ARGS) || [ $$? -eq 5 ]

## test-at: the suite again with the clock moved, without the browser, process and probe tests (make test-at CLOCK=2026-12-31T23:59:00+01:00)
test-at: install
	@test -n "$(CLOCK)" || { echo "make test-at CLOCK=<ISO 8601 instant with offset>"; exit 2; }
	$(BIN)/pytest --clock "$(CLOCK)" -m "not browser and not processes and not probe" -n 2 $(PYTEST_ARGS)

## messages: refresh locale/nb after changing strings, then translate and run again to compile
messages: install
	$(BIN)/python manage.py makemessages -l nb --no-obsolete --no-location --ignore var --ignore staticfiles
	$(BIN)/python manage.py compilemessages -l nb --ignore .venv

clean:
	rm -rf var staticfiles .pytest_cache
