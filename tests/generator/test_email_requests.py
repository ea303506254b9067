"""The e-mail and web-form requests of a generated region: every line fits the published schema,
a request is received before it is answered and closed, answers come in the offices' working
hours, the subject and text name the topic the seed's keywords recognise, the other feeds are not
touched by this one (its own random stream), and the clients who write also call, chat or visit."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from typing import Any

import jsonschema

from include import settings
from include.generator.email_requests import SUBJECTS, TOPIC_OF_INTENT
from tests.generator.regions import Region, file_day, json_records, seed_rows

SCHEMA = json.loads(
    (settings.PROJECT_ROOT / "include" / "schemas" / "email_request_event.schema.json").read_text(encoding="utf-8")
)


def _classify(text: str) -> str:
    """The topic the dbt model gives (first matching keywords in sort_order), in Python."""
    topics = sorted(seed_rows("email_request_topics"), key=lambda row: int(row["sort_order"]))
    return next((t["topic_code"] for t in topics if re.search(t["keywords_ru"], text.lower())), "other")


def _requests(region: Region) -> dict[str, list[tuple[dt.date, dict[str, Any]]]]:
    requests: dict[str, list[tuple[dt.date, dict[str, Any]]]] = defaultdict(list)
    validator = jsonschema.Draft202012Validator(SCHEMA)
    for rel, _, event in json_records(region, "email_requests/"):
        assert not list(validator.iter_errors(event)), event
        stamp = dt.datetime.fromisoformat(event["ts"])
        assert stamp.astimezone(region.tz).date() == file_day(rel)
        requests[event["request_id"]].append((stamp.date(), event))
    return requests


def test_requests_fit_the_schema_and_their_order(noisy: Region) -> None:
    requests = _requests(noisy)
    assert len(requests) > 30  # two weeks of three offices
    states: Counter[str] = Counter()
    for events in requests.values():
        kinds = [event["event"] for _, event in events]
        assert kinds in (["received"], ["received", "answered"], ["received", "answered", "closed"],
                         ["received", "closed"], ["answered"], ["answered", "closed"], ["closed"]), kinds  # fmt: skip
        times = [dt.datetime.fromisoformat(event["ts"]) for _, event in events]
        assert times == sorted(times)
        for _, event in events:
            if event["event"] == "answered":
                local = dt.datetime.fromisoformat(event["ts"]).astimezone(noisy.tz)
                assert local.isoweekday() <= 5 and 9 <= local.hour < 18, event["ts"]
        states["/".join(kinds)] += 1
    assert states["received/answered/closed"] > states["received/closed"] > 0


def test_the_text_names_the_topic_the_seed_recognises(noisy: Region) -> None:
    topics: Counter[str] = Counter()
    for events in _requests(noisy).values():
        for _, event in events:
            if event["event"] == "received":
                topic = _classify(f"{event['subject']} {event['body']}")
                assert topic != "other" and event["subject"] in SUBJECTS[topic], event
                topics[topic] += 1
    assert {"registration", "vacancies", "employer"} <= set(topics) and len(topics) >= 5, topics
    assert set(TOPIC_OF_INTENT.values()) <= set(SUBJECTS)


def test_writers_are_clients_with_an_address_who_also_use_other_channels(noisy: Region) -> None:
    truth = noisy.truth
    region_id = noisy.manifest["region_id"]
    writers = {truth[("email_requests", f"{region_id}/{key}")][0] for key, events in _requests(noisy).items()
               if events[0][1]["event"] == "received"}  # fmt: skip
    assert writers and all(writer in noisy.clients and noisy.clients[writer]["email"] for writer in writers)
    other = Counter(
        source for (source, _), (client, _) in truth.items() if client in writers and source != "email_requests"
    )
    assert other["call_centre"] + other["office_visits"] + other["chatbot"] > len(writers)
    channels = Counter(event["channel"] for events in _requests(noisy).values() for _, event in events
                       if event["event"] == "received")  # fmt: skip
    assert channels["email"] > 0 and channels["web_form"] > channels["email"]


def test_complaints_are_written_and_shown_on_the_complaint_journey(noisy: Region) -> None:
    """A complainant with an address often writes first: the letters the seed classifies as
    complaints exist and the truth places each on the complaint journey's registration stage —
    the stage the complaint map's e-mail touchpoint shows (seed event_stage_map)."""
    region_id = noisy.manifest["region_id"]
    complaints = {f"{region_id}/{key}" for key, events in _requests(noisy).items() for _, event in events
                  if event["event"] == "received" and _classify(f"{event['subject']} {event['body']}") == "complaint"}  # fmt: skip
    assert complaints  # two weeks of three offices: one or a few
    stages = {(row["event_key"], row["journey"], row["stage"]) for row in noisy.journey_events
              if row["source"] == "email_requests" and row["event_key"] in complaints}  # fmt: skip
    assert {key for key, _, _ in stages} == complaints
    assert {(journey, stage) for _, journey, stage in stages} == {("complaint", "registration")}
    rule = [
        r
        for r in seed_rows("event_stage_map")
        if r["source"] == "email_requests" and r["attribute_pattern"] == "complaint:%"
    ]
    assert [(r["journey_id"], r["stage_id"]) for r in rule] == [("complaint", "registration")]
