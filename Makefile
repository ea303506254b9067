# Client journey warehouse — the commands. `make help` lists them.
# On a fresh machine you need only Python 3.11, git and make: everything else is installed here.

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export SCARF_ANALYTICS := false

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast test-celery lint format airflow warehouse warehouse-stop docs bench chromium clean prod-env prod-up prod-down

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(UV):
	@echo "==> installing uv $(UV_VERSION) into $(TOOLS)/"
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on the CI machines)
# Python never caches what it compiles, and every process — a dbt build, a validation, a test
# worker — compiled Airflow, dbt and GX from source again (importing GX took 8 s, 4.4 s compiled).
$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	@echo "==> installing the locked environment (uv.lock) into $(VENV)/"
	@$(UV) sync --frozen --python "$(PYTHON)" --quiet --compile-bytecode
	@touch $@

install: $(VENV)/.installed ## install the locked Python environment (Airflow, dbt, GX, …)

chromium: ## install Debian's headless Chromium for the browser tests (if missing)
	@command -v chromium >/dev/null 2>&1 || { echo "==> installing chromium (apt)"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

demo: install ## set up, generate the synthetic region, run every DAG and write the pages
	@$(PY) -m tools.demo $(DEMO_ARGS)

# Tests run on pytest-xdist workers, one more than the cores, up to four (TEST_WORKERS=0 runs them
# in this process); whole modules go to one worker, so a module's database and DAG runs are shared
# as before. The extra worker fills the time the others wait on PostgreSQL, Airflow's processes and
# the browser: on 2 cores the suite took 811 s with 3 workers where 2 took 880–992 s (same CPU time).
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 1); echo $$((n + 1)))
PARALLEL := -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile --no-loadscope-reorder

test: install chromium ## run all tests (unit, dbt, GX, DAGs end to end, browser)
	@$(PY) -m pytest $(PARALLEL) --durations=15 $(PYTEST_ARGS)

test-fast: install ## tests without the end-to-end DAG runs, the browser and the Celery deployment
	@$(PY) -m pytest $(PARALLEL) -m "not e2e and not browser and not celery" $(PYTEST_ARGS)

test-celery: install ## the DAGs on the CeleryExecutor (needs Redis and PostgreSQL on 127.0.0.1)
	@$(PY) -m pytest -m celery $(PYTEST_ARGS)

lint: install ## ruff, formatting, mypy, dbt parse and sqlfluff over the dbt models
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy
	@$(PY) -c "from include.dbt_runner import ensure_manifest; print('dbt parse ok:', ensure_manifest())"
	@$(VENV)/bin/sqlfluff lint dbt/models --processes 1 --disable-progress-bar

format: install ## apply ruff formatting and fixes
	@$(VENV)/bin/ruff check --fix .
	@$(VENV)/bin/ruff format .

warehouse: install ## start the embedded PostgreSQL (when WAREHOUSE_DSN is unset) and print its DSN
	@$(PY) -m tools.warehouse start

warehouse-stop: install ## stop the embedded PostgreSQL
	@$(PY) -m tools.warehouse stop

airflow: install ## Airflow UI (standalone) over the embedded warehouse with the project's DAGs
	@$(PY) -m tools.airflow_ui

docs: install ## dbt docs (generated next to the pages, var/site/dbt-docs)
	@$(PY) -m tools.docs

bench: install ## benchmark against the COPY floor (prints a table, writes var/bench/*.json)
	@$(PY) -m tools.bench $(BENCH_ARGS)

prod-env: ## write .env for the production stack with fresh random secrets (never overwrites one)
	@$(PYTHON) docker/make_env.py

prod-up: prod-env ## the production stack: PostgreSQL, Redis, Airflow with Celery workers, Superset (Docker)
	@docker compose up -d --build
	@docker compose ps

prod-down: ## stop the production stack (data volumes are kept)
	@docker compose down

clean: ## stop the embedded warehouse and remove everything generated (var/, .venv/)
	@[ -x $(PY) ] && $(PY) -m tools.warehouse stop || true
	@rm -rf var $(VENV) $(TOOLS) dbt/target dbt/logs test-artifacts
