# Customer Desk — `make run` to try it, `make test` to check it.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
BENCH_CUSTOMERS ?= 1000000
BENCH_PG_PORT ?= 55433
BENCH_HTTP_CUSTOMERS ?= 1000000
BENCH_HTTP_SECONDS ?= 10
BENCH_HTTP_PG_PORT ?= 55434
# The benchmarks' PostgreSQL holds a million customers (about 2 GB with their indexes) in its
# buffers, as a server sized for them would; the test cluster keeps the 256 MB default.
BENCH_PG_SHARED_BUFFERS ?= 2GB
bench bench-http: export PG_SHARED_BUFFERS = $(BENCH_PG_SHARED_BUFFERS)

.PHONY: install install-test run serve test lint format bench bench-http clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

instance/secret_key:
	mkdir -p instance
	$(PY) -c 'import secrets; print(secrets.token_urlsafe(48))' > $@
	chmod 600 $@

## run: install, migrate, seed demo data and accounts (first time), serve on 127.0.0.1:5000
run: install instance/secret_key
	$(FLASK) demo
	$(FLASK) run --host $(HOST) --port $(PORT)

## serve: production server (gunicorn; workers/threads from GUNICORN_* variables, see gunicorn.conf.py)
serve: install instance/secret_key
	$(FLASK) migrate
	$(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

## test: install test dependencies and run every test (TEST_DATABASE_URL=postgresql+psycopg://… for PostgreSQL)
test: install-test
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## bench: seed 1,000,000 customers on SQLite and PostgreSQL and time every kind of search
bench: install
	@pg_dir=$$(mktemp -d /tmp/customer-desk-bench-pg.XXXXXX); \
	trap '.ci/pg-cluster.sh stop "$$pg_dir"; rm -rf "$$pg_dir"' EXIT; \
	.ci/pg-cluster.sh start "$$pg_dir" $(BENCH_PG_PORT) && \
	BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:$(BENCH_PG_PORT)/postgres \
	$(PY) bench/search_bench.py --customers $(BENCH_CUSTOMERS) --engines sqlite,postgresql

## bench-http: pages under gunicorn and wrk beside a bare Flask route, on SQLite and PostgreSQL (BENCH_HTTP_CUSTOMERS, BENCH_HTTP_SECONDS per page)
bench-http: install
	@command -v wrk >/dev/null || apt-get install -y -q wrk || { apt-get update -q && apt-get install -y -q wrk; }
	$(PY) bench/http_bench.py --customers $(BENCH_HTTP_CUSTOMERS) --seconds $(BENCH_HTTP_SECONDS) \
		--pg-port $(BENCH_HTTP_PG_PORT) --engines sqlite,postgresql $(BENCH_HTTP_ARGS)

clean:
	rm -rf $(VENV) instance/customer-desk.db*
