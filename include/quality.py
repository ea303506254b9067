"""Running Great Expectations (GX Core 1.x) suites against the warehouse.

Suites are code in ``expectations/`` (one module per raw table, plus the mart checks). This
module only runs them: an ephemeral GX context (nothing written to disk, telemetry off) and a
PostgreSQL data source over SQLAlchemy per warehouse, both kept for the process (a day's
validations and a build's audit run several suites), one table asset (a view, for the run) per
validated batch, and a compact, JSON-serialisable summary for the batch log and the publish log.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def sqlalchemy_url(dsn: str) -> str:
    """``postgresql://…`` (libpq URL or key=value DSN) → a SQLAlchemy URL for psycopg2."""
    from psycopg.conninfo import conninfo_to_dict
    from sqlalchemy.engine import URL

    parts = conninfo_to_dict(dsn)
    host = str(parts.get("host") or "127.0.0.1")
    query = {}
    if host.startswith("/"):
        query["host"] = host
        host = ""
    return URL.create(
        "postgresql+psycopg2",
        username=str(parts.get("user") or "postgres"),
        password=str(parts["password"]) if parts.get("password") else None,
        host=host or None,
        port=int(str(parts["port"])) if parts.get("port") else None,
        database=str(parts.get("dbname") or "postgres"),
        query=query,
    ).render_as_string(hide_password=False)


CHECK_SCHEMA = "gx_checks"

# The process's GX context and its data source per warehouse DSN (``_data_source``): building a
# context and a data source (its SQLAlchemy engine, a connection) for every suite cost ≈ 0.1–0.3 s
# each, paid a dozen times a day. A lock keeps suites of one process apart (GX's context is not
# made for concurrent use).
_GX_LOCK = threading.Lock()
_GX_CONTEXT: Any = None
_GX_SOURCES: dict[str, Any] = {}


def _data_source(dsn: str) -> Any:
    """The kept context's PostgreSQL data source for ``dsn`` (made on first use). Its engine checks
    a pooled connection before use, so a connection the server closed in between (a database
    dropped and made again under the same name, a restart) is replaced, not failed on."""
    global _GX_CONTEXT
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    if _GX_CONTEXT is None:
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
        _GX_CONTEXT = context
    source = _GX_SOURCES.get(dsn)
    if source is None:
        source = _GX_CONTEXT.data_sources.add_postgres(
            f"cjw_warehouse_{len(_GX_SOURCES)}",
            connection_string=sqlalchemy_url(dsn),
            kwargs={"pool_pre_ping": True},
        )
        _GX_SOURCES[dsn] = source
    return source


def run_suite(dsn: str, build_suite: Callable[[], Any], query: str) -> dict[str, Any]:
    """Validate the rows of ``query`` with the suite ``build_suite()`` makes.

    GX needs its context before a suite can be built, hence the factory. The rows are put behind
    a view for the run, validated as a table asset, and the view is dropped: with a query asset
    GX finds the column names by running the whole query and fetching every row (memory and time
    grow with the batch: a month of calls at 10 M events took 200 MiB). Returns
    ``{suite, success, evaluated, failed: [...]}`` (``failed`` with the observed values and a few
    unexpected ones).
    """
    with _GX_LOCK:
        return _run_suite(dsn, build_suite, query)


def _run_suite(dsn: str, build_suite: Callable[[], Any], query: str) -> dict[str, Any]:
    import psycopg
    from great_expectations.validator.v1_validator import Validator
    from psycopg import sql

    source = _data_source(dsn)
    name = f"cjw_{uuid.uuid4().hex[:8]}"
    view = sql.Identifier(CHECK_SCHEMA, name)
    with psycopg.connect(dsn) as conn:
        # validations run in parallel (Celery workers): two `create schema if not exists` race
        conn.execute("select pg_advisory_xact_lock(hashtext('cjw_gx_checks'))")
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(CHECK_SCHEMA)))
        conn.execute(sql.SQL("create view {} as {}").format(view, sql.SQL(query)))
    asset_name = f"{name}_rows"
    try:
        asset = source.add_table_asset(asset_name, table_name=name, schema_name=CHECK_SCHEMA)
        batch_definition = asset.add_batch_definition_whole_table("whole")
        # The suite is validated as it is built, by the validator a ValidationDefinition runs: the
        # definition would first store the suite, itself and then the result in the ephemeral
        # context (serialised each time: ≈ 0.1 s a suite) for nothing that is read back.
        suite = build_suite()
        # A passing batch needs only the verdicts: BOOLEAN_ONLY skips the unexpected-value queries
        # and is ≈ 3× faster (0.5 s against 1.6 s for a 20 k-row batch here). Only a failure is
        # run again for the details the batch log and the publish log show.
        result = Validator(batch_definition=batch_definition, result_format="BOOLEAN_ONLY").validate_expectation_suite(
            suite
        )
        if not result.success:
            result = Validator(batch_definition=batch_definition, result_format="SUMMARY").validate_expectation_suite(
                suite
            )
    finally:
        if any(a.name == asset_name for a in source.assets):
            source.delete_asset(asset_name)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql.SQL("drop view if exists {}").format(view))
    failed = []
    for item in result.results:
        if not item.success and item.expectation_config is not None:
            config = item.expectation_config
            failed.append(
                {
                    "expectation": config.type,
                    "kwargs": {k: _jsonable(v) for k, v in config.kwargs.items() if k != "batch_id"},
                    "observed": _jsonable(item.result.get("observed_value")),
                    "unexpected_percent": _jsonable(item.result.get("unexpected_percent")),
                    "partial_unexpected": _jsonable(item.result.get("partial_unexpected_list", [])[:5]),
                }
            )
    return {
        "suite": suite.name,
        "success": bool(result.success),
        "evaluated": len(result.results),
        "failed": failed,
    }


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
