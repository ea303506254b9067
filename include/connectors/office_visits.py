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
from typing import Any, ClassVar

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

    def fast_parser(self, source_file: SourceFile, ctx: ParseContext) -> TicketsFast | None:
        """The vectorised parser of the file's chunks (``include.fastpath``) when the file lies in the
        folder of a known office and its first line is the plain header (``,`` or ``;``)."""
        office = ctx.region.offices.get(source_file.path.parent.name)
        if office is None:
            return None
        with source_file.path.open("rb") as handle:
            first = handle.readline(4096).rstrip(b"\r\n")
        for separator in (",", ";"):
            if first == separator.join(COLUMNS).encode():
                return TicketsFast(self, ctx, separator, office)
        return None

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
        yield from self._lines(lines, ctx, dialect)

    def _lines(
        self, lines: Iterator[Line], ctx: ParseContext, dialect: type[csv.Dialect]
    ) -> Iterator[ParsedRow | Rejection]:
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


class TicketsFast:
    """Electronic-queue rows a chunk at a time (polars), for a file of a known office's folder with
    the plain header. A row is taken when it visibly passes every check of the line parser: no
    quote and no blanks around a cell (the CSV reader would split the line as it is), twelve cells,
    the folder's office, a ticket id, a known service, outcome and yes/no flag, times written
    ``YYYY-MM-DD HH:MM:SS`` in the office's time zone (not in a clock change), in order, on the
    file's day, within the visit limit, and the rules of booked, served and ended tickets. Ticket
    id, window and phone go through the same masking and hashing, once per distinct value."""

    columns = TICKETS.columns
    line_cost = 4  # four local times to convert a line: chunks pay off from smaller files

    def __init__(self, connector: OfficeVisitsConnector, ctx: ParseContext, separator: str, office: Any) -> None:
        self.connector = connector
        self.ctx = ctx
        self.separator = separator
        self.office = office
        self.dialect = csv_dialect(separator)
        self.group_key = ("tickets", office.office_id, separator)  # whole files taken together
        start, end = limits._day_window("tickets", office.timezone, ctx.source_file.file_date)
        self.window = (start.timestamp(), end.timestamp())

    def slow(self, lines: Iterator[Line]) -> Iterator[ParsedRow | Rejection | object]:
        for line in lines:
            if line.number == 1:  # the header, checked when the fast path was chosen
                yield HEADER
            else:
                yield from self.connector._lines(iter([line]), self.ctx, self.dialect)

    def parse_chunk(self, lines: Any, first: int) -> tuple[Any, list[int]]:
        import polars as pl

        from include import fastpath

        sep = self.separator
        cells = pl.col("text").str.split(sep)
        frame = fastpath.frame_of(lines).with_columns(
            plain=pl.col("text").str.contains(fastpath.PRINTABLE_TEXT)
            & ~pl.col("text").str.contains(f'"|(^|{sep})\\s|\\s({sep}|$)')
            & (pl.col("text").str.len_chars() < 100_000),
            cells=cells.list.len(),
            **{name: cells.list.get(k, null_on_oob=True) for k, name in enumerate(COLUMNS)},
        )
        ps = self.ctx.pseudonymiser
        frame = frame.with_columns(
            prebooked=fastpath.mapped(frame["is_prebooked"], _flag),
            outcome_code=fastpath.mapped(frame["outcome"], lambda v: OUTCOMES.get(v.lower())),
            **{f"{name}_s": self._epoch(pl.col(name)) for name in _TIMES},
        )
        issued, booked, called, started, ended = (pl.col(f"{name}_s") for name in _TIMES)
        given = {name: pl.col(name) != "" for name in _TIMES}
        parsed = pl.all_horizontal([~given[name] | pl.col(f"{name}_s").is_not_null() for name in _TIMES])
        low, high = fastpath.window(frame, self.window)
        in_order = pl.lit(True)
        steps = [("issued_at", issued), ("called_at", called), ("started_at", started), ("ended_at", ended)]
        for later_index in range(1, len(steps)):
            name, later = steps[later_index]
            # each given step is not before the last given step before it
            previous = pl.coalesce([steps[k][1] for k in range(later_index - 1, -1, -1)])
            in_order = in_order & (~given[name] | previous.is_null() | (later >= previous))
        last = pl.coalesce([ended, started, called])
        visit = limits.LIMITS["tickets.visit"]
        served = pl.col("outcome_code") == "served"
        accepted = (
            (fastpath.line_number(frame, first) != 1)
            & pl.col("plain")
            & (pl.col("cells") == len(COLUMNS))
            & (pl.col("office_id") == self.office.office_id)
            & (pl.col("ticket_id") != "")
            & pl.col("service_code").is_in(sorted(self.ctx.region.office_services))
            & pl.col("outcome_code").is_not_null()
            & pl.col("prebooked").is_not_null()
            & given["issued_at"]
            & parsed
            & in_order
            & issued.is_between(low, high, closed="left")
            & (~given["booked_for"] | booked.is_between(low, high, closed="left"))
            & (last.is_null() | (last - issued).is_between(int(visit.low), int(visit.high)))
            & ~((pl.col("prebooked") == "t") & ~given["booked_for"])
            & ~(given["started_at"] & ~given["called_at"])
            & ~(served & (~given["started_at"] | ~given["ended_at"]))
            & ~(given["ended_at"] & ~given["started_at"])
        ).fill_null(False)
        frame = frame.with_columns(accepted=accepted)
        fallback = frame.filter(~pl.col("accepted"))["i"].to_list()
        rows = frame.filter(pl.col("accepted"))

        def free(value: str) -> str | None:
            return mask_free(value, ps)

        rows = rows.with_columns(
            window=pl.when(pl.col("window") != "").then(pl.col("window")),
            phone=pl.when(pl.col("phone") != "").then(pl.col("phone")),
        )
        rows = rows.with_columns(
            ticket_id=fastpath.mapped(rows["ticket_id"], free, keep=fastpath.SYSTEM_ID),
            window=fastpath.mapped(rows["window"], free),
            phone_hash=fastpath.mapped(rows["phone"], ps.phone),
        )
        return rows.select(
            "i",
            "office_id",
            "ticket_id",
            "service_code",
            pl.col("prebooked").alias("is_prebooked"),
            *[
                fastpath.utc_text(f"{name}_s").alias(name)
                for name in ("booked_for", "issued_at", "called_at", "started_at", "ended_at")
            ],
            pl.col("window").alias("window_name"),
            pl.col("outcome_code").alias("outcome"),
            "phone_hash",
            fastpath.file_date_text(frame, self.ctx.source_file.file_date).alias("file_date"),
        ), fallback

    def _epoch(self, value: Any) -> Any:
        """A local time ``YYYY-MM-DD HH:MM:SS`` of the office → UTC epoch seconds; None when empty,
        written otherwise, impossible, or ambiguous / skipped by a clock change."""
        import polars as pl

        shape = r"^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2} ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
        local = value.str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us", strict=False)
        aware = local.dt.replace_time_zone(self.office.timezone.key, ambiguous="null", non_existent="null")
        return pl.when(value.str.contains(shape)).then(aware.dt.epoch("s"))


_TIMES = ("issued_at", "booked_for", "called_at", "started_at", "ended_at")


def _flag(value: str) -> str | None:
    try:
        return "t" if parse_flag(value, "is_prebooked") else "f"
    except FieldError:
        return None


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
