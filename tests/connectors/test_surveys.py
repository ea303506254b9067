"""Feedback-survey connector (CSV and JSON lines) against a real PostgreSQL: scores checked by range,
codes against the seeds, comments scrubbed, phones and ESIA ids hashed; every bad row is quarantined
with its reason, read = loaded + rejected + duplicate always holds, and the published JSON Schema
agrees with the connector."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from include.connectors.records import TIMESTAMP_PATTERN
from include.connectors.surveys import CHANNELS, COLUMNS, ESIA_PATTERN, SCHEMA, SCORES
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
EMAIL = "ivan.petrov@mail.ru"
ESIA = "1087654321"


def row(response_id: str, channel: str, touchpoint: str, at: str, **fields: str) -> dict[str, str]:
    values = dict.fromkeys(COLUMNS, "")
    values.update(response_id=response_id, channel=channel, touchpoint_id=touchpoint, responded_at=at, **fields)
    return values


GOOD_ROWS = [
    row(
        "SR-001",
        "office",
        "office_window",
        "2026-09-01 12:30:00",
        csat="4",
        ces="5",
        nps="9",
        vk_politeness="5",
        vk_competence="4",
        vk_speed="5",
        vk_comfort="4",
        vk_information="5",
        comment="Всё быстро, спасибо",
        ticket_id="А-017",
        office_id="ens-02",
    ),
    row("SR-002", "chatbot", "chatbot", "2026-09-01T18:02:00+05:00", csat="2", comment=f"перезвоните {PHONE}"),
    row("SR-003", "website", "website", "01.09.2026 19:00", nps="7", esia_id=ESIA),
    row(
        "SR-004",
        "call_centre",
        "call_centre_operator",
        "2026-09-01 09:15",
        csat="5",
        comment=f"Оператор помог.\nСНИЛС {SNILS}, почта {EMAIL}",
    ),
    row(
        "SR-005",
        "portal",
        "portal_application",
        "2026-09-01 20:00:00",
        ces="3",
        case_id="ens-01-2026-00001",
        phone=PHONE,
    ),
]
GOOD_JSON: list[dict[str, Any]] = [
    {
        "response_id": "SR-101",
        "channel": "office",
        "touchpoint_id": "office_queue",
        "responded_at": "2026-09-01T13:00:00+05:00",
        "csat": 3,
        "nps": 0,
        "comment": "Долго ждал",
        "ticket_id": "З-004",
        "office_id": "ens-02",
    },
    {
        "response_id": "SR-102",
        "channel": "portal",
        "touchpoint_id": "esia_login",
        "responded_at": "2026-09-01T08:00:00Z",
        "ces": 1,
        "esia_id": ESIA,
        "phone": PHONE,
        "comment": None,
        "case_id": None,
    },
    {
        "response_id": "SR-103",
        "channel": "chatbot",
        "touchpoint_id": "chatbot",
        "responded_at": "2026-09-01 21:00",
        "vk_speed": 2.0,
    },
]


def csv_text(rows: list[dict[str, str]], *, sep: str = ",", header: list[str] | None = None) -> str:
    columns = header or list(COLUMNS)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(columns)
    for values in rows:
        writer.writerow([values.get(c, "") for c in columns])
    return out.getvalue()


def csv_line(values: dict[str, str], sep: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="").writerow([values[c] for c in COLUMNS])
    return out.getvalue()


def base(**fields: str) -> dict[str, str]:
    return row("SR-900", "office", "office_window", "2026-09-01 12:00", csat="4") | fields


# CSV rows: (line, the reason it is quarantined for)
BAD_CSV: list[tuple[str, str]] = [
    ("SR-900,office,office_window", "expected 19 columns, got 3"),
    (csv_line(base(csat="6")), "csat 6 is out of range 1–5"),
    (csv_line(base(nps="11")), "nps 11 is out of range 0–10"),
    (csv_line(base(vk_speed="0")), "vk_speed 0 is out of range 1–5"),
    (csv_line(base(csat="отлично")), "csat 'отлично' is not an integer"),
    (csv_line(base(csat="4.5")), "csat '4.5' is not an integer"),
    (csv_line(base(csat="")), "no score: at least one of csat"),
    (csv_line(base(channel="fax")), "unknown channel 'fax'"),
    (
        csv_line(base(touchpoint_id="teleporter")),
        "unknown touchpoint_id 'teleporter' (add it to dbt/seeds/touchpoints.csv)",
    ),
    (csv_line(base(responded_at="2026-02-30 10:00")), "is not a valid date/time"),
    (csv_line(base(responded_at="1899-09-01 10:00")), "impossible year"),
    (csv_line(base(responded_at="2026-09-01 10:00+99:00")), "impossible UTC offset"),
    (csv_line(base(responded_at="")), "missing required field 'responded_at'"),
    (csv_line(base(response_id=" ")), "missing required field 'response_id'"),
    (csv_line(base(ticket_id="А-001")), "ticket_id without office_id"),
    (csv_line(base(office_id="ens-77")), "unknown office_id 'ens-77'"),
    (csv_line(base(esia_id="esia-1087654321")), "is not an ESIA id"),
    ("", "empty line"),
]

# JSON lines: (line, the reason it is quarantined for, whether the schema alone already rejects it)
J = {
    "response_id": "SR-950",
    "channel": "office",
    "touchpoint_id": "office_window",
    "responded_at": "2026-09-01T12:00:00+05:00",
}
BAD_JSON: list[tuple[str, str, bool]] = [
    ('{"response_id": "SR-950", "channel": "office", "csat": 5', "malformed JSON", True),
    ("42", "a line must be one JSON object, got number", True),
    (json.dumps(J | {"csat": "5"}), "csat must be an integer, got string", True),
    (json.dumps(J | {"csat": 4.5}), "csat must be an integer, got 4.5", True),
    (json.dumps(J | {"nps": 11}), "nps 11 is out of range 0–10", True),
    (json.dumps(J), "no score", True),
    (json.dumps(J | {"csat": None, "nps": None}), "no score", True),
    (json.dumps(J | {"channel": "fax", "csat": 5}), "unknown channel 'fax'", True),
    (json.dumps(J | {"responded_at": "2026-02-30T10:00:00+05:00", "csat": 5}), "is not a valid date/time", True),
    (json.dumps(J | {"responded_at": "1899-09-01T10:00:00+05:00", "csat": 5}), "impossible year", True),
    (json.dumps(J | {"responded_at": "01.09.2026 10:00", "csat": 5}), "is not an ISO-8601 timestamp", True),
    (
        json.dumps({k: v for k, v in J.items() if k != "channel"} | {"csat": 5}),
        "missing required field 'channel'",
        True,
    ),
    (json.dumps(J | {"csat": 5, "ticket_id": "А-001"}), "ticket_id without office_id", True),
    (json.dumps(J | {"csat": 5, "esia_id": 1087654321}), "esia_id must be a string, got number", True),
    (json.dumps(J | {"csat": 5, "esia_id": ""}), "is not an ESIA id", True),
    (json.dumps(J | {"csat": 5, "touchpoint_id": "teleporter"}), "touchpoints.csv", False),
    (json.dumps(J | {"csat": 5, "office_id": "ens-77"}), "offices.csv", False),
]


def survey_file(
    landing: Path, text: str | bytes, suffix: str = "csv", day: str = "20260901", encoding: str = "utf-8"
) -> Path:
    return write(landing / REGION / "surveys" / f"survey_responses-{day}.{suffix}", text, encoding=encoding)


def rejected(query: Any) -> list[tuple[int, str, str]]:
    return query("select line_no, reason, raw_line from raw.rejected_surveys order by file_seq, line_no")


def counts(report: dict[str, Any]) -> tuple[int, int, int, int]:
    assert report["read"] == report["loaded"] + report["rejected"] + report["duplicate"]
    return report["read"], report["loaded"], report["rejected"], report["duplicate"]


def test_csv_and_json_lines_of_a_day_load_scrubbed_and_pseudonymised(
    landing: Path, load: Any, query: Any, fresh_db: str
) -> None:
    survey_file(landing, csv_text(GOOD_ROWS))
    survey_file(landing, jsonl(GOOD_JSON), suffix="jsonl")
    report = load("surveys", DAY)
    total = len(GOOD_ROWS) + len(GOOD_JSON)
    # the comment of SR-004 spans two physical lines: one record, its continuation not counted
    assert counts(report) == (total, total, 0, 0)
    rows = {
        r[0]: r[1:]
        for r in query(
            "select response_id, responded_at, csat, ces, nps, vk_speed, comment_scrubbed, phone_hash, esia_hash,"
            " ticket_id, office_id, case_id from raw.raw_surveys_responses"
        )
    }
    assert rows["SR-001"][0] == datetime(2026, 9, 1, 7, 30, tzinfo=UTC)  # 12:30 local (UTC+5)
    assert rows["SR-001"][1:5] == (4, 5, 9, 5)
    assert rows["SR-001"][8:10] == ("А-017", "ens-02")
    assert rows["SR-002"][5].startswith("перезвоните <phone:")
    assert rows["SR-003"][0] == datetime(2026, 9, 1, 14, 0, tzinfo=UTC)  # DD.MM.YYYY accepted in CSV
    assert len(rows["SR-003"][7]) == 64 and rows["SR-003"][7] == rows["SR-102"][7]  # one ESIA id, one hash
    assert rows["SR-004"][5].startswith("Оператор помог.\nСНИЛС <snils:") and "<email:" in rows["SR-004"][5]
    assert rows["SR-005"][6] == rows["SR-102"][6] and len(rows["SR-005"][6]) == 64
    assert rows["SR-102"][0] == datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
    assert rows["SR-103"][4] == 2
    assert_nothing_in_clear(fresh_db, [PHONE, SNILS, EMAIL, ESIA])


@pytest.mark.parametrize(("line", "reason"), BAD_CSV, ids=[b[1][:40] for b in BAD_CSV])
def test_each_bad_csv_row_is_quarantined_with_its_reason(
    landing: Path, load: Any, query: Any, line: str, reason: str
) -> None:
    survey_file(landing, csv_text(GOOD_ROWS) + line + "\r\n")
    total = len(GOOD_ROWS) + 1
    assert counts(load("surveys", DAY)) == (total, len(GOOD_ROWS), 1, 0)
    [(line_no, why, _)] = rejected(query)
    assert line_no == len(GOOD_ROWS) + 3  # header + one continuation line before it
    assert reason in why


@pytest.mark.parametrize(("line", "reason", "schema_invalid"), BAD_JSON, ids=[b[1][:40] for b in BAD_JSON])
def test_each_bad_json_line_is_quarantined_with_its_reason(
    landing: Path, load: Any, query: Any, line: str, reason: str, schema_invalid: bool
) -> None:
    survey_file(landing, jsonl([*GOOD_JSON, line]), suffix="jsonl")
    assert counts(load("surveys", DAY)) == (len(GOOD_JSON) + 1, len(GOOD_JSON), 1, 0)
    [(line_no, why, _)] = rejected(query)
    assert line_no == len(GOOD_JSON) + 1
    assert reason in why


def test_the_schema_and_the_connector_agree() -> None:
    schema = validator(SCHEMA)
    properties = schema.schema["properties"]
    assert properties["responded_at"]["pattern"] == TIMESTAMP_PATTERN
    assert properties["esia_id"]["pattern"] == ESIA_PATTERN
    assert set(properties["channel"]["enum"]) == CHANNELS
    for score, (low, high) in SCORES.items():
        assert (properties[score]["minimum"], properties[score]["maximum"]) == (low, high)
    for record in [*GOOD_JSON, *schema.schema["examples"]]:
        assert schema_errors(schema, json.dumps(record)) == [], record
    for line, reason, schema_invalid in BAD_JSON:
        if schema_invalid:
            assert schema_errors(schema, line), f"the schema accepts a line rejected for {reason!r}: {line}"
    assert set(schema.schema["properties"]) == set(COLUMNS), "the CSV columns and the JSON fields are the same"


def test_windows_1251_semicolon_export_and_a_bom(landing: Path, load: Any, query: Any) -> None:
    survey_file(landing, csv_text(GOOD_ROWS, sep=";"), encoding="cp1251")
    survey_file(landing, jsonl(GOOD_JSON), suffix="jsonl", encoding="utf-8-sig")
    total = len(GOOD_ROWS) + len(GOOD_JSON)
    assert counts(load("surveys", DAY)) == (total, total, 0, 0)
    assert query("select comment_scrubbed from raw.raw_surveys_responses where response_id = 'SR-001'") == [
        ("Всё быстро, спасибо",)
    ]
    assert query("select comment_scrubbed from raw.raw_surveys_responses where response_id = 'SR-101'") == [
        ("Долго ждал",)
    ]


def test_a_json_lines_file_in_windows_1251_is_decoded(landing: Path, load: Any, query: Any) -> None:
    survey_file(landing, jsonl(GOOD_JSON), suffix="jsonl", encoding="cp1251")
    assert counts(load("surveys", DAY)) == (len(GOOD_JSON), len(GOOD_JSON), 0, 0)
    assert query("select ticket_id from raw.raw_surveys_responses where response_id = 'SR-101'") == [("З-004",)]


def test_columns_in_another_order_and_optional_ones_left_out(landing: Path, load: Any, query: Any) -> None:
    header = ["responded_at", "response_id", "touchpoint_id", "channel", "nps", "csat", "comment"]
    survey_file(landing, csv_text(GOOD_ROWS, header=header))
    assert counts(load("surveys", DAY)) == (5, 4, 1, 0)  # SR-005 has only a CES score: not in this export
    [(_, why, _)] = rejected(query)
    assert why.startswith("no score")
    assert query("select nps from raw.raw_surveys_responses where response_id = 'SR-003'") == [(7,)]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (["resonse_id", *COLUMNS[1:]], "unknown columns ['resonse_id']"),
        ([*COLUMNS, "csat"], "repeated columns ['csat']"),
        (["response_id", "channel", "touchpoint_id", "csat"], "missing required columns ['responded_at']"),
        (["response_id", "channel", "touchpoint_id", "responded_at", "comment"], "no score column"),
    ],
)
def test_a_wrong_header_rejects_the_whole_file(
    landing: Path, load: Any, query: Any, header: list[str], reason: str
) -> None:
    survey_file(landing, csv_text(GOOD_ROWS[:3], header=header))
    assert counts(load("surveys", DAY)) == (4, 0, 4, 0)
    assert reason in rejected(query)[0][1]


def test_a_truncated_last_row_is_rejected_but_a_complete_one_loads(landing: Path, load: Any, query: Any) -> None:
    cut = csv_line(base())[:25]
    survey_file(landing, csv_text(GOOD_ROWS) + cut)
    assert counts(load("surveys", DAY)) == (len(GOOD_ROWS) + 1, len(GOOD_ROWS), 1, 0)
    assert rejected(query)[0][1].startswith("truncated last line")
    survey_file(landing, csv_text(GOOD_ROWS).removesuffix("\r\n"))
    assert counts(load("surveys", DAY)) == (len(GOOD_ROWS), len(GOOD_ROWS), 0, 0)
    survey_file(landing, jsonl(GOOD_JSON) + json.dumps(J | {"csat": 5})[:30], suffix="jsonl")
    survey_file(landing, csv_text(GOOD_ROWS))
    assert counts(load("surveys", DAY)) == (8 + 1, 8, 1, 0)
    assert rejected(query)[0][1].startswith("truncated last line")


def test_an_unclosed_quote_rejects_one_line_and_the_rest_still_loads(landing: Path, load: Any, query: Any) -> None:
    broken = csv_line(base(response_id="SR-901")).replace(",4,", ',"4,', 1)
    survey_file(landing, csv_text([GOOD_ROWS[0]]) + broken + "\r\n" + csv_text(GOOD_ROWS[1:]).split("\r\n", 1)[1])
    report = load("surveys", DAY)
    assert counts(report) == (len(GOOD_ROWS) + 1, len(GOOD_ROWS), 1, 0)
    [(line_no, why, _)] = rejected(query)
    assert (line_no, why) == (3, "unterminated quoted field")


def test_duplicates_conflicts_and_duplicate_deliveries(landing: Path, load: Any, query: Any) -> None:
    same_as_csv = {"response_id": "SR-002", "channel": "chatbot", "touchpoint_id": "chatbot"}
    same_as_csv |= {"responded_at": "2026-09-01T18:02:00+05:00", "csat": 2, "comment": f"перезвоните {PHONE}"}
    conflicting = {**GOOD_JSON[0], "csat": 1}
    survey_file(landing, csv_text(GOOD_ROWS))
    survey_file(landing, jsonl([*GOOD_JSON, same_as_csv, conflicting]), suffix="jsonl")
    report = load("surveys", DAY)
    assert counts(report) == (10, 8, 1, 1)  # the CSV row again as JSON is a duplicate, not a conflict
    [(line_no, why, _)] = rejected(query)
    assert (line_no, why.split(" with")[0]) == (5, "conflicting record: key SR-101 already loaded from file 2 line 1")
    survey_file(landing, csv_text(GOOD_ROWS), day="20260902")  # the same export re-sent the next day
    # a duplicate delivery is not parsed: the loader counts its physical lines (SR-004 spans two)
    assert counts(load("surveys", date(2026, 9, 2))) == (len(GOOD_ROWS) + 1, 0, 0, len(GOOD_ROWS) + 1)


def test_rerunning_an_interval_replaces_its_batch(landing: Path, load: Any, query: Any) -> None:
    survey_file(landing, csv_text(GOOD_ROWS) + BAD_CSV[0][0] + "\r\n")
    first = load("surveys", DAY)
    rerun = load("surveys", DAY)
    assert rerun["replaced_batches"] == [first["batch_id"]]
    assert query("select count(*) from raw.raw_surveys_responses") == [(len(GOOD_ROWS),)]
    assert query("select count(*) from raw.rejected_surveys") == [(1,)]


def test_rejected_rows_keep_no_identifier_in_clear(landing: Path, load: Any, query: Any, fresh_db: str) -> None:
    leaky_csv = [
        csv_line(base(csat="9", phone=PHONE, esia_id=ESIA, comment=f"{SNILS} {EMAIL}")),
        f"SR-902,office,{ESIA},{PHONE}",
    ]
    leaky_json = [
        json.dumps(J | {"csat": 9, "phone": PHONE, "esia_id": ESIA, "comment": EMAIL}),
        f'{{"response_id": "SR-903", "esia_id": "{ESIA}", "phone": "{PHONE}", "comment": "{SNILS}"',
    ]
    survey_file(landing, csv_text(GOOD_ROWS) + "\r\n".join(leaky_csv) + "\r\n")
    survey_file(landing, jsonl([*GOOD_JSON, *leaky_json]), suffix="jsonl")
    assert counts(load("surveys", DAY)) == (12, 8, 4, 0)
    assert_nothing_in_clear(fresh_db, [PHONE, SNILS, EMAIL, ESIA])


def test_the_dag_loads_and_validates_dropped_files(
    airflow_db: Path, landing: Path, query: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey_file(landing, csv_text(GOOD_ROWS, sep=";"), encoding="cp1251")
    survey_file(landing, jsonl([*GOOD_JSON, BAD_JSON[0][0]]), suffix="jsonl")
    [(status, read, loaded, rejected_rows, duplicate, success)] = run_ingest_dag(
        "surveys", DAY, landing, monkeypatch, query
    )
    assert (status, success) == ("validated", "true")
    assert (read, loaded, rejected_rows, duplicate) == (9, 8, 1, 0)
