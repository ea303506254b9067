"""Russian formatting of KPI values, norms, dates and periods for the static pages.

Conventions (ГОСТ-style typography used by Russian public bodies): comma as the decimal
separator, thin space between thousands, a non-breaking space between a number and its unit,
the true minus sign «−» for negative changes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal

THIN_SPACE = "\u2009"
NBSP = "\u00a0"
MINUS = "\u2212"

Number = Decimal | float | int

MONTHS_NOMINATIVE = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip
MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
WEEKDAYS_SHORT = ("Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс")
WEEKDAYS_FULL = (
    "понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье",
)  # fmt: skip

# unit -> (suffix shown after the number, decimals for values)
_UNITS: dict[str, tuple[str, int]] = {
    "share": ("%", 1),
    "minutes": ("мин", 1),
    "seconds": ("с", 0),
    "days": ("дн.", 1),
    "visits": ("", 1),
    "points": ("", 0),
    "score": ("", 1),
    "per_hour": ("в час", 1),
}


def unit_format(unit: str) -> tuple[str, int]:
    """(suffix after the number, decimals) of a KPI unit; shares are shown in percent."""
    return _UNITS.get(unit, ("", 1))


def to_decimal(value: Number) -> Decimal:
    """Exact decimal for a value read from PostgreSQL (numeric → Decimal, float → via str)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def format_number(value: Number, decimals: int, *, signed: bool = False, trim: bool = False) -> str:
    """``1234.56`` → ``1 234,6`` (thin space, decimal comma, half-up rounding).

    ``signed`` prefixes ``+`` or ``−``; ``trim`` drops trailing zeros of the fraction.
    """
    quantum = Decimal(1).scaleb(-decimals)
    rounded = to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    negative = rounded < 0
    text = f"{abs(rounded):f}"
    whole, _, fraction = text.partition(".")
    if trim:
        fraction = fraction.rstrip("0")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = THIN_SPACE.join(groups) + ("," + fraction if fraction else "")
    if negative:
        return MINUS + result
    if signed and rounded > 0:
        return "+" + result
    return result


def _with_unit(number: str, suffix: str) -> str:
    return f"{number}{NBSP}{suffix}" if suffix else number


def _scaled(value: Number, unit: str) -> Decimal:
    decimal = to_decimal(value)
    return decimal * 100 if unit == "share" else decimal


def format_value(value: Number, unit: str, *, trim: bool = False) -> str:
    """A KPI value in its unit: ``0.875`` share → «87,5 %», ``12.43`` minutes → «12,4 мин»."""
    suffix, decimals = _UNITS.get(unit, ("", 1))
    return _with_unit(format_number(_scaled(value, unit), decimals, trim=trim), suffix)


def format_delta(delta: Number, unit: str) -> str:
    """A change between two periods: shares in percentage points («+2,1 п. п.»)."""
    suffix, decimals = _UNITS.get(unit, ("", 1))
    if unit == "share":
        suffix = f"п.{NBSP}п."
    number = format_number(_scaled(delta, unit), decimals, signed=True)
    return _with_unit(number, suffix)


def format_range(low: Number, high: Number, unit: str) -> str:
    """A confidence interval of a change: «от +4,1 до +12,5 п. п.»."""
    suffix, decimals = _UNITS.get(unit, ("", 1))
    if unit == "share":
        suffix = f"п.{NBSP}п."
    low_text = format_number(_scaled(low, unit), decimals, signed=True)
    high_text = format_number(_scaled(high, unit), decimals, signed=True)
    return _with_unit(f"от {low_text} до {high_text}", suffix)


def format_threshold(value: Number, unit: str) -> str:
    """A time threshold from the KPI seed: 15 minutes → «15 мин»."""
    return format_value(value, unit, trim=True)


def format_norm(norm_value: Number, unit: str, direction: str) -> str:
    """«≥ 90 %» for higher-is-better, «≤ 15 мин» for lower-is-better."""
    sign = "≥" if direction == "higher_is_better" else "≤"
    return f"{sign}{NBSP}{format_value(norm_value, unit, trim=True)}"


def format_count(count: int) -> str:
    return format_number(count, 0)


def month_key(day: date) -> str:
    """``YYYY-MM``, the value of ``data-period`` and of the month selector."""
    return f"{day.year:04d}-{day.month:02d}"


def month_label(day: date, *, capitalize: bool = False) -> str:
    """«ноябрь 2025» (or «Ноябрь 2025»)."""
    name = MONTHS_NOMINATIVE[day.month - 1]
    if capitalize:
        name = name.capitalize()
    return f"{name} {day.year}"


def date_label(day: date, *, year: bool = True) -> str:
    """«1 октября 2025 г.»"""
    text = f"{day.day} {MONTHS_GENITIVE[day.month - 1]}"
    return f"{text} {day.year}{NBSP}г." if year else text


def period_label(start: date, end: date) -> str:
    """«1 октября — 30 ноября 2025 г.»; the year is written once when both ends share it."""
    if start == end:
        return date_label(start)
    return f"{date_label(start, year=start.year != end.year)} — {date_label(end)}"


def datetime_label(moment: datetime, zone: tzinfo) -> str:
    """«26 ноября 2025 г., 20:32 (UTC+5)» in the region's time zone."""
    local = moment.astimezone(zone)
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else MINUS
    hours, rest = divmod(abs(minutes), 60)
    zone_text = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    return f"{date_label(local.date())}, {local:%H:%M} ({zone_text})"


def plural(count: int, one: str, few: str, many: str) -> str:
    """Russian plural form: 1 проверка, 2 проверки, 5 проверок."""
    tail = count % 100
    if 11 <= tail <= 14:
        return many
    if count % 10 == 1:
        return one
    if 2 <= count % 10 <= 4:
        return few
    return many


def raw_number(value: Number) -> str:
    """The value for ``data-value``: plain decimal with a dot, no exponent, no padding zeros."""
    decimal = to_decimal(value)
    text = f"{decimal.normalize():f}"
    return "0" if text in {"-0", ""} else text
