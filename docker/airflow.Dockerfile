# syntax=docker/dockerfile:1
# Airflow for the production stack (docker-compose.yml): the official image of the Airflow
# version in uv.lock, with exactly the project's locked dependencies installed on top.
#
# How the lock gets in: uv (the version the Makefile pins) exports uv.lock to a requirements
# file with hashes, without the dev group, the project itself and the embedded-PostgreSQL wheel
# (pgserver: the stack has its own PostgreSQL); pip installs that list with --no-deps and
# --require-hashes, wheels only, so the image gets the locked versions and nothing resolved
# anew. Providers the base image ships but the lock does not have are removed, so the image's
# Airflow is the one the tests ran. The project itself is not copied: docker-compose.yml mounts
# the repository at /opt/airflow/project (DAGs, include/, dbt/, expectations/).
#
# Build context: the repository root; docker/airflow.Dockerfile.dockerignore lets only
# pyproject.toml and uv.lock in.
FROM apache/airflow:3.3.2-python3.11

ARG UV_VERSION=0.13.9

COPY --chown=airflow:0 pyproject.toml uv.lock /opt/airflow/lock/

RUN set -eux; \
    python -m venv /tmp/uv; \
    /tmp/uv/bin/pip install --no-cache-dir --disable-pip-version-check "uv==${UV_VERSION}"; \
    /tmp/uv/bin/uv export --project /opt/airflow/lock --frozen --no-dev --no-emit-project \
        --no-emit-package pgserver --format requirements.txt \
        --output-file /opt/airflow/lock/requirements.txt; \
    rm -rf /tmp/uv; \
    pip install --no-cache-dir --disable-pip-version-check --no-deps --require-hashes \
        --only-binary=:all: -r /opt/airflow/lock/requirements.txt; \
    locked="$(grep -oE '^apache-airflow-providers-[a-z0-9-]+' /opt/airflow/lock/requirements.txt || true)"; \
    extra="$(pip list --format=freeze --disable-pip-version-check | cut -d= -f1 | tr '_' '-' \
        | grep -E '^apache-airflow-providers-' | grep -vxF "${locked}" || true)"; \
    if [ -n "${extra}" ]; then pip uninstall -y --disable-pip-version-check ${extra}; fi; \
    python -c "import airflow, cosmos, dbt.version, great_expectations; print('airflow', airflow.__version__)"

ENV PYTHONPATH=/opt/airflow/project \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/airflow/project/dags \
    AIRFLOW__CORE__LOAD_EXAMPLES=False \
    DO_NOT_TRACK=1 \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    GX_ANALYTICS_ENABLED=false \
    SCARF_ANALYTICS=false \
    AIRFLOW__USAGE_DATA_COLLECTION__ENABLED=False \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False
