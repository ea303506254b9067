"""Tests of the synthetic-region generator on real files written to a temporary folder.

A small region (3 offices, two weeks from a Monday) is generated once with noise and once
without; the tests parse the call-centre and office files as ``include/connectors/FORMATS.md``
describes, recompute the KPIs the product computes and check that the planted pain points and
every recorded noise item are really there. The other sources, the truth files and the planted
facts are tested in ``test_sources.py`` and ``test_population.py``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from include import settings
from include.generator import callcentre as cc
from include.generator import generate_region
from tests.generator.regions import DAYS, OFFICES, SEED, START, Region
from tests.generator.regions import generate as _generate

HEADER = [
    "ticket_id",
    "office_id",
    "service_code",
    "is_prebooked",
    "booked_for",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "outcome",
    "phone",
]
TOPICS_HEADER = ["call_id", "topic_code", "topic_name", "resolution", "wrapup_at"]
CALL_EVENTS = {
    "ENTERQUEUE",
    "RINGNOANSWER",
    "CONNECT",
    "COMPLETECALLER",
    "COMPLETEAGENT",
    "ABANDON",
    "EXITWITHTIMEOUT",
    "TRANSFER",
}
SYSTEM_EVENTS = {"QUEUESTART", "ADDMEMBER", "REMOVEMEMBER", "PAUSE", "UNPAUSE"}
NUMERIC_DATA = {  # event -> 1-based data fields that must be integers
    "ENTERQUEUE": (3,),
    "RINGNOANSWER": (1,),
    "CONNECT": (1, 3),
    "COMPLETECALLER": (1, 2, 3),
    "COMPLETEAGENT": (1, 2, 3),
    "ABANDON": (1, 2, 3),
    "EXITWITHTIMEOUT": (1, 2, 3),
    "TRANSFER": (3, 4, 5),
}
# mobiles, and the city landline of the capital (343) some clients share
CALLER = re.compile(r"^(7[39]\d{9}|\+7[39]\d{9}|8[39]\d{9}|anonymous)$")
CALLID = re.compile(r"^\d{10}\.\d+$")
TICKET = re.compile(r"^[АЗ]-\d{3,}$")
WINDOW = re.compile(r"^Окно \d+$")
PHONE = re.compile(r"^(\+7 [39]\d{2} \d{3}-\d{2}-\d{2}|8[39]\d{9}|7[39]\d{9}|8 \([39]\d{2}\) \d{3} \d{2} \d{2})$")
STAMP = "%Y-%m-%d %H:%M:%S"


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def seeds() -> dict[str, list[dict[str, str]]]:
    names = ("regions", "offices", "call_queues", "call_topics", "office_services")
    result = {}
    for name in names:
        with (settings.SEEDS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            result[name] = list(csv.DictReader(handle))
    return result


# ------------------------------------------------------------------------------ parsing


def _lines(path: Path, encoding: str = "utf-8") -> list[str]:
    text = path.read_bytes().decode(encoding)
    lines = text.split("\n")
    return lines[:-1] if text.endswith("\n") else lines


def _file_day(path: str) -> dt.date:
    match = re.search(r"(\d{8})(\.csv)?$", path)
    assert match, path
    return dt.datetime.strptime(match.group(1), "%Y%m%d").date()


def _office_encoding(region: Region, office_id: str) -> tuple[str, str]:
    cp1251 = region.manifest["windows_cp1251_office"] == office_id
    return ("cp1251", ";") if cp1251 else ("utf-8", ",")


def _office_rows(region: Region, rel: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of the data rows of one office file."""
    office_id = rel.split("/")[1]
    encoding, sep = _office_encoding(region, office_id)
    lines = _lines(region.root / rel, encoding)
    assert next(csv.reader([lines[0]], delimiter=sep)) == HEADER
    for number, line in enumerate(lines[1:], start=2):
        yield number, next(csv.reader([line], delimiter=sep))


def _parse_time(text: str) -> dt.datetime | None:
    return dt.datetime.strptime(text, STAMP) if text else None


def _check_queue_log_line(line: str, queues: set[str]) -> list[str]:
    fields = line.split("|")
    event = fields[4]
    assert len(fields) == (10 if event == "TRANSFER" else 8), line
    assert fields[0].isdigit(), line
    if event in SYSTEM_EVENTS:
        assert fields[1] == "NONE", line
        assert fields[2] in queues | {"NONE"}, line
        return fields
    assert event in CALL_EVENTS, line
    assert CALLID.match(fields[1]), line
    assert fields[2] in queues, line
    for position in NUMERIC_DATA[event]:
        assert fields[4 + position].isdigit(), line
    if event == "ENTERQUEUE":
        assert fields[5] == "", line
        assert CALLER.match(fields[6]), line
        assert fields[3] == "NONE", line
    if event in {"CONNECT", "COMPLETECALLER", "COMPLETEAGENT", "TRANSFER", "RINGNOANSWER"}:
        assert fields[3].startswith("PJSIP/"), line
    if event == "CONNECT":
        assert CALLID.match(fields[6]), line
    return fields


def _check_ticket(fields: list[str], office_id: str, day: dt.date, services: set[str]) -> None:
    assert len(fields) == len(HEADER), fields
    row = dict(zip(HEADER, fields, strict=True))
    assert row["office_id"] == office_id
    assert TICKET.match(row["ticket_id"]), row
    assert row["service_code"] in services, row
    assert row["is_prebooked"] in {"0", "1"}, row
    prebooked = row["is_prebooked"] == "1"
    assert row["ticket_id"][0] == ("З" if prebooked else "А"), row
    assert bool(row["booked_for"]) == prebooked, row
    times = [_parse_time(row[k]) for k in ("issued_at", "called_at", "started_at", "ended_at")]
    present = [t for t in times if t is not None]
    assert present == sorted(present), row
    assert times[0] is not None and times[0].date() == day, row
    assert all(t.date() == day for t in present), row
    if prebooked:
        booked = _parse_time(row["booked_for"])
        assert booked is not None and booked.date() == day and booked.minute % 15 == 0, row
    assert row["outcome"] in {"served", "no_show", "redirected"}, row
    if row["outcome"] == "served":
        assert times[2] is not None and times[3] is not None, row
    if row["outcome"] == "no_show":
        assert times[2] is None and times[3] is None, row
    assert bool(row["window"]) == (times[1] is not None), row
    if row["window"]:
        assert WINDOW.match(row["window"]), row
    if row["phone"]:
        assert prebooked and PHONE.match(row["phone"]), row


def _calls(region: Region) -> dict[tuple[str, str], dict[str, Any]]:
    """Per (callid, queue): enter epoch, outcome and hold time, from every queue_log file."""
    calls: dict[tuple[str, str], dict[str, Any]] = {}
    for rel in region.files("call_centre/queue_log-"):
        for line in _lines(region.root / rel):
            fields = line.split("|")
            if len(fields) < 8:
                continue
            key, event = (fields[1], fields[2]), fields[4]
            if event == "ENTERQUEUE":
                calls.setdefault(key, {"enter": int(fields[0]), "outcome": None, "hold": None})
            elif event == "CONNECT":
                calls[key].update(outcome="answered", hold=int(fields[5]))
            elif event in {"ABANDON", "EXITWITHTIMEOUT"}:
                calls[key]["outcome"] = event
    return calls


def _walkin_waits(region: Region) -> list[tuple[str, dt.datetime, float]]:
    """(office, issued, wait minutes) of every called walk-in ticket (noise rows skipped)."""
    noise = region.noise_at()
    waits = []
    for rel in region.files("office_visits/"):
        for number, fields in _office_rows(region, rel):
            if (rel, number) in noise:
                continue
            row = dict(zip(HEADER, fields, strict=True))
            if row["is_prebooked"] == "0" and row["called_at"]:
                issued, called = _parse_time(row["issued_at"]), _parse_time(row["called_at"])
                assert issued is not None and called is not None
                waits.append((row["office_id"], issued, (called - issued).total_seconds() / 60))
    return waits


def _share(values: list[bool]) -> float:
    assert values, "no observations"
    return sum(values) / len(values)


# ------------------------------------------------------------------------------ manifest


def test_manifest_describes_the_region(noisy: Region, seeds: dict[str, list[dict[str, str]]]) -> None:
    m = noisy.manifest
    assert m["generator"] == "include.generator" and m["version"] == 2 and m["seed"] == SEED
    region = next(r for r in seeds["regions"] if r["region_id"] == "enskaya")
    assert (m["region_name_ru"], m["timezone"]) == (region["region_name_ru"], region["timezone"])
    assert m["start_date"] == START.isoformat()
    assert m["end_date"] == (START + dt.timedelta(days=DAYS - 1)).isoformat()
    seed_offices = [o["office_id"] for o in seeds["offices"] if o["region_id"] == "enskaya"]
    assert m["offices"] == seed_offices[:OFFICES]
    queue_of = {q["office_id"]: q["queue_name"] for q in seeds["call_queues"]}
    assert m["queues"] == [{"queue_name": queue_of[o], "office_id": o} for o in m["offices"]]
    assert m["windows_cp1251_office"] == m["offices"][2]
    counts = m["counts"]
    lines = ("queue_log_lines", "tickets", "hits", "visits", "portal_events", "chatbot_events", "case_events",
             "survey_responses", "email_request_events")  # fmt: skip
    assert counts["events_total"] == sum(counts[k] for k in lines)
    assert all(counts[k] > 0 for k in (*lines, "calls", "topic_rows"))
    on_disk = json.loads((noisy.root / "manifest.json").read_text(encoding="utf-8"))
    assert on_disk == m


def test_files_listed_with_hash_and_line_count(noisy: Region) -> None:
    listed = {f["path"]: f for f in noisy.manifest["files"] + noisy.manifest["truth_files"]}
    on_disk = {
        p.relative_to(noisy.root).as_posix() for p in noisy.root.rglob("*") if p.is_file() and p.name != "manifest.json"
    }
    assert set(listed) == on_disk
    assert all(f["path"].startswith("truth/") for f in noisy.manifest["truth_files"])
    assert not any(f["path"].startswith("truth/") for f in noisy.manifest["files"])
    total_log, total_tickets = 0, 0
    for rel, entry in listed.items():
        data = (noisy.root / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
        assert lines == entry["lines"], rel
        total_log += lines if "queue_log-" in rel else 0
        total_tickets += lines - 1 if rel.startswith("office_visits/") else 0
    assert total_log == noisy.manifest["counts"]["queue_log_lines"]
    assert total_tickets == noisy.manifest["counts"]["tickets"]


def test_layout_calendar_and_seeds(noisy: Region, seeds: dict[str, list[dict[str, str]]]) -> None:
    m = noisy.manifest
    period = {START + dt.timedelta(days=i) for i in range(DAYS)}
    assert {_file_day(p) for p in noisy.files("call_centre/queue_log-")} == period
    assert {_file_day(p) for p in noisy.files("call_centre/call_topics-")} == {d for d in period if d.isoweekday() <= 6}
    offices = {o["office_id"] for o in seeds["offices"]}
    for rel in noisy.files("office_visits/"):
        _, office_id, name = rel.split("/")
        assert office_id in offices and office_id in m["offices"]
        assert name == f"eq_{office_id}_{_file_day(rel):%Y%m%d}.csv"
        weekday = _file_day(rel).isoweekday()
        assert weekday <= 5 or (weekday == 6 and office_id == m["offices"][0]), rel


def test_unknown_region_or_too_many_offices_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="region"):
        generate_region(tmp_path, region_id="nowhere", days=1)
    with pytest.raises(ValueError, match="offices"):
        generate_region(tmp_path, offices=99, days=1)


# ------------------------------------------------------------------------------ formats


def test_queue_log_format_and_time_order(clean: Region) -> None:
    queues = {q["queue_name"] for q in clean.manifest["queues"]}
    for rel in clean.files("call_centre/queue_log-"):
        data = (clean.root / rel).read_bytes()
        assert data.endswith(b"\n")
        lines = _lines(clean.root / rel)
        assert lines[0].split("|")[4] == "QUEUESTART"
        day = _file_day(rel)
        start = dt.datetime.combine(day, dt.time(), clean.tz).timestamp()
        epochs = [int(_check_queue_log_line(line, queues)[0]) for line in lines]
        assert epochs == sorted(epochs), rel
        assert start <= epochs[0] and epochs[-1] < start + 86400, rel


def test_every_call_enters_once_and_exits_once(clean: Region) -> None:
    events: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rel in clean.files("call_centre/queue_log-"):
        for line in _lines(clean.root / rel):
            fields = line.split("|")
            if fields[1] != "NONE":
                events[(fields[1], fields[2])].append(fields[4])
    exits = {"ABANDON", "EXITWITHTIMEOUT", "COMPLETECALLER", "COMPLETEAGENT", "TRANSFER"}
    for key, seq in events.items():
        assert seq[0] == "ENTERQUEUE" and seq.count("ENTERQUEUE") == 1, (key, seq)
        assert sum(e in exits for e in seq) == 1 and seq[-1] in exits, (key, seq)
        if "CONNECT" in seq:
            assert seq[-1] in {"COMPLETECALLER", "COMPLETEAGENT", "TRANSFER"}, (key, seq)
    ends = Counter(seq[-1] for seq in events.values())
    answered = ends["COMPLETECALLER"] + ends["COMPLETEAGENT"] + ends["TRANSFER"]
    assert 0.01 < ends["TRANSFER"] / answered < 0.06
    callers = Counter(
        line.split("|")[6] == "anonymous"
        for rel in clean.files("call_centre/queue_log-")
        for line in _lines(clean.root / rel)
        if "|ENTERQUEUE|" in line
    )
    assert 0.02 < callers[True] / (callers[True] + callers[False]) < 0.09


def test_overflow_goes_to_the_central_queue_with_the_same_callid() -> None:
    # the office queue has one agent who is never available: every patient caller times out
    blocked = cc.AgentPlan(["PJSIP/x_op01"], {}, 0, [[]], [[]], [[]])
    overflow: list[tuple] = []
    run = cc.QueueRun([], [], overflow, str, (("registration", "Постановка"),))
    calls = [(1000 + i, f"{1000 + i}.{i}", "79120000000", 900, 60, 10, 5, 0, False, 0, 0, None, i) for i in range(3)]
    cc.run_queue(calls, "czn_ens02", blocked, run)
    assert [line[1].split("|")[4] for line in run.lines] == ["ENTERQUEUE", "EXITWITHTIMEOUT"] * 3
    timeout = run.lines[1][1].split("|")
    assert timeout[5:8] == ["1", "1", "300"] and int(timeout[0]) == 1300
    assert [c[0] for c in overflow] == [1300, 1301, 1302] and [c[3] for c in overflow] == [600] * 3
    staffed = cc.AgentPlan(["PJSIP/x_op01"], {0: 1}, 0, [[(0, 10_000, 0)]], [[[0, 10_000, 0]]], [[]])
    central = cc.QueueRun([], [], None, str, run.topic_table)
    cc.run_queue(overflow, "czn_ens01", staffed, central)
    first = [line[1].split("|") for line in central.lines[:3]]
    assert [f[4] for f in first] == ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]
    assert first[0][1] == calls[0][1] and first[0][2] == "czn_ens01"


def test_call_topics_format(clean: Region, seeds: dict[str, list[dict[str, str]]]) -> None:
    codes = {t["topic_code"] for t in seeds["call_topics"]}
    answered = {k[0] for k, v in _calls(clean).items() if v["outcome"] == "answered"}
    rows: list[dict[str, str]] = []
    for rel in clean.files("call_centre/call_topics-"):
        lines = _lines(clean.root / rel)
        reader = csv.reader(io.StringIO("\n".join(lines) + "\n"))
        assert next(reader) == TOPICS_HEADER
        day = _file_day(rel)
        stamps = []
        for fields in reader:
            row = dict(zip(TOPICS_HEADER, fields, strict=True))
            assert row["topic_code"] in codes and row["resolution"] in {"resolved", "callback", "redirected"}
            assert row["call_id"] in answered
            wrapup = dt.datetime.fromisoformat(row["wrapup_at"])
            assert wrapup.utcoffset() == dt.timedelta(hours=5) and wrapup.date() == day
            stamps.append(wrapup)
            rows.append(row)
        assert stamps == sorted(stamps)
    assert 0.9 < len(rows) / len(answered) < 0.99  # some wrap-ups are missing
    topics = Counter(r["topic_code"] for r in rows)
    # most calls are general questions (appointments, documents); service topics come from clients' journeys
    assert {c for c, _ in topics.most_common(2)} == {"appointment", "documents"}
    assert topics["registration"] > 0 and topics["vacancies"] > 0
    # most questions are resolved in the call; questions about documents often are not (planted)
    assert _share([r["resolution"] == "resolved" for r in rows if r["topic_code"] != "documents"]) > 0.75
    assert _share([r["resolution"] == "resolved" for r in rows if r["topic_code"] == "documents"]) < 0.6
    saturday = [r for r in rows if dt.datetime.fromisoformat(r["wrapup_at"]).isoweekday() == 6]
    assert saturday and not any(r["topic_code"] == "employer_vacancy" for r in saturday)


def test_office_files_format_and_encodings(clean: Region, seeds: dict[str, list[dict[str, str]]]) -> None:
    services = {s["service_code"] for s in seeds["office_services"]}
    cp1251_office = clean.manifest["windows_cp1251_office"]
    for rel in clean.files("office_visits/"):
        office_id, day = rel.split("/")[1], _file_day(rel)
        raw = (clean.root / rel).read_bytes()
        if office_id == cp1251_office:
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
            assert raw.decode("cp1251").startswith(";".join(HEADER) + "\n")
        else:
            assert raw.decode("utf-8").startswith(",".join(HEADER) + "\n")
        rows = list(_office_rows(clean, rel))
        ids = [fields[0] for _, fields in rows]
        assert len(ids) == len(set(ids)), rel
        issued = [fields[5] for _, fields in rows]
        assert issued == sorted(issued), rel
        for _, fields in rows:
            _check_ticket(fields, office_id, day, services)


def test_office_visits_look_realistic(clean: Region) -> None:
    rows = [
        dict(zip(HEADER, fields, strict=True))
        for rel in clean.files("office_visits/")
        for _, fields in _office_rows(clean, rel)
    ]
    assert 0.22 < _share([r["is_prebooked"] == "1" for r in rows]) < 0.38
    outcomes = Counter(r["outcome"] for r in rows)
    assert 0.01 < outcomes["no_show"] / len(rows) < 0.07
    assert 0.02 < outcomes["redirected"] / len(rows) < 0.07
    prebooked = [r for r in rows if r["is_prebooked"] == "1"]
    assert 0.8 < _share([bool(r["phone"]) for r in prebooked]) < 0.97
    assert not any(r["phone"] for r in rows if r["is_prebooked"] == "0")
    served = [r for r in rows if r["outcome"] == "served"]
    minutes = sorted(
        (_parse_time(r["ended_at"]) - _parse_time(r["started_at"])).total_seconds() / 60  # type: ignore[operator]
        for r in served
    )
    assert 7 < minutes[len(minutes) // 2] < 14
    assert 0.03 < _share([m > 15 for m in minutes]) < 0.3
    per_day = Counter((r["office_id"], r["issued_at"][:10]) for r in rows)
    weekday_volume = defaultdict(list)
    for (_office, day), count in per_day.items():
        weekday_volume[dt.date.fromisoformat(day).isoweekday()].append(count)
    mean = {d: sum(v) / len(v) for d, v in weekday_volume.items() if d <= 5}
    assert mean[1] > mean[5]  # Monday busiest, Friday lightest


# ------------------------------------------------------------------------------ pain points


def test_planted_pain_points_are_recorded(noisy: Region) -> None:
    points = {p["source"]: p for p in noisy.manifest["planted_pain_points"]}
    office = points["office_visits"]
    assert office["office_id"] == noisy.manifest["offices"][1]
    assert (office["kpi_id"], office["touchpoint_id"], office["condition"]) == (
        "office_wait_walkin",
        "office_queue",
        {"weekday": 1},
    )
    calls = points["call_centre"]
    central = noisy.manifest["queues"][0]
    assert (calls["office_id"], calls["queue_name"]) == (central["office_id"], central["queue_name"])
    assert (calls["kpi_id"], calls["touchpoint_id"], calls["condition"]) == (
        "call_abandon_rate",
        "call_centre_operator",
        {"hours_local": [8, 12]},
    )
    assert all(p["description_ru"] for p in points.values())


def _before_measure(region: Region) -> tuple[str, dt.date]:
    """The office of the planted improvement measure and its first day (long waits before it)."""
    fact = next(f for f in region.manifest["planted_facts"] if f["kind"] == "improvement_measure")
    return fact["office_id"], dt.date.fromisoformat(fact["start_date"])


def test_monday_queue_of_the_second_office_is_visible(noisy: Region) -> None:
    pain = next(p for p in noisy.manifest["planted_pain_points"] if p["source"] == "office_visits")
    measure_office, measure_start = _before_measure(noisy)
    waits = [
        (office, issued, minutes)
        for office, issued, minutes in _walkin_waits(noisy)
        if office != measure_office or issued.date() >= measure_start
    ]
    by: dict[tuple[bool, bool], list[float]] = defaultdict(list)
    for office, issued, minutes in waits:
        by[(office == pain["office_id"], issued.isoweekday() == 1)].append(minutes)
    monday_pain = sorted(by[(True, True)])
    assert _share([m <= 15 for m in monday_pain]) < 0.4
    assert monday_pain[len(monday_pain) // 2] >= 30  # median wait of a Monday walk-in
    assert _share([30 <= m <= 90 for m in monday_pain]) >= 0.35  # the bulk waits 30–90 min
    assert _share([m <= 15 for m in by[(True, False)]]) >= 0.9  # other days are normal
    assert _share([m <= 15 for m in by[(False, True)]]) >= 0.9  # other offices on Mondays
    period = [m <= 15 for office, _, m in waits if office == pain["office_id"]]
    assert _share(period) < 0.8
    for office in noisy.manifest["offices"]:
        if office != pain["office_id"]:
            assert _share([m <= 15 for o, _, m in waits if o == office]) >= 0.9, office


def test_morning_abandonment_of_the_central_queue_is_visible(noisy: Region) -> None:
    pain = next(p for p in noisy.manifest["planted_pain_points"] if p["source"] == "call_centre")
    first, last = pain["condition"]["hours_local"]
    groups: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
    for (_callid, queue), call in _calls(noisy).items():
        if call["outcome"] is None:  # no exit line (Asterisk restart noise)
            continue
        hour = dt.datetime.fromtimestamp(call["enter"], noisy.tz).hour
        groups[(queue, first <= hour < last)].append(call)

    def abandon(calls: list[dict[str, Any]]) -> float:
        return _share([c["outcome"] == "ABANDON" for c in calls])

    def service_level(calls: list[dict[str, Any]]) -> float:
        return _share([c["outcome"] == "answered" and c["hold"] <= 90 for c in calls])

    central = pain["queue_name"]
    assert 0.25 <= abandon(groups[(central, True)]) <= 0.5
    assert abandon(groups[(central, False)]) <= 0.1
    for queue in {q for q, _ in groups} - {central}:
        calls = groups[(queue, True)] + groups[(queue, False)]
        assert abandon(calls) <= 0.1, queue
        assert service_level(calls) >= 0.8, queue


# ------------------------------------------------------------------------------ noise


def test_every_noise_item_is_at_its_line(noisy: Region) -> None:
    """Queue_log and office files (the other sources: ``test_sources.py``)."""
    items = [n for n in noisy.manifest["noise"] if n["file"].startswith(("call_centre/", "office_visits/"))]
    kinds = Counter((n["kind"], n["expected"]) for n in items)
    assert set(kinds) == {
        ("duplicate_enterqueue", "duplicate"),
        ("no_exit", "loaded"),
        ("truncated_line", "rejected"),
        ("unknown_event", "rejected"),
        ("bad_timestamp", "rejected"),
        ("wrong_column_count", "rejected"),
    }
    all_log = [line for rel in noisy.files("call_centre/queue_log-") for line in _lines(noisy.root / rel)]
    for n in items:
        rel, number = n["file"], n["line_no"]
        if rel.startswith("office_visits/"):
            fields = dict(_office_rows(noisy, rel))[number]
            if n["kind"] == "bad_timestamp":
                assert len(fields) == len(HEADER)
                with pytest.raises(ValueError):
                    dt.datetime.strptime(fields[5], STAMP)
            else:
                assert len(fields) != len(HEADER)
            continue
        lines = _lines(noisy.root / rel)
        line = lines[number - 1]
        if n["kind"] == "duplicate_enterqueue":
            assert line == lines[number - 2] and line.split("|")[4] == "ENTERQUEUE"
        elif n["kind"] == "no_exit":
            fields = line.split("|")
            assert fields[4] == "ENTERQUEUE"
            key = f"|{fields[1]}|{fields[2]}|"
            assert sum(key in other for other in all_log) == 1
        elif n["kind"] == "truncated_line":
            assert number == len(lines) and not (noisy.root / rel).read_bytes().endswith(b"\n")
            assert len(line.split("|")) < 5
        else:
            assert n["kind"] == "unknown_event"
            assert line.split("|")[4] not in CALL_EVENTS | SYSTEM_EVENTS


def test_lines_without_noise_are_valid(noisy: Region, seeds: dict[str, list[dict[str, str]]]) -> None:
    noise = noisy.noise_at()
    rejected = {k for k, n in noise.items() if n["expected"] == "rejected"}
    queues = {q["queue_name"] for q in noisy.manifest["queues"]}
    for rel in noisy.files("call_centre/queue_log-"):
        epochs = []
        for number, line in enumerate(_lines(noisy.root / rel), start=1):
            if (rel, number) not in rejected:
                epochs.append(int(_check_queue_log_line(line, queues)[0]))
        assert epochs == sorted(epochs)
    services = {s["service_code"] for s in seeds["office_services"]}
    for rel in noisy.files("office_visits/"):
        for number, fields in _office_rows(noisy, rel):
            if (rel, number) not in rejected:
                _check_ticket(fields, rel.split("/")[1], _file_day(rel), services)


def test_noise_is_added_to_the_same_data(noisy: Region, clean: Region) -> None:
    noise = noisy.noise_at()
    assert [f["path"] for f in noisy.manifest["files"]] == [f["path"] for f in clean.manifest["files"]]
    for rel in clean.files("office_visits/"):
        encoding, _ = _office_encoding(clean, rel.split("/")[1])
        before, after = _lines(clean.root / rel, encoding), _lines(noisy.root / rel, encoding)
        assert len(before) == len(after)
        changed = {i for i, (a, b) in enumerate(zip(before, after, strict=True), start=1) if a != b}
        assert changed == {line for (f, line) in noise if f == rel}
    for rel in clean.files("call_centre/queue_log-"):
        original = set(_lines(clean.root / rel))
        for number, line in enumerate(_lines(noisy.root / rel), start=1):
            kind = noise.get((rel, number), {}).get("kind")
            if kind not in {"unknown_event", "truncated_line"}:
                assert line in original, (rel, number)


def test_without_noise_files_are_clean(clean: Region) -> None:
    assert clean.manifest["noise"] == []
    for rel in clean.files("call_centre/queue_log-"):
        lines = _lines(clean.root / rel)
        assert len(lines) == len(set(lines)), rel
    assert all(v["outcome"] is not None for v in _calls(clean).values())


# ------------------------------------------------------------------------------ determinism, CLI


def test_same_arguments_give_identical_files(noisy: Region, tmp_path: Path) -> None:
    again = _generate(tmp_path, noise=True)
    assert again.manifest == noisy.manifest
    assert (again.root / "manifest.json").read_bytes() == (noisy.root / "manifest.json").read_bytes()
    for entry in noisy.manifest["files"][:: max(1, len(noisy.manifest["files"]) // 10)]:
        assert (again.root / entry["path"]).read_bytes() == (noisy.root / entry["path"]).read_bytes()
    other = _generate(tmp_path / "other", seed=SEED + 1, days=2)
    assert other.manifest["files"][0]["sha256"] != noisy.manifest["files"][0]["sha256"]


def test_rerun_into_the_same_folder_replaces_the_previous_output(tmp_path: Path) -> None:
    _generate(tmp_path, days=3, offices=2)
    second = _generate(tmp_path, days=1, offices=2)
    on_disk = {p.relative_to(second.root).as_posix() for p in second.root.rglob("*") if p.is_file()}
    listed = {f["path"] for f in second.manifest["files"] + second.manifest["truth_files"]}
    assert on_disk == listed | {"manifest.json"}


def test_scale_multiplies_volume(tmp_path: Path) -> None:
    small = _generate(tmp_path / "s", days=5, offices=2, scale=0.5, noise=False).manifest["counts"]
    large = _generate(tmp_path / "l", days=5, offices=2, scale=2.0, noise=False).manifest["counts"]
    for key in ("calls", "tickets"):
        assert 3.2 < large[key] / small[key] < 4.8, key


CLI_TAIL = ("--days", "8", "--start", "2026-09-01", "--no-noise")


def test_command_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "include.generator", "--out", str(tmp_path), "--seed", "3", "--offices", "2", *CLI_TAIL],
        cwd=settings.PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.count("week ") == 2 and "events/s" in result.stdout
    manifest = json.loads((tmp_path / "enskaya" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["offices"] == ["ens-01", "ens-02"] and manifest["noise"] == []
    assert manifest["end_date"] == "2026-09-08"
