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
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from include.connectors import limits
from include.connectors.common import mask_free, run_cli
from include.connectors.records import JsonLinesConnector, Record
from include.loading import ParseContext, RawTable

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


if __name__ == "__main__":
    run_cli(ChatbotConnector())
