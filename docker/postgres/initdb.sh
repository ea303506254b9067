#!/usr/bin/env bash
# /docker-entrypoint-initdb.d/10-cjw.sh: the official postgres image runs this once, on the first
# start with an empty data volume. Passwords come from the environment (.env), never from a file
# in the repository.
set -euo pipefail

for name in CJW_DB_PASSWORD CJW_BI_PASSWORD AIRFLOW_DB_PASSWORD SUPERSET_DB_PASSWORD; do
    if [ -z "${!name:-}" ]; then
        echo "initdb: $name is not set (see .env.example)" >&2
        exit 1
    fi
done

psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-postgres}" \
    -v warehouse_db=cjw -v warehouse_owner=cjw -v warehouse_password="$CJW_DB_PASSWORD" \
    -v bi_role=cjw_bi -v bi_password="$CJW_BI_PASSWORD" \
    -v airflow_db=airflow -v airflow_role=airflow -v airflow_password="$AIRFLOW_DB_PASSWORD" \
    -v superset_db=superset -v superset_role=superset -v superset_password="$SUPERSET_DB_PASSWORD" \
    -f /opt/cjw/postgres/init.sql

echo "initdb: databases cjw, airflow, superset and roles cjw, cjw_bi, airflow, superset created"
