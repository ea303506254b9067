"""Write–audit–publish of the marts.

dbt builds the marts into ``marts__build`` (never read by BI); dbt tests run with the build;
then Great Expectations checks the built marts (``expectations/marts.py``); only then one
transaction swaps ``marts__build`` into ``marts`` (the schema BI and the pages read) and grants
the read-only BI role. A failure at any step leaves ``marts`` exactly as it was and writes the
reason — the whole error, masked — to ``ops.publish_log``.

Nothing is copied: the two schemas are kept and take turns. The swap renames the published
schema to ``marts__build`` (BI loses access to it), so the next build starts from the build
published before the current one: whole-table marts are rebuilt as ever, incremental marts bring
themselves up to date from their own bookkeeping (``marts__build.incremental_batches``, renamed
with its schema). A table in the build schema that is no model of the project any more is dropped
before a build; ``--full-refresh`` starts from an empty build schema. The schema a publish moved
aside carries a marker table until the next build starts, so publishing twice without a build in
between is refused rather than bringing back the older build.

Without Airflow (``python -m include.publish``)::

    python -m include.publish            # build (dbt), audit (GX), publish — the same gate as the DAG
    python -m include.publish build      # only the dbt build into marts__build (its tests included)
    python -m include.publish --full-refresh   # the same gate, staging rebuilt from every batch
    python -m include.publish audit      # only the GX checks of the built marts
    python -m include.publish publish    # only the swap of an audited build into marts
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime
from typing import Any

import psycopg
from psycopg import sql

from include import settings
from include.pseudonymise import mask_text

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 100_000
BUILD_SCHEMA = "marts__build"
PUBLISHED_SCHEMA = "marts"
PREVIOUS_SCHEMA = "marts__previous"
# in the schema a publish moved aside (the build before): "nothing new to publish" until a build starts
PUBLISHED_MARKER = "cjw_already_published"
# the incremental marts' bookkeeping (dbt/macros/incremental_staging.sql), kept with the schema
BOOKKEEPING_TABLE = "incremental_batches"

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
alter table ops.build_task_failures add column if not exists stage text;
"""


class PublishError(RuntimeError):
    pass


def ensure_ops(conn: psycopg.Connection[Any]) -> None:
    conn.execute(OPS_DDL)


def prepare_build(dsn: str | None = None, *, full_refresh: bool = False) -> None:
    """Ready the build schema for a build: the marker of a published build removed, tables that
    are no model of the project dropped; with ``full_refresh`` the whole schema (the build starts
    from nothing). The tables of a failed build stay: each model rewrites its own rows (whole, or
    the incremental ones from their bookkeeping, written in the same transaction as their rows).

    Raw tables of every registered source are created (empty) when missing, so a region that
    has not connected a source yet still builds: its staging models are simply empty.
    """
    from include.connectors import SOURCES, connector_for
    from include.loading import ensure_raw_schema

    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        ensure_ops(conn)
        for source in SOURCES:
            ensure_raw_schema(conn, connector_for(source))
        if full_refresh:
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(BUILD_SCHEMA)))
            return
        keep = _project_marts() | {BOOKKEEPING_TABLE}
        leftovers = conn.execute(
            "select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where n.nspname = %s and c.relkind in ('r', 'v', 'm', 'p')",
            (BUILD_SCHEMA,),
        ).fetchall()
        for name, kind in leftovers:
            if name not in keep:
                what = {"v": "view", "m": "materialized view"}.get(kind, "table")
                conn.execute(
                    sql.SQL("drop {} if exists {} cascade").format(sql.SQL(what), sql.Identifier(BUILD_SCHEMA, name))
                )


def _project_marts() -> set[str]:
    """The relations dbt builds into the build schema: the project's models there (manifest)."""
    from include.dbt_runner import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return {
        str(node.get("alias") or node["name"])
        for node in manifest["nodes"].values()
        if node.get("resource_type") in ("model", "seed", "snapshot") and node.get("schema") == BUILD_SCHEMA
    }


STAGES = ("dbt", "quality", "publish", "pages")  # write–audit–publish, in order


def record_task_failure(run_id: str, task_id: str, message: str, stage: str, dsn: str | None = None) -> None:
    """A failed task of a build and the stage it belongs to (the task says which, see
    ``dags/build_journeys.py``)."""
    if stage not in STAGES:
        raise ValueError(f"unknown build stage {stage!r}: one of {', '.join(STAGES)}")
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        ensure_ops(conn)
        conn.execute(
            "insert into ops.build_task_failures (run_id, task_id, message, stage) values (%s, %s, %s, %s)",
            (run_id, task_id, message[:MAX_REASON_CHARS], stage),
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
        failed = conn.execute(
            "select task_id, message, stage from ops.build_task_failures where run_id = %s order by failed_at",
            (run_id,),
        ).fetchall()
        failures = [(t, m) for t, m, _ in failed]
        payload = {
            **(details or {}),
            "failed_tasks": [{"task_id": t, "stage": st, "message": mask_text(m or "")} for t, m, st in failed],
        }
        # the earliest stage a failed task belongs to ("dbt" when no task said: nothing was built)
        stage = stage or min((st for _, _, st in failed if st in STAGES), key=STAGES.index, default="dbt")
        if failures:  # the whole error of every failed task, not its first line
            reason = f"{reason}: " + "; ".join(f"{t}: {(m or '').strip()}" for t, m in failures)
        reason = mask_text(reason)[:MAX_REASON_CHARS]
        conn.execute(
            "insert into ops.publish_log (run_id, started_at, status, stage, reason, details)"
            " values (%s, %s, 'failed', %s, %s, %s)",
            (run_id, started_at, stage, reason, json.dumps(payload, ensure_ascii=False, default=str)),
        )
    log.error("build %s not published (%s): %s", run_id, stage, reason)
    return reason


def ensure_bi_role(conn: psycopg.Connection[Any], role: str) -> bool:
    """The read-only BI role, as ``docker/postgres/init.sql`` makes it: created when missing (login,
    no powers, no inherited rights), its sessions read-only by default, no temporary tables in the
    warehouse (TEMP is taken from PUBLIC and given to the owner explicitly). Re-applied on every
    publish, so a role made by an older version is tightened too. False when we may not create it."""
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone()
    ident = sql.Identifier(role)
    if not exists:
        try:
            with conn.transaction():
                conn.execute(
                    sql.SQL("create role {} login nosuperuser nocreatedb nocreaterole noinherit").format(ident)
                )
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.DuplicateObject) as exc:
            log.warning("BI role %s not created: %s", role, exc)
            if not conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
                return False
    database = sql.Identifier(str(conn.info.dbname))
    for statement in (
        sql.SQL("alter role {} set default_transaction_read_only = on").format(ident),
        sql.SQL("alter role {} set statement_timeout = '300s'").format(ident),
        sql.SQL("revoke temporary on database {} from public").format(database),
        sql.SQL("grant connect, temporary on database {} to current_user").format(database),
        sql.SQL("revoke temporary, create on database {} from {}").format(database, ident),
        sql.SQL("grant connect on database {} to {}").format(database, ident),
    ):
        try:
            with conn.transaction():
                conn.execute(statement)
        except psycopg.errors.InsufficientPrivilege as exc:
            log.warning("BI role %s: %s not applied (%s)", role, statement.as_string(conn), exc)
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
            if conn.execute("select to_regclass(%s)", (f"{BUILD_SCHEMA}.{PUBLISHED_MARKER}",)).fetchone() != (None,):
                raise PublishError(
                    f"nothing to publish: schema {BUILD_SCHEMA} holds the build published before the current"
                    " one; build first"
                )
            tables = conn.execute(
                "select count(*) from information_schema.tables where table_schema = %s", (BUILD_SCHEMA,)
            ).fetchone()
            rows = _row_estimate(conn, BUILD_SCHEMA)
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(PREVIOUS_SCHEMA)))
            # the swap: published → aside, build → published, aside → build (the published build
            # before this one becomes the next build's starting point)
            if _schema_exists(conn, PUBLISHED_SCHEMA):
                _rename_schema(conn, PUBLISHED_SCHEMA, PREVIOUS_SCHEMA)
            _rename_schema(conn, BUILD_SCHEMA, PUBLISHED_SCHEMA)
            if _schema_exists(conn, PREVIOUS_SCHEMA):
                _rename_schema(conn, PREVIOUS_SCHEMA, BUILD_SCHEMA)
                conn.execute(
                    sql.SQL("create table {} (published_at timestamptz not null default now())").format(
                        sql.Identifier(BUILD_SCHEMA, PUBLISHED_MARKER)
                    )
                )
            if has_role:
                ident = sql.Identifier(role)
                if _schema_exists(conn, BUILD_SCHEMA):
                    conn.execute(sql.SQL("revoke all on schema {} from {}").format(sql.Identifier(BUILD_SCHEMA), ident))
                    conn.execute(
                        sql.SQL("revoke all on all tables in schema {} from {}").format(
                            sql.Identifier(BUILD_SCHEMA), ident
                        )
                    )
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


def _rename_schema(conn: psycopg.Connection[Any], schema: str, to: str) -> None:
    conn.execute(sql.SQL("alter schema {} rename to {}").format(sql.Identifier(schema), sql.Identifier(to)))


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


# -- the command line: build, audit and publish without Airflow --------------------------------


def build(dsn: str | None = None, *, full_refresh: bool = False) -> dict[str, Any]:
    """``dbt build`` (seeds, models and data tests; unit tests run in ``make test``) into the build
    schema. The incremental models read only the batches validated since they last ran;
    ``full_refresh`` rebuilds them from every validated batch, into an empty build schema."""
    from include.dbt_runner import PRODUCTION_BUILD_ENV, dbt_env, invoke

    prepare_build(dsn, full_refresh=full_refresh)
    env = {**dbt_env(dsn), **PRODUCTION_BUILD_ENV}
    result = invoke(["build", *(["--full-refresh"] if full_refresh else [])], env=env)
    failures = []
    for node in getattr(result.result, "results", None) or []:
        status = str(getattr(node, "status", ""))
        if status in ("error", "fail", "runtime error"):
            failures.append(f"{node.node.unique_id}: {status}: {(getattr(node, 'message', '') or '').strip()}")
    if not result.success:
        detail = "; ".join(failures) or str(result.exception or "dbt build failed")
        raise PublishError(f"dbt build failed: {detail}")
    return {"nodes": len(getattr(result.result, "results", None) or [])}


def run_all(
    run_id: str,
    *,
    steps: tuple[str, ...] = ("build", "audit", "publish"),
    dsn: str | None = None,
    full_refresh: bool = False,
) -> int:
    """The write–audit–publish gate of ``build_journeys`` without Airflow; 0 when published."""
    from include.alerts import record_failed_gate

    started = datetime.now().astimezone()
    stage = "dbt"
    quality: dict[str, Any] = {}
    try:
        if "build" in steps:
            print(json.dumps({"build": build(dsn, full_refresh=full_refresh)}))
        if "audit" in steps:
            stage = "quality"
            quality = audit_build(dsn)
            print(json.dumps({"audit": quality}, ensure_ascii=False, default=str))
            if not quality["success"]:
                names = sorted({f"{f['suite']}: {f['expectation']}" for f in quality["failed"]})
                raise PublishError("Great Expectations checks on the marts failed: " + "; ".join(names))
        if "publish" in steps:
            stage = "publish"
            print(json.dumps({"publish": publish(run_id, quality=quality, started_at=started, dsn=dsn)}))
    except Exception as exc:
        reason = record_failure(
            run_id,
            reason=f"build not published, the published marts are unchanged: {exc}",
            stage=stage,
            started_at=started,
            dsn=dsn,
        )
        record_failed_gate(run_id, reason, dsn=dsn)
        print(f"error: {reason}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m include.publish",
        description="Build the marts with dbt, audit them with Great Expectations and publish them — without Airflow",
    )
    parser.add_argument("step", nargs="?", default="all", choices=["all", "build", "audit", "publish"])
    parser.add_argument("--run-id", default=None, help="name of the run in ops.publish_log (default: cli-<time>)")
    parser.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental models (staging, event models, incremental marts) from every validated batch, not only the new ones, into an empty build schema",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    run_id = args.run_id or f"cli-{datetime.now().astimezone():%Y%m%dT%H%M%S}"
    steps = ("build", "audit", "publish") if args.step == "all" else (args.step,)
    return run_all(run_id, steps=steps, full_refresh=args.full_refresh)


if __name__ == "__main__":
    raise SystemExit(main())
