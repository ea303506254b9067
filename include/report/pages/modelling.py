"""The page «Моделирование мер» (``modelling.html``): scenarios of corrective measures, the
calibration check of the models, the backtest against measures already taken, and the instruments
suggested for the pain points.

Built from :mod:`include.report.data.modelling` (the schema ``modelling``, written by
``dags/model_scenarios.py``, and the marts).
The page is part of every site render (``render_site``) and is rewritten on its own, atomically,
after each modelling publish (:func:`render_modelling_page`).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from include.modelling.scenarios import parse_weekdays
from include.report.common import Chart, slug
from include.report.data.effects import instrument_order
from include.report.data.modelling import ModellingData, load_modelling
from include.report.formatting import date_label, datetime_label, format_norm, format_value, plural
from include.report.labels import COST_WORDS, HORIZON_RU, SYSTEM_RU, WEEKDAY_PLURAL_RU, WEEKDAYS_RU
from include.report.templating import environment, render_page

PAGE = "modelling.html"
NORM_COLOUR = "#616161"


@dataclass
class KpiLine:
    kpi_name: str
    now: str
    predicted: str
    interval: str
    norm: str
    verdict: str
    verdict_state: str  # ok | bad | unknown


@dataclass
class ScenarioView:
    scenario_id: str
    name: str
    description: str
    where: str
    change: str
    period: str
    reliable: bool
    note: str
    lines: list[KpiLine]
    chart: Chart | None
    runtime: str
    measure_id: str | None
    model: str = ""
    target: str = ""
    kpi_ids: tuple[str, ...] = ()
    scope: str = ""  # what the table covers when the chart covers less (a change on some weekdays)


@dataclass
class ModellingPage:
    region_name: str
    published_text: str
    scenarios: list[ScenarioView] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    backtest: list[dict[str, str]] = field(default_factory=list)
    calibration: list[dict[str, str]] = field(default_factory=list)
    pain_points: list[dict[str, Any]] = field(default_factory=list)
    quick_share: str = ""
    charts: list[Chart] = field(default_factory=list)
    has_results: bool = False


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "share":  # an interval of a share stops at 0 and 100 %
        value = min(1.0, max(0.0, float(value)))
    unit = "seconds" if unit == "seconds" else unit
    return format_value(float(value), unit if unit != "score" else "score")


def _unit(kpi_id: str, unit: str | None) -> str:
    return unit or ("minutes" if kpi_id == "office_wait_walkin_median" else "share")


def _days_text(text: str) -> str:
    """ "1" → «по понедельникам», "1-5" → «по будням (пн–пт)», "" → «каждый день»."""
    if not text:
        return "каждый день"
    days = parse_weekdays(text)
    if len(days) == 1:
        return "по " + WEEKDAY_PLURAL_RU[next(iter(days))]
    if days == frozenset(range(1, 6)):
        return "по будням (пн–пт)"
    return "по дням: " + ", ".join(WEEKDAYS_RU[d] for d in sorted(days))


def _change_text(row: dict[str, Any]) -> str:
    kind, value, model = row["change"], float(row["value"]), row["model"]
    n = round(value)
    if kind in ("add_servers", "set_servers"):
        if model == "office_queue":
            noun = plural(n, "окно приёма", "окна приёма", "окон приёма")
        else:
            noun = plural(n, "оператор", "оператора", "операторов")
        text = f"+{n} {noun}" if kind == "add_servers" else f"работают {n} {noun}"
    elif kind == "service_time_factor":
        text = f"время приёма {'короче' if value < 1 else 'дольше'} на {abs(1 - value) * 100:.0f} %"
    elif kind == "dropoff_factor":
        text = f"отказов на стадии {'меньше' if value < 1 else 'больше'} на {abs(1 - value) * 100:.0f} %"
    elif kind == "answer_share":
        text = f"бот отвечает на {value * 100:.0f} % вопросов темы, на которых сейчас не понимает клиента"
    else:
        text = f"{kind} {value:g}"
    if model in ("journey_stage", "chatbot_intent"):
        return text
    text += ", " + _days_text(row.get("weekdays") or "")
    if row.get("hours"):
        lo, _, hi = str(row["hours"]).partition("-")
        text += f", с {lo}:00 до {hi}:00"
    return text


def _where(row: dict[str, Any], offices: dict[str, str], queues: dict[str, str], stages: dict[str, str]) -> str:
    if row["model"] == "office_queue":
        return f"Электронная очередь: {offices.get(row['target'], row['target'])}"
    if row["model"] == "call_queue":
        return f"Контакт-центр: {queues.get(row['target'], row['target'])}"
    if row["model"] == "chatbot_intent":
        return f"Чат-бот, тема «{stages.get('chatbot:' + str(row['target']), row['target'])}»"
    journey, _, stage = str(row["target"]).partition(":")
    return "Маршрут " + stages.get(str(row["target"]), f"{journey}, стадия {stage}")


def _verdict(meets: bool | None, reliable: bool) -> tuple[str, str]:
    if meets is None:
        return "нет норматива", "unknown"
    text = "да" if meets else "нет"
    if not reliable:
        text += " (модель ненадёжна)"
    return text, "ok" if meets else "bad"


def _hourly_chart(chart_id: str, title: str, rows: list[dict[str, Any]], unit: str, hours: tuple[int, int]) -> Chart:
    scale = 100 if unit == "share" else 1
    x = [f"{r['local_hour']}:00" for r in rows]

    def values(key: str) -> list[float | None]:
        return [None if r[key] is None else round(float(r[key]) * scale, 2) for r in rows]

    pred = values("predicted_value")
    low, high = values("predicted_low"), values("predicted_high")
    err_plus = [None if p is None or h is None else round(h - p, 2) for p, h in zip(pred, high, strict=True)]
    err_minus = [None if p is None or lo is None else round(p - lo, 2) for p, lo in zip(pred, low, strict=True)]
    norm = rows[0]["norm_value"] if rows else None
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines+markers", "name": "Сейчас (данные)", "x": x, "y": values("now_value"),
         "line": {"color": "#1f77b4"}},
        {"type": "scatter", "mode": "lines", "name": "Модель без изменений", "x": x, "y": values("baseline_model_value"),
         "line": {"color": "#9e9e9e", "dash": "dot"}},
        {"type": "scatter", "mode": "lines+markers", "name": "Прогноз с мерой (95 % интервал)", "x": x, "y": pred,
         "line": {"color": "#ff7f0e"}, "error_y": {"type": "data", "array": err_plus, "arrayminus": err_minus,
                                                    "visible": True}},
    ]  # fmt: skip
    if norm is not None:
        data.append({"type": "scatter", "mode": "lines", "name": "Норматив", "x": x, "y": [float(norm) * scale] * len(x),
                     "line": {"color": NORM_COLOUR, "dash": "dash"}})  # fmt: skip
    changed = [f"{h}:00" for h in range(hours[0], hours[1]) if f"{h}:00" in x]
    shapes = []
    if changed and hours != (0, 24):
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "x0": changed[0], "x1": changed[-1], "y0": 0,
                       "y1": 1, "fillcolor": "rgba(255,127,14,0.08)", "line": {"width": 0}, "layer": "below"})  # fmt: skip
    suffix = " %" if unit == "share" else (" мин" if unit == "minutes" else " с")
    spec = {
        "data": data,
        "layout": {
            "height": 300, "margin": {"l": 50, "r": 10, "t": 10, "b": 40}, "shapes": shapes,
            "xaxis": {"title": {"text": "Час (местное время)"}, "type": "category"},
            "yaxis": {"ticksuffix": suffix, "rangemode": "tozero"}, "legend": {"orientation": "h", "y": -0.25},
        },
        "config": {"displayModeBar": False, "responsive": True},
    }  # fmt: skip
    return Chart(chart_id, title, "оранжевая полоса — часы, когда действует мера", spec)


def _bar_chart(chart_id: str, title: str, row: dict[str, Any], unit: str) -> Chart:
    scale = 100 if unit == "share" else 1
    now = None if row["now_value"] is None else round(float(row["now_value"]) * scale, 2)
    pred = None if row["predicted_value"] is None else round(float(row["predicted_value"]) * scale, 2)
    high = None if row["predicted_high"] is None else round(float(row["predicted_high"]) * scale, 2)
    low = None if row["predicted_low"] is None else round(float(row["predicted_low"]) * scale, 2)
    data: list[dict[str, Any]] = [
        {"type": "bar", "name": "Сейчас", "x": ["Сейчас"], "y": [now], "marker": {"color": "#1f77b4"}},
        {"type": "bar", "name": "Прогноз", "x": ["Прогноз с мерой"], "y": [pred], "marker": {"color": "#ff7f0e"},
         "error_y": {"type": "data", "array": [None if high is None or pred is None else round(high - pred, 2)],
                     "arrayminus": [None if low is None or pred is None else round(pred - low, 2)], "visible": True}},
    ]  # fmt: skip
    shapes = []
    if row.get("norm_value") is not None:
        n = float(row["norm_value"]) * scale
        shapes.append({"type": "line", "xref": "paper", "x0": 0, "x1": 1, "y0": n, "y1": n,
                       "line": {"color": NORM_COLOUR, "dash": "dash"}})  # fmt: skip
    suffix = " %" if unit == "share" else ""
    spec = {
        "data": data,
        "layout": {"height": 260, "margin": {"l": 50, "r": 10, "t": 10, "b": 30}, "shapes": shapes,
                   "showlegend": False, "yaxis": {"ticksuffix": suffix, "rangemode": "tozero"}},
        "config": {"displayModeBar": False, "responsive": True},
    }  # fmt: skip
    return Chart(chart_id, title, "пунктир — норматив", spec)


def build_page(
    dsn: str, region_id: str, region_name: str, published_at: datetime, tz: str, marts: str = "marts"
) -> ModellingPage:
    page = ModellingPage(region_name, datetime_label(published_at, ZoneInfo(tz)))
    data = load_modelling(dsn, region_id, marts)
    if data.has_results:
        page.has_results = True
        _scenarios(data, page)
        _backtest(data, page)
        _calibration(data, page)
    _pain_points(data, page)
    return page


def _scenarios(data: ModellingData, page: ModellingPage) -> None:
    by_scenario: dict[str, list[dict[str, Any]]] = {}
    for row in data.results:
        if row["status"] == "error":
            page.errors.append(row["error_ru"])
            continue
        by_scenario.setdefault(row["scenario_id"], []).append(row)
    for number, (sid, rows) in enumerate(by_scenario.items()):
        first = rows[0]
        lines = []
        for r in rows:
            unit = _unit(r["kpi_id"], r["unit"])
            verdict, state = _verdict(r["meets_norm_predicted"], bool(r["is_reliable"]))
            lines.append(KpiLine(
                kpi_name=r["kpi_name_ru"], now=_fmt(r["now_value"], unit), predicted=_fmt(r["predicted_value"], unit),
                interval=f"{_fmt(r['predicted_low'], unit)} … {_fmt(r['predicted_high'], unit)}",
                norm=format_norm(float(r["norm_value"]), unit, r["direction"]) if r["norm_value"] is not None else "—",
                verdict=verdict, verdict_state=state,
            ))  # fmt: skip
        headline = rows[0]
        unit = _unit(headline["kpi_id"], headline["unit"])
        chart_id = f"scenario-{number}"
        title = f"{headline['kpi_name_ru']}: сейчас и с мерой"
        hours_rows = [h for h in data.hourly if h["scenario_id"] == sid and h["kpi_id"] == headline["kpi_id"]]
        scope = ""
        if first.get("hours") and hours_rows:
            lo, _, hi = str(first["hours"]).partition("-")
            days = _days_text(first.get("weekdays") or "")
            chart = _hourly_chart(chart_id, f"{title}, по часам ({days})", hours_rows, unit, (int(lo), int(hi)))
            if first.get("weekdays"):
                # the table's values are the period's every day (include.modelling.run: measured),
                # the chart's hours only the changed weekdays
                scope = f"В таблице — все дни периода; на графике — {days}, по часам."
        else:
            chart = _bar_chart(chart_id, title, headline, unit)
        page.charts.append(chart)
        period = (
            f"{date_label(first['base_from'])} — {date_label(first['base_to'])}"
            if first.get("base_from")
            else "весь период данных"
        )
        page.scenarios.append(ScenarioView(
            scenario_id=sid, name=first["scenario_name_ru"], description=first["description_ru"] or "",
            where=_where(first, data.offices, data.queues, data.stages), change=_change_text(first), period=period,
            reliable=bool(first["is_reliable"]), note=first["reliability_note_ru"] or "", lines=lines, chart=chart,
            runtime=f"{first['runtime_s']:.1f} с".replace(".", ","), measure_id=first["measure_id"],
            model=first["model"], target=first["target"], kpi_ids=tuple(r["kpi_id"] for r in rows), scope=scope,
        ))  # fmt: skip


def _backtest(data: ModellingData, page: ModellingPage) -> None:
    offices = data.offices
    for r in data.backtest:
        unit = "share"
        inside = r["is_inside_measured_interval"]
        page.backtest.append({
            "measure": r["measure_id"], "office": offices.get(r["office_id"], r["office_id"] or ""),
            "start": date_label(r["start_date"]), "base": f"{date_label(r['base_from'])} — {date_label(r['base_to'])}",
            "before": _fmt(r["before_measured"], unit),
            "predicted": f"{_fmt(r['predicted_value'], unit)} ({_fmt(r['predicted_low'], unit)} … {_fmt(r['predicted_high'], unit)})",
            "measured": f"{_fmt(r['measured_after'], unit)} ({_fmt(r['measured_after_low'], unit)} … {_fmt(r['measured_after_high'], unit)})",
            "verdict": ("прогноз внутри измеренного интервала" if inside else "прогноз вне измеренного интервала")
            + ("" if r["is_reliable"] else "; модель на данных до меры вне допуска (см. «Проверка моделей»)"),
            "state": "ok" if inside else "bad",
        })  # fmt: skip


def _calibration(data: ModellingData, page: ModellingPage) -> None:
    for r in data.calibration:
        name, unit = data.kpi_names.get(r["kpi_id"], (r["kpi_id"], "share"))
        unit = _unit(r["kpi_id"], unit)
        where = data.offices.get(r["unit_id"]) if r["system"] == "office" else data.queues.get(r["unit_id"])
        ok = r["is_within_tolerance"]
        page.calibration.append({
            "unit": f"{SYSTEM_RU[r['system']]}: {where or r['unit_id']}", "kpi": name,
            "period": f"{date_label(r['period_from'])} — {date_label(r['period_to'])}",
            "measured": _fmt(r["measured_value"], unit),
            "modelled": f"{_fmt(r['modelled_value'], unit)} ({_fmt(r['modelled_low'], unit)} … {_fmt(r['modelled_high'], unit)})",
            "formula": _fmt(r["erlang_a_value"], unit) if r.get("erlang_a_value") is not None else "—",
            "tolerance": r["tolerance_ru"], "verdict": "да" if ok else ("нет" if ok is not None else "—"),
            "state": "ok" if ok else ("bad" if ok is not None else "unknown"),
        })  # fmt: skip


def _pain_points(data: ModellingData, page: ModellingPage) -> None:
    offices, stages, queues_of = data.offices, data.stages, data.queues_of
    rows = list(data.pain_rows)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["pain_point_id"], instrument_order(r)))
    points: dict[str, dict[str, Any]] = {}
    for r in rows:
        point = points.setdefault(r["pain_point_id"], {
            "rank": r["rank"], "kpi": r["kpi_name_ru"] or r["kpi_id"],
            "where": offices.get(r["office_id"], "")
            or (stages.get(f"{r['journey_id']}:{r['stage_id']}", f"{r['journey_id']} / {r['stage_id']}") if r["stage_id"] else ""),
            "keys": {r["office_id"], queues_of.get(r["office_id"]), f"{r['journey_id']}:{r['stage_id']}"} - {None},
            "kpi_id": r["kpi_id"],
            "value": _fmt(r["value"], _unit(r["kpi_id"], r["unit"])),
            "norm": _fmt(r["norm_value"], _unit(r["kpi_id"], r["unit"])),
            "quick": bool(r["is_quick_win"]), "instruments": [], "scenarios": [],
        })  # fmt: skip
        if r["instrument_id"]:
            share = r["gap_closed_share"]
            point["instruments"].append({
                "name": r["instrument_name_ru"], "cost": COST_WORDS.get(r["cost_class"], r["cost_class"]),
                "lead": r["lead_time_days"], "horizon": HORIZON_RU.get(r["horizon"], r["horizon"]),
                "effect": "показатель уже в норме за последние 4 недели"
                if r.get("is_norm_met_in_model_period")
                else ("—" if share is None else f"закроет {min(float(share), 1) * 100:.0f} % разрыва"),
                "basis": "модель" if r["effect_basis"] == "model" else "оценка каталога",
                "quick": bool(r["is_quick_win_instrument"]),
            })  # fmt: skip
    for s in page.scenarios:  # a scenario addresses a pain point of its office, queue or stage and KPI
        for point in points.values():
            if s.target in point["keys"] and point["kpi_id"] in s.kpi_ids:
                point["scenarios"].append(s.name)
    ordered = sorted(points.values(), key=lambda p: p["rank"])
    if ordered:
        quick = sum(1 for p in ordered if p["quick"])
        page.quick_share = f"{quick} из {len(ordered)} ({quick / len(ordered) * 100:.0f} %)"
    page.pain_points = ordered[:10]


def modelling_pages(
    dsn: str, regions: list[tuple[str, str, str]], published_at: datetime | None = None, schema: str = "marts"
) -> dict[str, str]:
    """HTML of the modelling page of each region (id, name, time zone), by path from the site root;
    the marts are read from ``schema``, the modelling results from ``modelling``."""
    moment = published_at or datetime.now(UTC)
    env = environment()
    pages = {}
    for region_id, name, tz in regions:
        page = build_page(dsn, region_id, name, moment, tz, schema)
        path = PAGE if len(regions) == 1 else f"{slug(region_id)}/{PAGE}"
        pages[path] = render_page(
            env, "modelling.html.j2", PAGE, kind="modelling", region_name=name, multi_region=len(regions) > 1,
            charts=page.charts, page=page,
        )  # fmt: skip
    return pages


def render_modelling_page(dsn: str, site_dir: Path, *, published_at: datetime | None = None) -> Path:
    """Rewrite only the modelling page(s) of the site in place, each file replaced atomically."""
    from include.report.data.marts import load_site_marts

    regions = [(m.region_id, m.region_name, m.timezone) for m in load_site_marts(dsn)]
    pages = modelling_pages(dsn, regions, published_at)
    written = site_dir / PAGE
    for path, html in pages.items():
        target = site_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=".modelling.", suffix=".tmp", dir=target.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(html)
        os.chmod(temp, 0o644)
        os.replace(temp, target)
        written = target
    return written
