"""Region call KPIs count a call once, with its whole wait, when calls overflow between queues.

A hand-written Asterisk queue_log of one day (calls answered at once, abandoned, timed out of
one queue and answered or abandoned in the next) goes through the real connector, the real GX
suite and the real dbt project (``dbt build`` of ``fct_touchpoint_kpis`` with its tests, the
singular test ``assert_region_call_kpis_count_each_call_once`` among them) into a fresh database.
The published figures are then compared with figures computed here from the calls themselves:
per queue each queue's offers, for the region each call once.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from include.dbt_runner import dbt_env, invoke
from include.ingest import load_interval, validate_batch
from include.publish import prepare_build

pytestmark = pytest.mark.timeout(900)

REGION = "enskaya"
YEKT = ZoneInfo("Asia/Yekaterinburg")
DAY = date(2026, 9, 1)
KEY = b"test-key-0123456789abcdef"
# queue → office (dbt/seeds/call_queues.csv)
OFFICE = {"czn_ens01": "ens-01", "czn_ens02": "ens-02"}


def at(hour: int, minute: int, second: int = 0) -> int:
    return int(datetime(DAY.year, DAY.month, DAY.day, hour, minute, second, tzinfo=YEKT).timestamp())


# Each call: the queues it went through, in order: (queue, outcome, seconds) with outcome
# "answered" (seconds = hold), "timeout" (seconds waited before overflowing), "abandoned".
CALLS: dict[str, list[tuple[str, str, int]]] = {
    "c01": [("czn_ens01", "answered", 20)],
    "c02": [("czn_ens01", "answered", 75)],
    "c03": [("czn_ens01", "abandoned", 40)],
    "c04": [("czn_ens01", "timeout", 60), ("czn_ens02", "answered", 25)],  # 85 s: within 90 s
    "c05": [("czn_ens01", "timeout", 60), ("czn_ens02", "answered", 45)],  # 105 s: not within 90 s
    "c06": [("czn_ens01", "timeout", 120), ("czn_ens02", "abandoned", 30)],
    "c07": [("czn_ens02", "answered", 10)],
    "c08": [("czn_ens01", "timeout", 300), ("czn_ens02", "answered", 90)],
    "c09": [("czn_ens02", "abandoned", 15)],
    "c10": [("czn_ens01", "timeout", 45), ("czn_ens02", "answered", 15)],
}


def queue_log() -> str:
    lines = [f"{at(8, 0)}|NONE|NONE|NONE|QUEUESTART|"]
    for n, path in enumerate(CALLS.values()):
        start = at(9, 0) + 600 * n
        call_id = f"{start}.{n}"
        clock = start
        for queue, outcome, seconds in path:
            lines.append(f"{clock}|{call_id}|{queue}|NONE|ENTERQUEUE||7912000{n:04d}|1")
            clock += seconds
            if outcome == "answered":
                lines.append(f"{clock}|{call_id}|{queue}|PJSIP/op01|CONNECT|{seconds}|{call_id}9|2")
                lines.append(f"{clock + 120}|{call_id}|{queue}|PJSIP/op01|COMPLETECALLER|{seconds}|120|1")
            elif outcome == "abandoned":
                lines.append(f"{clock}|{call_id}|{queue}|NONE|ABANDON|1|1|{seconds}")
            else:
                lines.append(f"{clock}|{call_id}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{seconds}")
                clock += 1
    return "\n".join(lines) + "\n"


def expected() -> dict[tuple[str, str | None], tuple[Decimal, Decimal]]:
    """(kpi, office or None for the region) → (numerator, denominator), computed from CALLS."""
    figures: dict[tuple[str, str | None], list[Decimal]] = {}

    def add(kpi: str, office: str | None, numerator: float, denominator: int = 1) -> None:
        pair = figures.setdefault((kpi, office), [Decimal(0), Decimal(0)])
        pair[0] += Decimal(numerator)
        pair[1] += denominator

    for path in CALLS.values():
        # per queue: each offer on its own
        for queue, outcome, seconds in path:
            office = OFFICE[queue]
            add("call_service_level", office, outcome == "answered" and seconds <= 90)
            add("call_abandon_rate", office, outcome == "abandoned")
            if outcome == "answered":
                add("call_asa", office, seconds)
        # the region: the call once, waiting from its first queue to the answer
        answered = path[-1][1] == "answered"
        whole_wait = sum(seconds for _, _, seconds in path)
        add("call_service_level", None, answered and whole_wait <= 90)
        add("call_abandon_rate", None, path[-1][1] == "abandoned")
        if answered:
            add("call_asa", None, whole_wait)
    return {key: (pair[0], pair[1]) for key, pair in figures.items()}


def test_region_call_kpis_count_an_overflowed_call_once_with_its_whole_wait(fresh_db: str, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    (landing / REGION / "call_centre").mkdir(parents=True)
    (landing / REGION / "call_centre" / "queue_log-20260901").write_text(queue_log(), encoding="utf-8")
    start = datetime.combine(DAY, datetime.min.time(), YEKT)
    report = load_interval("call_centre", REGION, start, start.replace(day=2), dsn=fresh_db, key=KEY, landing=landing)
    assert report["rejected"] == 0 and report["loaded"] == report["read"]
    assert validate_batch("call_centre", report["batch_id"], dsn=fresh_db)["success"]

    prepare_build(fresh_db)
    result = invoke(
        [
            "build",
            "--select",
            "+fct_touchpoint_kpis",
            "assert_region_call_kpis_count_each_call_once",
            "--indirect-selection",
            "cautious",
        ],
        env=dbt_env(fresh_db),
    )
    assert result.success, [str(r.message) for r in result.result.results if str(r.status) in ("error", "fail")]
    executed = {r.node.name for r in result.result.results}
    assert "assert_region_call_kpis_count_each_call_once" in executed  # the dbt test ran and passed

    with psycopg.connect(fresh_db) as conn:
        rows = conn.execute(
            "select kpi_id, office_id, numerator, denominator from marts__build.fct_touchpoint_kpis"
            " where period_grain = 'day' and period_start = %s and kpi_id in"
            " ('call_service_level', 'call_abandon_rate', 'call_asa')",
            (DAY,),
        ).fetchall()
    actual = {(kpi, office): (Decimal(num), Decimal(den)) for kpi, office, num, den in rows}
    want = expected()
    assert actual == want
    # 10 calls offered to the region, 15 offers to the queues (5 calls overflowed)
    assert want[("call_service_level", None)][1] == len(CALLS)
    assert sum(den for (kpi, office), (_, den) in want.items() if kpi == "call_service_level" and office) == 15
