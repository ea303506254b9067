"""Shared fixtures: a real PostgreSQL, a fresh database per test module, a private Airflow home.

* With ``WAREHOUSE_DSN`` set, tests create their databases on that server; without it, an
  embedded PostgreSQL is started in a temporary home for the session and stopped at the end.
* Every database a test uses is created for it and dropped afterwards; nothing relies on
  state a previous run left.
* Airflow is configured (SQLite metadata in a temporary home) before anything imports it.
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

_SESSION_DIR = Path(tempfile.mkdtemp(prefix="cjw-tests-"))
os.environ.setdefault("CJW_VAR_DIR", str(_SESSION_DIR / "var"))
os.environ["AIRFLOW_HOME"] = str(_SESSION_DIR / "airflow")
os.environ.setdefault("CJW_PSEUDONYM_KEY", "7e57" * 16)

from include import airflow_env  # noqa: E402

airflow_env.configure()

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


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_SESSION_DIR, ignore_errors=True)
