"""E-mail and web-form requests connector: the help desk's export, JSON lines, one event per line.

Requests (обращения) reach the ЦЗН by e-mail or through the form on its site; the help desk
(the request registry of the ЦЗН: Naumen Service Desk, OTRS, a «журнал обращений» …) exports
what happened to them — a request received, answered, closed. Formats:
``include/connectors/FORMATS.md`` (section "E-mail and web-form requests"); the published schema
is ``include/schemas/email_request_event.schema.json`` and this module enforces the same rules
(plus the office codes of ``dbt/seeds/offices.csv``).

The sender's e-mail, the phone and the SNILS a web form asks for become keyed hashes (the same
hashes as on the portal, in the call centre and on the case, so the request joins the client's
other contacts); the subject and the text are masked (``scrub_text``) before the row leaves this
module; the operator who answered becomes a staff pseudonym.

Run one interval by hand::

    python -m include.connectors.email_requests --region enskaya --date 2026-09-01
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import ClassVar

from include.connectors import limits
from include.connectors.common import FieldError, mask_free, run_cli
from include.connectors.records import JsonLinesConnector, Record
from include.loading import ParseContext, RawTable

SOURCE = "email_requests"
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "email_request_event.schema.json"
_SCHEMA = json.loads(SCHEMA.read_text(encoding="utf-8"))["properties"]
# one list of codes for the schema, the connector, the suite and the docs: the schema's
EVENTS = frozenset(_SCHEMA["event"]["enum"])
CHANNELS = frozenset(value for value in _SCHEMA["channel"]["enum"] if value is not None)
RESOLUTIONS = frozenset(value for value in _SCHEMA["resolution"]["enum"] if value is not None)
EMAIL_PATTERN = _SCHEMA["email"]["pattern"]
SNILS_PATTERN = _SCHEMA["snils"]["pattern"]
_EMAIL = re.compile(EMAIL_PATTERN)
_SNILS = re.compile(SNILS_PATTERN)
_FILE = re.compile(r"^email_requests-(?P<date>\d{8})\.jsonl$", re.IGNORECASE)

# an answer written late in the evening is exported with the next day; a request received just
# before midnight may be filed with the day after
limits.register(SOURCE, timedelta(hours=6))

EVENTS_TABLE = RawTable(
    name="raw_email_requests_events",
    column_ddl=(
        ("event_id", "text not null"),
        ("request_id", "text not null"),
        ("event", "text not null"),
        ("event_at", "timestamptz not null"),
        ("channel", "text"),
        ("office_id", "text"),
        ("email_hash", "text"),
        ("phone_hash", "text"),
        ("snils_hash", "text"),
        ("subject_scrubbed", "text"),
        ("body_scrubbed", "text"),
        ("operator", "text"),
        ("resolution", "text"),
    ),
    natural_key=("event_id",),
)


class EmailRequestsConnector(JsonLinesConnector):
    source = SOURCE
    tables: ClassVar[dict[str, RawTable]] = {"events": EVENTS_TABLE}
    rejected_table = "rejected_email_requests"
    file_pattern = _FILE

    def parse_object(self, obj: dict[str, object], ctx: ParseContext) -> tuple[object, ...]:
        return parse_request_event(obj, ctx)


def parse_request_event(obj: dict[str, object], ctx: ParseContext) -> tuple[object, ...]:
    """One decoded help-desk event → the raw row; raises FieldError with the reason."""
    region = ctx.region
    record = Record(obj, typed=True)
    event_id = record.text("event_id", required=True)
    request_id = record.text("request_id", required=True)
    event = record.code("event", EVENTS, required=True)
    event_at = record.timestamp("ts", region.timezone, required=True)
    assert event_at is not None
    limits.check_on_file_day(SOURCE, event_at, region.timezone, ctx.source_file.file_date, "ts")
    received = event == "received"
    channel = record.code("channel", CHANNELS, required=received)
    office_id = record.code("office_id", region.offices, seed="offices")
    # the answer goes back to the sender: a request without an address cannot be answered
    email = record.matching("email", _EMAIL, "an e-mail address (name@domain)", required=received)
    phone = record.text("phone")
    snils = record.matching("snils", _SNILS, "a SNILS (11 digits, e.g. 123-456-789 01)")
    subject = record.text("subject")
    body = record.text("body")
    if received and subject is None and body is None:
        raise FieldError("a received request needs a subject or a body")
    operator = record.text("operator_id")
    resolution = record.code("resolution", RESOLUTIONS, required=event == "closed")
    pseudonymiser = ctx.pseudonymiser
    return (
        mask_free(event_id, pseudonymiser),
        mask_free(request_id, pseudonymiser),
        event,
        event_at,
        channel,
        office_id,
        pseudonymiser.email(email),
        pseudonymiser.phone(phone),
        pseudonymiser.snils(snils),
        pseudonymiser.scrub_text(subject) if subject is not None else None,
        pseudonymiser.scrub_text(body) if body is not None else None,
        pseudonymiser.staff(operator),
        resolution,
    )


if __name__ == "__main__":
    run_cli(EmailRequestsConnector())
