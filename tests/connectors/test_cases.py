"""Case-management connector (JSON lines) against a real PostgreSQL: citizens' SNILS, phones and
individuals' INNs are hashed while a company's INN and OGRN stay clear, every bad line is
quarantined with its reason, read = loaded + rejected + duplicate always holds, and the published
JSON Schema agrees with the connector."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from include.connectors.cases import (
    CLIENT_KINDS,
    CLOSE_REASONS,
    EVENT_TYPES,
    INN_PATTERN,
    OGRN_PATTERN,
    SCHEMA,
    SNILS_PATTERN,
)
from include.connectors.records import TIMESTAMP_PATTERN
from tests.connectors.conftest import REGION, write
from tests.connectors.records_helpers import (
    assert_nothing_in_clear,
    jsonl,
    run_ingest_dag,
    schema_errors,
    validator,
)

DAY = date(2026, 9, 1)
PHONE = "+7 912 345-67-89"
SNILS = "123-456-789 01"
PERSON_INN = "661234567890"
OGRNIP = "304660000000012"
LEGAL_INN = "6612345678"
OGRN = "1026600000001"


def ev(n: int, event_type: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "event_id": f"ev-{n:04d}",
        "case_id": "ens-01-2026-00001",
        "event_type": event_type,
        "occurred_at": f"2026-09-01T{9 + n % 10:02d}:05:00+05:00",
        "office_id": "ens-01",
        "client_kind": "citizen",
        "snils": SNILS,
    }
    return {**base, **fields}


def employer(n: int, event_type: str, **fields: Any) -> dict[str, Any]:
    record = ev(n, event_type, case_id="ens-01-2026-00002", client_kind="employer", inn=LEGAL_INN, ogrn=OGRN)
    del record["snils"]
    return {**record, **fields}


GOOD: list[dict[str, Any]] = [
    ev(
        1, "case_opened", phone=PHONE, service_type="unemployment_registration", client_group="youth", ticket_id="А-017"
    ),
    ev(2, "recognised_unemployed", snils="12345678901"),
    ev(3, "benefit_assigned"),
    ev(4, "benefit_paid", amount_rub=12792.5),
    ev(5, "vacancy_offered", application_id="app-778812"),
    ev(6, "case_closed", close_reason="employed", occurred_at="2026-09-01 16:00:00"),  # region local time
    employer(7, "case_opened", service_type="vacancy_posting", client_group="employer"),
    employer(8, "case_opened", case_id="ens-01-2026-00003", inn=PERSON_INN, ogrn=OGRNIP, service_type="mass_hiring"),
    ev(9, "employed", phone=None, client_group=None, amount_rub=None),
]

# (line, the reason it is quarantined for, whether the schema alone already rejects it)
BAD: list[tuple[str, str, bool]] = [
    ('{"event_id": "ev-9001", "case_id": "c", "event_type": "employed",', "malformed JSON", True),
    ("[]", "a line must be one JSON object, got array", True),
    (json.dumps(ev(9002, "benefit_paid", amount_rub="12792.50")), "amount_rub must be a number, got string", True),
    (json.dumps(ev(9003, "benefit_paid", amount_rub=-5)), "amount_rub -5 is out of range", True),
    (
        json.dumps({k: v for k, v in ev(9004, "employed").items() if k != "case_id"}),
        "missing required field 'case_id'",
        True,
    ),
    (
        json.dumps({k: v for k, v in ev(9005, "employed").items() if k != "snils"}),
        "missing required field 'snils'",
        True,
    ),
    (
        json.dumps({k: v for k, v in employer(9006, "vacancy_offered").items() if k != "inn"}),
        "missing required field 'inn'",
        True,
    ),
    (json.dumps(ev(9007, "employed", snils="123-456-789")), "is not a SNILS", True),
    (json.dumps(ev(9008, "employed", snils=12345678901)), "snils must be a string, got number", True),
    (json.dumps(employer(9009, "employed", inn="66123456")), "is not an INN", True),
    (json.dumps(employer(9010, "employed", ogrn="12345")), "is not an OGRN", True),
    (json.dumps(ev(9011, "employed", occurred_at="2026-02-30T10:00:00+05:00")), "is not a valid date/time", True),
    (json.dumps(ev(9012, "employed", occurred_at="1899-09-01T10:00:00+05:00")), "impossible year", True),
    (json.dumps(ev(9013, "employed", occurred_at="вчера")), "is not an ISO-8601 timestamp", True),
    (json.dumps(ev(9014, "promoted")), "unknown event_type 'promoted'", True),
    (json.dumps(ev(9015, "employed", client_kind="robot")), "unknown client_kind 'robot'", True),
    (json.dumps(ev(9016, "case_opened")), "missing required field 'service_type'", True),
    (json.dumps(ev(9017, "case_closed")), "missing required field 'close_reason'", True),
    (json.dumps(ev(9018, "case_closed", close_reason="bored")), "unknown close_reason 'bored'", True),
    (json.dumps(ev(9019, "employed", ticket_id=17)), "ticket_id must be a string, got number", True),
    # rejected for reasons beyond the schema: the seeds
    (
        json.dumps(ev(9020, "employed", office_id="ens-77")),
        "unknown office_id 'ens-77' (add it to dbt/seeds/offices.csv)",
        False,
    ),
    (json.dumps(ev(9021, "case_opened", service_type="astrology")), "application_types.csv", False),
    (json.dumps(ev(9022, "employed", client_group="martians")), "client_groups.csv", False),
    (json.dumps(ev(9023, "employed"))[:60], "truncated last line", True),
]


def cases_file(landing: Path, text: str | bytes, day: str = "20260901", encoding: str = "utf-8") -> Path:
    return write(landing / REGION / "cases" / f"case_events-{day}.jsonl", text, encoding=encoding)


def rejected(query: Any) -> list[tuple[int, str, str]]:
    return query("select line_no, reason, raw_line from raw.rejected_cases order by file_seq, line_no")


def counts(report: dict[str, Any]) -> tuple[int, int, int, int]:
    assert report["read"] == report["loaded"] + report["rejected"] + report["duplicate"]
    return report["read"], report["loaded"], report["rejected"], report["duplicate"]


def test_a_clean_day_loads_with_identifiers_hashed_and_company_ids_clear(
    landing: Path, load: Any, query: Any, fresh_db: str
) -> None:
    cases_file(landing, jsonl(GOOD))
    assert counts(load("cases", DAY)) == (len(GOOD), len(GOOD), 0, 0)
    rows = {
        r[0]: r[1:]
        for r in query(
            "select event_id, occurred_at, snils_hash, inn, inn_hash, ogrn, phone_hash, amount_rub, ticket_id"
            " from raw.raw_cases_events"
        )
    }
    opened = rows["ev-0001"]
    assert opened[0] == datetime(2026, 9, 1, 5, 5, tzinfo=UTC)
    assert len(opened[1]) == 64 and opened[1] == rows["ev-0002"][1]  # with and without separators: one SNILS
    assert len(opened[5]) == 64 and opened[7] == "А-017"
    assert rows["ev-0004"][6] == Decimal("12792.5")
    assert rows["ev-0006"][0] == datetime(2026, 9, 1, 11, 0, tzinfo=UTC)  # 16:00 local (UTC+5)
    assert rows["ev-0007"][2:5] == (LEGAL_INN, None, OGRN)  # a company: INN and OGRN in clear
    entrepreneur = rows["ev-0008"]
    assert entrepreneur[2] is None and len(entrepreneur[3]) == 64 and entrepreneur[4] is None
    assert_nothing_in_clear(fresh_db, [PHONE, SNILS, PERSON_INN, OGRNIP])


@pytest.mark.parametrize(("line", "reason", "schema_invalid"), BAD, ids=[b[1][:40] for b in BAD])
def test_each_bad_line_is_quarantined_with_its_reason(
    landing: Path, load: Any, query: Any, line: str, reason: str, schema_invalid: bool
) -> None:
    truncated = reason == "truncated last line"
    cases_file(landing, jsonl(GOOD) + line + ("" if truncated else "\n"))
    assert counts(load("cases", DAY)) == (len(GOOD) + 1, len(GOOD), 1, 0)
    [(line_no, why, _)] = rejected(query)
    assert line_no == len(GOOD) + 1
    assert reason in why


def test_the_schema_and_the_connector_agree() -> None:
    schema = validator(SCHEMA)
    properties = schema.schema["properties"]
    assert properties["occurred_at"]["pattern"] == TIMESTAMP_PATTERN
    assert (properties["snils"]["pattern"], properties["inn"]["pattern"]) == (SNILS_PATTERN, INN_PATTERN)
    assert properties["ogrn"]["pattern"] == OGRN_PATTERN
    assert set(properties["event_type"]["enum"]) == EVENT_TYPES
    assert set(properties["client_kind"]["enum"]) == CLIENT_KINDS
    assert set(properties["close_reason"]["enum"]) == {*CLOSE_REASONS, None}
    for record in [*GOOD, *schema.schema["examples"]]:
        assert schema_errors(schema, json.dumps(record)) == [], record
    for line, reason, schema_invalid in BAD:
        if schema_invalid:
            assert schema_errors(schema, line), f"the schema accepts a line rejected for {reason!r}: {line}"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251"])
def test_bom_and_windows_1251_files_are_decoded(landing: Path, load: Any, query: Any, encoding: str) -> None:
    cases_file(landing, jsonl(GOOD), encoding=encoding)
    assert counts(load("cases", DAY)) == (len(GOOD), len(GOOD), 0, 0)
    assert query("select ticket_id from raw.raw_cases_events where event_id = 'ev-0001'") == [("А-017",)]


def test_a_complete_last_line_without_newline_loads(landing: Path, load: Any) -> None:
    cases_file(landing, jsonl(GOOD, final_newline=False))
    assert counts(load("cases", DAY)) == (len(GOOD), len(GOOD), 0, 0)


def test_duplicates_conflicts_and_duplicate_deliveries(landing: Path, load: Any, query: Any) -> None:
    conflicting = {**GOOD[2], "office_id": "ens-02"}
    cases_file(landing, jsonl([*GOOD, GOOD[0], conflicting]))
    assert counts(load("cases", DAY)) == (len(GOOD) + 2, len(GOOD), 1, 1)
    [(line_no, why, _)] = rejected(query)
    assert (line_no, why.split(" with")[0]) == (
        len(GOOD) + 2,
        "conflicting record: key ev-0003 already loaded from file 1 line 3",
    )
    cases_file(landing, jsonl([*GOOD, GOOD[0], conflicting]), day="20260902")
    assert counts(load("cases", date(2026, 9, 2))) == (len(GOOD) + 2, 0, 0, len(GOOD) + 2)


def test_rerunning_an_interval_replaces_its_batch(landing: Path, load: Any, query: Any) -> None:
    cases_file(landing, jsonl([*GOOD, BAD[0][0]]))
    first = load("cases", DAY)
    rerun = load("cases", DAY)
    assert rerun["replaced_batches"] == [first["batch_id"]]
    assert query("select count(*) from raw.raw_cases_events") == [(len(GOOD),)]
    assert query("select count(*) from raw.rejected_cases") == [(1,)]


def test_rejected_lines_keep_no_identifier_in_clear(landing: Path, load: Any, query: Any, fresh_db: str) -> None:
    leaky = [
        json.dumps(employer(9101, "promoted", inn=PERSON_INN, ogrn=OGRNIP, phone=PHONE)),
        json.dumps(ev(9102, "employed", occurred_at="never", phone=PHONE)),
        f'{{"event_id": "ev-9103", "snils": "{SNILS}", "inn": "{PERSON_INN}", "phone": "{PHONE}", "ogrn": "{OGRNIP}"',
    ]
    cases_file(landing, jsonl([*GOOD, *leaky]))
    assert counts(load("cases", DAY)) == (len(GOOD) + 3, len(GOOD), 3, 0)
    assert_nothing_in_clear(fresh_db, [PHONE, SNILS, PERSON_INN, OGRNIP])


def test_the_dag_loads_and_validates_a_dropped_file(
    airflow_db: Path, landing: Path, query: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases_file(landing, jsonl([*GOOD, BAD[0][0]]))
    [(status, read, loaded, rejected_rows, duplicate, success)] = run_ingest_dag(
        "cases", DAY, landing, monkeypatch, query
    )
    assert (status, success) == ("validated", "true")
    assert (read, loaded, rejected_rows, duplicate) == (len(GOOD) + 1, len(GOOD), 1, 0)
