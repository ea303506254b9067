"""A region's marts (:class:`Marts`), read for every region in one consistent snapshot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from include.report.data.convert import Row
from include.report.data.effects import (
    Effect,
    Freshness,
    JourneyPain,
    PainPoint,
    best_actions,
    effect_of,
    freshness_of,
    journey_pain_of,
    pain_point_of,
)
from include.report.data.journeys import (
    Funnel,
    GroupProfile,
    Journey,
    MapRow,
    StageDef,
    current_journeys,
    funnel_of,
    group_profile_of,
    map_row_of,
    stage_def_of,
)
from include.report.data.kpi import Kpi, KpiRow, Office, Queue, Touchpoint, fact_of, kpi_of
from include.report.data.sources import Source, source_of

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
    sources: list[Source] = field(default_factory=list)  # dim_sources, in the seed's order
    missing_tables: tuple[str, ...] = ()  # journey marts not published (yet)


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


def _load_region(
    conn: psycopg.Connection[Row],
    schema: str,
    region: tuple[str, str],
    office_rows: list[Row],
    tables: dict[str, set[str]],
    today: date,
) -> Marts:
    region_id, region_name = region
    kpis = [kpi_of(r) for r in _select(conn, schema, "dim_kpis")]
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
        (r["journey_id"], int(r["version"]), r["stage_id"]): funnel_of(r)
        for r in funnel_rows
        if r.get("version") is not None
    }
    funnel = {
        (r["journey_id"], r["stage_id"]): funnel_of(r)
        for r in funnel_rows
        if r.get("version") is None or current.get(r["journey_id"]) in (None, int(r["version"]))
    }
    map_rows = [map_row_of(r, funnel.get((r["journey_id"], r["stage_id"]))) for r in journey_mart("journey_map")]
    for row in map_rows:
        funnel.setdefault((row.journey_id, row.stage_id), row.funnel)
    all_stages = [stage_def_of(r) for r in journey_mart("dim_journey_stages")]
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
        kpi_rows=[fact_of(r) for r in facts],
        profile_rows=[fact_of(r, r["profile"]) for r in profiles],
        journeys=journeys,
        stages=[s for s in all_stages if s.is_current],
        all_stages=all_stages,
        map_rows=map_rows,
        funnel=funnel,
        version_funnels=version_funnels,
        pain_points=sorted(
            (pain_point_of(r, actions) for r in journey_mart("pain_points")), key=lambda p: (p.rank, p.pain_point_id)
        ),
        journey_pains=sorted(
            map(journey_pain_of, journey_mart("fct_journey_pain_points")), key=lambda p: (p.journey_id, p.rank)
        ),
        staff_rows=[fact_of(r, r.get("period_grain")) for r in journey_mart("fct_staff_kpis")],
        effects=[effect_of(r) for r in journey_mart("improvement_effects")],
        group_profiles=[group_profile_of(r) for r in journey_mart("client_group_profiles")],
        freshness=sorted(map(freshness_of, journey_mart("fct_data_freshness")), key=lambda f: f.source),
        sources=sorted(
            (source_of(r) for r in _select(conn, schema, "dim_sources")) if "dim_sources" in tables else (),
            key=lambda s: (s.sort_order is None, s.sort_order or 0, s.source_id),
        ),
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
