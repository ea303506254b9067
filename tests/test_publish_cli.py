"""``python -m include.publish``: the write–audit–publish gate without Airflow, and the publish log.

On a fresh database of the real server: the command publishes an audited build schema and says
so in ``ops.publish_log``; with nothing to publish it fails, leaves ``marts`` as it was and keeps
the whole error (every line, masked) in ``ops.publish_log`` and ``ops.alerts``.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from include import publish

pytestmark = pytest.mark.timeout(180)
PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def warehouse(fresh_db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    role = f"cjw_bi_test_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("CJW_BI_ROLE", role)
    try:
        yield fresh_db
    finally:
        with psycopg.connect(fresh_db, autocommit=True) as conn:
            if conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
                conn.execute(sql.SQL("drop owned by {}").format(sql.Identifier(role)))
                conn.execute(sql.SQL("drop role {}").format(sql.Identifier(role)))


def _cli(dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "WAREHOUSE_DSN": dsn}
    return subprocess.run(
        [sys.executable, "-m", "include.publish", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )


def _rows(dsn: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        return list(conn.execute(query).fetchall())  # type: ignore[arg-type]


def test_the_command_publishes_a_build_and_records_it(warehouse: str) -> None:
    with psycopg.connect(warehouse) as conn:
        conn.execute("create schema marts__build")
        conn.execute("create table marts__build.dim_kpis as select 'call_asa' as kpi_id, 60 as norm_value")
    done = _cli(warehouse, "publish", "--run-id", "cli-test-1")
    assert done.returncode == 0, done.stderr
    assert _rows(warehouse, "select kpi_id from marts.dim_kpis") == [("call_asa",)]
    assert _rows(warehouse, "select run_id, status, stage from ops.publish_log") == [
        ("cli-test-1", "published", "publish")
    ]


def test_a_failure_leaves_the_marts_and_keeps_the_whole_error(warehouse: str) -> None:
    with psycopg.connect(warehouse) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.dim_kpis as select 'published before' as kpi_id")
    done = _cli(warehouse, "publish", "--run-id", "cli-test-2")  # no build schema: nothing to publish
    assert done.returncode == 1
    assert "nothing to publish" in done.stderr and "Traceback" not in done.stderr
    assert _rows(warehouse, "select kpi_id from marts.dim_kpis") == [("published before",)]
    [(status, stage, reason)] = _rows(warehouse, "select status, stage, reason from ops.publish_log")
    assert (status, stage) == ("failed", "publish")
    assert "nothing to publish: schema marts__build does not exist" in str(reason)
    [(message,)] = _rows(warehouse, "select message_ru from ops.alerts where kind = 'quality_gate'")
    assert "nothing to publish" in str(message)


def test_the_publish_log_keeps_every_line_of_a_task_error_masked(warehouse: str) -> None:
    error = (
        "Database Error in model stg_call_centre__queue_events\n"
        '  invalid input syntax for type integer: "89123456789"\n'
        "  compiled code at target/run/cjw/models/staging/call_centre/stg_call_centre__queue_events.sql"
    )
    publish.record_task_failure("run-x", "dbt.staging", error, "dbt", dsn=warehouse)
    reason = publish.record_failure("run-x", reason="build not published", dsn=warehouse)
    [(stored, details)] = _rows(warehouse, "select reason, details::text from ops.publish_log")
    assert stored == reason
    assert "invalid input syntax for type integer" in reason and "compiled code at" in reason  # not only line 1
    assert "89123456789" not in reason and "89123456789" not in str(details) and "<phone>" in reason


def test_the_publish_log_takes_the_stage_from_the_tasks_that_failed(warehouse: str) -> None:
    """Each task of build_journeys says which stage it belongs to; the log keeps the earliest."""
    publish.record_task_failure("run-y", "render_pages", "template error", "pages", dsn=warehouse)
    publish.record_task_failure("run-y", "audit_marts", "kpis__minutes_range failed", "quality", dsn=warehouse)
    publish.record_failure("run-y", reason="build not published", dsn=warehouse)
    publish.record_task_failure("run-z", "render_pages", "template error", "pages", dsn=warehouse)
    publish.record_failure("run-z", reason="build not published", dsn=warehouse)
    stages = dict(_rows(warehouse, "select run_id, stage from ops.publish_log where run_id in ('run-y', 'run-z')"))
    assert stages == {"run-y": "quality", "run-z": "pages"}
    with pytest.raises(ValueError, match="unknown build stage"):
        publish.record_task_failure("run-y", "audit_marts", "x", "audit", dsn=warehouse)


def test_a_build_starts_from_the_schema_published_before(warehouse: str) -> None:
    """The two mart schemas take turns: a publish moves the published one aside as the next build
    schema, marked as published; readying a build removes the marker and what is no model of the
    project, and keeps the project's marts and their bookkeeping; a full refresh empties it."""
    with psycopg.connect(warehouse) as conn:
        conn.execute("create schema marts__build")
        conn.execute("create table marts__build.dim_kpis as select 'first' as kpi_id")
    publish.publish("first", dsn=warehouse)
    with psycopg.connect(warehouse) as conn:
        conn.execute("create schema marts__build")
        conn.execute("create table marts__build.dim_kpis as select 'second' as kpi_id")
    publish.publish("second", dsn=warehouse)
    tables = "select table_name from information_schema.tables where table_schema = 'marts__build' order by 1"
    assert _rows(warehouse, "select kpi_id from marts.dim_kpis") == [("second",)]
    assert _rows(warehouse, "select kpi_id from marts__build.dim_kpis") == [("first",)]
    assert _rows(warehouse, tables) == [(publish.PUBLISHED_MARKER,), ("dim_kpis",)]
    with pytest.raises(publish.PublishError, match="build first"):
        publish.publish("again", dsn=warehouse)

    with psycopg.connect(warehouse) as conn:
        conn.execute("create table marts__build.incremental_batches (model text, batch_id bigint, checksum text)")
        conn.execute("create table marts__build.fct_dropped_from_the_project as select 1 as x")
    publish.prepare_build(warehouse)
    assert _rows(warehouse, tables) == [("dim_kpis",), ("incremental_batches",)]
    publish.publish("third", dsn=warehouse)  # a build happened: publishing is allowed again
    assert _rows(warehouse, "select kpi_id from marts.dim_kpis") == [("first",)]

    publish.prepare_build(warehouse, full_refresh=True)
    assert _rows(warehouse, "select 1 from pg_namespace where nspname = 'marts__build'") == []
