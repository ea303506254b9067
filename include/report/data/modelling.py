"""The modelling results (schema ``modelling``, written by ``dags/model_scenarios.py``) and the
marts the page «Моделирование мер» names them with, read for one region.

Every relation is optional: a site rendered before the first modelling publish (or from marts
without journeys) gets empty lists, and the page says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from include.report.data.convert import Row

SCHEMA = "modelling"


@dataclass
class ModellingData:
    """What the modelling page of one region is built from (rows as the relations hold them)."""

    offices: dict[str, str] = field(default_factory=dict)  # office_id -> name
    queues: dict[str, str] = field(default_factory=dict)  # queue_name -> name
    stages: dict[str, str] = field(default_factory=dict)  # "journey:stage" / "chatbot:intent" -> name
    has_results: bool = False  # the modelling schema is published
    results: list[Row] = field(default_factory=list)  # scenario_results, in row_number order
    hourly: list[Row] = field(default_factory=list)  # scenario_hourly
    backtest: list[Row] = field(default_factory=list)  # model_backtest
    calibration: list[Row] = field(default_factory=list)  # model_calibration
    kpi_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # kpi_id -> (name, unit)
    pain_rows: list[Row] = field(default_factory=list)  # pain_point_instruments with the KPI's name and unit
    queues_of: dict[str, str] = field(default_factory=dict)  # office_id -> queue_name


def _exists(conn: psycopg.Connection[Any], relation: str) -> bool:
    row = conn.execute("select to_regclass(%s) is not null as ok", (relation,)).fetchone()
    return bool(row and row["ok"])


def _rows(conn: psycopg.Connection[Any], query: str | sql.Composed, *params: Any) -> list[Row]:
    return list(conn.execute(query, params).fetchall())


def _table(schema: str, table: str) -> sql.Composed:
    return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(table))


def _all(conn: psycopg.Connection[Any], schema: str, table: str) -> list[Row]:
    """Every row of ``schema.table``, or none when it is not published."""
    if not _exists(conn, f"{schema}.{table}"):
        return []
    return _rows(conn, sql.SQL("select * from {}").format(_table(schema, table)))


def load_modelling(dsn: str, region_id: str, marts: str = "marts") -> ModellingData:
    """The modelling results of ``region_id`` and the names from the marts in ``marts``."""
    data = ModellingData()
    with psycopg.connect(dsn, row_factory=dict_row) as conn:
        conn.read_only = True
        data.offices = {r["office_id"]: r["office_name_ru"] for r in _all(conn, marts, "dim_offices")}
        call_queues = _all(conn, marts, "dim_call_queues")
        data.queues = {r["queue_name"]: r["queue_name_ru"] for r in call_queues}
        if _exists(conn, f"{marts}.dim_journey_stages") and _exists(conn, f"{marts}.dim_journeys"):
            query = sql.SQL(
                "select s.journey_id, s.stage_id, s.stage_name_ru, max(j.journey_name_ru) as journey_name_ru"
                " from {} s join {} j using (journey_id) group by 1, 2, 3"
            ).format(_table(marts, "dim_journey_stages"), _table(marts, "dim_journeys"))
            data.stages = {
                f"{r['journey_id']}:{r['stage_id']}": f"{r['journey_name_ru']}: {r['stage_name_ru']}"
                for r in _rows(conn, query)
            }
        # the chatbot's topics, by their seed names
        data.stages.update(
            {f"chatbot:{r['intent']}": r["intent_name_ru"] for r in _all(conn, "config", "chatbot_intents")}
        )
        if _exists(conn, f"{SCHEMA}.scenario_results"):
            data.has_results = True
            data.results = _rows(
                conn,
                sql.SQL("select * from {} where region_id = %s or region_id is null order by row_number").format(
                    _table(SCHEMA, "scenario_results")
                ),
                region_id,
            )
            data.hourly = _rows(
                conn,
                sql.SQL("select * from {} order by scenario_id, kpi_id, local_hour").format(
                    _table(SCHEMA, "scenario_hourly")
                ),
            )
            data.backtest = _rows(
                conn,
                sql.SQL("select * from {} where region_id = %s order by measure_id").format(
                    _table(SCHEMA, "model_backtest")
                ),
                region_id,
            )
            data.kpi_names = {r["kpi_id"]: (r["kpi_name_ru"], r["unit"]) for r in _all(conn, marts, "dim_kpis")}
            data.calibration = _rows(
                conn,
                sql.SQL("select * from {} where region_id = %s order by system desc, unit_id, kpi_id").format(
                    _table(SCHEMA, "model_calibration")
                ),
                region_id,
            )
        if _exists(conn, f"{marts}.pain_point_instruments"):
            data.pain_rows = _rows(
                conn,
                sql.SQL(
                    "select p.*, d.kpi_name_ru, d.unit from {} p left join {} d on d.kpi_id = p.kpi_id"
                    " where p.region_id = %s order by p.rank, p.pain_point_id"
                ).format(_table(marts, "pain_point_instruments"), _table(marts, "dim_kpis")),
                region_id,
            )
            data.queues_of = {r["office_id"]: r["queue_name"] for r in call_queues}
    return data
