"""Plausibility limits: the one table of what a connector accepts beyond a value's format.

A value outside its limit is rejected at the connector with the limit named (it never reaches
the Great Expectations suite, a dbt cast or a mart): durations are non-negative and below a
ceiling, counts fit the warehouse column, timestamps lie on the file's local day give or take a
stated tolerance. ``include/connectors/FORMATS.md`` ("Plausibility limits") lists the same table;
``tests/connectors/test_limits.py`` keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from include.connectors.common import FieldError

MAX_INT4 = 2_147_483_647


@dataclass(frozen=True)
class Limit:
    low: int | Decimal
    high: int | Decimal
    unit: str
    what: str


# key → limit; keys are "<feed>.<quantity>" and appear in the rejection reason.
LIMITS: dict[str, Limit] = {
    "queue_log.hold": Limit(0, 14_400, "s", "time in the queue before an answer (CONNECT, COMPLETE*, TRANSFER)"),
    "queue_log.talk": Limit(0, 28_800, "s", "call time (COMPLETE*, TRANSFER)"),
    "queue_log.wait": Limit(0, 14_400, "s", "wait before leaving the queue (ABANDON, EXIT*)"),
    "queue_log.ring": Limit(0, 3_600, "s", "ring time of CONNECT"),
    "queue_log.ring_ms": Limit(0, 3_600_000, "ms", "ring time of RINGNOANSWER"),
    "queue_log.position": Limit(0, 10_000, "", "position in the queue"),
    "tickets.visit": Limit(0, 16 * 3600, "s", "issued → called → started → ended: the whole visit"),
    "visits.duration": Limit(0, 2 * 86_400, "s", "ym:s:visitDuration"),
    "visits.page_views": Limit(0, 10_000, "", "ym:s:pageViews"),
    "chatbot.seq": Limit(0, MAX_INT4, "", "order inside the session"),
    "cases.amount_rub": Limit(Decimal(0), Decimal(1_000_000_000), "₽", "benefit paid"),
    "portal.appointment_ahead": Limit(0, 366, "days", "appointment_at − occurred_at"),
}

# How far an event's time may lie outside the file's local day (midnight to midnight), by feed.
# The Great Expectations suites allow two days around the batch's interval, so every tolerance here
# stays inside what the suite accepts: a line the connector takes never fails the batch later.
DAY_TOLERANCE: dict[str, timedelta] = {
    "queue_log": timedelta(hours=6),  # a call that crosses midnight, a log rotated late
    "call_topics": timedelta(hours=6),  # wrap-up after the call
    "tickets": timedelta(hours=6),  # issued_at and booked_for of the office's day
    "chatbot": timedelta(hours=6),  # a chat that crosses midnight
    "cases": timedelta(hours=6),
    "surveys": timedelta(hours=6),
    "portal": timedelta(days=1),  # the portal's export day is the server's (Moscow) day
    "metrica": timedelta(0),  # the Logs API cuts days in the counter's time zone exactly
}


def register(feed: str, day_tolerance: timedelta, feed_limits: dict[str, Limit] | None = None) -> None:
    """Add the limits of a feed whose connector came after this table: the connector module calls
    this when it is imported, so a new source brings its limits in its own files. Keys must be new
    (a connector cannot loosen another feed's limit); FORMATS.md documents them like the others."""
    new = feed_limits or {}
    clashes = [key for key, limit in new.items() if LIMITS.get(key, limit) != limit]
    if DAY_TOLERANCE.get(feed, day_tolerance) != day_tolerance:
        clashes.append(f"day_tolerance.{feed}")
    if clashes:
        raise ValueError(f"limits already defined otherwise: {', '.join(clashes)}")
    LIMITS.update(new)
    DAY_TOLERANCE[feed] = day_tolerance


def check(key: str, value: int | Decimal, name: str) -> int | Decimal:
    """``value`` if it is within the limit ``key``; FieldError naming the limit otherwise."""
    limit = LIMITS[key]
    if not limit.low <= value <= limit.high:
        unit = f" {limit.unit}" if limit.unit else ""
        raise FieldError(
            f"{name} {value}{unit} is outside the plausible range {limit.low}–{limit.high}{unit} (limit {key})"
        )
    return value


def check_integer_text(key: str, text: str, name: str) -> int:
    """A decimal integer written as text, within the limit ``key`` (never converts thousands of digits)."""
    if len(text) < 10 and text.isdigit() and text.isascii():  # the common case, fast
        number = int(text)
        limit = LIMITS[key]
        if limit.low <= number <= limit.high:
            return number
    value = text.strip()
    digits = value.lstrip("+-")
    if not digits.isascii() or not digits.isdigit() or len(value) - len(digits) > 1:
        raise FieldError(f"{name} {text[:40]!r} is not an integer")
    if len(digits) > 18:
        raise FieldError(f"{name} has {len(digits)} digits: outside the plausible range (limit {key})")
    return int(check(key, int(value), name))


@lru_cache(maxsize=1024)
def _day_window(feed: str, tz: ZoneInfo, file_date: date) -> tuple[datetime, datetime]:
    tolerance = DAY_TOLERANCE[feed]
    start = datetime.combine(file_date, datetime.min.time(), tz) - tolerance
    end = datetime.combine(file_date + timedelta(days=1), datetime.min.time(), tz) + tolerance
    return start.astimezone(UTC), end.astimezone(UTC)  # comparing UTC with UTC is cheap


def check_on_file_day(feed: str, moment: datetime, tz: ZoneInfo, file_date: date, name: str) -> datetime:
    """``moment`` if it lies on ``file_date`` (local day in ``tz``) give or take the feed's tolerance."""
    start, end = _day_window(feed, tz, file_date)
    if not start <= moment < end:
        tolerance = DAY_TOLERANCE[feed]
        local = moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        around = f" ± {_hours(tolerance)}" if tolerance else ""
        raise FieldError(
            f"{name} {local} (local time) is not on the file's day {file_date.isoformat()}{around} "
            f"(limit day_tolerance.{feed})"
        )
    return moment


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} h" if hours < 24 else f"{hours / 24:g} day(s)"
