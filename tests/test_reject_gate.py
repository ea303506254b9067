"""The reject-rate gate, through the real ``ingest_call_centre`` DAG (``dag.test()``).

A published mart is in place. A day whose queue_log is mostly lines of a queue the seeds do not
know, and a day whose export is mostly broken lines, are loaded by the DAG: the batch is not
validated (its rows are removed), the DAG run fails at ``validate_batch``, the source's Asset
gets no event (so ``build_journeys`` is not triggered), the published marts are unchanged, and an
alert in ``ops.alerts`` names the file and the top reasons. A clean day after it is validated
and does update the Asset.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from tests.bad_input import sources as s

pytestmark = pytest.mark.timeout(600)

YEKT = ZoneInfo("Asia/Yekaterinburg")


def _marts(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return list(
            conn.execute("select kpi_id, office_id, value from marts.fct_touchpoint_kpis order by 1").fetchall()
        )


def _asset_events(name: str) -> int:
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    with create_session() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AssetEvent)
                .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
                .where(AssetModel.name == name)
            )
            or 0
        )


def _queue_log(day: date, bad: list[str]) -> bytes:
    return s.lines(s.queue_log(day), bad)


def _bad_lines(day: date, count: int, *, queue: str | None = None) -> list[str]:
    start = int(datetime(day.year, day.month, day.day, 11, 0, tzinfo=YEKT).timestamp())
    if queue:
        return [f"{start + n}|{start + n}.5|{queue}|NONE|ENTERQUEUE||{s.PHONE}|1" for n in range(count)]
    return [f"{start + n}|{start + n}.5|czn_ens01|NONE|ENTERQUEUE||{s.PHONE}" + "|1|2|3|4|5|6" for n in range(count)]


@pytest.mark.parametrize(
    ("case", "bad", "reason"),
    [
        ("unknown queue names", lambda day: _bad_lines(day, 2, queue="czn_zz99"), "unknown queue 'czn_zz99'"),
        ("most lines broken", lambda day: _bad_lines(day, 60), "too many fields"),
    ],
)
def test_a_batch_over_the_gate_is_not_validated_and_changes_nothing_published(
    case: str,
    bad: Any,
    reason: str,
    airflow_db: Path,
    fresh_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from include.dag_runs import load_dag, run_day

    landing = tmp_path / "landing"
    folder = landing / s.REGION / "call_centre"
    folder.mkdir(parents=True)
    monkeypatch.setenv("CJW_LANDING_DIR", str(landing))
    monkeypatch.setenv("CJW_PSEUDONYM_KEY", "7e57" * 16)
    with psycopg.connect(fresh_db) as conn:  # what BI reads now
        conn.execute("create schema marts")
        conn.execute(
            "create table marts.fct_touchpoint_kpis as"
            " select 'call_service_level' as kpi_id, 'ens-01' as office_id, 0.81::numeric as value"
        )
    published = _marts(fresh_db)
    events_before = _asset_events("raw_call_centre")

    bad_day = date(2026, 9, 1)
    (folder / "queue_log-20260901").write_bytes(_queue_log(bad_day, bad(bad_day)))
    dag = load_dag("ingest_call_centre")
    run = run_day(dag, bad_day, check=False)
    assert str(run.state) == "failed"
    with psycopg.connect(fresh_db) as conn:
        [(status, validation, rows)] = conn.execute(
            "select status, validation->>'reason', (select count(*) from raw.raw_call_centre_queue_log)"
            " from raw.ingest_batches"
        ).fetchall()
        alerts = conn.execute("select kind, severity, message_ru, details::text from ops.alerts").fetchall()
    assert status == "failed_validation" and rows == 0
    assert "queue_log-20260901" in validation and reason in validation
    assert _asset_events("raw_call_centre") == events_before  # build_journeys is not triggered
    assert _marts(fresh_db) == published
    [(kind, severity, message, details)] = alerts
    assert (kind, severity) == ("quality_gate", "error")
    assert "queue_log-20260901" in message and reason in message and "не приняты" in message
    assert "9123456789" not in message + details  # the caller's phone of the rejected lines is masked

    good_day = date(2026, 9, 2)
    (folder / "queue_log-20260902").write_bytes(s.lines(s.queue_log(good_day)))
    assert str(run_day(dag, good_day, check=False).state) == "success"
    assert _asset_events("raw_call_centre") == events_before + 1
