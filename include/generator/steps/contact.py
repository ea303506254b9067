"""Steps shared by the journeys: contacts on the client's preferred channel and the information stage.

A contact is a site visit, a chat, a call or an office visit about a ``Need`` (some clients write
a letter or fill in the site's form about it first: ``DayContext.email_request``); a lost call or an
unresolved chat often leads to a repeat contact a day or two later, on the same or another
channel (channel switching). A contact about a journey (how to register as unemployed, where the
vacancies are) shows that journey's stage; a general question (documents, appointments, opening
hours) is an information request («узнать») of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from include.generator.engine import CallOutcome, DayContext, info_tags
from include.generator.journeys import JourneyRun
from include.generator.population import CHANNELS

KEEP = 0.92  # usual continuation probability of a stage


@dataclass(frozen=True)
class Need:
    """What a client asks about, per channel (site themes, chatbot intents, call topics, desk service)."""

    themes: tuple[str, ...]
    intents: tuple[str, ...]
    topics: tuple[str, ...]
    service: str
    general: bool = False  # a general question: an information request


NEEDS = {
    "unemployment_registration": Need(("unemployment", "benefit"), ("registration_howto",), ("registration",),
                                      "consultation"),
    "job_search": Need(("vacancies",), ("vacancy_search",), ("vacancies",), "consultation"),
    "training": Need(("training",), ("training_programs",), ("training",), "consultation"),
    "complaint": Need(("complaint",), ("complaint",), ("complaint",), "consultation"),
}  # fmt: skip
GENERAL = Need(("documents",), ("documents_list", "appointment", "office_hours"), ("documents", "appointment", "other"),
               "consultation", general=True)  # fmt: skip
BENEFIT = Need(("benefit",), ("benefit_status",), ("benefit_status",), "consultation")


# ----------------------------------------------------------------------------- contacts


def contact(ctx: DayContext, run: JourneyRun, need: Need, stage: str | None = None) -> str:
    """One contact about ``need`` on the client's preferred channel among those open today; it
    shows ``stage`` of the run (and is an information request when the need is general)."""
    client, rng = run.client, ctx.rng
    tags = run.tags(stage)
    ctx.email_request(client, need.intents, tags, need.general)
    weights = [w if _open(ctx, run, ch) else 0.0 for ch, w in zip(CHANNELS, client.prefs, strict=True)]
    channel = rng.choices(CHANNELS, weights=weights)[0]
    if channel == "chat":
        result = ctx.chat(client, [rng.choice(need.intents)], tags=tags)
        if need.general:
            ctx.engine.truth.tag("chatbot", result.session_id, info_tags(client.cid, result.resolved))
        if not result.resolved and rng.random() < 0.5:
            ctx.later(run, "recontact", 1, 2, {"need": need, "stage": stage})  # switches channel or tries again
        return channel
    if channel == "call" and ctx.call(
        client, rng.choice(need.topics), _recontact_if_lost(run, need, stage), tags=tags, info=need.general
    ):
        return channel
    if channel == "office" and ctx.visit(client, run.office, need.service, None, tags=tags):
        return channel
    ctx.site(client, rng.choice(need.themes), tags=tags)
    return "site"


def _open(ctx: DayContext, run: JourneyRun, channel: str) -> bool:
    if channel == "call":
        return ctx.queue_open(run.client.office) or ctx.queue_open(0)
    if channel == "office":
        return ctx.office_open(run.office)
    return True


def _recontact_if_lost(run: JourneyRun, need: Need, stage: str | None) -> Callable[[DayContext, CallOutcome], None]:
    def after(ctx: DayContext, outcome: CallOutcome) -> None:
        if not outcome.answered and ctx.rng.random() < 0.65:
            ctx.later(run, "recontact", 1, 2, {"need": need, "stage": stage})

    return after


def recontact(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """A repeat contact on the same need (the journey does not move on)."""
    contact(ctx, run, payload["need"], payload.get("stage"))


def information(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Stage ``information``: 1–3 contacts over a few days, then the first action (sometimes a
    general question on the way: which documents, how to get an appointment)."""
    run.reach("information", ctx.day)
    contact(ctx, run, NEEDS[run.kind], "information")
    if ctx.rng.random() < 0.3:
        ctx.later(run, "recontact", 1, 3, {"need": NEEDS[run.kind], "stage": "information"})
    if ctx.rng.random() < 0.15:
        ctx.later(run, "recontact", 1, 3, {"need": GENERAL})
    ctx.advance(run, "apply", KEEP, 1, 5)
