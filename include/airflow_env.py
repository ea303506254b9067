"""Environment for running the project's Airflow locally (demo, tests, ``make airflow``).

Airflow reads its configuration when it is first imported, so call ``configure()`` before any
``airflow`` import. Metadata lives in SQLite under ``var/airflow`` unless ``AIRFLOW_HOME`` or
``AIRFLOW__DATABASE__SQL_ALCHEMY_CONN`` say otherwise (docker-compose uses PostgreSQL).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from include import settings
from include.dbt_runner import TELEMETRY_OFF


def airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or settings.var_dir() / "airflow")


def configure(home: Path | None = None) -> dict[str, str]:
    """Set (without overriding what the user set) the variables Airflow needs; return them."""
    home = home or airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    values = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(settings.PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__DEFAULT_TIMEZONE": settings.schedule_timezone(),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": os.environ.get("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING"),
        "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__COSMOS__PROPAGATE_LOGS": "False",
        "PYTHONPATH": os.pathsep.join(p for p in (str(settings.PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p),
        **TELEMETRY_OFF,
    }
    for key, value in values.items():
        os.environ.setdefault(key, value)
    if str(settings.PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(settings.PROJECT_ROOT))
    return {key: os.environ[key] for key in values}


def migrate_metadata_db() -> None:
    """``airflow db migrate`` (idempotent; a few seconds the first time)."""
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        check=True,
        env=os.environ.copy(),
        stdout=subprocess.DEVNULL,
    )
