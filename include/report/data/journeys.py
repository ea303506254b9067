"""The journey marts: ``dim_journeys``, ``dim_journey_stages``, ``journey_map``,
``fct_stage_funnel`` and ``client_group_profiles``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from include.report.data.convert import Row, as_date, as_decimal, as_int, as_json, as_list


@dataclass(frozen=True)
class Journey:
    """One row of ``dim_journeys`` (the current version when several are published)."""

    journey_id: str
    name: str
    client_kind: str
    target_group: str | None
    target_group_name: str
    basis: str
    basis_value: str
    application_type: str | None
    czn_interactions: str | None
    version: int | None
    valid_from: date | None
    valid_to: date | None
    stage_count: int | None
    order: int | None = None  # optional ``journey_order`` column; by name otherwise


@dataclass(frozen=True)
class StageDef:
    """One row of ``dim_journey_stages``."""

    journey_id: str
    stage_id: str
    order: int
    name: str
    goal: str
    is_inside_czn: bool
    drop_off_days: int | None
    version: int | None = None
    entry: str = "observed"  # observed | inferred (nothing in the data shows the stage)
    is_terminal: bool = False
    owner_unit: str = ""
    is_current: bool = True
    valid_from: date | None = None
    valid_to: date | None = None

    @property
    def is_inferred(self) -> bool:
        return self.entry == "inferred"


@dataclass(frozen=True)
class MapTouchpoint:
    touchpoint_id: str
    name: str
    responsible_unit: str
    tools: str
    channel: str
    events: int | None


@dataclass(frozen=True)
class StageKpi:
    kpi_id: str
    name: str
    unit: str
    direction: str
    value: Decimal | None
    norm_value: Decimal | None
    status: str
    sample_size: int | None
    touchpoint_id: str | None


@dataclass(frozen=True)
class FeedbackTheme:
    theme: str
    name: str
    mentions: int | None


@dataclass(frozen=True)
class Feedback:
    responses: int | None
    csat: Decimal | None
    ces: Decimal | None
    nps: Decimal | None
    themes: list[FeedbackTheme]
    quotes: list[str]


@dataclass(frozen=True)
class StagePain:
    pain_point_id: str
    kpi_id: str | None
    touchpoint_id: str | None
    rank: int | None
    gap: Decimal | None
    is_quick_win: bool


@dataclass(frozen=True)
class StageMeasure:
    measure_id: str
    name: str
    office_id: str | None
    start_date: date | None
    kpi_id: str | None


@dataclass(frozen=True)
class Funnel:
    """Clients of one stage: reached it, and of them moved on, dropped, still in progress or
    finished the journey there (the four add up to the reached); time to the next stage."""

    clients_reached: int | None = None
    clients_next: int | None = None
    conversion: Decimal | None = None
    dropped: int | None = None
    drop_off_share: Decimal | None = None
    median_days: Decimal | None = None
    p75_days: Decimal | None = None
    p90_days: Decimal | None = None
    in_progress: int | None = None
    finished: int | None = None
    is_inferred: bool = False
    started_before_data: int | None = None


@dataclass(frozen=True)
class MapRow:
    """One row of ``journey_map`` (journey × stage), JSON columns parsed."""

    journey_id: str
    stage_id: str
    order: int
    name: str
    goal: str
    is_inside_czn: bool
    touchpoints: list[MapTouchpoint]
    kpis: list[StageKpi]
    feedback: Feedback | None
    pain_points: list[StagePain]
    measures: list[StageMeasure]
    funnel: Funnel


@dataclass(frozen=True)
class GroupProfile:
    client_group: str
    name: str
    clients: int | None
    channel_shares: dict[str, Decimal]
    top_journeys: list[tuple[str, str, int | None]]  # (journey_id, name, clients)
    top_pain_points: list[tuple[str, str, int | None]]  # (pain_point_id, KPI name, rank)


def _touchpoints(value: Any) -> list[MapTouchpoint]:
    return [
        MapTouchpoint(
            touchpoint_id=str(t.get("touchpoint_id") or ""),
            name=t.get("touchpoint_name_ru") or str(t.get("touchpoint_id") or ""),
            responsible_unit=t.get("responsible_unit_ru") or "",
            tools=t.get("tools_ru") or "",
            channel=t.get("channel") or "",
            events=as_int(t.get("events")),
        )
        for t in as_list(value)
    ]


def _stage_kpis(value: Any) -> list[StageKpi]:
    return [
        StageKpi(
            kpi_id=str(k["kpi_id"]),
            name=k.get("kpi_name_ru") or str(k["kpi_id"]),
            unit=k.get("unit") or "",
            direction=k.get("direction") or "higher_is_better",
            value=as_decimal(k.get("value")),
            norm_value=as_decimal(k.get("norm_value")),
            status=k.get("status") or "no_data",
            sample_size=as_int(k.get("sample_size")),
            touchpoint_id=k.get("touchpoint_id"),
        )
        for k in as_list(value)
        if k.get("kpi_id")
    ]


def _feedback(value: Any) -> Feedback | None:
    parsed = as_json(value)
    if not isinstance(parsed, dict):
        return None
    return Feedback(
        responses=as_int(parsed.get("responses")),
        csat=as_decimal(parsed.get("csat")),
        ces=as_decimal(parsed.get("ces")),
        nps=as_decimal(parsed.get("nps")),
        themes=[
            FeedbackTheme(
                str(t.get("theme") or ""),
                t.get("theme_name_ru") or str(t.get("theme") or ""),
                as_int(t.get("mentions")),
            )
            for t in as_list(parsed.get("themes"))
        ],
        quotes=[str(q) for q in parsed.get("quotes") or [] if q],
    )


def _stage_pains(value: Any) -> list[StagePain]:
    return [
        StagePain(
            pain_point_id=str(p["pain_point_id"]),
            kpi_id=p.get("kpi_id"),
            touchpoint_id=p.get("touchpoint_id"),
            rank=as_int(p.get("rank")),
            gap=as_decimal(p.get("gap")),
            is_quick_win=bool(p.get("is_quick_win")),
        )
        for p in as_list(value)
        if p.get("pain_point_id")
    ]


def _measures(value: Any) -> list[StageMeasure]:
    return [
        StageMeasure(
            measure_id=str(m["measure_id"]),
            name=m.get("measure_name_ru") or str(m["measure_id"]),
            office_id=m.get("office_id"),
            start_date=as_date(m.get("start_date")),
            kpi_id=m.get("kpi_id"),
        )
        for m in as_list(value)
        if m.get("measure_id")
    ]


def funnel_of(row: Row) -> Funnel:
    reached, following = as_int(row.get("clients_reached")), as_int(row.get("clients_next"))
    dropped = as_int(row.get("dropped"))
    if dropped is None and reached is not None and following is not None:
        dropped = max(reached - following, 0)
    return Funnel(
        clients_reached=reached,
        clients_next=following,
        conversion=as_decimal(row.get("conversion_to_next")),
        dropped=dropped,
        drop_off_share=as_decimal(row.get("drop_off_share")),
        median_days=as_decimal(row.get("median_days_to_next")),
        p75_days=as_decimal(row.get("p75_days_to_next")),
        p90_days=as_decimal(row.get("p90_days_to_next")),
        in_progress=as_int(row.get("in_progress")),
        finished=as_int(row.get("finished")),
        is_inferred=bool(row.get("is_inferred")),
        started_before_data=as_int(row.get("started_before_data")),
    )


def map_row_of(row: Row, funnel: Funnel | None) -> MapRow:
    return MapRow(
        journey_id=row["journey_id"],
        stage_id=row["stage_id"],
        order=int(row["stage_order"]),
        name=row.get("stage_name_ru") or row["stage_id"],
        goal=row.get("stage_goal_ru") or "",
        is_inside_czn=bool(row.get("is_inside_czn", True)),
        touchpoints=_touchpoints(row.get("touchpoints")),
        kpis=_stage_kpis(row.get("kpis")),
        feedback=_feedback(row.get("feedback")),
        pain_points=_stage_pains(row.get("pain_points")),
        measures=_measures(row.get("measures")),
        funnel=funnel or funnel_of(row),
    )


def _journey(row: Row) -> Journey:
    return Journey(
        journey_id=row["journey_id"],
        name=row.get("journey_name_ru") or row["journey_id"],
        client_kind=row.get("client_kind") or "",
        target_group=row.get("target_client_group"),
        target_group_name=row.get("client_group_name_ru") or "",
        basis=row.get("basis") or "",
        basis_value=row.get("basis_value_ru") or "",
        application_type=row.get("application_type"),
        czn_interactions=row.get("czn_interactions"),
        version=as_int(row.get("version")),
        valid_from=as_date(row.get("valid_from")),
        valid_to=as_date(row.get("valid_to")),
        stage_count=as_int(row.get("stage_count")),
        order=as_int(row.get("journey_order")),
    )


def _valid_on(journey: Journey, today: date) -> bool:
    return (journey.valid_from is None or journey.valid_from <= today) and (
        journey.valid_to is None or journey.valid_to >= today
    )


def current_journeys(rows: list[Row], today: date) -> list[Journey]:
    """One version per journey: the newest one in force today (else the newest published)."""

    def preference(journey: Journey) -> tuple[bool, int, date]:
        return (_valid_on(journey, today), journey.version or 0, journey.valid_from or date.min)

    chosen: dict[str, Journey] = {}
    for journey in map(_journey, rows):
        previous = chosen.get(journey.journey_id)
        if previous is None or preference(journey) > preference(previous):
            chosen[journey.journey_id] = journey
    return list(chosen.values())


def stage_def_of(row: Row) -> StageDef:
    return StageDef(
        journey_id=row["journey_id"],
        stage_id=row["stage_id"],
        order=int(row["stage_order"]),
        name=row.get("stage_name_ru") or row["stage_id"],
        goal=row.get("stage_goal_ru") or "",
        is_inside_czn=bool(row.get("is_inside_czn", True)),
        drop_off_days=as_int(row.get("drop_off_days")),
        version=as_int(row.get("version")),
        entry=row.get("entry") or "observed",
        is_terminal=bool(row.get("is_terminal")),
        owner_unit=row.get("owner_unit_ru") or "",
        is_current=bool(row.get("is_current_version", True)),
        valid_from=as_date(row.get("valid_from")),
        valid_to=as_date(row.get("valid_to")),
    )


def group_profile_of(row: Row) -> GroupProfile:
    shares = as_json(row.get("channel_shares")) or {}
    return GroupProfile(
        client_group=row["client_group"],
        name=row.get("client_group_name_ru") or row["client_group"],
        clients=as_int(row.get("clients")),
        channel_shares={str(k): d for k, v in shares.items() if (d := as_decimal(v)) is not None},
        top_journeys=[
            (str(j.get("journey_id")), j.get("journey_name_ru") or str(j.get("journey_id")), as_int(j.get("clients")))
            for j in as_list(row.get("top_journeys"))
        ],
        top_pain_points=[
            (str(p.get("pain_point_id")), p.get("kpi_name_ru") or "", as_int(p.get("rank")))
            for p in as_list(row.get("top_pain_points"))
        ],
    )
