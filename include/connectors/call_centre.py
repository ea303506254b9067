"""Call centre connector: Asterisk ``queue_log`` plus the CRM's call-topic (wrap-up) export.

Formats: ``include/connectors/FORMATS.md``. The caller id of ``ENTERQUEUE`` is the only personal
datum; it is replaced by a keyed hash before the row leaves this module.

Run one interval by hand::

    python -m include.connectors.call_centre --region enskaya --date 2026-09-01
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from include import fastpath
from include.connectors import limits
from include.connectors.common import (
    MAX_YEAR,
    MIN_YEAR,
    FieldError,
    FreeFields,
    csv_dialect,
    mask_free,
    parse_local_or_aware,
    run_cli,
    unexpected,
)
from include.loading import HEADER, Line, ParseContext, ParsedRow, RawTable, Rejection, SourceFile, discover_dated_files
from include.pseudonymise import Pseudonymiser, mask_text

SOURCE = "call_centre"

# event → (minimum, maximum) number of data fields, and which data fields must be integers.
CALL_EVENTS: dict[str, tuple[int, int, tuple[int, ...]]] = {
    "ENTERQUEUE": (2, 3, (3,)),
    "RINGNOANSWER": (1, 1, (1,)),
    "CONNECT": (1, 3, (1,)),
    "COMPLETECALLER": (3, 3, (1, 2, 3)),
    "COMPLETEAGENT": (3, 3, (1, 2, 3)),
    "ABANDON": (3, 3, (1, 2, 3)),
    "EXITWITHTIMEOUT": (3, 3, (1, 2, 3)),
    "EXITEMPTY": (3, 3, (1, 2, 3)),
    "EXITWITHKEY": (3, 4, (2, 3, 4)),
    "TRANSFER": (5, 5, (3, 4, 5)),
    "BLINDTRANSFER": (5, 5, (3, 4, 5)),
    "ATTENDEDTRANSFER": (5, 5, (3, 4, 5)),
    "DID": (0, 1, ()),
}
SYSTEM_EVENTS = frozenset(
    {
        "QUEUESTART",
        "CONFIGRELOAD",
        "ADDMEMBER",
        "REMOVEMEMBER",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "AGENTDUMP",
        "SYSCOMPAT",
    }
)
# event → data field → the plausibility limit of its value (include/connectors/limits.py).
FIELD_LIMITS: dict[str, dict[int, str]] = {
    "ENTERQUEUE": {3: "queue_log.position"},
    "RINGNOANSWER": {1: "queue_log.ring_ms"},
    "CONNECT": {1: "queue_log.hold", 3: "queue_log.ring"},
    "COMPLETECALLER": {1: "queue_log.hold", 2: "queue_log.talk", 3: "queue_log.position"},
    "COMPLETEAGENT": {1: "queue_log.hold", 2: "queue_log.talk", 3: "queue_log.position"},
    "ABANDON": {1: "queue_log.position", 2: "queue_log.position", 3: "queue_log.wait"},
    "EXITWITHTIMEOUT": {1: "queue_log.position", 2: "queue_log.position", 3: "queue_log.wait"},
    "EXITEMPTY": {1: "queue_log.position", 2: "queue_log.position", 3: "queue_log.wait"},
    "EXITWITHKEY": {2: "queue_log.position", 3: "queue_log.position", 4: "queue_log.wait"},
    "TRANSFER": {3: "queue_log.hold", 4: "queue_log.talk", 5: "queue_log.position"},
    "BLINDTRANSFER": {3: "queue_log.hold", 4: "queue_log.talk", 5: "queue_log.position"},
    "ATTENDEDTRANSFER": {3: "queue_log.hold", 4: "queue_log.talk", 5: "queue_log.position"},
}
RESOLUTIONS = frozenset({"resolved", "callback", "redirected"})
TOPIC_COLUMNS = ("call_id", "topic_code", "topic_name", "resolution", "wrapup_at")
_QUEUE_LOG = re.compile(r"^queue_log-(?P<date>\d{8})$")
_TOPICS = re.compile(r"^call_topics-(?P<date>\d{8})\.csv$")
_INTEGER = re.compile(r"^-?\d+$")

QUEUE_LOG = RawTable(
    name="raw_call_centre_queue_log",
    column_ddl=(
        ("event_at", "timestamptz not null"),
        ("call_id", "text not null"),
        ("queue_name", "text not null"),
        ("agent", "text not null"),
        ("event", "text not null"),
        ("data1", "text"),
        ("data2", "text"),
        ("data3", "text"),
        ("data4", "text"),
        ("data5", "text"),
        ("caller_hash", "text"),
    ),
)
CALL_TOPICS = RawTable(
    name="raw_call_centre_call_topics",
    column_ddl=(
        ("call_id", "text not null"),
        ("topic_code", "text not null"),
        ("topic_name", "text"),
        ("resolution", "text not null"),
        ("wrapup_at", "timestamptz not null"),
    ),
    natural_key=("call_id", "wrapup_at"),
)


class CallCentreConnector:
    source = SOURCE
    tables: ClassVar[dict[str, RawTable]] = {"queue_log": QUEUE_LOG, "call_topics": CALL_TOPICS}
    rejected_table = "rejected_call_centre"

    def discover(self, source_dir: Path, days: Sequence[date]) -> list[SourceFile]:
        return discover_dated_files(source_dir, days, ((_QUEUE_LOG, "queue_log"), (_TOPICS, "call_topics")))

    def has_header(self, source_file: SourceFile) -> bool:
        return source_file.table == "call_topics"

    def fast_parser(self, source_file: SourceFile, ctx: ParseContext) -> QueueLogFast | TopicsFast | None:
        """The vectorised parser of the file's chunks (``include.fastpath``): queue_log always, the
        topics export when its first line is the plain comma-separated header."""
        if source_file.table == "queue_log":
            return QueueLogFast(self, ctx)
        with source_file.path.open("rb") as handle:
            first = handle.readline(4096).rstrip(b"\r\n")
        return TopicsFast(self, ctx) if first == ",".join(TOPIC_COLUMNS).encode() else None

    def parse(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection | object]:
        if ctx.source_file.table == "queue_log":
            return self._parse_queue_log(lines, ctx)
        return self._parse_topics(lines, ctx)

    # -- queue_log ---------------------------------------------------------------------------

    def _parse_queue_log(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection]:
        queues = ctx.region.queues
        ps = ctx.pseudonymiser
        day = (ctx.region.timezone, ctx.source_file.file_date)
        free = FreeFields(ps)
        for line in lines:
            if not line.terminated:
                reason = "truncated last line (no newline at end of file)"
                yield Rejection(line.number, reason, mask_queue_log_line(line.text, ps), masked=True)
                continue
            try:
                yield line.number, parse_queue_log_line(line.text, queues, ps, day, free)
            except FieldError as exc:
                yield Rejection(line.number, str(exc), mask_queue_log_line(line.text, ps), masked=True)
            except Exception as exc:  # the line is the unit of failure: never the batch
                yield Rejection(line.number, unexpected(exc), mask_queue_log_line(line.text, ps), masked=True)

    # -- call topics -------------------------------------------------------------------------

    def _parse_topics(self, lines: Iterator[Line], ctx: ParseContext) -> Iterator[ParsedRow | Rejection | object]:
        first = next(lines, None)
        if first is None:
            return
        dialect = csv_dialect(first.text)
        header = [h.strip().lower() for h in next(csv.reader([first.text], dialect))]
        if tuple(header) != TOPIC_COLUMNS:
            yield Rejection(first.number, f"unexpected header {header}, expected {list(TOPIC_COLUMNS)}", first.text)
            for line in lines:
                yield Rejection(line.number, "file rejected: its header is not the call-topic export header", line.text)
            return
        yield HEADER
        yield from self._topic_lines(lines, ctx, dialect)

    def _topic_lines(
        self, lines: Iterator[Line], ctx: ParseContext, dialect: type[csv.Dialect]
    ) -> Iterator[ParsedRow | Rejection]:
        topics = ctx.region.call_topics
        tz = ctx.region.timezone
        ps = ctx.pseudonymiser
        for line in lines:
            try:
                fields = next(csv.reader([line.text], dialect), [])
                if len(fields) != len(TOPIC_COLUMNS):
                    raise FieldError(f"expected {len(TOPIC_COLUMNS)} columns, got {len(fields)}")
                call_id, topic_code, topic_name, resolution, wrapup = (f.strip() for f in fields)
                if not call_id:
                    raise FieldError("empty call_id")
                if topic_code not in topics:
                    raise FieldError(f"unknown topic code {topic_code!r} (add it to dbt/seeds/call_topics.csv)")
                if resolution not in RESOLUTIONS:
                    raise FieldError(f"unknown resolution {resolution!r}")
                wrapup_at = parse_local_or_aware(wrapup, tz, "wrapup_at")
                limits.check_on_file_day("call_topics", wrapup_at, tz, ctx.source_file.file_date, "wrapup_at")
            except FieldError as exc:
                yield Rejection(line.number, str(exc), line.text)
                continue
            except Exception as exc:  # csv.Error, an oversized field …: the line, never the batch
                yield Rejection(line.number, unexpected(exc), line.text)
                continue
            yield line.number, (mask_free(call_id, ps), topic_code, mask_free(topic_name, ps), resolution, wrapup_at)


def parse_queue_log_line(
    text: str,
    queues: dict[str, str],
    pseudonymiser: Pseudonymiser,
    day: tuple[ZoneInfo, date] | None = None,
    free: FreeFields | None = None,
) -> tuple[object, ...]:
    """One queue_log line → the raw row; raises FieldError with the reason.

    ``day`` — the file's time zone and local day: the event must lie on it (± the tolerance of
    ``include/connectors/limits.py``). Numeric data fields are checked against their limits; the
    caller id becomes a keyed hash, the agent a keyed staff pseudonym; call id and the free data
    fields are masked."""
    mask = free or FreeFields(pseudonymiser)
    if not text.strip():
        raise FieldError("empty line")
    fields = text.split("|")
    if len(fields) < 5:
        raise FieldError(f"expected at least 5 '|'-separated fields, got {len(fields)}")
    epoch, call_id, queue, agent, event, *data = fields
    if not _INTEGER.match(epoch) or len(epoch) > 12:
        raise FieldError(f"epoch {epoch[:40]!r} is not an integer")
    seconds = int(epoch)
    if not 946_684_800 <= seconds <= 4_102_444_800:  # 2000-01-01 … 2100-01-01
        raise FieldError(f"epoch {seconds} is outside 2000–2100")
    event_at = datetime.fromtimestamp(seconds, tz=UTC)
    if day is not None:
        limits.check_on_file_day("queue_log", event_at, day[0], day[1], "epoch")
    if len(data) > 5:
        raise FieldError(f"too many fields ({len(fields)})")
    while data and data[-1] == "":
        data.pop()
    caller_hash = None
    if event in CALL_EVENTS:
        low, high, integer_fields = CALL_EVENTS[event]
        if not low <= len(data) <= high:
            raise FieldError(f"{event} needs {low}–{high} data fields, got {len(data)}")
        for position in integer_fields:
            if position <= len(data) and not _INTEGER.match(data[position - 1]):
                raise FieldError(f"{event} data{position} {data[position - 1][:40]!r} is not an integer")
        for position, key in FIELD_LIMITS.get(event, {}).items():
            if position <= len(data) and data[position - 1] != "":
                value = data[position - 1]
                limit = limits.LIMITS[key]
                if not (len(value) < 10 and value.isdigit() and limit.low <= int(value) <= limit.high):
                    data[position - 1] = str(limits.check_integer_text(key, value, f"{event} data{position}"))
        if call_id in ("", "NONE"):
            raise FieldError(f"{event} without a call id")
        if queue not in queues:
            raise FieldError(f"unknown queue {queue!r} (add it to dbt/seeds/call_queues.csv)")
        if event == "ENTERQUEUE":
            caller = data[1] if len(data) > 1 else ""
            anonymous = not caller or caller.lower() in ("anonymous", "unknown", "<unknown>")
            caller_hash = None if anonymous else pseudonymiser.phone(caller)
            if len(data) > 1:
                data[1] = ""
    elif event not in SYSTEM_EVENTS:
        raise FieldError(f"unknown event {event!r}")
    elif queue not in ("NONE", "") and queue not in queues:
        raise FieldError(f"unknown queue {queue!r} (add it to dbt/seeds/call_queues.csv)")
    integers = FIELD_LIMITS.get(event, {})
    padded = [
        value if not value or position in integers else mask(value)
        for position, value in enumerate((data + [""] * 5)[:5], start=1)
    ]
    return (
        event_at,
        mask(call_id) or "NONE",
        queue or "NONE",
        # the agent interface is often named after the operator: a keyed staff pseudonym, so the
        # staff journey and KPIs can follow an operator without a name
        pseudonymiser.staff(agent) or "NONE",
        event,
        *(value or None for value in padded),
        caller_hash,
    )


class QueueLogFast:
    """queue_log lines a chunk at a time (polars), for the loader's fast path.

    A line is taken here only when every check of :func:`parse_queue_log_line` visibly passes:
    printable ASCII, 5–10 fields, an epoch of digits on the file's day, a known event with the
    right number of data fields, integers where integers belong and within their limits as they
    are written (a value the line parser would rewrite, like ``+5``, goes to it), a call id and a
    known queue. Its row is then built like the line parser builds it — the free fields masked by
    the same :class:`FreeFields`, the agent and the caller through the same pseudonymiser, each
    distinct value once per chunk. Every other line is returned to the line parser."""

    columns = QUEUE_LOG.columns
    group_key = ("queue_log",)  # whole files are taken together (``include.fastpath``)

    def __init__(self, connector: CallCentreConnector, ctx: ParseContext) -> None:
        self.connector = connector
        self.ctx = ctx
        self.free = FreeFields(ctx.pseudonymiser)
        start, end = limits._day_window("queue_log", ctx.region.timezone, ctx.source_file.file_date)
        self.window = (start.timestamp(), end.timestamp())
        self.queues = sorted(ctx.region.queues)

    def slow(self, lines: Iterator[Line]) -> Iterator[ParsedRow | Rejection | object]:
        return self.connector._parse_queue_log(lines, self.ctx)

    def parse_chunk(self, lines: Any, first: int) -> tuple[Any, list[int]]:
        import polars as pl

        from include.fastpath import PRINTABLE

        line = pl.col("text")
        frame = (
            fastpath.frame_of(lines)
            .with_columns(
                printable=line.str.contains(PRINTABLE) & (line.str.len_bytes() > 0),
                fields=line.str.count_matches("|", literal=True) + 1,
                parts=line.str.split_exact("|", 9),
            )
            .unnest("parts")
            .rename({f"field_{k}": f"f{k}" for k in range(10)})
        )
        data = [pl.col(f"f{4 + p}") for p in range(1, 6)]  # data1 … data5 (None when absent)
        # data fields after the trailing empty ones are dropped, as the line parser counts them
        n_data = pl.max_horizontal(
            *[pl.when(d.is_not_null() & (d != "")).then(p).otherwise(0) for p, d in enumerate(data, start=1)]
        )
        frame = frame.with_columns(
            n_data=n_data,
            epoch=pl.when(pl.col("f0").str.contains(r"^[0-9]{1,12}$")).then(pl.col("f0").cast(pl.Int64, strict=False)),
            # per data field: an integer as the line parser's pattern says; its value when it is
            # written as the limits' fast check wants it (at most 9 digits, no sign)
            **{f"int{p}": d.str.contains(r"^-?[0-9]+$") for p, d in enumerate(data, start=1)},
            **{
                f"num{p}": pl.when(d.str.contains(r"^[0-9]{1,9}$")).then(d.cast(pl.Int64, strict=False))
                for p, d in enumerate(data, start=1)
            },
        )
        n_data, event, queue, call_id = pl.col("n_data"), pl.col("f4"), pl.col("f2"), pl.col("f1")
        low, high = fastpath.window(frame, self.window)
        epoch_ok = (
            pl.col("epoch").is_between(946_684_800, 4_102_444_800) & (pl.col("epoch") >= low) & (pl.col("epoch") < high)
        )
        call_ok = pl.lit(False)
        for name, (fewest, most, integer_fields) in CALL_EVENTS.items():
            ok = n_data.is_between(fewest, most)
            for position in integer_fields:
                ok = ok & ((n_data < position) | pl.col(f"int{position}"))
            for position, key in FIELD_LIMITS.get(name, {}).items():
                limit = limits.LIMITS[key]
                plausible = pl.col(f"num{position}").is_between(int(limit.low), int(limit.high))
                ok = ok & ((n_data < position) | (data[position - 1] == "") | plausible)
            call_ok = pl.when(event == name).then(ok).otherwise(call_ok)
        call_ok = call_ok & ~call_id.is_in(["", "NONE"]) & queue.is_in(self.queues)
        system_ok = event.is_in(sorted(SYSTEM_EVENTS)) & (queue.is_in(["NONE", ""]) | queue.is_in(self.queues))
        accepted = (
            pl.col("printable")
            & pl.col("fields").is_between(5, 10)
            & epoch_ok.fill_null(False)
            & (call_ok | system_ok).fill_null(False)
        )
        frame = frame.with_columns(accepted=accepted.fill_null(False))
        fallback = frame.filter(~pl.col("accepted"))["i"].to_list()
        rows = frame.filter(pl.col("accepted"))
        return self._rows(rows), fallback

    def _rows(self, rows: Any) -> Any:
        import polars as pl

        ps = self.ctx.pseudonymiser
        n_data, event = pl.col("n_data"), pl.col("f4")
        kept, masked = [], []
        for position in range(1, 6):
            value = pl.col(f"f{4 + position}")
            present = (n_data >= position) & (value != "")
            if position == 2:  # the caller id of ENTERQUEUE is replaced by its hash
                present = present & (event != "ENTERQUEUE")
            as_is = event.is_in(sorted(e for e, fields in FIELD_LIMITS.items() if position in fields))
            kept.append(pl.when(present & as_is).then(value).otherwise(None).alias(f"kept{position}"))
            masked.append(pl.when(present & ~as_is).then(value).otherwise(None).alias(f"free{position}"))
        caller = pl.when((event == "ENTERQUEUE") & (n_data > 1)).then(pl.col("f6")).otherwise(pl.lit(""))
        anonymous = caller.str.to_lowercase().is_in(["", "anonymous", "unknown", "<unknown>"])
        rows = rows.select(
            "i",
            "epoch",
            "f1",
            "f2",
            "f3",
            "f4",
            *kept,
            *masked,
            caller=pl.when(anonymous).then(None).otherwise(caller),
        )
        free = self.free
        rows = rows.with_columns(
            call_id=fastpath.mapped(rows["f1"], free, keep=fastpath.UNIQUEID),
            agent=fastpath.mapped(rows["f3"], lambda v: ps.staff(v) or "NONE"),
            caller_hash=fastpath.mapped(rows["caller"], ps.phone),
            **{f"free{p}": fastpath.mapped(rows[f"free{p}"], free, keep=fastpath.UNIQUEID) for p in range(1, 6)},
        )
        return rows.select(
            "i",
            fastpath.utc_text("epoch").alias("event_at"),
            pl.when(pl.col("call_id") == "").then(pl.lit("NONE")).otherwise(pl.col("call_id")).alias("call_id"),
            pl.when(pl.col("f2") == "").then(pl.lit("NONE")).otherwise(pl.col("f2")).alias("queue_name"),
            "agent",
            pl.col("f4").alias("event"),
            *[pl.coalesce(f"kept{p}", f"free{p}").alias(f"data{p}") for p in range(1, 6)],
            "caller_hash",
        )


class TopicsFast:
    """Call-topic rows a chunk at a time, for a file whose first line is exactly the comma-separated
    header (any other header: the file is read line by line). A row is taken when it visibly
    passes every check of the line parser: no quote and no surrounding blanks (the CSV reader
    would read the cells as they are split), five cells, a call id, a known topic and
    resolution, ``wrapup_at`` as ``YYYY-MM-DDTHH:MM:SS±HH:MM`` on the file's day. Call id and topic
    name are masked by :func:`mask_free`, once per distinct value."""

    columns = CALL_TOPICS.columns
    group_key = ("call_topics",)  # the same header: whole files are taken together

    def __init__(self, connector: CallCentreConnector, ctx: ParseContext) -> None:
        self.connector = connector
        self.ctx = ctx
        start, end = limits._day_window("call_topics", ctx.region.timezone, ctx.source_file.file_date)
        self.window = (start.timestamp(), end.timestamp())

    def slow(self, lines: Iterator[Line]) -> Iterator[ParsedRow | Rejection | object]:
        for line in lines:
            if line.number == 1:  # the header, checked when the fast path was chosen
                yield HEADER
            else:
                yield from self.connector._topic_lines(iter([line]), self.ctx, csv_dialect(","))

    def parse_chunk(self, lines: Any, first: int) -> tuple[Any, list[int]]:
        import polars as pl

        from include.fastpath import PRINTABLE_TEXT

        cells = pl.col("text").str.split(",")
        frame = fastpath.frame_of(lines).with_columns(
            printable=pl.col("text").str.contains(PRINTABLE_TEXT),
            plain=~pl.col("text").str.contains(r'"|(^|,)\s|\s(,|$)') & (pl.col("text").str.len_chars() < 100_000),
            cells=cells.list.len(),
            **{name: cells.list.get(k, null_on_oob=True) for k, name in enumerate(TOPIC_COLUMNS)},
        )
        when = pl.col("wrapup_at")
        shape = r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9][+-](0[0-9]|1[0-4]):[0-5][0-9]$"
        moment = when.str.to_datetime("%Y-%m-%dT%H:%M:%S%:z", time_unit="us", strict=False)
        frame = frame.with_columns(epoch=pl.when(when.str.contains(shape)).then(moment.dt.epoch("s")))
        low, high = fastpath.window(frame, self.window)
        accepted = (
            (fastpath.line_number(frame, first) != 1)
            & pl.col("printable")
            & pl.col("plain")
            & (pl.col("cells") == len(TOPIC_COLUMNS))
            & (pl.col("call_id") != "")
            & pl.col("topic_code").is_in(sorted(self.ctx.region.call_topics))
            & pl.col("resolution").is_in(sorted(RESOLUTIONS))
            & pl.col("wrapup_at").str.slice(0, 4).cast(pl.Int32, strict=False).is_between(MIN_YEAR, MAX_YEAR)
            & (pl.col("epoch") >= low)
            & (pl.col("epoch") < high)
        ).fill_null(False)
        frame = frame.with_columns(accepted=accepted)
        fallback = frame.filter(~pl.col("accepted"))["i"].to_list()
        rows = frame.filter(pl.col("accepted"))
        ps = self.ctx.pseudonymiser

        def free(value: str) -> str | None:
            return mask_free(value, ps)

        rows = rows.with_columns(
            call_id=fastpath.mapped(rows["call_id"], free, keep=fastpath.SYSTEM_ID),
            topic_name=fastpath.mapped(rows["topic_name"], free),
        )
        return rows.select(
            "i",
            "call_id",
            "topic_code",
            "topic_name",
            "resolution",
            fastpath.utc_text("epoch").alias("wrapup_at"),
        ), fallback


def mask_queue_log_line(text: str, pseudonymiser: Pseudonymiser) -> str:
    """A rejected queue_log line for the operator: the epoch kept readable, every other field
    through the masking routine (a caller id in field 7 becomes a token)."""
    epoch, sep, rest = text.partition("|")
    if not sep:
        return mask_text(text, pseudonymiser)
    head = epoch if epoch.isdigit() and len(epoch) <= 10 else mask_text(epoch, pseudonymiser)
    return head + "|" + "|".join(mask_text(field, pseudonymiser) for field in rest.split("|"))


if __name__ == "__main__":
    run_cli(CallCentreConnector())
