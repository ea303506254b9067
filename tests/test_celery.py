"""The DAGs run unchanged on the CeleryExecutor (the production stack's executor, DESIGN §7).

A real Airflow deployment in subprocesses, as docker-compose.yml runs it but on this machine:
``airflow db migrate`` on a fresh PostgreSQL metadata database, ``api-server`` (UI, REST and the
task execution API), ``dag-processor``, ``scheduler`` and two ``airflow celery worker`` processes
(concurrency 2 each, told apart by ``CJW_WORKER_NAME`` through ``include.celery_hostname``),
Redis as the broker, PostgreSQL as the result backend, the project's ``dags/`` folder as is.

A small region (2 offices, 3 days) is generated into a temporary landing folder; the ingest DAGs
are triggered for its days over the REST API, then ``build_journeys`` is unpaused and one last
ingest run's validated batch triggers it through its Asset. The test then checks in the metadata
database that every task instance succeeded, that tasks ran on both workers, and in the warehouse
that the marts were published.

Needs Redis on 127.0.0.1:6379 and PostgreSQL on 127.0.0.1:5432 (``CJW_CELERY_PG_DSN`` and
``CJW_CELERY_REDIS_URL`` override them; the PostgreSQL user must be allowed to create databases);
skipped when either is not reachable. Everything it creates — processes, both databases, the
BI role, the Redis database's keys — is removed at the end, also when it fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from include.dbt_runner import BUILD_LAYERS

pytestmark = [pytest.mark.celery, pytest.mark.timeout(2400)]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_DSN = os.environ.get("CJW_CELERY_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("CJW_CELERY_REDIS_URL", "redis://127.0.0.1:6379")
REGION = "enskaya"
INGEST_DAGS = ("ingest_call_centre", "ingest_office_visits")
BUILD_DAG = "build_journeys"
WORKERS = ("cjw-celery-worker-1", "cjw-celery-worker-2")
# the whole scenario: ≈ 2 min on 2 cores (26 task instances over the two workers; dbt runs as one
# task per layer). It was ≈ 14 min when every dbt node was a task of its own.
TIMEOUT_S = 1800


# ----------------------------------------------------------------------------- reachability


def _postgres_problem() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_ADMIN_DSN} is not reachable ({str(exc).strip().splitlines()[0]})"
    return None


def _redis_problem() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} is not reachable ({exc})"
    return None


# ----------------------------------------------------------------------------- the deployment


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _sqlalchemy_url(dsn: str, scheme: str) -> str:
    """``scheme://user:password@host:port/db`` from a libpq DSN."""
    from urllib.parse import quote

    parts = conninfo_to_dict(dsn)
    user = quote(str(parts.get("user") or "postgres"), safe="")
    password = parts.get("password")
    auth = f"{user}:{quote(str(password), safe='')}" if password else user
    host, port = parts.get("host") or "127.0.0.1", parts.get("port") or "5432"
    return f"{scheme}://{auth}@{host}:{port}/{parts['dbname']}"


def _claim_redis_db() -> int:
    """A Redis database number nobody uses (empty), claimed with a marker key."""
    import redis

    for number in range(1, 16):
        client = redis.Redis.from_url(f"{REDIS_URL}/{number}")
        if client.dbsize() == 0 and client.set("cjw-celery-test", str(os.getpid()), nx=True):
            return number
    pytest.skip(f"no empty Redis database (1–15) at {REDIS_URL}")


@dataclass
class Deployment:
    root: Path
    env: dict[str, str]
    metadata_dsn: str
    warehouse_dsn: str
    api_url: str
    redis_db: int
    bi_role: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    token: str | None = None

    # --- processes

    def log_file(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"

    def start(self, name: str, args: list[str], **extra_env: str) -> None:
        self.log_file(name).parent.mkdir(parents=True, exist_ok=True)
        with self.log_file(name).open("wb") as log:
            self.processes[name] = subprocess.Popen(
                [sys.executable, "-m", "airflow", *args],
                env={**self.env, **extra_env},
                cwd=self.root,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its children
            )

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} exited with {process.returncode}")

    def stop(self) -> None:
        """SIGTERM every process group we started, then SIGKILL what is left."""
        for process in self.processes.values():
            if process.poll() is None:
                _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.processes.values():
            _signal_group(process, signal.SIGKILL)  # children (pool, parsers) may outlive the leader
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)

    def diagnostics(self) -> str:
        lines = [f"--- deployment in {self.root}"]
        try:
            lines += [f"dag run {row}" for row in self.query("select dag_id, run_id, run_type, state from dag_run")]
            lines += [
                f"task {row}"
                for row in self.query(
                    "select dag_id, run_id, task_id, map_index, state, hostname from task_instance"
                    " where state is distinct from 'success' order by dag_id, run_id, task_id"
                )
            ]
        except psycopg.Error as exc:
            lines.append(f"metadata database not readable: {exc}")
        for name in self.processes:
            lines.append(f"--- tail of {name} ({self.log_file(name)})")
            lines += _tail(self.log_file(name), 25)
        for task_log in sorted((self.root / "airflow" / "logs").rglob("*.log")):
            text = task_log.read_text(errors="replace")
            if '"level":"error"' in text or "Traceback" in text:
                lines.append(f"--- tail of task log {task_log.relative_to(self.root)}")
                lines += _tail(task_log, 12, width=4000)
        return "\n".join(lines)

    # --- metadata database and REST API

    def query(self, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.metadata_dsn, connect_timeout=5) as conn:
            return list(conn.execute(statement, params).fetchall())  # type: ignore[arg-type]

    def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.api_url}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Content-Type": "application/json",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {path}: HTTP {exc.code}: {exc.read().decode(errors='replace')}") from exc

    def wait(self, what: str, condition: Any, deadline: float, interval: float = 2.0) -> Any:
        while True:
            self.check_alive()
            result = condition()
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(interval)

    def trigger(self, dag_id: str, day: date, tz: ZoneInfo) -> str:
        start = datetime.combine(day, datetime.min.time(), tz)
        run_id = f"celery_test__{day.isoformat()}"
        self.api(
            "POST",
            f"/api/v2/dags/{dag_id}/dagRuns",
            {
                "dag_run_id": run_id,
                "logical_date": start.isoformat(),
                "data_interval_start": start.isoformat(),
                "data_interval_end": (start + timedelta(days=1)).isoformat(),
                "conf": {},
            },
        )
        return run_id

    def unpause(self, dag_id: str) -> None:
        self.api("PATCH", f"/api/v2/dags/{dag_id}", {"is_paused": False})

    def run_states(self, dag_id: str) -> dict[str, tuple[str, str]]:
        rows = self.query("select run_id, run_type, state from dag_run where dag_id = %s", (dag_id,))
        return {run_id: (run_type, state) for run_id, run_type, state in rows}

    def fail_on_task_failures(self, dag_id: str) -> None:
        """A retry is a failure here (and would wait minutes): stop at the first one."""
        bad = self.query(
            "select run_id, task_id, map_index, state from task_instance where dag_id = %s"
            " and state in ('up_for_retry', 'failed', 'upstream_failed')",
            (dag_id,),
        )
        if bad:
            raise AssertionError(f"{dag_id}: task instances did not succeed: {bad}")

    def wait_for_runs(self, dag_id: str, run_ids: list[str], deadline: float) -> None:
        def finished() -> bool:
            self.fail_on_task_failures(dag_id)
            states = self.run_states(dag_id)
            failed = [r for r in run_ids if states.get(r, ("", ""))[1] == "failed"]
            if failed:
                raise AssertionError(f"{dag_id} runs failed: {failed}")
            return all(states.get(r, ("", ""))[1] == "success" for r in run_ids)

        self.wait(f"{dag_id} runs {run_ids}", finished, deadline)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)  # the group of a process this test started (start_new_session)


def _tail(path: Path, lines: int, width: int = 1500) -> list[str]:
    try:
        return [line[:width] for line in path.read_text(errors="replace").splitlines()[-lines:]]
    except FileNotFoundError:
        return ["(no log)"]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    problem = _postgres_problem() or _redis_problem()
    if problem:
        pytest.skip(f"CeleryExecutor test needs Redis and PostgreSQL on this machine: {problem}")
    import redis

    root = tmp_path_factory.mktemp("celery")
    suffix = secrets.token_hex(5)
    names = {"metadata": f"airflow_celery_{suffix}", "warehouse": f"cjw_celery_{suffix}"}
    bi_role = f"cjw_bi_celery_{suffix}"
    created: list[str] = []
    redis_db: int | None = None
    d: Deployment | None = None
    try:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            for name in names.values():
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
                created.append(name)
        metadata_dsn = make_conninfo(PG_ADMIN_DSN, dbname=names["metadata"])
        warehouse_dsn = make_conninfo(PG_ADMIN_DSN, dbname=names["warehouse"])
        redis_db = _claim_redis_db()
        port = _free_port()
        home = root / "airflow"
        home.mkdir()
        d = Deployment(
            root,
            _environment(root, home, port, metadata_dsn, warehouse_dsn, redis_db, bi_role),
            metadata_dsn,
            warehouse_dsn,
            f"http://127.0.0.1:{port}",
            redis_db,
            bi_role,
        )
        yield d
    finally:
        problems = []
        if d is not None:
            try:
                d.stop()
            except Exception as exc:  # keep cleaning up
                problems.append(f"stopping the processes: {exc}")
        if redis_db is not None:
            redis.Redis.from_url(f"{REDIS_URL}/{redis_db}").flushdb()
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
            for name in created:
                conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))
            if conn.execute("select 1 from pg_roles where rolname = %s", (bi_role,)).fetchone():
                conn.execute(sql.SQL("drop role {}").format(sql.Identifier(bi_role)))
        assert not problems, problems


def _environment(
    root: Path, home: Path, port: int, metadata_dsn: str, warehouse_dsn: str, redis_db: int, bi_role: str
) -> dict[str, str]:
    """What every process gets: this machine's environment without Airflow's and the project's
    settings of the test session (SQLite, its AIRFLOW_HOME), then the deployment's."""
    from cryptography.fernet import Fernet

    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CJW_", "WAREHOUSE_DSN"))}
    env = {
        **inherited,
        "PYTHONPATH": os.pathsep.join(p for p in (str(PROJECT_ROOT), os.environ.get("PYTHONPATH")) if p),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "include.celery_hostname.hostname",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__API__SECRET_KEY": secrets.token_urlsafe(32),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": _sqlalchemy_url(metadata_dsn, "postgresql+psycopg2"),
        # Airflow 3's async engine: psycopg 3 is in uv.lock, asyncpg (the default) is not
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": _sqlalchemy_url(metadata_dsn, "postgresql+psycopg"),
        "AIRFLOW__CELERY__BROKER_URL": f"{REDIS_URL}/{redis_db}",
        "AIRFLOW__CELERY__RESULT_BACKEND": _sqlalchemy_url(metadata_dsn, "db+postgresql"),
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        # the DAG files do not change during the test: parse them once
        "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "600",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__COSMOS__PROPAGATE_LOGS": "False",
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "GX_ANALYTICS_ENABLED": "false",
        "SCARF_ANALYTICS": "false",
        # the project's settings
        "WAREHOUSE_DSN": warehouse_dsn,
        "CJW_LANDING_DIR": str(root / "landing"),
        "CJW_SITE_DIR": str(root / "site"),
        "CJW_VAR_DIR": str(root / "var"),
        "CJW_PSEUDONYM_KEY": secrets.token_hex(32),
        "CJW_BI_ROLE": bi_role,
    }
    if os.environ.get("CJW_SCHEDULE_TIMEZONE"):
        env["CJW_SCHEDULE_TIMEZONE"] = os.environ["CJW_SCHEDULE_TIMEZONE"]
    return env


# ----------------------------------------------------------------------------- the test


def _say(began: float, message: str) -> None:
    print(f"[celery {time.monotonic() - began:6.1f} s] {message}", flush=True)


def test_the_dags_run_unchanged_on_celery_workers(deployment: Deployment) -> None:
    try:
        _scenario(deployment)
    except BaseException:
        print(deployment.diagnostics(), file=sys.stderr)
        raise


def _scenario(d: Deployment) -> None:
    from include.generator import generate_region

    began = time.monotonic()
    deadline = began + TIMEOUT_S
    tz = ZoneInfo(d.env.get("CJW_SCHEDULE_TIMEZONE", "Europe/Moscow"))
    # the last three whole local days: the ingest DAGs' latest interval is among them, so the
    # scheduler finds its run already there and starts no run of its own (catchup is off)
    yesterday = datetime.now(tz).date() - timedelta(days=1)
    days = [yesterday - timedelta(days=n) for n in (2, 1, 0)]
    generate_region(
        Path(d.env["CJW_LANDING_DIR"]), seed=11, offices=2, days=3, start=days[0], region_id=REGION, noise=False
    )
    _say(began, f"region {REGION} generated for {days[0]} … {days[-1]}")

    migrate = subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"],
        env=d.env,
        cwd=d.root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
    _say(began, "metadata database migrated (PostgreSQL)")

    port = d.api_url.rsplit(":", 1)[1]
    d.start("api-server", ["api-server", "--host", "127.0.0.1", "--port", port, "--workers", "1"])
    d.start("dag-processor", ["dag-processor"])
    d.start("scheduler", ["scheduler", "--skip-serve-logs"])
    for number, name in enumerate(WORKERS, start=1):
        d.start(
            name,
            ["celery", "worker", "--concurrency", "2", "--celery-hostname", f"w{number}@{name}", "--skip-serve-logs"],
            CJW_WORKER_NAME=name,
        )

    def api_up() -> bool:
        try:
            return d.api("GET", "/api/v2/monitor/health") is not None
        except (AssertionError, OSError):
            return False

    d.wait("the api-server", api_up, deadline)
    d.token = d.api("GET", "/auth/token")["access_token"]
    for name in WORKERS:
        d.wait(
            f"Celery worker {name}",
            lambda name=name: " ready." in d.log_file(name).read_text(errors="replace"),
            deadline,
        )
    wanted = {*INGEST_DAGS, BUILD_DAG}

    def parsed() -> bool:
        broken = d.query(
            "select filename, stacktrace from import_error where filename = any(%s)",
            (
                [f"{dag_id}.py" for dag_id in wanted]
                + [str(PROJECT_ROOT / "dags" / f"{dag_id}.py") for dag_id in wanted],
            ),
        )
        if broken:
            raise AssertionError(f"the DAG processor cannot import {broken[0][0]}: {broken[0][1][-1500:]}")
        return wanted <= {row[0] for row in d.query("select dag_id from serialized_dag")}

    d.wait("the DAG processor to serialise the DAGs", parsed, deadline)
    _say(began, "api-server, dag-processor, scheduler and 2 Celery workers up; DAGs parsed")

    # every day of the call centre; two days of the office visits (the middle one comes later)
    runs = {
        "ingest_call_centre": [d.trigger("ingest_call_centre", day, tz) for day in days],
        "ingest_office_visits": [d.trigger("ingest_office_visits", day, tz) for day in (days[0], days[2])],
    }
    for dag_id in INGEST_DAGS:
        d.unpause(dag_id)
    for dag_id, run_ids in runs.items():
        d.wait_for_runs(dag_id, run_ids, deadline)
    _say(began, "5 ingest runs succeeded; build_journeys still paused, so none of it started")
    assert d.run_states(BUILD_DAG) == {}

    # now the Asset of the last batch triggers the build
    d.unpause(BUILD_DAG)
    last = d.trigger("ingest_office_visits", days[1], tz)
    d.wait_for_runs("ingest_office_visits", [last], deadline)
    _say(began, "last ingest run succeeded; waiting for the Asset-triggered build_journeys")

    def build_finished() -> list[str]:
        states = d.run_states(BUILD_DAG)
        if any(state == "failed" for _, state in states.values()):
            d.fail_on_task_failures(BUILD_DAG)
        if any(state == "failed" for _, state in states.values()):
            raise AssertionError(f"build_journeys failed: {states}")
        return [run_id for run_id, (_, state) in states.items() if state == "success"]

    built = d.wait("build_journeys to succeed", build_finished, deadline, interval=3.0)
    _say(began, f"build_journeys {built} succeeded")

    # --- what ran where
    run_types = {
        row[0]: row[1] for row in d.query("select run_id, run_type from dag_run where dag_id = %s", (BUILD_DAG,))
    }
    assert set(run_types.values()) == {"asset_triggered"}, run_types
    assert {row[0] for row in d.query("select distinct run_type from dag_run where dag_id <> %s", (BUILD_DAG,))} == {
        "manual"
    }, "no scheduled ingest run of its own"
    states = d.query("select dag_id, task_id, map_index, state, hostname from task_instance")
    not_ok = [
        row
        for row in states
        if row[3] != "success" and not (row[0] == BUILD_DAG and row[1] == "record_failure" and row[3] == "skipped")
    ]
    assert not_ok == [], f"task instances not successful: {not_ok}"
    ran = [row for row in states if row[3] == "success"]
    build_tasks = {row[1] for row in ran if row[0] == BUILD_DAG}
    assert build_tasks == {
        "prepare_build",
        "check_source_freshness",
        *(f"dbt.{layer}" for layer, _ in BUILD_LAYERS),
        "audit_marts",
        "publish_marts",
        "render_pages",
        "raise_alerts",
    }, f"build_journeys ran {sorted(build_tasks)}"
    ingest = [row for row in ran if row[0] != BUILD_DAG]
    assert {row[0] for row in ingest} == set(INGEST_DAGS) and len(ingest) >= 6 * 3, (
        "6 ingest runs, 3 tasks or more each"
    )
    hosts = {row[4] for row in ran}
    assert hosts == set(WORKERS), f"task instances ran on {hosts}, expected both Celery workers {WORKERS}"
    per_worker = {host: sum(1 for row in ran if row[4] == host) for host in WORKERS}
    _say(began, f"{len(ran)} task instances succeeded: {per_worker}")
    build_hosts = {row[4] for row in ran if row[0] == BUILD_DAG}
    assert build_hosts, "build_journeys tasks ran"

    # --- what was published
    with psycopg.connect(d.warehouse_dsn) as conn:
        published = conn.execute(
            "select count(*) from ops.publish_log where status = 'published' and run_id = any(%s)", (built,)
        ).fetchone()
        assert published == (1,), "one publish, by the Asset-triggered run"
        tables = {
            row[0]
            for row in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        assert {"fct_touchpoint_kpis", "dim_kpis", "dim_offices", "fct_calls", "fct_office_tickets"} <= tables
        # every day the ingested batches brought observations for is published; the three days end
        # yesterday, so they may hold a Sunday on which neither the offices nor the call centre work
        observed = {row[0] for row in conn.execute("select distinct local_date from intermediate.int_kpi_observations")}
        published_days = {
            row[0]
            for row in conn.execute(
                "select distinct period_start from marts.fct_touchpoint_kpis where period_grain = 'day'"
            )
        }
        assert observed and observed <= set(days), (observed, days)
        assert published_days == observed, "the ingested days are in the published KPIs"
        batches = conn.execute(
            "select source, count(*) from raw.ingest_batches where status = 'validated' group by source order by source"
        ).fetchall()
        assert batches == [("call_centre", 3), ("office_visits", 3)]
    assert (Path(d.env["CJW_SITE_DIR"]) / "index.html").is_file(), "the pages were rendered by a worker"
    _say(began, "marts published, pages rendered")
