"""Website connector against a real PostgreSQL: Metrica hits/visits TSVs and portal event JSON lines.

Good lines load (times in UTC, identifiers hashed), every bad line of the corpus is quarantined
with its reason, read = loaded + rejected + duplicate always holds, a re-run replaces its batch,
the JSON Schema and the connector agree, and the ``ingest_website`` DAG runs once end to end.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest

from include.connectors.metrica import HIT_FIELDS, VISIT_FIELDS
from include.connectors.website import SCHEMA_PATH, portal_event_validator
from include.pseudonymise import Pseudonymiser
from tests.connectors.conftest import KEY, REGION, write

DAY = date(2026, 9, 1)
CLIENT = "1700000000123456789"
OTHER_CLIENT = "1700000000987654321"
ESIA = "1000123456"
PHONE = "+7 912 345-67-89"
SNILS = "112-233-445 95"
PERSON_INN = "500100732259"
SEEDS = Path(__file__).resolve().parents[2] / "dbt" / "seeds"
PS = Pseudonymiser(KEY)


# -- builders -------------------------------------------------------------------------------------


def web_dir(landing: Path) -> Path:
    return landing / REGION / "website"


def hit(
    watch: str = "9000000000000000001",
    at: str = "2026-09-01 10:00:00",
    url: str = "https://czn-ens.ru/vacancies",
    referer: str = "https://ya.ru/",
    client: str = CLIENT,
    goals: str = "[]",
    source: str = "organic",
) -> str:
    return "\t".join([watch, at, url, referer, client, goals, source])


def visit(
    visit_id: str = "8000000000000000001",
    at: str = "2026-09-01 09:59:00",
    client: str = CLIENT,
    start_url: str = "https://czn-ens.ru/",
    page_views: str = "3",
    duration: str = "125",
    goals: str = "[101]",
    source: str = "organic",
) -> str:
    return "\t".join([visit_id, at, client, start_url, page_views, duration, goals, source])


def tsv(header: tuple[str, ...], *lines: str) -> str:
    return "\t".join(header) + "\n" + "".join(line + "\n" for line in lines)


def good_hits() -> str:
    return tsv(
        HIT_FIELDS,
        hit(),
        hit(
            "9000000000000000002",
            "2026-09-01 10:00:30",
            "https://czn-ens.ru/search?text=\\tповар\\\\",
            goals="[123,456]",
        ),
        hit(
            "9000000000000000003", "2026-09-01 23:59:59", "https://czn-ens.ru/apply", "", OTHER_CLIENT, "[7]", "direct"
        ),
    )


def good_visits() -> str:
    return tsv(VISIT_FIELDS, visit(), visit("8000000000000000002", "2026-09-01 23:00:00", OTHER_CLIENT, goals="[]"))


def good_events(day: date = DAY) -> list[dict[str, Any]]:
    d = day.isoformat()
    return [
        {
            "event_id": "ev-1",
            "event_type": "esia_login",
            "occurred_at": f"{d}T10:01:00+05:00",
            "user_type": "citizen",
            "esia_id": ESIA,
            "metrica_client_id": CLIENT,
        },
        {
            "event_id": "ev-2",
            "event_type": "application_submitted",
            "occurred_at": f"{d}T10:05:00+05:00",
            "user_type": "citizen",
            "esia_id": ESIA,
            "metrica_client_id": CLIENT,
            "snils": SNILS,
            "phone": PHONE,
            "email": "Ivan.Petrov@Mail.ru",
            "application_id": "APP-2026-000017",
            "application_type": "unemployment_registration",
            "status": "submitted",
            "office_id": "ens-02",
        },
        {
            "event_id": "ev-3",
            "event_type": "application_status_changed",
            "occurred_at": f"{d}T12:00:00Z",
            "user_type": "citizen",
            "esia_id": ESIA,
            "metrica_client_id": None,
            "application_id": "APP-2026-000017",
            "status": "needs_documents",
        },
        {
            "event_id": "ev-4",
            "event_type": "appointment_booked",
            "occurred_at": f"{d}T12:30:00.250+05:00",
            "user_type": "citizen",
            "esia_id": ESIA,
            "office_id": "ens-02",
            "appointment_at": "2026-09-03T09:30:00+05:00",
        },
        {
            "event_id": "ev-5",
            "event_type": "application_submitted",
            "occurred_at": f"{d}T14:00:00+05:00",
            "user_type": "employer",
            "esia_id": "1000999001",
            "inn": "6601234567",
            "ogrn": "1026600000012",
            "application_id": "APP-2026-000018",
            "application_type": "vacancy_posting",
            "email": "hr@zavod.ru",
            "extra_field_from_a_newer_export": {"ignored": True},
        },
        {
            "event_id": "ev-6",
            "event_type": "application_submitted",
            "occurred_at": f"{d}T15:00:00+05:00",
            "user_type": "employer",
            "esia_id": "1000999002",
            "inn": PERSON_INN,
            "ogrn": "304660000000012",
            "application_id": "APP-2026-000019",
            "application_type": "employer_support",
        },
    ]


def jsonl(*events: dict[str, Any] | str) -> str:
    return "".join((e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)) + "\n" for e in events)


def counts(report: dict[str, Any]) -> tuple[int, int, int, int]:
    assert report["read"] == report["loaded"] + report["rejected"] + report["duplicate"]
    return report["read"], report["loaded"], report["rejected"], report["duplicate"]


def rejected(query: Any) -> list[tuple[int, str, str | None]]:
    return query("select line_no, reason, raw_line from raw.rejected_website order by file_seq, line_no")


def assert_batches_reconcile(query: Any) -> None:
    for read, loaded, rejected_, duplicate in query(
        "select rows_read, rows_loaded, rows_rejected, rows_duplicate from raw.ingest_batches"
    ):
        assert read == loaded + rejected_ + duplicate


# -- a clean day ----------------------------------------------------------------------------------


def test_a_clean_day_loads_every_feed_in_utc_with_identifiers_hashed(landing: Path, load: Any, query: Any) -> None:
    write(web_dir(landing) / "hits-20260901.tsv", good_hits())
    write(web_dir(landing) / "visits-20260901.tsv", good_visits())
    write(web_dir(landing) / "portal_events-20260901.jsonl", jsonl(*good_events()))
    report = load("website", DAY)
    assert counts(report) == (3 + 2 + 6, 11, 0, 0)

    rows = query(
        "select watch_id::text, hit_at, url, referer, goal_ids, traffic_source, metrica_client_hash"
        " from raw.raw_website_hits order by watch_id"
    )
    assert [r[0] for r in rows] == ["9000000000000000001", "9000000000000000002", "9000000000000000003"]
    assert rows[0][1].isoformat() == "2026-09-01T05:00:00+00:00"  # 10:00 in Yekaterinburg
    assert rows[2][1].isoformat() == "2026-09-01T18:59:59+00:00"
    assert rows[1][2] == "https://czn-ens.ru/search?text=\tповар\\"  # Logs API escapes undone
    assert rows[2][3] is None
    assert [r[4] for r in rows] == [[], [123, 456], [7]]
    assert rows[0][6] == PS.online_id("metrica", CLIENT) and len(rows[0][6]) == 64

    visits = query(
        "select visit_id::text, visit_started_at, page_views, duration_seconds, goal_ids from raw.raw_website_visits"
        " order by visit_id"
    )
    assert visits[0] == ("8000000000000000001", visits[0][1], 3, 125, [101])
    assert visits[0][1].isoformat() == "2026-09-01T04:59:00+00:00"

    events = {
        r[0]: r
        for r in query(
            "select event_id, occurred_at, esia_hash, metrica_client_hash, snils_hash, phone_hash, email_hash,"
            " inn, inn_hash, ogrn, appointment_at from raw.raw_website_portal_events"
        )
    }
    assert set(events) == {f"ev-{n}" for n in range(1, 7)}
    assert events["ev-1"][1].isoformat() == "2026-09-01T05:01:00+00:00"
    assert events["ev-2"][2:7] == (
        PS.esia(ESIA),
        PS.online_id("metrica", CLIENT),
        PS.snils(SNILS),
        PS.phone(PHONE),
        PS.email("ivan.petrov@mail.ru"),
    )
    # the portal's cookie hash is the hits' cookie hash: site behaviour joins the ESIA login
    assert events["ev-1"][3] == rows[0][6]
    assert events["ev-3"][3] is None
    assert events["ev-4"][10].isoformat() == "2026-09-03T04:30:00+00:00"
    assert events["ev-5"][7:10] == ("6601234567", None, "1026600000012")  # a company's INN stays clear
    assert events["ev-6"][7:10] == (None, PS.person_inn(PERSON_INN), "304660000000012")  # a person's is hashed
    assert_no_identifier_in_clear(query)


def assert_no_identifier_in_clear(query: Any) -> None:
    clear = [CLIENT, OTHER_CLIENT, ESIA, "912345", "9123456789", "11223344595", "112-233-445", PERSON_INN, "ivan."]
    for table in ("raw_website_hits", "raw_website_visits", "raw_website_portal_events", "rejected_website"):
        [(text,)] = query(f"select coalesce(string_agg(t::text, '|'), '') from raw.{table} t")
        for value in clear:
            assert value.lower() not in text.lower(), (table, value)


def test_columns_in_any_order_and_extra_columns_are_accepted(landing: Path, load: Any, query: Any) -> None:
    header = ("ym:pv:counterID", *reversed(HIT_FIELDS), "ym:pv:title")
    line = "\t".join(["4711", *reversed(hit().split("\t")), "Вакансии"])
    write(web_dir(landing) / "hits-20260901.tsv", tsv(header, line))
    assert counts(load("website", DAY)) == (1, 1, 0, 0)
    assert query("select watch_id::text, url, traffic_source from raw.raw_website_hits") == [
        ("9000000000000000001", "https://czn-ens.ru/vacancies", "organic")
    ]


def test_personal_data_in_urls_is_masked(landing: Path, load: Any, query: Any) -> None:
    url = "https://czn-ens.ru/callback?phone=89123456789&mail=ivan.petrov%40mail.ru&snils=112-233-445 95"
    write(web_dir(landing) / "hits-20260901.tsv", tsv(HIT_FIELDS, hit(url=url, referer="mailto:ivan.petrov@mail.ru")))
    assert counts(load("website", DAY))[1] == 1
    [(stored, referer)] = query("select url, referer from raw.raw_website_hits")
    assert stored.startswith("https://czn-ens.ru/callback?phone=<phone:")
    assert "<email:" in stored and "<snils:" in stored and "<email:" in referer
    assert_no_identifier_in_clear(query)


# -- the bad-input corpus: Metrica TSVs -------------------------------------------------------------

HIT_CORPUS = [
    (hit(watch="12a"), "watchID '12a' is not an unsigned 64-bit integer"),
    (hit(watch="18446744073709551616"), "not an unsigned 64-bit integer"),
    (hit(at="2026-02-30 10:00:00"), "is not a valid date/time"),
    (hit(at="1970-01-01 03:00:00"), "has an impossible year"),
    (hit(at="2026-09-03 10:00:00"), "is not on the file's day 2026-09-01"),
    (hit(at="вчера"), "is not a timestamp"),
    (hit(goals="[1,x]"), "goalsID '[1,x]' is not an array of goal ids"),
    (hit(goals="[4294967295]"), "does not fit a 32-bit integer"),
    (hit(source="telepathy"), "unknown lastTrafficSource 'telepathy'"),
    (hit(client="abc"), "clientID 'abc' is not an unsigned 64-bit integer"),
    ("\t".join(hit().split("\t")[:4]), "expected 7 tab-separated fields as in the header, got 4"),
    (hit() + "\tone too many", "expected 7 tab-separated fields as in the header, got 8"),
    ("", "empty line"),
]
VISIT_CORPUS = [
    (visit(visit_id="v-1"), "visitID 'v-1' is not an unsigned 64-bit integer"),
    (visit(page_views="-1"), "pageViews '-1' is not a non-negative integer"),
    (visit(duration="1.5"), "visitDuration '1.5' is not a non-negative integer"),
    (visit(at="01/09/2026 10:00"), "is not a timestamp"),
    (visit(at="2026-09-01 25:00:00"), "is not a valid date/time"),
    (visit(goals="101"), "goalsID '101' is not an array of goal ids"),
    (visit(source="tv"), "unknown lastTrafficSource 'tv'"),
    ("\t".join(visit().split("\t")[:5]), "expected 8 tab-separated fields as in the header, got 5"),
]


@pytest.mark.parametrize(("line", "reason"), HIT_CORPUS)
def test_each_malformed_hit_is_quarantined_with_its_reason(
    landing: Path, load: Any, query: Any, line: str, reason: str
) -> None:
    write(web_dir(landing) / "hits-20260901.tsv", good_hits() + line + "\n")
    assert counts(load("website", DAY)) == (4, 3, 1, 0)
    [(line_no, why, raw)] = rejected(query)
    assert line_no == 5
    assert reason in why
    assert CLIENT not in (raw or "")  # the cookie of a rejected line is a token too
    assert_batches_reconcile(query)


@pytest.mark.parametrize(("line", "reason"), VISIT_CORPUS)
def test_each_malformed_visit_is_quarantined_with_its_reason(
    landing: Path, load: Any, query: Any, line: str, reason: str
) -> None:
    write(web_dir(landing) / "visits-20260901.tsv", good_visits() + line + "\n")
    assert counts(load("website", DAY)) == (3, 2, 1, 0)
    [(line_no, why, _)] = rejected(query)
    assert (line_no, reason in why) == (4, True), why


def test_a_file_without_a_required_column_is_rejected_line_by_line(landing: Path, load: Any, query: Any) -> None:
    header = tuple(f for f in HIT_FIELDS if f != "ym:pv:dateTime")
    lines = ["\t".join(c for i, c in enumerate(hit().split("\t")) if i != 1)] * 2
    write(web_dir(landing) / "hits-20260901.tsv", tsv(header, *lines))
    assert counts(load("website", DAY)) == (3, 0, 3, 0)
    reasons = [why for _, why, _ in rejected(query)]
    assert reasons[0] == "header lacks the Logs API column(s) ym:pv:dateTime of source=hits"
    assert reasons[1:] == ["file rejected: header lacks the Logs API column(s) ym:pv:dateTime of source=hits"] * 2
    assert all(CLIENT not in (raw or "") for _, _, raw in rejected(query))


def test_a_truncated_last_line_is_rejected_not_half_loaded(landing: Path, load: Any, query: Any) -> None:
    cut = hit("9000000000000000009")[:-3]  # the download broke off inside the last field
    write(web_dir(landing) / "hits-20260901.tsv", good_hits() + cut)
    assert counts(load("website", DAY)) == (4, 3, 1, 0)
    assert [(n, why) for n, why, _ in rejected(query)] == [(5, "truncated last line (no newline at end of file)")]


def test_bom_and_windows_1251_files_are_decoded(landing: Path, load: Any, query: Any) -> None:
    cyrillic = tsv(HIT_FIELDS, hit(url="https://czn-ens.ru/вакансии/повар"))
    write(web_dir(landing) / "hits-20260901.tsv", cyrillic, encoding="cp1251")
    write(web_dir(landing) / "visits-20260901.tsv", "\ufeff" + good_visits())
    events = jsonl(*good_events()).replace("APP-2026-000018", "Заявка-18")
    write(web_dir(landing) / "portal_events-20260901.jsonl", "\ufeff" + events)
    assert counts(load("website", DAY)) == (1 + 2 + 6, 9, 0, 0)
    assert query("select url from raw.raw_website_hits") == [("https://czn-ens.ru/вакансии/повар",)]
    assert query("select application_id from raw.raw_website_portal_events where event_id = 'ev-5'") == [("Заявка-18",)]
    assert query("select encoding from raw.ingest_files order by file_seq") == [
        ("cp1251",),
        ("utf-8-sig",),
        ("utf-8-sig",),
    ]


def test_repeated_watch_ids_are_duplicates_or_conflicts(landing: Path, load: Any, query: Any) -> None:
    lines = good_hits().splitlines()
    conflicting = hit(url="https://czn-ens.ru/other-page")  # watchID of line 2, other content
    write(web_dir(landing) / "hits-20260901.tsv", "\n".join([*lines, lines[1], conflicting]) + "\n")
    assert counts(load("website", DAY)) == (5, 3, 1, 1)
    [(line_no, why, _)] = rejected(query)
    assert line_no == 6
    assert why.startswith("conflicting record: key 9000000000000000001 already loaded from file 1 line 2")


def test_the_same_export_delivered_twice_is_loaded_once(landing: Path, load: Any, query: Any) -> None:
    write(web_dir(landing) / "portal_events-20260901.jsonl", jsonl(*good_events()))
    write(web_dir(landing) / "portal_events-20260902.jsonl", jsonl(*good_events()))  # re-sent under the next day
    first = load("website", DAY)
    second = load("website", date(2026, 9, 2))
    assert counts(first) == (6, 6, 0, 0)
    assert counts(second) == (6, 0, 0, 6)
    assert query("select count(*) from raw.raw_website_portal_events") == [(6,)]


def test_rerunning_an_interval_replaces_its_batch(landing: Path, load: Any, query: Any) -> None:
    write(web_dir(landing) / "hits-20260901.tsv", good_hits())
    first = load("website", DAY)
    write(web_dir(landing) / "hits-20260901.tsv", good_hits() + hit("9000000000000000004") + "\n")  # late hits
    second = load("website", DAY)
    assert second["replaced_batches"] == [first["batch_id"]]
    assert query("select count(*) from raw.raw_website_hits") == [(4,)]
    assert query("select status, count(*) from raw.ingest_batches group by status order by status") == [
        ("loaded", 1),
        ("replaced", 1),
    ]


# -- the bad-input corpus: portal events ------------------------------------------------------------


def _base() -> dict[str, Any]:
    return dict(good_events()[1])


def _without(event: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k not in names}


# (case, line or event, reason, what the JSON Schema says: True = valid)
PORTAL_CORPUS: list[tuple[str, str | dict[str, Any], str, bool]] = [
    ("broken JSON", '{"event_id": "ev-9", "event_type": "esia_login",', "malformed JSON", False),
    ("cut in the middle", jsonl(_base())[:70], "malformed JSON", False),
    ("single quotes", "{'event_id': 'ev-9'}", "malformed JSON", False),
    ("not an object", '["esia_login", "ev-9"]', "a line must be one JSON object, got array", False),
    ("NaN", '{"event_id": NaN}', "malformed JSON", False),
    ("esia_id as a number", {**_base(), "esia_id": 1000123456}, "esia_id must be a string, got number", False),
    ("event_id as a number", {**_base(), "event_id": 17}, "event_id must be a string", False),
    ("status as a list", {**_base(), "status": ["submitted"]}, "status must be a string, got array", False),
    ("missing event_id", _without(_base(), "event_id"), "missing required field 'event_id'", False),
    ("missing esia_id", _without(_base(), "esia_id"), "missing required field 'esia_id'", False),
    ("empty application_id", {**_base(), "application_id": ""}, "application_id is an empty string", False),
    ("blank application_id", {**_base(), "application_id": "  "}, "application_id is blank", False),
    ("blank event_id", {**_base(), "event_id": " "}, "event_id is blank", False),
    ("event_id of 201 characters", {**_base(), "event_id": "e" * 201}, "event_id is longer than 200", False),
    ("offset of 15 hours", {**_base(), "occurred_at": "2026-09-01T10:00:00+15:00"}, "impossible UTC offset", False),
    ("30 February", {**_base(), "occurred_at": "2026-02-30T10:00:00+05:00"}, "not a valid date/time", False),
    ("25 o'clock", {**_base(), "occurred_at": "2026-09-01T25:00:00+05:00"}, "not a valid date/time", False),
    ("year 1970", {**_base(), "occurred_at": "1970-01-01T00:00:00Z"}, "impossible year", False),
    ("no offset", {**_base(), "occurred_at": "2026-09-01T10:00:00"}, "with an offset", False),
    ("Russian date", {**_base(), "occurred_at": "01.09.2026 10:00"}, "with an offset", False),
    ("epoch number", {**_base(), "occurred_at": 1788238800}, "occurred_at must be a string", False),
    ("bad appointment", {**_base(), "appointment_at": "2026-13-01T10:00:00+05:00"}, "not a valid date/time", False),
    ("unknown event_type", {**_base(), "event_type": "page_view"}, "unknown event_type 'page_view'", False),
    ("unknown user_type", {**_base(), "user_type": "robot"}, "unknown user_type 'robot'", False),
    ("unknown status", {**_base(), "status": "lost"}, "unknown status 'lost'", False),
    (
        "unknown application_type",
        {**_base(), "application_type": "space_tourism"},
        "unknown application_type 'space_tourism' (add it to dbt/seeds/application_types.csv)",
        False,
    ),
    ("SNILS too short", {**_base(), "snils": "123-456"}, "snils is not a SNILS", False),
    ("INN of 11 digits", {**_base(), "inn": "12345678901"}, "inn is not an INN of 10 or 12 digits", False),
    ("OGRN with letters", {**_base(), "ogrn": "10277OO132195"}, "ogrn is not an OGRN", False),
    ("phone of letters", {**_base(), "phone": "позвоните мне"}, "phone is not a phone number", False),
    ("e-mail without @", {**_base(), "email": "ivan.mail.ru"}, "email is not an e-mail address", False),
    ("cookie with letters", {**_base(), "metrica_client_id": "abc"}, "metrica_client_id is not digits", False),
    (
        "status change without status",
        _without({**_base(), "event_type": "application_status_changed"}, "status"),
        "application_status_changed without status",
        False,
    ),
    (
        "application without id",
        _without(_base(), "application_id"),
        "application_submitted without application_id",
        False,
    ),
    (
        "appointment without time",
        {**_base(), "event_type": "appointment_booked"},
        "appointment_booked without appointment_at",
        False,
    ),
    ("empty line", "", "empty line", False),
    # beyond the schema: the seeds of the region and the file's day
    ("unknown office", {**_base(), "office_id": "ens-99"}, "unknown office_id 'ens-99'", True),
    ("two days off", {**_base(), "occurred_at": "2026-09-04T10:00:00+05:00"}, "more than a day away", True),
    (
        "appointment in the past",
        {**_base(), "event_type": "appointment_booked", "appointment_at": "2026-08-01T10:00:00+05:00"},
        "appointment_at is before occurred_at",
        True,
    ),
]
CONTEXT_CHECKS = {"unknown office", "two days off", "appointment in the past"}


def _line(item: str | dict[str, Any]) -> str:
    return item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)


@pytest.mark.parametrize(("case", "item", "reason", "schema_valid"), PORTAL_CORPUS, ids=[c[0] for c in PORTAL_CORPUS])
def test_each_malformed_portal_event_is_quarantined_with_its_reason(
    landing: Path, load: Any, query: Any, case: str, item: str | dict[str, Any], reason: str, schema_valid: bool
) -> None:
    good = good_events()
    write(web_dir(landing) / "portal_events-20260901.jsonl", jsonl(*good[:3], _line(item), *good[3:]))
    assert counts(load("website", DAY)) == (7, 6, 1, 0)
    [(line_no, why, raw)] = rejected(query)
    assert line_no == 4
    assert reason in why, why
    # a rejected line keeps its shape but no identifier in clear
    for clear in (ESIA, "9123456789", "912 345-67-89", SNILS, CLIENT):
        assert clear not in (raw or ""), (case, raw)
    assert_batches_reconcile(query)


def test_a_portal_event_cut_at_the_end_of_the_file_is_rejected(landing: Path, load: Any, query: Any) -> None:
    body = jsonl(*good_events())
    cut = json.dumps(_base() | {"event_id": "ev-7"})[:-30]  # the export broke off inside the object
    write(web_dir(landing) / "portal_events-20260901.jsonl", body + cut)
    assert counts(load("website", DAY)) == (7, 6, 1, 0)
    [(line_no, why, raw)] = rejected(query)
    assert (line_no, why.startswith("truncated last line (no newline at end of file and not complete JSON")) == (
        7,
        True,
    )
    # the token is the one of the loaded esia_hash, as in every JSON-lines source
    assert ESIA not in (raw or "") and f'"esia_id": "<esia:{PS.esia(ESIA)[:12]}>"' in (raw or "")


def test_a_complete_last_portal_event_without_a_newline_loads(landing: Path, load: Any, query: Any) -> None:
    """As for the chatbot, cases and surveys: a line that parses as a whole object is not cut off."""
    body = jsonl(*good_events())
    write(web_dir(landing) / "portal_events-20260901.jsonl", body + json.dumps(_base() | {"event_id": "ev-7"}))
    assert counts(load("website", DAY)) == (7, 7, 0, 0)


def test_repeated_event_ids_are_duplicates_or_conflicts(landing: Path, load: Any, query: Any) -> None:
    events = good_events()
    changed = {**events[1], "status": "accepted"}  # same event id, other content
    reordered = dict(reversed(list(events[0].items())))  # same content, keys in another order
    write(web_dir(landing) / "portal_events-20260901.jsonl", jsonl(*events, reordered, changed))
    assert counts(load("website", DAY)) == (8, 6, 1, 1)
    [(line_no, why, _)] = rejected(query)
    assert (line_no, why.startswith("conflicting record: key ev-2 already loaded from file 1 line 2")) == (8, True)


# -- the JSON Schema and the connector agree --------------------------------------------------------


@pytest.fixture(scope="module")
def validator() -> Any:
    return portal_event_validator()


def _schema_valid(validator: Any, line: str) -> bool:
    try:
        event = json.loads(line)
    except ValueError:
        return False
    return validator.is_valid(event)


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_generated_good_events_match_the_schema(validator: Any) -> None:
    for day in (DAY, date(2026, 12, 31)):
        for event in good_events(day):
            assert list(validator.iter_errors(event)) == [], event["event_id"]


def test_schema_and_connector_agree_on_the_bad_input_corpus(validator: Any) -> None:
    for case, item, _, schema_valid in PORTAL_CORPUS:
        line = _line(item)
        assert _schema_valid(validator, line) is schema_valid, case
        assert (case in CONTEXT_CHECKS) is schema_valid, case  # only seed / file-day checks go beyond it


def test_schema_application_types_equal_the_seed() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    [codes, _] = schema["properties"]["application_type"]["anyOf"]
    with (SEEDS / "application_types.csv").open(encoding="utf-8") as handle:
        seed = {row["application_type"] for row in csv.DictReader(handle)}
    assert set(codes["enum"]) == seed


# -- one validator and one masker for every JSON-lines source ---------------------------------------

EMAIL = "ivan.petrov@mail.ru"
# (case, how the JSON text of a good line is broken, the reason a portal event and a chat event both get)
SHARED_DEFECTS: list[tuple[str, Callable[[str], str], str]] = [
    ("repeated field", lambda t: t[:-1] + f', "phone": "{PHONE}"}}', "malformed JSON: field 'phone' appears twice"),
    ("NaN", lambda t: t[:-1] + ', "score": NaN}', "malformed JSON: NaN is not a JSON number"),
    ("-Infinity", lambda t: t[:-1] + ', "score": -Infinity}', "malformed JSON: -Infinity is not a JSON number"),
    (
        "NUL in a string",
        lambda t: t.replace(json.dumps(PHONE), '"+7 912\\u0000 345-67-89"'),
        "phone contains a NUL character or an unpaired surrogate",
    ),
    (
        "lone surrogate",
        lambda t: t.replace(json.dumps(PHONE), '"+7 912\\ud800 345-67-89"'),
        "phone contains a NUL character or an unpaired surrogate",
    ),
    ("phone as a number", lambda t: t.replace(json.dumps(PHONE), "79123456789"), "phone must be a string, got number"),
    ("an array", lambda t: f"[{t}]", "a line must be one JSON object, got array"),
]


@pytest.mark.parametrize(("case", "defect", "reason"), SHARED_DEFECTS, ids=[c[0] for c in SHARED_DEFECTS])
def test_a_broken_portal_event_is_rejected_and_masked_as_a_chat_event(
    landing: Path, load: Any, query: Any, case: str, defect: Callable[[str], str], reason: str
) -> None:
    """The website reads its JSON lines with the chatbot's (cases', surveys') validator: the same
    defect, the same reason; and the same masker keeps every identifier field of a rejected line
    out of sight in both, as the token of its loaded hash."""
    identifiers = {"esia_id": ESIA, "metrica_client_id": CLIENT, "snils": SNILS, "phone": PHONE, "email": EMAIL}
    portal = _base() | identifiers
    chat = {"session_id": "s-1", "seq": 1, "ts": "2026-09-01T10:15:00+05:00", "event": "message", **identifiers}
    write(web_dir(landing) / "portal_events-20260901.jsonl", defect(json.dumps(portal, ensure_ascii=False)) + "\n")
    write(landing / REGION / "chatbot" / "chatbot_events-20260901.jsonl", defect(json.dumps(chat)) + "\n")
    assert counts(load("website", DAY)) == (1, 0, 1, 0)
    assert counts(load("chatbot", DAY)) == (1, 0, 1, 0)
    [(_, web_reason, web_raw)] = rejected(query)
    [(chat_reason, chat_raw)] = query("select reason, raw_line from raw.rejected_chatbot")
    assert web_reason == chat_reason == reason
    tokens = [
        f'"esia_id": "<esia:{PS.esia(ESIA)[:12]}>"',
        f'"metrica_client_id": "<metrica:{PS.online_id("metrica", CLIENT)[:12]}>"',
        f'"snils": "<snils:{PS.snils(SNILS)[:12]}>"',
        f'"email": "<email:{PS.email(EMAIL)[:12]}>"',
        '"phone": "<phone:',
    ]
    for raw in (web_raw, chat_raw):
        assert all(token in raw for token in tokens), (case, raw)
        for clear in (ESIA, CLIENT, "912 345", "9123456789", SNILS, "11223344595", "ivan.petrov"):
            assert clear not in raw, (case, clear, raw)


def test_patterns_are_matched_as_json_schema_matches_them(landing: Path, load: Any, query: Any) -> None:
    """``$`` of a schema pattern is the end of the value (ECMA-262), not the place before a final
    newline (Python's ``re``, which the ``jsonschema`` package uses): a SNILS or an ESIA id with a
    newline at its end is rejected, as by the other JSON-lines sources; surrounding blanks of ids
    are dropped."""
    events = [
        _base() | {"event_id": "ev-7", "snils": SNILS + "\n"},
        _base() | {"event_id": "ev-8", "esia_id": ESIA + "\n"},
        _base() | {"event_id": "  ev-9 ", "application_id": " APP-9\t"},
    ]
    write(web_dir(landing) / "portal_events-20260901.jsonl", jsonl(*events))
    assert counts(load("website", DAY)) == (3, 1, 2, 0)
    assert [(n, why) for n, why, _ in rejected(query)] == [
        (1, "snils is not a SNILS (11 digits: NNN-NNN-NNN NN)"),
        (2, "esia_id is not digits"),
    ]
    assert query("select event_id, application_id from raw.raw_website_portal_events") == [("ev-9", "APP-9")]


# -- validation and the DAG -------------------------------------------------------------------------


def test_a_good_batch_passes_its_suites_and_clear_personal_data_fails_them(
    landing: Path, load: Any, fresh_db: str
) -> None:
    from include.ingest import validate_batch

    write(web_dir(landing) / "hits-20260901.tsv", good_hits())
    write(web_dir(landing) / "visits-20260901.tsv", good_visits())
    write(web_dir(landing) / "portal_events-20260901.jsonl", jsonl(*good_events()))
    report = load("website", DAY)
    result = validate_batch("website", report["batch_id"], dsn=fresh_db)
    assert result["success"], result
    assert [s["suite"].split("__batch")[0] for s in result["suites"]] == [
        "raw_website_hits",
        "raw_website_visits",
        "raw_website_portal_events",
    ]
    with psycopg.connect(fresh_db) as conn:  # an individual's INN in clear must never pass
        conn.execute("update raw.raw_website_portal_events set inn = %s where event_id = 'ev-6'", (PERSON_INN,))
    result = validate_batch("website", report["batch_id"], dsn=fresh_db)
    assert not result["success"]
    [failed] = [f for s in result["suites"] for f in s["failed"]]
    assert (failed["expectation"], failed["kwargs"]["column"]) == ("expect_column_values_to_match_regex", "inn")
    # a failure is validated again for its details (a pass is checked verdicts only); the sample
    # is masked, never the INN it found, and the rows of the failed batch are gone
    assert failed["partial_unexpected"] == ["<inn>"] and failed["unexpected_percent"] > 0
    with psycopg.connect(fresh_db) as conn:
        stored = conn.execute("select status, validation::text from raw.ingest_batches").fetchall()
        left = conn.execute("select count(*) from raw.raw_website_portal_events").fetchone()
    assert [status for status, _ in stored] == ["failed_validation"]
    assert PERSON_INN not in stored[0][1] and "raw_website_portal_events" in result["reason"]
    assert left == (0,)


@pytest.mark.parametrize(
    ("url", "referer", "failing"),
    [
        ("https://czn.example/call?tel=+7 912 345-67-89", None, "free_text"),
        (None, "8(912)345 67 89", "free_text"),
        (None, "https://czn.example/?mail=ivanov@mail.ru", "free_text_email"),
        (None, "https://czn.example/?mail=ivanov%40mail.ru", "free_text_email"),
        # the joined free text cannot match across two values: a phone split between them
        ("https://czn.example/?a=+7 912", "345-67-89", None),
        ("https://czn.example/?user=ivanov", "@mail.ru", None),
    ],
)
def test_free_text_is_checked_for_contacts_in_clear_as_one_column(
    url: str | None, referer: str | None, failing: str | None, landing: Path, load: Any, fresh_db: str
) -> None:
    """The free-text columns are validated joined by U+001F in one regular-expression pass per
    pattern: a contact in any of them fails the batch, naming the joined column (for e-mails the
    joined text holding ``@`` or ``%40``), and none is found across two of them (exactly the
    verdicts of one check per column)."""
    from include.ingest import validate_batch

    write(web_dir(landing) / "hits-20260901.tsv", good_hits())
    report = load("website", DAY)
    with psycopg.connect(fresh_db) as conn:
        conn.execute(
            "update raw.raw_website_hits set url = coalesce(%s, url), referer = %s"
            " where watch_id = (select min(watch_id) from raw.raw_website_hits)",
            (url, referer),
        )
    result = validate_batch("website", report["batch_id"], dsn=fresh_db)
    failed = {(f["expectation"], f["kwargs"]["column"]) for s in result["suites"] for f in s["failed"]}
    assert result["success"] is (failing is None), result
    if failing is not None:
        assert failed == {("expect_column_values_to_not_match_regex", failing)}
        assert "912 345" not in json.dumps(result, ensure_ascii=False)  # the sample is masked


@pytest.mark.parametrize(
    ("value", "expectation"),
    [
        ("ab" * 31 + "a", "expect_column_value_lengths_to_equal"),  # 63 hex digits
        ("AB" * 32, "expect_column_values_to_match_regex"),  # 64 characters, not lowercase hex
        ("+7 912 345-67-89", "expect_column_value_lengths_to_equal"),  # a phone in clear
    ],
)
def test_a_hash_column_holds_sha256_hex_only(
    value: str, expectation: str, landing: Path, load: Any, fresh_db: str
) -> None:
    """The keyed-hash check is a length (64) and a character class (lowercase hex): two cheap
    checks instead of one bounded pattern that cost 8.5 s over a 10 M-event history."""
    from include.ingest import validate_batch

    write(web_dir(landing) / "hits-20260901.tsv", good_hits())
    report = load("website", DAY)
    with psycopg.connect(fresh_db) as conn:
        conn.execute(
            "update raw.raw_website_hits set metrica_client_hash = %s"
            " where watch_id = (select min(watch_id) from raw.raw_website_hits)",
            (value,),
        )
    result = validate_batch("website", report["batch_id"], dsn=fresh_db)
    assert not result["success"]
    failed = {(f["expectation"], f["kwargs"]["column"]) for s in result["suites"] for f in s["failed"]}
    assert (expectation, "metrica_client_hash") in failed


@pytest.mark.timeout(600)
def test_the_dag_loads_and_validates_dropped_files(
    airflow_db: Path, fresh_db: str, landing: Path, monkeypatch: pytest.MonkeyPatch, query: Callable[..., Any]
) -> None:
    from include.dag_runs import load_dag, run_day

    write(web_dir(landing) / "hits-20260901.tsv", good_hits())
    write(web_dir(landing) / "visits-20260901.tsv", good_visits())
    write(web_dir(landing) / "portal_events-20260901.jsonl", jsonl(*good_events()) + "{broken\n")
    monkeypatch.setenv("CJW_LANDING_DIR", str(landing))
    monkeypatch.delenv("CJW_METRICA_COUNTER_ENSKAYA", raising=False)
    dag = load_dag("ingest_website")
    assert {t.task_id for t in dag.tasks} == {"list_regions", "fetch_exports", "load_batch", "validate_batch"}
    run_day(dag, DAY)
    assert query(
        "select source, region_id, status, rows_read, rows_loaded, rows_rejected, rows_duplicate from raw.ingest_batches"
    ) == [("website", REGION, "validated", 12, 11, 1, 0)]
    assert query("select reason from raw.rejected_website") == [
        ("malformed JSON: Expecting property name enclosed in double quotes at column 2",)
    ]
