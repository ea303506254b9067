"""Complaint journey: by phone, in the chatbot or as a portal application; registered, answered,
rated.

A complaint by phone or in the chatbot is registered as a complaint case by the ЦЗН the same or
the next working day and answered in the case (``complaint_answered``); a portal complaint is
answered by a status change. Some complainants then rate the answer (touchpoint
``complaint_handling``): low scores. A complainant with an e-mail address often writes first (a
letter or the site's form about the complaint, before the call or chat), more often than about any
other need.
"""

from __future__ import annotations

from typing import Any

from include.generator.email_requests import COMPLAINT_WRITE_SHARE
from include.generator.engine import DayContext
from include.generator.journeys import APPLICATION_TYPE, JourneyRun
from include.generator.steps.contact import NEEDS
from include.generator.steps.portal import apply, set_status

ANSWER_DAYS = (4, 24)  # planted: a third or more come later than the 10 working days the rules allow
RATES_THE_ANSWER = 0.55


def start(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Complaint: by phone, in the chatbot or as a portal application."""
    client, rng = run.client, ctx.rng
    if client.esia and rng.random() < 0.35:
        apply(ctx, run, payload)
        return
    tags = run.tags("registration")
    # many write first: a letter or the site's form (the e-mail desk's own random stream)
    ctx.email_request(client, NEEDS["complaint"].intents, tags, False, COMPLAINT_WRITE_SHARE)
    channel = "chatbot" if rng.random() < client.prefs[1] + 0.2 else "call_centre"
    if channel == "call_centre" and not ctx.call(client, NEEDS["complaint"].topics[0], tags=tags):
        channel = "chatbot"
    if channel == "chatbot":
        ctx.chat(client, list(NEEDS["complaint"].intents), tags=tags)
    run.reach("registration", ctx.day)
    run.data["channel"] = channel
    ctx.later(run, "register_complaint", 0, 1)


def register_complaint(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The ЦЗН registers a phone or chatbot complaint as a case."""
    ctx.case(run, ctx.working_time(run.office), "case_opened", "registration",
             service_type=APPLICATION_TYPE["complaint"])  # fmt: skip
    ctx.later(run, "answer", *ANSWER_DAYS)


def answer(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    at = ctx.working_time(run.office)
    if run.application_id:
        status = "approved" if ctx.rng.random() < 0.5 else "rejected"
        set_status(ctx, run, at, status, run.tags("answer"))
    else:
        ctx.case(run, at, "complaint_answered", "answer")
        ctx.case(run, at + ctx.rng.randint(60, 600), "case_closed", "answer", close_reason="other")
    run.reach("answer", ctx.day)
    if ctx.rng.random() < RATES_THE_ANSWER:
        ctx.later(run, "feedback", 1, 3, {"after_close": True})
    run.outcome = "completed"


def feedback(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The complainant rates the answer: low scores."""
    ctx.survey(run.client, ctx.web_time(), "office", "complaint_handling", 1.8, ("complaint", "wait"),
               case_id=run.case_id, tags=run.tags("satisfaction"))  # fmt: skip
    run.reach("satisfaction", ctx.day)
