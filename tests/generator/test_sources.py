"""The website (Metrica hits and visits, portal events), chatbot, case and survey files of a
generated region, parsed as ``include/connectors/FORMATS.md`` documents them, and their noise.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

import pytest

from include import settings
from include.generator.feednoise import FEED_KINDS
from tests.generator.regions import (
    DAYS,
    START,
    Region,
    csv_records,
    encoding_of,
    file_day,
    json_records,
    lines_of,
    seed_codes,
    seed_rows,
)

HITS = ["ym:pv:watchID", "ym:pv:dateTime", "ym:pv:URL", "ym:pv:referer", "ym:pv:clientID", "ym:pv:goalsID",
        "ym:pv:lastTrafficSource"]  # fmt: skip
VISITS = ["ym:s:visitID", "ym:s:dateTime", "ym:s:clientID", "ym:s:startURL", "ym:s:pageViews",
          "ym:s:visitDuration", "ym:s:goalsID", "ym:s:lastTrafficSource"]  # fmt: skip
SURVEY_HEADER = [
    "response_id", "channel", "touchpoint_id", "responded_at", "csat", "ces", "nps", "vk_politeness",
    "vk_competence", "vk_speed", "vk_comfort", "vk_information", "relevance", "comment", "phone", "esia_id",
    "ticket_id", "office_id", "case_id",
]  # fmt: skip
PORTAL_FIELDS = {
    "event_id", "event_type", "occurred_at", "user_type", "esia_id", "metrica_client_id", "snils", "phone", "email",
    "inn", "ogrn", "application_id", "application_type", "status", "office_id", "appointment_at", "client_group",
}  # fmt: skip
PORTAL_TYPES = {"esia_login", "application_submitted", "application_status_changed", "appointment_booked"}
STATUSES = {"submitted", "accepted", "needs_documents", "approved", "rejected", "withdrawn"}
CHAT_FIELDS = {"session_id", "seq", "ts", "event", "channel", "user_id", "phone", "text", "intent", "confidence",
               "rating"}  # fmt: skip
CHAT_EVENTS = {"chat_started", "message", "intent_recognised", "fallback", "handoff_to_operator", "resolved",
               "abandoned", "rating"}  # fmt: skip
CASE_FIELDS = {
    "event_id", "case_id", "event_type", "occurred_at", "office_id", "client_kind", "snils", "inn", "ogrn", "phone",
    "service_type", "client_group", "application_id", "ticket_id", "close_reason", "amount_rub", "result",
}  # fmt: skip
# the event types of the published schema (include/schemas/case_event.schema.json)
CASE_TYPES = set(json.loads((settings.PROJECT_ROOT / "include" / "schemas" / "case_event.schema.json").read_text())
                 ["properties"]["event_type"]["enum"])  # fmt: skip
SOURCES = {"organic", "direct", "referral", "ad", "internal", "social", "email"}
GOALS = re.compile(r"^\[(\d+(,\d+)*)?\]$")
DIGITS = re.compile(r"^\d+$")
SNILS = re.compile(r"^\d{3}-?\d{3}-?\d{3}[ -]?\d{2}$")
STAMP = "%Y-%m-%d %H:%M:%S"
SCHEMAS = settings.PROJECT_ROOT / "include" / "schemas"


def _aware(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    assert value.utcoffset() is not None, text
    return value


def _validator(name: str) -> Any:
    """A JSON-Schema validator of ``include/schemas/<name>`` (the contract the connectors enforce)."""
    jsonschema = pytest.importorskip("jsonschema")
    path = SCHEMAS / name
    if not path.exists():
        pytest.skip(f"{path} not written yet")
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(params=["clean", "noisy"])
def region(request: pytest.FixtureRequest) -> Region:
    """The clean region, and the noisy one whose lines outside the recorded noise must be as valid."""
    result: Region = request.getfixturevalue(request.param)
    return result


# ------------------------------------------------------------------------------ layout


def test_every_source_has_its_daily_files(noisy: Region) -> None:
    period = {START + dt.timedelta(days=i) for i in range(DAYS)}
    patterns = {
        "website/hits-": r"^website/hits-\d{8}\.tsv$",
        "website/visits-": r"^website/visits-\d{8}\.tsv$",
        "website/portal_events-": r"^website/portal_events-\d{8}\.jsonl$",
        "chatbot/": r"^chatbot/chatbot_events-\d{8}\.jsonl$",
        "cases/": r"^cases/case_events-\d{8}\.jsonl$",
        "surveys/": r"^surveys/survey_responses-\d{8}\.csv$",
    }
    for prefix, pattern in patterns.items():
        files = noisy.files(prefix)
        assert files, prefix
        assert all(re.match(pattern, f) for f in files), prefix
        days = {file_day(f) for f in files}
        assert days <= period
        # journeys start in the period: from its third day on every working day has data
        assert {d for d in period if d.isoweekday() <= 5 and d >= START + dt.timedelta(days=2)} <= days, prefix
    assert {file_day(f) for f in noisy.files("website/hits-")} == period


# ------------------------------------------------------------------------------ website


def test_metrica_hits_and_visits(region: Region) -> None:
    watch_ids: set[str] = set()
    hits_per_day: Counter[tuple[str, str, str]] = Counter()
    for rel in region.files("website/hits-"):
        header = lines_of(region.root / rel)[0].split("\t")
        assert set(HITS) <= set(header), rel  # any order, extra columns allowed
    for rel, _, row in csv_records(region, "website/hits-"):
        assert DIGITS.match(row["ym:pv:watchID"]) and int(row["ym:pv:watchID"]) < 2**64
        assert row["ym:pv:watchID"] not in watch_ids
        watch_ids.add(row["ym:pv:watchID"])
        stamp = dt.datetime.strptime(row["ym:pv:dateTime"], STAMP)
        assert stamp.date() == file_day(rel)
        assert row["ym:pv:URL"].startswith("https://")
        assert row["ym:pv:referer"] == "" or row["ym:pv:referer"].startswith("https://")
        assert DIGITS.match(row["ym:pv:clientID"]) and len(row["ym:pv:clientID"]) == 19
        assert GOALS.match(row["ym:pv:goalsID"]) and row["ym:pv:lastTrafficSource"] in SOURCES
        hits_per_day[(rel[-12:-4], row["ym:pv:clientID"], row["ym:pv:dateTime"])] += 1
    visit_ids: set[str] = set()
    views: Counter[str] = Counter()
    for rel, _, row in csv_records(region, "website/visits-"):
        assert list(row) == VISITS
        assert DIGITS.match(row["ym:s:visitID"]) and row["ym:s:visitID"] not in visit_ids
        visit_ids.add(row["ym:s:visitID"])
        assert dt.datetime.strptime(row["ym:s:dateTime"], STAMP).date() == file_day(rel)
        assert int(row["ym:s:pageViews"]) >= 1 and int(row["ym:s:visitDuration"]) >= 0
        assert GOALS.match(row["ym:s:goalsID"]) and row["ym:s:lastTrafficSource"] in SOURCES
        # the visit's first page view is in the hits of the same day, same cookie, same second
        assert hits_per_day[(rel[-12:-4], row["ym:s:clientID"], row["ym:s:dateTime"])] >= 1
        views[rel[-12:-4]] += int(row["ym:s:pageViews"])
    hits = Counter(rel[-12:-4] for rel, _, _ in csv_records(region, "website/hits-"))
    assert views == hits


def test_portal_events(region: Region) -> None:
    validator = _validator("portal_event.schema.json")
    offices, types = set(region.manifest["offices"]), seed_codes("application_types", "application_type")
    ids: set[str] = set()
    kinds: Counter[str] = Counter()
    for rel, _, event in json_records(region, "website/portal_events-"):
        assert not list(validator.iter_errors(event)), event
        assert set(event) <= PORTAL_FIELDS and event["event_type"] in PORTAL_TYPES, event
        assert event["event_id"] not in ids
        ids.add(event["event_id"])
        when = _aware(event["occurred_at"])
        assert when.astimezone(region.tz).date() == file_day(rel)
        assert event["user_type"] in {"citizen", "employer"} and DIGITS.match(event["esia_id"])
        kinds[event["event_type"]] += 1
        if event["event_type"] != "application_status_changed":
            assert DIGITS.match(event["metrica_client_id"])
        if event["event_type"].startswith("application"):
            assert event["application_type"] in types and event["status"] in STATUSES
            assert event["office_id"] in offices and event["application_id"]
        if event["event_type"] == "application_submitted":
            assert event["status"] == "submitted"
            if event["user_type"] == "citizen":
                assert SNILS.match(event["snils"])
            else:
                assert len(event["inn"]) in (10, 12) and len(event["ogrn"]) in (13, 15)
        if event["event_type"] == "appointment_booked":
            assert event["office_id"] in offices and _aware(event["appointment_at"]) > when
    assert set(kinds) == PORTAL_TYPES


# ------------------------------------------------------------------------------ chatbot


def test_chatbot_sessions(region: Region) -> None:
    validator = _validator("chatbot_event.schema.json")
    intents = seed_codes("chatbot_intents", "intent")
    sessions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rel, _, event in json_records(region, "chatbot/"):
        assert not list(validator.iter_errors(event)), event
        assert set(event) <= CHAT_FIELDS and event["event"] in CHAT_EVENTS, event
        assert _aware(event["ts"]).astimezone(region.tz).date() == file_day(rel)
        sessions[event["session_id"]].append(event)
    assert len(sessions) > 100
    channels: Counter[str] = Counter()
    for events in sessions.values():
        events.sort(key=lambda e: e["seq"])
        assert [e["seq"] for e in events] == list(range(len(events)))
        assert [_aware(e["ts"]) for e in events] == sorted(_aware(e["ts"]) for e in events)
        first = events[0]
        assert first["event"] == "chat_started" and first["channel"] in {"web", "vk", "telegram", "max"}
        channels[first["channel"]] += 1
        assert all("channel" not in e for e in events[1:])
        if first.get("user_id"):
            assert re.match(r"^(tg|vk|max):\d+$", first["user_id"])
        assert events[-1]["event"] in {"resolved", "abandoned", "rating"}
        for e in events:
            if e["event"] == "intent_recognised":
                assert e["intent"] in intents and 0 <= e["confidence"] <= 1
            if e["event"] in {"message", "fallback"}:
                assert e["text"]
            if e["event"] == "fallback":
                assert 0 <= e["confidence"] <= 1
            if e["event"] == "rating":
                assert e["rating"] in range(1, 6)
    assert channels["web"] and channels["telegram"] and channels["vk"]


# ------------------------------------------------------------------------------ cases


def _tickets(region: Region) -> set[tuple[str, str, str]]:
    """(office, local day, ticket id) of every ticket of the office files."""
    result = set()
    for rel in region.files("office_visits/"):
        encoding, sep = encoding_of(region, rel)
        for line in lines_of(region.root / rel, encoding)[1:]:
            fields = next(csv.reader([line], delimiter=sep))
            result.add((fields[1], file_day(rel).isoformat(), fields[0]))
    return result


def _inn_valid(inn: str) -> bool:
    def check(digits: str, weights: tuple[int, ...]) -> str:
        return str(sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10)

    if len(inn) == 10:
        return inn[9] == check(inn, (2, 4, 10, 3, 5, 9, 4, 6, 8))
    return inn[10] == check(inn, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)) and inn[11] == check(
        inn, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
    )


def test_case_events(region: Region) -> None:
    validator = _validator("case_event.schema.json")
    types = seed_codes("application_types", "application_type")
    groups = seed_codes("client_groups", "client_group")
    tickets = _tickets(region)
    applications = {
        e["application_id"] for _, _, e in json_records(region, "website/portal_events-") if "application_id" in e
    }
    ids: set[str] = set()
    seen: Counter[str] = Counter()
    cases: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for rel, _, event in json_records(region, "cases/"):
        assert not list(validator.iter_errors(event)), event
        assert set(event) <= CASE_FIELDS and event["event_type"] in CASE_TYPES, event
        assert event["event_id"] not in ids
        ids.add(event["event_id"])
        local = _aware(event["occurred_at"]).astimezone(region.tz)
        assert local.date() == file_day(rel) and event["office_id"] in region.manifest["offices"]
        # the ЦЗН works Monday to Friday; only the central office also receives on Saturdays
        assert local.isoweekday() <= 5 or (
            local.isoweekday() == 6 and event["office_id"] == region.manifest["offices"][0]
        )
        seen[event["event_type"]] += 1
        cases[event["case_id"]].append(event)
        if event["client_kind"] == "citizen":
            assert SNILS.match(event["snils"]) and "inn" not in event
        else:
            assert _inn_valid(event["inn"]) and len(event["ogrn"]) == (15 if len(event["inn"]) == 12 else 13)
        if event["event_type"] == "case_opened":
            assert event["service_type"] in types and event["client_group"] in groups
        if "ticket_id" in event:  # a ticket of the same office and local day
            assert (event["office_id"], local.date().isoformat(), event["ticket_id"]) in tickets, event
        if "application_id" in event:
            assert event["application_id"] in applications
        if event["event_type"] == "case_closed":
            assert event["close_reason"] in {"employed", "training", "deregistered", "moved", "other"}
        if event["event_type"] == "benefit_paid":
            assert 1000 < Decimal(str(event["amount_rub"])) < 20000
    assert {"case_opened", "vacancy_offered", "referral_issued", "case_closed"} <= set(seen)
    # a case starts with case_opened — unless it was open before the period began (real exports
    # start in the middle of cases) or the ЦЗН reached out first; one office, one client kind
    already_open = {r["case_id"] for r in region.journeys if r["started_before_period"] == "1"}
    for case_id, events in cases.items():
        events.sort(key=lambda e: _aware(e["occurred_at"]))
        first = events[0]["event_type"]
        assert first in ("case_opened", "outreach_contact", "layoff_notice_received") or case_id in already_open, (
            events[0]
        )
        assert len({(e["office_id"], e["client_kind"]) for e in events}) == 1


def test_case_events_of_a_long_period_cover_every_stage(long: Region) -> None:
    seen = Counter(e["event_type"] for _, _, e in json_records(long, "cases/"))
    assert CASE_TYPES - {"benefit_suspended"} <= set(seen)
    kinds = Counter(e["client_kind"] for _, _, e in json_records(long, "cases/") if e["event_type"] == "case_opened")
    assert kinds["employer"] > 10 and kinds["citizen"] > 100


# ------------------------------------------------------------------------------ surveys


def test_survey_responses(noisy: Region) -> None:
    touchpoints = {r["touchpoint_id"]: r["channel"] for r in seed_rows("touchpoints")}
    tickets = _tickets(noisy)
    cases = {e["case_id"] for _, _, e in json_records(noisy, "cases/")}
    encodings = Counter(encoding_of(noisy, rel) for rel in noisy.files("surveys/"))
    assert encodings[("cp1251", ";")] == 1 and encodings[("utf-8-sig", ",")] == len(noisy.files("surveys/")) - 1
    ids: set[str] = set()
    with_reference, with_comment, total = 0, 0, 0
    for rel, _, row in csv_records(noisy, "surveys/"):
        assert list(row) == SURVEY_HEADER
        assert row["response_id"] not in ids
        ids.add(row["response_id"])
        assert touchpoints[row["touchpoint_id"]] == row["channel"], row
        assert dt.datetime.strptime(row["responded_at"], STAMP).date() == file_day(rel)
        scores = {k: row[k] for k in SURVEY_HEADER[4:12] if row[k]}
        assert scores, row
        for name, value in scores.items():
            assert int(value) in (range(0, 11) if name == "nps" else range(1, 6)), row
        if row["ticket_id"]:  # a ticket of that office on the local day of the response
            assert (row["office_id"], file_day(rel).isoformat(), row["ticket_id"]) in tickets, row
        if row["case_id"]:
            assert row["case_id"] in cases
        total += 1
        with_comment += bool(row["comment"])
        with_reference += any(row[k] for k in ("phone", "esia_id", "ticket_id", "case_id"))
    assert 0.45 < with_reference / total < 0.75 and 0.2 < with_comment / total < 0.5


def test_comments_are_russian_and_some_contain_contacts(long: Region) -> None:
    comments = [row["comment"] for _, _, row in csv_records(long, "surveys/") if row["comment"]]
    assert len(comments) > 100
    assert all(re.search(r"[а-яА-Я]", c) for c in comments)
    contacts = [c for c in comments if re.search(r"@|\d{3}[ -]?\d{2}[ -]?\d{2}", c)]
    assert 0 < len(contacts) < 0.2 * len(comments)


# ------------------------------------------------------------------------------ codes


def test_every_code_comes_from_the_seeds(noisy: Region) -> None:
    """Apart from the planted ``unknown_code`` lines, every code is one of the seeds'."""
    used: dict[str, set[str]] = defaultdict(set)
    for _, _, e in json_records(noisy, "website/portal_events-"):
        used["application_types"].add(e.get("application_type", "unemployment_registration"))
    for _, _, e in json_records(noisy, "chatbot/"):
        if "intent" in e:
            used["chatbot_intents"].add(e["intent"])
    for _, _, e in json_records(noisy, "cases/"):
        used["application_types"].add(e.get("service_type", "unemployment_registration"))
        used["client_groups"].add(e.get("client_group", "unemployed"))
    for _, _, row in csv_records(noisy, "surveys/"):
        used["touchpoints"].add(row["touchpoint_id"])
    for rel in noisy.files("call_centre/call_topics-"):
        used["call_topics"] |= {r["topic_code"] for r in csv.DictReader(lines_of(noisy.root / rel))}
    for rel in noisy.files("office_visits/"):
        encoding, sep = encoding_of(noisy, rel)
        used["office_services"] |= {r[2] for r in csv.reader(lines_of(noisy.root / rel, encoding)[1:], delimiter=sep)}
    columns = {"application_types": "application_type", "chatbot_intents": "intent", "client_groups": "client_group",
               "touchpoints": "touchpoint_id", "call_topics": "topic_code", "office_services": "service_code"}  # fmt: skip
    for seed, codes in used.items():
        assert codes <= seed_codes(seed, columns[seed]), (seed, codes - seed_codes(seed, columns[seed]))
    clients = noisy.clients.values()
    groups = {(r["client_group"], r["client_kind"]) for r in seed_rows("client_groups")}
    assert {(c["client_group"], c["kind"]) for c in clients} <= groups


# ------------------------------------------------------------------------------ noise


def _bad_json_kind(feed: str, text: str) -> str | None:
    """Why a JSON line would be rejected (None: it is valid as far as these checks go)."""
    try:
        record = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError:
        return "broken"
    stamp_field = {"portal": "occurred_at", "chatbot": "ts", "cases": "occurred_at"}[feed]
    if not isinstance(record.get(stamp_field), str) or not isinstance(record.get("seq", 0), int):
        return "wrong_types"
    if "amount_rub" in record and not isinstance(record["amount_rub"], int | float):
        return "wrong_types"
    try:
        if dt.datetime.fromisoformat(record[stamp_field]).year < 2000:
            return "impossible_timestamp"
    except ValueError:
        return "impossible_timestamp"
    codes = {"portal": PORTAL_TYPES, "cases": CASE_TYPES}
    if feed in codes and record["event_type"] not in codes[feed]:
        return "unknown_code"
    if feed == "chatbot" and record.get("intent", "operator") not in seed_codes("chatbot_intents", "intent"):
        return "unknown_code"
    return None


FEED_PREFIX = {
    "hits": "website/hits-", "visits": "website/visits-", "portal": "website/portal_events-",
    "chatbot": "chatbot/", "cases": "cases/", "surveys": "surveys/",
}  # fmt: skip
JSON_EXPECTED = {"broken_json": "broken", "truncated_line": "broken", "wrong_types": "wrong_types",
                 "impossible_timestamp": "impossible_timestamp", "unknown_code": "unknown_code"}  # fmt: skip


@pytest.mark.parametrize("feed", sorted(FEED_KINDS))
def test_noise_of_the_feed_is_at_its_lines(noisy: Region, feed: str) -> None:
    prefix = FEED_PREFIX[feed]
    items = [n for n in noisy.manifest["noise"] if n["file"].startswith(prefix)]
    assert {n["kind"] for n in items} == set(FEED_KINDS[feed])
    for n in items:
        rel, number, kind = n["file"], n["line_no"], n["kind"]
        raw = (noisy.root / rel).read_bytes()
        if kind == "windows_1251":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            assert raw.decode("cp1251").startswith(";".join(SURVEY_HEADER) + "\n") and number == 1
            assert n["expected"] == "loaded"
            continue
        if kind == "utf8_bom":
            assert raw.startswith("\ufeff".encode()) and number == 1 and n["expected"] == "loaded"
            continue
        encoding = "cp1251" if encoding_of(noisy, rel)[0] == "cp1251" else "utf-8"
        lines = lines_of(noisy.root / rel, encoding)
        line = lines[number - 1]
        if kind in ("duplicate_line", "duplicate_row"):
            assert line == lines[number - 2] and n["expected"] == "duplicate"
            continue
        assert n["expected"] == "rejected"
        if kind == "truncated_line":
            assert number == len(lines) and not raw.endswith(b"\n")
        if feed in ("hits", "visits"):
            assert kind == "missing_column" and len(line.split("\t")) == len(lines[0].split("\t")) - 1
        elif feed == "surveys":
            _check_bad_survey_row(kind, line, ";" if encoding == "cp1251" else ",")
        else:
            assert _bad_json_kind(feed, line) == JSON_EXPECTED[kind], (rel, number, line)


def _check_bad_survey_row(kind: str, line: str, sep: str) -> None:
    fields = next(csv.reader([line], delimiter=sep))
    if kind in ("broken_row", "truncated_line"):
        assert len(fields) != len(SURVEY_HEADER), line
        return
    row = dict(zip(SURVEY_HEADER, fields, strict=True))
    if kind == "wrong_types":
        assert row["csat"] == "7" and row["nps"] == "11"
    elif kind == "impossible_timestamp":
        try:
            stamp = dt.datetime.strptime(row["responded_at"], STAMP)
        except ValueError:
            return
        assert stamp.year < 2000, line
    else:
        assert kind == "unknown_code" and row["touchpoint_id"] not in seed_codes("touchpoints", "touchpoint_id")


def test_noise_only_adds_lines_to_the_same_events(noisy: Region, clean: Region) -> None:
    """Every clean line is in the noisy file, in order; the noisy file has only the recorded extra lines."""
    noise = noisy.noise_at()
    for prefix in FEED_PREFIX.values():
        assert noisy.files(prefix) == clean.files(prefix)
        for rel in clean.files(prefix):
            encoding, sep = ("utf-8", "\t") if rel.endswith(".tsv") else encoding_of(noisy, rel)
            after = lines_of(noisy.root / rel, encoding)
            after[0] = after[0].removeprefix("\ufeff")
            if sep == ";":  # the Windows-1251 export: same rows, other separator
                after = [",".join(next(csv.reader([x], delimiter=";"))) for x in after]
                before = [",".join(next(csv.reader([x]))) for x in lines_of(clean.root / rel)]
            else:
                before = lines_of(clean.root / rel)
            extra = {i for (f, i), n in noise.items() if f == rel and n["kind"] not in ("utf8_bom", "windows_1251")}
            assert [x for i, x in enumerate(after, start=1) if i not in extra] == before, rel


def test_clean_region_has_no_noise(clean: Region) -> None:
    assert clean.manifest["noise"] == []
    for path in clean.root.rglob("*"):
        if path.is_file() and path.suffix in (".jsonl", ".tsv"):
            raw = path.read_bytes()
            assert raw.endswith(b"\n") and not raw.startswith("\ufeff".encode())
            lines = raw.decode("utf-8").splitlines()
            assert len(lines) == len(set(lines)), path


def test_survey_and_chat_texts_survive_windows_1251() -> None:
    from include.generator.chatbot import TEXTS
    from include.generator.surveys import CONTACT_PREFIX, PHRASES

    for text in [
        *(t for ts in PHRASES.values() for t in ts),
        *CONTACT_PREFIX,
        *(t for ts in TEXTS.values() for t in ts),
    ]:
        assert text.encode("cp1251").decode("cp1251") == text
