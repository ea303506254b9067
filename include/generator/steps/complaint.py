"""Complaint journey: by phone, in the chatbot or as a portal application; answer; low-score survey."""

from __future__ import annotations

from typing import Any

from include.generator.engine import DayContext
from include.generator.journeys import JourneyRun
from include.generator.steps.portal import apply, set_status


def start(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Complaint: by phone, in the chatbot or as a portal application."""
    client, rng = run.client, ctx.rng
    run.reach("complaint_filed", ctx.day)
    if client.esia and rng.random() < 0.35:
        apply(ctx, run, payload)
        return
    channel = "chatbot" if rng.random() < client.prefs[1] + 0.2 else "call_centre"
    if channel == "call_centre" and not ctx.call(client, "complaint"):
        channel = "chatbot"
    if channel == "chatbot":
        ctx.chat(client, ["complaint"])
    ctx.later(run, "feedback", 3, 10, {"channel": channel})


def answer(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    set_status(ctx, run, ctx.working_time(run.office), "approved" if ctx.rng.random() < 0.5 else "rejected")
    run.reach("answer", ctx.day)
    ctx.later(run, "feedback", 1, 3, {"channel": "portal"})


def feedback(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The complainant rates the answer: low scores."""
    channel = payload.get("channel", "call_centre")
    touchpoint = {"call_centre": "call_centre_operator", "chatbot": "chatbot", "portal": "portal_application"}[channel]
    ctx.survey(run.client, ctx.web_time(), channel, touchpoint, 1.8, ("complaint", "wait"), case_id=None)
    run.reach("feedback", ctx.day)
    run.outcome = "completed"
