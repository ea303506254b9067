"""The dbt connection of ``build_journeys``: Cosmos renders the profile from an Airflow connection.

Real Cosmos profile rendering (``ProfileConfig.ensure_profile``, as the operator does when a task
runs) and a real ``dbt debug`` against the test server through the rendered profile:

* a trust-authentication server with no password (the local and the embedded PostgreSQL), no
  Airflow connection: the warehouse of ``WAREHOUSE_DSN``, an empty password, dbt connects;
* an Airflow connection ``cjw_warehouse`` (``AIRFLOW_CONN_CJW_WAREHOUSE``, as docker-compose sets
  it) wins over ``WAREHOUSE_DSN``, and its password reaches dbt through an environment variable,
  never the profile file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from include import settings
from include.dbt_runner import TELEMETRY_OFF, invoke

pytestmark = pytest.mark.timeout(180)


def _rendered(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], str, dict[str, str], Path]:
    from include.dbt_profile import warehouse_profile_config

    config = warehouse_profile_config()
    with config.ensure_profile() as (path, env):
        text = path.read_text(encoding="utf-8")
        output = yaml.safe_load(text)["cjw"]["outputs"]["warehouse"]
        return output, text, dict(env), path


def _dbt_connects(path: Path, env: dict[str, str]) -> bool:
    result = invoke(
        ["debug", "--project-dir", str(settings.DBT_PROJECT_DIR), "--profiles-dir", str(path.parent)],
        env={**TELEMETRY_OFF, **env},
    )
    return bool(result.success)


def test_a_trust_server_without_a_connection_is_the_warehouse_dsn(
    fresh_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_CJW_WAREHOUSE", raising=False)
    monkeypatch.delenv("CJW_WAREHOUSE_CONN_ID", raising=False)
    assert not conninfo_to_dict(fresh_db).get("password"), "the test server is expected to use trust auth"
    output, _, env, path = _rendered(monkeypatch)
    parts = conninfo_to_dict(fresh_db)
    assert output["type"] == "postgres"
    assert output["dbname"] == parts["dbname"] and output["user"] == (parts.get("user") or "postgres")
    assert output["password"] == ""  # no password: trust authentication
    assert output["schema"] == "analytics" and output["threads"] == 2
    assert env == {}
    assert _dbt_connects(path, env)


def test_the_airflow_connection_wins_and_its_password_stays_out_of_the_profile(
    fresh_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the connection names the test database; WAREHOUSE_DSN another one, which must not be used
    parts = conninfo_to_dict(fresh_db)
    uri = f"postgresql://{parts.get('user') or 'postgres'}:s3cret-pw@{parts['host']}:{parts.get('port') or 5432}/{parts['dbname']}"
    monkeypatch.setenv("AIRFLOW_CONN_CJW_WAREHOUSE", uri)
    monkeypatch.setenv("WAREHOUSE_DSN", make_conninfo(fresh_db, dbname="not_this_one"))
    monkeypatch.delenv("CJW_WAREHOUSE_CONN_ID", raising=False)
    output, text, env, path = _rendered(monkeypatch)
    assert output["dbname"] == parts["dbname"]
    assert "s3cret-pw" not in text
    assert output["password"] == "{{ env_var('COSMOS_CONN_POSTGRES_PASSWORD') }}"
    assert env == {"COSMOS_CONN_POSTGRES_PASSWORD": "s3cret-pw"}
    assert _dbt_connects(path, env)  # trust authentication ignores the password


def test_build_journeys_runs_dbt_through_the_profile_mapping() -> None:
    from airflow.dag_processing.dagbag import DagBag

    from include.dbt_profile import WarehouseProfileMapping

    dag = DagBag(dag_folder=str(settings.PROJECT_ROOT / "dags" / "build_journeys.py")).dags["build_journeys"]
    dbt_tasks = [t for t in dag.tasks if t.task_id.startswith("dbt.")]
    assert dbt_tasks
    for task in dbt_tasks:
        config = task.profile_config
        assert config.profiles_yml_filepath is None
        assert isinstance(config.profile_mapping, WarehouseProfileMapping)
        assert config.profile_mapping.conn_id == "cjw_warehouse"


def test_dbt_sessions_run_without_jit(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """dbt's connections turn PostgreSQL's JIT off (compiling a model cost more than running it),
    through the runner's environment and through the DAG's Cosmos operators alike; options the
    caller set in PGOPTIONS are kept."""
    from include.dbt_runner import dbt_env, session_env, without_jit

    monkeypatch.setenv("PGOPTIONS", "-c statement_timeout=600000")
    result = invoke(
        ["show", "--inline", "select current_setting('jit') as jit, current_setting('statement_timeout') as st"],
        env=dbt_env(fresh_db),
    )
    assert result.success, result.exception
    row = result.result.results[0].agate_table.rows[0]
    assert (row["jit"], row["st"]) == ("off", "10min")
    assert session_env()["PGOPTIONS"] == "-c statement_timeout=600000 -c jit=off"
    assert without_jit("-c jit=on") == "-c jit=on"  # an explicit choice wins

    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(settings.PROJECT_ROOT / "dags")).dags["build_journeys"]
    builds = [task for task in dag.tasks if task.task_id.startswith("dbt.")]
    assert builds and all("jit=off" in task.env["PGOPTIONS"] for task in builds)
