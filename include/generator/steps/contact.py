"""Steps shared by the journeys: contacts on the client's preferred channel and the information stage.

A contact is a site visit, a chat, a call or an office visit about a ``Need``; a lost call or an
unresolved chat often leads to a repeat contact a day or two later, on the same or another
channel (channel switching).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from include.generator.engine import CallOutcome, DayContext
from include.generator.journeys import JourneyRun
from include.generator.population import CHANNELS

KEEP = 0.92  # usual continuation probability of a stage


@dataclass(frozen=True)
class Need:
    """What a client looks for at the information stage, per channel."""

    themes: tuple[str, ...]
    intents: tuple[str, ...]
    topics: tuple[str, ...]
    service: str


NEEDS = {
    "unemployment_registration": Need(("unemployment", "documents", "benefit"), ("registration_howto", "documents_list"),
                                      ("registration", "documents"), "consultation"),
    "job_search": Need(("vacancies",), ("vacancy_search",), ("vacancies",), "vacancy_selection"),
    "training": Need(("training", "career"), ("training_programs",), ("training",), "consultation"),
    "career_guidance": Need(("career",), ("appointment", "office_hours"), ("appointment",), "career_guidance"),
    "vacancy_posting": Need(("employer",), ("employer_vacancy",), ("employer_vacancy",), "employer"),
    "complaint": Need(("complaint",), ("complaint",), ("complaint",), "consultation"),
}  # fmt: skip
DOCUMENTS = Need(("documents",), ("documents_list",), ("documents",), "documents")
BENEFIT = Need(("benefit",), ("benefit_status",), ("benefit_status",), "consultation")
APPLICATION_TYPE = {
    "unemployment_registration": "unemployment_registration", "job_search": "job_search", "training": "training",
    "vacancy_posting": "vacancy_posting", "complaint": "complaint",
}  # fmt: skip


# ----------------------------------------------------------------------------- contacts


def contact(ctx: DayContext, run: JourneyRun, need: Need) -> str:
    """One contact about ``need`` on the client's preferred channel among those open today."""
    client, rng = run.client, ctx.rng
    weights = [w if _open(ctx, run, ch) else 0.0 for ch, w in zip(CHANNELS, client.prefs, strict=True)]
    channel = rng.choices(CHANNELS, weights=weights)[0]
    if channel == "chat":
        result = ctx.chat(client, [rng.choice(need.intents)])
        if not result.resolved and rng.random() < 0.5:
            ctx.later(run, "recontact", 1, 2, {"need": need})  # switches channel or tries again
        return channel
    if channel == "call" and ctx.call(client, rng.choice(need.topics), _recontact_if_lost(run, need)):
        return channel
    if channel == "office" and ctx.visit(client, run.office, need.service, None):
        return channel
    ctx.site(client, rng.choice(need.themes))
    return "site"


def _open(ctx: DayContext, run: JourneyRun, channel: str) -> bool:
    if channel == "call":
        return ctx.queue_open(run.client.office) or ctx.queue_open(0)
    if channel == "office":
        return ctx.office_open(run.office)
    return True


def _recontact_if_lost(run: JourneyRun, need: Need) -> Callable[[DayContext, CallOutcome], None]:
    def after(ctx: DayContext, outcome: CallOutcome) -> None:
        if not outcome.answered and ctx.rng.random() < 0.65:
            ctx.later(run, "recontact", 1, 2, {"need": need})

    return after


def recontact(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """A repeat contact on the same need (the journey does not move on)."""
    contact(ctx, run, payload["need"])


def information(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Stage ``need_information``: 1–3 contacts over a few days, then the first action."""
    run.reach("need_information", ctx.day)
    contact(ctx, run, NEEDS[run.kind])
    if ctx.rng.random() < 0.3:
        ctx.later(run, "recontact", 1, 3, {"need": NEEDS[run.kind]})
    if run.kind == "career_guidance":
        ctx.advance(run, "book", KEEP, 1, 5)
    else:
        ctx.advance(run, "apply", KEEP, 1, 5)
