"""Parsing helpers shared by the connectors, and the one-interval command line."""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from include.loading import Connector

MIN_YEAR, MAX_YEAR = 2000, 2100
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*(Z|[+-]\d{2}:?\d{2})?$")
_RU = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})[ T](\d{2}):(\d{2})(?::(\d{2}))?$")
TRUE_VALUES = frozenset({"1", "true", "t", "yes", "y", "да", "д"})
FALSE_VALUES = frozenset({"0", "false", "f", "no", "n", "нет", "н", ""})


class FieldError(ValueError):
    """A value that does not fit the format; the message is the quarantine reason."""


def csv_dialect(header: str) -> type[csv.Dialect]:
    """Office systems write ``;`` (Windows-1251 exports) or ``,``: pick by the header line."""
    return _Semicolon if header.count(";") > header.count(",") else _Comma


class _Comma(csv.excel):
    delimiter = ","


class _Semicolon(csv.excel):
    delimiter = ";"


def parse_local_or_aware(text: str, tz: ZoneInfo, field: str) -> datetime:
    """A timestamp in local time of ``tz`` (or with its own offset) → aware UTC datetime."""
    value = text.strip()
    if not value:
        raise FieldError(f"{field} is empty")
    iso = _ISO.match(value)
    if iso:
        year, month, day, hour, minute = (int(g) for g in iso.group(1, 2, 3, 4, 5))
        second = int(iso.group(6) or 0)
        micro = int((iso.group(7) or "0").ljust(6, "0"))
        zone = iso.group(8)
    else:
        ru = _RU.match(value)
        if not ru:
            raise FieldError(f"{field} {value!r} is not a timestamp (YYYY-MM-DD HH:MM:SS)")
        day, month, year, hour, minute = (int(g) for g in ru.group(1, 2, 3, 4, 5))
        second, micro, zone = int(ru.group(6) or 0), 0, None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise FieldError(f"{field} {value!r} has an impossible year")
    try:
        naive = datetime(year, month, day, hour, minute, second, micro)
    except ValueError as exc:
        raise FieldError(f"{field} {value!r} is not a valid date/time: {exc}") from None
    if zone is None:
        return naive.replace(tzinfo=tz).astimezone(UTC)
    try:
        offset = _offset(zone)
    except ValueError:
        raise FieldError(f"{field} {value!r} has an impossible UTC offset") from None
    return naive.replace(tzinfo=offset).astimezone(UTC)


def _offset(zone: str) -> tzinfo:
    if zone == "Z":
        return UTC
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_optional_time(text: str, tz: ZoneInfo, field: str) -> datetime | None:
    return parse_local_or_aware(text, tz, field) if text.strip() else None


def parse_flag(text: str, field: str) -> bool:
    value = text.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise FieldError(f"{field} {text!r} is not a yes/no flag")


def run_cli(connector: Connector) -> None:
    """``python -m include.connectors.<source> --region R --date D``: load one local day."""
    from include.ingest import load_interval, validate_batch

    parser = argparse.ArgumentParser(description=f"Load one interval of {connector.source} into the warehouse")
    parser.add_argument("--region", required=True)
    parser.add_argument("--date", required=True, type=date.fromisoformat, help="local day to load (YYYY-MM-DD)")
    parser.add_argument("--days", type=int, default=1, help="number of days from --date (one batch)")
    parser.add_argument("--no-validate", action="store_true", help="skip the Great Expectations suite")
    args = parser.parse_args()
    from include.config import region as region_config

    tz = region_config(args.region).timezone
    start = datetime.combine(args.date, datetime.min.time(), tz)
    end = start + timedelta(days=args.days)
    report = load_interval(connector.source, args.region, start, end)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if not args.no_validate:
        result = validate_batch(connector.source, report["batch_id"])
        print(json.dumps(result, ensure_ascii=False, indent=2))
        if not result["success"]:
            sys.exit(1)
