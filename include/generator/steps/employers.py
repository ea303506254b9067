"""Employers' journeys: candidates for a vacancy and the hire, mass hiring for a new project,
support measures with their agreement and reports."""

from __future__ import annotations

from typing import Any

from include.generator.engine import DayContext
from include.generator.journeys import JourneyRun
from include.generator.schedule import HOUR

SUPPORT_APPROVED = 0.62  # planted: over a third of the applications for a support measure are refused

# ----------------------------------------------------------------------------- vacancy posting


def candidates(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The ЦЗН sends candidates to the employer's vacancy."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    for k in range(rng.randint(1, 4)):
        ctx.case(run, at + 300 * k, "vacancy_offered", "selection")
    run.reach("selection", ctx.day)
    if rng.random() < 0.8:
        ctx.case(run, at + 1500, "referral_issued", "interviews")
        run.reach("interviews", ctx.day)
    if rng.random() < 0.25:  # the employer comes or calls about the candidates: contacts, not steps forward
        ctx.visit(run.client, run.office, "employer", None)
    if rng.random() < 0.3:
        ctx.call(run.client, "employer_vacancy")
    ctx.advance(run, "hire", 0.95, 5, 20)


def hire(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    rng = ctx.rng
    if rng.random() < 0.65:
        at = ctx.working_time(run.office)
        ctx.case(run, at, "employed", "hire")
        run.reach("hire", ctx.day)
        ctx.case(run, at + rng.randint(60, 900), "case_closed", "closed", close_reason="employed")
        run.reach("closed", ctx.day)
        if rng.random() < 0.3:
            ctx.later(run, "employer_feedback", 1, 5, {"after_close": True})
        run.outcome = "completed"
    else:
        ctx.advance(run, "candidates", 0.95, 3, 10)


def employer_feedback(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The employer rates the ЦЗН's help after the vacancy was closed (a survey sent by e-mail)."""
    at = ctx.working_time(run.office) + HOUR
    ctx.survey(run.client, at, "portal", "employer_feedback", 4.2, ("fast",), case_id=run.case_id,
               tags=run.tags("feedback"))  # fmt: skip
    run.reach("feedback", ctx.day)


# ----------------------------------------------------------------------------- mass hiring


def hr_consultation(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    ctx.case(run, ctx.working_time(run.office), "hr_consultation", "hr_consultation")
    run.reach("hr_consultation", ctx.day)
    ctx.advance(run, "job_fair", 0.9, 5, 15)


def job_fair(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    ctx.case(run, ctx.working_time(run.office), "job_fair_held", "job_fair")
    run.reach("job_fair", ctx.day)
    ctx.advance(run, "preselection", 0.92, 1, 5)


def preselection(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    rng = ctx.rng
    at = ctx.working_time(run.office)
    for k in range(rng.randint(2, 6)):
        ctx.case(run, at + 300 * k, "vacancy_offered", "preselection")
    ctx.case(run, at + 3000, "referral_issued", "preselection")
    run.reach("preselection", ctx.day)
    if rng.random() < 0.45:
        ctx.later(run, "training_on_demand", 3, 10)
    else:
        ctx.advance(run, "mass_hire", 0.9, 7, 20)


def training_on_demand(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    ctx.case(run, ctx.working_time(run.office), "training_started", "training_on_demand")
    run.reach("training_on_demand", ctx.day)
    ctx.advance(run, "mass_hire", 0.9, 14, 30)


def mass_hire(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    ctx.case(run, ctx.working_time(run.office), "employed", "hiring")
    run.reach("hiring", ctx.day)
    ctx.advance(run, "retention", 0.9, 14, 30)


def retention(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    rng = ctx.rng
    at = ctx.working_time(run.office)
    ctx.case(run, at, "retention_check", "retention")
    ctx.case(run, at + rng.randint(60, 600), "case_closed", "retention", close_reason="employed")
    run.reach("retention", ctx.day)
    run.outcome = "completed"


# ----------------------------------------------------------------------------- support measures


def support_review(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The ЦЗН reviews the application for a support measure (a subsidy for hiring, for instance)."""
    rng = ctx.rng
    approved = rng.random() < SUPPORT_APPROVED
    ctx.case(run, ctx.working_time(run.office), "support_decision", "review",
             result="approved" if approved else "refused")  # fmt: skip
    run.reach("review", ctx.day)
    if approved:
        ctx.advance(run, "support_agreement", 0.92, 3, 10)
    else:
        run.outcome = "dropped"


def support_agreement(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    ctx.case(run, ctx.working_time(run.office), "agreement_signed", "agreement")
    run.reach("agreement", ctx.day)
    ctx.advance(run, "support_report", 0.85, 10, 20)


def support_report(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    rng = ctx.rng
    at = ctx.working_time(run.office)
    ctx.case(run, at, "report_submitted", "reporting")
    ctx.case(run, at + rng.randint(60, 900), "case_closed", "reporting", close_reason="other")
    run.reach("reporting", ctx.day)
    run.outcome = "completed"
