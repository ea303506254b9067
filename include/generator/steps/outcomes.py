"""What the ЦЗН does in a case: offers, decision, payments, re-registration, training, hiring, exit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from include.generator.engine import DayContext, TicketOutcome
from include.generator.journeys import JourneyRun
from include.generator.schedule import HOUR
from include.generator.steps.contact import BENEFIT, contact

# ----------------------------------------------------------------------------- unemployment


def offer(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Suitable vacancies offered and referrals issued."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    for k in range(rng.randint(1, 3 if run.kind == "job_search" else 2)):
        ctx.case(run, at + 120 * k, "vacancy_offered")
    if rng.random() < 0.65:
        ctx.case(run, at + 600, "referral_issued")
    run.reach("vacancy_offer", ctx.day)
    if run.kind == "job_search":
        if rng.random() < 0.35:
            ctx.later(run, "selection_visit", 1, 3)
        ctx.advance(run, "employ", 0.95, 5, 20)
    elif rng.random() < 0.08:
        ctx.later(run, "exit", 3, 10, {"how": "employed"})
    else:
        ctx.advance(run, "decision", 0.95, 2, 7)


def selection_visit(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """A job seeker comes to the office to go through vacancies with a specialist."""
    if not ctx.visit(run.client, run.office, "vacancy_selection", None):
        ctx.later(run, "selection_visit", 1, 2)


def decision(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Recognised as unemployed, benefit assigned."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    ctx.case(run, at, "recognised_unemployed")
    if rng.random() < 0.95:
        ctx.case(run, at + rng.randint(60, 900), "benefit_assigned")
        run.data["amount"] = round(rng.uniform(1950.0, 14875.0), 2)
    run.reach("decision", ctx.day)
    ctx.later(run, "payment", 5, 12)
    ctx.later(run, "rereg", 12, 20)


def payment(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """A monthly payment; some clients ask about it first."""
    rng = ctx.rng
    if "amount" not in run.data:
        return
    if ctx.day.isoweekday() > 5:
        ctx.later(run, "payment", 8 - ctx.day.isoweekday(), 8 - ctx.day.isoweekday())
        return
    if rng.random() < 0.25:
        contact(ctx, run, BENEFIT)
    at = ctx.clock.epoch(rng.randrange(10 * HOUR, 12 * HOUR))
    ctx.case(run, at, "benefit_paid", amount_rub=run.data["amount"])
    run.reach("payments", ctx.day)
    if rng.random() < 0.04:
        ctx.survey(run.client, at + 5 * HOUR, "office", "benefit_payment", 3.8, ("benefit",), case_id=run.case_id)
    ctx.later(run, "payment", 28, 31)


def rereg(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """A re-registration visit (usually at a slot set by the specialist)."""
    rng = ctx.rng
    slot = ctx.slot(run.office, ctx.day) if rng.random() < 0.7 else None
    if not ctx.visit(run.client, run.office, "reregistration", _after_rereg(run), slot):
        ctx.engine.schedule(run, "rereg", ctx.next_open_day(run.office, 1).toordinal())


def _after_rereg(run: JourneyRun) -> Callable[[DayContext, TicketOutcome], None]:
    def after(ctx: DayContext, outcome: TicketOutcome) -> None:
        if outcome.outcome != "served":
            ctx.advance(run, "rereg", 0.9, 1, 3)
            return
        ctx.case(run, outcome.ended - ctx.rng.randint(20, 120), "reregistration_visit", ticket_id=outcome.ticket_id)
        run.reach("payments", ctx.day)
        if ctx.rng.random() < 0.22:
            ctx.later(run, "exit", 1, 10)
        else:
            ctx.advance(run, "rereg", 0.97, 14, 28)

    return after


def exit_case(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Found a job or started training: the case is closed."""
    rng = ctx.rng
    how = payload.get("how") or ("employed" if rng.random() < 0.7 else "training")
    at = ctx.working_time(run.office)
    ctx.case(run, at, "employed" if how == "employed" else "training_started")
    ctx.case(run, at + rng.randint(60, 600), "case_closed", close_reason=how)
    run.reach("exit", ctx.day)
    run.outcome = "completed"
    if rng.random() < 0.2:
        ctx.survey(run.client, at + 2 * HOUR, "office", "case_consultant", 4.3, ("polite",), case_id=run.case_id)


# ----------------------------------------------------------------------------- job search, training


def employ(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Employment after referrals (job search, training), or another round of offers."""
    rng = ctx.rng
    if rng.random() < 0.55 or run.kind == "training":
        at = ctx.working_time(run.office)
        ctx.case(run, at, "employed")
        run.reach("employment", ctx.day)
        ctx.case(run, at + rng.randint(60, 600), "case_closed", close_reason="employed")
        run.reach("exit", ctx.day)
        run.outcome = "completed"
    else:
        ctx.advance(run, "offer", 0.95, 3, 10)


def train_start(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    ctx.case(run, ctx.working_time(run.office), "training_started")
    run.reach("training", ctx.day)
    ctx.advance(run, "train_end", 0.95, 14, 35)


def train_end(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    ctx.case(run, ctx.working_time(run.office), "training_completed")
    run.reach("training", ctx.day)
    ctx.advance(run, "employ", 0.9, 3, 20)


def recommend(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Career guidance: a recommendation (sometimes a training referral), case closed."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    referral = rng.random() < 0.3
    if referral:
        ctx.case(run, at, "training_referral")
    run.reach("recommendation", ctx.day)
    ctx.case(run, at + rng.randint(60, 600), "case_closed", close_reason="training" if referral else "other")
    run.reach("exit", ctx.day)
    run.outcome = "completed"


# ----------------------------------------------------------------------------- employers


def candidates(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The ЦЗН sends candidates to the employer's vacancy."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    for k in range(rng.randint(1, 4)):
        ctx.case(run, at + 300 * k, "vacancy_offered")
    if rng.random() < 0.8:
        ctx.case(run, at + 1500, "referral_issued")
    run.reach("candidate_selection", ctx.day)
    if rng.random() < 0.25:
        ctx.visit(run.client, run.office, "employer", None)
    if rng.random() < 0.3:
        ctx.call(run.client, "employer_vacancy")
    ctx.advance(run, "hire", 0.95, 5, 20)


def hire(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    rng = ctx.rng
    if rng.random() < 0.65:
        at = ctx.working_time(run.office)
        ctx.case(run, at, "employed")
        run.reach("hire", ctx.day)
        ctx.case(run, at + rng.randint(60, 900), "case_closed", close_reason="employed")
        run.reach("exit", ctx.day)
        run.outcome = "completed"
        if rng.random() < 0.15:
            ctx.survey(run.client, at + HOUR, "portal", "employer_cabinet", 4.2, ("fast",), case_id=run.case_id)
    else:
        ctx.advance(run, "candidates", 0.95, 3, 10)
