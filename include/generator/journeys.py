"""Journeys the clients follow, their stages, and which client starts which journey when.

A journey run is one client's pass through one journey (``journeys.md``): a state machine whose
steps (package ``steps``) emit events in the sources and schedule the next step some days later with
a continuation probability, so drop-offs, repeat contacts and channel switches happen. ``STAGES``
lists each journey's stages in order; ``STAGE_EVENTS`` says which event codes mark which stage
(the map the product's event → stage seed is built from). A run records the stages it reached
and ends ``completed`` or ``dropped``; runs still going at the end of the period are ``ongoing``.
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
# group -> journey -> weight
JOURNEY_WEIGHTS: dict[str, dict[str, float]] = {
    "unemployed": {"unemployment_registration": 0.72, "job_search": 0.14, "training": 0.1, "complaint": 0.04},
    "long_term_unemployed": {"unemployment_registration": 0.66, "job_search": 0.1, "training": 0.2, "complaint": 0.04},
    "pre_retirement": {"unemployment_registration": 0.56, "job_search": 0.15, "training": 0.25, "complaint": 0.04},
    "disabled": {"unemployment_registration": 0.6, "job_search": 0.2, "training": 0.16, "complaint": 0.04},
    "young_parent": {"unemployment_registration": 0.5, "job_search": 0.2, "training": 0.26, "complaint": 0.04},
    "low_income": {"unemployment_registration": 0.6, "job_search": 0.3, "training": 0.06, "complaint": 0.04},
    "job_seeker": {"job_search": 0.7, "training": 0.26, "complaint": 0.04},
    "youth": {"job_search": 0.45, "career_guidance": 0.3, "training": 0.21, "complaint": 0.04},
    "minor": {"career_guidance": 0.96, "complaint": 0.04},
    "layoff_risk": {"job_search": 0.55, "training": 0.41, "complaint": 0.04},
    "employer": {"vacancy_posting": 1.0},
    "large_employer": {"vacancy_posting": 1.0},
}
STAGES: dict[str, tuple[str, ...]] = {
    "unemployment_registration": (
        "need_information", "esia_login", "application", "cv_moderation", "case_opening", "vacancy_offer",
        "decision", "payments", "exit",
    ),
    "job_search": (
        "need_information", "esia_login", "application", "cv_moderation", "case_opening", "vacancy_offer",
        "employment", "exit",
    ),
    "training": (
        "need_information", "esia_login", "application", "approval", "case_opening", "training_referral",
        "training", "employment", "exit",
    ),
    "career_guidance": ("need_information", "appointment", "consultation", "recommendation", "exit"),
    "vacancy_posting": (
        "need_information", "esia_login", "vacancy_posted", "moderation", "candidate_selection", "hire", "exit",
    ),
    "complaint": ("complaint_filed", "answer", "feedback"),
}  # fmt: skip
# journey -> stage -> event codes (source:code[=value]) that mark it
STAGE_EVENTS: dict[str, dict[str, tuple[str, ...]]] = {
    "unemployment_registration": {
        "need_information": ("website:theme=unemployment|documents|benefit", "chatbot:registration_howto",
                             "chatbot:documents_list", "call_centre:registration", "call_centre:documents",
                             "office_visits:consultation"),
        "esia_login": ("portal:esia_login",),
        "application": ("portal:application_submitted[application_type=unemployment_registration]",),
        "cv_moderation": ("portal:application_status_changed[status=accepted|needs_documents]",),
        "case_opening": ("portal:appointment_booked", "call_centre:appointment", "office_visits:registration",
                         "cases:case_opened[service_type=unemployment_registration]"),
        "vacancy_offer": ("cases:vacancy_offered", "cases:referral_issued"),
        "decision": ("cases:recognised_unemployed", "cases:benefit_assigned"),
        "payments": ("cases:benefit_paid", "cases:reregistration_visit", "office_visits:reregistration",
                     "call_centre:benefit_status", "chatbot:benefit_status", "website:theme=benefit"),
        "exit": ("cases:employed", "cases:training_started", "cases:case_closed"),
    },
    "job_search": {
        "need_information": ("website:theme=vacancies", "chatbot:vacancy_search", "call_centre:vacancies",
                             "office_visits:vacancy_selection"),
        "esia_login": ("portal:esia_login",),
        "application": ("portal:application_submitted[application_type=job_search]",),
        "cv_moderation": ("portal:application_status_changed[status=accepted]",),
        "case_opening": ("cases:case_opened[service_type=job_search]",),
        "vacancy_offer": ("cases:vacancy_offered", "cases:referral_issued", "office_visits:vacancy_selection"),
        "employment": ("cases:employed",),
        "exit": ("cases:case_closed[close_reason=employed]",),
    },
    "training": {
        "need_information": ("website:theme=training|career", "chatbot:training_programs (always fallback)",
                             "call_centre:training", "office_visits:consultation"),
        "esia_login": ("portal:esia_login",),
        "application": ("portal:application_submitted[application_type=training]",),
        "approval": ("portal:application_status_changed[status=approved|rejected]",),
        "case_opening": ("portal:appointment_booked", "office_visits:consultation",
                         "cases:case_opened[service_type=training]"),
        "training_referral": ("cases:training_referral",),
        "training": ("cases:training_started", "cases:training_completed"),
        "employment": ("cases:employed",),
        "exit": ("cases:case_closed[close_reason=employed]",),
    },
    "career_guidance": {
        "need_information": ("website:theme=career", "chatbot:appointment", "chatbot:office_hours",
                             "call_centre:appointment"),
        "appointment": ("portal:appointment_booked", "call_centre:appointment"),
        "consultation": ("office_visits:career_guidance", "cases:case_opened[service_type=career_guidance]"),
        "recommendation": ("cases:training_referral",),
        "exit": ("cases:case_closed[close_reason=other|training]",),
    },
    "vacancy_posting": {
        "need_information": ("website:theme=employer", "chatbot:employer_vacancy", "call_centre:employer_vacancy"),
        "esia_login": ("portal:esia_login[user_type=employer]",),
        "vacancy_posted": ("portal:application_submitted[application_type=vacancy_posting]",),
        "moderation": ("portal:application_status_changed[status=accepted|needs_documents]",),
        "candidate_selection": ("cases:case_opened[client_kind=employer]", "cases:vacancy_offered",
                                "cases:referral_issued", "office_visits:employer", "call_centre:employer_vacancy"),
        "hire": ("cases:employed[client_kind=employer]",),
        "exit": ("cases:case_closed[client_kind=employer]",),
    },
    "complaint": {
        "complaint_filed": ("call_centre:complaint", "chatbot:complaint",
                            "portal:application_submitted[application_type=complaint]", "website:theme=complaint"),
        "answer": ("portal:application_status_changed[application_type=complaint]",),
        "feedback": ("surveys:complaint answer (low scores)",),
    },
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

    @property
    def closed(self) -> bool:
        return self.outcome != "ongoing"

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
            self.client.cid, f"j{self.jid:06d}", self.kind, self.started_on.isoformat(), last,
            last_on.isoformat() if last_on else "", self.outcome,
            "|".join(f"{s}@{d.isoformat()}" for s, d in self.reached), self.application_id or "", self.case_id or "",
        ]  # fmt: skip


JOURNEYS_HEADER = [
    "client_id", "journey_run_id", "journey", "started_on", "last_stage_reached", "last_stage_on", "outcome",
    "stages", "application_id", "case_id",
]  # fmt: skip


def plan_journeys(rng: random.Random, clients: list[Client], days: list[dt.date]) -> list[JourneyRun]:
    """0–2 journeys per client starting on days of the period (rate proportional to its length)."""
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
    runs.sort(key=lambda r: (r.started_on, r.jid))
    return runs


def _poisson(rng: random.Random, mean: float) -> int:
    threshold, k, product = math.exp(-mean), 0, rng.random()
    while product > threshold:
        k += 1
        product *= rng.random()
    return k
