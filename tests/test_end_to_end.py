"""End to end: a generated region through the real DAGs (``dag.test()``) into a real PostgreSQL.

The region is generated once for the module; every ingest DAG runs for every day, then
``build_journeys`` (dbt through Cosmos, GX audit, publish, pages). The tests then check the
published marts against KPIs computed here, independently, from the generated files; the
planted pain points on the page in headless Chromium; that no phone number is stored in clear;
and that a failing dbt test or GX check leaves the published marts exactly as they were.
"""

from __future__ import annotations

import csv
import json
import os
import re
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest

from include.generator import generate_region

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

REGION = "enskaya"
START = date(2026, 9, 7)  # a Monday
DAYS = 14
SEEDS = Path(__file__).resolve().parents[1] / "dbt" / "seeds"
RED = "rgb(255, 205, 210)"


@dataclass
class Region:
    dsn: str
    landing: Path
    site: Path
    manifest: dict[str, Any]


def _set_env(values: dict[str, str]) -> dict[str, str | None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    return saved


def _restore_env(saved: dict[str, str | None]) -> None:
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _days(manifest: dict[str, Any]) -> list[date]:
    first, last = date.fromisoformat(manifest["start_date"]), date.fromisoformat(manifest["end_date"])
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@pytest.fixture(scope="module")
def region(module_db: str, airflow_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Region]:
    from include.dag_runs import load_dag, run, run_day

    root = tmp_path_factory.mktemp("e2e")
    landing, site = root / "landing", root / "site"
    manifest = generate_region(landing, seed=7, offices=3, days=DAYS, start=START, region_id=REGION, noise=True)
    saved = _set_env({"WAREHOUSE_DSN": module_db, "CJW_LANDING_DIR": str(landing), "CJW_SITE_DIR": str(site)})
    try:
        for dag_id in ("ingest_call_centre", "ingest_office_visits"):
            dag = load_dag(dag_id)
            for day in _days(manifest):
                run_day(dag, day)
        run(load_dag("build_journeys"))
        yield Region(module_db, landing, site, manifest)
    finally:
        _restore_env(saved)


def _query(dsn: str, sql: str, params: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return list(conn.execute(sql, params).fetchall())  # type: ignore[arg-type]


# --- KPIs computed independently from the generated files ------------------------------------


def _noise(manifest: dict[str, Any]) -> dict[tuple[str, int], str]:
    return {(n["file"], n["line_no"]): n["expected"] for n in manifest["noise"]}


def _seed_rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _calls_from_files(r: Region) -> dict[tuple[str, str], dict[str, Any]]:
    """(call id, queue) → offered time, hold seconds when answered, abandoned flag."""
    noise = _noise(r.manifest)
    calls: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted((r.landing / REGION / "call_centre").glob("queue_log-*")):
        relative = f"call_centre/{path.name}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if (relative, number) in noise and noise[(relative, number)] in ("rejected", "duplicate"):
                continue
            epoch, call_id, queue, _agent, event, *data = line.split("|")
            if call_id == "NONE":
                continue
            call = calls.setdefault((call_id, queue), {"offered": None, "hold": None, "abandoned": False})
            if event == "ENTERQUEUE":
                call["offered"] = datetime.fromtimestamp(int(epoch), tz=UTC)
            elif event == "CONNECT":
                call["hold"] = int(data[0])
            elif event == "ABANDON":
                call["abandoned"] = True
    return {key: call for key, call in calls.items() if call["offered"] is not None}


def _tickets_from_files(r: Region) -> list[dict[str, Any]]:
    noise = _noise(r.manifest)
    offices = {row["office_id"]: ZoneInfo(row["timezone"]) for row in _seed_rows("offices")}
    tickets = []
    for path in sorted((r.landing / REGION / "office_visits").rglob("*.csv")):
        relative = str(path.relative_to(r.landing / REGION))
        office = path.parent.name
        encoding = "cp1251" if office == r.manifest["windows_cp1251_office"] else "utf-8"
        lines = path.read_text(encoding=encoding).splitlines()
        delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
        header = lines[0].split(delimiter)
        for number, line in enumerate(lines[1:], start=2):
            if (relative, number) in noise:
                continue
            row = dict(zip(header, next(csv.reader([line], delimiter=delimiter)), strict=True))
            tz = offices[row["office_id"]]

            def at(value: str, tz: ZoneInfo = tz) -> datetime | None:
                return datetime.fromisoformat(value).replace(tzinfo=tz) if value else None

            tickets.append(
                {
                    "office": row["office_id"],
                    "prebooked": row["is_prebooked"] == "1",
                    "booked": at(row["booked_for"]),
                    "issued": at(row["issued_at"]),
                    "called": at(row["called_at"]),
                    "started": at(row["started_at"]),
                    "ended": at(row["ended_at"]),
                }
            )
    return tickets


def _share(flags: list[bool]) -> tuple[int, int]:
    return sum(flags), len(flags)


def expected_daily_kpis(r: Region) -> dict[tuple[str, str, date], tuple[Any, ...]]:
    """(kpi, office, local date) → (numerator, denominator, value) computed from the files."""
    tz = ZoneInfo(r.manifest["timezone"])
    queue_office = {row["queue_name"]: row["office_id"] for row in _seed_rows("call_queues")}
    calls_by_day: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
    for (_, queue), call in _calls_from_files(r).items():
        calls_by_day[(queue_office[queue], call["offered"].astimezone(tz).date())].append(call)
    expected: dict[tuple[str, str, date], tuple[Any, ...]] = {}
    for (office, day), calls in calls_by_day.items():
        for kpi, limit in (("call_service_level", 90), ("call_service_level_20s", 20)):
            num, den = _share([c["hold"] is not None and c["hold"] <= limit for c in calls])
            expected[(kpi, office, day)] = (num, den, num / den)
        num, den = _share([c["abandoned"] and c["hold"] is None for c in calls])
        expected[("call_abandon_rate", office, day)] = (num, den, num / den)
        holds = [c["hold"] for c in calls if c["hold"] is not None]
        if holds:
            expected[("call_asa", office, day)] = (sum(holds), len(holds), sum(holds) / len(holds))

    tickets_by_day: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
    for ticket in _tickets_from_files(r):
        tickets_by_day[(ticket["office"], ticket["issued"].date())].append(ticket)
    for (office, day), tickets in tickets_by_day.items():
        walkins = [(t["called"] - t["issued"]).total_seconds() for t in tickets if not t["prebooked"] and t["called"]]
        if walkins:
            num, den = _share([w <= 15 * 60 for w in walkins])
            expected[("office_wait_walkin", office, day)] = (num, den, num / den)
            expected[("office_wait_walkin_median", office, day)] = (
                None,
                None,
                statistics.median(w / 60 for w in walkins),
            )
        prebooked = [(t["started"] - t["booked"]).total_seconds() for t in tickets if t["prebooked"] and t["started"]]
        if prebooked:
            num, den = _share([w <= 5 * 60 for w in prebooked])
            expected[("office_wait_prebooked", office, day)] = (num, den, num / den)
        services = [(t["ended"] - t["started"]).total_seconds() for t in tickets if t["started"] and t["ended"]]
        if services:
            num, den = _share([s <= 15 * 60 for s in services])
            expected[("office_service_time", office, day)] = (num, den, num / den)
            expected[("office_service_time_median", office, day)] = (
                None,
                None,
                statistics.median(s / 60 for s in services),
            )
    return expected


def test_kpi_mart_equals_kpis_computed_from_the_files(region: Region) -> None:
    expected = expected_daily_kpis(region)
    rows = _query(
        region.dsn,
        "select kpi_id, office_id, period_start, numerator, denominator, value from marts.fct_touchpoint_kpis"
        " where period_grain = 'day' and office_id is not null",
    )
    actual = {(k, o, d): (n, den, v) for k, o, d, n, den, v in rows}
    assert set(actual) == set(expected)
    for key, (num, den, value) in expected.items():
        got_num, got_den, got_value = actual[key]
        if num is not None:
            assert (int(got_num), int(got_den)) == (num, den) or key[0] == "call_asa", key
        if key[0] == "call_asa":
            assert (Decimal(got_num), Decimal(got_den)) == (Decimal(num), Decimal(den)), key
        tolerance = 1e-3 if key[0].endswith("_median") else 1e-6  # medians of 4-decimal minutes
        assert float(got_value) == pytest.approx(value, abs=tolerance), key


def test_region_and_month_rows_add_up(region: Region) -> None:
    rows = _query(
        region.dsn,
        "select m.kpi_id, m.numerator, m.denominator, sum(d.numerator), sum(d.denominator)"
        " from marts.fct_touchpoint_kpis m join marts.fct_touchpoint_kpis d"
        "  on d.kpi_id = m.kpi_id and d.period_grain = 'day' and d.office_id is not null"
        "  and date_trunc('month', d.period_start) = m.period_start"
        " where m.period_grain = 'month' and m.office_id is null and m.numerator is not null"
        " group by m.kpi_id, m.numerator, m.denominator",
    )
    assert {r[0] for r in rows} >= {"office_wait_walkin", "call_service_level", "call_abandon_rate", "call_asa"}
    for kpi_id, numerator, denominator, day_numerators, day_denominators in rows:
        assert (numerator, denominator) == (day_numerators, day_denominators), kpi_id


def test_every_line_is_accounted_for(region: Region) -> None:
    """read = loaded + rejected + duplicate per batch, and what was rejected is what the generator broke."""
    batches = _query(
        region.dsn,
        "select source, status, rows_read, rows_loaded, rows_rejected, rows_duplicate from raw.ingest_batches",
    )
    assert {status for _, status, *_ in batches} == {"validated"}
    for _, _, read, loaded, rejected, duplicate in batches:
        assert read == loaded + rejected + duplicate
    expected_rejected = sum(1 for n in region.manifest["noise"] if n["expected"] == "rejected")
    expected_duplicate = sum(1 for n in region.manifest["noise"] if n["expected"] == "duplicate")
    totals = _query(
        region.dsn,
        "select sum(rows_rejected), sum(rows_duplicate), sum(rows_read) from raw.ingest_batches",
    )[0]
    assert (totals[0], totals[1]) == (expected_rejected, expected_duplicate)
    lines = sum(f["lines"] for f in region.manifest["files"])
    headers = sum(1 for f in region.manifest["files"] if f["path"].endswith(".csv"))
    assert totals[2] == lines - headers
    quarantined = _query(
        region.dsn,
        "select f.path, r.line_no from raw.rejected_call_centre r join raw.ingest_files f using (batch_id, file_seq)"
        " union all select f.path, r.line_no from raw.rejected_office_visits r"
        " join raw.ingest_files f using (batch_id, file_seq)",
    )
    root = region.landing / REGION
    assert {(str(Path(p).relative_to(root)), n) for p, n in quarantined} == {
        (n["file"], n["line_no"]) for n in region.manifest["noise"] if n["expected"] == "rejected"
    }


PHONE_LIKE = re.compile(r"(?<!\d)(?:\+?7|8)?[\s(-]*9\d{2}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}(?!\d)")
# keyed hashes, md5 surrogate keys and the scrubbing tokens of rejected lines are not phones
PSEUDONYMS = re.compile(r"\b[0-9a-f]{64}\b|\b[0-9a-f]{32}\b|<(?:phone|snils|email):[0-9a-f]+>")
DIGIT_RUNS = re.compile(r"[\d\s()+-]{10,}")


def _contains_phone(value: str, phones: set[str]) -> bool:
    text = PSEUDONYMS.sub(" ", value)
    if PHONE_LIKE.search(text):
        return True
    runs = (re.sub(r"\D", "", run) for run in DIGIT_RUNS.findall(text))
    return any(phone in run for run in runs if len(run) >= 10 for phone in phones)


def _generated_phones(r: Region) -> set[str]:
    phones = set()
    for path in (r.landing / REGION / "call_centre").glob("queue_log-*"):
        for line in path.read_text(encoding="utf-8").splitlines():
            fields = line.split("|")
            if len(fields) > 6 and fields[4] == "ENTERQUEUE" and fields[6] not in ("", "anonymous"):
                phones.add(re.sub(r"\D", "", fields[6])[-10:])
    for ticket_file in (r.landing / REGION / "office_visits").rglob("*.csv"):
        text = ticket_file.read_bytes().decode("utf-8", errors="replace")
        phones.update(re.sub(r"\D", "", m.group(0))[-10:] for m in PHONE_LIKE.finditer(text))
    return phones


def test_the_phone_detector_finds_phones() -> None:
    phones = {"9123456789"}
    for clear in ("+7 912 345-67-89", "звонок 89123456789", "8 (912) 345 67 89", "7|1|q|a|ENTERQUEUE||79123456789|1"):
        assert _contains_phone(clear, phones), clear
    for pseudonymous in (
        "51888ef3ad2f0430a8d348637865f927cf9334028795b1cb81f3bc16da5ee878",
        "<phone:9123456789ab>",
        "1788238801.1234|czn_ens01",
    ):
        assert not _contains_phone(pseudonymous, phones), pseudonymous


def test_no_phone_number_reaches_any_table_in_clear(region: Region) -> None:
    phones = _generated_phones(region)
    assert len(phones) > 50, "the generated region has phones to look for"
    columns = _query(
        region.dsn,
        "select table_schema, table_name, column_name from information_schema.columns"
        " where table_schema not in ('pg_catalog', 'information_schema')"
        " and data_type in ('text', 'character varying', 'jsonb', 'json', 'character')",
    )
    assert len(columns) > 50
    found = []
    with psycopg.connect(region.dsn) as conn:
        for schema, table, column in columns:
            values = conn.execute(f'select distinct "{column}"::text from "{schema}"."{table}"').fetchall()
            for (value,) in values:
                if value is not None and _contains_phone(value, phones):
                    found.append((schema, table, column, value[:80]))
    assert found == []


def _snapshot(dsn: str) -> tuple[Any, ...]:
    return tuple(
        _query(
            dsn,
            "select (select md5(string_agg(t::text, '|' order by kpi_row_id)) from marts.fct_touchpoint_kpis t),"
            " (select count(*) from marts.fct_calls), (select max(publish_id) from ops.publish_log"
            "  where status = 'published')",
        )[0]
    )


@pytest.mark.browser
def test_planted_pain_points_are_red_on_the_page(region: Region, browser: Any, artifacts: Path) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto((region.site / "index.html").as_uri())
    page.wait_for_selector("svg.main-svg")
    (artifacts / "e2e").mkdir(exist_ok=True)
    page.screenshot(path=str(artifacts / "e2e" / "kpi-page.png"), full_page=True)
    month = START.strftime("%Y-%m")
    for planted in region.manifest["planted_pain_points"]:
        kpi, office = planted["kpi_id"], planted["office_id"]
        if "weekday" in planted["condition"]:
            buckets = [planted["condition"]["weekday"]]
            selector = f'[data-kpi="{kpi}"][data-office="{office}"][data-profile="weekday"]'
        else:
            low, high = planted["condition"]["hours_local"]
            buckets = list(range(low, high))
            selector = f'[data-kpi="{kpi}"][data-queue="{planted["queue_name"]}"][data-profile="hour"]'
        for bucket in buckets:
            cell = page.locator(f'{selector}[data-bucket="{bucket}"]').first
            cell.scroll_into_view_if_needed()
            assert cell.get_attribute("data-status") == "red", (planted["id"], bucket)
            assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == RED
        month_cell = page.locator(f'td[data-kpi="{kpi}"][data-office="{office}"][data-period="{month}"]').first
        assert month_cell.get_attribute("data-status") == "red", planted["id"]
        assert month_cell.evaluate("e => getComputedStyle(e).backgroundColor") == RED
        [(value,)] = _query(
            region.dsn,
            "select value from marts.fct_touchpoint_kpis where kpi_id = %s and office_id = %s"
            " and period_grain = 'month' and period_start = %s",
            (kpi, office, START.replace(day=1)),
        )
        # the page shows the mart's value, in Russian notation (comma, non-breaking space before %)
        assert month_cell.inner_text().strip() == f"{float(value) * 100:.1f}\u00a0%".replace(".", ",")
    # the other offices are not red on Mondays: the page singles out the planted one
    planted_offices = {p["office_id"] for p in region.manifest["planted_pain_points"] if p["source"] == "office_visits"}
    for office in set(region.manifest["offices"]) - planted_offices:
        cell = page.locator(
            f'[data-kpi="office_wait_walkin"][data-office="{office}"][data-profile="weekday"][data-bucket="1"]'
        ).first
        assert cell.get_attribute("data-status") != "red", office
    assert errors == []
    page.close()


def test_rerunning_a_day_through_the_dag_changes_nothing(region: Region) -> None:
    from include.dag_runs import load_dag, run_day

    before = _query(region.dsn, "select count(*), sum(rows_loaded) from raw.ingest_batches where status = 'validated'")
    rows_before = _query(region.dsn, "select count(*) from raw.raw_office_visits_tickets")
    run_day(load_dag("ingest_office_visits"), START)
    assert (
        _query(region.dsn, "select count(*), sum(rows_loaded) from raw.ingest_batches where status = 'validated'")
        == before
    )
    assert _query(region.dsn, "select count(*) from raw.raw_office_visits_tickets") == rows_before
    assert _query(region.dsn, "select count(*) from raw.ingest_batches where status = 'replaced'") == [(1,)]


def test_a_failing_dbt_test_leaves_the_published_marts_untouched(region: Region) -> None:
    from include.dag_runs import load_dag, run

    before = _snapshot(region.dsn)
    # an office removed from the seeds while its data is still there: a relationships test fails
    with psycopg.connect(region.dsn) as conn:
        conn.execute(
            "insert into raw.raw_office_visits_tickets (batch_id, file_seq, line_no, region_id, office_id, ticket_id,"
            " service_code, is_prebooked, issued_at, outcome, file_date)"
            " select batch_id, 1, 99999, region_id, 'ens-99', 'X-1', 'registration', false, now(), 'no_show', current_date"
            " from raw.ingest_batches where source = 'office_visits' and status = 'validated' limit 1"
        )
    try:
        dag_run = run(load_dag("build_journeys"), check=False)
        assert str(dag_run.state) == "failed"
        assert _snapshot(region.dsn) == before
        status, stage, reason = _query(
            region.dsn, "select status, stage, reason from ops.publish_log order by publish_id desc limit 1"
        )[0]
        assert (status, stage) == ("failed", "dbt")
        assert "relationships_stg_office_visits__tickets_office_id" in reason
    finally:
        with psycopg.connect(region.dsn) as conn:
            conn.execute("delete from raw.raw_office_visits_tickets where office_id = 'ens-99'")


def test_a_failing_quality_check_leaves_the_published_marts_untouched(region: Region) -> None:
    from include.dag_runs import load_dag, run

    before = _snapshot(region.dsn)
    # a walk-in called three days after the ticket was issued passes dbt's logic tests but is not
    # a plausible wait: the GX range check on the built marts must stop the publish
    with psycopg.connect(region.dsn) as conn:
        conn.execute(
            "insert into raw.raw_office_visits_tickets (batch_id, file_seq, line_no, region_id, office_id, ticket_id,"
            " service_code, is_prebooked, issued_at, called_at, outcome, file_date)"
            " select batch_id, 1, 99998, region_id, 'ens-01', 'А-999', 'registration', false,"
            " timestamptz '2026-12-24 10:00+05', timestamptz '2026-12-27 10:00+05', 'no_show', date '2026-12-24'"
            " from raw.ingest_batches where source = 'office_visits' and status = 'validated' limit 1"
        )
    dag_run = run(load_dag("build_journeys"), check=False)
    assert str(dag_run.state) == "failed"
    assert _snapshot(region.dsn) == before
    status, stage, reason, details = _query(
        region.dsn, "select status, stage, reason, details from ops.publish_log order by publish_id desc limit 1"
    )[0]
    assert (status, stage) == ("failed", "quality")
    assert "fct_touchpoint_kpis__minutes_range" in reason
    assert json.dumps(details, ensure_ascii=False).count("audit_marts") >= 1
