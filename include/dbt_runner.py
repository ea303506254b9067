"""Running the dbt project against the warehouse: connection environment and invocations.

``dbt/profiles.yml`` reads only ``CJW_PG*`` environment variables; they are derived here from
``WAREHOUSE_DSN`` (or the embedded server), so there is one connection setting for everything.

    python -m include.dbt_runner env            # print `export …` lines for a shell
    python -m include.dbt_runner build          # any dbt command, with the environment set
"""

from __future__ import annotations

import fcntl
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from include import settings

TELEMETRY_OFF = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    "SCARF_ANALYTICS": "false",
}


# The layers a build runs in order, one `dbt build` each: (task id, dbt selection). With
# `--indirect-selection buildable` every model, seed, unit test and data test of the project
# falls in exactly one layer, and no layer reads a later one (intermediate journey models read
# marts dimensions, so those two folders are one layer); tests/test_dag_integrity.py checks both.
BUILD_LAYERS: tuple[tuple[str, str], ...] = (
    ("staging", "resource_type:seed source:* path:models/staging"),
    ("intermediate_and_marts", "path:models/intermediate path:models/marts"),
)


def _frame_module_name() -> str:
    """dbt-common's ``BehaviorFlagRendered._default_source`` without ``inspect.stack()``.

    Upstream it calls ``inspect.stack()`` for every behaviour flag of every adapter created —
    once per dbt invocation — which reads source lines and scans ``sys.modules`` for every
    frame. In a long-lived process that runs dbt in-process (Cosmos's dbt runner under Airflow)
    with thousands of modules loaded, that became most of the build's CPU time. Same answer:
    the first calling module that is not dbt-common's own.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        name = frame.f_globals.get("__name__")
        if name and name != "dbt_common.behavior_flags":
            return str(name)
        frame = frame.f_back
    return "Unknown"


def _keep_connection(release: Callable[[Any], None]) -> Callable[[Any], None]:
    """dbt-postgres's ``release`` that keeps a thread's connection for its next node.

    Upstream every node closes its connection and the next opens one: a new PostgreSQL backend
    (a fork, authentication, catalogue caches filled again) for each of some 300 nodes of a
    build. An open connection is kept, as the adapters that offer to reuse connections do, after
    a rollback (what closing it does to a transaction left open: a test's select, a failed
    node's work) and ``discard temp`` (a node's temporary tables go, as they went with its
    session; the project sets nothing session-wide: its settings are ``set local``, its locks
    transaction locks). A connection that cannot be reset, or a lazy one never opened, is
    released as upstream. dbt closes every connection when the invocation ends.
    """

    def release_keeping_connection(self: Any) -> None:
        connection = self.get_if_exists()
        handle: Any = getattr(connection, "handle", None)
        if connection is not None and connection.state == "open" and getattr(handle, "closed", 1) == 0:
            try:
                # a test's select (dbt never commits a test) or a failed node's work: rolled back,
                # as closing the connection would
                handle.rollback()
                connection.transaction_open = False
                with handle.cursor() as cursor:
                    cursor.execute("discard temp")
                handle.commit()
                return
            except Exception:  # a connection that cannot be reset is closed as upstream
                pass
        release(self)

    release_keeping_connection.cjw_keeps_connection = True  # type: ignore[attr-defined]
    return release_keeping_connection


def _speed_up_dbt_in_process() -> None:
    try:
        from dbt_common import behavior_flags
    except ImportError:
        return
    behavior_flags.BehaviorFlagRendered._default_source = staticmethod(_frame_module_name)  # type: ignore[method-assign]
    try:
        from dbt.adapters.postgres.connections import PostgresConnectionManager
    except ImportError:
        return
    if not getattr(PostgresConnectionManager.release, "cjw_keeps_connection", False):
        PostgresConnectionManager.release = _keep_connection(PostgresConnectionManager.release)  # type: ignore[method-assign,assignment]


_speed_up_dbt_in_process()


def dbt_env(dsn: str | None = None) -> dict[str, str]:
    """The ``CJW_PG*`` variables profiles.yml reads, from a libpq DSN (and the site folder the
    exposures link to)."""
    from psycopg.conninfo import conninfo_to_dict

    parts = conninfo_to_dict(dsn or settings.warehouse_dsn())
    env = {
        "CJW_PGHOST": str(parts.get("host") or "127.0.0.1"),
        "CJW_PGPORT": str(parts.get("port") or "5432"),
        "CJW_PGUSER": str(parts.get("user") or "postgres"),
        "CJW_PGPASSWORD": str(parts.get("password") or ""),
        "CJW_PGDATABASE": str(parts.get("dbname") or "postgres"),
        "DBT_PROFILES_DIR": str(settings.DBT_PROJECT_DIR),
        "DBT_PROJECT_DIR": str(settings.DBT_PROJECT_DIR),
        "CJW_SITE_DIR": str(settings.site_dir()),
    }
    return {**TELEMETRY_OFF, **session_env(), **env}


# A production build (the DAG's layers, ``include.publish build``, the bench) runs no unit tests:
# they check the SQL of the models, which changes with the code, not with the data, so they run
# in ``make test`` (tests/test_dbt_unit_tests.py) and not in every daily build (20 of them cost
# ≈ 3 s of a 1 M day's build). dbt's documentation recommends the same.
PRODUCTION_BUILD_ENV = {"DBT_EXCLUDE_RESOURCE_TYPES": "unit_test"}


def session_env() -> dict[str, str]:
    """What every dbt call of the project runs with: libpq options for its connections
    (``PGOPTIONS``: PostgreSQL's JIT off, ``without_jit``) and its log file at ``info`` unless the
    caller set ``DBT_LOG_LEVEL_FILE`` (``debug`` writes every statement's SQL, as dbt does by default).

    A build's debug log cost more than its SQL: dbt formats and writes each statement's text, the
    two threads queueing on the log file's lock — 13 % of the samples of a 1 M build with nothing
    new were in logging (py-spy), against 6 % waiting on PostgreSQL."""
    return {
        "PGOPTIONS": without_jit(os.environ.get("PGOPTIONS", "")),
        "DBT_LOG_LEVEL_FILE": os.environ.get("DBT_LOG_LEVEL_FILE") or "info",
    }


def without_jit(options: str) -> str:
    """libpq session options with PostgreSQL's JIT off (unless the caller set ``jit`` already).

    The models are one-pass queries over a few million rows at most: compiling them costs more than
    it saves. A model that plans without nested loops (macro without_nested_loops) has a cost in the
    billions, which turns on JIT's optimisation and inlining: int_journey_kpi_observations at 1 M
    events spent 3.3 of its 5.3 s compiling 385 functions. A 1 M build with nothing new: 44.6 s → 40.1 s.
    """
    if "jit" in options:
        return options
    return f"{options} -c jit=off".strip()


def freshness_selection(dsn: str | None = None) -> list[str]:
    """``source:raw_<source>.<table>`` for every raw table that holds rows of a validated batch.

    Tables of sources a region has not connected (or feeds it does not use) are empty and have
    no freshness to check; ``dbt source freshness`` would fail on them.
    """
    import psycopg
    from psycopg import sql

    from include.connectors import SOURCES, connector_for

    selection = []
    with psycopg.connect(dsn or settings.warehouse_dsn()) as conn:
        for source in SOURCES:
            for table in connector_for(source).tables.values():
                if conn.execute("select to_regclass(%s)", (f"raw.{table.name}",)).fetchone() == (None,):
                    continue
                query = sql.SQL(
                    "select exists (select 1 from raw.{} t join raw.ingest_batches b using (batch_id)"
                    " where b.status = 'validated')"
                ).format(sql.Identifier(table.name))
                row = conn.execute(query).fetchone()
                if row and row[0]:
                    selection.append(f"source:raw_{source}.{table.name}")
    return selection


def target_dir() -> Path:
    """Where dbt writes its artifacts: ``DBT_TARGET_PATH`` when set (dbt reads it too; the test
    workers each have one), else the project's ``target/``."""
    configured = os.environ.get("DBT_TARGET_PATH")
    if not configured:
        return settings.DBT_PROJECT_DIR / "target"
    path = Path(configured)
    return path if path.is_absolute() else settings.DBT_PROJECT_DIR / path


def manifest_path() -> Path:
    return target_dir() / "manifest.json"


def _newest_source_mtime() -> float:
    newest = 0.0
    for folder in ("models", "seeds", "macros", "tests", "docs"):
        for path in (settings.DBT_PROJECT_DIR / folder).rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    newest = max(newest, (settings.DBT_PROJECT_DIR / "dbt_project.yml").stat().st_mtime)
    return newest


def ensure_manifest() -> Path:
    """``dbt parse`` when the manifest is missing or older than the project (no database needed)."""
    path = manifest_path()
    if path.exists() and path.stat().st_mtime >= _newest_source_mtime():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    # processes sharing a target folder (test workers, a demo beside `make lint`) parse one at a time
    with (path.parent / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists() and path.stat().st_mtime >= _newest_source_mtime():
            return path
        env = {k: v for k, v in dbt_env("postgresql://parse-only@127.0.0.1/parse_only").items()}
        result = invoke(["parse", "--quiet"], env=env)
        if not result.success or not path.exists():
            raise RuntimeError(f"dbt parse failed: {result.exception}")
    return path


def invoke(
    args: Sequence[str], *, env: dict[str, str] | None = None, callbacks: Sequence[Callable[[Any], None]] = ()
) -> Any:
    """Run dbt in-process (dbtRunner) with the connection environment set for the call;
    ``callbacks`` receive each of dbt's events."""
    from dbt.cli.main import dbtRunner

    env = env if env is not None else dbt_env()
    # a production build's exclusions hold for that call only: Cosmos copies its operators' env
    # into os.environ (for OpenLineage), so a process that ran a build task would otherwise leave
    # unit tests out of every later dbt call
    scoped = [key for key in PRODUCTION_BUILD_ENV if key not in env]
    saved = {key: os.environ.get(key) for key in (*env, *scoped)}
    for key in scoped:
        os.environ.pop(key, None)
    os.environ.update(env)
    try:
        cli = [*args]
        if "--project-dir" not in cli:
            cli += ["--project-dir", str(settings.DBT_PROJECT_DIR), "--profiles-dir", str(settings.DBT_PROJECT_DIR)]
        return dbtRunner(callbacks=list(callbacks)).invoke(cli)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main(argv: Sequence[str]) -> int:
    if argv[:1] == ["env"]:
        for key, value in dbt_env().items():
            print(f"export {key}={value!r}")
        return 0
    result = invoke(list(argv))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
