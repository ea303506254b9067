"""Hostile input for the e-mail and web-form requests (help-desk export, JSON lines): collected
by ``test_corpus.py`` with every other source's cases and run through the same harness."""

from __future__ import annotations

import json
from typing import Any

from tests.bad_input import sources as s
from tests.bad_input.corpus import Case, one
from tests.bad_input.sources import lines

E = "email_requests-20260901.jsonl"


def request_event(n: int, event: str = "received", request: str = "REQ-0001", **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "event_id": f"{request}/{n}",
        "request_id": request,
        "ts": f"2026-09-01T{9 + n % 12:02d}:10:00+05:00",
        "event": event,
    }
    if event == "received":
        record |= {"channel": "web_form", "email": s.EMAIL, "subject": "Вопрос"}
    return record | fields


def requests() -> list[str]:
    """Four good lines with personal data in every field that can hold it: identifiers (hashed),
    the subject and the text (masked), the ids (masked), the operator (a staff pseudonym)."""
    events = [
        request_event(0, phone=s.PHONE, snils=s.SNILS, subject=f"Перезвоните {s.PHONE_DOTTED}", body=s.FREE_TEXT),
        request_event(1, "answered", operator_id=s.PHONE_BARE, body=f"Ответили на {s.EMAIL}"),
        request_event(2, "closed", resolution="answered"),
        request_event(0, request=f"REQ-{s.PHONE_BRACKETS}", channel="email", body="какие документы нужны?"),
    ]
    return [json.dumps(e, ensure_ascii=False) for e in events]


CASES: list[Case] = [
    Case("email-personal-data-in-every-field", "email_requests", {E: lines(requests())}, 4, rerun=True),
    Case(
        "email-dated-2099",
        "email_requests",
        {E: lines(requests(), json.dumps(request_event(9, "answered") | {"ts": "2099-09-01T10:00:00+05:00"}))},
        4,
        one(E, 5, "not on the file's day"),
    ),
    Case(
        "email-200kb-body",
        "email_requests",
        {E: lines(requests(), json.dumps(request_event(9, body="a." * 90_000 + s.FREE_TEXT), ensure_ascii=False))},
        5,
    ),
    Case(
        "email-raw-nul-byte",
        "email_requests",
        {E: lines(requests()) + b'{"event_id": "R-9/1", "request_id": "R-9"\x00}\n'},
        4,
        one(E, 5, "NUL"),
    ),
    Case(
        "email-deeply-nested",
        "email_requests",
        {E: lines(requests(), '{"body": ' + "[" * 100_000 + "]" * 100_000 + "}")},
        4,
        one(E, 5, "nested too deeply"),
    ),
    Case(
        "email-sender-address-broken",
        "email_requests",
        {E: lines(requests(), json.dumps(request_event(9, email=f"{s.PHONE_BARE} at mail")))},
        4,
        one(E, 5, "is not an e-mail address"),
    ),
    Case(
        "email-same-event-other-values-in-another-days-file",
        "email_requests",
        {E: lines([json.dumps(request_event(1, "closed", request="R-night", resolution="duplicate"))])},
        0,
        one(E, 1, "already loaded by batch"),
        earlier={
            "email_requests-20260831.jsonl": lines(
                [
                    json.dumps(
                        request_event(1, "closed", request="R-night", resolution="answered")
                        | {"ts": "2026-09-01T00:10:00+05:00"}
                    )
                ]
            )
        },
    ),
]
