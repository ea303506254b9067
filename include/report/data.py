"""Read the published marts the pages are built from (one region, one consistent snapshot)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

Row = dict[str, Any]


@dataclass(frozen=True)
class Kpi:
    kpi_id: str
    name: str
    group_id: str
    group_name: str
    group_order: int
    unit: str
    direction: str
    threshold_value: Decimal | None
    threshold_unit: str | None
    norm_value: Decimal
    norm_label: str
    norm_source: str
    formula: str
    order: int | None  # optional ``kpi_order`` column; KPI id order otherwise


@dataclass(frozen=True)
class Office:
    office_id: str
    name: str
    timezone: str


@dataclass(frozen=True)
class Touchpoint:
    touchpoint_id: str
    channel: str
    name: str
    responsible_unit: str


@dataclass(frozen=True)
class Queue:
    queue_name: str
    office_id: str
    touchpoint_id: str
    name: str


@dataclass(frozen=True)
class KpiRow:
    """One row of ``fct_touchpoint_kpis`` or ``fct_kpi_profiles`` (``bucket`` set for profiles)."""

    kpi_id: str
    office_id: str | None
    touchpoint_id: str
    period: str  # 'day' | 'month' | 'weekday' | 'hour'
    period_start: date | None
    bucket: int | None
    value: Decimal | None
    sample_size: int | None
    norm_value: Decimal | None
    status: str


@dataclass(frozen=True)
class Marts:
    region_id: str
    region_name: str
    timezone: str
    kpis: dict[str, Kpi]
    offices: list[Office]
    touchpoints: dict[str, Touchpoint]
    queues: list[Queue]
    kpi_rows: list[KpiRow]
    profile_rows: list[KpiRow]


def _select(conn: psycopg.Connection[Row], schema: str, table: str, region_id: str | None = None) -> list[Row]:
    query = sql.SQL("select * from {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    params: tuple[str, ...] = ()
    if region_id is not None:
        query = query + sql.SQL(" where region_id = %s")
        params = (region_id,)
    with conn.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _kpi(row: Row) -> Kpi:
    return Kpi(
        kpi_id=row["kpi_id"],
        name=row["kpi_name_ru"],
        group_id=row["expectation_group"],
        group_name=row["expectation_group_name_ru"],
        group_order=int(row["expectation_group_order"]),
        unit=row["unit"],
        direction=row["direction"],
        threshold_value=row.get("threshold_value"),
        threshold_unit=row.get("threshold_unit"),
        norm_value=row["norm_value"],
        norm_label=row.get("norm_label") or "",
        norm_source=row.get("norm_source_ru") or "",
        formula=row.get("formula_ru") or "",
        order=row.get("kpi_order"),
    )


def _fact(row: Row, period: str | None = None) -> KpiRow:
    return KpiRow(
        kpi_id=row["kpi_id"],
        office_id=row["office_id"],
        touchpoint_id=row["touchpoint_id"],
        period=period or row["period_grain"],
        period_start=row.get("period_start"),
        bucket=row.get("bucket"),
        value=row["value"],
        sample_size=row["sample_size"],
        norm_value=row["norm_value"],
        status=row["status"],
    )


def _choose_region(offices: list[Row], region_id: str | None) -> tuple[str, str]:
    regions = sorted({(r["region_id"], r["region_name_ru"]) for r in offices})
    if region_id is not None:
        for found_id, name in regions:
            if found_id == region_id:
                return found_id, name
        raise ValueError(f"region {region_id!r} has no offices in dim_offices")
    if len(regions) != 1:
        ids = ", ".join(r[0] for r in regions) or "none"
        raise ValueError(f"dim_offices must hold exactly one region, or pass region_id (found: {ids})")
    return regions[0]


def load_marts(dsn: str, schema: str = "marts", region_id: str | None = None) -> Marts:
    """Read everything the pages need in one read-only REPEATABLE READ transaction.

    A publish that swaps the schema while we read cannot give us a mix of old and new tables.
    """
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        office_rows = _select(conn, schema, "dim_offices")
        region, region_name = _choose_region(office_rows, region_id)
        kpis = [_kpi(r) for r in _select(conn, schema, "dim_kpis")]
        touchpoints = _select(conn, schema, "dim_touchpoints")
        queues = _select(conn, schema, "dim_call_queues", region)
        facts = _select(conn, schema, "fct_touchpoint_kpis", region)
        profiles = _select(conn, schema, "fct_kpi_profiles", region)
    offices = sorted(
        (Office(r["office_id"], r["office_name_ru"], r["timezone"]) for r in office_rows if r["region_id"] == region),
        key=lambda o: o.office_id,
    )
    return Marts(
        region_id=region,
        region_name=region_name,
        timezone=offices[0].timezone,
        kpis={k.kpi_id: k for k in kpis},
        offices=offices,
        touchpoints={
            r["touchpoint_id"]: Touchpoint(
                r["touchpoint_id"],
                r["channel"],
                r["touchpoint_name_ru"],
                r["responsible_unit_ru"],
            )
            for r in touchpoints
        },
        queues=sorted(
            (
                Queue(
                    r["queue_name"],
                    r["office_id"],
                    r["touchpoint_id"],
                    r["queue_name_ru"],
                )
                for r in queues
            ),
            key=lambda q: (q.office_id, q.queue_name),
        ),
        kpi_rows=[_fact(r) for r in facts],
        profile_rows=[_fact(r, r["profile"]) for r in profiles],
    )
