"""``make airflow``: the Airflow UI (``airflow standalone``) over the embedded warehouse.

The project's DAGs, the warehouse DSN and the pseudonymisation key are wired in; metadata is in
SQLite under ``var/airflow``. Log in as ``admin``; the password is printed by Airflow at start-up
and kept in ``var/airflow/simple_auth_manager_passwords.json.generated``.
"""

from __future__ import annotations

import json
import os
import sys

from include import airflow_env


def main() -> int:
    env = airflow_env.configure()
    from include.demo import ensure_key
    from include.warehouse import resolve_dsn

    os.environ["WAREHOUSE_DSN"] = resolve_dsn()
    ensure_key()
    os.environ.setdefault(
        "AIRFLOW_CONN_CJW_PSEUDONYMISATION",
        json.dumps({"conn_type": "generic", "password": os.environ["CJW_PSEUDONYM_KEY"]}),
    )
    os.environ.setdefault("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    os.environ.setdefault("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin")
    print(f"Airflow home {env['AIRFLOW_HOME']}, DAGs from {env['AIRFLOW__CORE__DAGS_FOLDER']}")
    print(f"warehouse {os.environ['WAREHOUSE_DSN']}")
    print("UI: http://localhost:8080 — user admin, password: see the line Airflow prints below")
    os.execv(sys.executable, [sys.executable, "-m", "airflow", "standalone"])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
