"""Tests of the embedded PostgreSQL launcher with real servers in throw-away homes.

Never touches the project's own ``var/warehouse``; every server started here is stopped.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tools import warehouse

PROJECT_ROOT = Path(__file__).resolve().parents[1]
IS_ROOT = os.geteuid() == 0

pytestmark = pytest.mark.timeout(180)


def _state(home: Path) -> dict:
    return json.loads((home / "state.json").read_text())


def _cleanup(home: Path) -> None:
    """Stop the server of ``home`` and remove every folder it used."""
    try:
        warehouse.stop(home)
    finally:
        base = (warehouse.status(home) or {}).get("base")
        if base and not Path(base).is_relative_to(home):
            shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(home, ignore_errors=True)


def _uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


def _query(dsn: str, sql: str) -> list[tuple]:
    with psycopg.connect(dsn, connect_timeout=5) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def home() -> Iterator[Path]:
    """A warehouse home under /tmp that the server's unprivileged user can traverse."""
    path = Path(tempfile.mkdtemp(prefix="cjw-wh-test-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        _cleanup(path)


def test_start_gives_working_private_server(home: Path) -> None:
    dsn = warehouse.start(home)
    state = _state(home)
    port = state["port"]
    assert dsn == f"postgresql://postgres@127.0.0.1:{port}/cjw" == state["dsn"]
    assert _query(dsn, "select current_database(), current_user") == [("cjw", "postgres")]
    assert _query(dsn, "show listen_addresses") == [("127.0.0.1",)]
    assert int(_query(dsn, "show max_connections")[0][0]) >= 100
    assert _query(dsn, "show server_encoding") == [("UTF8",)]
    assert (home / "run" / f".s.PGSQL.{port}").is_socket()
    assert (home / "log" / "postgres.log").is_file()
    assert {"port", "bindir", "pid", "dsn", "started_at", "version"} <= state.keys()
    assert state["version"].startswith("16.")
    pg_user = (os.environ.get("CJW_PG_USER") or "nobody").partition(":")[0]
    expected_uid = pwd.getpwnam(pg_user).pw_uid if IS_ROOT else os.geteuid()
    assert _uid_of(state["pid"]) == expected_uid
    if IS_ROOT:
        assert expected_uid != 0
        for folder in ("data", "run", "log"):
            info = (home / folder).stat()
            assert info.st_uid != 0 and info.st_mode & 0o777 == 0o700


def test_socket_connection_works(home: Path) -> None:
    warehouse.start(home)
    port = _state(home)["port"]
    with psycopg.connect(host=str(home / "run"), port=port, user="postgres", dbname="cjw") as conn:
        assert conn.execute("select 1").fetchone() == (1,)


def test_second_start_reuses_running_server(home: Path) -> None:
    dsn = warehouse.start(home)
    pid = _state(home)["pid"]
    began = time.perf_counter()
    assert warehouse.start(home) == dsn
    assert time.perf_counter() - began < 1.0
    assert _state(home)["pid"] == pid
    assert warehouse.running_dsn(home) == dsn


def test_concurrent_starts_share_one_server(home: Path) -> None:
    results: list[str] = []
    threads = [threading.Thread(target=lambda: results.append(warehouse.start(home))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and len(set(results)) == 1


def test_restart_keeps_data(home: Path) -> None:
    dsn = warehouse.start(home)
    with psycopg.connect(dsn) as conn:
        conn.execute("create table kept (id int primary key, label text)")
        conn.execute("insert into kept values (1, 'до перезапуска')")
    warehouse.stop(home)
    info = warehouse.status(home)
    assert info is not None and info["running"] is False
    assert warehouse.running_dsn(home) is None
    assert warehouse.start(home) == dsn  # the previous port is reused when free
    assert _query(dsn, "select id, label from kept") == [(1, "до перезапуска")]


def test_stale_state_after_kill_9_recovers(home: Path) -> None:
    dsn = warehouse.start(home)
    with psycopg.connect(dsn) as conn:
        conn.execute("create table survived as select 42 as answer")
    old_pid = _state(home)["pid"]
    os.kill(old_pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while warehouse._process_alive(old_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert warehouse.running_dsn(home) is None
    new_dsn = warehouse.start(home)
    assert _state(home)["pid"] != old_pid
    assert _query(new_dsn, "select answer from survived") == [(42,)]


def test_lost_state_file_adopts_then_stops_running_server(home: Path) -> None:
    dsn = warehouse.start(home)
    pid = _state(home)["pid"]
    (home / "state.json").unlink()
    assert warehouse.running_dsn(home) is None  # unknown without state.json ...
    assert warehouse.start(home) == dsn  # ... but start adopts the running postmaster
    assert _state(home)["pid"] == pid
    (home / "state.json").unlink()
    warehouse.stop(home)  # and stop finds it too
    assert not warehouse._process_alive(pid)


def test_port_taken_by_someone_else_picks_another(home: Path) -> None:
    warehouse.start(home)
    old_port = _state(home)["port"]
    warehouse.stop(home)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", old_port))
        squatter.listen()
        dsn = warehouse.start(home)
        assert _state(home)["port"] != old_port
        assert _query(dsn, "select 1") == [(1,)]


def test_status_and_running_dsn_of_a_fresh_home(home: Path) -> None:
    assert warehouse.status(home) is None
    assert warehouse.running_dsn(home) is None
    warehouse.stop(home)  # nothing to stop: no error


@pytest.mark.skipif(not IS_ROOT, reason="the unreachable-folder fallback only applies when run as root")
def test_fallback_when_project_is_under_root_only_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    outer = Path(tempfile.mkdtemp(prefix="fresh-clone."))  # root-owned, 0700: like mktemp -d
    assert outer.stat().st_mode & 0o777 == 0o700
    clone = outer / "clone"
    home = clone / "var" / "warehouse"
    # Binaries inside the clone too (like its .venv), with the wheel's relative layout.
    wheel_bindir = warehouse._wheel_bindir()
    assert wheel_bindir is not None
    pginstall, libs = warehouse._wheel_parts(wheel_bindir) or pytest.fail("wheel layout not found")
    site = clone / ".venv" / "site-packages"
    shutil.copytree(pginstall, site / "pgserver" / "pginstall", symlinks=True)
    shutil.copytree(libs, site / "pgserver.libs", symlinks=True)
    monkeypatch.setenv("CJW_PG_BINDIR", str(site / "pgserver" / "pginstall" / "bin"))
    try:
        dsn = warehouse.start(home)
        state = _state(home)
        base = Path(state["base"])
        assert base.parent == Path("/tmp") and base.name.startswith("cjw-warehouse-")
        assert Path(state["bindir"]).is_relative_to(base)
        assert "cannot traverse" in state["fallback_reason"]
        assert "cannot execute" in state["fallback_reason"]
        assert (base / "run" / f".s.PGSQL.{state['port']}").is_socket()
        assert (base / "data").stat().st_mode & 0o777 == 0o700
        assert _uid_of(state["pid"]) != 0
        assert outer.stat().st_mode & 0o777 == 0o700  # nothing outside the home was loosened
        with psycopg.connect(dsn) as conn:
            conn.execute("create table t as select 1 as x")
        warehouse.stop(home)
        assert warehouse.start(home) == dsn
        assert _query(dsn, "select x from t") == [(1,)]
    finally:
        _cleanup(home)
        shutil.rmtree(outer, ignore_errors=True)


def test_resolve_dsn_prefers_warehouse_dsn(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    given = "postgresql://someone:secret@db.example:6543/elsewhere?sslmode=require"
    monkeypatch.setenv("WAREHOUSE_DSN", given)
    monkeypatch.setenv("CJW_WAREHOUSE_HOME", str(home))
    assert warehouse.resolve_dsn() == given
    assert warehouse.status(home) is None  # nothing was started


def test_resolve_dsn_starts_embedded_without_warehouse_dsn(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.delenv("WAREHOUSE_DSN", raising=False)
    monkeypatch.setenv("CJW_WAREHOUSE_HOME", str(home))
    dsn = warehouse.resolve_dsn()
    assert dsn == warehouse.running_dsn(home)
    assert _query(dsn, "select 1") == [(1,)]


def test_command_line(home: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tools.warehouse", *args, "--home", str(home)]
        return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False)

    assert cli("status").stdout.startswith("not initialised")
    started = cli("start")
    assert started.returncode == 0 and started.stdout.startswith("started PostgreSQL 16")
    dsn = _state(home)["dsn"]
    assert cli("start").stdout.startswith("already running")
    assert cli("dsn").stdout.strip() == dsn
    running = cli("status")
    assert running.returncode == 0 and running.stdout.startswith(f"running: {dsn}")
    assert cli("stop").stdout.startswith("stopped warehouse")
    stopped = cli("status")
    assert stopped.returncode == 3 and stopped.stdout.startswith("stopped:")
