#!/usr/bin/env bash
# superset-init (docker-compose.yml): runs once before the Superset web server starts.
# Metadata database migrations, the admin user (password from .env), roles and permissions,
# then the warehouse connection (read-only role cjw_bi) and the KPI dashboard (provision.py).
set -euo pipefail
for name in SUPERSET_SECRET_KEY SUPERSET_DB_PASSWORD SUPERSET_ADMIN_PASSWORD CJW_BI_PASSWORD; do
    if [ -z "${!name:-}" ]; then
        echo "superset-init: $name is not set (see .env.example)" >&2
        exit 1
    fi
done
user="${SUPERSET_ADMIN_USER:-admin}"

superset db upgrade
if superset fab list-users 2>/dev/null | grep -q "username:${user} "; then
    superset fab reset-password --username "$user" --password "$SUPERSET_ADMIN_PASSWORD"
else
    superset fab create-admin --username "$user" --firstname Admin --lastname CJW \
        --email "${user}@cjw.invalid" --password "$SUPERSET_ADMIN_PASSWORD"
fi
superset init
python "$(dirname "$0")/provision.py"
