"""ЦЗН case management: the events of one case (дело) of a citizen or an employer, as JSON lines.

A specialist opens a case at a desk visit (``ticket_id`` of that visit) or from a portal
application (``application_id``), and then records offers, referrals, the decision, payments,
re-registration visits and the exit. Citizens' cases carry the SNILS (written with or without
separators), employers' cases the INN and OGRN. Times are the office's local time with offset.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from include.generator import identity as ident
from include.generator.feeds import Clock, Feed, Truth, json_line
from include.generator.population import Client

EVENT_TYPES = (
    "case_opened", "vacancy_offered", "referral_issued", "referral_result", "recognised_unemployed",
    "benefit_assigned", "benefit_paid", "benefit_suspended", "reregistration_visit", "training_referral",
    "training_started", "training_completed", "employed", "case_closed",
    # target-group support
    "outreach_contact", "support_plan_agreed", "post_employment_support", "retention_check", "adaptation_referral",
    "group_session", "adaptation_completed", "layoff_notice_received", "job_fair_visit",
    # minors, self-employment, social contract
    "material_support_paid", "grant_application", "grant_awarded", "business_registered", "follow_up_contact",
    "social_contract_signed", "social_contract_completed",
    # employers
    "hr_consultation", "job_fair_held", "support_decision", "agreement_signed", "report_submitted",
    # complaints registered by phone or in the chatbot
    "complaint_answered",
)  # fmt: skip
CLOSE_REASONS = ("employed", "training", "deregistered", "moved", "other")


@dataclass
class Cases:
    """Writes case events; case ids are per office and year."""

    seed: int
    offices: tuple[str, ...]
    truth: Truth
    feed: Feed = field(default_factory=Feed)
    events: int = 0
    numbers: dict[str, int] = field(default_factory=dict)

    def new_case(self, office: int, year: int) -> str:
        office_id = self.offices[office]
        self.numbers[office_id] = self.numbers.get(office_id, 0) + 1
        return f"{office_id}-{year}-{self.numbers[office_id]:05d}"

    def event(
        self,
        rng: random.Random,
        clock: Clock,
        epoch: int,
        client: Client,
        case_id: str,
        office: int,
        event_type: str,
        **extra: Any,
    ) -> str:
        """One case event; ``extra`` adds the optional fields (documented order kept)."""
        self.events += 1
        event_id = ident.uuid_like(self.events, self.seed + 31)
        record: dict[str, Any] = {
            "event_id": event_id, "case_id": case_id, "event_type": event_type, "occurred_at": clock.iso(epoch),
            "office_id": self.offices[office], "client_kind": client.kind,
        }  # fmt: skip
        if client.is_employer:
            record["inn"], record["ogrn"] = client.inn, client.ogrn
        else:
            record["snils"] = ident.snils_text(client.snils or "", rng.random() < 0.75)
        if client.phone and event_type == "case_opened" and rng.random() < 0.7:
            record["phone"] = ident.case_phone(client.phone, rng.randrange(3))
        record["service_type"] = extra.pop("service_type")
        if event_type == "case_opened" or not client.is_employer:
            record["client_group"] = client.group  # the person's category, on every line of a citizen's case
        record.update((k, v) for k, v in extra.items() if v is not None)
        ordinal = clock.ordinal_of(epoch)
        self.feed.add(ordinal, epoch, json_line(record))
        self.truth.add(ordinal, "cases", event_id, client.cid)
        return event_id
