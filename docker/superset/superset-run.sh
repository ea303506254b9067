#!/usr/bin/env bash
# superset (docker-compose.yml): the web server, as the official image runs it.
set -euo pipefail
exec gunicorn \
    --bind "0.0.0.0:${SUPERSET_PORT:-8088}" \
    --workers "${SUPERSET_WORKERS:-2}" \
    --worker-class gthread --threads 8 \
    --timeout 120 \
    --limit-request-line 0 --limit-request-field_size 0 \
    "superset.app:create_app()"
