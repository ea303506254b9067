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
from include.generator.journeys import MAX_JOURNEYS, JourneyRun
from include.generator.steps.contact import APPLICATION_TYPE, KEEP
from include.generator.website import (
    APPOINTMENT_URL,
    GOAL_APPOINTMENT,
    GOAL_LOGIN,
    LOGIN_URL,
)

SERVICE = {
    "unemployment_registration": "registration", "job_search": "vacancy_selection", "training": "consultation",
    "career_guidance": "career_guidance", "vacancy_posting": "employer",
}  # fmt: skip


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
        ctx.portal(client, times[-1] - rng.randint(1, 5), "appointment_booked", cookie,
                   application_id=run.application_id, office_id=ctx.w.spec.offices[run.office].office_id,
                   appointment_at=ctx.clock.iso_moscow(appointment))  # fmt: skip
        _reach_booked(ctx, run)
        ctx.engine.schedule(run, "visit", day.toordinal(), {"slot": slot})
    elif roll < 0.8 and ctx.call(client, "appointment", _booked_by_phone(run)):
        pass
    else:
        ctx.later(run, "visit", 1, 3)


def _epoch_of(ctx: DayContext, day: dt.date, local: int) -> int:
    return ctx.clock.midnight + (day - ctx.day).days * 86400 + local


def _reach_booked(ctx: DayContext, run: JourneyRun) -> None:
    run.reach("appointment" if run.kind == "career_guidance" else "case_opening", ctx.day)


def _booked_by_phone(run: JourneyRun) -> Callable[[DayContext, CallOutcome], None]:
    def after(ctx: DayContext, outcome: CallOutcome) -> None:
        if outcome.answered:
            day = ctx.next_open_day(run.office, ctx.rng.randint(1, 5))
            _reach_booked(ctx, run)
            ctx.engine.schedule(run, "visit", day.toordinal(), {"slot": ctx.slot(run.office, day)})
        else:
            ctx.later(run, "visit", 1, 3)

    return after


def visit(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The desk visit that opens the case (or the consultation)."""
    if not ctx.visit(run.client, run.office, SERVICE[run.kind], _after_visit(run), payload.get("slot")):
        day = ctx.next_open_day(run.office, 1)
        ctx.engine.schedule(run, "visit", day.toordinal(), {})


def offline(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """No ESIA account: the client goes to the office (employers call first)."""
    if run.client.is_employer:
        ctx.call(run.client, "employer_vacancy")
    visit(ctx, run, payload)


def _after_visit(run: JourneyRun) -> Callable[[DayContext, TicketOutcome], None]:
    def after(ctx: DayContext, outcome: TicketOutcome) -> None:
        rng = ctx.rng
        if outcome.wait_minutes > 50 and outcome.wait_minutes < 999 and rng.random() < 0.12:
            start_complaint(ctx, run)
        if outcome.outcome != "served":
            ctx.advance(run, "visit", 0.88, 1, 3)
            return
        at = outcome.ended - rng.randint(20, 200)
        ctx.case(run, at, "case_opened", service_type=APPLICATION_TYPE.get(run.kind, run.kind),
                 application_id=run.application_id, ticket_id=outcome.ticket_id)  # fmt: skip
        _case_survey(ctx, run, outcome.ended + 300)
        if run.kind == "career_guidance":
            run.reach("consultation", ctx.day)
            ctx.advance(run, "recommend", 0.95, 1, 7)
        elif run.kind == "vacancy_posting":
            run.reach("candidate_selection", ctx.day)
            ctx.advance(run, "candidates", 0.97, 2, 6)
        elif run.kind == "training":
            run.reach("case_opening", ctx.day)
            ctx.case(run, at + rng.randint(60, 300), "training_referral")
            run.reach("training_referral", ctx.day)
            ctx.advance(run, "train_start", KEEP, 3, 10)
        else:
            run.reach("case_opening", ctx.day)
            ctx.advance(run, "offer", 0.95, 1, 5)

    return after


def _case_survey(ctx: DayContext, run: JourneyRun, at: int) -> None:
    if ctx.rng.random() < 0.06:
        ctx.survey(run.client, at, "office", "case_consultant", 4.1, ("documents",), case_id=run.case_id)


def remote_case(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The ЦЗН opens the case from the portal application, without a visit."""
    ctx.case(run, ctx.working_time(run.office), "case_opened", service_type=APPLICATION_TYPE[run.kind],
             application_id=run.application_id)  # fmt: skip
    if run.kind == "vacancy_posting":
        run.reach("candidate_selection", ctx.day)
        ctx.advance(run, "candidates", 0.97, 2, 6)
    else:
        run.reach("case_opening", ctx.day)
        ctx.advance(run, "offer", 0.95, 1, 4)


def start_complaint(ctx: DayContext, run: JourneyRun) -> None:
    """A client who waited far too long complains (a new journey run from tomorrow)."""
    day = ctx.day + dt.timedelta(days=1)
    if day.toordinal() <= ctx.engine.last_ordinal and ctx.engine.runs_of.get(run.client.cid, 0) < MAX_JOURNEYS:
        ctx.engine.add_run(JourneyRun(0, run.client, "complaint", day, run.office, data={"after": "wait"}))
