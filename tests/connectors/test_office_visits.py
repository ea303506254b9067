"""Office electronic-queue connector against a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from include.connectors.office_visits import COLUMNS
from tests.connectors.conftest import REGION, write

DAY = date(2026, 9, 1)
HEADER = ",".join(COLUMNS)
ROWS = [
    "А-001,ens-02,registration,0,,2026-09-01 09:14:05,2026-09-01 09:31:40,2026-09-01 09:32:10,2026-09-01 09:44:51,Окно 3,served,",
    "З-002,ens-02,reregistration,1,2026-09-01 10:00:00,2026-09-01 09:52:11,2026-09-01 10:01:02,2026-09-01 10:01:30,2026-09-01 10:09:03,Окно 1,served,+7 912 345-67-89",
    "А-003,ens-02,consultation,0,,2026-09-01 11:00:00,2026-09-01 11:20:00,,,Окно 2,no_show,",
]


def office_file(
    landing: Path,
    rows: list[str],
    *,
    office: str = "ens-02",
    sep: str = ",",
    encoding: str = "utf-8",
    day: str = "20260901",
) -> Path:
    text = "\r\n".join([HEADER, *rows]).replace(",", sep) + "\r\n"
    return write(landing / REGION / "office_visits" / office / f"eq_{office}_{day}.csv", text, encoding=encoding)


def rejected(query: Any) -> list[tuple[int, str]]:
    return query("select line_no, reason from raw.rejected_office_visits order by file_seq, line_no")


def test_windows_1251_semicolon_export_loads_with_utc_times(landing: Path, load: Any, query: Any) -> None:
    office_file(landing, ROWS, sep=";", encoding="cp1251")
    report = load("office_visits", DAY)
    assert (report["read"], report["loaded"], report["rejected"]) == (3, 3, 0)
    issued, window, phone_hash = query(
        "select issued_at, window_name, phone_hash from raw.raw_office_visits_tickets where ticket_id = 'З-002'"
    )[0]
    assert issued == datetime(2026, 9, 1, 4, 52, 11, tzinfo=UTC)  # 09:52:11 in Yekaterinburg (UTC+5)
    assert window == "Окно 1"
    assert len(phone_hash) == 64
    assert query("select count(*) from raw.raw_office_visits_tickets where phone_hash like '%%912%%'") == [(0,)]


def test_utf8_with_bom_and_russian_outcomes(landing: Path, load: Any, query: Any) -> None:
    rows = [ROWS[0].replace(",served,", ",обслужен,"), ROWS[2].replace(",no_show,", ",неявка,")]
    office_file(landing, rows, encoding="utf-8-sig")
    report = load("office_visits", DAY)
    assert (report["loaded"], report["rejected"]) == (2, 0)
    assert query("select outcome from raw.raw_office_visits_tickets order by ticket_id") == [("served",), ("no_show",)]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("А-009,ens-02,registration,0", "expected 12 columns, got 4"),
        (ROWS[0].replace("2026-09-01 09:14:05", "01/09/26 9h14"), "issued_at '01/09/26 9h14' is not a timestamp"),
        (
            ROWS[0].replace("2026-09-01 09:14:05", "2026-02-30 09:14:05"),
            "issued_at '2026-02-30 09:14:05' is not a valid",
        ),
        (ROWS[0].replace("2026-09-01 09:14:05", "1899-09-01 09:14:05"), "impossible year"),
        (ROWS[0].replace("ens-02,registration", "ens-77,registration"), "unknown office 'ens-77'"),
        (ROWS[0].replace("registration", "astrology"), "unknown service code 'astrology'"),
        (ROWS[0].replace(",served,", ",teleported,"), "unknown outcome 'teleported'"),
        (ROWS[0].replace("2026-09-01 09:31:40", "2026-09-01 08:31:40"), "called_at is before issued_at"),
        (ROWS[1].replace("2026-09-01 10:00:00", ""), "pre-booked ticket without booked_for"),
        (ROWS[0].replace("ens-02,registration,0", "ens-02,registration,maybe"), "is_prebooked 'maybe'"),
    ],
)
def test_each_malformed_row_is_quarantined_with_its_reason(
    landing: Path, load: Any, query: Any, row: str, reason: str
) -> None:
    office_file(landing, [*ROWS, row])
    report = load("office_visits", DAY)
    assert (report["read"], report["loaded"], report["rejected"], report["duplicate"]) == (4, 3, 1, 0)
    [(line_no, why)] = rejected(query)
    assert line_no == 5
    assert reason in why


def test_a_wrong_header_rejects_the_whole_file_line_by_line(landing: Path, load: Any, query: Any) -> None:
    path = office_file(landing, ROWS)
    path.write_text(path.read_text().replace("ticket_id,", "talon,", 1))
    report = load("office_visits", DAY)
    assert (report["read"], report["loaded"], report["rejected"]) == (4, 0, 4)
    assert "unexpected header" in rejected(query)[0][1]


def test_exact_duplicates_count_and_conflicting_tickets_are_quarantined(landing: Path, load: Any, query: Any) -> None:
    conflicting = ROWS[0].replace("Окно 3", "Окно 4")
    office_file(landing, [*ROWS, ROWS[1], conflicting])
    report = load("office_visits", DAY)
    assert (report["read"], report["loaded"], report["rejected"], report["duplicate"]) == (5, 3, 1, 1)
    [(line_no, why)] = rejected(query)
    assert line_no == 6
    assert why.startswith("conflicting record: key ens-02/2026-09-01/А-001 already loaded from file 1 line 2")


def test_same_export_twice_and_a_rerun(landing: Path, load: Any, query: Any) -> None:
    office_file(landing, ROWS)
    office_file(landing, ROWS, day="20260902")  # the same export re-sent as the next day's file
    load("office_visits", DAY)
    again = load("office_visits", date(2026, 9, 2))
    assert (again["loaded"], again["duplicate"]) == (0, 3)
    rerun = load("office_visits", DAY)
    assert rerun["loaded"] == 3 and rerun["replaced_batches"]
    assert query("select count(*) from raw.raw_office_visits_tickets") == [(3,)]


def test_a_file_of_another_office_in_the_folder_is_caught(landing: Path, load: Any, query: Any) -> None:
    office_file(landing, [ROWS[0].replace("ens-02", "ens-01")], office="ens-02")
    report = load("office_visits", DAY)
    assert report["rejected"] == 1
    assert "office 'ens-01' in a file of office 'ens-02'" in rejected(query)[0][1]


def test_an_impossible_utc_offset_is_a_rejection_not_a_crash(landing: Path, load: Any, query: Any) -> None:
    office_file(
        landing, [*ROWS, ROWS[0].replace("2026-09-01 09:14:05", "2026-09-01T09:14:05+25:00").replace("А-001", "А-010")]
    )
    report = load("office_visits", DAY)
    assert report["rejected"] == 1
    assert "impossible UTC offset" in rejected(query)[0][1]


def test_the_planner_knows_the_batch_before_it_is_validated(landing: Path, load: Any, query: Any) -> None:
    """The load refreshes the raw table's statistics: GX and staging select the batch by its id,
    and with statistics from before the load PostgreSQL plans for no rows (nested loops,
    quadratic in the batch)."""
    office_file(landing, ROWS)
    load("office_visits", DAY)
    assert query("select reltuples from pg_class where oid = 'raw.raw_office_visits_tickets'::regclass") == [(3,)]
    assert query(
        "select count(*) from pg_stats where schemaname = 'raw' and tablename = 'raw_office_visits_tickets'"
        " and attname = 'batch_id'"
    ) == [(1,)]


def test_a_small_batch_on_a_large_table_refreshes_the_batch_statistics_only(
    landing: Path, load: Any, query: Any
) -> None:
    """A batch under a tenth of the rows the table's statistics know (a day on years of history)
    whose size the planner misjudges (statistics that know the first batch alone: one row) is
    analysed for ``batch_id`` alone — the planner then knows its size; a larger one, and the
    first, for every column. A full ANALYZE of years of history cost a day's ingest seconds.
    A batch of at most ``HARMLESS_BATCH_ROWS`` taken for smaller is not analysed at all, nor is
    one the planner already estimates well (test_loading_statistics)."""

    def tickets(day: int, count: int) -> list[str]:
        at = f"2026-09-{day:02d}"
        return [
            f"А-{n:05d},ens-02,registration,0,,{at} 09:14:05,{at} 09:31:40,{at} 09:32:10,{at} 09:44:51,Окно 3,served,"
            for n in range(count)
        ]

    def file_dates_known() -> str:
        [(known,)] = query(
            "select concat(most_common_vals::text, histogram_bounds::text) from pg_stats"
            " where schemaname = 'raw' and tablename = 'raw_office_visits_tickets' and attname = 'file_date'"
        )
        return str(known)

    def batch_estimate(batch_id: int) -> int:
        [(plan,)] = query(
            f"explain (format json) select * from raw.raw_office_visits_tickets where batch_id = {batch_id}"
        )
        return int(plan[0]["Plan"]["Plan Rows"])

    for day, count in ((1, 25_000), (2, 2_100), (3, 3_000), (4, 12)):
        office_file(landing, tickets(day, count), day=f"202609{day:02d}")
        load("office_visits", date(2026, 9, day))
        if day == 2:  # 2 100 rows on 25 000, estimated at one: batch_id analysed, file_date not
            assert "2026-09-02" not in file_dates_known()
            assert batch_estimate(2) == 2_100
        if day == 3:  # 3 000 rows on 27 100: every column
            assert "2026-09-03" in file_dates_known()
    # 12 rows taken for one: left as they are (their worst plan is cheap)
    assert "2026-09-04" not in file_dates_known()
    assert batch_estimate(4) == 1
    assert query("select reltuples from pg_class where oid = 'raw.raw_office_visits_tickets'::regclass") == [(30_100,)]
