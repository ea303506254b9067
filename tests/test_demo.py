"""``make demo``'s period (its data end yesterday) and the clean-up when the region is regenerated."""

from __future__ import annotations

import argparse
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from include import settings
from include.generator import generate_region
from include.ingest import load_interval
from tools.demo import DEMO_FROM, MAX_DAYS, demo_period, forget_region


def _args(**values: str | int | None) -> argparse.Namespace:
    return argparse.Namespace(**{"start": None, "end": None, "months": None, **values})


def test_the_demo_data_end_yesterday_and_keep_the_weeks_the_seeds_were_written_for() -> None:
    first, last = demo_period(_args())
    today = datetime.now(ZoneInfo(settings.schedule_timezone())).date()
    assert last == today - timedelta(days=1)
    if last - DEMO_FROM < timedelta(days=MAX_DAYS):  # the measure of 1 October 2026 stays inside
        assert first == DEMO_FROM
    assert (last - first).days + 1 <= MAX_DAYS


def test_the_period_is_cut_long_after_the_seeds_and_fixed_when_asked() -> None:
    first, last = demo_period(_args(end="2028-01-31"))
    assert (last, (last - first).days + 1) == (date(2028, 1, 31), MAX_DAYS)
    assert demo_period(_args(start="2026-09-01", months=2)) == (date(2026, 9, 1), date(2026, 10, 31))
    assert demo_period(_args(end="2026-12-04", months=1)) == (date(2026, 11, 5), date(2026, 12, 4))
    first, last = demo_period(_args(end="2026-08-01"))  # a clock before the demo's data
    assert first == DEMO_FROM and last > first + timedelta(days=27)


def test_a_regenerated_region_forgets_what_was_loaded_for_it_and_only_it(
    fresh_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    landing = tmp_path / "landing"
    key = b"test-key-0123456789abcdef"
    start = date(2026, 9, 7)
    for region in ("enskaya", "zarechnaya"):
        generate_region(landing, seed=3, offices=1, days=2, start=start, region_id=region, scale=0.2)
        begin = datetime.combine(start, datetime.min.time(), ZoneInfo("Asia/Yekaterinburg"))
        for source in ("call_centre", "office_visits"):
            load_interval(source, region, begin, begin + timedelta(days=2), dsn=fresh_db, key=key, landing=landing)

    def counts() -> dict[str, int]:
        with psycopg.connect(fresh_db) as conn:
            rows = conn.execute(
                "select region_id, (select count(*) from raw.raw_call_centre_queue_log q where q.region_id = b.region_id)"
                " + (select count(*) from raw.raw_office_visits_tickets t where t.region_id = b.region_id)"
                " + count(*) from raw.ingest_batches b group by region_id"
            ).fetchall()
        return {region: n for region, n in rows}

    before = counts()
    assert before["enskaya"] > 2 and before["zarechnaya"] > 2
    monkeypatch.setenv("WAREHOUSE_DSN", fresh_db)
    forget_region("enskaya")
    assert counts() == {"zarechnaya": before["zarechnaya"]}
    with psycopg.connect(fresh_db) as conn:
        orphans = conn.execute(
            "select count(*) from raw.ingest_files f where not exists"
            " (select from raw.ingest_batches b where b.batch_id = f.batch_id)"
        ).fetchone()
    assert orphans == (0,)
