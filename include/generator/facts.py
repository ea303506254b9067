"""The known facts planted in a region, as written to the manifest for the tests of the product.

``pain_points`` are the two queue pain points (office Monday queue, central-line mornings);
``planted_facts`` adds a chatbot intent that always falls back, a journey stage with a heavy
drop-off and an improvement measure with an effect on one office's walk-in waits. Each fact
says what the product should find (``expected``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from include.generator import callcentre as cc
from include.generator.callcentre import DOCUMENTS_RESOLVED
from include.generator.chatbot import NEVER_RECOGNISED
from include.generator.seeds import Office, RegionSpec
from include.generator.steps.employers import SUPPORT_APPROVED
from include.generator.steps.lens import OUTREACH_NO_RESPONSE
from include.generator.steps.outcomes import GRANT_AWARDED
from include.generator.steps.portal import NEEDS_DOCUMENTS_CONTINUE

MEASURE_OFFICE_INDEX = 2
MEASURE_AT = 0.4  # share of the period after which the measure starts
BEFORE_SHARE = 0.5  # windows working before the measure (staff shortage)
EXTRA_WINDOWS = 1  # opened by the measure


def registered_measure_start(office_id: str) -> dt.date | None:
    """Start of the walk-in-wait measure the working group registered for ``office_id``
    (``dbt/seeds/improvement_measures.csv``): the generator plants the effect of the real entry."""
    import csv

    from include import settings

    path = settings.SEEDS_DIR / "improvement_measures.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["office_id"] == office_id and row["target_kpi_id"] == "office_wait_walkin":
                return dt.date.fromisoformat(row["start_date"])
    return None


def measure_start(days: list[dt.date], office_id: str | None = None) -> dt.date | None:
    """First day of the improvement measure (None for too short a period).

    The registered measure's date when it falls inside the period with at least a week on each
    side (so before and after can be compared); else 40 % into the period.
    """
    if len(days) < 5:
        return None
    registered = registered_measure_start(office_id) if office_id else None
    if registered is not None and days[0] + dt.timedelta(days=7) <= registered <= days[-1] - dt.timedelta(days=6):
        return registered
    return days[int(len(days) * MEASURE_AT)]


def measure_servers(office: Office, day: dt.date, start: dt.date | None, base: int) -> int:
    """Windows working at the measure's office: short-staffed before, extra windows from ``start``."""
    if start is None or office.index != MEASURE_OFFICE_INDEX:
        return base
    return max(1, round(base * BEFORE_SHARE)) if day < start else base + EXTRA_WINDOWS


def pain_points(spec: RegionSpec) -> list[dict[str, Any]]:
    """The planted pain points of the region, as written to the manifest."""
    central = spec.queues[0]
    points: list[dict[str, Any]] = []
    if len(spec.offices) >= 2:
        office = spec.offices[1]
        points.append({
            "id": "office_monday_queue",
            "source": "office_visits",
            "kpi_id": "office_wait_walkin",
            "office_id": office.office_id,
            "queue_name": None,
            "touchpoint_id": "office_queue",
            "condition": {"weekday": 1},
            "description_ru": (
                f"{office.name_ru}: по понедельникам работает половина окон при повышенном потоке, "
                "посетители без записи ждут вызова 30–90 минут"
            ),
        })  # fmt: skip
    points.append({
        "id": "central_queue_morning_understaffing",
        "source": "call_centre",
        "kpi_id": "call_abandon_rate",
        "office_id": central.office.office_id,
        "queue_name": central.queue_name,
        "touchpoint_id": "call_centre_operator",
        "condition": {"hours_local": [cc.PAIN_HOURS[0], cc.PAIN_HOURS[1]]},
        "description_ru": (
            f"Линия {central.queue_name} ({central.office.name_ru}): с 8 до 12 часов не хватает "
            "операторов, 30–45 % утренних звонков теряются"
        ),
    })  # fmt: skip
    return points


def planted_facts(spec: RegionSpec, days: list[dt.date]) -> list[dict[str, Any]]:
    """Chatbot fallback, stage drop-off and (with ≥ 3 offices) the improvement measure."""
    facts: list[dict[str, Any]] = [
        {
            "id": "chatbot_training_fallback",
            "kind": "chatbot_fallback",
            "source": "chatbot",
            "touchpoint_id": "chatbot",
            "kpi_id": "chatbot_fallback_rate",
            "intent": NEVER_RECOGNISED,
            "journey": "training",
            "stage": "information",
            "expected": {
                "intent_recognised_events_with_intent": 0,
                "fallback_share_of_training_messages": 1.0,
                "finding": "самая высокая доля нераспознанных сообщений — вопросы об обучении",
            },
            "description_ru": (
                "Чат-бот не распознаёт вопросы о программах обучения (training_programs): каждое такое "
                "сообщение заканчивается событием fallback, клиенты уходят к оператору или бросают чат"
            ),
        },
        {
            "id": "needs_documents_dropoff",
            "kind": "stage_dropoff",
            "source": "portal",
            "touchpoint_id": "portal_application",
            "kpi_id": "stage_drop_off",
            "journey": "unemployment_registration",
            "stage": "application",
            "after_event": {"source": "portal", "event_type": "application_status_changed",
                            "status": "needs_documents"},
            "also_in": [{"journey": "remote_services", "stage": "application"},
                        {"journey": "job_loss", "stage": "registration"}],
            "expected": {
                "drop_share": round(1 - NEEDS_DOCUMENTS_CONTINUE, 2),
                "other_stages_max_drop_share": 0.15,
                "finding": "после возврата заявления на доработку большинство клиентов не возвращается",
            },
            "description_ru": (
                "Регистрация в качестве безработного: после статуса «требуются документы» около 60 % "
                "заявителей не продолжают — заявление так и остаётся неподанным, самый большой отток на маршруте"
            ),
        },
        _stage_fact("disabled_outreach_no_response", "cases", "disabled_supported_employment", "outreach",
                    OUTREACH_NO_RESPONSE,
                    "Люди с инвалидностью: после приглашения ЦЗН (данные из ФРИ) почти половина не приходит — "
                    "приглашение по телефону не доходит до человека"),
        _stage_fact("self_employment_grant_refusals", "cases", "self_employment", "grant", 1 - GRANT_AWARDED,
                    "Самозанятость: почти половина заявок на грант отклоняется, заявители уходят без своего дела"),
        _stage_fact("employer_support_refusals", "cases", "employer_support", "review", 1 - SUPPORT_APPROVED,
                    "Меры поддержки работодателей: треть заявлений отклоняется при рассмотрении"),
        _stage_fact("documents_questions_unanswered", "call_centre", "information_request", "contact",
                    1 - DOCUMENTS_RESOLVED,
                    "Справочные обращения: на вопросы о документах контакт-центр отвечает с первого раза "
                    "меньше чем в половине случаев", kpi_id="first_contact_resolution"),
        {
            "id": "complaints_answered_late",
            "kind": "late_answers",
            "source": "cases",
            "touchpoint_id": "complaint_handling",
            "kpi_id": "complaints_on_time",
            "journey": "complaint",
            "stage": "answer",
            "expected": {"late_share_at_least": 0.3,
                         "finding": "жалобы по телефону и в чат-боте часто рассматриваются дольше 10 рабочих дней"},
            "description_ru": "Жалобы: ответ на треть и более жалоб дан позже установленного срока",
        },
    ]  # fmt: skip
    office_id = spec.offices[MEASURE_OFFICE_INDEX].office_id if len(spec.offices) > MEASURE_OFFICE_INDEX else None
    start = measure_start(days, office_id)
    if len(spec.offices) > MEASURE_OFFICE_INDEX and start is not None:
        office = spec.offices[MEASURE_OFFICE_INDEX]
        facts.append({
            "id": "extra_windows_measure",
            "kind": "improvement_measure",
            "source": "office_visits",
            "office_id": office.office_id,
            "touchpoint_id": "office_queue",
            "kpi_id": "office_wait_walkin",
            "start_date": start.isoformat(),
            "comparison_offices": [o.office_id for o in spec.offices if o.index not in (1, MEASURE_OFFICE_INDEX)],
            "expected": {
                "effect": "walk-in waits drop at the office from start_date; comparison offices do not change",
                "method": "difference in differences",
            },
            "description_ru": (
                f"{office.name_ru}: до {start:%d.%m.%Y} из-за нехватки специалистов работала половина окон; "
                "с этой даты открыты все окна и одно дополнительное — ожидание посетителей без записи сократилось"
            ),
        })  # fmt: skip
    return facts


def _stage_fact(
    fact_id: str, source: str, journey: str, stage: str, drop: float, text: str, kpi_id: str = "stage_drop_off"
) -> dict[str, Any]:
    """A stage where many clients stop (or, for a question, get no answer): ``kpi_id`` of the journey's stage."""
    return {
        "id": fact_id,
        "kind": "stage_dropoff",
        "source": source,
        "kpi_id": kpi_id,
        "journey": journey,
        "stage": stage,
        "expected": {"drop_share": round(drop, 2)},
        "description_ru": text,
    }
