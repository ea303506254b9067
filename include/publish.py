"""Write–audit–publish of the marts.

dbt builds the marts into ``marts__build`` (never read by BI); dbt tests run with the build;
then Great Expectations checks the built marts (``expectations/marts.py``); only then one
transaction swaps ``marts__build`` into ``marts`` (the schema BI and the pages read) and grants
the read-only BI role. A failure at any step leaves ``marts`` exactly as it was and writes the
reason to ``ops.publish_log``.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from include import settings

log = logging.getLogger(__name__)

BUILD_SCHEMA = "marts__build"
PUBLISHED_SCHEMA = "marts"
PREVIOUS_SCHEMA = "marts__previous"

OPS_DDL = """
create schema if not exists ops;
create table if not exists ops.publish_log (
    publish_id bigint generated always as identity primary key,
    run_id text,
    started_at timestamptz,
    finished_at timestamptz not null default now(),
    status text not null check (status in ('published', 'failed')),
    stage text not null check (stage in ('dbt', 'quality', 'publish', 'pages')),
    reason text,
    details jsonb,
    published_tables integer,
    published_rows bigint
);
create table if not exists ops.build_task_failures (
    run_id text not null,
    task_id text not null,
    failed_at timestamptz not null default now(),
    message text
);
"""


class PublishError(RuntimeError):
    pass


def ensure_ops(conn: psycopg.Connection[Any]) -> None:
    conn.execute(OPS_DDL)


def prepare_build(dsn: str | None = None) -> None:
    """Start every build from an empty build schema, so nothing of a failed build survives.

    Raw tables of every registered source are created (empty) when missing, so a region that
    has not connected a source yet still builds: its staging models are simply empty.
    """
    from include.connectors import SOURCES, connector_for
    from include.loading import ensure_raw_schema

    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        ensure_ops(conn)
        for source in SOURCES:
            ensure_raw_schema(conn, connector_for(source))
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(BUILD_SCHEMA)))


def record_task_failure(run_id: str, task_id: str, message: str, dsn: str | None = None) -> None:
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        ensure_ops(conn)
        conn.execute(
            "insert into ops.build_task_failures (run_id, task_id, message) values (%s, %s, %s)",
            (run_id, task_id, message[:4000]),
        )


def record_failure(
    run_id: str,
    *,
    reason: str,
    stage: str | None = None,
    details: dict[str, Any] | None = None,
    started_at: datetime | None = None,
    dsn: str | None = None,
) -> str:
    """A failed build: the published marts stay as they were; say why (returns the reason)."""
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        ensure_ops(conn)
        failures = conn.execute(
            "select task_id, message from ops.build_task_failures where run_id = %s order by failed_at", (run_id,)
        ).fetchall()
        payload = {**(details or {}), "failed_tasks": [{"task_id": t, "message": m} for t, m in failures]}
        stage = stage or _failed_stage([task_id for task_id, _ in failures])
        if failures:
            reason = f"{reason}: " + "; ".join(f"{t}: {m.splitlines()[0][:300] if m else ''}" for t, m in failures)
        conn.execute(
            "insert into ops.publish_log (run_id, started_at, status, stage, reason, details)"
            " values (%s, %s, 'failed', %s, %s, %s)",
            (run_id, started_at, stage, reason, json.dumps(payload, ensure_ascii=False, default=str)),
        )
    log.error("build %s not published (%s): %s", run_id, stage, reason)
    return reason


def _failed_stage(task_ids: list[str]) -> str:
    """The earliest write–audit–publish stage among the failed tasks."""
    if not task_ids or any(t.startswith("dbt.") or t in ("prepare_build", "check_source_freshness") for t in task_ids):
        return "dbt"
    if "audit_marts" in task_ids:
        return "quality"
    if "publish_marts" in task_ids:
        return "publish"
    return "pages"


def ensure_bi_role(conn: psycopg.Connection[Any], role: str) -> bool:
    """Create the read-only BI role when it is missing; False when we may not create roles."""
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
    if exists:
        return True
    try:
        with conn.transaction():
            conn.execute(
                sql.SQL("create role {} login nosuperuser nocreatedb nocreaterole").format(sql.Identifier(role))
            )
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.DuplicateObject) as exc:
        log.warning("BI role %s not created: %s", role, exc)
        return bool(conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone())
    return True


def publish(
    run_id: str,
    *,
    quality: dict[str, Any] | None = None,
    started_at: datetime | None = None,
    dsn: str | None = None,
) -> dict[str, Any]:
    """Swap the audited build schema into the published one, atomically; grant the BI role."""
    role = settings.bi_role()
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        ensure_ops(conn)
        has_role = ensure_bi_role(conn, role)
        conn.commit()
        with conn.transaction():
            conn.execute("select pg_advisory_xact_lock(hashtext('cjw_publish'))")
            if not _schema_exists(conn, BUILD_SCHEMA):
                raise PublishError(f"nothing to publish: schema {BUILD_SCHEMA} does not exist")
            tables = conn.execute(
                "select count(*) from information_schema.tables where table_schema = %s", (BUILD_SCHEMA,)
            ).fetchone()
            rows = _row_estimate(conn, BUILD_SCHEMA)
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(PREVIOUS_SCHEMA)))
            if _schema_exists(conn, PUBLISHED_SCHEMA):
                conn.execute(
                    sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(PUBLISHED_SCHEMA), sql.Identifier(PREVIOUS_SCHEMA)
                    )
                )
            conn.execute(
                sql.SQL("alter schema {} rename to {}").format(
                    sql.Identifier(BUILD_SCHEMA), sql.Identifier(PUBLISHED_SCHEMA)
                )
            )
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(PREVIOUS_SCHEMA)))
            if has_role:
                ident = sql.Identifier(role)
                conn.execute(sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(PUBLISHED_SCHEMA), ident))
                conn.execute(
                    sql.SQL("grant select on all tables in schema {} to {}").format(
                        sql.Identifier(PUBLISHED_SCHEMA), ident
                    )
                )
            row = conn.execute(
                "insert into ops.publish_log (run_id, started_at, status, stage, reason, details, published_tables,"
                " published_rows) values (%s, %s, 'published', 'publish', null, %s, %s, %s)"
                " returning publish_id, finished_at",
                (
                    run_id,
                    started_at,
                    json.dumps({"quality": quality or {}}, ensure_ascii=False, default=str),
                    tables[0] if tables else 0,
                    rows,
                ),
            ).fetchone()
    assert row is not None
    return {
        "publish_id": row[0],
        "published_at": row[1].isoformat(),
        "tables": tables[0] if tables else 0,
        "rows": rows,
    }


def last_published(dsn: str | None = None) -> dict[str, Any] | None:
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        ensure_ops(conn)
        row = conn.execute(
            "select publish_id, run_id, finished_at, details from ops.publish_log where status = 'published'"
            " order by publish_id desc limit 1"
        ).fetchone()
    if row is None:
        return None
    return {"publish_id": row[0], "run_id": row[1], "published_at": row[2], "details": row[3]}


def _schema_exists(conn: psycopg.Connection[Any], schema: str) -> bool:
    return conn.execute("select 1 from pg_namespace where nspname = %s", (schema,)).fetchone() is not None


def _row_estimate(conn: psycopg.Connection[Any], schema: str) -> int:
    total = 0
    names = conn.execute(
        "select table_name from information_schema.tables where table_schema = %s and table_type = 'BASE TABLE'",
        (schema,),
    ).fetchall()
    for (name,) in names:
        count = conn.execute(
            sql.SQL("select count(*) from {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
        ).fetchone()
        total += int(count[0]) if count else 0
    return total


def audit_build(dsn: str | None = None) -> dict[str, Any]:
    """Run the mart checks of ``expectations/marts.py`` on the build schema."""
    from expectations.marts import checks
    from include.quality import run_suite

    dsn = dsn or settings.warehouse_dsn()
    with psycopg.connect(dsn) as conn:
        published_rows = None
        if conn.execute("select to_regclass('marts.fct_touchpoint_kpis')").fetchone() != (None,):
            count = conn.execute(
                sql.SQL("select count(*) from {}.fct_touchpoint_kpis").format(sql.Identifier(PUBLISHED_SCHEMA))
            ).fetchone()
            published_rows = int(count[0]) if count else None
    results = [run_suite(dsn, check.build_suite, check.query) for check in checks(BUILD_SCHEMA, published_rows)]
    return {
        "success": all(r["success"] for r in results),
        "checks": sum(r["evaluated"] for r in results),
        "failed": [dict(f, suite=r["suite"]) for r in results for f in r["failed"]],
    }
