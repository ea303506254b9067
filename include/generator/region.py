"""Orchestration: one population, day by day through every source, then the manifest and the truth.

For each region-local day: (A) the journey engine runs the clients' steps due that day (site,
chat, portal and case events are written at once; calls and office visits are requested);
background site and chat traffic is added; (B) every office and the call centre are simulated
with the clients' requests in place of part of the background traffic; (C) the outcomes go back
to the journeys, background callers and visitors answer surveys; then the day's files are
written. The call centre's files and the day's truth file follow one day later (see
``callday``). The population and the pending journey steps are the only state that grows with
the region (O(clients)); events are streamed. Every random stream is seeded from
``(seed, stream, entity, day)``, so the same arguments always give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path
from typing import Any

from include.generator import background as bgt
from include.generator import feednoise as fn
from include.generator import noise as nz
from include.generator.callday import CallCentre
from include.generator.cases import Cases
from include.generator.chatbot import Chatbot
from include.generator.email_requests import EmailDesk
from include.generator.engine import DayContext, Engine, TicketOutcome, Writers, info_tags
from include.generator.facts import MEASURE_OFFICE_INDEX, measure_servers, measure_start, pain_points, planted_facts
from include.generator.feeds import Clock, Truth
from include.generator.journeys import (
    CITIZEN_SERVICES,
    JOURNEY_EVENTS_HEADER,
    JOURNEYS_HEADER,
    LENSES,
    STAGES,
    JourneyRun,
    lens_run_id,
    plan_journeys,
)
from include.generator.office import HEADER, servers_for, simulate_office_day
from include.generator.output import Output, csv_text
from include.generator.phones import pool_size
from include.generator.population import Client, SharedPhone, build_population
from include.generator.schedule import office_hours, period_days, queue_hours
from include.generator.seeds import Office, RegionSpec, load_region
from include.generator.steps import STAFF_STEPS, STEPS
from include.generator.streams import (
    P_CHAT,
    P_ENGINE,
    P_FEED_NOISE,
    P_FEED_PLAN,
    P_JOURNEYS,
    P_POPULATION,
    P_SURVEYS,
    P_WEB,
    S_OFFICE,
    S_OFFICE_NOISE,
    S_PLAN,
    np_rng,
    py_rng,
)
from include.generator.surveys import HEADER as SURVEY_HEADER
from include.generator.surveys import Surveys
from include.generator.website import HITS_HEADER, VISITS_HEADER, Website

VERSION = 2
CP1251_OFFICE_INDEX = 2
FEED_HEADERS = {
    "hits": "\t".join(HITS_HEADER),
    "visits": "\t".join(VISITS_HEADER),
    "portal": None,
    "chatbot": None,
    "cases": None,
    "surveys": ",".join(SURVEY_HEADER),
    "email_requests": None,
}
FEED_COUNTS = {
    "hits": "hits", "visits": "visits", "portal": "portal_events", "chatbot": "chatbot_events",
    "cases": "case_events", "surveys": "survey_responses", "email_requests": "email_request_events",
}  # fmt: skip
CLIENTS_HEADER = [
    "client_id", "kind", "client_group", "home_office_id", "has_phone", "phone_kind", "phone", "snils", "has_esia",
    "esia_id", "email", "metrica_client_ids", "messenger_id", "chat_channel", "inn", "ogrn", "is_entrepreneur",
]  # fmt: skip
TRUTH_CONVENTIONS = {
    "c000123 / e000045": "a modelled client (citizen / employer) of truth/clients.csv",
    "bg<area><index>": "a background person outside the modelled journeys, known by the phone pool of office area "
    "<area> (calls, pre-booked tickets, their surveys)",
    "": "an anonymous background visitor outside the modelled journeys (walk-in ticket, site visit, chat)",
}


class RegionGenerator:
    """Writes one synthetic region; ``run()`` returns the manifest."""

    def __init__(
        self,
        spec: RegionSpec,
        out_dir: Path,
        *,
        seed: int,
        scale: float,
        noise: bool,
        days: list[dt.date],
        progress: Callable[[str], None] | None,
    ) -> None:
        self.spec, self.seed, self.scale, self.noise, self.days = spec, seed, scale, noise, days
        self.progress = progress
        self.out = Output(out_dir / spec.region_id)
        self.pool = pool_size(scale)
        self.truth = Truth()
        # modelled clients known to have been at an office desk: a booking with their phone here, a
        # case event naming the visit's ticket in ``engine.desk_visitors``
        self.office_visitors: set[str] = set()
        self.counts = dict.fromkeys(("tickets", *FEED_COUNTS.values()), 0)
        self.noise_plan = self._noise_plan() if noise else nz.NoisePlan()
        self.feed_noise = fn.FeedNoise.make(py_rng(seed, P_FEED_PLAN), days, seed) if noise else None
        self.calls = CallCentre(spec, self.out, self.truth, seed=seed, scale=scale, pool=self.pool, noise=noise,
                                plan=self.noise_plan)  # fmt: skip
        self.clients, self.shared = build_population(py_rng(seed, P_POPULATION), spec, scale, seed, self.pool, days[0])
        self.writers = Writers(
            spec,
            Website(spec.region_id, seed, self.truth),
            Chatbot(seed, self.truth),
            Cases(seed, tuple(o.office_id for o in spec.offices), self.truth),
            Surveys(seed, self.truth),
            EmailDesk(seed, self.truth, spec.region_id, tuple(o.office_id for o in spec.offices), days[-1]),
        )
        runs = plan_journeys(py_rng(seed, P_JOURNEYS), self.clients, days)
        self.engine = Engine(self.writers, STEPS, runs, days[-1], STAFF_STEPS)
        measure_office = (
            spec.offices[MEASURE_OFFICE_INDEX].office_id if len(spec.offices) > MEASURE_OFFICE_INDEX else None
        )
        self.measure_start = measure_start(days, measure_office)

    def _noise_plan(self) -> nz.NoisePlan:
        call_days = [d.isoformat() for d in self.days if any(queue_hours(d, q.is_central) for q in self.spec.queues)]
        office_days = [
            (o.office_id, d.isoformat())
            for d in self.days
            for o in self.spec.offices
            if office_hours(d, o.index == 0) is not None
        ]
        return nz.make_plan(np_rng(self.seed, S_PLAN, 0), call_days, office_days)

    # --------------------------------------------------------------- offices

    def _office_day(self, office: Office, day: dt.date, ctx: DayContext, survey_rng: random.Random) -> None:
        if office_hours(day, office.index == 0) is None:
            return
        requests = [(k, r) for k, r in enumerate(ctx.visits) if r.office == office.index]
        pain = office.index == 1 and day.isoweekday() == 1
        servers = measure_servers(office, day, self.measure_start, servers_for(office, day, self.scale, pain))
        result = simulate_office_day(
            np_rng(self.seed, S_OFFICE, office.index, day), office, day, scale=self.scale, pain=pain,
            services=self.spec.services, pool=self.pool, seed=self.seed, visits=[r.visit for _, r in requests],
            servers=servers,
        )  # fmt: skip
        rows = result.rows
        base = ctx.clock.midnight
        for row, person, times in zip(rows, result.people, result.times, strict=True):
            # a known background visitor (pre-booked with a phone) came with a general question
            tags = info_tags(person, row[10] == "served") if person.startswith("bg") and row[11] else ()
            key = f"{office.office_id}/{day.isoformat()}/{row[0]}"
            self.truth.add(ctx.clock.ordinal, "office_visits", key, person, tags)
            if person[:1] in ("c", "e") and row[11]:  # a booking with the client's phone
                self.office_visitors.add(person)
            if person[:1] in ("c", "e") or times[2] < 0:
                continue
            wait = (times[1] - times[0]) / 60
            bgt.office_survey(survey_rng, ctx.clock, self.writers.surveys, person, row[11], (row[0], office.office_id),
                              wait, base + times[3])  # fmt: skip
        outcomes = {}
        for (number, _), row_index in zip(requests, result.visit_rows, strict=True):
            issued, called, started, ended = (base + t if t >= 0 else -1 for t in result.times[row_index])
            outcome = rows[row_index][10]
            outcomes[number] = TicketOutcome(rows[row_index][0], office.index, issued, called, started, ended, outcome)
        ctx.resolve_visits(outcomes)
        rel = f"office_visits/{office.office_id}/eq_{office.office_id}_{day:%Y%m%d}.csv"
        kinds = self.noise_plan.office.get((office.office_id, day.isoformat()))
        if kinds:
            rows, items = nz.office_rows(rows, kinds, np_rng(self.seed, S_OFFICE_NOISE, office.index, day), rel)
            self.out.noise_items.extend(items)
        cp1251 = office.index == CP1251_OFFICE_INDEX
        text = csv_text([HEADER, *rows], ";" if cp1251 else ",")
        self.out.write_text(rel, text, "cp1251" if cp1251 else "utf-8")
        self.counts["tickets"] += len(rows)

    # ------------------------------------------------------------------- run

    def _day(self, day: dt.date) -> None:
        clock = Clock.of(day, self.spec.timezone)
        ctx = self.engine.run_day(clock, py_rng(self.seed, P_ENGINE, "", day))
        offices = len(self.spec.offices)
        bgt.web_day(py_rng(self.seed, P_WEB, "", day), clock, self.writers.website, offices, self.scale)
        bgt.chat_day(py_rng(self.seed, P_CHAT, "", day), clock, self.writers.chatbot, offices, self.scale)
        survey_rng = py_rng(self.seed, P_SURVEYS, "", day)
        for office in self.spec.offices:
            self._office_day(office, day, ctx, survey_rng)
        outcomes, finished = self.calls.day(day, ctx.calls)
        for _callid, caller, person, answered, wait, end in finished:
            if answered and person.startswith("bg"):
                bgt.call_survey(survey_rng, clock, self.writers.surveys, person, caller, wait, end)
        ctx.resolve_calls(outcomes)
        self._write_feeds(day)

    def _write_feeds(self, day: dt.date) -> None:
        w = self.writers
        feeds = {"hits": w.website.hits, "visits": w.website.visits, "portal": w.website.portal,
                 "chatbot": w.chatbot.feed, "cases": w.cases.feed, "surveys": w.surveys.feed}  # fmt: skip
        for name, feed in feeds.items():
            rng = py_rng(self.seed, P_FEED_NOISE, name, day) if self.noise else None
            lines = feed.take(day.toordinal())
            written = self.out.feed_file(name, day, FEED_HEADERS[name], lines, self.feed_noise, rng)
            self.counts[FEED_COUNTS[name]] += written
        if w.email is not None:  # no planted defects: the other feeds' noise plan stays as it was
            lines = w.email.feed.take(day.toordinal())
            written = self.out.feed_file("email_requests", day, None, lines, None, None)
            self.counts[FEED_COUNTS["email_requests"]] += written

    def _flush(self, day: dt.date) -> None:
        self.calls.flush(day)
        self.out.truth_day(day, self.truth.take(day.toordinal()))

    def run(self) -> dict[str, Any]:
        """Generate every day, then write the truth tables and return the manifest."""
        self.out.remove_previous_output()
        for i, day in enumerate(self.days):
            self._day(day)
            if i > 0:
                self._flush(self.days[i - 1])
            if self.progress and ((i + 1) % 7 == 0 or i + 1 == len(self.days)):
                self.progress(self._progress_line(i, day))
        self._flush(self.days[-1])
        self._truth_tables()
        return self._manifest()

    def _events(self) -> int:
        return self.calls.counts["queue_log_lines"] + sum(self.counts.values())

    def _progress_line(self, i: int, day: dt.date) -> str:
        c = self.counts
        return (
            f"week {i // 7 + 1}: up to {day.isoformat()} — {self._events():,} events "
            f"({self.calls.counts['queue_log_lines']:,} queue_log lines, {c['tickets']:,} tickets, "
            f"{c['hits']:,} hits, {c['portal_events']:,} portal, {c['chatbot_events']:,} chat, "
            f"{c['case_events']:,} case, {c['survey_responses']:,} survey, {c['email_request_events']:,} e-mail)"
        )

    def _truth_tables(self) -> None:
        offices = [o.office_id for o in self.spec.offices]
        self.out.truth_table("clients", CLIENTS_HEADER, [_client_row(c, offices) for c in self.clients])
        runs: list[JourneyRun] = sorted(self.engine.runs, key=lambda r: r.jid)
        self.out.truth_table("journeys", JOURNEYS_HEADER, [r.truth_row() for r in runs])
        self.out.truth_table("journey_events", JOURNEY_EVENTS_HEADER, self._journey_events(runs))

    def _journey_events(self, runs: list[JourneyRun]) -> list[list[str]]:
        """Which event shows which stage of which run: the service runs' own tags, the lenses mapped
        from them (by the client's group and ``journeys.LENSES``), the lenses' own events and the
        information requests."""
        by_id = {r.run_id: r for r in runs}
        rows: set[tuple[str, ...]] = set()
        for source, key, run_id, journey, stage in self.truth.tags:
            run = by_id.get(run_id)
            if run is None:  # a lens's own event or an information request
                rows.add((source, key, run_id, journey, stage))
                continue
            if stage in STAGES[journey]:
                rows.add((source, key, run_id, journey, stage))
            if run.kind not in CITIZEN_SERVICES:
                continue
            client = run.client
            for lens_id, lens in LENSES.items():
                if lens.groups is not None and (
                    client.group not in lens.groups or client.cid not in self.engine.group_shown
                ):
                    continue
                if lens.without_office_visits and client.cid in self.office_visitors | self.engine.desk_visitors:
                    continue
                target = lens.stages.get((run.kind, stage)) or lens.stages.get(("*", stage))
                if target:
                    rows.add((source, key, lens_run_id(client.cid, lens_id), lens_id, target))
        return [list(row) for row in sorted(rows)]

    def _manifest(self) -> dict[str, Any]:
        counts = {**self.calls.counts, **self.counts}
        spec = self.spec
        manifest = {
            "generator": "include.generator",
            "version": VERSION,
            "seed": self.seed,
            "region_id": spec.region_id,
            "region_name_ru": spec.name_ru,
            "timezone": spec.timezone,
            "start_date": self.days[0].isoformat(),
            "end_date": self.days[-1].isoformat(),
            "offices": [o.office_id for o in spec.offices],
            "queues": [{"queue_name": q.queue_name, "office_id": q.office.office_id} for q in spec.queues],
            "windows_cp1251_office": (
                spec.offices[CP1251_OFFICE_INDEX].office_id if len(spec.offices) > CP1251_OFFICE_INDEX else None
            ),
            "planted_pain_points": pain_points(spec),
            "planted_facts": planted_facts(spec, self.days),
            "population": self._population_summary(),
            "shared_phones": [_shared_row(s, self.clients) for s in self.shared],
            "truth_conventions": TRUTH_CONVENTIONS,
            "noise": sorted(self.out.noise_items, key=itemgetter("file", "line_no")),
            "files": sorted(self.out.files, key=itemgetter("path")),
            "truth_files": sorted(self.out.truth_files, key=itemgetter("path")),
            "counts": {**counts, "events_total": self._events()},
        }  # fmt: skip
        text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
        (self.out.root / "manifest.json").write_text(text, encoding="utf-8")
        return manifest

    def _population_summary(self) -> dict[str, Any]:
        groups: dict[str, int] = {}
        for client in self.clients:
            groups[client.group] = groups.get(client.group, 0) + 1
        journeys: dict[str, int] = {}
        for run in self.engine.runs:
            journeys[run.kind] = journeys.get(run.kind, 0) + 1
        return {
            "clients": len(self.clients),
            "citizens": sum(1 for c in self.clients if c.kind == "citizen"),
            "employers": sum(1 for c in self.clients if c.kind == "employer"),
            "client_groups": dict(sorted(groups.items())),
            "journey_runs": dict(sorted(journeys.items())),
        }


def _client_row(c: Client, offices: list[str]) -> list[str]:
    return [
        c.cid, c.kind, c.group, offices[c.office], "1" if c.phone else "0", c.phone_kind,
        "7" + c.phone if c.phone else "", c.snils or "", "1" if c.esia else "0", c.esia or "", c.email or "",
        "|".join(c.cookies), c.messenger or "", c.chat_channel, c.inn or "", c.ogrn or "",
        "1" if c.entrepreneur else "0",
    ]  # fmt: skip


def _shared_row(shared: SharedPhone, clients: list[Client]) -> dict[str, Any]:
    users = [c.cid for c in clients if c.phone == shared.number]
    return {"phone": "7" + shared.number, "kind": shared.kind, "clients": len(users), "client_ids": users,
            "description_ru": shared.description_ru}  # fmt: skip


def generate_region(
    out_dir: Path,
    *,
    seed: int = 42,
    offices: int = 4,
    months: int = 2,
    scale: float = 1.0,
    start: dt.date = dt.date(2026, 9, 1),
    region_id: str = "enskaya",
    noise: bool = True,
    progress: Callable[[str], None] | None = None,
    days: int | None = None,
) -> dict[str, Any]:
    """Write a synthetic region's exports of every source under ``out_dir/<region_id>``.

    ``days``, when given, overrides ``months`` (short periods for tests). Returns the manifest,
    which is also written to ``out_dir/<region_id>/manifest.json``; the truth for measuring
    identity stitching and journeys is under ``out_dir/<region_id>/truth/``.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    spec = load_region(region_id, offices)
    generator = RegionGenerator(
        spec, Path(out_dir), seed=seed, scale=scale, noise=noise,
        days=period_days(start, months, days), progress=progress,
    )  # fmt: skip
    return generator.run()
