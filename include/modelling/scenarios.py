"""Scenario rows of the ``scenarios`` seed: parsed and validated one by one.

A row that cannot run raises :class:`ScenarioError` whose message names the row (its number in
the seed and its ``scenario_id``) and says what is wrong; the caller records it and runs the rest.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from include.modelling.chatbot import CHATBOT_KPIS
from include.modelling.funnel import FUNNEL_KPIS
from include.modelling.kpis import CALL_KPIS, OFFICE_KPIS
from include.modelling.queueing import Change

MODELS = {
    "office_queue": ({"add_servers", "set_servers", "service_time_factor"}, OFFICE_KPIS),
    "call_queue": ({"add_servers", "set_servers", "service_time_factor"}, CALL_KPIS),
    "journey_stage": ({"dropoff_factor"}, FUNNEL_KPIS),
    "chatbot_intent": ({"answer_share"}, CHATBOT_KPIS),
}


class ScenarioError(ValueError):
    """A scenario row that cannot run; the message names the row."""


@dataclass(frozen=True)
class Scenario:
    row: int
    scenario_id: str
    name_ru: str
    region_id: str
    model: str
    target: str
    change: Change
    change_kind: str
    value: float
    weekdays_text: str
    hours_text: str
    base_from: dt.date | None
    base_to: dt.date | None
    kpi_ids: tuple[str, ...]
    measure_id: str | None
    description_ru: str

    @property
    def by_hour(self) -> bool:
        return self.change.hours != (0, 24)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def parse_weekdays(text: str) -> frozenset[int]:
    """ISO weekdays: "" (all), "1", "1-5", "1;3;5"."""
    if _blank(text):
        return frozenset(range(1, 8))
    days: set[int] = set()
    for part in str(text).replace(",", ";").split(";"):
        part = part.strip()
        if "-" in part:
            lo, hi = (int(x) for x in part.split("-", 1))
            days.update(range(lo, hi + 1))
        else:
            days.add(int(part))
    if not days or min(days) < 1 or max(days) > 7:
        raise ValueError(f"weekdays {text!r}: ISO weekdays 1 (Monday) … 7 (Sunday)")
    return frozenset(days)


def parse_hours(text: str) -> tuple[int, int]:
    """Local hours "8-12" (from 8:00 to 12:00); "" is the whole day."""
    if _blank(text):
        return (0, 24)
    lo_text, sep, hi_text = str(text).partition("-")
    if not sep:
        raise ValueError(f"hours {text!r}: write from-to, e.g. 8-12")
    lo, hi = int(lo_text), int(hi_text)
    if not 0 <= lo < hi <= 24:
        raise ValueError(f"hours {text!r}: 0 ≤ from < to ≤ 24")
    return (lo, hi)


def parse(row_number: int, row: dict[str, Any], known_targets: dict[str, set[str]]) -> Scenario:
    """One seed row as a :class:`Scenario`, or :class:`ScenarioError` naming the row."""
    sid = "" if _blank(row.get("scenario_id")) else str(row["scenario_id"]).strip()
    where = f"scenarios row {row_number} ({sid or 'no scenario_id'})"

    def fail(problem: str) -> ScenarioError:
        return ScenarioError(f"{where}: {problem}")

    if not sid:
        raise fail("scenario_id is empty")
    model = str(row.get("model") or "").strip()
    if model not in MODELS:
        raise fail(f"model {model!r} is not one of {', '.join(sorted(MODELS))}")
    changes, allowed_kpis = MODELS[model]
    kind = str(row.get("change") or "").strip()
    if kind not in changes:
        raise fail(f"change {kind!r} does not apply to {model} (use {', '.join(sorted(changes))})")
    try:
        value = float(row.get("value"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise fail(f"value {row.get('value')!r} is not a number") from None
    if math.isnan(value) or value < 0:
        raise fail(f"value {row.get('value')!r} must be a number ≥ 0")
    if kind in ("add_servers", "set_servers") and value != round(value):
        raise fail(f"value {value:g}: windows and operators are whole numbers")
    if kind == "answer_share" and not 0 <= value <= 1:
        raise fail(f"value {value:g}: the share of the topic's fallback chats answered, between 0 and 1")
    if kind in ("service_time_factor", "dropoff_factor") and not 0 <= value <= 3:
        raise fail(f"value {value:g}: a factor between 0 and 3 (0.85 = 15 % shorter)")
    target = str(row.get("target") or "").strip()
    if target not in known_targets.get(model, set()):
        raise fail(
            f"target {target!r} has no data for {model} (an office, a call queue, journey:stage or a chatbot topic)"
        )
    try:
        weekdays = parse_weekdays(row.get("weekdays"))  # type: ignore[arg-type]
        hours = parse_hours(row.get("hours"))  # type: ignore[arg-type]
    except ValueError as exc:
        raise fail(str(exc)) from None
    kpis = tuple(k.strip() for k in str(row.get("kpi_ids") or "").split(";") if k.strip()) or allowed_kpis[:1]
    wrong = [k for k in kpis if k not in allowed_kpis]
    if wrong:
        raise fail(f"KPI {', '.join(wrong)} is not predicted by {model} (it predicts {', '.join(allowed_kpis)})")
    base_from = None if _blank(row.get("base_from")) else dt.date.fromisoformat(str(row["base_from"])[:10])
    base_to = None if _blank(row.get("base_to")) else dt.date.fromisoformat(str(row["base_to"])[:10])
    if base_from and base_to and base_from > base_to:
        raise fail(f"base_from {base_from} is after base_to {base_to}")
    return Scenario(
        row=row_number,
        scenario_id=sid,
        name_ru=str(row.get("scenario_name_ru") or sid),
        region_id=str(row.get("region_id") or ""),
        model=model,
        target=target,
        change=Change(kind=kind, value=value, weekdays=weekdays, hours=hours),
        change_kind=kind,
        value=value,
        weekdays_text="" if _blank(row.get("weekdays")) else str(row["weekdays"]),
        hours_text="" if _blank(row.get("hours")) else str(row["hours"]),
        base_from=base_from,
        base_to=base_to,
        kpi_ids=kpis,
        measure_id=None if _blank(row.get("measure_id")) else str(row["measure_id"]).strip(),
        description_ru="" if _blank(row.get("description_ru")) else str(row["description_ru"]),
    )
