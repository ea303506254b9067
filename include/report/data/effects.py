"""What came of the journeys: ``pain_points`` with the instruments suggested for them
(``pain_point_instruments``), ``fct_journey_pain_points``, ``improvement_effects``, and the freshness of
the sources (``fct_data_freshness``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from include.report.data.convert import Row, as_date, as_decimal, as_int, as_json, as_list


@dataclass(frozen=True)
class PainPoint:
    """One row of ``pain_points``; ``gap`` is the relative miss (0.25 = 25 % worse than the norm)."""

    pain_point_id: str
    rank: int
    level: str
    kpi_id: str
    kpi_name: str
    unit: str
    direction: str
    journey_id: str | None
    stage_id: str | None
    touchpoint_id: str | None
    office_id: str | None
    value: Decimal | None
    norm_value: Decimal | None
    gap: Decimal | None
    clients_affected: int | None
    score: Decimal | None
    is_quick_win: bool
    responsible_unit: str | None
    offices: list[dict[str, Any]] = field(default_factory=list)  # offices that miss, worst first
    places: list[dict[str, Any]] = field(default_factory=list)  # journey stages that miss
    action: Action | None = None  # the instrument of the catalogue that would help most


@dataclass(frozen=True)
class Action:
    """The instrument ``pain_point_instruments`` suggests first for a pain point: a quick-win
    instrument before others, then the largest share of the gap closed (modelled or expected)."""

    instrument_id: str
    name: str
    cost_class: str
    lead_time_days: int | None
    gap_closed_share: Decimal | None
    basis: str  # model | expected
    is_quick_win: bool
    norm_met_in_model_period: bool


def instrument_order(row: Row) -> tuple[bool, bool, Decimal, str]:
    """The order the instruments of one pain point are suggested in (overview and modelling page):
    quick-win instruments first, then the largest share of the gap closed (unknown last), then by id."""
    share = as_decimal(row.get("gap_closed_share"))
    return (
        not row.get("is_quick_win_instrument"),
        share is None,
        -(share or Decimal(0)),
        str(row.get("instrument_id")),
    )


def best_actions(rows: list[Row]) -> dict[str, Action]:
    """The instrument suggested first for each pain point (rows of ``pain_point_instruments``)."""
    first: dict[str, Row] = {}
    for row in rows:
        if not row.get("instrument_id"):
            continue
        pain = str(row["pain_point_id"])
        if pain not in first or instrument_order(row) < instrument_order(first[pain]):
            first[pain] = row
    return {
        pain: Action(
            instrument_id=row["instrument_id"],
            name=row.get("instrument_name_ru") or row["instrument_id"],
            cost_class=row.get("cost_class") or "",
            lead_time_days=as_int(row.get("lead_time_days")),
            gap_closed_share=as_decimal(row.get("gap_closed_share")),
            basis=row.get("effect_basis") or "expected",
            is_quick_win=bool(row.get("is_quick_win_instrument")),
            norm_met_in_model_period=bool(row.get("is_norm_met_in_model_period")),
        )
        for pain, row in first.items()
    }


@dataclass(frozen=True)
class JourneyPain:
    """One row of ``fct_journey_pain_points``: a pain of a journey, ranked within the journey."""

    journey_id: str
    pain_point_id: str
    rank: int
    stage_ids: list[str]


@dataclass(frozen=True)
class Effect:
    """One row of ``improvement_effects``: before/after a measure, against comparable offices."""

    measure_id: str
    name: str
    office_id: str | None
    touchpoint_id: str | None
    kpi_id: str
    start_date: date | None
    before_value: Decimal | None
    after_value: Decimal | None
    before_n: int | None
    after_n: int | None
    change: Decimal | None
    change_ci_low: Decimal | None
    change_ci_high: Decimal | None
    control_change: Decimal | None
    did: Decimal | None
    did_ci_low: Decimal | None
    did_ci_high: Decimal | None
    is_significant: bool


@dataclass(frozen=True)
class Freshness:
    source: str
    last_loaded_at: datetime | None
    last_data_date: date | None
    batches: int | None
    rows_loaded: int | None
    rows_rejected: int | None
    rejected_share: Decimal | None


def pain_point_of(row: Row, actions: dict[str, Action] | None = None) -> PainPoint:
    return PainPoint(
        pain_point_id=str(row["pain_point_id"]),
        rank=int(row["rank"]),
        level=row.get("level") or "",
        kpi_id=row["kpi_id"],
        kpi_name=row.get("kpi_name_ru") or row["kpi_id"],
        unit=row.get("unit") or "",
        direction=row.get("direction") or "higher_is_better",
        journey_id=row.get("journey_id"),
        stage_id=row.get("stage_id"),
        touchpoint_id=row.get("touchpoint_id"),
        office_id=row.get("office_id"),
        value=as_decimal(row.get("value")),
        norm_value=as_decimal(row.get("norm_value")),
        gap=as_decimal(row.get("gap")),
        clients_affected=as_int(row.get("clients_affected")),
        score=as_decimal(row.get("score")),
        is_quick_win=bool(row.get("is_quick_win")),
        responsible_unit=row.get("responsible_unit_ru"),
        offices=as_list(row.get("offices")),
        places=as_list(row.get("places")),
        action=(actions or {}).get(str(row["pain_point_id"])),
    )


def journey_pain_of(row: Row) -> JourneyPain:
    stage_ids = as_json(row.get("stage_ids")) or []
    return JourneyPain(
        journey_id=row["journey_id"],
        pain_point_id=str(row["pain_point_id"]),
        rank=int(row["rank_in_journey"]),
        stage_ids=[str(s) for s in stage_ids],
    )


def effect_of(row: Row) -> Effect:
    return Effect(
        measure_id=str(row["measure_id"]),
        name=row.get("measure_name_ru") or str(row["measure_id"]),
        office_id=row.get("office_id"),
        touchpoint_id=row.get("touchpoint_id"),
        kpi_id=row["kpi_id"],
        start_date=as_date(row.get("start_date")),
        before_value=as_decimal(row.get("before_value")),
        after_value=as_decimal(row.get("after_value")),
        before_n=as_int(row.get("before_n")),
        after_n=as_int(row.get("after_n")),
        change=as_decimal(row.get("change")),
        change_ci_low=as_decimal(row.get("change_ci_low")),
        change_ci_high=as_decimal(row.get("change_ci_high")),
        control_change=as_decimal(row.get("control_change")),
        did=as_decimal(row.get("did")),
        did_ci_low=as_decimal(row.get("did_ci_low")),
        did_ci_high=as_decimal(row.get("did_ci_high")),
        is_significant=bool(row.get("is_significant")),
    )


def freshness_of(row: Row) -> Freshness:
    return Freshness(
        source=row["source"],
        last_loaded_at=row.get("last_loaded_at"),
        last_data_date=as_date(row.get("last_data_date")),
        batches=as_int(row.get("batches")),
        rows_loaded=as_int(row.get("rows_loaded")),
        rows_rejected=as_int(row.get("rows_rejected")),
        rejected_share=as_decimal(row.get("rejected_share")),
    )
