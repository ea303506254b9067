"""Run every model on the published marts: calibration check, scenarios, backtest, instrument effects.

Inputs (published schema ``marts`` and the working group's configuration ``config``):
``fct_queue_services`` (tickets and calls), ``dim_kpis`` (thresholds, norms), ``fct_stage_funnel``,
``improvement_effects``, ``pain_points``, and the seeds ``scenarios``, ``improvement_instruments``,
``offices``. Output: the tables of :data:`TABLES` as pandas frames; :mod:`include.modelling.store`
writes them through write–audit–publish.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import psycopg

from include.modelling import chatbot, erlang, funnel, queueing
from include.modelling.kpis import (
    CALL_KPIS,
    OFFICE_KPIS,
    Clients,
    kpi_functions,
    measured_clients,
    tolerance_label,
    within_tolerance,
)
from include.modelling.scenarios import MODELS, Scenario, ScenarioError, parse

log = logging.getLogger(__name__)

PERIOD_DAYS = 28
REPLICATIONS = 20
SEED = 20261001
PEAK_HOURS = 4

SYSTEM_OF_MODEL = {"office_queue": "office", "call_queue": "call"}
ALL_DAYS = frozenset(range(1, 8))


@dataclass
class Inputs:
    services: pd.DataFrame
    kpis: pd.DataFrame
    offices: pd.DataFrame
    queues: pd.DataFrame
    funnel: pd.DataFrame
    effects: pd.DataFrame
    scenarios: pd.DataFrame
    instruments: pd.DataFrame
    pain_points: pd.DataFrame
    chats: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per chat (fct_touchpoint_events)
    bot_kpis: pd.DataFrame = field(default_factory=pd.DataFrame)  # the bot's daily region KPIs


def _frame(conn: psycopg.Connection[Any], query: str) -> pd.DataFrame:
    cur = conn.execute(query)
    columns = [d.name for d in cur.description or []]
    return pd.DataFrame(cur.fetchall(), columns=columns)


def _exists(conn: psycopg.Connection[Any], relation: str) -> bool:
    return conn.execute("select to_regclass(%s)", (relation,)).fetchone() != (None,)


def load_inputs(dsn: str, schema: str = "marts") -> Inputs:
    """Read the model inputs from the published marts and the configuration."""
    with psycopg.connect(dsn) as conn:

        def table(name: str, query: str, relation: str) -> pd.DataFrame:
            if not _exists(conn, relation):
                log.warning("%s is missing: %s is empty", relation, name)
                return pd.DataFrame()
            return _frame(conn, query)

        services = table(
            "services",
            f"select system, region_id, unit_id, office_id, service_id, local_date, local_weekday, ready_s::float8 as ready_s,"
            f" is_priority, service_class, start_s::float8 as start_s, end_s::float8 as end_s, server, outcome,"
            f" exit_wait_s::float8 as exit_wait_s from {schema}.fct_queue_services"
            f" order by system, unit_id, local_date, ready_s, service_id",
            f"{schema}.fct_queue_services",
        )
        return Inputs(
            services=services,
            kpis=table("kpis", f"select * from {schema}.dim_kpis", f"{schema}.dim_kpis"),
            offices=table("offices", "select * from config.offices", "config.offices"),
            queues=table("queues", "select * from config.call_queues", "config.call_queues"),
            funnel=table("funnel", f"select * from {schema}.fct_stage_funnel", f"{schema}.fct_stage_funnel"),
            effects=table("effects", f"select * from {schema}.improvement_effects", f"{schema}.improvement_effects"),
            scenarios=table(
                "scenarios", "select row_number() over () as row_number, * from config.scenarios", "config.scenarios"
            ),
            instruments=table(
                "instruments", "select * from config.improvement_instruments", "config.improvement_instruments"
            ),
            pain_points=table(
                "pain_points",
                f"select * from {schema}.pain_points order by rank, pain_point_id",
                f"{schema}.pain_points",
            ),
            chats=table(
                "chats",
                f"select region_id, event_local_date as local_date, attribute from {schema}.fct_touchpoint_events"
                " where source = 'chatbot' order by event_id",
                f"{schema}.fct_touchpoint_events",
            ),
            bot_kpis=table(
                "bot_kpis",
                f"select region_id, kpi_id, period_start as local_date, numerator::float8 as numerator,"
                f" denominator::float8 as denominator from {schema}.fct_client_kpis where office_id is null"
                " and period_grain = 'day' and kpi_id in ('chatbot_containment', 'chatbot_fallback_rate')",
                f"{schema}.fct_client_kpis",
            ),
        )


# ---------------------------------------------------------------- helpers


Triple = tuple[float | None, float | None, float | None]


@dataclass
class Prediction:
    """A model run's KPIs: per KPI the mean over replications and the 95 % interval; per hour too."""

    values: dict[str, tuple[float | None, float | None, float | None]]
    hourly: dict[str, dict[int, tuple[float | None, float | None, float | None]]] = field(default_factory=dict)
    seconds: float = 0.0


def _summary(draws: list[float | None]) -> tuple[float | None, float | None, float | None]:
    values = np.array([d for d in draws if d is not None], float)
    if len(values) == 0:
        return (None, None, None)
    # the period's KPI varies between replications (days, services, patience): mean ± 1.96 sd
    mean, sd = float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0
    return (mean, mean - 1.96 * sd, mean + 1.96 * sd)


def _clients(outcome: queueing.Outcome) -> Clients:
    return Clients((outcome.ready // 3600).astype(int), outcome.priority, outcome.wait, outcome.status, outcome.weekday)


class Runner:
    """Calibrates each unit once per period and runs the changes asked of it."""

    def __init__(self, inputs: Inputs, *, replications: int = REPLICATIONS, seed: int = SEED) -> None:
        self.inputs = inputs
        self.replications = replications
        self.seed = seed
        self.thresholds = self._thresholds()
        self.functions = kpi_functions(self.thresholds)
        self._calibrations: dict[tuple[str, str, dt.date, dt.date], queueing.Calibration] = {}
        self._baselines: dict[tuple[Any, ...], tuple[list[queueing.Outcome], float]] = {}
        self.kpi_meta = {row["kpi_id"]: row for row in inputs.kpis.to_dict("records")} if len(inputs.kpis) else {}
        windows = inputs.offices.set_index("office_id")["windows"].to_dict() if len(inputs.offices) else {}
        self.windows_seed = {str(k): int(v) for k, v in windows.items()}

    def _thresholds(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for row in self.inputs.kpis.to_dict("records") if len(self.inputs.kpis) else []:
            value, unit = row.get("threshold_value"), row.get("threshold_unit")
            if value is None or pd.isna(value):
                continue
            factor = {"minutes": 60, "seconds": 1, "hours": 3600}.get(str(unit))
            if factor:
                out[row["kpi_id"]] = float(value) * factor
        return out

    def unit_rows(self, system: str, unit_id: str) -> pd.DataFrame:
        s = self.inputs.services
        return s[(s["system"] == system) & (s["unit_id"] == unit_id)]

    def default_period(self, system: str, unit_id: str) -> tuple[dt.date, dt.date]:
        rows = self.unit_rows(system, unit_id)
        last = max(rows["local_date"])
        return last - dt.timedelta(days=PERIOD_DAYS - 1), last

    def calibration(self, system: str, unit_id: str, period: tuple[dt.date, dt.date]) -> queueing.Calibration:
        key = (system, unit_id, *period)
        if key not in self._calibrations:
            rows = self.unit_rows(system, unit_id)
            rows = rows[(rows["local_date"] >= period[0]) & (rows["local_date"] <= period[1])]
            if rows.empty:
                raise ScenarioError(f"{system} {unit_id}: no data from {period[0]} to {period[1]}")
            self._calibrations[key] = queueing.calibrate(
                system, unit_id, rows, windows_seed=self.windows_seed.get(unit_id) if system == "office" else None
            )
        return self._calibrations[key]

    def measured(
        self, system: str, unit_id: str, period: tuple[dt.date, dt.date], weekdays: frozenset[int] = ALL_DAYS
    ) -> Prediction:
        """The KPIs the data measured in the period; ``hourly`` only over ``weekdays``."""
        rows = self.unit_rows(system, unit_id)
        rows = rows[(rows["local_date"] >= period[0]) & (rows["local_date"] <= period[1])]
        clients = measured_clients(rows)
        kpis = OFFICE_KPIS if system == "office" else CALL_KPIS
        everyone = np.ones(len(rows), bool)
        days = np.isin(clients.weekday, list(weekdays))
        values: dict[str, Triple] = {k: (self.functions[k](clients, everyone), None, None) for k in kpis}
        hourly: dict[str, dict[int, Triple]] = {
            k: {
                int(h): (self.functions[k](clients, (clients.hour == h) & days), None, None)
                for h in np.unique(clients.hour[days])
            }
            for k in kpis
        }
        return Prediction(values, hourly)

    def predict(
        self,
        system: str,
        unit_id: str,
        period: tuple[dt.date, dt.date],
        change: queueing.Change,
        *,
        same_days: bool = False,
    ) -> Prediction:
        """The model's KPIs under ``change``; ``same_days`` replays the period's own days (calibration
        check), else every replication draws its days from the period's days of the same weekday."""
        key = (system, unit_id, *period, same_days)
        if change.kind == "none" and key in self._baselines:
            outcomes, seconds = self._baselines[key]
        else:
            cal = self.calibration(system, unit_id, period)
            started = time.perf_counter()
            # the same seed for the baseline and every change: differences are not noise (common random numbers)
            outcomes = queueing.simulate(
                cal, change, replications=self.replications, seed=self.seed, resample_days=not same_days
            )
            seconds = time.perf_counter() - started
            if change.kind == "none":
                self._baselines[key] = (outcomes, seconds)
        kpis = OFFICE_KPIS if system == "office" else CALL_KPIS
        values, hourly = {}, {}
        for k in kpis:
            fn = self.functions[k]
            runs = [_clients(o) for o in outcomes]
            values[k] = _summary([fn(c, np.ones(len(c.wait), bool)) for c in runs])
            # by hour on the weekdays the change acts on (all days for a change of every day)
            days = [np.isin(c.weekday, list(change.weekdays)) for c in runs]
            hours = sorted({int(h) for c, d in zip(runs, days, strict=True) for h in np.unique(c.hour[d])})
            hourly[k] = {
                h: _summary([fn(c, (c.hour == h) & d) for c, d in zip(runs, days, strict=True)]) for h in hours
            }
        return Prediction(values, hourly, seconds)

    def norm(self, kpi_id: str) -> tuple[float | None, str | None]:
        meta = self.kpi_meta.get(kpi_id)
        if not meta or meta.get("norm_value") is None or pd.isna(meta.get("norm_value")):
            return None, None
        return float(meta["norm_value"]), str(meta.get("direction"))


def meets(value: float | None, norm: float | None, direction: str | None) -> bool | None:
    if value is None or norm is None or np.isnan(value):
        return None
    return value >= norm if direction == "higher_is_better" else value <= norm


# ---------------------------------------------------------------- calibration check


def calibration_table(
    runner: Runner, extra_periods: list[tuple[str, str, tuple[dt.date, dt.date]]] | None = None
) -> pd.DataFrame:
    """Each unit checked on its last 28 days, and on the other periods its scenarios use."""
    rows = []
    services = runner.inputs.services
    if services.empty:
        return pd.DataFrame(columns=CALIBRATION_COLUMNS)
    units = (
        services[["system", "region_id", "unit_id", "office_id"]].drop_duplicates().sort_values(["system", "unit_id"])
    )
    info = {(u["system"], u["unit_id"]): u for u in units.to_dict("records")}
    checks = [(key, runner.default_period(*key)) for key in info]
    for system, unit_id, period in extra_periods or []:
        if (system, unit_id) in info and ((system, unit_id), period) not in checks:
            checks.append(((system, unit_id), period))
    for (system, unit_id), period in checks:
        unit = info[(system, unit_id)]
        measured = runner.measured(system, unit_id, period)
        model = runner.predict(system, unit_id, period, queueing.Change(), same_days=True)
        cal = runner.calibration(system, unit_id, period)
        servers = cal.servers_per_hour()
        formula = erlang.erlang_a_kpis(cal, runner.thresholds) if system == "call" else {}
        fits = all(within_tolerance(k, measured.values[k][0], v) is not False for k, v in formula.items())
        if system == "call":
            kind = "DES (SimPy); Erlang-A " + ("подходит" if fits else "не подходит")
        else:
            kind = "DES (SimPy); формула неприменима: приоритет записи, перерывы окон"
        for kpi_id, (value, _, _) in measured.values.items():
            modelled, low, high = model.values[kpi_id]
            rows.append({
                "region_id": unit["region_id"], "system": system, "unit_id": unit_id, "office_id": unit["office_id"],
                "period_from": period[0], "period_to": period[1], "days": len(cal.days), "kpi_id": kpi_id,
                "measured_value": value, "modelled_value": modelled, "modelled_low": low, "modelled_high": high,
                "tolerance_ru": tolerance_label(kpi_id, value),
                "is_within_tolerance": within_tolerance(kpi_id, value, modelled),
                "servers_peak": max(servers.values()) if servers else None,
                "patience_ru": _patience_text(cal), "model_kind": kind, "erlang_a_value": formula.get(kpi_id),
                "replications": runner.replications, "seed": runner.seed, "runtime_s": model.seconds,
            })  # fmt: skip
    table = pd.DataFrame(rows, columns=CALIBRATION_COLUMNS)
    reliable = table.groupby(["system", "unit_id", "period_from", "period_to"])["is_within_tolerance"].transform(
        lambda s: bool(s.fillna(True).all())
    )
    table["is_reliable"] = reliable
    return table


def scenario_periods(runner: Runner) -> list[tuple[str, str, tuple[dt.date, dt.date]]]:
    """(system, unit, period) of every queue scenario that parses, for its calibration check."""
    out = []
    targets = known_targets(runner.inputs)
    for raw in runner.inputs.scenarios.to_dict("records") if len(runner.inputs.scenarios) else []:
        raw = dict(raw)
        number = int(raw.pop("row_number"))
        try:
            sc = parse(number, raw, targets)
            if sc.model in SYSTEM_OF_MODEL:
                system = SYSTEM_OF_MODEL[sc.model]
                out.append((system, sc.target, scenario_period(runner, sc, system)))
        except (ScenarioError, ValueError, KeyError):
            continue  # reported with its reason when the scenarios run
    return out


def _patience_text(cal: queueing.Calibration) -> str:
    if cal.patience_kind == "km":
        mean = 1 / cal.theta if cal.theta > 0 else float("inf")
        return f"Каплан–Мейер по брошенным звонкам; Erlang-A: θ = 1/{mean:.0f} с"
    mu, sigma = cal.patience_lognormal
    return f"логнормальное, медиана {np.exp(mu) / 60:.0f} мин, σ = {sigma:.2f}"


CALIBRATION_COLUMNS = [
    "region_id", "system", "unit_id", "office_id", "period_from", "period_to", "days", "kpi_id",
    "measured_value", "modelled_value", "modelled_low", "modelled_high", "tolerance_ru", "is_within_tolerance",
    "servers_peak", "patience_ru", "model_kind", "erlang_a_value", "replications", "seed", "runtime_s", "is_reliable",
]  # fmt: skip


# ---------------------------------------------------------------- scenarios


RESULT_COLUMNS = [
    "scenario_id", "row_number", "scenario_name_ru", "description_ru", "region_id", "model", "target", "office_id",
    "change", "value", "weekdays", "hours", "base_from", "base_to", "measure_id", "kpi_id", "kpi_name_ru", "unit",
    "direction", "now_value", "baseline_model_value", "predicted_value", "predicted_low", "predicted_high",
    "norm_value", "meets_norm_now", "meets_norm_predicted", "is_reliable", "reliability_note_ru", "status",
    "error_ru", "runtime_s", "replications", "seed",
]  # fmt: skip
HOURLY_COLUMNS = [
    "scenario_id", "kpi_id", "local_hour", "now_value", "baseline_model_value", "predicted_value", "predicted_low",
    "predicted_high", "norm_value", "is_changed_hour",
]  # fmt: skip


def known_targets(inputs: Inputs) -> dict[str, set[str]]:
    s = inputs.services
    f = inputs.funnel
    return {
        "office_queue": set(s.loc[s["system"] == "office", "unit_id"]) if len(s) else set(),
        "call_queue": set(s.loc[s["system"] == "call", "unit_id"]) if len(s) else set(),
        "journey_stage": {f"{j}:{st}" for j, st in zip(f["journey_id"], f["stage_id"], strict=True)}
        if len(f)
        else set(),
        "chatbot_intent": chatbot.topics(inputs.chats),
    }


def scenario_period(runner: Runner, sc: Scenario, system: str) -> tuple[dt.date, dt.date]:
    if sc.measure_id:  # a backtest: only the data before the measure
        start = _measure_start(runner.inputs, sc.measure_id)
        if start is None:
            raise ScenarioError(f"scenarios row {sc.row} ({sc.scenario_id}): measure {sc.measure_id} has no start date")
        return start - dt.timedelta(days=PERIOD_DAYS), start - dt.timedelta(days=1)
    default = runner.default_period(system, sc.target)
    return sc.base_from or default[0], sc.base_to or default[1]


def _measure_start(inputs: Inputs, measure_id: str) -> dt.date | None:
    e = inputs.effects
    if e.empty:
        return None
    match = e[e["measure_id"] == measure_id]
    return None if match.empty else match["start_date"].iloc[0]


def run_scenario(
    runner: Runner, sc: Scenario, reliability: dict[tuple[Any, ...], bool]
) -> tuple[list[dict], list[dict]]:
    """Rows of scenario_results and scenario_hourly for one scenario."""
    started = time.perf_counter()
    base = {
        "scenario_id": sc.scenario_id, "row_number": sc.row, "scenario_name_ru": sc.name_ru,
        "description_ru": sc.description_ru, "region_id": sc.region_id, "model": sc.model, "target": sc.target,
        "change": sc.change_kind, "value": sc.value, "weekdays": sc.weekdays_text, "hours": sc.hours_text,
        "measure_id": sc.measure_id, "replications": runner.replications, "seed": runner.seed, "status": "ok",
        "error_ru": None,
    }  # fmt: skip
    rows, hourly = [], []
    if sc.model == "chatbot_intent":
        rows = _chatbot_rows(runner, sc, base)
    elif sc.model == "journey_stage":
        journey_id, stage_id = sc.target.split(":", 1)
        f = runner.inputs.funnel
        f = f[(f["journey_id"] == journey_id) & (f["region_id"] == sc.region_id)].sort_values("stage_order")
        stages = [
            funnel.Stage(r["stage_id"], int(r["clients_reached"] or 0),
                         None if pd.isna(r["clients_next"]) else int(r["clients_next"]), int(r["dropped"] or 0))
            for r in f.to_dict("records")
        ]  # fmt: skip
        if not stages or sum(s.reached for s in stages) == 0:
            raise ScenarioError(f"scenarios row {sc.row} ({sc.scenario_id}): no clients on journey {journey_id}")
        predicted = funnel.predict(stages, stage_id, sc.value, seed=runner.seed)
        for kpi_id in sc.kpi_ids:
            now, point, low, high = predicted[kpi_id]
            rows.append(_result_row(runner, base, kpi_id, now, None, (point, low, high), True, None, sc.target))
    else:
        system = SYSTEM_OF_MODEL[sc.model]
        period = scenario_period(runner, sc, system)
        measured = runner.measured(system, sc.target, period, sc.change.weekdays)
        baseline = runner.predict(system, sc.target, period, queueing.Change(weekdays=sc.change.weekdays))
        changed = runner.predict(system, sc.target, period, sc.change)
        reliable = reliability.get((system, sc.target, *period), reliability.get((system, sc.target), True))
        note = None if reliable else "модель не прошла проверку калибровки: прогноз ненадёжен"
        office_id = sc.target if system == "office" else _queue_office(runner.inputs, sc.target)
        for kpi_id in sc.kpi_ids:
            row = _result_row(runner, base, kpi_id, measured.values[kpi_id][0], baseline.values[kpi_id][0],
                              changed.values[kpi_id], reliable, note, office_id)  # fmt: skip
            row.update(base_from=period[0], base_to=period[1])
            rows.append(row)
            norm, _ = runner.norm(kpi_id)
            share = (runner.kpi_meta.get(kpi_id, {}).get("unit") or DEFAULT_UNITS.get(kpi_id, "share")) == "share"
            for hour, (h_pred, h_low, h_high) in changed.hourly[kpi_id].items():
                hourly.append({
                    "scenario_id": sc.scenario_id, "kpi_id": kpi_id, "local_hour": hour,
                    "now_value": measured.hourly[kpi_id].get(hour, (None,))[0],
                    "baseline_model_value": baseline.hourly[kpi_id].get(hour, (None,))[0],
                    "predicted_value": h_pred, "norm_value": norm,
                    "predicted_low": None if h_low is None else (max(0.0, h_low) if share else h_low),
                    "predicted_high": None if h_high is None else (min(1.0, h_high) if share else h_high),
                    "is_changed_hour": sc.change.hours[0] <= hour < sc.change.hours[1],
                })  # fmt: skip
    seconds = time.perf_counter() - started
    for row in rows:
        row["runtime_s"] = round(seconds, 2)
    return rows, hourly


def _chatbot_rows(runner: Runner, sc: Scenario, base: dict) -> list[dict]:
    """A chatbot topic answered instead of falling back (``include.modelling.chatbot``), on the
    region's chats of the period (the last 28 days of chats unless base_from/base_to say)."""
    chats = runner.inputs.chats
    chats = chats[chats["region_id"] == sc.region_id] if len(chats) else chats
    if chats.empty:
        raise ScenarioError(f"scenarios row {sc.row} ({sc.scenario_id}): no chats in region {sc.region_id}")
    last = max(chats["local_date"])
    period = (sc.base_from or last - dt.timedelta(days=PERIOD_DAYS - 1), sc.base_to or last)
    chats = chats[(chats["local_date"] >= period[0]) & (chats["local_date"] <= period[1])]
    k = runner.inputs.bot_kpis
    k = k[(k["region_id"] == sc.region_id) & (k["local_date"] >= period[0]) & (k["local_date"] <= period[1])]

    def measured(kpi_id: str) -> float | None:
        rows = k[k["kpi_id"] == kpi_id]
        return float(rows["numerator"].sum() / rows["denominator"].sum()) if rows["denominator"].sum() else None

    fallback_now = measured("chatbot_fallback_rate")
    counted = chatbot.count(chats, sc.target)
    if counted.fallback_topic == 0 or fallback_now is None:
        raise ScenarioError(
            f"scenarios row {sc.row} ({sc.scenario_id}): no fallback chats on {sc.target!r} from {period[0]} to {period[1]}"
        )
    predicted = chatbot.predict(counted, fallback_now, sc.value, replications=runner.replications, seed=runner.seed)
    rows = []
    for kpi_id in sc.kpi_ids:
        model_now, point, low, high = predicted[kpi_id]
        row = _result_row(runner, base, kpi_id, measured(kpi_id), model_now, (point, low, high), True, None, None)
        row.update(base_from=period[0], base_to=period[1])
        rows.append(row)
    return rows


def _queue_office(inputs: Inputs, queue_name: str) -> str | None:
    q = inputs.queues
    match = q[q["queue_name"] == queue_name] if len(q) else q
    return None if match.empty else str(match["office_id"].iloc[0])


def _result_row(runner: Runner, base: dict, kpi_id: str, now: float | None, baseline: float | None,
                predicted: tuple[float | None, float | None, float | None], reliable: bool, note: str | None,
                office_id: str | None) -> dict[str, Any]:  # fmt: skip
    norm, direction = runner.norm(kpi_id)
    if kpi_id == "journey_completion":
        direction = "higher_is_better"
    meta = runner.kpi_meta.get(kpi_id, {})
    if (meta.get("unit") or DEFAULT_UNITS.get(kpi_id, "share")) == "share":
        predicted = tuple(None if v is None else min(1.0, max(0.0, v)) for v in predicted)  # type: ignore[assignment]
    return {
        **base, "office_id": office_id if runner.windows_seed.get(str(office_id)) is not None else None,
        "kpi_id": kpi_id, "kpi_name_ru": meta.get("kpi_name_ru") or _EXTRA_KPI_NAMES.get(kpi_id, kpi_id),
        "unit": meta.get("unit") or DEFAULT_UNITS.get(kpi_id, "share"), "direction": direction, "now_value": now,
        "baseline_model_value": baseline, "predicted_value": predicted[0], "predicted_low": predicted[1],
        "predicted_high": predicted[2], "norm_value": norm, "meets_norm_now": meets(now, norm, direction),
        "meets_norm_predicted": meets(predicted[0], norm, direction), "is_reliable": reliable,
        "reliability_note_ru": note,
    }  # fmt: skip


_EXTRA_KPI_NAMES = {"journey_completion": "Доля клиентов, дошедших до последней стадии маршрута"}
DEFAULT_UNITS = {"office_wait_walkin_median": "minutes", "call_asa": "seconds"}


def run_scenarios(runner: Runner, reliability: dict[tuple[Any, ...], bool]) -> tuple[pd.DataFrame, pd.DataFrame]:
    results: list[dict] = []
    hourly: list[dict] = []
    targets = known_targets(runner.inputs)
    seen: set[str] = set()
    for raw in runner.inputs.scenarios.to_dict("records") if len(runner.inputs.scenarios) else []:
        raw = dict(raw)
        number = int(raw.pop("row_number"))
        try:
            sc = parse(number, raw, targets)
            if sc.scenario_id in seen:
                raise ScenarioError(f"scenarios row {number} ({sc.scenario_id}): scenario_id used by an earlier row")
            seen.add(sc.scenario_id)
            rows, hours = run_scenario(runner, sc, reliability)
        except ScenarioError as exc:
            log.error("%s", exc)
            results.append(_error_row(number, raw, str(exc)))
            continue
        except Exception as exc:  # a model failure on one row must not stop the others
            log.exception("scenario row %s failed", number)
            results.append(_error_row(number, raw, f"scenarios row {number} ({raw.get('scenario_id')}): {exc}"))
            continue
        results.extend(rows)
        hourly.extend(hours)
    return pd.DataFrame(results, columns=RESULT_COLUMNS), pd.DataFrame(hourly, columns=HOURLY_COLUMNS)


def _error_row(number: int, raw: dict[str, Any], message: str) -> dict[str, Any]:
    sid = raw.get("scenario_id")
    return {
        "scenario_id": sid if isinstance(sid, str) and sid.strip() else f"row-{number}", "row_number": number,
        "scenario_name_ru": raw.get("scenario_name_ru"), "region_id": raw.get("region_id"),
        "model": raw.get("model"), "target": raw.get("target"), "status": "error", "error_ru": message,
    }  # fmt: skip


# ---------------------------------------------------------------- backtest


BACKTEST_COLUMNS = [
    "measure_id", "scenario_id", "region_id", "office_id", "kpi_id", "start_date", "base_from", "base_to",
    "before_measured", "baseline_model_value", "predicted_value", "predicted_low", "predicted_high",
    "measured_after", "measured_after_low", "measured_after_high", "measured_change", "predicted_change",
    "is_inside_measured_interval", "intervals_overlap", "is_reliable",
]  # fmt: skip


def backtest_table(runner: Runner, results: pd.DataFrame) -> pd.DataFrame:
    rows = []
    effects = runner.inputs.effects
    done = results[(results["status"] == "ok") & results["measure_id"].notna()] if len(results) else results
    for r in done.to_dict("records"):
        e = effects[effects["measure_id"] == r["measure_id"]]
        if e.empty or r["kpi_id"] != e["kpi_id"].iloc[0]:
            continue
        eff = e.iloc[0]
        before = _num(eff["before_value"])
        after = _num(eff["after_value"])
        # the after-level as improvement_effects measured it: before + the change's 95 % interval
        ci_low, ci_high = _num(eff["change_ci_low"]), _num(eff["change_ci_high"])
        low = before + ci_low if before is not None and ci_low is not None else None
        high = before + ci_high if before is not None and ci_high is not None else None
        pred = r["predicted_value"]
        rows.append({
            "measure_id": r["measure_id"], "scenario_id": r["scenario_id"], "region_id": r["region_id"],
            "office_id": r["office_id"], "kpi_id": r["kpi_id"], "start_date": eff["start_date"],
            "base_from": r["base_from"], "base_to": r["base_to"], "before_measured": before,
            "baseline_model_value": r["baseline_model_value"], "predicted_value": pred,
            "predicted_low": r["predicted_low"], "predicted_high": r["predicted_high"],
            "measured_after": after, "measured_after_low": low, "measured_after_high": high,
            "measured_change": _num(eff["change"]),
            "predicted_change": None if pred is None or before is None else pred - before,
            "is_inside_measured_interval": None if low is None or pred is None else bool(low <= pred <= high),
            "intervals_overlap": None if low is None or r["predicted_low"] is None
            else bool(r["predicted_low"] <= high and low <= r["predicted_high"]),
            "is_reliable": r["is_reliable"],
        })  # fmt: skip
    return pd.DataFrame(rows, columns=BACKTEST_COLUMNS)


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


# ---------------------------------------------------------------- instruments for pain points


EFFECT_COLUMNS = [
    "region_id", "kpi_id", "journey_id", "stage_id", "touchpoint_id", "office_id", "instrument_id", "model_target",
    "change", "value", "hours", "now_value", "baseline_model_value", "predicted_value", "predicted_low",
    "predicted_high", "norm_value", "gap_closed_share", "is_norm_met_now", "is_reliable",
]  # fmt: skip


def _peak_hours(
    runner: Runner, system: str, unit: str, period: tuple[dt.date, dt.date], kpi_id: str
) -> tuple[int, int]:
    """The ``PEAK_HOURS`` consecutive hours where the KPI misses its norm by the most clients."""
    measured = runner.measured(system, unit, period).hourly.get(kpi_id, {})
    rows = runner.unit_rows(system, unit)
    rows = rows[(rows["local_date"] >= period[0]) & (rows["local_date"] <= period[1])]
    counts = (rows["ready_s"] // 3600).value_counts().to_dict()
    norm, direction = runner.norm(kpi_id)
    hours = sorted(h for h, v in measured.items() if v[0] is not None)
    if not hours or norm is None:
        return (hours[0] if hours else 8, (hours[0] if hours else 8) + PEAK_HOURS)

    def miss(h: int) -> float:
        value = measured.get(h, (None,))[0]
        if value is None:
            return 0.0
        gap = norm - value if direction == "higher_is_better" else value - norm
        return max(gap, 0.0) / max(abs(norm), 1e-9) * counts.get(h, 0)

    best = max(hours, key=lambda h: sum(miss(x) for x in range(h, h + PEAK_HOURS)))
    return (best, best + PEAK_HOURS)


def instrument_effects(runner: Runner, reliability: dict[tuple[Any, ...], bool]) -> pd.DataFrame:
    """The modelled effect of each modelled instrument on each pain point a model covers."""
    rows: list[dict] = []
    points, instruments = runner.inputs.pain_points, runner.inputs.instruments
    if points.empty or instruments.empty:
        return pd.DataFrame(columns=EFFECT_COLUMNS)
    modelled = instruments[instruments["model"].notna() & (instruments["model"].astype(str) != "")]
    keys = points[["region_id", "kpi_id", "journey_id", "stage_id", "touchpoint_id", "office_id"]].drop_duplicates()
    for raw_point in keys.to_dict("records"):
        point = {k: None if v is None or (isinstance(v, float) and np.isnan(v)) else v for k, v in raw_point.items()}
        for inst in modelled.to_dict("records"):
            kpis = str(inst["kpi_ids"]).split(";")
            touchpoints = str(inst["touchpoint_ids"]).split(";")
            if point["kpi_id"] not in kpis or (point["touchpoint_id"] and point["touchpoint_id"] not in touchpoints):
                continue
            try:
                row = _instrument_effect(runner, point, inst, reliability)
            except (ScenarioError, ValueError, KeyError) as exc:
                log.warning("instrument %s on %s: %s", inst["instrument_id"], point, exc)
                continue
            if row:
                rows.append(row)
    return pd.DataFrame(rows, columns=EFFECT_COLUMNS)


def _instrument_effect(runner: Runner, point: dict, inst: dict, reliability: dict) -> dict[str, Any] | None:
    model, kind = str(inst["model"]), str(inst["change"])
    value = 0.0 if inst.get("value") is None or pd.isna(inst.get("value")) else float(inst["value"])
    kpi_id = point["kpi_id"]
    norm, direction = runner.norm(kpi_id)
    hours_text = None
    now: float | None
    baseline: float | None
    pred: float | None
    low: float | None
    high: float | None
    target: str | None
    if model == "journey_stage":
        if not point.get("journey_id") or not point.get("stage_id") or kpi_id not in funnel.FUNNEL_KPIS:
            return None
        f = runner.inputs.funnel
        f = f[(f["journey_id"] == point["journey_id"]) & (f["region_id"] == point["region_id"])].sort_values(
            "stage_order"
        )
        stages = [funnel.Stage(r["stage_id"], int(r["clients_reached"] or 0),
                               None if pd.isna(r["clients_next"]) else int(r["clients_next"]), int(r["dropped"] or 0))
                  for r in f.to_dict("records")]  # fmt: skip
        if point["stage_id"] not in [s.stage_id for s in stages]:
            return None
        now, pred, low, high = funnel.predict(stages, point["stage_id"], value, seed=runner.seed)[kpi_id]
        baseline, reliable, target = now, True, f"{point['journey_id']}:{point['stage_id']}"
    else:
        system = SYSTEM_OF_MODEL[model]
        if kpi_id not in (OFFICE_KPIS if system == "office" else CALL_KPIS) or not point.get("office_id"):
            return None
        target = point["office_id"] if system == "office" else _office_queue(runner.inputs, point["office_id"])
        if target is None or runner.unit_rows(system, target).empty:
            return None
        period = runner.default_period(system, target)
        hours = (0, 24)
        if str(inst.get("hours") or "") == "peak":
            hours = _peak_hours(runner, system, target, period, kpi_id)
            hours_text = f"{hours[0]}-{hours[1]}"
        change = queueing.Change(kind=kind, value=value, hours=hours)
        now = runner.measured(system, target, period).values[kpi_id][0]
        baseline = runner.predict(system, target, period, queueing.Change()).values[kpi_id][0]
        pred, low, high = runner.predict(system, target, period, change).values[kpi_id]
        reliable = reliability.get((system, target), True)
    closed, met = None, None
    if norm is not None and baseline is not None and pred is not None:
        gap = (norm - baseline) if direction == "higher_is_better" else (baseline - norm)
        gain = (pred - baseline) if direction == "higher_is_better" else (baseline - pred)
        met = gap <= 0
        # a gap the model no longer sees in the latest weeks is not closed by the instrument
        closed = 0.0 if met else max(0.0, gain / gap)
    return {
        **point, "instrument_id": inst["instrument_id"], "model_target": target, "change": kind, "value": value,
        "hours": hours_text, "now_value": now, "baseline_model_value": baseline, "predicted_value": pred,
        "predicted_low": low, "predicted_high": high, "norm_value": norm, "gap_closed_share": closed,
        "is_norm_met_now": met, "is_reliable": reliable,
    }  # fmt: skip


def _office_queue(inputs: Inputs, office_id: str) -> str | None:
    q = inputs.queues
    match = q[(q["office_id"] == office_id) & (q["touchpoint_id"] == "call_centre_operator")] if len(q) else q
    return None if match.empty else str(match["queue_name"].iloc[0])


# ---------------------------------------------------------------- everything


def run_all(inputs: Inputs, *, replications: int = REPLICATIONS, seed: int = SEED) -> dict[str, pd.DataFrame]:
    """Every output table, in the order they are computed."""
    runner = Runner(inputs, replications=replications, seed=seed)
    started = time.perf_counter()
    calibration = calibration_table(runner, scenario_periods(runner))
    reliability: dict[tuple[Any, ...], bool] = {}
    for r in calibration.to_dict("records"):
        reliability[(r["system"], r["unit_id"], r["period_from"], r["period_to"])] = bool(r["is_reliable"])
        if (r["period_from"], r["period_to"]) == runner.default_period(r["system"], r["unit_id"]):
            reliability[(r["system"], r["unit_id"])] = bool(r["is_reliable"])
    log.info(
        "calibration: %s checks in %.1f s",
        len(calibration.groupby(["unit_id", "period_from"])),
        time.perf_counter() - started,
    )
    results, hourly = run_scenarios(runner, reliability)
    log.info("scenarios: %s rows (%s errors)", len(results), int((results["status"] == "error").sum()))
    backtest = backtest_table(runner, results)
    effects = instrument_effects(runner, reliability)
    log.info("instrument effects: %s rows; all in %.1f s", len(effects), time.perf_counter() - started)
    return {
        "model_calibration": calibration,
        "scenario_results": results,
        "scenario_hourly": hourly,
        "model_backtest": backtest,
        "instrument_effects": effects,
    }


__all__ = ["MODELS", "Inputs", "load_inputs", "run_all"]
