"""First steps of the journeys: the information stage, or straight to the application.

Journeys with an information stage (registration as unemployed, job search, training, vacancy
posting) start with contacts about the service; the others start with the application on the
portal, or — without an ESIA account — a call or a visit. A client of a target group may first
hear from the ЦЗН (an outreach call, a layoff notice: ``lens.before_service``).
"""

from __future__ import annotations

from typing import Any

from include.generator.engine import DayContext
from include.generator.journeys import JourneyRun
from include.generator.steps.contact import KEEP, NEEDS, Need, contact
from include.generator.steps.lens import before_service
from include.generator.steps.portal import apply

NEEDS_AT_START = {
    **NEEDS,
    "vacancy_posting": Need(("employer",), ("employer_vacancy",), ("employer_vacancy",), "consultation"),
}
# the stage the first contacts show: the information stage, the employer's registration
FIRST_STAGE = {"vacancy_posting": "registration"}


def start(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The first step of a run (``complaint`` has its own)."""
    if not before_service(ctx, run):
        return
    if run.started_before:
        pick_up(ctx, run)
        return
    if run.kind == "career_guidance_youth":
        # signs up for a career test or a youth event: online, or by phone without an ESIA account
        run.reach("event", ctx.day)
        if run.client.esia:
            ctx.later(run, "apply", 0, 3)
        else:
            ctx.call(run.client, "career_guidance", tags=run.tags("event"))
            ctx.advance(run, "visit", KEEP, 2, 10)
        return
    need = NEEDS_AT_START.get(run.kind)
    if need is None:
        ctx.later(run, "apply", 0, 3)
        return
    stage = FIRST_STAGE.get(run.kind, "information")
    run.reach(stage, ctx.day)
    contact(ctx, run, need, stage)
    if ctx.rng.random() < 0.3:
        ctx.later(run, "recontact", 1, 3, {"need": need, "stage": stage})
    ctx.advance(run, "apply", KEEP, 1, 5)


def pick_up(ctx: DayContext, run: JourneyRun) -> None:
    """A run that began before the period: it continues from a later step (its case exists already)."""
    rng = ctx.rng
    later = {
        "unemployment_registration": ("payment", "rereg", "decision"),
        "job_search": ("offer", "referral_result"),
        "training": ("train_start", "train_end"),
    }[run.kind]
    step = rng.choice(later)
    if step in ("payment", "rereg"):
        run.data["amount"] = round(rng.uniform(1950.0, 14875.0), 2)
        ctx.later(run, "payment", 0, 20)
        ctx.later(run, "rereg", 0, 20)
    else:
        ctx.later(run, step, 0, 10)


__all__ = ["apply", "pick_up", "start"]
