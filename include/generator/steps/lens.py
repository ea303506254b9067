"""What the ЦЗН does for a client because of the client's group, recorded as case events.

These events show the stages of the target-group journeys (``journeys.LENSES``) that the service
journeys do not have: the outreach call after data arrived from ФРИ, a support plan with a
mentor, group sessions for the long-term unemployed, the employer's notice of a coming layoff,
support after employment, the check that a first job was kept. Only a client's first service run
carries them (a lens is one pass per client).
"""

from __future__ import annotations

from include.generator.engine import DayContext
from include.generator.journeys import CITIZEN_SERVICES, JourneyRun, lens_tags

# group -> (lens, event before the service starts, its stage, probability)
BEFORE = {
    "disabled": ("disabled_supported_employment", "outreach_contact", "outreach", 0.75),
    "pre_retirement": ("pre_retirement", "outreach_contact", "outreach", 0.5),
    "layoff_risk": ("layoff_risk_workers", "layoff_notice_received", "employer_notice", 0.8),
}
SUPPORT_PLAN = 0.8
OUTREACH_NO_RESPONSE = 0.45  # planted: almost half of the people with disabilities invited never come
ADAPTATION = 0.75


def is_lens_run(run: JourneyRun) -> bool:
    return run.kind in CITIZEN_SERVICES and run.data.get("lens", False)


def before_service(ctx: DayContext, run: JourneyRun) -> bool:
    """At the start of a client's first service run: the ЦЗН reached out first (or learnt of a
    layoff). Returns whether the client goes on (an invited person with a disability may not)."""
    if run.kind not in CITIZEN_SERVICES or ctx.engine.first_service_run.get(run.client.cid) != run.jid:
        return True
    run.data["lens"] = True
    plan = BEFORE.get(run.client.group)
    # the ЦЗН reaches out on working days
    if plan is None or run.started_before or ctx.day.isoweekday() > 5 or ctx.rng.random() >= plan[3]:
        return True
    lens, event, stage, _ = plan
    at = ctx.working_time(run.office)
    ctx.case(run, at, event, tags=lens_tags(run.client, lens, stage))
    if run.client.group == "disabled" and ctx.rng.random() < OUTREACH_NO_RESPONSE:
        run.outcome = "dropped"
        return False
    if run.client.group == "layoff_risk":
        ctx.later(run, "lens_event", 1, 6, {"event": "outreach_contact", "lens": lens, "stage": "monitoring"})
        if ctx.rng.random() < 0.6:
            payload = {"event": "job_fair_visit", "lens": lens, "stage": "consultations"}
            ctx.later(run, "lens_event", 5, 15, payload)
    return True


def after_case_opened(ctx: DayContext, run: JourneyRun, at: int) -> None:
    """A support plan for a person with a disability; the adaptation programme for the long-term unemployed."""
    if not is_lens_run(run):
        return
    group, rng = run.client.group, ctx.rng
    if group == "disabled" and rng.random() < SUPPORT_PLAN:
        tags = lens_tags(run.client, "disabled_supported_employment", "support_plan")
        ctx.case(run, at + rng.randint(300, 1800), "support_plan_agreed", tags=tags)
    elif group == "long_term_unemployed" and rng.random() < ADAPTATION:
        lens = "social_adaptation"
        ctx.case(run, at + rng.randint(300, 1800), "adaptation_referral", tags=lens_tags(run.client, lens, "referral"))
        ctx.later(run, "lens_event", 3, 8, {"event": "group_session", "lens": lens, "stage": "group_sessions",
                                            "then": "adaptation_completed"})  # fmt: skip


def after_employment(ctx: DayContext, run: JourneyRun) -> None:
    """Support after employment (disabilities), the check that a first job was kept (youth)."""
    if not is_lens_run(run):
        return
    group = run.client.group
    if group == "disabled":
        payload = {"event": "post_employment_support", "lens": "disabled_supported_employment",
                   "stage": "post_support", "after_close": True}  # fmt: skip
        ctx.later(run, "lens_event", 7, 25, payload)
    elif group == "youth" and run.kind == "job_search":
        payload = {"event": "retention_check", "lens": "graduates_first_job", "stage": "retention", "after_close": True}
        ctx.later(run, "lens_event", 14, 35, payload)


def lens_event(ctx: DayContext, run: JourneyRun, payload: dict[str, str | bool]) -> None:
    """A lens's own case event (scheduled by the hooks above)."""
    lens, stage, event = str(payload["lens"]), str(payload["stage"]), str(payload["event"])
    ctx.case(run, ctx.working_time(run.office), event, tags=lens_tags(run.client, lens, stage))
    then = payload.get("then")
    if event == "group_session" and not payload.get("second"):
        ctx.later(run, "lens_event", 3, 8, {**payload, "second": True})
    elif event == "group_session" and then:
        ctx.later(run, "lens_event", 4, 10, {"event": str(then), "lens": lens, "stage": "skills"})
