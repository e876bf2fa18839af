# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed

.PHONY: run test test-deps install lint format check pytest migrate demo messages clean bench-queries bench-reports bench-signed-in bench

$(STAMP): pyproject.toml
	@$(PYTHON) -c "import ensurepip, venv" 2>/dev/null || { \
		echo "Python's venv module is missing: on Debian/Ubuntu run 'apt install python3-venv'."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo_data

# Without STRIPE_SECRET_KEY (environment or .env) scripts/devserver.py starts localstripe, a
# fake Stripe, on 127.0.0.1:8420 first (or reuses one already there) and stops it with the server.
run: demo
	@$(PY) scripts/devserver.py --addr 127.0.0.1:8000 --worker --demo-orders

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	DJANGO_SETTINGS_MODULE=shop.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=shop.settings.test $(MANAGE) makemigrations --check --dry-run

# What the suite needs from the system besides pip's packages (Chromium and its fonts, Java,
# redis-server, PostgreSQL): installed with apt when run as root, otherwise named.
test-deps:
	@bash scripts/test-deps.sh

# The suite in three phases (scripts/test.sh): on PostgreSQL (DATABASE_URL, or a throwaway
# server started and stopped for the run) the tests in parallel, then the `serial` ones alone;
# then the `sqlite` subset on SQLite.
pytest: install
	@bash scripts/test.sh $(PYTEST_ARGS)

# The system packages first: they include Python's venv support, which `install` needs.
test: test-deps
	@$(MAKE) --no-print-directory lint check pytest

# Regenerate the catalogues (needs GNU gettext) and fill them from locale/<language>.toml.
messages: install
	$(MANAGE) makemessages -l ru -l en -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=tests
	$(PY) scripts/po_fill.py locale/ru/LC_MESSAGES/django.po locale/ru.toml
	$(PY) scripts/po_fill.py locale/en/LC_MESSAGES/django.po locale/en.toml
	$(PY) scripts/po_fill.py locale/zh_Hans/LC_MESSAGES/django.po locale/zh_Hans.toml
	$(MANAGE) compilemessages --ignore=.venv

# SQL queries per storefront page with a small and a ten times larger catalogue.
bench-queries: install
	$(PY) -m bench.query_counts

# Requests per second of the storefront pages against a bare view, production settings
# (gunicorn, WhiteNoise, DEBUG off), with wrk (apt install wrk). Writes var/bench-site.md.
bench: install
	$(PY) -m bench.site

# Signed-in pages (a customer's, a student's, a teacher's) in-process with the production
# settings: queries, with ten times the data, and CPU ms per page. --profile NAME for cProfile.
bench-signed-in: install
	$(PY) -m bench.signed_in

# Queries and render times of the teachers' report and portfolio with 10,000 orders.
bench-reports: install
	$(PY) -m bench.teaching_reports

clean:
	rm -rf var
