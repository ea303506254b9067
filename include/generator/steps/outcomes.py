"""What the ЦЗН does in a citizen's case: offers, referrals and their results, decision, payments,
re-registration, training, the services of minors, the self-employed and social contracts, exit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from include.generator.engine import DayContext, TicketOutcome
from include.generator.journeys import JourneyRun
from include.generator.schedule import HOUR
from include.generator.steps.contact import BENEFIT, contact
from include.generator.steps.lens import after_employment

GRANT_AWARDED = 0.55  # planted: almost half of the grant applications are refused
# the stage of vacancy offers and referrals, per journey
OFFER_STAGE = {"job_search": "vacancy_offer", "unemployment_registration": "vacancy_offer",
               "social_contract": "job_search", "temporary_employment_minors": "matching"}  # fmt: skip


# ----------------------------------------------------------------------------- unemployment


def offer(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Suitable vacancies offered and referrals issued."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    stage = OFFER_STAGE.get(run.kind, "vacancy_offer")
    for k in range(rng.randint(1, 3 if run.kind == "job_search" else 2)):
        ctx.case(run, at + 120 * k, "vacancy_offered", stage)
    referred = rng.random() < 0.65
    if referred:
        ctx.case(run, at + 600, "referral_issued", stage)
    run.reach(stage, ctx.day)
    if run.kind == "job_search":
        if rng.random() < 0.35:
            ctx.later(run, "selection_visit", 1, 3)
        if referred:
            ctx.later(run, "referral_result", 3, 12)
        else:
            ctx.advance(run, "offer", 0.8, 3, 10)
    elif rng.random() < 0.08:
        ctx.later(run, "exit", 3, 10, {"how": "employed"})
    else:
        ctx.advance(run, "decision", 0.95, 2, 7)


def referral_result(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The employer's mark on the referral after the interview: hired or refused."""
    result = "hired" if ctx.rng.random() < 0.6 else "refused"
    ctx.case(run, ctx.working_time(run.office), "referral_result", "interview", result=result)
    run.reach("interview", ctx.day)
    if result == "hired":
        ctx.later(run, "employ", 1, 5)
    else:
        ctx.advance(run, "offer", 0.85, 3, 10)


def selection_visit(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """A job seeker comes to the office to go through vacancies with a specialist."""
    if not ctx.visit(run.client, run.office, "vacancy_selection", None):
        ctx.later(run, "selection_visit", 1, 2)


def decision(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Recognised as unemployed, benefit assigned."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    ctx.case(run, at, "recognised_unemployed", "status_decision")
    if rng.random() < 0.95:
        ctx.case(run, at + rng.randint(60, 900), "benefit_assigned", "status_decision")
        run.data["amount"] = round(rng.uniform(1950.0, 14875.0), 2)
    run.reach("status_decision", ctx.day)
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
    if rng.random() < 0.25:  # a question about the payment: a contact at the stage, not a step forward
        contact(ctx, run, BENEFIT)
    at = ctx.clock.epoch(rng.randrange(10 * HOUR, 12 * HOUR))
    ctx.case(run, at, "benefit_paid", "payments", amount_rub=run.data["amount"])
    run.reach("payments", ctx.day)
    if rng.random() < 0.04:
        ctx.survey(run.client, at + 5 * HOUR, "office", "benefit_payment", 3.8, ("benefit",), case_id=run.case_id)
    ctx.later(run, "payment", 28, 31)


def rereg(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """A re-registration visit (usually at a slot set by the specialist)."""
    rng = ctx.rng
    slot = ctx.slot(run.office, ctx.day) if rng.random() < 0.7 else None
    tags = run.tags("payments")
    if not ctx.visit(run.client, run.office, "reregistration", _after_rereg(run), slot, tags=tags):
        ctx.engine.schedule(run, "rereg", ctx.next_open_day(run.office, 1).toordinal())


def _after_rereg(run: JourneyRun) -> Callable[[DayContext, TicketOutcome], None]:
    def after(ctx: DayContext, outcome: TicketOutcome) -> None:
        if outcome.outcome != "served":
            ctx.advance(run, "rereg", 0.9, 1, 3)
            return
        ctx.case(run, outcome.ended - ctx.rng.randint(20, 120), "reregistration_visit", "payments",
                 ticket_id=outcome.ticket_id)  # fmt: skip
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
    if how == "employed":
        ctx.case(run, at, "employed", "exit", tags=run.tags("exit_employed"))
    else:
        ctx.case(run, at, "training_started", "exit", tags=run.tags("training_start"))
    ctx.case(run, at + rng.randint(60, 600), "case_closed", "exit", close_reason=how)
    run.reach("exit", ctx.day)
    run.outcome = "completed"
    if how == "employed":
        after_employment(ctx, run)
    if rng.random() < 0.2:
        ctx.survey(run.client, at + 2 * HOUR, "office", "case_consultant", 4.3, ("polite",), case_id=run.case_id)


# ----------------------------------------------------------------------------- job search, training


def employ(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Employment after a referral (job search) or after training: the case is closed."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    ctx.case(run, at, "employed", "exit", tags=run.tags("exit_employed"))
    ctx.case(run, at + rng.randint(60, 600), "case_closed", "exit", close_reason="employed")
    run.reach("exit", ctx.day)
    run.outcome = "completed"
    after_employment(ctx, run)


def train_start(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    stage = {"training": "training_start", "self_employment": "business_plan"}.get(run.kind, "job_search")
    ctx.case(run, ctx.working_time(run.office), "training_started", stage, tags=run.tags("training_start"))
    run.reach(stage, ctx.day)
    if run.kind == "self_employment":
        ctx.advance(run, "grant", 0.85, 5, 10)
    else:
        ctx.advance(run, "train_end", 0.95, 14, 35)


def train_end(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    stage = "training_end" if run.kind == "training" else "job_search"
    ctx.case(run, ctx.working_time(run.office), "training_completed", stage)
    run.reach(stage, ctx.day)
    ctx.advance(run, "contract_employ" if run.kind == "social_contract" else "employ", 0.9, 3, 20)


def recommend(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Career guidance: a recommendation (sometimes a training referral), case closed."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    referral = rng.random() < 0.3
    if referral:
        ctx.case(run, at, "training_referral", "recommendation")
    ctx.case(run, at + rng.randint(60, 600), "case_closed", "recommendation",
             close_reason="training" if referral else "other")  # fmt: skip
    run.reach("recommendation", ctx.day)
    run.outcome = "completed"


# ----------------------------------------------------------------------------- minors


def minor_matching(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """A summer job offered to a minor; most take it (a fixed-term contract)."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    ctx.case(run, at, "vacancy_offered", "matching")
    run.reach("matching", ctx.day)
    if rng.random() < 0.8:
        ctx.later(run, "minor_contract", 2, 8)
    else:
        ctx.advance(run, "minor_matching", 0.6, 4, 10)


def minor_contract(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    ctx.case(run, ctx.working_time(run.office), "employed", "contract", tags=run.tags("exit_employed"))
    run.reach("contract", ctx.day)
    ctx.advance(run, "minor_support", 0.93, 10, 25)


def minor_support(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Material support paid by the ЦЗН for the time worked; the case closes when the job ends."""
    rng = ctx.rng
    amount = round(rng.uniform(1500, 4000), 2)
    ctx.case(run, ctx.working_time(run.office), "material_support_paid", "support", amount_rub=amount)
    run.reach("support", ctx.day)
    ctx.later(run, "minor_exit", 5, 20)


def minor_exit(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    ctx.case(run, ctx.working_time(run.office), "case_closed", "exit", close_reason="other")
    run.reach("exit", ctx.day)
    run.outcome = "completed"


# ----------------------------------------------------------------------------- self-employment


def business_plan(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Business-plan training (the start of the programme)."""
    train_start(ctx, run, payload)


def grant(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The grant application; about two thirds are awarded."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    ctx.case(run, at, "grant_application", "grant")
    run.reach("grant", ctx.day)
    if rng.random() < GRANT_AWARDED:
        ctx.case(run, at + rng.randint(3, 10) * 86400 // 4, "grant_awarded", "grant")
        ctx.advance(run, "business_registration", 0.9, 3, 10)
    else:
        run.outcome = "dropped"


def business_registration(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Registered as an individual entrepreneur or a self-employed (НПД)."""
    ctx.case(run, ctx.working_time(run.office), "business_registered", "registration")
    run.reach("registration", ctx.day)
    ctx.advance(run, "follow_up", 0.9, 7, 15)


def follow_up(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    rng = ctx.rng
    at = ctx.working_time(run.office)
    ctx.case(run, at, "follow_up_contact", "follow_up")
    ctx.case(run, at + rng.randint(60, 600), "case_closed", "follow_up", close_reason="employed")
    run.reach("follow_up", ctx.day)
    run.outcome = "completed"


# ----------------------------------------------------------------------------- social contract


def contract_job_search(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Under the contract: vacancies offered, or a training course first."""
    if ctx.rng.random() < 0.3:
        train_start(ctx, run, payload)
        return
    at = ctx.working_time(run.office)
    ctx.case(run, at, "vacancy_offered", "job_search")
    run.reach("job_search", ctx.day)
    ctx.advance(run, "contract_employ", 0.8, 4, 12)


def contract_employ(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    ctx.case(run, ctx.working_time(run.office), "employed", "exit", tags=run.tags("exit_employed"))
    run.reach("exit", ctx.day)
    ctx.advance(run, "contract_outcome", 0.95, 5, 15)


def contract_outcome(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The contract's terms met: the case closes with its outcome."""
    rng = ctx.rng
    at = ctx.working_time(run.office)
    ctx.case(run, at, "social_contract_completed", "outcome")
    ctx.case(run, at + rng.randint(60, 600), "case_closed", "outcome", close_reason="employed")
    run.reach("outcome", ctx.day)
    run.outcome = "completed"
