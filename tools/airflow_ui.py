"""``make airflow``: the Airflow UI (``airflow standalone``) over the embedded warehouse.

The project's DAGs, the warehouse DSN and the pseudonymisation key are wired in; metadata is in
SQLite under ``var/airflow``. Log in as ``admin`` / ``admin`` (a local demo login, kept in
``var/airflow/passwords.json``; edit that file to change it).
"""

from __future__ import annotations

import json
import os
import sys

from include import airflow_env


def main() -> int:
    env = airflow_env.configure()
    from tools.demo import ensure_key
    from tools.warehouse import resolve_dsn

    os.environ["WAREHOUSE_DSN"] = resolve_dsn()
    ensure_key()
    os.environ.setdefault(
        "AIRFLOW_CONN_CJW_PSEUDONYMISATION",
        json.dumps({"conn_type": "generic", "password": os.environ["CJW_PSEUDONYM_KEY"]}),
    )
    os.environ.setdefault("AIRFLOW__CORE__EXECUTOR", "LocalExecutor")
    # `airflow standalone` starts its components as `airflow …` commands: the venv must be on PATH
    os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    os.environ.setdefault("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin")
    passwords = airflow_env.airflow_home() / "passwords.json"
    if not passwords.exists():
        passwords.write_text(json.dumps({"admin": "admin"}))
        passwords.chmod(0o600)
    os.environ.setdefault("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE", str(passwords))
    print(f"Airflow home {env['AIRFLOW_HOME']}, DAGs from {env['AIRFLOW__CORE__DAGS_FOLDER']}")
    print(f"warehouse {os.environ['WAREHOUSE_DSN']}")
    print(f"UI: http://localhost:8080 — user admin, password in {passwords} (admin)")
    os.execv(sys.executable, [sys.executable, "-m", "airflow", "standalone"])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
