"""Office days simulated by the synthetic-region generator (include/generator/office.py), shaped
as rows of ``marts.fct_queue_services``: the models are tested on data whose truth is known
(the number of windows working) without a database."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from include.generator.office import simulate_office_day
from include.generator.seeds import Office

SERVICES = ("registration", "reregistration", "consultation", "vacancy_selection", "documents")


def _seconds(stamp: str) -> float:
    """Local seconds after midnight of a generator timestamp (``YYYY-MM-DD HH:MM:SS``)."""
    clock = stamp.strip().split(" ")[-1].split("T")[-1][:8]
    h, m, s = (int(x) for x in clock.split(":"))
    return float(h * 3600 + m * 60 + s)


def office_rows(office: Office, days: list[dt.date], servers: dict[dt.date, int], seed: int = 1,
                pain_mondays: bool = False) -> pd.DataFrame:  # fmt: skip
    """The tickets of ``office`` on ``days`` with ``servers[day]`` windows working."""
    records = []
    for day in days:
        rng = np.random.default_rng([seed, day.toordinal()])
        pain = pain_mondays and day.isoweekday() == 1
        result = simulate_office_day(
            rng, office, day, scale=1.0, pain=pain, services=SERVICES, pool=1000, seed=seed, servers=servers.get(day)
        )
        for row, (issued, called, _started, ended) in zip(result.rows, result.times, strict=True):
            prebooked = row[3] == "1"
            slot = _seconds(row[4]) if prebooked and row[4] else float(issued)
            records.append({
                "system": "office", "region_id": "test", "unit_id": office.office_id, "office_id": office.office_id,
                "service_id": f"{day}/{row[0]}",
                "local_date": day, "local_weekday": day.isoweekday(),
                "ready_s": float(max(issued, slot)) if prebooked else float(issued), "is_priority": prebooked,
                "service_class": row[2], "start_s": float(called) if called >= 0 else np.nan,
                "end_s": float(ended if ended >= 0 else called) if called >= 0 else np.nan,
                "server": row[9] or None, "outcome": row[10] if row[10] != "redirected" else "served",
                "exit_wait_s": np.nan,
            })  # fmt: skip
    frame = pd.DataFrame(records)
    frame.loc[frame["start_s"].isna(), "outcome"] = "left"
    return frame


def weekdays(start: dt.date, count: int) -> list[dt.date]:
    days, day = [], start
    while len(days) < count:
        if day.isoweekday() <= 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days
