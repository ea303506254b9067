#!/usr/bin/env bash
# airflow-init (docker-compose.yml): runs once before the other Airflow services start.
#   1. folders the services write to, owned by AIRFLOW_UID (runs as root for this only);
#   2. the admin password of Airflow's login (simple auth manager) from .env;
#   3. `airflow db migrate` on the PostgreSQL metadata database;
#   4. the connections the DAGs need resolve (they come from AIRFLOW_CONN_* in .env, so no
#      secret is stored in the metadata database);
#   5. the dbt manifest the build DAG is rendered from (dbt parse, no database needed).
set -euo pipefail

uid="${AIRFLOW_UID:-50000}"
say() { echo "airflow-init: $*"; }
as_airflow() {
    # the services run as AIRFLOW_UID with group 0 (the official image's convention); -c, not a
    # here-document, so that stdin reaches the program run
    python -c 'import os, sys
os.setgroups([]); os.setgid(0); os.setuid(int(sys.argv[1])); os.environ["HOME"] = "/home/airflow"
os.execvp(sys.argv[2], sys.argv[2:])' "$uid" "$@"
}

for name in AIRFLOW_ADMIN_PASSWORD AIRFLOW__DATABASE__SQL_ALCHEMY_CONN AIRFLOW__CELERY__BROKER_URL \
    AIRFLOW__API_AUTH__JWT_SECRET AIRFLOW__CORE__FERNET_KEY WAREHOUSE_DSN; do
    if [ -z "${!name:-}" ]; then
        say "$name is not set: copy .env.example to .env and fill it in" >&2
        exit 1
    fi
done

logs="${AIRFLOW_HOME:-/opt/airflow}/logs"
auth="$(dirname "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:?}")"
if [ "$(id -u)" = 0 ]; then
    mkdir -p "$logs" "$auth" "${CJW_LANDING_DIR:?}" "${CJW_SITE_DIR:?}"
    chown -R "${uid}:0" "$logs" "$auth" "$CJW_LANDING_DIR" "$CJW_SITE_DIR"
    chmod 0700 "$auth"
    chmod -R g+rwX "$logs" "$CJW_LANDING_DIR" "$CJW_SITE_DIR"
    run=as_airflow
else
    run=""
fi

say "admin login '${AIRFLOW_ADMIN_USER:-admin}' (password from .env)"
$run python - <<'PY'
import json, os
path = os.environ["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"]
user = os.environ.get("AIRFLOW_ADMIN_USER", "admin")
old = os.umask(0o077)
with open(path, "w", encoding="utf-8") as handle:
    json.dump({user: os.environ["AIRFLOW_ADMIN_PASSWORD"]}, handle)
os.umask(old)
PY

say "migrating the metadata database"
$run airflow db migrate

for conn_id in cjw_pseudonymisation cjw_warehouse; do
    if ! $run airflow connections get "$conn_id" -o json >/dev/null 2>&1; then
        say "connection $conn_id is missing: set AIRFLOW_CONN_${conn_id^^} in .env" >&2
        exit 1
    fi
done
metrica=0
for var in $(compgen -e | grep '^AIRFLOW_CONN_CJW_METRICA_' || true); do
    [ -n "${!var}" ] || continue
    conn_id="$(echo "${var#AIRFLOW_CONN_}" | tr '[:upper:]' '[:lower:]')"
    $run airflow connections get "$conn_id" -o json >/dev/null
    metrica=$((metrica + 1))
done
say "$metrica Metrica connection(s) (cjw_metrica_<region>); regions without one read dropped files only"

say "dbt manifest"
$run python -c "from include.dbt_runner import ensure_manifest; print(ensure_manifest())"

say "ready"
