"""Faults in the middle of a load leave no partial batch, and the re-run loads exactly once.

* ``kill -9`` of the loading process while its COPY streams rows into the warehouse;
* the PostgreSQL server stopped the hard way (immediate shutdown: no checkpoint, crash recovery at
  the next start) while a load streams — on a server of this test's own, started and stopped here.

Each time: no batch and no raw row of the interrupted run is visible, and loading the day again
loads every line once (read = loaded + rejected + duplicate, rows in the table = loaded).
(A failing dbt test leaving the published marts untouched is ``tests/test_end_to_end.py``.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from include.ingest import load_interval
from tests.bad_input.sources import DAY, REGION, YEKT, epoch

pytestmark = pytest.mark.timeout(300)
PROJECT = Path(__file__).resolve().parents[1]
KEY_HEX = "7e57" * 16
LINES = 250_000


def _big_queue_log(folder: Path) -> int:
    """A valid queue_log of LINES lines (≈ 15 MB): long enough to be caught in the middle of its COPY."""
    folder.mkdir(parents=True, exist_ok=True)
    base = epoch(8, 0)
    with (folder / "queue_log-20260901").open("w", encoding="utf-8") as handle:
        for n in range(LINES):
            at = base + n % 36_000
            handle.write(f"{at}|{at}.{n}|czn_ens01|NONE|ENTERQUEUE||+7912{n % 10_000_000:07d}|1\n")
    return LINES


def _loader(dsn: str, landing: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "WAREHOUSE_DSN": dsn,
        "CJW_LANDING_DIR": str(landing),
        "CJW_PSEUDONYM_KEY": KEY_HEX,
    }
    command = [sys.executable, "-m", "include.connectors.call_centre", "--region", REGION]
    command += ["--date", DAY.isoformat(), "--no-validate"]
    return subprocess.Popen(
        command,
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_for_copy(dsn: str, process: subprocess.Popen[str], timeout: float = 120) -> None:
    """Until the loader's COPY into the raw table has been streaming for a moment."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            row = conn.execute(
                "select now() - query_start from pg_stat_activity"
                " where datname = current_database() and query ilike 'copy raw.%%' and state = 'active'"
            ).fetchone()
            if row is not None and row[0] > timedelta(seconds=0.5):
                return
            time.sleep(0.1)
    raise AssertionError("the loader never reached its COPY")


def _nothing_of_the_interrupted_run(dsn: str) -> None:
    with psycopg.connect(dsn) as conn:
        for table in ("ingest_batches", "ingest_files", "raw_call_centre_queue_log", "rejected_call_centre"):
            exists = conn.execute("select to_regclass(%s)", (f"raw.{table}",)).fetchone()
            if exists and exists[0] is not None:
                assert conn.execute(f"select count(*) from raw.{table}").fetchone() == (0,), table


def _loads_once(dsn: str, landing: Path) -> None:
    start = datetime.combine(DAY, datetime.min.time(), YEKT)
    report = load_interval("call_centre", REGION, start, start + timedelta(days=1), dsn=dsn, landing=landing)
    assert report["read"] == LINES == report["loaded"] + report["rejected"] + report["duplicate"]
    assert report["rejected"] == 0
    with psycopg.connect(dsn) as conn:
        assert conn.execute("select count(*) from raw.raw_call_centre_queue_log").fetchone() == (report["loaded"],)
        assert conn.execute("select status, count(*) from raw.ingest_batches group by status").fetchall() == [
            ("loaded", 1)
        ]


def test_kill_9_in_the_middle_of_a_load_leaves_no_partial_batch(fresh_db: str, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    _big_queue_log(landing / REGION / "call_centre")
    process = _loader(fresh_db, landing)
    try:
        _wait_for_copy(fresh_db, process)
        os.killpg(process.pid, signal.SIGKILL)  # the group of the process this test started
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    # the server notices the lost client and rolls its transaction back
    deadline = time.monotonic() + 30
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        while conn.execute(
            "select count(*) from pg_stat_activity where datname = current_database() and query ilike 'copy raw.%%'"
            " and state <> 'idle'"
        ).fetchone() != (0,):
            assert time.monotonic() < deadline, "the killed loader's session never ended"
            time.sleep(0.1)
    _nothing_of_the_interrupted_run(fresh_db)
    _loads_once(fresh_db, landing)


@pytest.fixture()
def own_server(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A PostgreSQL server of this test only (it is stopped the hard way)."""
    from tools import warehouse

    home = tmp_path / "own-warehouse"
    dsn = warehouse.start(home)
    try:
        yield home, dsn
    finally:
        warehouse.stop(home)


def test_the_server_stopped_in_the_middle_of_a_load_leaves_no_partial_batch(
    own_server: tuple[Path, str], tmp_path: Path
) -> None:
    from tools import warehouse

    home, dsn = own_server
    landing = tmp_path / "landing"
    _big_queue_log(landing / REGION / "call_centre")
    process = _loader(dsn, landing)
    try:
        _wait_for_copy(dsn, process)
        state = warehouse.status(home)
        assert state and state.get("pid")
        os.kill(int(state["pid"]), signal.SIGQUIT)  # immediate shutdown: what a crash leaves behind
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    assert process.returncode != 0, output
    deadline = time.monotonic() + 60
    while warehouse.status(home) and warehouse.status(home).get("running"):  # type: ignore[union-attr]
        assert time.monotonic() < deadline
        time.sleep(0.2)
    dsn = warehouse.start(home)  # crash recovery
    _nothing_of_the_interrupted_run(dsn)
    _loads_once(dsn, landing)
