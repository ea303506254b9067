"""E-mail and web-form requests connector (help-desk export, JSON lines) against a real PostgreSQL:
good lines load pseudonymised (the sender's e-mail, phone and SNILS hash as in every other
source), subjects and texts are masked, every bad line is quarantined with its reason,
read = loaded + rejected + duplicate always holds, and the published JSON Schema agrees with the
connector."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from include.connectors import limits
from include.connectors.email_requests import CHANNELS, EVENTS, RESOLUTIONS, SCHEMA
from include.connectors.records import TIMESTAMP_PATTERN
from include.pseudonymise import Pseudonymiser
from tests.connectors.conftest import KEY, REGION, write
from tests.connectors.records_helpers import (
    assert_nothing_in_clear,
    assert_schema_agrees,
    jsonl,
    run_ingest_dag,
    schema_errors,
    validator,
)

DAY = date(2026, 9, 1)
PHONE = "+7 912 345-67-89"
SNILS = "123-456-789 01"
EMAIL = "Ivan.Petrov@mail.ru"
OTHER_EMAIL = "olga.s@yandex.ru"


def ev(n: int, event: str, request: str = "REQ-0001", **fields: Any) -> dict[str, Any]:
    return {
        "event_id": f"{request}/{n}",
        "request_id": request,
        "ts": f"2026-09-01T{9 + n:02d}:15:00+05:00",
        "event": event,
        **fields,
    }


GOOD: list[dict[str, Any]] = [
    ev(
        0,
        "received",
        channel="web_form",
        office_id="ens-01",
        email=EMAIL,
        phone=PHONE,
        snils=SNILS,
        subject="Пособие по безработице",
        body=f"Когда выплата пособия? Мой телефон {PHONE}, почта {OTHER_EMAIL}",
    ),
    ev(1, "answered", office_id="ens-01", operator_id="op-17", body="Выплата назначена на 5 сентября."),
    ev(2, "closed", resolution="answered"),
    # variants the format allows: Z, no offset (region local time), e-mail only, subject only, nulls
    {
        "event_id": "REQ-0002/0",
        "request_id": "REQ-0002",
        "ts": "2026-09-01T05:00:00Z",
        "event": "received",
        "channel": "email",
        "email": "ivan.petrov@mail.ru",
        "subject": "Вопрос",
        "body": None,
        "office_id": None,
    },
    {"event_id": "REQ-0002/1", "request_id": "REQ-0002", "ts": "2026-09-01 23:30:00", "event": "answered"},
    {
        "event_id": "REQ-0003/0",
        "request_id": "REQ-0003",
        "ts": "2026-09-01T12:00:00+05:00",
        "event": "received",
        "channel": "email",
        "email": OTHER_EMAIL,
        "body": "Какие документы нужны?",
        "phone": "",
    },
]

# (line, the reason it is quarantined for, whether the schema alone already rejects it)
BAD: list[tuple[str, str, bool]] = [
    (
        '{"event_id": "x", "request_id": "y", "ts": "2026-09-01T10:00:00+05:00", "event": "closed"',
        "malformed JSON",
        True,
    ),
    ('["x", "received"]', "a line must be one JSON object, got array", True),
    (
        json.dumps({"request_id": "R-9", "ts": "2026-09-01T10:00:00+05:00", "event": "answered"}),
        "missing required field 'event_id'",
        True,
    ),
    (json.dumps(ev(1, "answered", "R-9") | {"request_id": " "}), "missing required field 'request_id'", True),
    (json.dumps(ev(1, "forwarded", "R-9")), "unknown event 'forwarded'", True),
    (json.dumps(ev(0, "received", "R-9", email=EMAIL, subject="a")), "missing required field 'channel'", True),
    (json.dumps(ev(0, "received", "R-9", channel="fax", email=EMAIL, subject="a")), "unknown channel 'fax'", True),
    (json.dumps(ev(0, "received", "R-9", channel="email", subject="a")), "missing required field 'email'", True),
    (
        json.dumps(ev(0, "received", "R-9", channel="email", email="ivan at mail.ru", subject="a")),
        "is not an e-mail address",
        True,
    ),
    (json.dumps(ev(0, "received", "R-9", channel="email", email=EMAIL)), "needs a subject or a body", True),
    (
        json.dumps(ev(0, "received", "R-9", channel="email", email=EMAIL, subject="a", snils="12-34")),
        "is not a SNILS",
        True,
    ),
    (json.dumps(ev(2, "closed", "R-9")), "missing required field 'resolution'", True),
    (json.dumps(ev(2, "closed", "R-9", resolution="lost")), "unknown resolution 'lost'", True),
    (json.dumps(ev(1, "answered", "R-9", body=42)), "body must be a string, got number", True),
    (json.dumps(ev(1, "answered", "R-9") | {"ts": "01.09.2026 10:00"}), "is not an ISO-8601 timestamp", True),
    (json.dumps(ev(1, "answered", "R-9") | {"ts": "2026-09-01T10:00:00+25:00"}), "impossible UTC offset", True),
    # rejected for reasons beyond the schema: seed codes, the file's day, the calendar, JSON's own rules
    (json.dumps(ev(1, "answered", "R-9", office_id="msk-99")), "offices.csv", False),
    (
        json.dumps(ev(1, "answered", "R-9") | {"ts": "2026-09-03T10:00:00+05:00"}),
        "limit day_tolerance.email_requests",
        False,
    ),
    (json.dumps(ev(1, "answered", "R-9") | {"ts": "2026-02-29T10:00:00+05:00"}), "is not a valid date/time", False),
    (
        '{"event_id": "x", "event_id": "y", "request_id": "R-9", "ts": "2026-09-01T10:00:00+05:00", "event": "answered"}',
        "appears twice",
        False,
    ),
    (json.dumps(ev(1, "answered", "R-9", body="a\x00b")), "NUL character", False),
    ("", "empty line", True),
]


def request_file(landing: Path, text: str | bytes, day: str = "20260901", encoding: str = "utf-8") -> Path:
    return write(landing / REGION / "email_requests" / f"email_requests-{day}.jsonl", text, encoding=encoding)


def rejected(query: Any) -> list[tuple[int, str, str]]:
    return query("select line_no, reason, raw_line from raw.rejected_email_requests order by file_seq, line_no")


def counts(report: dict[str, Any]) -> tuple[int, int, int, int]:
    assert report["read"] == report["loaded"] + report["rejected"] + report["duplicate"]
    return report["read"], report["loaded"], report["rejected"], report["duplicate"]


def test_a_clean_day_loads_every_event_in_utc_and_pseudonymised(
    landing: Path, load: Any, query: Any, fresh_db: str
) -> None:
    request_file(landing, jsonl(GOOD))
    report = load("email_requests", DAY)
    assert counts(report) == (len(GOOD), len(GOOD), 0, 0)
    rows = query(
        "select event_id, event_at, event, channel, office_id, email_hash, phone_hash, snils_hash,"
        " subject_scrubbed, body_scrubbed, operator, resolution"
        " from raw.raw_email_requests_events order by event_id"
    )
    by_id = {row[0]: row for row in rows}
    received, answered, closed = by_id["REQ-0001/0"], by_id["REQ-0001/1"], by_id["REQ-0001/2"]
    assert received[1] == datetime(2026, 9, 1, 4, 15, tzinfo=UTC)  # 09:15 +05:00
    assert (received[2], received[3], received[4]) == ("received", "web_form", "ens-01")
    # the same keyed hashes every source gives: an e-mail is one whatever its capitals
    pseudonymiser = Pseudonymiser(KEY)
    assert received[5] == pseudonymiser.email(EMAIL) == by_id["REQ-0002/0"][5]
    assert received[6] == pseudonymiser.phone("89123456789") and received[7] == pseudonymiser.snils("12345678901")
    assert received[8] == "Пособие по безработице"
    assert "<phone:" in received[9] and "<email:" in received[9] and "пособия" in received[9]
    assert answered[10].startswith("staff:") and answered[5] is None
    assert closed[11] == "answered"
    assert by_id["REQ-0002/1"][1] == datetime(2026, 9, 1, 18, 30, tzinfo=UTC)  # no offset: local time (UTC+5)
    assert by_id["REQ-0003/0"][6] is None  # an empty phone is no phone
    assert_nothing_in_clear(fresh_db, [PHONE, SNILS, EMAIL, OTHER_EMAIL])


@pytest.mark.parametrize(("line", "reason", "schema_invalid"), BAD, ids=[b[1][:40] for b in BAD])
def test_each_bad_line_is_quarantined_with_its_reason(
    landing: Path, load: Any, query: Any, line: str, reason: str, schema_invalid: bool
) -> None:
    request_file(landing, jsonl([*GOOD, line]))
    report = load("email_requests", DAY)
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
    assert set(properties["resolution"]["enum"]) == {*RESOLUTIONS, None}
    assert_schema_agrees(schema, GOOD, BAD)
    # the lines only the connector rejects are valid under the schema (a repeated field name
    # cannot be seen once the JSON is decoded)
    for line, reason, schema_invalid in BAD:
        if not schema_invalid:
            assert schema_errors(schema, line) == [] or reason == "appears twice", line


def test_the_feeds_day_tolerance_is_registered_and_documented() -> None:
    formats = (Path(SCHEMA).parents[1] / "connectors" / "FORMATS.md").read_text(encoding="utf-8")
    assert limits.DAY_TOLERANCE["email_requests"].total_seconds() == 6 * 3600
    assert "`day_tolerance.email_requests` | ±6 h" in formats
    with pytest.raises(ValueError, match=r"day_tolerance\.email_requests"):
        limits.register("email_requests", limits.DAY_TOLERANCE["chatbot"] * 2)


def test_duplicate_lines_conflicts_and_duplicate_deliveries(landing: Path, load: Any, query: Any) -> None:
    conflicting = ev(2, "closed", resolution="redirected")  # same event_id as GOOD[2], other content
    request_file(landing, jsonl([*GOOD, GOOD[1], conflicting]))
    report = load("email_requests", DAY)
    assert counts(report) == (len(GOOD) + 2, len(GOOD), 1, 1)
    [(line_no, why, _)] = rejected(query)
    assert line_no == len(GOOD) + 2
    assert why.startswith("conflicting record: key REQ-0001/2 already loaded from file 1 line 3")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251"])
def test_bom_and_windows_1251_files_are_decoded(landing: Path, load: Any, query: Any, encoding: str) -> None:
    request_file(landing, jsonl(GOOD), encoding=encoding)
    assert counts(load("email_requests", DAY)) == (len(GOOD), len(GOOD), 0, 0)
    [(text,)] = query("select subject_scrubbed from raw.raw_email_requests_events where event_id = 'REQ-0001/0'")
    assert text == "Пособие по безработице"


def test_no_identifier_is_stored_in_clear_even_in_rejected_lines(
    landing: Path, load: Any, query: Any, fresh_db: str
) -> None:
    leaky = [
        json.dumps(ev(0, "received", "R-9", channel="pigeon", email=EMAIL, phone=PHONE, snils=SNILS, body=OTHER_EMAIL)),
        f'{{"event_id": "R-9/1", "email": "{EMAIL}", "phone": "{PHONE}", "snils": "{SNILS}", "body": "{OTHER_EMAIL}',
    ]
    request_file(landing, jsonl([*GOOD, *leaky]))
    assert counts(load("email_requests", DAY)) == (len(GOOD) + 2, len(GOOD), 2, 0)
    assert all("<email:" in raw and "<phone:" in raw and "<snils:" in raw for _, _, raw in rejected(query))
    assert_nothing_in_clear(fresh_db, [PHONE, SNILS, EMAIL, OTHER_EMAIL])


def test_the_dag_loads_and_validates_a_dropped_file(
    airflow_db: Path, landing: Path, query: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    request_file(landing, jsonl([*GOOD, BAD[0][0]]))
    [(status, read, loaded, rejected_rows, duplicate, success)] = run_ingest_dag(
        "email_requests", DAY, landing, monkeypatch, query
    )
    assert (status, success) == ("validated", "true")
    assert (read, loaded, rejected_rows, duplicate) == (len(GOOD) + 1, len(GOOD), 1, 0)
