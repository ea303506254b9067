"""One population behind every source: the truth files, identifiers across sources, journeys and
the planted facts, checked against what the data files show.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from statistics import mean
from typing import Any

from include import settings
from include.generator.chatbot import TEXTS
from include.generator.email_requests import event_key as email_event_key
from include.generator.journeys import LENSES, MAX_JOURNEYS, STAGES
from include.pseudonymise import normalise_email, normalise_phone, normalise_snils
from tests.generator.regions import (
    Region,
    csv_records,
    encoding_of,
    file_day,
    json_records,
    lines_of,
)

BG = re.compile(r"^bg\d{8}$")
SOURCE_OF = {
    "website/hits-": ("website_hits", "ym:pv:watchID"),
    "website/visits-": ("website_visits", "ym:s:visitID"),
    "website/portal_events-": ("portal", "event_id"),
    "chatbot/": ("chatbot", "session_id"),
    "cases/": ("cases", "event_id"),
    "surveys/": ("surveys", "response_id"),
}


def _phone(value: str | None) -> str | None:
    return normalise_phone(value) if value and value != "anonymous" else None


def _events(region: Region) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(source, event key, file day, record) of every loaded event of every data file (read once)."""
    if "events" not in region.cache:
        region.cache["events"] = list(_read_events(region))
    events: list[tuple[str, str, str, dict[str, Any]]] = region.cache["events"]
    return events


def _read_events(region: Region) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    skipped = region.skipped()
    for rel in region.files("call_centre/queue_log-"):
        for number, line in enumerate(lines_of(region.root / rel), start=1):
            fields = line.split("|")
            if (rel, number) not in skipped and len(fields) > 6 and fields[4] == "ENTERQUEUE":
                yield "call_centre", fields[1], rel[-8:], {"caller": fields[6], "queue": fields[2]}
    for rel in region.files("office_visits/"):
        encoding, sep = encoding_of(region, rel)
        lines = lines_of(region.root / rel, encoding)
        for number, line in enumerate(lines[1:], start=2):
            fields = next(csv.reader([line], delimiter=sep))
            day = file_day(rel)
            if (rel, number) not in skipped:
                record = {"phone": fields[-1], "office_id": fields[1], "ticket_id": fields[0], "day": day.isoformat()}
                yield "office_visits", f"{fields[1]}/{day.isoformat()}/{fields[0]}", f"{day:%Y%m%d}", record
    for prefix, (source, key) in SOURCE_OF.items():
        reader = csv_records if prefix.startswith(("website/hits", "website/visits", "surveys")) else json_records
        for rel, _, record in reader(region, prefix):
            yield source, str(record[key]), f"{file_day(rel):%Y%m%d}", record
    # a request is keyed by its number when received, its answer by the answer's event id; the
    # closure is no event of its own
    for rel, _, record in json_records(region, "email_requests/"):
        if record["event"] != "closed":
            key = email_event_key(region.manifest["region_id"], record)
            yield "email_requests", key, f"{file_day(rel):%Y%m%d}", record


def test_population_identifiers(long: Region) -> None:
    clients = long.clients
    m = long.manifest
    assert len(clients) == m["population"]["clients"] == 600 * 4
    citizens = [c for c in clients.values() if c["kind"] == "citizen"]
    employers = [c for c in clients.values() if c["kind"] == "employer"]
    assert all(re.match(r"^c\d{6}$", c["client_id"]) for c in citizens)
    assert all(re.match(r"^e\d{6}$", c["client_id"]) for c in employers)
    assert 0.05 < len(employers) / len(clients) < 0.15

    def share(rows: list[dict[str, str]], key: str) -> float:
        return sum(bool(r[key]) for r in rows) / len(rows)

    assert 0.85 < share(citizens, "phone") < 0.97
    assert 0.65 < share(citizens, "esia_id") < 0.82 and 0.4 < share(citizens, "email") < 0.6
    assert share(citizens, "snils") == 1.0 and len({c["snils"] for c in citizens}) == len(citizens)
    for c in citizens:
        body, check = c["snils"][:9], int(c["snils"][9:])
        total = sum(int(d) * (9 - i) for i, d in enumerate(body))
        assert check == (total if total < 100 else 0 if total in (100, 101) else total % 101 % 100)
    assert all(len(c["inn"]) == (12 if c["is_entrepreneur"] == "1" else 10) for c in employers)
    assert 0 < sum(c["is_entrepreneur"] == "1" for c in employers) < 0.25 * len(employers)
    groups = Counter(c["client_group"] for c in citizens)
    assert groups.most_common(1)[0][0] == "unemployed" and len(groups) == 10
    kinds = Counter(c["phone_kind"] for c in clients.values())
    assert kinds["family"] > 10 and kinds["social_worker"] >= 6 and kinds["landline"] >= 6
    assert len(m["shared_phones"]) == 2 and all(s["clients"] >= 6 for s in m["shared_phones"])
    assert all(len(c["metrica_client_ids"].split("|")) in (1, 2) for c in clients.values())


def test_truth_covers_every_event_and_nothing_else(noisy: Region) -> None:
    truth = noisy.truth
    clients = noisy.clients
    seen: set[tuple[str, str]] = set()
    for source, key, day, _ in _events(noisy):
        assert (source, key) in truth, (source, key)
        client, truth_day = truth[(source, key)]
        if source != "chatbot" or (source, key) not in seen:
            assert truth_day == day, (source, key)
        seen.add((source, key))
        assert client == "" or client in clients or BG.match(client), client
    # the only events in the truth but not loaded: office rows the noise spoiled (rejected)
    office_noise = [n for n in noisy.manifest["noise"] if n["file"].startswith("office_visits/")]
    spoiled = {(n["file"].split("/")[1], file_day(n["file"]).isoformat()) for n in office_noise}
    extra = set(truth) - seen
    assert all(s == "office_visits" and (k.split("/")[0], k.split("/")[1]) in spoiled for s, k in extra), extra
    assert len(extra) == len(office_noise)
    by_source = Counter((s, "client" if c in clients else "bg" if c else "") for (s, _), (c, _) in truth.items())
    for source in (
        "call_centre",
        "office_visits",
        "website_hits",
        "portal",
        "chatbot",
        "cases",
        "surveys",
        "email_requests",
    ):
        assert by_source[(source, "client")] > 0, source
    assert by_source[("portal", "bg")] == by_source[("portal", "")] == 0  # only clients log in
    assert by_source[("cases", "bg")] == by_source[("cases", "")] == 0
    assert by_source[("call_centre", "")] == 0  # every caller is somebody
    assert by_source[("call_centre", "bg")] > by_source[("call_centre", "client")]  # background keeps the volume


def _identifiers(row: dict[str, str]) -> dict[str, set[str]]:
    return {
        "phone": {row["phone"]} if row["phone"] else set(),
        "snils": {row["snils"]},
        "esia": {row["esia_id"]},
        "email": {row["email"].lower()},
        "cookie": set(row["metrica_client_ids"].split("|")),
        "messenger": {row["messenger_id"]},
        "inn": {row["inn"]},
        "ogrn": {row["ogrn"]},
    }


def _claims(source: str, record: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(identifier kind, normalised value) an event carries."""
    fields = {"phone": "phone", "snils": "snils", "esia_id": "esia", "email": "email", "inn": "inn", "ogrn": "ogrn",
              "user_id": "messenger", "metrica_client_id": "cookie"}  # fmt: skip
    for name, kind in fields.items():
        value = record.get(name)
        if not value:
            continue
        if kind == "phone":
            yield kind, _phone(value) or ""
        elif kind == "snils":
            yield kind, normalise_snils(value) or ""
        elif kind == "email":
            yield kind, normalise_email(value) or ""
        else:
            yield kind, str(value)
    if source == "call_centre" and _phone(record["caller"]):
        yield "phone", _phone(record["caller"]) or ""
    if source in ("website_hits", "website_visits"):
        yield "cookie", record.get("ym:pv:clientID") or record["ym:s:clientID"]
    text = record.get("comment") or record.get("text") or ""
    for match in re.finditer(r"(?:\+7|8)[\s(-]*\d{3}[\s)-]*\d{3}[\s-]*\d{2}[\s-]*\d{2}", text):
        yield "phone", _phone(match.group(0)) or ""
    for match in re.finditer(r"\d{3}-?\d{3}-?\d{3}[ -]?\d{2}(?!\d)", text):
        if "снилс" in text.lower():
            yield "snils", normalise_snils(match.group(0)) or ""
    for match in re.finditer(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", text):
        yield "email", match.group(0).lower()


def test_identifiers_of_a_client_agree_across_sources(noisy: Region) -> None:
    truth, clients = noisy.truth, noisy.clients
    known = {cid: _identifiers(row) for cid, row in clients.items()}
    background_phones: dict[str, set[str]] = defaultdict(set)
    carried: Counter[tuple[str, str]] = Counter()
    cases, tickets = {}, {}
    for source, key, _, record in _events(noisy):
        client = truth[(source, key)][0]
        if source == "cases":
            cases[record["case_id"]] = client
        if source == "office_visits":
            tickets[(record["office_id"], record["day"], record["ticket_id"])] = client
        for kind, value in _claims(source, record):
            if client in known:
                assert value in known[client][kind], (source, key, client, kind, value)
                carried[(source, kind)] += 1
            elif client and kind == "phone":
                background_phones[client].add(value)
    assert all(len(numbers) == 1 for numbers in background_phones.values())  # one pool number per person
    expected = {("call_centre", "phone"), ("office_visits", "phone"), ("website_hits", "cookie"), ("portal", "esia"),
                ("portal", "cookie"), ("portal", "snils"), ("portal", "email"), ("portal", "inn"),
                ("chatbot", "messenger"), ("chatbot", "phone"), ("cases", "snils"), ("cases", "inn"),
                ("cases", "phone"), ("surveys", "phone"), ("surveys", "esia"), ("email_requests", "email"),
                ("email_requests", "phone"), ("email_requests", "snils")}  # fmt: skip
    assert expected <= set(carried), expected - set(carried)
    for _, _, row in csv_records(noisy, "surveys/"):  # references point at the respondent's own events
        client = truth[("surveys", row["response_id"])][0]
        if client in clients and row["case_id"]:
            assert cases[row["case_id"]] == client
        if client and row["ticket_id"]:
            day = dt.datetime.strptime(row["responded_at"], "%Y-%m-%d %H:%M:%S").date().isoformat()
            assert tickets[(row["office_id"], day, row["ticket_id"])] == client


def test_not_every_event_is_identifiable(long: Region) -> None:
    callers = [r["caller"] for s, _, _, r in _events(long) if s == "call_centre"]
    assert 0.02 < sum(c == "anonymous" for c in callers) / len(callers) < 0.09
    chats = [e for _, _, e in json_records(long, "chatbot/") if e["event"] == "chat_started"]
    assert 0.3 < sum("user_id" not in e and "phone" not in e for e in chats) / len(chats) < 0.9
    walk_ins = [r for s, _, _, r in _events(long) if s == "office_visits" and r["ticket_id"].startswith("А")]
    assert not any(r["phone"] for r in walk_ins)
    portal_cookies = {e["metrica_client_id"] for _, _, e in json_records(long, "website/portal_events-")
                      if "metrica_client_id" in e}  # fmt: skip
    hit_cookies = [r["ym:pv:clientID"] for _, _, r in csv_records(long, "website/hits-")]
    assert 0.1 < sum(c in portal_cookies for c in hit_cookies) / len(hit_cookies) < 0.7


def test_shared_phones_are_used_by_many_clients(long: Region) -> None:
    truth = long.truth
    users: dict[str, set[str]] = defaultdict(set)
    for source, key, _, record in _events(long):
        client = truth[(source, key)][0]
        for kind, value in _claims(source, record):
            if kind == "phone" and client in long.clients:
                users[value].add(client)
    for shared in long.manifest["shared_phones"]:
        assert len(users[shared["phone"]]) >= 4, shared["kind"]
        assert users[shared["phone"]] <= set(shared["client_ids"])


# ------------------------------------------------------------------------------ journeys


def test_journeys_truth_is_consistent(long: Region) -> None:
    runs = long.journeys
    assert runs and all(r["client_id"] in long.clients for r in runs)
    assert max(Counter(r["client_id"] for r in runs).values()) <= MAX_JOURNEYS
    assert {r["journey"] for r in runs} == set(STAGES)  # every service journey is simulated
    for r in runs:
        order = STAGES[r["journey"]]
        reached = [s.split("@") for s in r["stages"].split("|")] if r["stages"] else []
        assert all(stage in order for stage, _ in reached), r
        assert [d for _, d in reached] == sorted(d for _, d in reached)
        assert r["started_on"] <= (reached[0][1] if reached else r["started_on"])
        assert r["last_stage_reached"] == max((s for s, _ in reached), key=order.index, default="")
        assert r["outcome"] in {"completed", "dropped", "ongoing"}
    outcomes = Counter((r["journey"], r["outcome"]) for r in runs)
    for journey in ("unemployment_registration", "job_search", "career_guidance_youth", "vacancy_posting"):
        assert outcomes[(journey, "completed")] > 0 and outcomes[(journey, "dropped")] > 0, journey
    # training lasts months: in a short region it is enough that some runs start the training
    assert outcomes[("training", "dropped")] > 0
    assert any(
        r["journey"] == "training" and r["last_stage_reached"] in {"training_start", "training_end", "exit"}
        for r in runs
    )
    # real exports start in the middle of cases: some runs began before the period
    assert 0.03 < sum(r["started_before_period"] == "1" for r in runs) / len(runs) < 0.2


def test_every_journey_and_lens_is_tagged_on_the_events(long: Region) -> None:
    """The truth names, per event, the run and stage it shows: every service journey, every lens
    and the information requests, at stages of the journey's seed only."""
    rows = long.journey_events
    by_journey = Counter(r["journey"] for r in rows)
    for journey in (*STAGES, *LENSES, "information_request"):
        assert by_journey[journey] > 0, journey
    seed_stages = defaultdict(set)
    with (settings.SEEDS_DIR / "journey_stages.csv").open(encoding="utf-8", newline="") as handle:
        for stage in csv.DictReader(handle):
            seed_stages[stage["journey_id"]].add(stage["stage_id"])
    assert all(r["stage"] in seed_stages[r["journey"]] for r in rows)
    events = {(source, key) for source, key, _, _ in _events(long)}
    assert all((r["source"], r["event_key"]) in events for r in rows if r["source"] != "website_visits")
    # a lens run belongs to a client of the lens's group
    for r in rows:
        lens = LENSES.get(r["journey"])
        if lens is not None and lens.groups is not None:
            client = r["journey_run_id"][1:].split(":")[0]
            assert long.clients[client]["client_group"] in lens.groups, r


def test_background_callers_ask_general_questions(long: Region) -> None:
    """Questions about a service come from the modelled clients whose runs the truth follows;
    people outside them ask general questions (an information request each)."""
    truth = long.truth
    topics: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for _, _, row in csv_records(long, "call_centre/call_topics-"):
        client = truth.get(("call_centre", row["call_id"]), ("",))[0]
        topics[client.startswith("bg")][row["topic_code"]] += 1
    assert set(topics[True]) <= {"documents", "appointment", "other"}
    assert {"registration", "vacancies", "complaint"} <= set(topics[False])


def test_journey_runs_match_the_events(long: Region) -> None:
    truth = long.truth
    submitted = {e["application_id"]: (truth[("portal", e["event_id"])][0], e["application_type"])
                 for _, _, e in json_records(long, "website/portal_events-")
                 if e["event_type"] == "application_submitted"}  # fmt: skip
    case_clients: dict[str, set[str]] = defaultdict(set)
    for _, _, e in json_records(long, "cases/"):
        case_clients[e["case_id"]].add(truth[("cases", e["event_id"])][0])
    for r in long.journeys:
        if r["application_id"] and r["application_id"] in submitted:
            assert submitted[r["application_id"]][0] == r["client_id"]
        if r["case_id"]:
            assert case_clients[r["case_id"]] == {r["client_id"]}
    assert all(len(c) == 1 for c in case_clients.values())


def test_repeat_contacts_and_channel_switching(long: Region) -> None:
    truth, clients = long.truth, long.clients
    channels: dict[str, set[str]] = defaultdict(set)
    calls: Counter[str] = Counter()
    for (source, _), (client, _) in truth.items():
        if client in clients and source in ("call_centre", "chatbot", "website_visits", "office_visits"):
            channels[client].add(source)
            calls[client] += source == "call_centre"
    assert sum(len(c) >= 2 for c in channels.values()) > 0.3 * len(channels)
    assert sum(n >= 2 for n in calls.values()) > 30

    def digital_share(groups: set[str]) -> float:
        per = Counter()
        for (source, _), (client, _) in truth.items():
            contact = source in ("chatbot", "website_visits", "call_centre", "office_visits")
            if contact and client in clients and clients[client]["client_group"] in groups:
                per[source in ("chatbot", "website_visits")] += 1
        return per[True] / (per[True] + per[False])

    assert digital_share({"youth", "minor"}) > digital_share({"pre_retirement"}) + 0.1


# ------------------------------------------------------------------------------ planted facts


def test_planted_facts_are_recorded(noisy: Region) -> None:
    facts = {f["id"]: f for f in noisy.manifest["planted_facts"]}
    assert set(facts) == {
        "chatbot_training_fallback", "needs_documents_dropoff", "extra_windows_measure", "disabled_outreach_no_response",
        "self_employment_grant_refusals", "employer_support_refusals", "documents_questions_unanswered",
        "complaints_answered_late",
    }  # fmt: skip
    measure = facts["extra_windows_measure"]
    assert measure["kind"] == "improvement_measure" and measure["office_id"] == noisy.manifest["offices"][2]
    assert (measure["touchpoint_id"], measure["kpi_id"]) == ("office_queue", "office_wait_walkin")
    start = dt.date.fromisoformat(measure["start_date"])
    first = dt.date.fromisoformat(noisy.manifest["start_date"])
    assert start == first + dt.timedelta(days=int(14 * 0.4))
    assert facts["chatbot_training_fallback"]["intent"] == "training_programs"
    assert facts["needs_documents_dropoff"]["journey"] == "unemployment_registration"
    assert all(f["description_ru"] and f["expected"] for f in facts.values())
    assert len(noisy.manifest["planted_pain_points"]) == 2


def test_training_questions_always_fall_back(long: Region) -> None:
    sessions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for _, _, e in json_records(long, "chatbot/"):
        sessions[e["session_id"]].append(e)
    outcome: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    training = set(TEXTS["training_programs"])
    for events in sessions.values():
        events.sort(key=lambda e: e["seq"])
        for message, answer in itertools.pairwise(events):
            if message["event"] == "message":
                outcome[message["text"] in training][answer["event"]] += 1
    assert outcome[True]["fallback"] > 30 and outcome[True]["intent_recognised"] == 0
    other = outcome[False]
    assert other["fallback"] / (other["fallback"] + other["intent_recognised"]) < 0.25
    recognised = {e.get("intent") for events in sessions.values() for e in events}
    assert "training_programs" not in recognised


def test_needs_documents_is_the_stage_with_heavy_drop_off(long: Region) -> None:
    end = dt.date.fromisoformat(long.manifest["end_date"])
    statuses: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
    kind: dict[str, str] = {}
    for _, _, e in json_records(long, "website/portal_events-"):
        if e["event_type"].startswith("application"):
            statuses[e["application_id"]].append((dt.datetime.fromisoformat(e["occurred_at"]), e["status"]))
            kind[e["application_id"]] = e["application_type"]
    opened = {e["application_id"] for _, _, e in json_records(long, "cases/") if e.get("application_id")}
    back, accepted_first = [], []
    for app, changes in statuses.items():
        if kind[app] != "unemployment_registration":
            continue
        changes.sort()
        names = [s for _, s in changes]
        if "needs_documents" in names:
            when = changes[names.index("needs_documents")][0].date()
            if when <= end - dt.timedelta(days=6):
                back.append("accepted" in names[names.index("needs_documents") :])
        elif "accepted" in names and changes[names.index("accepted")][0].date() <= end - dt.timedelta(days=14):
            accepted_first.append(app in opened)
    assert len(back) > 25
    assert 0.2 < sum(back) / len(back) < 0.6  # planted: 40 % come back, 60 % drop off
    # the next stage keeps most clients (a small sample: most applications are sent back first)
    assert len(accepted_first) >= 10 and sum(accepted_first) / len(accepted_first) > 0.65


def _walk_in_waits(region: Region) -> Iterator[tuple[str, dt.date, float]]:
    for rel in region.files("office_visits/"):
        encoding, sep = encoding_of(region, rel)
        for line in lines_of(region.root / rel, encoding)[1:]:
            f = next(csv.reader([line], delimiter=sep))
            if f[3] == "0" and f[6]:
                issued, called = dt.datetime.fromisoformat(f[5]), dt.datetime.fromisoformat(f[6])
                yield f[1], issued.date(), (called - issued).total_seconds() / 60


def test_improvement_measure_shortens_waits_only_at_its_office(long: Region) -> None:
    fact = next(f for f in long.manifest["planted_facts"] if f["kind"] == "improvement_measure")
    start = dt.date.fromisoformat(fact["start_date"])
    waits: dict[tuple[str, bool], list[float]] = defaultdict(list)
    for office, day, minutes in _walk_in_waits(long):
        if day.isoweekday() != 1:  # Mondays carry the other pain point
            waits[(office, day >= start)].append(minutes)
    office = fact["office_id"]
    change = {o: mean(waits[(o, True)]) - mean(waits[(o, False)]) for o in long.manifest["offices"]}
    assert change[office] < -4
    for other in fact["comparison_offices"]:
        assert abs(change[other]) < 1.0, other
        assert change[office] - change[other] < -4  # difference in differences
    after = waits[(office, True)]
    assert sum(m <= 15 for m in after) / len(after) > 0.9


def test_scores_follow_the_experience(long: Region) -> None:
    waits = {}
    for rel in long.files("office_visits/"):
        encoding, sep = encoding_of(long, rel)
        for line in lines_of(long.root / rel, encoding)[1:]:
            f = next(csv.reader([line], delimiter=sep))
            if f[6]:
                wait = (dt.datetime.fromisoformat(f[6]) - dt.datetime.fromisoformat(f[5])).total_seconds() / 60
                waits[(f[1], f[5][:10], f[0])] = wait
    scores: dict[bool, list[int]] = {True: [], False: []}
    for _, _, row in csv_records(long, "surveys/"):
        key = (row["office_id"], row["responded_at"][:10], row["ticket_id"])
        if row["ticket_id"] and row["csat"] and key in waits:
            scores[waits[key] > 30].append(int(row["csat"]))
    assert len(scores[True]) > 10 and len(scores[False]) > 50
    assert mean(scores[True]) < mean(scores[False]) - 0.8


def test_manifest_lists_the_truth_files(noisy: Region) -> None:
    paths = [f["path"] for f in noisy.manifest["truth_files"]]
    assert "truth/clients.csv" in paths and "truth/journeys.csv" in paths
    days = sorted(p for p in paths if p.startswith("truth/events-"))
    assert len(days) == 14
    conventions = noisy.manifest["truth_conventions"]
    assert set(conventions) == {"c000123 / e000045", "bg<area><index>", ""}
    json.dumps(noisy.manifest)  # serialisable as written
