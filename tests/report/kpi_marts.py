"""The KPI marts of the published contract with a small planted dataset (shared by the report tests).

Two offices, two months of realistic KPI rows that plant one red, one amber, one green and one
suppressed cell, plus weekday/hour profiles (long Monday queues, a morning call peak).
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT_ROOT / "dbt" / "seeds"

PUBLISHED_AT = datetime(2025, 12, 1, 4, 30, tzinfo=UTC)
PASSED = {"status": "passed", "checks": 42, "failed": 0}

OFFICES = ("ens-01", "ens-02")
MONTHS = (date(2025, 10, 1), date(2025, 11, 1))
# kpi_id -> (touchpoint_id, typical value)
KPIS: dict[str, tuple[str, float]] = {
    "office_wait_walkin": ("office_queue", 0.93),
    "office_wait_walkin_median": ("office_queue", 9.4),
    "office_wait_prebooked": ("office_queue", 0.95),
    "office_service_time": ("office_window", 0.91),
    "office_service_time_median": ("office_window", 11.2),
    "call_service_level": ("call_centre_operator", 0.82),
    "call_service_level_20s": ("call_centre_operator", 0.64),
    "call_abandon_rate": ("call_centre_operator", 0.07),
    "call_asa": ("call_centre_operator", 44.0),
}
# Journey-wide KPIs (fct_client_kpis: no touchpoint) -> typical value
CLIENT_KPIS: dict[str, float] = {
    "csat": 0.93,
    "nps": 34.0,
    "chatbot_fallback_rate": 0.11,
    "premises_comfort": 0.88,
}
# Planted month cells: (kpi, office, month) -> (value, sample_size)
PLANTED_MONTH = {
    ("office_wait_walkin", "ens-02", MONTHS[1]): (0.642, 412),  # red
    ("office_wait_walkin", "ens-01", MONTHS[1]): (0.853, 655),  # amber
    ("office_wait_prebooked", "ens-01", MONTHS[1]): (0.957, 188),  # green
    ("office_wait_prebooked", "ens-02", MONTHS[1]): (
        0.333,
        3,
    ),  # suppressed (red in the mart)
    ("call_abandon_rate", "ens-02", MONTHS[1]): (0.183, 1290),  # red queue
    ("office_wait_walkin", "ens-02", MONTHS[0]): (0.912, 398),  # green in October
    ("csat", "ens-01", MONTHS[1]): (0.78, 120),  # red satisfaction (norm ≥ 90 %)
    ("chatbot_fallback_rate", "ens-01", MONTHS[1]): (0.31, 210),  # red: the bot misses a third
}
# Planted profile cells: (kpi, office, profile, bucket) -> (value, sample_size)
PLANTED_PROFILE = {
    ("office_wait_walkin", "ens-02", "weekday", 1): (0.41, 160),  # long Monday queues
    ("call_service_level", "ens-02", "hour", 9): (0.52, 240),  # morning peak
    ("call_service_level", "ens-01", "hour", 19): (0.5, 2),  # suppressed
}


DDL = """
create schema marts;
create table marts.dim_kpis (
    kpi_id text primary key, kpi_name_ru text not null, expectation_group text not null,
    expectation_group_name_ru text not null, expectation_group_order int not null,
    unit text not null, direction text not null, threshold_value numeric, threshold_unit text,
    norm_value numeric not null, amber_band numeric not null, norm_label text,
    norm_source_ru text, formula_ru text);
create table marts.dim_offices (
    office_id text primary key, region_id text not null, region_name_ru text not null,
    office_name_ru text not null, timezone text not null);
create table marts.dim_touchpoints (
    touchpoint_id text primary key, channel text not null, touchpoint_name_ru text not null,
    responsible_unit_ru text, tools_ru text);
create table marts.dim_call_queues (
    region_id text not null, queue_name text primary key, office_id text not null,
    touchpoint_id text not null, queue_name_ru text not null);
create table marts.fct_touchpoint_kpis (
    kpi_row_id text primary key, kpi_id text not null, region_id text not null, office_id text,
    touchpoint_id text not null, period_grain text not null, period_start date not null,
    numerator numeric, denominator numeric, value numeric, sample_size int not null,
    norm_value numeric not null, status text not null);
create table marts.fct_client_kpis (
    kpi_row_id text primary key, kpi_id text not null, region_id text not null, office_id text,
    touchpoint_id text, period_grain text not null, period_start date not null,
    numerator numeric, denominator numeric, value numeric, observations int, sample_size int,
    norm_value numeric, status text not null);
create table marts.fct_kpi_profiles (
    kpi_row_id text primary key, kpi_id text not null, region_id text not null, office_id text,
    touchpoint_id text not null, profile text not null, bucket int not null,
    numerator numeric, denominator numeric, value numeric, sample_size int not null,
    norm_value numeric not null, status text not null);
"""


def _seed(name: str) -> list[dict[str, str]]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass
class Dataset:
    kpis: dict[str, dict[str, str]]
    facts: list[tuple[Any, ...]] = field(default_factory=list)
    client_facts: list[tuple[Any, ...]] = field(default_factory=list)
    profiles: list[tuple[Any, ...]] = field(default_factory=list)

    def status(self, kpi_id: str, value: float) -> str:
        kpi = self.kpis[kpi_id]
        norm, band = float(kpi["norm_value"]), float(kpi["amber_band"])
        if kpi["direction"] == "higher_is_better":
            return "green" if value >= norm else "amber" if value >= norm * (1 - band) else "red"
        return "green" if value <= norm else "amber" if value <= norm * (1 + band) else "red"

    def _row(self, kpi_id: str, value: float, size: int) -> tuple[Any, ...]:
        share = self.kpis[kpi_id]["unit"] == "share"
        numerator = round(value * size) if share else None
        denominator = size if share else None
        norm = self.kpis[kpi_id]["norm_value"]
        return (
            numerator,
            denominator,
            round(value, 4),
            size,
            norm,
            self.status(kpi_id, value),
        )

    def fact(
        self,
        kpi_id: str,
        office: str | None,
        grain: str,
        start: date,
        value: float,
        size: int,
    ) -> None:
        row_id = f"{kpi_id}|{office or 'region'}|{grain}|{start.isoformat()}"
        if kpi_id in CLIENT_KPIS:  # journey-wide: no touchpoint; observations = answers, size = clients
            numerator, denominator, rounded, _, norm, status = self._row(kpi_id, value, size)
            observations = size + size // 10
            key = (row_id, kpi_id, "enskaya", office, None, grain, start)
            self.client_facts.append((*key, numerator, denominator, rounded, observations, size, norm, status))
            return
        touchpoint = KPIS[kpi_id][0]
        self.facts.append(
            (row_id, kpi_id, "enskaya", office, touchpoint, grain, start, *self._row(kpi_id, value, size))
        )

    def add_region_rows(self) -> None:
        """Region rows (office_id NULL) consistent with the office rows."""
        for (kpi_id, grain, start), (value, size) in _region_totals(self.facts + self.client_facts).items():
            self.fact(kpi_id, None, grain, start, value, size)
        for (kpi_id, profile, bucket), (value, size) in _region_totals(self.profiles).items():
            self.profile(kpi_id, None, profile, bucket, value, size)

    def profile(
        self,
        kpi_id: str,
        office: str | None,
        profile: str,
        bucket: int,
        value: float,
        size: int,
    ) -> None:
        row_id = f"{kpi_id}|{office or 'region'}|{profile}|{bucket}"
        touchpoint = KPIS[kpi_id][0]
        self.profiles.append(
            (row_id, kpi_id, "enskaya", office, touchpoint, profile, bucket, *self._row(kpi_id, value, size))
        )


def _region_totals(rows: list[tuple[Any, ...]]) -> dict[tuple[Any, ...], tuple[float, int]]:
    """Observation-weighted mean and total observations of the office rows, per KPI and period."""
    sums: dict[tuple[Any, ...], list[float]] = {}
    for row in rows:
        key = (row[1], *row[5:7])  # kpi_id, grain/profile, start/bucket
        size = row[-3]  # sample_size
        total = sums.setdefault(key, [0.0, 0])
        total[0] += float(row[9]) * size
        total[1] += size
    return {key: (weighted / size, int(size)) for key, (weighted, size) in sums.items()}


def _wiggle(rng: random.Random, kpi_id: str, base: float) -> float:
    """A noisy value around ``base``; shares stay within 0–100 %."""
    if kpi_id in CLIENT_KPIS:
        return min(0.999, max(0.05, base + rng.uniform(-0.03, 0.03))) if base < 1 else base + rng.uniform(-5, 5)
    if KPIS[kpi_id][0] != "call_centre_operator" and base < 1:
        return min(0.999, max(0.3, base + rng.uniform(-0.04, 0.04)))
    value = max(0.0, base * (1 + rng.uniform(-0.12, 0.12)))
    return min(value, 0.999) if base < 1 else value


def _profiles(is_call: bool) -> list[tuple[str, range]]:
    """Like the dbt marts: every KPI by weekday and by hour (offices closed at weekends)."""
    if is_call:
        return [("hour", range(8, 20)), ("weekday", range(1, 8))]
    return [("weekday", range(1, 6)), ("hour", range(9, 18))]


def build_dataset() -> Dataset:
    """Two offices and two months of realistic KPI rows with the planted cells."""
    rng = random.Random(20251130)
    data = Dataset(kpis={k["kpi_id"]: k for k in _seed("kpi_definitions")})
    days = [MONTHS[0] + timedelta(days=i) for i in range(61)]
    for kpi_id, (touchpoint, base) in KPIS.items():
        is_call = touchpoint == "call_centre_operator"
        for office in OFFICES:
            for month in MONTHS:
                value, size = PLANTED_MONTH.get(
                    (kpi_id, office, month),
                    (_wiggle(rng, kpi_id, base), rng.randint(300, 1500)),
                )
                data.fact(kpi_id, office, "month", month, value, size)
                for day in (d for d in days if d.replace(day=1) == month):
                    if not is_call and day.isoweekday() > 5:
                        continue
                    # about 1/20 of the month per day; a 3-observation month has 1 per day
                    daily_size = max(1, size // 20 + rng.randint(-3, 3))
                    if (office, day) == ("ens-02", date(2025, 11, 14)):
                        daily_size = 2  # one suppressed day: a gap in the chart
                    data.fact(
                        kpi_id,
                        office,
                        "day",
                        day,
                        _wiggle(rng, kpi_id, value),
                        daily_size,
                    )
            for profile, buckets in _profiles(is_call):
                for bucket in buckets:
                    value, size = PLANTED_PROFILE.get(
                        (kpi_id, office, profile, bucket),
                        (_wiggle(rng, kpi_id, base), rng.randint(60, 400)),
                    )
                    data.profile(kpi_id, office, profile, bucket, value, size)
    for kpi_id, base in CLIENT_KPIS.items():
        for office in OFFICES:
            for month in MONTHS:
                value, size = PLANTED_MONTH.get(
                    (kpi_id, office, month), (_wiggle(rng, kpi_id, base), rng.randint(80, 300))
                )
                data.fact(kpi_id, office, "month", month, value, size)
                for day in (d for d in days if d.replace(day=1) == month and d.isoweekday() <= 5):
                    data.fact(kpi_id, office, "day", day, _wiggle(rng, kpi_id, value), max(1, size // 20))
    data.add_region_rows()
    return data


def load_kpi_marts(dsn: str, data: Dataset) -> None:
    """Create ``marts`` with the KPI tables and load ``data`` (dimensions from the dbt seeds)."""
    groups = {g["expectation_group"]: g for g in _seed("expectation_groups")}
    offices = [o for o in _seed("offices") if o["office_id"] in OFFICES]
    queues = [q for q in _seed("call_queues") if q["office_id"] in OFFICES]

    def blank(value: str) -> str | None:
        return value or None

    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(DDL)
        cur.executemany(
            "insert into marts.dim_kpis values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    k["kpi_id"],
                    k["kpi_name_ru"],
                    k["expectation_group"],
                    groups[k["expectation_group"]]["expectation_group_name_ru"],
                    int(groups[k["expectation_group"]]["sort_order"]),
                    k["unit"],
                    k["direction"],
                    blank(k["threshold_value"]),
                    blank(k["threshold_unit"]),
                    k["norm_value"],
                    k["amber_band"],
                    k["norm_label"],
                    k["norm_source_ru"],
                    k["formula_ru"],
                )
                for k in data.kpis.values()
            ],
        )
        cur.executemany(
            "insert into marts.dim_offices values (%s, %s, %s, %s, %s)",
            [
                (
                    o["office_id"],
                    o["region_id"],
                    "Энская область",
                    o["office_name_ru"],
                    o["timezone"],
                )
                for o in offices
            ],
        )
        cur.executemany(
            "insert into marts.dim_touchpoints values (%s, %s, %s, %s, %s)",
            [tuple(t.values()) for t in _seed("touchpoints")],
        )
        cur.executemany(
            "insert into marts.dim_call_queues values (%s, %s, %s, %s, %s)",
            [tuple(q.values()) for q in queues],
        )
        placeholders = ", ".join(["%s"] * 13)
        cur.executemany(f"insert into marts.fct_touchpoint_kpis values ({placeholders})", data.facts)
        cur.executemany(f"insert into marts.fct_kpi_profiles values ({placeholders})", data.profiles)
        cur.executemany(
            f"insert into marts.fct_client_kpis values ({placeholders}, %s)",
            data.client_facts,
        )
