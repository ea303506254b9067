"""Office steps: booking (portal or phone) or walking in, the desk visit that opens the case.

The visit goes through the office's queue simulation; its outcome comes back to ``_after_visit``:
served → the case is opened with the ticket, otherwise the client comes again another day. A
client who waited far too long sometimes starts a complaint.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from include.generator.engine import CallOutcome, DayContext, TicketOutcome
from include.generator.journeys import APPLICATION_TYPE, MAX_JOURNEYS, JourneyRun
from include.generator.steps.contact import KEEP
from include.generator.steps.lens import after_case_opened
from include.generator.website import (
    APPOINTMENT_URL,
    GOAL_APPOINTMENT,
    GOAL_LOGIN,
    LOGIN_URL,
)

# the desk service of each journey's visit, and the stage the visit (ticket and opened case) shows
SERVICE = {
    "unemployment_registration": "registration", "job_search": "vacancy_selection", "training": "training",
    "career_guidance_youth": "career_guidance", "vacancy_posting": "employer", "self_employment": "self_employment",
    "social_contract": "social_contract",
}  # fmt: skip
VISIT_STAGE = {
    "unemployment_registration": "case_opening", "job_search": "application", "training": "approval",
    "career_guidance_youth": "consultation", "vacancy_posting": "selection", "self_employment": "consultation",
    "social_contract": "plan",
}  # fmt: skip
# the stage the opened case shows, where it differs from the visit's
CASE_STAGE = {"training": "application"}
BOOKED_STAGE = {"unemployment_registration": "appointment", "career_guidance_youth": "consultation"}


# ----------------------------------------------------------------------------- office


def book(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """An appointment on the portal or by phone, or the client just walks in later."""
    client, rng = run.client, ctx.rng
    roll = rng.random()
    if client.esia and roll < 0.6:
        day = ctx.next_open_day(run.office, rng.randint(1, 5))
        slot = ctx.slot(run.office, day)
        times, cookie = ctx.site(client, "cabinet", pages=rng.randrange(2), cookie=run.cookie,
                                 extra=((LOGIN_URL, GOAL_LOGIN), (APPOINTMENT_URL, GOAL_APPOINTMENT)))  # fmt: skip
        appointment = _epoch_of(ctx, day, slot)
        stage = BOOKED_STAGE.get(run.kind)
        ctx.portal(client, times[-1] - rng.randint(1, 5), "appointment_booked", cookie, tags=run.tags(stage),
                   application_id=run.application_id, application_type=APPLICATION_TYPE[run.kind],
                   office_id=ctx.w.spec.offices[run.office].office_id,
                   appointment_at=ctx.clock.iso_moscow(appointment))  # fmt: skip
        if stage:
            run.reach(stage, ctx.day)
        ctx.engine.schedule(run, "visit", day.toordinal(), {"slot": slot})
    elif roll < 0.8 and ctx.call(client, "appointment", _booked_by_phone(run), info=True):
        pass
    else:
        ctx.later(run, "visit", 1, 3)


def _epoch_of(ctx: DayContext, day: dt.date, local: int) -> int:
    return ctx.clock.midnight + (day - ctx.day).days * 86400 + local


def _booked_by_phone(run: JourneyRun) -> Callable[[DayContext, CallOutcome], None]:
    def after(ctx: DayContext, outcome: CallOutcome) -> None:
        if outcome.answered:
            day = ctx.next_open_day(run.office, ctx.rng.randint(1, 5))
            ctx.engine.schedule(run, "visit", day.toordinal(), {"slot": ctx.slot(run.office, day)})
        else:
            ctx.later(run, "visit", 1, 3)

    return after


def visit(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The desk visit that opens the case (or the consultation)."""
    tags = run.tags(VISIT_STAGE[run.kind])
    if not ctx.visit(run.client, run.office, SERVICE[run.kind], _after_visit(run), payload.get("slot"), tags=tags):
        day = ctx.next_open_day(run.office, 1)
        ctx.engine.schedule(run, "visit", day.toordinal(), {})


def offline(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """No ESIA account: the client goes to the office (employers call first)."""
    if run.client.is_employer:
        ctx.call(run.client, "employer_vacancy", tags=run.tags("registration"))
    if run.kind in SERVICE:
        visit(ctx, run, payload)
    else:  # services only applied for online (or through the employer's cabinet): the ЦЗН calls back
        ctx.later(run, "remote_case", 2, 6)


def _after_visit(run: JourneyRun) -> Callable[[DayContext, TicketOutcome], None]:
    def after(ctx: DayContext, outcome: TicketOutcome) -> None:
        rng = ctx.rng
        if outcome.wait_minutes > 50 and outcome.wait_minutes < 999 and rng.random() < 0.12:
            start_complaint(ctx, run)
        if outcome.outcome != "served":
            ctx.advance(run, "visit", 0.88, 1, 3)
            return
        at = outcome.ended - rng.randint(20, 200)
        stage = VISIT_STAGE[run.kind]
        ctx.case(run, at, "case_opened", CASE_STAGE.get(run.kind, stage), service_type=APPLICATION_TYPE[run.kind],
                 application_id=run.application_id, ticket_id=outcome.ticket_id)  # fmt: skip
        run.reach(stage, ctx.day)
        _case_survey(ctx, run, outcome.ended + 300)
        after_case_opened(ctx, run, at)
        if run.kind == "career_guidance_youth":
            ctx.advance(run, "recommend", 0.95, 1, 7)
        elif run.kind == "vacancy_posting":
            ctx.advance(run, "candidates", 0.97, 2, 6)
        elif run.kind == "training":
            ctx.case(run, at + rng.randint(60, 300), "training_referral", "approval")
            ctx.advance(run, "train_start", KEEP, 3, 10)
        elif run.kind == "self_employment":
            ctx.advance(run, "business_plan", 0.9, 2, 5)
        elif run.kind == "social_contract":
            ctx.case(run, at + rng.randint(60, 600), "social_contract_signed", "plan")
            ctx.advance(run, "contract_job_search", 0.93, 3, 10)
        else:
            ctx.advance(run, "offer", 0.95, 1, 5)

    return after


def _case_survey(ctx: DayContext, run: JourneyRun, at: int) -> None:
    if ctx.rng.random() < 0.06:
        ctx.survey(run.client, at, "office", "case_consultant", 4.1, ("documents",), case_id=run.case_id)


REMOTE_STAGE = {
    "job_search": "application", "vacancy_posting": "selection", "temporary_employment_minors": "application",
    "mass_hiring": "request", "employer_support": "application", "unemployment_registration": "case_opening",
}  # fmt: skip
REMOTE_NEXT = {
    "vacancy_posting": ("candidates", 2, 6), "temporary_employment_minors": ("minor_matching", 2, 8),
    "mass_hiring": ("hr_consultation", 2, 7), "employer_support": ("support_review", 3, 10),
}  # fmt: skip


def remote_case(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The ЦЗН opens the case from the portal application, without a visit."""
    at = ctx.working_time(run.office)
    ctx.case(run, at, "case_opened", REMOTE_STAGE.get(run.kind), service_type=APPLICATION_TYPE[run.kind],
             application_id=run.application_id)  # fmt: skip
    after_case_opened(ctx, run, at)
    step, low, high = REMOTE_NEXT.get(run.kind, ("offer", 1, 4))
    ctx.advance(run, step, 0.95, low, high)


def start_complaint(ctx: DayContext, run: JourneyRun) -> None:
    """A client who waited far too long complains (a new journey run from tomorrow)."""
    day = ctx.day + dt.timedelta(days=1)
    if day.toordinal() <= ctx.engine.last_ordinal and ctx.engine.runs_of.get(run.client.cid, 0) < MAX_JOURNEYS:
        ctx.engine.add_run(JourneyRun(0, run.client, "complaint", day, run.office, data={"after": "wait"}))
