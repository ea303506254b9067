"""Journeys the clients follow, their stages, and which client starts which journey when.

A journey run is one client's pass through one service journey (``journeys.md``): a state machine
whose steps (package ``steps``) emit events in the sources and schedule the next step some days
later with a continuation probability, so drop-offs, repeat contacts and channel switches happen.
``STAGES`` lists each journey's stages in order, named like the stages of the product's seeds
(``journey_stages.csv``) so the truth reads without a translation. A run records the stages it
reached and ends ``completed`` or ``dropped``; runs still going at the end of the period are
``ongoing``. Some runs began before the period (``started_before``): a client already receiving
benefits, a case opened last month — real exports always start in the middle of cases.

The truth of which event shows which stage of which run is written per event
(``truth/journey_events.csv``, see ``feeds.Truth``). Besides the service journeys it holds:

* **lenses** (``LENSES``): journeys that look at the same events from another basis — a target
  group (people with disabilities, pre-retirement, young parents, long-term unemployed, graduates,
  workers at risk of layoff), a life situation with a bundle of services («потерял работу»), or the
  number of visits («без визита в ЦЗН»). A lens run is one client's events of every service run
  that the lens maps (by ``(journey, stage)``), plus the lens's own case events (an outreach call,
  a support plan…);
* **information requests** («узнать», ``INFO_JOURNEY``): general questions by phone or at the desk,
  answered or not — of the modelled clients and of the background callers alike.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field
from typing import Any

from include.generator.population import Client

JOURNEYS_PER_CLIENT_MONTH = 0.4
MAX_JOURNEYS = 2
ALREADY_RUNNING = 0.12  # share of runs that began before the period (picked up in the middle)
INFO_JOURNEY = "information_request"
# group -> journey -> weight
JOURNEY_WEIGHTS: dict[str, dict[str, float]] = {
    "unemployed": {"unemployment_registration": 0.62, "job_search": 0.12, "training": 0.1, "self_employment": 0.12,
                   "complaint": 0.04},
    "long_term_unemployed": {"unemployment_registration": 0.56, "job_search": 0.2, "training": 0.2, "complaint": 0.04},
    "pre_retirement": {"unemployment_registration": 0.46, "job_search": 0.2, "training": 0.3, "complaint": 0.04},
    "disabled": {"unemployment_registration": 0.4, "job_search": 0.4, "training": 0.16, "complaint": 0.04},
    "young_parent": {"unemployment_registration": 0.3, "job_search": 0.2, "training": 0.46, "complaint": 0.04},
    "low_income": {"social_contract": 0.66, "unemployment_registration": 0.18, "job_search": 0.12, "complaint": 0.04},
    "job_seeker": {"job_search": 0.6, "training": 0.2, "self_employment": 0.16, "complaint": 0.04},
    "youth": {"job_search": 0.56, "career_guidance_youth": 0.25, "training": 0.15, "complaint": 0.04},
    "minor": {"temporary_employment_minors": 0.7, "career_guidance_youth": 0.26, "complaint": 0.04},
    "layoff_risk": {"job_search": 0.55, "training": 0.41, "complaint": 0.04},
    "employer": {"vacancy_posting": 0.7, "employer_support": 0.3},
    "large_employer": {"mass_hiring": 0.65, "vacancy_posting": 0.2, "employer_support": 0.15},
}  # fmt: skip
# the stages a run can show, in order (the seed's stages; stages nothing can show — the need that
# starts a journey, the channel a complainant picks — are inferred by the product and not listed)
STAGES: dict[str, tuple[str, ...]] = {
    "unemployment_registration": (
        "information", "esia_login", "application", "cv_moderation", "appointment", "case_opening",
        "vacancy_offer", "status_decision", "payments", "exit",
    ),
    "job_search": ("information", "application", "vacancy_offer", "interview", "exit"),
    "training": ("information", "application", "approval", "training_start", "training_end", "exit"),
    "career_guidance_youth": ("event", "consultation", "recommendation"),
    "temporary_employment_minors": ("application", "matching", "contract", "support", "exit"),
    "self_employment": ("consultation", "business_plan", "grant", "registration", "follow_up"),
    "social_contract": ("plan", "job_search", "exit", "outcome"),
    "complaint": ("registration", "answer", "satisfaction"),
    "vacancy_posting": (
        "registration", "vacancy_posted", "moderation", "selection", "interviews", "hire", "closed", "feedback",
    ),
    "mass_hiring": ("request", "hr_consultation", "job_fair", "preselection", "training_on_demand", "hiring",
                    "retention"),
    "employer_support": ("application", "review", "agreement", "reporting"),
}  # fmt: skip
# application type of each journey's portal application / case (the code lists of the seeds)
APPLICATION_TYPE = {
    "unemployment_registration": "unemployment_registration", "job_search": "job_search", "training": "training",
    "career_guidance_youth": "career_guidance", "temporary_employment_minors": "temporary_employment_minors",
    "self_employment": "self_employment", "social_contract": "social_contract", "complaint": "complaint",
    "vacancy_posting": "vacancy_posting", "mass_hiring": "mass_hiring", "employer_support": "employer_support",
}  # fmt: skip
CITIZEN_SERVICES = ("unemployment_registration", "job_search", "training", "self_employment", "social_contract")


@dataclass(frozen=True)
class Lens:
    """A journey over other journeys' events: whose (``groups``; ``None`` = every citizen), which
    service stages it maps (``(journey, stage)`` → lens stage; ``*`` = any citizen service), and
    the stages its own case events show (``events``: event type → lens stage)."""

    groups: frozenset[str] | None
    stages: dict[tuple[str, str], str]
    events: dict[str, str] = field(default_factory=dict)
    without_office_visits: bool = False


LENSES: dict[str, Lens] = {
    "disabled_supported_employment": Lens(
        frozenset({"disabled"}),
        {("*", "vacancy_offer"): "matching", ("*", "exit_employed"): "exit"},
        {"outreach_contact": "outreach", "support_plan_agreed": "support_plan",
         "post_employment_support": "post_support"},
    ),
    "pre_retirement": Lens(
        frozenset({"pre_retirement"}),
        {("*", "training_start"): "upskilling", ("*", "vacancy_offer"): "matching", ("*", "exit_employed"): "exit"},
        {"outreach_contact": "outreach"},
    ),
    "young_parents": Lens(
        frozenset({"young_parent"}),
        {("*", "information"): "information", ("*", "training_start"): "training", ("*", "exit"): "exit"},
    ),
    "social_adaptation": Lens(
        frozenset({"long_term_unemployed"}),
        {("*", "exit_employed"): "exit"},
        {"adaptation_referral": "referral", "group_session": "group_sessions", "adaptation_completed": "skills"},
    ),
    "layoff_risk_workers": Lens(
        frozenset({"layoff_risk"}),
        {("*", "exit_employed"): "exit"},
        {"layoff_notice_received": "employer_notice", "outreach_contact": "monitoring",
         "job_fair_visit": "consultations"},
    ),
    "graduates_first_job": Lens(
        frozenset({"youth"}),
        {("job_search", "application"): "application", ("job_search", "vacancy_offer"): "vacancy_offer",
         ("job_search", "interview"): "interview", ("job_search", "exit_employed"): "exit"},
        {"retention_check": "retention"},
    ),
    "job_loss": Lens(
        frozenset({"unemployed", "long_term_unemployed", "pre_retirement", "disabled", "young_parent", "low_income",
                   "layoff_risk"}),
        {("unemployment_registration", "application"): "registration",
         ("unemployment_registration", "case_opening"): "registration",
         ("unemployment_registration", "status_decision"): "benefit",
         ("unemployment_registration", "payments"): "benefit",
         ("*", "training_start"): "training", ("*", "exit_employed"): "job"},
    ),
    "remote_services": Lens(
        None,
        {("*", "information"): "information", ("*", "application_online"): "application",
         ("*", "application_accepted"): "moderation", ("*", "exit"): "result"},
        without_office_visits=True,
    ),
}  # fmt: skip


@dataclass(slots=True)
class JourneyRun:
    """One client's pass through one journey."""

    jid: int
    client: Client
    kind: str
    started_on: dt.date
    office: int
    reached: list[tuple[str, dt.date]] = field(default_factory=list)
    outcome: str = "ongoing"
    application_id: str | None = None
    case_id: str | None = None
    cookie: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    started_before: bool = False

    @property
    def closed(self) -> bool:
        return self.outcome != "ongoing"

    @property
    def run_id(self) -> str:
        return f"j{self.jid:06d}"

    def tags(self, stage: str | None, *evidence: str) -> tuple[tuple[str, str, str], ...]:
        """Truth tags of an event showing ``stage`` of this run (plus lens evidence such as
        ``exit_employed``: the lenses map them, the journey itself does not have them)."""
        if stage is None:
            return ()
        return ((self.run_id, self.kind, stage), *((self.run_id, self.kind, e) for e in evidence))

    def reach(self, stage: str, day: dt.date) -> None:
        if not self.reached or self.reached[-1][0] != stage:
            self.reached.append((stage, day))

    def last_stage(self) -> str:
        order = STAGES[self.kind]
        return max((s for s, _ in self.reached), key=order.index, default="")

    def truth_row(self) -> list[str]:
        last = self.last_stage()
        last_on = max((d for s, d in self.reached if s == last), default=None)
        return [
            self.client.cid, self.run_id, self.kind, self.started_on.isoformat(), last,
            last_on.isoformat() if last_on else "", self.outcome,
            "|".join(f"{s}@{d.isoformat()}" for s, d in self.reached), self.application_id or "", self.case_id or "",
            "1" if self.started_before else "0",
        ]  # fmt: skip


JOURNEYS_HEADER = [
    "client_id", "journey_run_id", "journey", "started_on", "last_stage_reached", "last_stage_on", "outcome",
    "stages", "application_id", "case_id", "started_before_period",
]  # fmt: skip


JOURNEY_EVENTS_HEADER = ["source", "event_key", "journey_run_id", "journey", "stage"]


def lens_run_id(client_id: str, lens: str) -> str:
    return f"L{client_id}:{lens}"


def info_run_id(person: str) -> str:
    return f"I{person}"


def lens_tags(client: Client, lens: str, stage: str) -> tuple[tuple[str, str, str], ...]:
    """Tags of a lens's own event (an outreach call, a support plan) for the client."""
    return ((lens_run_id(client.cid, lens), lens, stage),)


def plan_journeys(rng: random.Random, clients: list[Client], days: list[dt.date]) -> list[JourneyRun]:
    """0–2 journeys per client starting on days of the period (rate proportional to its length);
    ``ALREADY_RUNNING`` of them began before the period and are picked up at a later step."""
    rate = JOURNEYS_PER_CLIENT_MONTH * len(days) / 30.4
    runs: list[JourneyRun] = []
    for client in clients:
        count = min(MAX_JOURNEYS, _poisson(rng, rate))
        weights = JOURNEY_WEIGHTS[client.group]
        kinds: list[str] = []
        for _ in range(count):
            kind = rng.choices(list(weights), weights=list(weights.values()))[0]
            if kind not in kinds:
                kinds.append(kind)
        for kind in kinds:
            start = days[rng.randrange(len(days))]
            runs.append(JourneyRun(len(runs) + 1, client, kind, start, client.office))
    for run in runs:
        if run.kind in ("unemployment_registration", "job_search", "training") and rng.random() < ALREADY_RUNNING:
            run.started_before = True
            run.started_on = days[0]
    runs.sort(key=lambda r: (r.started_on, r.jid))
    return runs


def _poisson(rng: random.Random, mean: float) -> int:
    threshold, k, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        k += 1
        product *= rng.random()
    return k
