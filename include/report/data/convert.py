"""Turn the values of mart columns (JSON arrays and objects, numerics, dates) into Python values."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

Row = dict[str, Any]


def as_decimal(value: Any) -> Decimal | None:
    """A number from a numeric column or from JSON (float/int/str) as an exact Decimal."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError(f"not a number: {value!r}")
    return Decimal(str(value))


def as_int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_json(value: Any) -> Any:
    """jsonb arrives parsed; json stored as text is parsed here."""
    return json.loads(value) if isinstance(value, str) else value


def as_list(value: Any) -> list[dict[str, Any]]:
    parsed = as_json(value)
    return [item for item in parsed or [] if isinstance(item, dict)]
