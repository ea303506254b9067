"""Calendar, opening hours, arrival curves and local-time helpers of the synthetic region.

Times inside the simulation are integer seconds: "local seconds" count from the local midnight
of a day, "epoch" seconds are UTC. A day's UTC offset is taken at local noon, which is exact for
every Russian zone (no daylight saving) and for opening hours away from the night-time switch.
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

HOUR = 3600
DAY = 86400
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

# Relative arrival intensity per local hour (index = hour of day).
OFFICE_HOURLY = {
    9: 0.8,
    10: 1.25,
    11: 1.45,
    12: 1.3,
    13: 0.65,
    14: 0.95,
    15: 1.0,
    16: 0.9,
    17: 0.7,
}
CALL_HOURLY = {
    8: 0.55, 9: 1.0, 10: 1.35, 11: 1.4, 12: 1.2, 13: 0.85,
    14: 1.05, 15: 1.1, 16: 1.0, 17: 0.85, 18: 0.6, 19: 0.4,
}  # fmt: skip
# Relative daily volume per ISO weekday (1 = Monday); Saturday is a short day.
OFFICE_WEEKLY = {1: 1.25, 2: 1.05, 3: 1.0, 4: 0.95, 5: 0.75, 6: 0.2}
CALL_WEEKLY = {1: 1.25, 2: 1.1, 3: 1.0, 4: 0.95, 5: 0.8, 6: 0.25}


def office_hours(day: dt.date, central: bool) -> tuple[int, int] | None:
    """Opening hours of an office as (open, close) local seconds, or None when closed."""
    weekday = day.isoweekday()
    if weekday <= 5:
        return 9 * HOUR, 18 * HOUR
    if weekday == 6 and central:
        return 10 * HOUR, 14 * HOUR
    return None


def queue_hours(day: dt.date, central: bool) -> tuple[int, int] | None:
    """Opening hours of a call-centre queue as (open, close) local seconds, or None."""
    weekday = day.isoweekday()
    if weekday <= 5:
        return 8 * HOUR, 20 * HOUR
    if weekday == 6 and central:
        return 9 * HOUR, 15 * HOUR
    return None


def hourly_weights(curve: dict[int, float], hours: tuple[int, int]) -> dict[int, float]:
    """Share of the day's arrivals per hour between the opening and the closing hour."""
    first, last = hours[0] // HOUR, -(-hours[1] // HOUR)
    raw = {h: curve.get(h, 0.5) for h in range(first, last)}
    total = sum(raw.values())
    return {h: w / total for h, w in raw.items()}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (clamped to the month's last day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@lru_cache(maxsize=4096)
def utc_offset(day: dt.date, tz: str) -> int:
    """UTC offset of ``tz`` at local noon of ``day``, in seconds."""
    noon = dt.datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(tz))
    offset = noon.utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0


def local_midnight_epoch(day: dt.date, tz: str) -> int:
    """UTC epoch of local 00:00 of ``day`` (using the noon offset, see module docstring)."""
    return (day.toordinal() - _EPOCH_ORDINAL) * DAY - utc_offset(day, tz)


def local_date_of(epoch: int, tz: str) -> dt.date:
    """Local date of a UTC epoch in ``tz``."""
    return dt.datetime.fromtimestamp(epoch, ZoneInfo(tz)).date()


def offset_text(seconds: int) -> str:
    """ISO-8601 offset such as ``+05:00``."""
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), HOUR)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


@lru_cache(maxsize=1024)
def date_text(ordinal_day: int) -> str:
    """``YYYY-MM-DD`` of a day counted from 1970-01-01."""
    return dt.date.fromordinal(_EPOCH_ORDINAL + ordinal_day).isoformat()


@lru_cache(maxsize=1)
def _clock_table() -> tuple[str, ...]:
    """``HH:MM:SS`` of every second of a day (built once: formatting is the hot path)."""
    return tuple(f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60))


def clock_text(local_seconds: int) -> str:
    """``HH:MM:SS`` of local seconds since midnight (may exceed 24 h: wraps to the next day)."""
    return _clock_table()[local_seconds % DAY]


def local_timestamp(day: dt.date, local_seconds: int) -> str:
    """``YYYY-MM-DD HH:MM:SS`` of a local time of ``day`` (seconds may run past midnight)."""
    ordinal = day.toordinal() - _EPOCH_ORDINAL + local_seconds // DAY
    return f"{date_text(ordinal)} {clock_text(local_seconds)}"


def iso_local(epoch: int, offset: int, offset_str: str) -> str:
    """ISO-8601 local time with explicit offset, e.g. ``2026-09-01T10:03:12+05:00``."""
    local = epoch + offset
    return f"{date_text(local // DAY)}T{clock_text(local)}{offset_str}"


def period_days(start: dt.date, months: int, days: int | None) -> list[dt.date]:
    """Every date of the generated period, inclusive."""
    count = days if days is not None else (add_months(start, months) - start).days
    if count < 1:
        raise ValueError("the period must contain at least one day")
    return [start + dt.timedelta(days=i) for i in range(count)]
