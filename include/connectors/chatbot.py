"""Chatbot connector: JSON lines, one chat event per line.

Formats: ``include/connectors/FORMATS.md`` (section "Chatbot"); the published schema is
``include/schemas/chatbot_event.schema.json`` and this module enforces the same rules (plus the
intent codes of ``dbt/seeds/chatbot_intents.csv``). The messenger user id and a shared phone
become keyed hashes; phones, SNILS and e-mails inside the user's message are masked
(``scrub_text``) before the row leaves this module.

Run one interval by hand::

    python -m include.connectors.chatbot --region enskaya --date 2026-09-01
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from include.connectors import limits
from include.connectors.common import mask_free, run_cli
from include.connectors.records import JsonLinesConnector, Record
from include.loading import Line, ParseContext, ParsedRow, RawTable, Rejection, SourceFile

SOURCE = "chatbot"
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "chatbot_event.schema.json"
EVENTS = frozenset(
    {
        "chat_started",
        "message",
        "intent_recognised",
        "fallback",
        "handoff_to_operator",
        "resolved",
        "abandoned",
        "rating",
    }
)
CHANNELS = frozenset({"web", "vk", "telegram", "max"})
_FILE = re.compile(r"^chatbot_events-(?P<date>\d{8})\.jsonl$", re.IGNORECASE)

EVENTS_TABLE = RawTable(
    name="raw_chatbot_events",
    column_ddl=(
        ("session_id", "text not null"),
        ("seq", "integer not null"),
        ("event_at", "timestamptz not null"),
        ("event", "text not null"),
        ("channel", "text"),
        ("user_hash", "text"),
        ("phone_hash", "text"),
        ("text_scrubbed", "text"),
        ("intent", "text"),
        ("confidence", "numeric"),
        ("rating", "smallint"),
    ),
    natural_key=("session_id", "seq"),
)


class ChatbotConnector(JsonLinesConnector):
    source = SOURCE
    tables: ClassVar[dict[str, RawTable]] = {"events": EVENTS_TABLE}
    rejected_table = "rejected_chatbot"
    file_pattern = _FILE

    def parse_object(self, obj: dict[str, object], ctx: ParseContext) -> tuple[object, ...]:
        return parse_event(obj, ctx)

    def fast_parser(self, source_file: SourceFile, ctx: ParseContext) -> ChatbotFast:
        """The vectorised parser of the file's chunks (``include.fastpath``)."""
        return ChatbotFast(self, ctx)


def parse_event(obj: dict[str, object], ctx: ParseContext) -> tuple[object, ...]:
    """One decoded chatbot event → the raw row; raises FieldError with the reason."""
    record = Record(obj, typed=True)
    session_id = record.text("session_id", required=True)
    seq_limit = limits.LIMITS["chatbot.seq"]
    seq = record.integer("seq", int(seq_limit.low), int(seq_limit.high), required=True)
    event = record.code("event", EVENTS, required=True)
    event_at = record.timestamp("ts", ctx.region.timezone, required=True)
    assert event_at is not None
    limits.check_on_file_day("chatbot", event_at, ctx.region.timezone, ctx.source_file.file_date, "ts")
    channel = record.code("channel", CHANNELS, required=event == "chat_started")
    user_id = record.text("user_id")
    phone = record.text("phone")
    text = record.text("text")
    intent = record.code(
        "intent", ctx.region.chatbot_intents, required=event == "intent_recognised", seed="chatbot_intents"
    )
    confidence = record.number("confidence", Decimal(0), Decimal(1))
    rating = record.integer("rating", 1, 5, required=event == "rating")
    pseudonymiser = ctx.pseudonymiser
    return (
        mask_free(session_id, pseudonymiser),
        seq,
        event_at,
        event,
        channel,
        pseudonymiser.online_id("messenger", user_id),
        pseudonymiser.phone(phone),
        pseudonymiser.scrub_text(text) if text is not None else None,
        intent,
        confidence,
        rating,
    )


# -- the fast path ----------------------------------------------------------------------------
#
# A line of the export is one flat object with the schema's fields in the schema's order, which
# the exporting system writes compact (``json.dumps`` with or without blanks after ``,`` and ``:``).
# Printable text has no backslash, hence no escape: a string is exactly what lies between two
# quotes. So a line matching ``_LINE`` is one JSON object whose fields are known and given once
# each (``json`` would read it the same way), and its groups are the values as ``json`` decodes
# them: the strings' text, the numbers as written; a field absent or null has no group (None).
_S = r'"([^"]*)"'
_S_OR_NULL = r'(?:"([^"]*)"|null)'
_SEP = ", ?"
_LINE = (
    r'^\{"session_id": ?' + _S + _SEP + r'"seq": ?(0|[1-9][0-9]{0,9})' + _SEP + r'"ts": ?' + _S + _SEP
    + r'"event": ?' + _S
    + "".join(f'(?:{_SEP}"{name}": ?{_S_OR_NULL})?' for name in ("channel", "user_id", "phone", "text", "intent"))
    # a number ``Record.number`` reads as a Decimal within 0–1 and psycopg writes as written here
    # (at most six decimals: ``str(Decimal)`` has no exponent)
    + _SEP.join(("(?:", r'"confidence": ?(?:(0(?:\.[0-9]{1,6})?|1(?:\.0{1,6})?)|null))?'))
    + _SEP.join(("(?:", r'"rating": ?(?:([1-5])|null))?'))
    + r"\}$"
)  # fmt: skip
# the fields of an event in the schema's order (``_LINE``'s groups)
FIELDS = ("session_id", "seq", "ts", "event", "channel", "user_id", "phone", "text", "intent", "confidence", "rating")
# the groups' names (``user_text``: the field ``text``, beside the line's own ``text``)
_GROUPS = tuple("user_text" if name == "text" else name for name in FIELDS)


class ChatbotFast:
    """Chatbot events a chunk at a time (polars). A line is taken when it visibly passes every
    check of :func:`parse_event`: printable text (no escapes), one flat JSON object with the
    schema's fields in the schema's order (so none unknown, none repeated: ``_LINE``);
    ``session_id`` a non-blank string; ``seq`` an integer written plainly within its limit; ``ts``
    ``YYYY-MM-DDTHH:MM:SS`` with ``Z``, ``±HH:MM`` or no offset (then not in a clock change of the
    region), a real date, on the file's day; ``event``, ``channel`` and ``intent`` known codes,
    given where the event needs them; ``confidence`` written plainly within 0–1; ``rating`` 1–5;
    messenger id, phone and text strings or null. Session id, messenger id, phone and text go
    through the line parser's own masking and hashing, once per distinct value; a value these
    fail on sends its line to the line parser. ``seq`` and ``rating`` are taken within their
    warehouse columns (``bounds_checked``)."""

    columns = EVENTS_TABLE.columns
    bounds_checked = True
    line_cost = 4  # a JSON line costs the line parser about four queue_log lines
    group_key = ("events",)  # whole files taken together

    def __init__(self, connector: ChatbotConnector, ctx: ParseContext) -> None:
        self.connector = connector
        self.ctx = ctx
        start, end = limits._day_window("chatbot", ctx.region.timezone, ctx.source_file.file_date)
        self.window = (start.timestamp(), end.timestamp())

    def slow(self, lines: Iterator[Line]) -> Iterator[ParsedRow | Rejection | object]:
        return self.connector.parse(lines, self.ctx)

    def parse_chunk(self, lines: Any, first: int) -> tuple[Any, list[int]]:
        import polars as pl

        from include import fastpath

        text = pl.col("text")
        plain = text.str.contains(fastpath.PRINTABLE_TEXT) & (text.str.len_chars() < 100_000)
        frame = fastpath.frame_of(lines)
        groups = pl.when(plain).then(text.str.extract_groups(_LINE))
        frame = frame.with_columns(groups.struct.rename_fields(list(_GROUPS)).alias("groups")).unnest("groups")
        ps = self.ctx.pseudonymiser

        def session(value: str) -> str | None:
            stripped = value.strip()
            return mask_free(stripped, ps) if stripped else fastpath.INVALID

        frame = frame.with_columns(
            session=fastpath.mapped(frame["session_id"], fastpath.safe(session), keep=fastpath.SYSTEM_ID),
            epoch=fastpath.iso_epoch(pl.col("ts"), self.ctx.region.timezone.key),
        )
        low, high = fastpath.window(frame, self.window)
        event = pl.col("event")
        limit = limits.LIMITS["chatbot.seq"]
        accepted = (
            (pl.col("session") != fastpath.INVALID)
            & pl.col("seq").cast(pl.Int64).is_between(int(limit.low), int(limit.high))
            & pl.col("epoch").is_between(low, high, closed="left")
            & event.is_in(sorted(EVENTS))
            & (pl.col("channel").is_in(sorted(CHANNELS)) | (pl.col("channel").is_null() & (event != "chat_started")))
            & (
                pl.col("intent").is_in(sorted(self.ctx.region.chatbot_intents))
                | (pl.col("intent").is_null() & (event != "intent_recognised"))
            )
            & (pl.col("rating").is_not_null() | (event != "rating"))
        ).fill_null(False)
        frame = frame.with_columns(accepted=accepted)
        rows = frame.filter(pl.col("accepted"))

        def phone(value: str) -> str | None:
            return ps.phone(value.strip() or None)

        def scrub(value: str) -> str | None:
            stripped = value.strip()
            return ps.scrub_text(stripped) if stripped else None

        rows = rows.with_columns(
            user_hash=fastpath.mapped(rows["user_id"], fastpath.safe(lambda value: ps.online_id("messenger", value))),
            phone_hash=fastpath.mapped(rows["phone"], fastpath.safe(phone)),
            text_scrubbed=fastpath.mapped(rows["user_text"], fastpath.safe(scrub)),
        )
        masked = ("user_hash", "phone_hash", "text_scrubbed")
        rows, fallback = fastpath.without_invalid(frame, rows, masked)
        return rows.select(
            "i",
            pl.col("session").alias("session_id"),
            "seq",
            fastpath.utc_text("epoch").alias("event_at"),
            "event",
            "channel",
            *masked,
            "intent",
            "confidence",
            "rating",
        ), fallback


if __name__ == "__main__":
    run_cli(ChatbotConnector())
