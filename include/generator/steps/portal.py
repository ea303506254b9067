"""Portal steps: ESIA login and application on «Работа России», moderation, documents, approval.

Planted drop-off: in ``unemployment_registration`` only ``NEEDS_DOCUMENTS_CONTINUE`` of the
applications sent back with ``needs_documents`` are ever completed (other stages keep ≥ 85 %). A
return for documents is not progress: the client is still at the application stage until the
application is accepted (``cv_moderation``); some withdraw the application instead.
"""

from __future__ import annotations

from typing import Any

from include.generator import identity as ident
from include.generator.engine import DayContext
from include.generator.journeys import APPLICATION_TYPE, JourneyRun
from include.generator.schedule import HOUR
from include.generator.steps.contact import GENERAL, contact
from include.generator.steps.office import offline
from include.generator.website import (
    APPLICATIONS_URL,
    APPLY_URL,
    CABINET_URL,
    GOAL_APPLICATION,
    GOAL_LOGIN,
    LOGIN_URL,
)

NEEDS_DOCUMENTS_SHARE = 0.75
NEEDS_DOCUMENTS_CONTINUE = 0.4  # planted: 60 % never come back after "needs documents"
WITHDRAWN_SHARE = 0.25  # of those who give up, some withdraw the application on the portal
SITE_THEME = {"unemployment_registration": "unemployment", "job_search": "vacancies", "training": "training",
              "vacancy_posting": "employer", "complaint": "complaint", "career_guidance_youth": "career"}  # fmt: skip
APPLY_SLUG = {"unemployment_registration": "unemployment", "job_search": "job-search", "training": "training",
              "vacancy_posting": "vacancy", "complaint": "complaint", "career_guidance_youth": "career-guidance",
              "temporary_employment_minors": "minors", "self_employment": "self-employment",
              "social_contract": "social-contract", "mass_hiring": "mass-hiring",
              "employer_support": "employer-support"}  # fmt: skip
# the stage a submitted application shows, per journey
APPLY_STAGE = {"vacancy_posting": "vacancy_posted", "complaint": "registration", "career_guidance_youth": "event",
               "self_employment": "consultation", "social_contract": "plan", "mass_hiring": "request"}  # fmt: skip
# the stage the service's information pages show, browsed before logging in
THEME_STAGE = {"unemployment_registration": "information", "job_search": "information", "training": "information",
               "career_guidance_youth": "event", "vacancy_posting": "registration"}  # fmt: skip
# the stage an accepted application shows (a return for documents stays where it was)
ACCEPTED_STAGE = {"unemployment_registration": "cv_moderation", "vacancy_posting": "moderation"}


# ----------------------------------------------------------------------------- portal


def _application_fields(ctx: DayContext, run: JourneyRun) -> dict[str, Any]:
    client, rng = run.client, ctx.rng
    email = client.email
    if email and rng.random() < 0.3:
        email = email.capitalize()
    return {
        "snils": ident.snils_text(client.snils, rng.random() < 0.8) if client.snils else None,
        "phone": ident.portal_phone(client.phone, rng.randrange(2)) if client.phone and rng.random() < 0.95 else None,
        "email": email,
        "inn": client.inn,
        "ogrn": client.ogrn,
    }


def apply(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """ESIA login and the application on «Работа России» (offline path without an ESIA account)."""
    client, rng = run.client, ctx.rng
    if not client.esia:
        offline(ctx, run, payload)
        return
    run.cookie = run.cookie or (client.cookies[0] if rng.random() < 0.8 else rng.choice(client.cookies))
    goes_on = rng.random() < 0.93
    slug = APPLY_SLUG[run.kind]
    extra: tuple[tuple[str, int | None], ...] = ((LOGIN_URL, GOAL_LOGIN), (CABINET_URL, None))
    extra_tags: list[tuple[tuple[str, str, str], ...]] = [(), ()]
    if goes_on:
        form = APPLY_URL.format(type=slug)
        extra += ((form, None), (f"{form}&step=2", None), (APPLICATIONS_URL, GOAL_APPLICATION))
        # opening the application form is where the online application starts
        extra_tags += [run.tags("esia_login"), (), ()]
    pages = rng.randrange(3)
    theme_stage = THEME_STAGE.get(run.kind)
    times, cookie = ctx.site(client, SITE_THEME.get(run.kind, "general"), pages=pages, cookie=run.cookie,
                             extra=extra, tags=run.tags(theme_stage), extra_tags=tuple(extra_tags))  # fmt: skip
    ctx.portal(client, times[pages + 1] - rng.randint(1, 6), "esia_login", cookie,
               tags=run.tags("registration") if run.kind == "vacancy_posting" else ())  # fmt: skip
    if run.kind in ("unemployment_registration", "vacancy_posting"):
        run.reach("esia_login" if run.kind == "unemployment_registration" else "registration", ctx.day)
    if ctx.rng.random() < 0.02:
        ctx.survey(client, times[-1] + 60, "portal", "esia_login", 3.6, ("site",))
    if not goes_on:
        ctx.advance(run, "apply", 0.6, 1, 4)  # comes back another day, or gives up
        return
    submitted = times[-1] - rng.randint(1, 4)
    submit(ctx, run, submitted, cookie)


def submit(ctx: DayContext, run: JourneyRun, submitted: int, cookie: str | None) -> None:
    """The application itself, and what the ЦЗН does next."""
    client, rng = run.client, ctx.rng
    run.application_id = ctx.w.website.new_application_id(ctx.day.year)
    office_id = ctx.w.spec.offices[run.office].office_id
    stage = APPLY_STAGE.get(run.kind, "application")
    ctx.portal(client, submitted, "application_submitted", cookie, tags=run.tags(stage, "application_online"),
               **_application_fields(ctx, run), application_id=run.application_id,
               application_type=APPLICATION_TYPE[run.kind], status="submitted", office_id=office_id,
               client_group=None if client.is_employer else client.group)  # fmt: skip
    run.reach(stage, ctx.day)
    if rng.random() < 0.1:
        touchpoint = "employer_cabinet" if client.is_employer else "portal_application"
        ctx.survey(client, submitted + 120, "portal", touchpoint, 4.1, ("site",))
    if run.kind == "complaint":
        ctx.later(run, "answer", 3, 10)
    elif run.kind == "training":
        ctx.later(run, "approve", 2, 5)
    elif run.kind in NEXT_AFTER_APPLICATION:
        ctx.later(run, NEXT_AFTER_APPLICATION[run.kind], 1, 5)
    else:
        _moderate_within_a_working_day(ctx, run, submitted)


# journeys whose application goes straight to a specialist (no CV moderation)
NEXT_AFTER_APPLICATION = {
    "career_guidance_youth": "book", "temporary_employment_minors": "remote_case", "self_employment": "visit",
    "social_contract": "visit", "mass_hiring": "remote_case", "employer_support": "remote_case",
}  # fmt: skip


def _moderate_within_a_working_day(ctx: DayContext, run: JourneyRun, submitted: int) -> None:
    local = submitted - ctx.clock.midnight
    if ctx.day.isoweekday() <= 5 and local < 13 * HOUR and ctx.rng.random() < 0.5:
        moderation(ctx, run, {"at": submitted + ctx.rng.randint(HOUR, 4 * HOUR)})
        return
    delay = 1 if ctx.day.isoweekday() < 5 else 8 - ctx.day.isoweekday()
    ctx.engine.schedule(run, "moderation", ctx.clock.ordinal + delay)


def set_status(ctx: DayContext, run: JourneyRun, at: int, status: str, tags: tuple[tuple[str, str, str], ...]) -> None:
    office_id = ctx.w.spec.offices[run.office].office_id
    ctx.portal(run.client, at, "application_status_changed", None, tags=tags, application_id=run.application_id,
               application_type=APPLICATION_TYPE[run.kind], status=status, office_id=office_id)  # fmt: skip


def _accepted(ctx: DayContext, run: JourneyRun, at: int) -> None:
    stage = ACCEPTED_STAGE.get(run.kind, "application")
    set_status(ctx, run, at, "accepted", run.tags(stage, "application_accepted"))
    run.reach(stage, ctx.day)


def moderation(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """CV / application moderation within one working day: accepted or needs documents."""
    rng = ctx.rng
    at = payload.get("at") or ctx.clock.epoch(rng.randrange(9 * HOUR, 12 * HOUR))
    share = NEEDS_DOCUMENTS_SHARE if run.kind == "unemployment_registration" else 0.12
    needs = run.kind != "job_search" and rng.random() < share
    if needs:
        set_status(ctx, run, at, "needs_documents", run.tags(APPLY_STAGE.get(run.kind, "application")))
        if rng.random() < 0.08:
            ctx.survey(run.client, at + 3 * HOUR, "portal", "portal_cabinet", 2.6, ("documents",))
        keep = NEEDS_DOCUMENTS_CONTINUE if run.kind == "unemployment_registration" else 0.9
        if not ctx.advance(run, "fix_documents", keep, 1, 4) and rng.random() < WITHDRAWN_SHARE:
            later = at + rng.randint(1, 3) * 86400 // 2
            set_status(ctx, run, later, "withdrawn", run.tags(APPLY_STAGE.get(run.kind, "application")))
        return
    _accepted(ctx, run, at)
    if run.kind == "unemployment_registration":
        ctx.advance(run, "book", 0.95, 1, 3)
    else:
        ctx.advance(run, "remote_case", 0.95, 1, 3)


def fix_documents(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """The client asks what is missing (a general question), uploads it, the application is accepted."""
    contact(ctx, run, GENERAL)
    rng = ctx.rng
    times, cookie = ctx.site(run.client, "cabinet", pages=0, cookie=run.cookie,
                             extra=((LOGIN_URL, GOAL_LOGIN), (CABINET_URL, None), (APPLICATIONS_URL, None)))  # fmt: skip
    ctx.portal(run.client, times[1] - rng.randint(1, 6), "esia_login", cookie)
    _accepted(ctx, run, times[-1] + rng.randint(HOUR, 3 * HOUR))
    ctx.advance(run, "book" if run.kind == "unemployment_registration" else "remote_case", 0.95, 1, 3)


def approve(ctx: DayContext, run: JourneyRun, payload: dict[str, Any]) -> None:
    """Training: the application is approved (or rejected)."""
    approved = ctx.rng.random() < 0.95
    evidence = ("application_accepted",) if approved else ()
    set_status(ctx, run, ctx.working_time(run.office), "approved" if approved else "rejected",
               run.tags("approval", *evidence))  # fmt: skip
    run.reach("approval", ctx.day)
    if approved:
        ctx.advance(run, "book", 0.96, 1, 4)
    else:
        run.outcome = "dropped"
