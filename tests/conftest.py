"""Shared fixtures: a real PostgreSQL, a fresh database per test module, a private Airflow home.

* With ``WAREHOUSE_DSN`` set, tests create their databases on that server; without it, an
  embedded PostgreSQL is started in a temporary home for the session and stopped at the end.
* Every database a test uses is created for it and dropped afterwards; nothing relies on
  state a previous run left.
* Airflow is configured (SQLite metadata in a temporary home) before anything imports it.
* ``make test`` runs the modules on pytest-xdist workers, one more than the cores, up to four (``--dist
  loadfile``, whole modules per worker): each worker has its own session folder, embedded server
  and dbt target folder; the slowest modules start first.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo


def _session_dir() -> Path:
    """This process's temporary folder for the session.

    pytest-xdist workers inherit the environment the controller's conftest set: its var folder
    and, through ``setdefault``, its Airflow SQLite file. Workers sharing one SQLite file raced in
    ``airflow db migrate`` ("table team already exists") and would have shared DAG runs; so a
    process drops every variable that points into another process's session folder and makes its
    own. This module is also imported a second time as ``tests.conftest`` by tests that use its
    helpers: that import finds this process's folder and changes nothing.
    """
    if os.environ.get("CJW_TESTS_SESSION_PID") == str(os.getpid()):
        return Path(os.environ["CJW_TESTS_SESSION_DIR"])
    inherited = os.environ.get("CJW_TESTS_SESSION_DIR")
    if inherited:
        for key in [key for key, value in os.environ.items() if inherited in value]:
            del os.environ[key]
    folder = Path(tempfile.mkdtemp(prefix="cjw-tests-"))
    os.environ["CJW_TESTS_SESSION_DIR"] = str(folder)
    os.environ["CJW_TESTS_SESSION_PID"] = str(os.getpid())
    return folder


_SESSION_DIR = _session_dir()
os.environ.setdefault("CJW_VAR_DIR", str(_SESSION_DIR / "var"))
os.environ["AIRFLOW_HOME"] = str(_SESSION_DIR / "airflow")
os.environ.setdefault("CJW_PSEUDONYM_KEY", "7e57" * 16)

from include import airflow_env  # noqa: E402

airflow_env.configure()


def _worker_dbt_target() -> None:
    """Under pytest-xdist, each worker gets its own dbt target and log folders (dbt writes its
    manifest, run results and partial-parse state there), started from the project's parsed one."""
    from include import dbt_runner

    shared = dbt_runner.ensure_manifest().parent
    target = _SESSION_DIR / "dbt-target"
    target.mkdir()
    for name in ("manifest.json", "partial_parse.msgpack", "semantic_manifest.json"):
        if (shared / name).exists():
            shutil.copy2(shared / name, target / name)
    os.environ["DBT_TARGET_PATH"] = str(target)
    os.environ["DBT_LOG_PATH"] = str(_SESSION_DIR / "dbt-logs")


if os.environ.get("PYTEST_XDIST_WORKER") and str(_SESSION_DIR) not in os.environ.get("DBT_TARGET_PATH", ""):
    _worker_dbt_target()

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
_SERVER_DSN = os.environ.get("WAREHOUSE_DSN")


@pytest.fixture(scope="session")
def server_dsn() -> Iterator[str]:
    """DSN of a PostgreSQL server the tests may create databases on."""
    if _SERVER_DSN:
        yield _SERVER_DSN
        return
    from tools import warehouse

    home = _SESSION_DIR / "warehouse"
    dsn = warehouse.start(home)
    try:
        yield dsn
    finally:
        warehouse.stop(home)


def _create_database(server: str, prefix: str, options: str = "") -> str:
    """A new database named ``<prefix>_<random>``; ``options`` are those of CREATE DATABASE."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("create database {} {}").format(sql.Identifier(name), sql.SQL(options)))
    return make_conninfo(server, dbname=name)


def _drop_database(server: str, dsn: str) -> None:
    name = conninfo_to_dict(dsn)["dbname"]
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(str(name))))


@pytest.fixture()
def fresh_db(server_dsn: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A new empty database for one test, set as ``WAREHOUSE_DSN``; dropped afterwards."""
    dsn = _create_database(server_dsn, "cjw_test")
    monkeypatch.setenv("WAREHOUSE_DSN", dsn)
    try:
        yield dsn
    finally:
        _drop_database(server_dsn, dsn)


@pytest.fixture(scope="module")
def module_db(server_dsn: str) -> Iterator[str]:
    """A new empty database shared by the tests of one module (set ``WAREHOUSE_DSN`` yourself)."""
    dsn = _create_database(server_dsn, "cjw_test")
    try:
        yield dsn
    finally:
        _drop_database(server_dsn, dsn)


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """The Airflow metadata database of the session (SQLite), migrated once."""
    airflow_env.migrate_metadata_db()
    return Path(os.environ["AIRFLOW_HOME"])


CHROMIUM = os.environ.get("CJW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium driven by Playwright (``make test`` installs it; missing is a failure)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make chromium` or set CJW_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# The modules that take minutes (measured with --durations): under pytest-xdist they start first,
# so the many short modules fill the workers' tails instead of one long module running alone.
SLOW_MODULES = (
    "tests/test_end_to_end.py",
    "tests/modelling/test_model_dag.py",
    "tests/test_celery.py",
    "tests/test_incremental.py",
    "tests/test_identity_incremental.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        module = item.nodeid.split("::", 1)[0]
        return SLOW_MODULES.index(module) if module in SLOW_MODULES else len(SLOW_MODULES)

    items.sort(key=rank)  # stable: the order within a module and among the others is kept


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)
