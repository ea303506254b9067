"""ЦЗН case-management connector: JSON lines, one case event per line.

Formats: ``include/connectors/FORMATS.md`` (section "ЦЗН case management"); the published
schema is ``include/schemas/case_event.schema.json`` and this module enforces the same rules plus
the codes of the seeds (offices, application types, client groups). Personal identifiers become
keyed hashes here: SNILS, phone and the INN of an individual (12 digits, e.g. an individual
entrepreneur). A company's 10-digit INN and its 13-digit OGRN are not personal data and stay
clear; the 15-digit OGRNIP of an individual entrepreneur identifies a person and is not stored
(the entrepreneur is identified by ``inn_hash``).

Run one interval by hand::

    python -m include.connectors.cases --region enskaya --date 2026-09-01
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from include.connectors import limits
from include.connectors.common import mask_free, run_cli
from include.connectors.records import JsonLinesConnector, Record
from include.loading import ParseContext, RawTable
from include.pseudonymise import normalise_digits, split_inn

SOURCE = "cases"
SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "case_event.schema.json"
# the event types of the published schema (one list for the schema, the connector and the docs)
EVENT_TYPES = frozenset(json.loads(SCHEMA.read_text(encoding="utf-8"))["properties"]["event_type"]["enum"])
CLIENT_KINDS = frozenset({"citizen", "employer"})
CLOSE_REASONS = frozenset({"employed", "training", "deregistered", "moved", "other"})
# Shapes of the identifiers (the same patterns are in the JSON Schema).
SNILS_PATTERN = r"^[0-9]{3}-?[0-9]{3}-?[0-9]{3}[ -]?[0-9]{2}$"
INN_PATTERN = r"^(?:[0-9]{10}|[0-9]{12})$"
OGRN_PATTERN = r"^(?:[0-9]{13}|[0-9]{15})$"
_SNILS = re.compile(SNILS_PATTERN)
_INN = re.compile(INN_PATTERN)
_OGRN = re.compile(OGRN_PATTERN)
_FILE = re.compile(r"^case_events-(?P<date>\d{8})\.jsonl$", re.IGNORECASE)

CASE_EVENTS = RawTable(
    name="raw_cases_events",
    column_ddl=(
        ("event_id", "text not null"),
        ("case_id", "text not null"),
        ("event_type", "text not null"),
        ("occurred_at", "timestamptz not null"),
        ("office_id", "text not null"),
        ("client_kind", "text not null"),
        ("snils_hash", "text"),
        ("inn", "text"),
        ("inn_hash", "text"),
        ("ogrn", "text"),
        ("phone_hash", "text"),
        ("service_type", "text"),
        ("client_group", "text"),
        ("application_id", "text"),
        ("ticket_id", "text"),
        ("close_reason", "text"),
        ("amount_rub", "numeric"),
    ),
    natural_key=("event_id",),
)


class CasesConnector(JsonLinesConnector):
    source = SOURCE
    tables: ClassVar[dict[str, RawTable]] = {"events": CASE_EVENTS}
    rejected_table = "rejected_cases"
    file_pattern = _FILE

    def parse_object(self, obj: dict[str, object], ctx: ParseContext) -> tuple[object, ...]:
        return parse_case_event(obj, ctx)


def parse_case_event(obj: dict[str, object], ctx: ParseContext) -> tuple[object, ...]:
    """One decoded case event → the raw row; raises FieldError with the reason."""
    region = ctx.region
    record = Record(obj, typed=True)
    event_id = record.text("event_id", required=True)
    case_id = record.text("case_id", required=True)
    event_type = record.code("event_type", EVENT_TYPES, required=True)
    occurred_at = record.timestamp("occurred_at", region.timezone, required=True)
    assert occurred_at is not None
    limits.check_on_file_day("cases", occurred_at, region.timezone, ctx.source_file.file_date, "occurred_at")
    office_id = record.code("office_id", region.offices, required=True, seed="offices")
    client_kind = record.code("client_kind", CLIENT_KINDS, required=True)
    snils = record.matching(
        "snils", _SNILS, "a SNILS (11 digits, e.g. 123-456-789 01)", required=client_kind == "citizen"
    )
    inn = record.matching("inn", _INN, "an INN (10 or 12 digits)", required=client_kind == "employer")
    ogrn = record.matching("ogrn", _OGRN, "an OGRN (13 digits) or OGRNIP (15 digits)")
    phone = record.text("phone")
    service_type = record.code(
        "service_type", region.application_types, required=event_type == "case_opened", seed="application_types"
    )
    client_group = record.code("client_group", region.client_groups, seed="client_groups")
    application_id = record.text("application_id")
    ticket_id = record.text("ticket_id")
    close_reason = record.code("close_reason", CLOSE_REASONS, required=event_type == "case_closed")
    amount = limits.LIMITS["cases.amount_rub"]
    amount_rub = record.number("amount_rub", Decimal(amount.low), Decimal(amount.high))
    pseudonymiser = ctx.pseudonymiser
    inn_digits, inn_is_person = split_inn(inn)
    ogrn_digits = normalise_digits(ogrn)
    return (
        mask_free(event_id, pseudonymiser),
        mask_free(case_id, pseudonymiser),
        event_type,
        occurred_at,
        office_id,
        client_kind,
        pseudonymiser.snils(snils),
        None if inn_is_person else inn_digits,
        pseudonymiser.person_inn(inn_digits) if inn_is_person else None,
        ogrn_digits if ogrn_digits is not None and len(ogrn_digits) == 13 else None,
        pseudonymiser.phone(phone),
        service_type,
        client_group,
        mask_free(application_id, pseudonymiser),
        mask_free(ticket_id, pseudonymiser),
        close_reason,
        amount_rub,
    )


if __name__ == "__main__":
    run_cli(CasesConnector())
