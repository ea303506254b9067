"""The steps of every journey: what a client (or the ЦЗН) does at each stage, and what comes next.

Each step is a function ``(ctx, run, payload)`` registered in ``STEPS`` under ``(journey, step)``;
``start`` is the first step of every run. Continuation probabilities are ≥ 0.85 everywhere except
the planted drop-off (``portal.NEEDS_DOCUMENTS_CONTINUE``). Which event marks which stage:
``journeys.STAGE_EVENTS``.
"""

from __future__ import annotations

from include.generator.engine import Step
from include.generator.steps.complaint import answer, feedback, start
from include.generator.steps.contact import information, recontact
from include.generator.steps.office import book, remote_case, visit
from include.generator.steps.outcomes import (
    candidates,
    decision,
    employ,
    exit_case,
    hire,
    offer,
    payment,
    recommend,
    rereg,
    selection_visit,
    train_end,
    train_start,
)
from include.generator.steps.portal import apply, approve, fix_documents, moderation


def _register() -> dict[tuple[str, str], Step]:
    common: dict[str, Step] = {"recontact": recontact, "start": information, "apply": apply, "visit": visit,
                               "book": book, "offer": offer, "remote_case": remote_case, "moderation": moderation,
                               "fix_documents": fix_documents, "exit": exit_case, "employ": employ}  # fmt: skip
    special: dict[str, dict[str, Step]] = {
        "unemployment_registration": {"decision": decision, "payment": payment, "rereg": rereg},
        "job_search": {"selection_visit": selection_visit},
        "training": {"approve": approve, "train_start": train_start, "train_end": train_end},
        "career_guidance": {"recommend": recommend},
        "vacancy_posting": {"candidates": candidates, "hire": hire},
        "complaint": {"start": start, "answer": answer, "feedback": feedback},
    }
    steps: dict[tuple[str, str], Step] = {}
    for journey, own in special.items():
        for name, step in {**common, **own}.items():
            steps[(journey, name)] = step
    return steps


STEPS = _register()
# steps the ЦЗН staff take (moderation, case events): they wait for the next working day
STAFF_STEPS = frozenset({
    "moderation", "approve", "remote_case", "offer", "decision", "exit", "employ", "train_start", "train_end",
    "recommend", "candidates", "hire", "answer",
})  # fmt: skip
