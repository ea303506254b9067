"""Read the published marts the pages are built from (every region in one consistent snapshot).

The KPI marts (``dim_kpis``, ``dim_offices``, ``dim_touchpoints``, ``dim_call_queues``,
``fct_touchpoint_kpis``, ``fct_kpi_profiles``) are required. The journey marts (``dim_journeys``,
``dim_journey_stages``, ``journey_map``, ``fct_stage_funnel``, ``pain_points``,
``improvement_effects``, ``client_group_profiles``, ``fct_data_freshness``) are read when
published; a missing one is reported on the pages («ещё не рассчитано») instead of failing.
A table with a ``region_id`` column is filtered by region; one with only ``office_id`` keeps
the rows of the region's offices and the rows without an office; any other is region-wide.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
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


# --- journey marts ---------------------------------------------------------------------------

JOURNEY_TABLES = (
    "dim_journeys",
    "dim_journey_stages",
    "journey_map",
    "fct_stage_funnel",
    "pain_points",
    "fct_journey_pain_points",
    "improvement_effects",
    "client_group_profiles",
    "fct_data_freshness",
    "fct_staff_kpis",
    "pain_point_instruments",
)


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


def best_actions(rows: list[Row]) -> dict[str, Action]:
    best: dict[str, tuple[tuple[int, Decimal], Action]] = {}
    for row in rows:
        if not row.get("instrument_id"):
            continue
        action = Action(
            instrument_id=row["instrument_id"],
            name=row.get("instrument_name_ru") or row["instrument_id"],
            cost_class=row.get("cost_class") or "",
            lead_time_days=_int(row.get("lead_time_days")),
            gap_closed_share=_dec(row.get("gap_closed_share")),
            basis=row.get("effect_basis") or "expected",
            is_quick_win=bool(row.get("is_quick_win_instrument")),
            norm_met_in_model_period=bool(row.get("is_norm_met_in_model_period")),
        )
        key = (int(action.is_quick_win), action.gap_closed_share or Decimal(-1))
        pain = str(row["pain_point_id"])
        if pain not in best or key > best[pain][0]:
            best[pain] = (key, action)
    return {pain: action for pain, (_, action) in best.items()}


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
class GroupProfile:
    client_group: str
    name: str
    clients: int | None
    channel_shares: dict[str, Decimal]
    top_journeys: list[tuple[str, str, int | None]]  # (journey_id, name, clients)
    top_pain_points: list[tuple[str, str, int | None]]  # (pain_point_id, KPI name, rank)


@dataclass(frozen=True)
class Freshness:
    source: str
    last_loaded_at: datetime | None
    last_data_date: date | None
    batches: int | None
    rows_loaded: int | None
    rows_rejected: int | None
    rejected_share: Decimal | None


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
    journeys: list[Journey] = field(default_factory=list)
    stages: list[StageDef] = field(default_factory=list)
    map_rows: list[MapRow] = field(default_factory=list)
    funnel: dict[tuple[str, str], Funnel] = field(default_factory=dict)  # the current version's
    version_funnels: dict[tuple[str, int, str], Funnel] = field(default_factory=dict)  # every version's
    all_stages: list[StageDef] = field(default_factory=list)  # every version's stages
    pain_points: list[PainPoint] = field(default_factory=list)
    journey_pains: list[JourneyPain] = field(default_factory=list)
    staff_rows: list[KpiRow] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    group_profiles: list[GroupProfile] = field(default_factory=list)
    freshness: list[Freshness] = field(default_factory=list)
    missing_tables: tuple[str, ...] = ()  # journey marts not published (yet)


# --- reading ---------------------------------------------------------------------------------


def _columns(conn: psycopg.Connection[Row], schema: str) -> dict[str, set[str]]:
    """Tables (and views) of the schema with their column names."""
    with conn.cursor() as cur:
        cur.execute(
            "select table_name, column_name from information_schema.columns where table_schema = %s",
            (schema,),
        )
        tables: dict[str, set[str]] = {}
        for row in cur.fetchall():
            tables.setdefault(row["table_name"], set()).add(row["column_name"])
        return tables


def _select(
    conn: psycopg.Connection[Row],
    schema: str,
    table: str,
    region_id: str | None = None,
    *,
    columns: set[str] | None = None,
    office_ids: list[str] | None = None,
) -> list[Row]:
    """Rows of one mart for one region (see the module docstring for how a region is found)."""
    query = sql.SQL("select * from {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
    params: tuple[Any, ...] = ()
    if region_id is not None and (columns is None or "region_id" in columns):
        query += sql.SQL(" where region_id = %s")
        params = (region_id,)
    elif office_ids is not None and columns is not None and "office_id" in columns:
        query += sql.SQL(" where office_id is null or office_id = any(%s)")
        params = (office_ids,)
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
        touchpoint_id=row.get("touchpoint_id") or ALL_TOUCHPOINTS,
        period=period or row["period_grain"],
        period_start=row.get("period_start"),
        bucket=row.get("bucket"),
        value=row["value"],
        sample_size=row["sample_size"],
        norm_value=row["norm_value"],
        status=row["status"],
    )


def regions_of(office_rows: list[Row], journey_rows: list[Row] | None = None) -> list[tuple[str, str]]:
    """(region_id, name) of every region in ``dim_offices`` (and ``dim_journeys`` when it has one)."""
    names = {r["region_id"]: r["region_name_ru"] for r in office_rows}
    for row in journey_rows or []:
        if row.get("region_id") and row["region_id"] not in names:
            names[row["region_id"]] = row.get("region_name_ru") or row["region_id"]
    return sorted(names.items())


def _choose_regions(regions: list[tuple[str, str]], region_id: str | None) -> list[tuple[str, str]]:
    if region_id is None:
        if not regions:
            raise ValueError("dim_offices holds no region")
        return regions
    for found in regions:
        if found[0] == region_id:
            return [found]
    raise ValueError(f"region {region_id!r} has no offices in dim_offices")


# --- JSON columns ----------------------------------------------------------------------------


def _dec(value: Any) -> Decimal | None:
    """A number from a numeric column or from JSON (float/int/str) as an exact Decimal."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError(f"not a number: {value!r}")
    return Decimal(str(value))


def _int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _json(value: Any) -> Any:
    """jsonb arrives parsed; json stored as text is parsed here."""
    return json.loads(value) if isinstance(value, str) else value


def _list(value: Any) -> list[dict[str, Any]]:
    parsed = _json(value)
    return [item for item in parsed or [] if isinstance(item, dict)]


def _touchpoints(value: Any) -> list[MapTouchpoint]:
    return [
        MapTouchpoint(
            touchpoint_id=str(t.get("touchpoint_id") or ""),
            name=t.get("touchpoint_name_ru") or str(t.get("touchpoint_id") or ""),
            responsible_unit=t.get("responsible_unit_ru") or "",
            tools=t.get("tools_ru") or "",
            channel=t.get("channel") or "",
            events=_int(t.get("events")),
        )
        for t in _list(value)
    ]


def _stage_kpis(value: Any) -> list[StageKpi]:
    return [
        StageKpi(
            kpi_id=str(k["kpi_id"]),
            name=k.get("kpi_name_ru") or str(k["kpi_id"]),
            unit=k.get("unit") or "",
            direction=k.get("direction") or "higher_is_better",
            value=_dec(k.get("value")),
            norm_value=_dec(k.get("norm_value")),
            status=k.get("status") or "no_data",
            sample_size=_int(k.get("sample_size")),
            touchpoint_id=k.get("touchpoint_id"),
        )
        for k in _list(value)
        if k.get("kpi_id")
    ]


def _feedback(value: Any) -> Feedback | None:
    parsed = _json(value)
    if not isinstance(parsed, dict):
        return None
    return Feedback(
        responses=_int(parsed.get("responses")),
        csat=_dec(parsed.get("csat")),
        ces=_dec(parsed.get("ces")),
        nps=_dec(parsed.get("nps")),
        themes=[
            FeedbackTheme(
                str(t.get("theme") or ""), t.get("theme_name_ru") or str(t.get("theme") or ""), _int(t.get("mentions"))
            )
            for t in _list(parsed.get("themes"))
        ],
        quotes=[str(q) for q in parsed.get("quotes") or [] if q],
    )


def _stage_pains(value: Any) -> list[StagePain]:
    return [
        StagePain(
            pain_point_id=str(p["pain_point_id"]),
            kpi_id=p.get("kpi_id"),
            touchpoint_id=p.get("touchpoint_id"),
            rank=_int(p.get("rank")),
            gap=_dec(p.get("gap")),
            is_quick_win=bool(p.get("is_quick_win")),
        )
        for p in _list(value)
        if p.get("pain_point_id")
    ]


def _measures(value: Any) -> list[StageMeasure]:
    return [
        StageMeasure(
            measure_id=str(m["measure_id"]),
            name=m.get("measure_name_ru") or str(m["measure_id"]),
            office_id=m.get("office_id"),
            start_date=_date(m.get("start_date")),
            kpi_id=m.get("kpi_id"),
        )
        for m in _list(value)
        if m.get("measure_id")
    ]


def _funnel(row: Row) -> Funnel:
    reached, following = _int(row.get("clients_reached")), _int(row.get("clients_next"))
    dropped = _int(row.get("dropped"))
    if dropped is None and reached is not None and following is not None:
        dropped = max(reached - following, 0)
    return Funnel(
        clients_reached=reached,
        clients_next=following,
        conversion=_dec(row.get("conversion_to_next")),
        dropped=dropped,
        drop_off_share=_dec(row.get("drop_off_share")),
        median_days=_dec(row.get("median_days_to_next")),
        p75_days=_dec(row.get("p75_days_to_next")),
        p90_days=_dec(row.get("p90_days_to_next")),
        in_progress=_int(row.get("in_progress")),
        finished=_int(row.get("finished")),
        is_inferred=bool(row.get("is_inferred")),
        started_before_data=_int(row.get("started_before_data")),
    )


def _map_row(row: Row, funnel: Funnel | None) -> MapRow:
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
        funnel=funnel or _funnel(row),
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
        version=_int(row.get("version")),
        valid_from=_date(row.get("valid_from")),
        valid_to=_date(row.get("valid_to")),
        stage_count=_int(row.get("stage_count")),
        order=_int(row.get("journey_order")),
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


def _stage_def(row: Row) -> StageDef:
    return StageDef(
        journey_id=row["journey_id"],
        stage_id=row["stage_id"],
        order=int(row["stage_order"]),
        name=row.get("stage_name_ru") or row["stage_id"],
        goal=row.get("stage_goal_ru") or "",
        is_inside_czn=bool(row.get("is_inside_czn", True)),
        drop_off_days=_int(row.get("drop_off_days")),
        version=_int(row.get("version")),
        entry=row.get("entry") or "observed",
        is_terminal=bool(row.get("is_terminal")),
        owner_unit=row.get("owner_unit_ru") or "",
        is_current=bool(row.get("is_current_version", True)),
        valid_from=_date(row.get("valid_from")),
        valid_to=_date(row.get("valid_to")),
    )


def _pain_point(row: Row, actions: dict[str, Action] | None = None) -> PainPoint:
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
        value=_dec(row.get("value")),
        norm_value=_dec(row.get("norm_value")),
        gap=_dec(row.get("gap")),
        clients_affected=_int(row.get("clients_affected")),
        score=_dec(row.get("score")),
        is_quick_win=bool(row.get("is_quick_win")),
        responsible_unit=row.get("responsible_unit_ru"),
        offices=_list(row.get("offices")),
        places=_list(row.get("places")),
        action=(actions or {}).get(str(row["pain_point_id"])),
    )


def _journey_pain(row: Row) -> JourneyPain:
    stage_ids = _json(row.get("stage_ids")) or []
    return JourneyPain(
        journey_id=row["journey_id"],
        pain_point_id=str(row["pain_point_id"]),
        rank=int(row["rank_in_journey"]),
        stage_ids=[str(s) for s in stage_ids],
    )


def _effect(row: Row) -> Effect:
    return Effect(
        measure_id=str(row["measure_id"]),
        name=row.get("measure_name_ru") or str(row["measure_id"]),
        office_id=row.get("office_id"),
        touchpoint_id=row.get("touchpoint_id"),
        kpi_id=row["kpi_id"],
        start_date=_date(row.get("start_date")),
        before_value=_dec(row.get("before_value")),
        after_value=_dec(row.get("after_value")),
        before_n=_int(row.get("before_n")),
        after_n=_int(row.get("after_n")),
        change=_dec(row.get("change")),
        change_ci_low=_dec(row.get("change_ci_low")),
        change_ci_high=_dec(row.get("change_ci_high")),
        control_change=_dec(row.get("control_change")),
        did=_dec(row.get("did")),
        did_ci_low=_dec(row.get("did_ci_low")),
        did_ci_high=_dec(row.get("did_ci_high")),
        is_significant=bool(row.get("is_significant")),
    )


def _group_profile(row: Row) -> GroupProfile:
    shares = _json(row.get("channel_shares")) or {}
    return GroupProfile(
        client_group=row["client_group"],
        name=row.get("client_group_name_ru") or row["client_group"],
        clients=_int(row.get("clients")),
        channel_shares={str(k): d for k, v in shares.items() if (d := _dec(v)) is not None},
        top_journeys=[
            (str(j.get("journey_id")), j.get("journey_name_ru") or str(j.get("journey_id")), _int(j.get("clients")))
            for j in _list(row.get("top_journeys"))
        ],
        top_pain_points=[
            (str(p.get("pain_point_id")), p.get("kpi_name_ru") or "", _int(p.get("rank")))
            for p in _list(row.get("top_pain_points"))
        ],
    )


def _freshness(row: Row) -> Freshness:
    return Freshness(
        source=row["source"],
        last_loaded_at=row.get("last_loaded_at"),
        last_data_date=_date(row.get("last_data_date")),
        batches=_int(row.get("batches")),
        rows_loaded=_int(row.get("rows_loaded")),
        rows_rejected=_int(row.get("rows_rejected")),
        rejected_share=_dec(row.get("rejected_share")),
    )


# --- loading ---------------------------------------------------------------------------------


def _load_region(
    conn: psycopg.Connection[Row],
    schema: str,
    region: tuple[str, str],
    office_rows: list[Row],
    tables: dict[str, set[str]],
    today: date,
) -> Marts:
    region_id, region_name = region
    kpis = [_kpi(r) for r in _select(conn, schema, "dim_kpis")]
    touchpoints = _select(conn, schema, "dim_touchpoints")
    queues = _select(conn, schema, "dim_call_queues", region_id)
    facts = _select(conn, schema, "fct_touchpoint_kpis", region_id)
    if "fct_client_kpis" in tables:
        facts += _select(conn, schema, "fct_client_kpis", region_id)
    profiles = _select(conn, schema, "fct_kpi_profiles", region_id)
    offices = sorted(
        (
            Office(r["office_id"], r["office_name_ru"], r["timezone"])
            for r in office_rows
            if r["region_id"] == region_id
        ),
        key=lambda o: o.office_id,
    )
    office_ids = [o.office_id for o in offices]

    def journey_mart(table: str) -> list[Row]:
        if table not in tables:
            return []
        return _select(conn, schema, table, region_id, columns=tables[table], office_ids=office_ids)

    journeys = current_journeys(journey_mart("dim_journeys"), today)
    actions = best_actions(journey_mart("pain_point_instruments"))
    current = {j.journey_id: j.version for j in journeys}
    funnel_rows = journey_mart("fct_stage_funnel")
    version_funnels = {
        (r["journey_id"], int(r["version"]), r["stage_id"]): _funnel(r)
        for r in funnel_rows
        if r.get("version") is not None
    }
    funnel = {
        (r["journey_id"], r["stage_id"]): _funnel(r)
        for r in funnel_rows
        if r.get("version") is None or current.get(r["journey_id"]) in (None, int(r["version"]))
    }
    map_rows = [_map_row(r, funnel.get((r["journey_id"], r["stage_id"]))) for r in journey_mart("journey_map")]
    for row in map_rows:
        funnel.setdefault((row.journey_id, row.stage_id), row.funnel)
    all_stages = [_stage_def(r) for r in journey_mart("dim_journey_stages")]
    return Marts(
        region_id=region_id,
        region_name=region_name,
        timezone=offices[0].timezone if offices else "UTC",
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
        journeys=journeys,
        stages=[s for s in all_stages if s.is_current],
        all_stages=all_stages,
        map_rows=map_rows,
        funnel=funnel,
        version_funnels=version_funnels,
        pain_points=sorted(
            (_pain_point(r, actions) for r in journey_mart("pain_points")), key=lambda p: (p.rank, p.pain_point_id)
        ),
        journey_pains=sorted(
            map(_journey_pain, journey_mart("fct_journey_pain_points")), key=lambda p: (p.journey_id, p.rank)
        ),
        staff_rows=[_fact(r, r.get("period_grain")) for r in journey_mart("fct_staff_kpis")],
        effects=[_effect(r) for r in journey_mart("improvement_effects")],
        group_profiles=[_group_profile(r) for r in journey_mart("client_group_profiles")],
        freshness=sorted(map(_freshness, journey_mart("fct_data_freshness")), key=lambda f: f.source),
        missing_tables=tuple(t for t in JOURNEY_TABLES if t not in tables),
    )


def load_site_marts(
    dsn: str, schema: str = "marts", region_id: str | None = None, today: date | None = None
) -> list[Marts]:
    """Every region (or the one asked for) in one read-only REPEATABLE READ transaction.

    A publish that swaps the schema while we read cannot give us a mix of old and new tables.
    ``today`` picks the journey versions in force (default: the current date).
    """
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        tables = _columns(conn, schema)
        office_rows = _select(conn, schema, "dim_offices")
        journey_rows = (
            _select(conn, schema, "dim_journeys", columns=tables["dim_journeys"])
            if "region_id" in tables.get("dim_journeys", set())
            else []
        )
        regions = regions_of(office_rows, journey_rows)
        if region_id is None and "fct_touchpoint_kpis" in tables:
            # regions configured in the seeds but without any data yet get no site
            with_data = {
                row["region_id"]
                for row in conn.execute(
                    sql.SQL("select distinct region_id from {}.fct_touchpoint_kpis").format(sql.Identifier(schema))
                ).fetchall()
            }
            regions = [r for r in regions if r[0] in with_data] or regions
        chosen = _choose_regions(regions, region_id)
        return [_load_region(conn, schema, r, office_rows, tables, today or date.today()) for r in chosen]
