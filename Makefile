# The everyday commands. `make run` and `make test` work on a fresh machine with only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# The system's certificate store: installs work behind TLS-intercepting proxies (as pip does).
export UV_NATIVE_TLS := 1
# Links in e-mails point where `make run` serves, unless SITE_URL is given.
SITE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),localhost,$(HOST)):$(PORT)

# The embedded default: SQLite file and filesystem broker under var/, e-mails summarised on the
# console. DEBUG is off, as in production, so that people trying it see the product's own error
# pages (never Django's debug pages); what production needs and a trial on this machine does not
# is said here: plain HTTP, a secret key kept in var/, the demo users without two-factor sign-in.
# `make run DEBUG=1` for the debug pages. tests/stack.py starts the product the same way.
DEBUG ?= 0
RUN_ENV := DEBUG=$(DEBUG) ALLOWED_HOSTS=$(HOST),localhost,127.0.0.1 SITE_URL=$(SITE_URL) \
	SECRET_KEY="$$(cat var/secret_key)" SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \
	EMAIL_BACKEND=config.mail.ConsoleSummaryBackend REQUIRE_2FA_FOR_PRIVILEGED=0 API_DOCS_PUBLIC=1
# The web server: gunicorn, as in production (static files through WhiteNoise); RELOAD=1 asks for
# Django's autoreloading development server instead.
ifeq ($(RELOAD),1)
WEB_COMMAND := python manage.py runserver $(HOST):$(PORT)
else
WEB_COMMAND := gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --threads 4 --graceful-timeout 5 --no-control-socket --access-logfile -
endif
# The suite runs with DEBUG off, as production does; these two make that possible without secrets.
TEST_ENV := SECRET_KEY=test-only-secret-key-0123456789abcdefghijkl ALLOWED_HOSTS=testserver,localhost,127.0.0.1

.PHONY: help install run test test-fast fuzz soak lint audit format migrations messages bench bench-reads bench-city bench-plans bench-findhelp bench-growth screenshots clean

help:
	@echo "make run    set up, load the demo world and start web + Celery worker + beat"
	@echo "make test   run the whole test suite"
	@echo "make test-fast  the suite without browser journeys and the route matrix"
	@echo "make lint   ruff and the migrations check"
	@echo "make audit  known vulnerabilities in the locked dependencies (pip-audit)"
	@echo "make bench  every benchmark at a million referrals (PostgreSQL, Redis); SCALE=small: under 10 min"

$(VENV)/.installed: pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(UV) || $(BIN)/pip install --quiet --disable-pip-version-check uv==0.13.9
	$(UV) sync --locked --quiet --python $(BIN)/python
	@touch $@

install: $(VENV)/.installed

run: install
	@mkdir -p var
	@test -s var/secret_key || (umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key)
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input -v 0
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --no-input -v 0
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --force
	@echo ""
	@echo "  Relais is starting on  http://$(HOST):$(PORT)/"
	@echo "  Sign in as cso1.worker, muni.staff, muni.supervisor, cso1.admin, cso2.worker,"
	@echo "  io.coordinator or admin; password demo-pass-2026. Ctrl-C stops everything."
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(RUN_ENV) RELAIS_VAR_DIR="$(CURDIR)/var" WEB_COMMAND="$(WEB_COMMAND)" \
		$(BIN)/supervisord -c config/supervisord.conf

# One test process per core (at most four), a file's tests together in one process: each process
# has its own test database, Redis database and embedded-broker folder (tests/parallel.py).
# `make test PARALLEL=` runs in one process.
PARALLEL ?= -n auto --maxprocesses 4 --dist loadfile

test: install
	$(TEST_ENV) $(BIN)/python -m pytest $(PARALLEL) $(PYTEST_ARGS)

# The README's screenshots (docs/screenshots/): the main pages in English and Arabic, desktop and
# phone, from the demo world in a real browser.
screenshots: install
	$(TEST_ENV) $(BIN)/python -m pytest tests/e2e/screenshots.py -q -p no:logging

# schemathesis with every check against a live server, as three roles, with a larger budget than
# the one CI gives it inside `make test` (tests/test_api_schemathesis.py).
fuzz: install
	SCHEMATHESIS_MAX_EXAMPLES=$${SCHEMATHESIS_MAX_EXAMPLES:-25} SCHEMATHESIS_MAX_TIME=$${SCHEMATHESIS_MAX_TIME:-120} \
		$(TEST_ENV) $(BIN)/python -m pytest tests/test_api_schemathesis.py $(PYTEST_ARGS)

# The product as `make run` starts it, under concurrent clients for ten minutes (the suite does 40 s):
# zero worker crashes, every event delivered. Prints the figures.
soak: install
	SOAK_SECONDS=$${SOAK_SECONDS:-600} $(TEST_ENV) $(BIN)/python -m pytest tests/test_runtime_stack.py -s $(PYTEST_ARGS)

# The suite without the slow sweeps (browser journeys, the route matrix): for everyday work.
test-fast: install
	$(TEST_ENV) $(BIN)/python -m pytest $(PARALLEL) -m "not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports --no-cache
	DEBUG=1 $(BIN)/mypy

audit: install
	bash .ci/audit

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install
	DEBUG=1 $(BIN)/python manage.py makemessages -l fr -l ar --no-obsolete --ignore=.venv --ignore=var --ignore=tests
	DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv

# Every benchmark, at a city's size (SCALE=city, the default: a million referrals and 100,000
# meetings in LOAD_DATABASE_URL, filled once by seed_load and reused), or small (SCALE=small:
# 10,000 referrals, fewer requests; under ten minutes, for regression checks). Needs PostgreSQL;
# the delivery benchmark needs Redis too (BENCH_BROKER_URL). Each prints its figures with their
# targets and records them in var/bench.json. `make bench-reads` alone runs on SQLite.
SCALE ?= city
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/relais_load$(if $(filter small,$(SCALE)),_small,)
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/0
ifeq ($(SCALE),small)
REFERRALS ?= 10000
BENCH_SIZES := BENCH_REQUESTS=50 BENCH_DELIVERIES=10000 BENCH_LOAD_SECONDS=15 BENCH_REFERRALS=5000 BENCH_INSIGHT_REFERRALS=0
else
REFERRALS ?= 1000000
BENCH_SIZES :=
endif
BENCH_ENV := $(TEST_ENV) BENCH_SCALE=$(SCALE) $(BENCH_SIZES)

bench: install
	$(BIN)/python -m benchmarks.database $(LOAD_DATABASE_URL)
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python manage.py migrate -v0
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python manage.py seed_load --force --reuse --referrals $(REFERRALS) --meetings $$(( $(REFERRALS) / 10 ))
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python -m benchmarks.city
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python -m benchmarks.plans
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python -m benchmarks.findhelp
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python -m benchmarks.load
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) $(BIN)/python -m benchmarks.delivery
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) $(BIN)/python -m benchmarks

# The hot reads, writes per second and statistics in a throwaway database of the configured
# kind (SQLite by default).
bench-reads: install
	$(TEST_ENV) $(BIN)/python -m benchmarks

# The lists alone at city scale (the first part of `make bench`).
bench-city: install
	$(BIN)/python -m benchmarks.database $(LOAD_DATABASE_URL)
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python manage.py migrate -v0
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python manage.py seed_load --force --reuse --referrals $(REFERRALS) --meetings $$(( $(REFERRALS) / 10 ))
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python -m benchmarks.city

# A joint action plan's progress page on the load database (issue 17).
bench-plans: install
	$(BIN)/python -m benchmarks.database $(LOAD_DATABASE_URL)
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python manage.py migrate -v0
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python manage.py seed_load --force --reuse --referrals $(REFERRALS) --meetings $$(( $(REFERRALS) / 10 ))
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python -m benchmarks.plans

# The public "find help" pages: rendered and from the cache, and under load beside no cache.
bench-findhelp: install
	$(BIN)/python -m benchmarks.database $(LOAD_DATABASE_URL)
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python manage.py migrate -v0
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python manage.py seed_load --force --reuse --referrals $(REFERRALS) --meetings $$(( $(REFERRALS) / 10 ))
	$(BENCH_ENV) DATABASE_URL=$(LOAD_DATABASE_URL) $(BIN)/python -m benchmarks.findhelp

# How the lists' cost grows: 1,000, 100,000 and 1,000,000 referrals (one database each,
# relais_load_<n>, the million reusing LOAD_DATABASE_URL); a table from var/bench.json.
GROWTH ?= 1000 100000
bench-growth: install
	for n in $(GROWTH); do \
		url=postgres://postgres@127.0.0.1:5432/relais_load_$$n; \
		$(BIN)/python -m benchmarks.database $$url && \
		$(TEST_ENV) DATABASE_URL=$$url $(BIN)/python manage.py migrate -v0 && \
		$(TEST_ENV) DATABASE_URL=$$url $(BIN)/python manage.py seed_load --force --reuse --referrals $$n --meetings $$(( $$n / 10 )) && \
		$(TEST_ENV) DATABASE_URL=$$url BENCH_REQUESTS=$${BENCH_REQUESTS:-50} $(BIN)/python -m benchmarks.city || exit 1; \
	done
	$(TEST_ENV) $(BIN)/python -m benchmarks.growth

clean:
	rm -rf $(VENV) var
