"""Chatbot connector (JSON lines) against a real PostgreSQL: good lines load pseudonymised, every
bad line is quarantined with its reason, read = loaded + rejected + duplicate always holds, and
the published JSON Schema agrees with the connector."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from include.connectors.chatbot import CHANNELS, EVENTS, SCHEMA
from include.connectors.records import TIMESTAMP_PATTERN
from tests.connectors.conftest import REGION, write
from tests.connectors.records_helpers import (
    assert_nothing_in_clear,
    assert_schema_agrees,
    jsonl,
    run_ingest_dag,
    validator,
)

DAY = date(2026, 9, 1)
PHONE = "+7 912 345-67-89"
SNILS = "123-456-789 01"
EMAIL = "ivan.petrov@mail.ru"
USER = "tg:5550001"


def ev(seq: int, event: str, **fields: Any) -> dict[str, Any]:
    return {
        "session_id": "s-0001",
        "seq": seq,
        "ts": f"2026-09-01T10:{15 + seq:02d}:00+05:00",
        "event": event,
        **fields,
    }


GOOD: list[dict[str, Any]] = [
    ev(0, "chat_started", channel="telegram", user_id=USER),
    ev(1, "message", text=f"Когда придёт пособие? звоните {PHONE}, почта {EMAIL}"),
    ev(2, "intent_recognised", intent="benefit_status", confidence=0.93),
    ev(3, "message", text=f"мой снилс {SNILS}", phone=PHONE),
    ev(4, "fallback", text="ну и?", confidence=0.12),
    ev(5, "handoff_to_operator", phone="89123456789"),
    ev(6, "resolved"),
    ev(7, "rating", rating=5),
    # variants the format allows: Z, no offset (region local time), +0500, fractions, nulls, 3.0
    {"session_id": "s-0002", "seq": 0, "ts": "2026-09-01T05:00:00Z", "event": "chat_started", "channel": "web"},
    {"session_id": "s-0002", "seq": 1, "ts": "2026-09-01 10:00:05", "event": "message", "text": None},
    {"session_id": "s-0002", "seq": 2.0, "ts": "2026-09-01T10:00:06.250+0500", "event": "abandoned", "intent": None},
    {"session_id": "s-0003", "seq": 0, "ts": "2026-09-01T11:00:00+05:00", "event": "chat_started", "channel": "max"},
]

# (line, the reason it is quarantined for, whether the schema alone already rejects it)
BAD: list[tuple[str, str, bool]] = [
    ('{"session_id": "s-9", "seq": 1, "ts": "2026-09-01T10:00:00+05:00", "event": "message"', "malformed JSON", True),
    ('["s-9", 1, "message"]', "a line must be one JSON object, got array", True),
    ('"just a string"', "a line must be one JSON object, got string", True),
    (json.dumps(ev(1, "message") | {"session_id": "s-9", "seq": "three"}), "seq must be an integer", True),
    (json.dumps(ev(1, "rating", rating=9) | {"session_id": "s-9"}), "rating 9 is out of range 1–5", True),
    (json.dumps(ev(1, "rating", rating="5") | {"session_id": "s-9"}), "rating must be an integer, got string", True),
    (json.dumps(ev(1, "message") | {"session_id": "s-9", "seq": True}), "seq must be an integer, got boolean", True),
    (json.dumps(ev(1, "message") | {"session_id": "s-9", "seq": -1}), "seq -1 is out of range", True),
    (json.dumps({"session_id": "s-9", "seq": 1, "event": "message"}), "missing required field 'ts'", True),
    (json.dumps(ev(1, "message") | {"session_id": "  "}), "missing required field 'session_id'", True),
    (json.dumps(ev(1, "message") | {"ts": "2026-02-30T10:00:00+05:00"}), "is not a valid date/time", True),
    (json.dumps(ev(1, "message") | {"ts": "1899-09-01T10:00:00+05:00"}), "impossible year", True),
    (json.dumps(ev(1, "message") | {"ts": "01.09.2026 10:00"}), "is not an ISO-8601 timestamp", True),
    (json.dumps(ev(1, "message") | {"ts": 1788238801}), "ts must be a string, got number", True),
    (json.dumps(ev(1, "message") | {"ts": "2026-09-01T10:00:00+25:00"}), "impossible UTC offset", True),
    (json.dumps(ev(1, "teleported") | {"session_id": "s-9"}), "unknown event 'teleported'", True),
    (json.dumps(ev(1, "chat_started") | {"session_id": "s-9"}), "missing required field 'channel'", True),
    (json.dumps(ev(1, "chat_started", channel="icq") | {"session_id": "s-9"}), "unknown channel 'icq'", True),
    (json.dumps(ev(1, "intent_recognised") | {"session_id": "s-9"}), "missing required field 'intent'", True),
    (json.dumps(ev(1, "fallback", confidence=1.5) | {"session_id": "s-9"}), "confidence 1.5 is out of range", True),
    (json.dumps(ev(1, "message", text=42) | {"session_id": "s-9"}), "text must be a string, got number", True),
    # rejected for reasons beyond the schema: seed codes, the calendar, JSON's own rules
    (json.dumps(ev(1, "intent_recognised", intent="astrology") | {"session_id": "s-9"}), "chatbot_intents.csv", False),
    (json.dumps(ev(1, "message") | {"ts": "2026-02-29T10:00:00+05:00"}), "is not a valid date/time", False),
    (
        '{"session_id": "s-9", "seq": 1, "seq": 2, "ts": "2026-09-01T10:00:00+05:00", "event": "resolved"}',
        "appears twice",
        False,
    ),
    (
        '{"session_id": "s-9", "seq": NaN, "ts": "2026-09-01T10:00:00+05:00", "event": "resolved"}',
        "NaN is not a JSON number",
        True,
    ),
    (json.dumps(ev(1, "message", text="a\x00b") | {"session_id": "s-9"}), "NUL character", False),
    (json.dumps(ev(1, "message", text="\ud800") | {"session_id": "s-9"}), "unpaired surrogate", False),
    ("", "empty line", True),
]


def chat_file(landing: Path, text: str | bytes, day: str = "20260901", encoding: str = "utf-8") -> Path:
    return write(landing / REGION / "chatbot" / f"chatbot_events-{day}.jsonl", text, encoding=encoding)


def rejected(query: Any) -> list[tuple[int, str, str]]:
    return query("select line_no, reason, raw_line from raw.rejected_chatbot order by file_seq, line_no")


def counts(report: dict[str, Any]) -> tuple[int, int, int, int]:
    assert report["read"] == report["loaded"] + report["rejected"] + report["duplicate"]
    return report["read"], report["loaded"], report["rejected"], report["duplicate"]


def test_a_clean_day_loads_every_event_in_utc_and_pseudonymised(
    landing: Path, load: Any, query: Any, fresh_db: str
) -> None:
    chat_file(landing, jsonl(GOOD))
    report = load("chatbot", DAY)
    assert counts(report) == (len(GOOD), len(GOOD), 0, 0)
    rows = query(
        "select seq, event_at, event, channel, user_hash, phone_hash, text_scrubbed, intent, confidence, rating"
        " from raw.raw_chatbot_events where session_id = 's-0001' order by seq"
    )
    assert rows[0][1] == datetime(2026, 9, 1, 5, 15, tzinfo=UTC)  # 10:15 +05:00
    assert rows[0][3] == "telegram" and len(rows[0][4]) == 64
    assert "<phone:" in rows[1][6] and "<email:" in rows[1][6] and "пособие" in rows[1][6]
    assert "<snils:" in rows[3][6]
    assert rows[3][5] == rows[5][5] and len(rows[3][5]) == 64  # +7 912 … and 8912… are one phone
    assert (rows[2][7], rows[2][8]) == ("benefit_status", Decimal("0.93"))
    assert rows[7][9] == 5
    local = query("select event_at, seq from raw.raw_chatbot_events where session_id = 's-0002' order by seq")
    assert [t for t, _ in local] == [
        datetime(2026, 9, 1, 5, 0, tzinfo=UTC),
        datetime(2026, 9, 1, 5, 0, 5, tzinfo=UTC),  # no offset: local time of the region (UTC+5)
        datetime(2026, 9, 1, 5, 0, 6, 250000, tzinfo=UTC),
    ]
    assert_nothing_in_clear(fresh_db, [PHONE, SNILS, EMAIL, USER])


@pytest.mark.parametrize(("line", "reason", "schema_invalid"), BAD, ids=[b[1][:40] for b in BAD])
def test_each_bad_line_is_quarantined_with_its_reason(
    landing: Path, load: Any, query: Any, line: str, reason: str, schema_invalid: bool
) -> None:
    chat_file(landing, jsonl([*GOOD, line]))
    report = load("chatbot", DAY)
    assert counts(report) == (len(GOOD) + 1, len(GOOD), 1, 0)
    [(line_no, why, _)] = rejected(query)
    assert line_no == len(GOOD) + 1
    assert reason in why


def test_the_schema_and_the_connector_agree() -> None:
    schema = validator(SCHEMA)
    properties = schema.schema["properties"]
    assert properties["ts"]["pattern"] == TIMESTAMP_PATTERN
    assert set(properties["event"]["enum"]) == EVENTS
    assert set(properties["channel"]["enum"]) == {*CHANNELS, None}
    assert_schema_agrees(schema, GOOD, BAD)


def test_a_truncated_last_line_is_rejected_but_a_complete_one_loads(landing: Path, load: Any, query: Any) -> None:
    cut = json.dumps(ev(8, "message", text="обрыв"))[:40]
    chat_file(landing, jsonl(GOOD) + cut)
    assert counts(load("chatbot", DAY)) == (len(GOOD) + 1, len(GOOD), 1, 0)
    assert rejected(query)[0][1].startswith("truncated last line")
    chat_file(landing, jsonl(GOOD, final_newline=False))
    assert counts(load("chatbot", DAY)) == (len(GOOD), len(GOOD), 0, 0)


def test_a_file_cut_off_with_nul_padding_is_quarantined_not_crashing(landing: Path, load: Any, query: Any) -> None:
    chat_file(landing, jsonl(GOOD).encode() + b'{"session_id": "s-0009", "se' + b"\x00" * 64)
    assert counts(load("chatbot", DAY)) == (len(GOOD) + 1, len(GOOD), 1, 0)
    [(_, why, raw)] = rejected(query)
    assert why.startswith("truncated last line") and "\x00" not in raw


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251"])
def test_bom_and_windows_1251_files_are_decoded(landing: Path, load: Any, query: Any, encoding: str) -> None:
    chat_file(landing, jsonl(GOOD), encoding=encoding)
    assert counts(load("chatbot", DAY)) == (len(GOOD), len(GOOD), 0, 0)
    [(text,)] = query("select text_scrubbed from raw.raw_chatbot_events where session_id = 's-0001' and seq = 1")
    assert text.startswith("Когда придёт пособие?")


def test_duplicate_lines_conflicts_and_duplicate_deliveries(landing: Path, load: Any, query: Any) -> None:
    conflicting = ev(7, "rating", rating=2)  # same session and seq as GOOD[7], other content
    chat_file(landing, jsonl([*GOOD, GOOD[1], conflicting]))
    report = load("chatbot", DAY)
    assert counts(report) == (len(GOOD) + 2, len(GOOD), 1, 1)
    [(line_no, why, _)] = rejected(query)
    assert line_no == len(GOOD) + 2
    assert why.startswith("conflicting record: key s-0001/7 already loaded from file 1 line 8")
    chat_file(landing, jsonl([*GOOD, GOOD[1], conflicting]), day="20260902")  # the same export re-sent
    again = load("chatbot", date(2026, 9, 2))
    assert counts(again) == (len(GOOD) + 2, 0, 0, len(GOOD) + 2)


def test_a_duplicate_is_the_same_text_not_only_equal_values(landing: Path, load: Any, query: Any) -> None:
    """Exact duplicates are rows of the same text; the loader looks for them only among rows whose
    values hash alike. 0.5 and 0.50 are equal numbers of another text: a conflict, not a duplicate;
    rows equal with NULLs in them are duplicates; a row of its own is left alone."""
    base = {"session_id": "s-0009", "ts": "2026-09-01T10:00:00+05:00", "event": "fallback"}
    lines = [
        '{"session_id":"s-0009","seq":1,"ts":"2026-09-01T10:00:00+05:00","event":"fallback","confidence":0.5}',
        '{"session_id":"s-0009","seq":1,"ts":"2026-09-01T10:00:00+05:00","event":"fallback","confidence":0.50}',
        {**base, "seq": 2, "text": None, "confidence": None},
        {**base, "seq": 2},  # the same row: absent and null are both NULL
        {**base, "seq": 3, "confidence": 0.5},
    ]
    chat_file(landing, jsonl(lines))
    report = load("chatbot", DAY)
    assert counts(report) == (5, 3, 1, 1)
    [(line_no, why, _)] = rejected(query)
    assert (line_no, why) == (2, "conflicting record: key s-0009/1 already loaded from file 1 line 1 with other values")
    assert query("select seq, confidence::text from raw.raw_chatbot_events order by seq") == [
        (1, "0.5"),
        (2, None),
        (3, "0.5"),
    ]


def test_rerunning_an_interval_replaces_its_batch(landing: Path, load: Any, query: Any) -> None:
    chat_file(landing, jsonl([*GOOD, BAD[0][0]]))
    first = load("chatbot", DAY)
    rerun = load("chatbot", DAY)
    assert rerun["replaced_batches"] == [first["batch_id"]]
    assert query("select count(*) from raw.raw_chatbot_events") == [(len(GOOD),)]
    assert query("select count(*) from raw.rejected_chatbot") == [(1,)]


def test_no_identifier_is_stored_in_clear_even_in_rejected_lines(
    landing: Path, load: Any, query: Any, fresh_db: str
) -> None:
    leaky = [
        json.dumps(
            ev(1, "message", user_id=USER, phone=PHONE, text=f"{SNILS} {EMAIL}") | {"session_id": "x", "seq": "1"}
        ),
        f'{{"session_id": "x", "seq": 2, "user_id": "{USER}", "phone": "{PHONE}", "text": "{EMAIL}"',
    ]
    chat_file(landing, jsonl([*GOOD, *leaky]))
    assert counts(load("chatbot", DAY)) == (len(GOOD) + 2, len(GOOD), 2, 0)
    assert all("<user:" in raw and "<phone:" in raw for _, _, raw in rejected(query))
    assert_nothing_in_clear(fresh_db, [PHONE, SNILS, EMAIL, USER])


def test_the_dag_loads_and_validates_a_dropped_file(
    airflow_db: Path, landing: Path, query: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat_file(landing, jsonl([*GOOD, BAD[0][0]]))
    [(status, read, loaded, rejected_rows, duplicate, success)] = run_ingest_dag(
        "chatbot", DAY, landing, monkeypatch, query
    )
    assert (status, success) == ("validated", "true")
    assert (read, loaded, rejected_rows, duplicate) == (len(GOOD) + 1, len(GOOD), 1, 0)
