"""ЦЗН office connector: the electronic-queue export, one CSV per office per day.

Formats: ``include/connectors/FORMATS.md``. Office systems export UTF-8 with ``,`` or
Windows-1251 with ``;``; times are the office's local time (converted to UTC here with the
office's zone from ``dbt/seeds/offices.csv``); the optional phone of a pre-booked client is
pseudonymised here.

Run one interval by hand::

    python -m include.connectors.office_visits --region enskaya --date 2026-09-01
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import ClassVar

from include.connectors import limits
from include.connectors.common import (
    FieldError,
    csv_dialect,
    mask_free,
    parse_flag,
    parse_local_or_aware,
    parse_optional_time,
    run_cli,
    unexpected,
)
from include.loading import HEADER, Line, ParseContext, ParsedRow, RawTable, Rejection, SourceFile, discover_dated_files

SOURCE = "office_visits"
COLUMNS = (
    "ticket_id",
    "office_id",
    "service_code",
    "is_prebooked",
    "booked_for",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "outcome",
    "phone",
)
OUTCOMES = {
    "served": "served",
    "обслужен": "served",
    "no_show": "no_show",
    "неявка": "no_show",
    "redirected": "redirected",
    "перенаправлен": "redirected",
}
_FILE = re.compile(r"^eq_(.+)_(?P<date>\d{8})\.csv$", re.IGNORECASE)

TICKETS = RawTable(
    name="raw_office_visits_tickets",
    column_ddl=(
        ("office_id", "text not null"),
        ("ticket_id", "text not null"),
        ("service_code", "text not null"),
        ("is_prebooked", "boolean not null"),
        ("booked_for", "timestamptz"),
        ("issued_at", "timestamptz not null"),
        ("called_at", "timestamptz"),
        ("started_at", "timestamptz"),
        ("ended_at", "timestamptz"),
        ("window_name", "text"),
        ("outcome", "text not null"),
        ("phone_hash", "text"),
        ("file_date", "date not null"),
    ),
    natural_key=("office_id", "file_date", "ticket_id"),
)


class OfficeVisitsConnector:
    source = SOURCE
    tables: ClassVar[dict[str, RawTable]] = {"tickets": TICKETS}
    rejected_table = "rejected_office_visits"

    def discover(self, source_dir: Path, days: Sequence[date]) -> list[SourceFile]:
        return discover_dated_files(source_dir, days, ((_FILE, "tickets"),), recursive=True)

    def has_header(self, source_file: SourceFile) -> bool:
        return True

    def parse(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection | object]:
        first = next(lines, None)
        if first is None:
            return
        dialect = csv_dialect(first.text)
        header = tuple(h.strip().lower() for h in next(csv.reader([first.text], dialect)))
        if header != COLUMNS:
            yield Rejection(first.number, f"unexpected header {list(header)}, expected {list(COLUMNS)}", first.text)
            for line in lines:
                yield Rejection(line.number, "file rejected: its header is not the electronic-queue header", line.text)
            return
        yield HEADER
        folder_office = ctx.source_file.path.parent.name
        file_date = ctx.source_file.file_date
        for line in lines:
            try:
                fields = next(csv.reader([line.text], dialect), [])
                yield line.number, self._row(fields, ctx, folder_office, file_date)
            except FieldError as exc:
                yield Rejection(line.number, str(exc), line.text)
            except csv.Error as exc:
                yield Rejection(line.number, f"malformed CSV: {exc}", line.text)
            except Exception as exc:  # the line is the unit of failure: never the batch
                yield Rejection(line.number, unexpected(exc), line.text)

    @staticmethod
    def _row(fields: list[str], ctx: ParseContext, folder_office: str, file_date: date) -> tuple[object, ...]:
        if not fields or not any(f.strip() for f in fields):
            raise FieldError("empty line")
        if len(fields) != len(COLUMNS):
            raise FieldError(f"expected {len(COLUMNS)} columns, got {len(fields)}")
        values = dict(zip(COLUMNS, (f.strip() for f in fields), strict=True))
        office = ctx.region.offices.get(values["office_id"])
        if office is None:
            raise FieldError(f"unknown office {values['office_id']!r} (add it to dbt/seeds/offices.csv)")
        if folder_office in ctx.region.offices and folder_office != office.office_id:
            raise FieldError(f"office {office.office_id!r} in a file of office {folder_office!r}")
        if not values["ticket_id"]:
            raise FieldError("empty ticket_id")
        if values["service_code"] not in ctx.region.office_services:
            raise FieldError(
                f"unknown service code {values['service_code']!r} (add it to dbt/seeds/office_services.csv)"
            )
        outcome = OUTCOMES.get(values["outcome"].lower())
        if outcome is None:
            raise FieldError(f"unknown outcome {values['outcome']!r}")
        tz = office.timezone
        is_prebooked = parse_flag(values["is_prebooked"], "is_prebooked")
        booked_for = parse_optional_time(values["booked_for"], tz, "booked_for")
        issued = parse_local_or_aware(values["issued_at"], tz, "issued_at")
        called = parse_optional_time(values["called_at"], tz, "called_at")
        started = parse_optional_time(values["started_at"], tz, "started_at")
        ended = parse_optional_time(values["ended_at"], tz, "ended_at")
        _check_order(issued, called, started, ended)
        limits.check_on_file_day("tickets", issued, tz, file_date, "issued_at")
        if booked_for is not None:
            limits.check_on_file_day("tickets", booked_for, tz, file_date, "booked_for")
        last = ended or started or called
        if last is not None:
            limits.check("tickets.visit", int((last - issued).total_seconds()), "visit (issued_at → last step)")
        if is_prebooked and booked_for is None:
            raise FieldError("pre-booked ticket without booked_for")
        if started is not None and called is None:
            raise FieldError("service started but the ticket was never called")
        if outcome == "served" and (started is None or ended is None):
            raise FieldError("outcome 'served' needs started_at and ended_at")
        if ended is not None and started is None:
            raise FieldError("ended_at without started_at")
        ps = ctx.pseudonymiser
        phone_hash = ps.phone(values["phone"]) if values["phone"] else None
        return (
            office.office_id,
            mask_free(values["ticket_id"], ps),
            values["service_code"],
            is_prebooked,
            booked_for,
            issued,
            called,
            started,
            ended,
            mask_free(values["window"], ps) or None,
            outcome,
            phone_hash,
            file_date,
        )


def _check_order(*steps: datetime | None) -> None:
    names = ("issued_at", "called_at", "started_at", "ended_at")
    previous: tuple[str, datetime] | None = None
    for name, moment in zip(names, steps, strict=True):
        if moment is None:
            continue
        if previous is not None and moment < previous[1]:
            raise FieldError(f"{name} is before {previous[0]}")
        previous = (name, moment)


if __name__ == "__main__":
    run_cli(OfficeVisitsConnector())
