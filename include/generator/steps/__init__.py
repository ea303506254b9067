"""The steps of every journey: what a client (or the ЦЗН) does at each stage, and what comes next.

Each step is a function ``(ctx, run, payload)`` registered in ``STEPS`` under ``(journey, step)``;
``start`` is the first step of every run. Continuation probabilities are ≥ 0.85 everywhere except
the planted drop-off (``portal.NEEDS_DOCUMENTS_CONTINUE``). Every event a step writes is tagged
with the stage it shows (``feeds.Truth``); ``journeys.STAGES`` lists the stages.
"""

from __future__ import annotations

from include.generator.engine import Step
from include.generator.journeys import STAGES
from include.generator.steps import complaint, employers, outcomes
from include.generator.steps.contact import recontact
from include.generator.steps.lens import lens_event
from include.generator.steps.office import book, remote_case, visit
from include.generator.steps.portal import approve, fix_documents, moderation
from include.generator.steps.services import apply, start


def _register() -> dict[tuple[str, str], Step]:
    common: dict[str, Step] = {
        "start": start, "recontact": recontact, "apply": apply, "visit": visit, "book": book,
        "remote_case": remote_case, "moderation": moderation, "fix_documents": fix_documents, "lens_event": lens_event,
        "offer": outcomes.offer, "exit": outcomes.exit_case, "employ": outcomes.employ,
        "train_start": outcomes.train_start, "train_end": outcomes.train_end,
    }  # fmt: skip
    special: dict[str, dict[str, Step]] = {
        "unemployment_registration": {"decision": outcomes.decision, "payment": outcomes.payment,
                                      "rereg": outcomes.rereg},
        "job_search": {"selection_visit": outcomes.selection_visit, "referral_result": outcomes.referral_result},
        "training": {"approve": approve},
        "career_guidance_youth": {"recommend": outcomes.recommend},
        "temporary_employment_minors": {"minor_matching": outcomes.minor_matching,
                                        "minor_contract": outcomes.minor_contract,
                                        "minor_support": outcomes.minor_support, "minor_exit": outcomes.minor_exit},
        "self_employment": {"business_plan": outcomes.business_plan, "grant": outcomes.grant,
                            "business_registration": outcomes.business_registration,
                            "follow_up": outcomes.follow_up},
        "social_contract": {"contract_job_search": outcomes.contract_job_search,
                            "contract_employ": outcomes.contract_employ,
                            "contract_outcome": outcomes.contract_outcome},
        "complaint": {"start": complaint.start, "register_complaint": complaint.register_complaint,
                      "answer": complaint.answer, "feedback": complaint.feedback},
        "vacancy_posting": {"candidates": employers.candidates, "hire": employers.hire,
                            "employer_feedback": employers.employer_feedback},
        "mass_hiring": {"hr_consultation": employers.hr_consultation, "job_fair": employers.job_fair,
                        "preselection": employers.preselection, "training_on_demand": employers.training_on_demand,
                        "mass_hire": employers.mass_hire, "retention": employers.retention},
        "employer_support": {"support_review": employers.support_review,
                             "support_agreement": employers.support_agreement,
                             "support_report": employers.support_report},
    }  # fmt: skip
    assert set(special) == set(STAGES)
    steps: dict[tuple[str, str], Step] = {}
    for journey, own in special.items():
        for name, step in {**common, **own}.items():
            steps[(journey, name)] = step
    return steps


STEPS = _register()
# steps the ЦЗН staff take (moderation, case events): they wait for the next working day
STAFF_STEPS = frozenset({
    "moderation", "approve", "remote_case", "offer", "decision", "exit", "employ", "train_start", "train_end",
    "recommend", "candidates", "hire", "answer", "referral_result", "register_complaint", "lens_event",
    "minor_matching", "minor_contract", "minor_support", "minor_exit", "business_plan", "grant",
    "business_registration", "follow_up", "contract_job_search", "contract_employ", "contract_outcome",
    "hr_consultation", "job_fair", "preselection", "training_on_demand", "mass_hire", "retention",
    "support_review", "support_agreement", "support_report", "employer_feedback",
})  # fmt: skip
