# 园区招商 CRM — two commands on a fresh machine:
#   make run    set everything up, load reference and demo data, serve on http://127.0.0.1:5000
#   make test   set everything up, run the whole suite on SQLite and PostgreSQL
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Seconds a worker may spend on one request before gunicorn restarts it. An XLSX export of 100,000 leads needs about
# 15 s of CPU (and 35-75 s of wall time on a busy 2-core machine), past gunicorn's 30 s default.
TIMEOUT ?= 120
# Debian packages: Pango/HarfBuzz for WeasyPrint (subsetting CJK fonts), Noto CJK fonts, poppler for PDF checks.
APT_RUN := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils
# Browser tests drive Debian's Chromium through Playwright; backup tests on PostgreSQL call pg_dump and pg_restore;
# the shared rate-limit test runs two app processes against Redis.
APT_TEST := chromium postgresql-client redis-server
# Links the served app builds (share links, e-mails) name this address; set CRM_BASE_URL to the public one when
# the server sits behind a proxy.
run serve: export CRM_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: setup setup-test system-deps system-deps-test venv lock translations fonts db run serve test bench i18n clean pack-reference

setup: system-deps venv translations fonts

setup-test: setup system-deps-test

system-deps:
	@APT="$(APT_RUN)" bash .ci/apt-ensure

system-deps-test:
	@APT="$(APT_TEST)" bash .ci/apt-ensure

venv: $(VENV)/.installed

# requirements.lock pins every package (runtime and test) to the versions the suite last passed with; `make lock`
# refreshes it from a clean virtualenv after a change to pyproject.toml's dependencies.
$(VENV)/.installed: pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) >&2
	@$(BIN)/pip install --quiet --upgrade pip >&2
	@$(BIN)/pip install --quiet -c requirements.lock -e '.[test]' >&2
	@touch $@

lock:
	@rm -rf /tmp/crm-lock-venv && $(PYTHON) -m venv /tmp/crm-lock-venv
	@/tmp/crm-lock-venv/bin/pip install --quiet '.[test]' >&2
	@/tmp/crm-lock-venv/bin/pip freeze --exclude gongshu-crm > requirements.lock
	@rm -rf /tmp/crm-lock-venv build && echo "requirements.lock: $$(wc -l < requirements.lock) packages" >&2

translations: venv
	@$(BIN)/pybabel compile --statistics -d crm/translations 2>&1 | tail -n 1 >&2

fonts: venv
	@$(BIN)/python -m crm.packs.fonts static/fonts > /dev/null && echo "fonts ready in static/fonts" >&2

db: setup
	$(BIN)/crm db upgrade
	$(BIN)/crm seed

run: db
	@$(BIN)/crm demo
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop; the job worker stops with it)"
	@$(BIN)/crm worker > instance/worker.log 2>&1 & WORKER=$$!; \
	trap "kill $$WORKER 2>/dev/null" EXIT INT TERM; \
	$(BIN)/gunicorn --workers 2 --timeout $(TIMEOUT) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

serve:
	$(BIN)/gunicorn --workers 2 --timeout $(TIMEOUT) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

# The suite runs in TEST_WORKERS processes (pytest-xdist; auto: one per CPU), the browser tests together in one of
# them (tests/conftest.py); TEST_WORKERS=0 runs it in one process, in order. PYTEST_ARGS go to pytest as they are.
TEST_WORKERS ?= auto

test: setup-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest tests -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

pack-reference: setup-test
	PACK_REFERENCE_UPDATE=1 $(BIN)/python -m pytest tests/packs/test_pack_look.py -q -k sqlite

# BENCH_DB=postgresql runs the benchmarks on a scratch PostgreSQL database (CRM_TEST_PG_URL), dropped after the run.
BENCH_DB ?= sqlite

bench: setup
	@BENCH_DB=$(BENCH_DB) $(BIN)/python -m tests.bench.run $(BENCH_ARGS)

i18n: venv
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o /tmp/crm-messages.pot .
	$(BIN)/pybabel update -i /tmp/crm-messages.pot -d crm/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) static/fonts .pytest_cache
