"""The test harness itself: under pytest-xdist (``make test``) every worker must have its own
Airflow metadata database, var folder and dbt target, or workers race on one SQLite file."""

from __future__ import annotations

import os

from tests import conftest


def test_this_process_keeps_its_state_in_its_own_session_folder() -> None:
    own = str(conftest._SESSION_DIR)
    assert os.environ["CJW_TESTS_SESSION_DIR"] == own
    for key in ("AIRFLOW_HOME", "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "CJW_VAR_DIR"):
        assert own in os.environ[key], f"{key}={os.environ[key]} is not under {own}"
    if os.environ.get("PYTEST_XDIST_WORKER"):
        assert own in os.environ["DBT_TARGET_PATH"]
