"""The staff page («Сотрудники»): the ЦЗН's internal clients — desk specialists and call-centre
operators — and how their work goes, per office: load, breaks, days to record a decision, next to
the internal client's journey map (an operator's shift).

Every figure comes from ``fct_staff_kpis`` (norms of ``kpi_definitions``, expectation group
``staff``); the page says «нет данных» where the mart has no row and hides figures about fewer
than ``min_cell`` shifts, window-days or cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from include.report.common import Cell, Header, journey_href, value_cell
from include.report.data.kpi import STAFF_GROUP, Kpi, KpiRow
from include.report.data.marts import Marts
from include.report.formatting import format_norm, month_key, month_label

INTERNAL_JOURNEY = "operator_shift"


@dataclass(frozen=True)
class StaffKpiColumn:
    kpi_id: str
    name: str
    norm_text: str
    formula: str


@dataclass(frozen=True)
class StaffRow:
    name: str
    is_region: bool
    cells: list[Cell]  # one per column


@dataclass(frozen=True)
class StaffTable:
    title: str
    rows: list[StaffRow]


@dataclass(frozen=True)
class StaffPage:
    header: Header
    columns: list[StaffKpiColumn]
    tables: list[StaffTable]  # the whole period, then the last month
    journey_href: str | None
    min_cell: int
    has_data: bool


def _columns(marts: Marts) -> list[Kpi]:
    staff = [k for k in marts.kpis.values() if k.group_id == STAFF_GROUP]
    return sorted(staff, key=lambda k: (k.order if k.order is not None else 10**6, k.kpi_id))


def _cell(kpi: Kpi, row: KpiRow | None, office: str, min_cell: int) -> Cell:
    return value_cell(
        row.value if row else None,
        unit=kpi.unit,
        direction=kpi.direction,
        norm=kpi.norm_value,
        status=row.status if row else "no_data",
        sample_size=row.sample_size if row else None,
        min_cell=min_cell,
        attrs=[("data-kpi", kpi.kpi_id), ("data-office", office)],
    )


def _table(marts: Marts, kpis: list[Kpi], period: str, start: date | None, title: str, min_cell: int) -> StaffTable:
    rows_by = {
        (r.kpi_id, r.office_id): r
        for r in marts.staff_rows
        if r.period == period and (start is None or r.period_start == start)
    }
    rows = [StaffRow("Весь регион", True, [_cell(k, rows_by.get((k.kpi_id, None)), "region", min_cell) for k in kpis])]
    for office in marts.offices:
        cells = [_cell(k, rows_by.get((k.kpi_id, office.office_id)), office.office_id, min_cell) for k in kpis]
        if any(c.status != "no_data" for c in cells):
            rows.append(StaffRow(office.name, False, cells))
    return StaffTable(title, rows)


def build_staff_page(marts: Marts, header: Header, min_cell: int, reporting: str = "") -> StaffPage:
    """``reporting``: the month the other pages report (``YYYY-MM``, the KPI page's: the latest
    with two weeks of data or more); the month table shows it, or the latest month before it."""
    kpis = _columns(marts)
    columns = [
        StaffKpiColumn(k.kpi_id, k.name, format_norm(k.norm_value, k.unit, k.direction), k.formula) for k in kpis
    ]
    tables = [_table(marts, kpis, "all", None, "За весь период данных", min_cell)]
    months = sorted({r.period_start for r in marts.staff_rows if r.period == "month" and r.period_start})
    # a month of four days (data to the 4th) would show most cells as too few to judge
    shown = [m for m in months if not reporting or month_key(m) <= reporting] or months
    if shown:
        last = shown[-1]
        tables.append(_table(marts, kpis, "month", last, f"За {month_label(last)}", min_cell))
    has_journey = any(j.journey_id == INTERNAL_JOURNEY for j in marts.journeys)
    return StaffPage(
        header=header,
        columns=columns,
        tables=tables,
        journey_href=journey_href(INTERNAL_JOURNEY) if has_journey else None,
        min_cell=min_cell,
        has_data=bool(marts.staff_rows),
    )
