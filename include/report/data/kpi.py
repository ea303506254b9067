"""The KPI marts: ``dim_kpis``, ``dim_offices``, ``dim_touchpoints``, ``dim_call_queues``,
``fct_touchpoint_kpis``, ``fct_client_kpis``, ``fct_kpi_profiles`` and ``fct_staff_kpis``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from include.report.data.convert import Row


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


# the expectation group of the staff's own KPIs (the internal clients: fct_staff_kpis, staff page)
STAFF_GROUP = "staff"


# fct_client_kpis measures over the whole journey: its rows have no touchpoint, the pages key
# them by this one
ALL_TOUCHPOINTS = "all"


@dataclass(frozen=True)
class KpiRow:
    """One row of ``fct_touchpoint_kpis``, ``fct_client_kpis`` (``touchpoint_id`` is
    ``ALL_TOUCHPOINTS``) or ``fct_kpi_profiles`` (``bucket`` set for profiles)."""

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


def kpi_of(row: Row) -> Kpi:
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


def fact_of(row: Row, period: str | None = None) -> KpiRow:
    return KpiRow(
        kpi_id=row["kpi_id"],
        office_id=row["office_id"],
        touchpoint_id=row.get("touchpoint_id") or ALL_TOUCHPOINTS,
        period=period or row["period_grain"],
        period_start=row.get("period_start"),
        bucket=row.get("bucket"),
        value=row["value"],
        sample_size=row["sample_size"],
        norm_value=row["norm_value"],
        status=row["status"],
    )
