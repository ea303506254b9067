"""Write–audit–publish of the modelling results.

The results are written into ``modelling__build``, checked (``expectations/modelling.py`` with
Great Expectations, plus the row-level rules below), and only then one transaction swaps the build
schema into ``modelling`` — the schema the pages and BI read — and grants the read-only BI role,
under the same advisory lock as the marts' publish. A failed audit leaves ``modelling`` exactly as
it was and says why in ``ops.modelling_log``.
"""

from __future__ import annotations

import json
import logging
import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import psycopg
from psycopg import sql

from include import settings

log = logging.getLogger(__name__)

BUILD_SCHEMA = "modelling__build"
PUBLISHED_SCHEMA = "modelling"
PREVIOUS_SCHEMA = "modelling__previous"

LOG_DDL = """
create schema if not exists ops;
create table if not exists ops.modelling_log (
    modelling_id bigint generated always as identity primary key,
    run_id text,
    finished_at timestamptz not null default now(),
    status text not null check (status in ('published', 'failed')),
    reason text,
    details jsonb
);
"""


class AuditError(RuntimeError):
    """The modelling results failed their audit; nothing was published."""


def _pg_type(series: pd.Series) -> str:
    values = [v for v in series if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not values:
        return "text"
    first = values[0]
    if isinstance(first, bool | np.bool_):
        return "boolean"
    if isinstance(first, int | np.integer) and not isinstance(first, bool):
        return "bigint"
    if isinstance(first, float | np.floating):
        return "double precision"
    if isinstance(first, datetime):
        return "timestamptz"
    if isinstance(first, date):
        return "date"
    return "text"


def _value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float | np.floating):
        return None if math.isnan(float(v)) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if v is pd.NaT:
        return None
    return v


# the column types of tables that may be empty (no value to learn the type from)
TYPES = {
    "value": "double precision", "now_value": "double precision", "predicted_value": "double precision",
    "predicted_low": "double precision", "predicted_high": "double precision", "norm_value": "double precision",
    "baseline_model_value": "double precision", "gap_closed_share": "double precision", "is_reliable": "boolean",
    "measured_value": "double precision", "modelled_value": "double precision", "erlang_a_value": "double precision", "runtime_s": "double precision",
    "base_from": "date", "base_to": "date", "start_date": "date", "row_number": "bigint", "local_hour": "bigint",
    "is_within_tolerance": "boolean", "meets_norm_now": "boolean", "meets_norm_predicted": "boolean",
    "is_changed_hour": "boolean", "is_norm_met_now": "boolean", "is_inside_measured_interval": "boolean", "intervals_overlap": "boolean",
}  # fmt: skip


def write_build(tables: dict[str, pd.DataFrame], dsn: str | None = None) -> None:
    """Recreate ``modelling__build`` with one table per frame."""
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(BUILD_SCHEMA)))
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(BUILD_SCHEMA)))
        for name, frame in tables.items():
            columns = [
                sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(TYPES.get(c) or _pg_type(frame[c])))
                for c in frame.columns
            ]
            ident = sql.Identifier(BUILD_SCHEMA, name)
            conn.execute(sql.SQL("create table {} ({})").format(ident, sql.SQL(", ").join(columns)))
            if len(frame):
                with conn.cursor().copy(
                    sql.SQL("copy {} ({}) from stdin").format(
                        ident, sql.SQL(", ").join(sql.Identifier(c) for c in frame.columns)
                    )
                ) as copy:
                    for row in frame.itertuples(index=False):
                        copy.write_row([_value(v) for v in row])


def audit(dsn: str | None = None) -> dict[str, Any]:
    """Great Expectations checks on the build schema (``expectations/modelling.py``)."""
    from expectations.modelling import checks
    from include.quality import run_suite

    dsn = dsn or settings.warehouse_dsn()
    results = [run_suite(dsn, check.build_suite, check.query) for check in checks(BUILD_SCHEMA)]
    return {
        "success": all(r["success"] for r in results),
        "checks": sum(r["evaluated"] for r in results),
        "failed": [dict(f, suite=r["suite"]) for r in results for f in r["failed"]],
    }


def publish(run_id: str, quality: dict[str, Any], dsn: str | None = None) -> dict[str, Any]:
    """Swap the audited build schema into ``modelling`` in one transaction; grant the BI role."""
    from include.publish import ensure_bi_role

    role = settings.bi_role()
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        conn.execute(LOG_DDL)
        has_role = ensure_bi_role(conn, role)
        conn.commit()
        with conn.transaction():
            conn.execute("select pg_advisory_xact_lock(hashtext('cjw_publish'))")
            if conn.execute("select 1 from pg_namespace where nspname = %s", (BUILD_SCHEMA,)).fetchone() is None:
                raise AuditError(f"nothing to publish: schema {BUILD_SCHEMA} does not exist")
            conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(PREVIOUS_SCHEMA)))
            if conn.execute("select 1 from pg_namespace where nspname = %s", (PUBLISHED_SCHEMA,)).fetchone():
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
                "insert into ops.modelling_log (run_id, status, details) values (%s, 'published', %s)"
                " returning modelling_id, finished_at",
                (run_id, json.dumps({"quality": quality}, ensure_ascii=False, default=str)),
            ).fetchone()
    assert row is not None
    return {"modelling_id": row[0], "published_at": row[1].isoformat()}


def record_failure(run_id: str, reason: str, dsn: str | None = None) -> None:
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        conn.execute(LOG_DDL)
        conn.execute(
            "insert into ops.modelling_log (run_id, status, reason) values (%s, 'failed', %s)", (run_id, reason[:4000])
        )
    log.error("modelling %s not published: %s", run_id, reason)


def write_audit_publish(run_id: str, tables: dict[str, pd.DataFrame], dsn: str | None = None) -> dict[str, Any]:
    """The whole gate in one call (the DAG runs the three steps as tasks)."""
    write_build(tables, dsn)
    quality = audit(dsn)
    if not quality["success"]:
        names = sorted({f"{f['suite']}: {f['expectation']}" for f in quality["failed"]})
        reason = "modelling results failed their checks: " + "; ".join(names)
        record_failure(run_id, reason, dsn)
        raise AuditError(reason)
    return publish(run_id, quality, dsn)
