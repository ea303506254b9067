"""The journey marts of the published contract with planted facts (shared by the report tests).

Three journeys of the Энская область (two for citizens, one for employers) with their stages;
every stage row of ``journey_map`` carries touchpoints, KPI values, feedback, pain points and
measures as the lead's dbt models publish them. Planted:

* a stage outside the ЦЗН (``need`` of the registration journey, ``interview`` of job search);
* a red KPI cell: walk-in wait at the application stage, 64,2 % against ≥ 90 %;
* suppressed figures: the employers' last stage reached by 3 clients, a CSAT of 33,3 % on 3
  answers, 4 survey answers with a quote that must never reach a page, an effect on 4 tickets;
* 12 ranked pain points (2 quick wins), one at a touchpoint with no journey;
* one significant and one non-significant improvement effect;
* data freshness with one stale source and one with many rejected rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import psycopg

REGION = "enskaya"

JOURNEY_DDL = """
create table marts.dim_journeys (
    journey_id text not null, journey_name_ru text not null, client_kind text not null,
    target_client_group text, client_group_name_ru text, basis text not null, basis_value_ru text,
    application_type text, czn_interactions text, version int not null, valid_from date not null,
    valid_to date, stage_count int not null, primary key (journey_id, version));
create table marts.dim_journey_stages (
    journey_id text not null, stage_id text not null, stage_order int not null,
    stage_name_ru text not null, stage_goal_ru text, is_inside_czn bool not null, drop_off_days int,
    primary key (journey_id, stage_id));
create table marts.journey_map (
    journey_id text not null, stage_id text not null, stage_order int not null,
    stage_name_ru text not null, stage_goal_ru text, is_inside_czn bool not null,
    touchpoints jsonb not null, clients_reached int not null, clients_next int,
    conversion_to_next numeric, drop_off_share numeric, median_days_to_next numeric,
    p75_days_to_next numeric, p90_days_to_next numeric, kpis jsonb not null, feedback jsonb,
    pain_points jsonb not null, measures jsonb not null, primary key (journey_id, stage_id));
create table marts.fct_stage_funnel (
    journey_id text not null, stage_id text not null, stage_order int not null,
    clients_reached int not null, clients_next int, conversion_to_next numeric, dropped int,
    drop_off_share numeric, median_days_to_next numeric, p75_days_to_next numeric,
    p90_days_to_next numeric, primary key (journey_id, stage_id));
create table marts.pain_points (
    pain_point_id text primary key, rank int not null, level text not null, kpi_id text not null,
    kpi_name_ru text not null, unit text not null, direction text not null, journey_id text,
    stage_id text, touchpoint_id text, office_id text, value numeric, norm_value numeric,
    gap numeric, clients_affected int, score numeric, is_quick_win bool not null,
    responsible_unit_ru text);
create table marts.improvement_effects (
    measure_id text primary key, measure_name_ru text not null, office_id text, touchpoint_id text,
    kpi_id text not null, start_date date not null, before_value numeric, after_value numeric,
    before_n int, after_n int, change numeric, change_ci_low numeric, change_ci_high numeric,
    control_change numeric, did numeric, did_ci_low numeric, did_ci_high numeric,
    is_significant bool not null);
create table marts.client_group_profiles (
    client_group text primary key, client_group_name_ru text not null, clients int,
    channel_shares jsonb, top_journeys jsonb, top_pain_points jsonb);
create table marts.fct_data_freshness (
    source text not null, region_id text not null, last_loaded_at timestamptz,
    last_data_date date, batches int, rows_loaded bigint, rows_rejected bigint,
    rejected_share numeric, primary key (source, region_id));
"""

TOUCHPOINTS = {  # id -> (name, unit, tools, channel) as in dbt/seeds/touchpoints.csv
    "website": (
        "Сайт ЦЗН и «Работа России»: информация и поиск вакансий",
        "Отдел цифровых сервисов ЦЗН",
        "Сайт ЦЗН; ЕЦП «Работа России»; Яндекс Метрика",
        "website",
    ),
    "call_centre_operator": (
        "Контакт-центр: оператор",
        "Контакт-центр ЦЗН",
        "IP-телефония (Asterisk); CRM с классификатором обращений",
        "call_centre",
    ),
    "chatbot": (
        "Чат-бот на сайте и в мессенджерах",
        "Отдел цифровых сервисов ЦЗН",
        "Чат-бот (сайт; ВКонтакте; Telegram; MAX); база знаний",
        "chatbot",
    ),
    "esia_login": ("Вход через Госуслуги (ЕСИА)", "Отдел цифровых сервисов ЦЗН", "ЕСИА; ЕЦП «Работа России»", "portal"),
    "portal_application": (
        "«Работа России»: подача заявления",
        "Отдел цифровых сервисов ЦЗН",
        "ЕЦП «Работа России»; личный кабинет",
        "portal",
    ),
    "office_queue": (
        "ЦЗН: электронная очередь (ожидание)",
        "Отдел организации приёма ЦЗН",
        "Терминал электронной очереди; табло вызова; предварительная запись",
        "office",
    ),
    "office_window": (
        "ЦЗН: приём у специалиста (окно)",
        "Отдел трудоустройства ЦЗН",
        "Автоматизированное рабочее место специалиста; ЕЦП «Работа России»",
        "office",
    ),
    "case_consultant": (
        "ЦЗН: ведение дела карьерным консультантом",
        "Отдел трудоустройства ЦЗН",
        "АИС ведения дел; ЕЦП «Работа России»",
        "office",
    ),
    "benefit_payment": (
        "Назначение и выплата пособия",
        "Отдел социальных выплат ЦЗН",
        "АИС ведения дел; Социальный фонд России",
        "office",
    ),
    "employer_cabinet": (
        "«Работа России»: кабинет работодателя",
        "Отдел работы с работодателями ЦЗН",
        "ЕЦП «Работа России»; кабинет работодателя",
        "portal",
    ),
    "notifications": (
        "Уведомления (SMS; e-mail; push)",
        "Отдел цифровых сервисов ЦЗН",
        "Сервис уведомлений",
        "notifications",
    ),
    "job_fair": (
        "Ярмарки вакансий и мероприятия",
        "Отдел работы с работодателями ЦЗН",
        "Площадки ярмарок; «Работа России»",
        "events",
    ),
}

# kpi_id -> (name, unit, direction, norm, amber band) as in dbt/seeds/kpi_definitions.csv
KPI_DEFS = {
    "office_wait_walkin": (
        "Ожидание в очереди без записи: доля дождавшихся вызова за 15 минут",
        "share",
        "higher_is_better",
        0.9,
        0.1,
    ),
    "office_service_time": (
        "Приём у специалиста: доля приёмов не дольше 15 минут",
        "share",
        "higher_is_better",
        0.9,
        0.1,
    ),
    "electronic_share": ("Доля заявлений, поданных в электронном виде", "share", "higher_is_better", 0.7, 0.1),
    "csat": ("Удовлетворённость (доля оценок 4–5)", "share", "higher_is_better", 0.9, 0.1),
    "call_service_level": (
        "Уровень обслуживания: доля звонков, принятых за 90 секунд",
        "share",
        "higher_is_better",
        0.76,
        0.1,
    ),
    "call_abandon_rate": ("Доля потерянных звонков", "share", "lower_is_better", 0.1, 0.3),
    "chatbot_fallback_rate": ("Доля нераспознанных обращений к чат-боту", "share", "lower_is_better", 0.15, 0.3),
    "time_to_stage": ("Время до следующей стадии (медиана)", "days", "lower_is_better", 10, 0.2),
    "stage_conversion": ("Переход на следующую стадию", "share", "higher_is_better", 0.7, 0.1),
    "employment_outcome": ("Трудоустройство по итогам обращения", "share", "higher_is_better", 0.5, 0.2),
    "first_contact_resolution": ("Решение с первого обращения", "share", "higher_is_better", 0.8, 0.1),
}


def kpi_status(kpi_id: str, value: float) -> str:
    _, _, direction, norm, band = KPI_DEFS[kpi_id]
    if direction == "higher_is_better":
        return "green" if value >= norm else "amber" if value >= norm * (1 - band) else "red"
    return "green" if value <= norm else "amber" if value <= norm * (1 + band) else "red"


def kpi(
    kpi_id: str, value: float, sample: int, touchpoint: str | None = None, status: str | None = None
) -> dict[str, Any]:
    name, unit, direction, norm, _ = KPI_DEFS[kpi_id]
    return {
        "kpi_id": kpi_id,
        "kpi_name_ru": name,
        "unit": unit,
        "direction": direction,
        "value": value,
        "norm_value": norm,
        "status": status or kpi_status(kpi_id, value),
        "sample_size": sample,
        "touchpoint_id": touchpoint,
    }


def touchpoint(touchpoint_id: str, events: int) -> dict[str, Any]:
    name, unit, tools, channel = TOUCHPOINTS[touchpoint_id]
    return {
        "touchpoint_id": touchpoint_id,
        "touchpoint_name_ru": name,
        "responsible_unit_ru": unit,
        "tools_ru": tools,
        "channel": channel,
        "events": events,
    }


def feedback(
    responses: int,
    csat: float | None,
    ces: float | None,
    nps: float | None,
    themes: list[tuple[str, str, int]],
    quotes: list[str],
) -> dict[str, Any]:
    return {
        "responses": responses,
        "csat": csat,
        "ces": ces,
        "nps": nps,
        "themes": [{"theme": t, "theme_name_ru": n, "mentions": m} for t, n, m in themes],
        "quotes": quotes,
    }


@dataclass(frozen=True)
class Stage:
    stage_id: str
    name: str
    goal: str
    inside: bool
    reached: int
    following: int | None
    days: tuple[float, float, float] | None  # median, p75, p90 to the next stage
    touchpoints: tuple[tuple[str, int], ...] = ()
    kpis: tuple[dict[str, Any], ...] = ()
    feedback: dict[str, Any] | None = None
    measures: tuple[str, ...] = ()
    drop_off_days: int | None = 30


@dataclass(frozen=True)
class JourneyDef:
    journey_id: str
    name: str
    kind: str
    group: str
    group_name: str
    basis: str
    basis_value: str
    application_type: str
    interactions: str
    stages: tuple[Stage, ...]


# quotes are pseudonymised by the pipeline; this one belongs to a 4-answer stage and must stay hidden
SECRET_QUOTE = "Менеджер Пётр на ресепшене нагрубил мне лично"

JOURNEYS = (
    JourneyDef(
        "unemployment_registration",
        "Регистрация в качестве безработного и назначение пособия",
        "citizen",
        "unemployed",
        "Безработные граждане",
        "service_type",
        "Регистрация в качестве безработного и пособие",
        "unemployment_registration",
        "many",
        (
            Stage(
                "need",
                "Возникла потребность в работе",
                "Понять, что можно обратиться в службу занятости",
                False,
                2400,
                2100,
                (2.0, 4.0, 9.0),
                (("website", 5200),),
                (),
                None,
            ),
            Stage(
                "information",
                "Поиск информации",
                "Узнать, какие документы нужны и как подать заявление",
                True,
                2100,
                1610,
                (1.0, 3.0, 6.5),
                (("website", 4100), ("call_centre_operator", 1830), ("chatbot", 960)),
                (
                    kpi("call_service_level", 0.71, 1830, "call_centre_operator"),
                    kpi("chatbot_fallback_rate", 0.12, 960, "chatbot"),
                    kpi("first_contact_resolution", 0.83, 1450),
                ),
                feedback(
                    214,
                    0.81,
                    3.9,
                    12,
                    [
                        ("wait_phone", "Долго ждать ответа по телефону", 41),
                        ("unclear_docs", "Непонятен список документов", 27),
                    ],
                    ["Дозвонился только с третьего раза", "На сайте всё понятно, но долго искал форму заявления"],
                ),
                ("m-script",),
            ),
            Stage(
                "application",
                "Подача заявления на «Работе России»",
                "Подать заявление без ошибок с первого раза",
                True,
                1610,
                1320,
                (3.0, 6.0, 11.0),
                (("esia_login", 1600), ("portal_application", 1580), ("office_queue", 655), ("office_window", 640)),
                (
                    kpi("office_wait_walkin", 0.642, 412, "office_queue"),
                    kpi("electronic_share", 0.74, 1610, "portal_application"),
                    kpi("office_service_time", 0.93, 640, "office_window"),
                ),
                feedback(
                    388,
                    0.86,
                    3.6,
                    -4,
                    [
                        ("queue", "Долгая очередь в центре занятости", 63),
                        ("esia", "Сложно войти через Госуслуги", 22),
                        ("rare", "Неудобная парковка", 2),
                    ],
                    [
                        "Прождал в очереди почти час",
                        "Специалист всё объяснил, спасибо",
                        "Сайт зависал при загрузке документов",
                    ],
                ),
                ("m-prebook",),
            ),
            Stage(
                "decision",
                "Решение о статусе и пособии",
                "Получить решение в законный срок (10 рабочих дней)",
                True,
                1320,
                1180,
                (8.0, 11.0, 14.0),
                (("case_consultant", 1300), ("benefit_payment", 1180), ("notifications", 2500)),
                (kpi("time_to_stage", 8.0, 1180), kpi("csat", 0.91, 260)),
                feedback(260, 0.91, 4.2, 28, [("clear", "Понятно объяснили решение", 37)], ["Решение пришло вовремя"]),
            ),
            Stage(
                "exit",
                "Трудоустройство или снятие с учёта",
                "Найти подходящую работу",
                True,
                1180,
                None,
                None,
                (("case_consultant", 1150), ("job_fair", 310)),
                (kpi("employment_outcome", 0.46, 1180),),
                None,
            ),
        ),
    ),
    JourneyDef(
        "job_search",
        "Поиск работы без статуса безработного",
        "citizen",
        "job_seeker",
        "Ищущие работу (без статуса безработного)",
        "czn_interactions",
        "без посещения ЦЗН, всё через портал",
        "job_search",
        "none",
        (
            Stage(
                "portal_search",
                "Поиск вакансий на портале",
                "Найти подходящие вакансии",
                True,
                3900,
                1450,
                (4.0, 9.0, 20.0),
                (("website", 9800), ("esia_login", 2100)),
                (kpi("stage_conversion", 0.37, 3900),),
                feedback(
                    120, 0.78, 3.4, -9, [("filters", "Неудобные фильтры поиска", 18)], ["Много устаревших вакансий"]
                ),
            ),
            Stage(
                "response",
                "Отклик и подбор специалистом ЦЗН",
                "Получить приглашение на собеседование",
                True,
                1450,
                880,
                (5.0, 10.0, 18.0),
                (("portal_application", 1450), ("case_consultant", 300)),
                (kpi("stage_conversion", 0.61, 1450),),
                None,
            ),
            Stage(
                "interview",
                "Собеседование у работодателя",
                "Пройти собеседование",
                False,
                880,
                410,
                (7.0, 12.0, 21.0),
                (),
                (),
                None,
            ),
            Stage(
                "employment",
                "Трудоустройство",
                "Выйти на работу",
                True,
                410,
                None,
                None,
                (("notifications", 410),),
                (kpi("csat", 0.92, 96),),
                None,
            ),
        ),
    ),
    JourneyDef(
        "vacancy_posting",
        "Размещение вакансии и подбор персонала",
        "employer",
        "employer",
        "Работодатели",
        "task_type",
        "получить услугу: подбор персонала",
        "vacancy_posting",
        "one",
        (
            Stage(
                "registration",
                "Регистрация работодателя",
                "Зарегистрироваться на «Работе России» через ЕСИА",
                True,
                96,
                71,
                (1.0, 2.0, 5.0),
                (("esia_login", 96), ("employer_cabinet", 96)),
                (kpi("csat", 0.88, 40),),
                feedback(
                    40,
                    0.88,
                    4.0,
                    15,
                    [("esia_legal", "Сложная регистрация юрлица в ЕСИА", 9)],
                    ["Регистрация заняла два дня"],
                ),
            ),
            Stage(
                "posting",
                "Размещение вакансии и модерация",
                "Опубликовать вакансию за один рабочий день",
                True,
                71,
                40,
                (1.0, 1.5, 3.0),
                (("employer_cabinet", 140),),
                (kpi("time_to_stage", 1.0, 40),),
                None,
            ),
            Stage(
                "selection",
                "Подбор кандидатов специалистом ЦЗН",
                "Получить подходящих кандидатов",
                True,
                40,
                3,
                (12.0, 20.0, 31.0),
                (("case_consultant", 38), ("job_fair", 12)),
                (kpi("csat", 0.333, 3, status="red"),),
                feedback(
                    4,
                    0.25,
                    2.1,
                    -50,
                    [("few_candidates", "Мало подходящих кандидатов", 3)],
                    [SECRET_QUOTE],
                ),
            ),
            Stage(
                "hire",
                "Приём на работу подтверждён",
                "Закрыть вакансию",
                True,
                3,
                None,
                None,
                (("employer_cabinet", 3),),
                (),
                None,
            ),
        ),
    ),
)

# The suppressed figures: (text that must not reach any page, why)
SUPPRESSED_TEXTS = (
    ("33,3\u00a0%", "CSAT on 3 answers"),
    (SECRET_QUOTE, "quote of a 4-answer stage"),
    ("Мало подходящих кандидатов", "theme of a 4-answer stage"),
    ("44,4\u00a0%", "effect measured on 4 tickets"),
)

# pain points: (id, kpi, journey, stage, touchpoint, office, value, clients, quick win, level)
PAINS = (
    (
        "pp-walkin-ens02",
        "office_wait_walkin",
        "unemployment_registration",
        "application",
        "office_queue",
        "ens-02",
        0.642,
        412,
        False,
        "touchpoint",
    ),
    (
        "pp-abandon-ens02",
        "call_abandon_rate",
        None,
        None,
        "call_centre_operator",
        "ens-02",
        0.183,
        1290,
        True,
        "touchpoint",
    ),
    ("pp-conv-portal", "stage_conversion", "job_search", "portal_search", None, None, 0.37, 3900, False, "stage"),
    (
        "pp-employment",
        "employment_outcome",
        "unemployment_registration",
        "exit",
        "case_consultant",
        None,
        0.46,
        1180,
        False,
        "stage",
    ),
    (
        "pp-sl-info",
        "call_service_level",
        "unemployment_registration",
        "information",
        "call_centre_operator",
        None,
        0.71,
        1830,
        True,
        "touchpoint",
    ),
    ("pp-conv-response", "stage_conversion", "job_search", "response", None, None, 0.61, 1450, False, "stage"),
    (
        "pp-csat-application",
        "csat",
        "unemployment_registration",
        "application",
        "office_window",
        "ens-01",
        0.86,
        388,
        False,
        "touchpoint",
    ),
    (
        "pp-time-selection",
        "time_to_stage",
        "vacancy_posting",
        "selection",
        "case_consultant",
        None,
        12.0,
        40,
        False,
        "stage",
    ),
    (
        "pp-csat-registration",
        "csat",
        "vacancy_posting",
        "registration",
        "employer_cabinet",
        None,
        0.88,
        40,
        False,
        "touchpoint",
    ),
    (
        "pp-fcr-ens01",
        "first_contact_resolution",
        None,
        None,
        "call_centre_operator",
        "ens-01",
        0.77,
        640,
        False,
        "touchpoint",
    ),
    ("pp-walkin-ens01", "office_wait_walkin", None, None, "office_queue", "ens-01", 0.853, 655, False, "touchpoint"),
    (
        "pp-abandon-ens01",
        "call_abandon_rate",
        None,
        None,
        "call_centre_operator",
        "ens-01",
        0.105,
        1170,
        False,
        "touchpoint",
    ),
)

MEASURES = {  # measure_id -> (name, office, touchpoint, kpi, start)
    "m-prebook": (
        "Предварительная запись через портал в Заречном районе",
        "ens-02",
        "office_queue",
        "office_wait_walkin",
        date(2025, 10, 15),
    ),
    "m-script": (
        "Единый скрипт ответов на частые вопросы",
        None,
        "call_centre_operator",
        "call_abandon_rate",
        date(2025, 11, 1),
    ),
    "m-signs": ("Навигационные указатели в холле", "ens-01", "office_queue", "office_wait_walkin", date(2025, 11, 20)),
}
EFFECTS = (
    # significant: 61,0 % → 74,0 %, DiD +12 п. п. against comparable offices
    ("m-prebook", 0.61, 0.74, 820, 790, 0.13, 0.08, 0.18, 0.01, 0.12, 0.06, 0.18, True),
    # not significant and no comparable offices
    ("m-script", 0.17, 0.16, 2400, 1300, -0.01, -0.03, 0.01, None, None, None, None, False),
    # measured on 4 tickets after the start: every figure hidden
    ("m-signs", 0.90, 0.4444, 610, 4, -0.4556, -0.9, 0.0, None, None, None, None, False),
)


def _gap(kpi_id: str, value: float) -> float:
    _, _, direction, norm, _ = KPI_DEFS[kpi_id]
    return (norm - value) / norm if direction == "higher_is_better" else (value - norm) / norm


def pain_rows() -> list[tuple[Any, ...]]:
    rows = []
    for rank, (pain_id, kpi_id, journey, stage, tp, office, value, clients, quick, level) in enumerate(PAINS, start=1):
        name, unit, direction, norm, _ = KPI_DEFS[kpi_id]
        gap = round(_gap(kpi_id, value), 4)
        unit_ru = TOUCHPOINTS[tp][1] if tp else "Отдел трудоустройства ЦЗН"
        score = round(gap * clients * (1000 - rank), 2)  # ranks are given; the score only has to fall
        rows.append(
            (
                pain_id,
                rank,
                level,
                kpi_id,
                name,
                unit,
                direction,
                journey,
                stage,
                tp,
                office,
                value,
                norm,
                gap,
                clients,
                score,
                quick,
                unit_ru,
            )
        )
    return rows


def _stage_pains(journey_id: str, stage_id: str) -> list[dict[str, Any]]:
    return [
        {
            "pain_point_id": row[0],
            "kpi_id": row[3],
            "touchpoint_id": row[9],
            "rank": row[1],
            "gap": row[13],
            "is_quick_win": row[16],
        }
        for row in pain_rows()
        if row[7] == journey_id and row[8] == stage_id
    ]


def _measures(ids: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "measure_id": m,
            "measure_name_ru": MEASURES[m][0],
            "office_id": MEASURES[m][1],
            "start_date": MEASURES[m][4].isoformat(),
            "kpi_id": MEASURES[m][3],
        }
        for m in ids
    ]


def funnel(stage: Stage) -> tuple[Any, ...]:
    """(clients_next, conversion, dropped, drop_off_share, median, p75, p90) of a stage."""
    if stage.following is None:
        return (None, None, None, None, None, None, None)
    conversion = round(stage.following / stage.reached, 4)
    dropped = stage.reached - stage.following
    days = stage.days or (None, None, None)
    return (stage.following, conversion, dropped, round(1 - conversion, 4), *days)


def load_journey_marts(dsn: str, *, published_at: datetime) -> None:
    """Create and fill the journey marts in the ``marts`` schema (the KPI marts must be there)."""

    def dumps(value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(JOURNEY_DDL)
        for journey in JOURNEYS:
            base = (
                journey.journey_id,
                journey.name,
                journey.kind,
                journey.group,
                journey.group_name,
                journey.basis,
                journey.basis_value,
                journey.application_type,
                journey.interactions,
            )
            cur.execute(
                "insert into marts.dim_journeys values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (*base, 2, date(2025, 1, 1), None, len(journey.stages)),
            )
            if journey.journey_id == "unemployment_registration":  # the superseded version of the map
                old = (journey.journey_id, "Регистрация безработных (редакция 2024 г.)", *base[2:])
                cur.execute(
                    "insert into marts.dim_journeys values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (*old, 1, date(2024, 1, 1), date(2024, 12, 31), 4),
                )
            for order, stage in enumerate(journey.stages, start=1):
                cur.execute(
                    "insert into marts.dim_journey_stages values (%s, %s, %s, %s, %s, %s, %s)",
                    (
                        journey.journey_id,
                        stage.stage_id,
                        order,
                        stage.name,
                        stage.goal,
                        stage.inside,
                        stage.drop_off_days,
                    ),
                )
                following, conversion, dropped, drop_share, median, p75, p90 = funnel(stage)
                cur.execute(
                    "insert into marts.fct_stage_funnel values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        journey.journey_id,
                        stage.stage_id,
                        order,
                        stage.reached,
                        following,
                        conversion,
                        dropped,
                        drop_share,
                        median,
                        p75,
                        p90,
                    ),
                )
                cur.execute(
                    "insert into marts.journey_map values"
                    " (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        journey.journey_id,
                        stage.stage_id,
                        order,
                        stage.name,
                        stage.goal,
                        stage.inside,
                        dumps([touchpoint(t, n) for t, n in stage.touchpoints]),
                        stage.reached,
                        following,
                        conversion,
                        drop_share,
                        median,
                        p75,
                        p90,
                        dumps(list(stage.kpis)),
                        dumps(stage.feedback),
                        dumps(_stage_pains(journey.journey_id, stage.stage_id)),
                        dumps(_measures(stage.measures)),
                    ),
                )
        cur.executemany(f"insert into marts.pain_points values ({', '.join(['%s'] * 18)})", pain_rows())
        cur.executemany(
            f"insert into marts.improvement_effects values ({', '.join(['%s'] * 18)})",
            [
                (m, MEASURES[m][0], MEASURES[m][1], MEASURES[m][2], MEASURES[m][3], MEASURES[m][4], *rest)
                for m, *rest in EFFECTS
            ],
        )
        cur.executemany(
            "insert into marts.client_group_profiles values (%s, %s, %s, %s, %s, %s)",
            [
                (
                    "unemployed",
                    "Безработные граждане",
                    2400,
                    dumps({"office": 0.45, "portal": 0.3, "call_centre": 0.15, "chatbot": 0.1}),
                    dumps(
                        [
                            {
                                "journey_id": "unemployment_registration",
                                "journey_name_ru": JOURNEYS[0].name,
                                "clients": 2400,
                            }
                        ]
                    ),
                    dumps(
                        [
                            {
                                "pain_point_id": "pp-walkin-ens02",
                                "kpi_name_ru": KPI_DEFS["office_wait_walkin"][0],
                                "rank": 1,
                            },
                            {
                                "pain_point_id": "pp-abandon-ens02",
                                "kpi_name_ru": KPI_DEFS["call_abandon_rate"][0],
                                "rank": 2,
                            },
                        ]
                    ),
                ),
                (
                    "job_seeker",
                    "Ищущие работу (без статуса безработного)",
                    3900,
                    dumps({"portal": 0.72, "website": 0.2, "call_centre": 0.08}),
                    dumps([{"journey_id": "job_search", "journey_name_ru": JOURNEYS[1].name, "clients": 3900}]),
                    dumps(
                        [{"pain_point_id": "pp-conv-portal", "kpi_name_ru": KPI_DEFS["stage_conversion"][0], "rank": 3}]
                    ),
                ),
                (
                    "employer",
                    "Работодатели",
                    96,
                    dumps({"portal": 0.81, "office": 0.19}),
                    dumps([{"journey_id": "vacancy_posting", "journey_name_ru": JOURNEYS[2].name, "clients": 96}]),
                    dumps(
                        [{"pain_point_id": "pp-time-selection", "kpi_name_ru": KPI_DEFS["time_to_stage"][0], "rank": 8}]
                    ),
                ),
                (
                    "large_employer",
                    "Крупные работодатели и инвестпроекты",
                    4,
                    dumps({"office": 0.75, "portal": 0.25}),
                    dumps([{"journey_id": "vacancy_posting", "journey_name_ru": JOURNEYS[2].name, "clients": 4}]),
                    dumps([]),
                ),
            ],
        )
        loaded = published_at.astimezone(UTC).replace(hour=1, minute=10)
        cur.executemany(
            "insert into marts.fct_data_freshness values (%s, %s, %s, %s, %s, %s, %s, %s)",
            [
                ("call_centre", REGION, loaded, date(2025, 11, 30), 61, 1_254_300, 312, 0.0002),
                ("office_visits", REGION, loaded, date(2025, 11, 30), 61, 402_118, 9_870, 0.0239),
                ("website", REGION, loaded, date(2025, 11, 30), 61, 3_881_002, 0, 0),
                (
                    "chatbot",
                    REGION,
                    datetime(2025, 11, 21, 1, 5, tzinfo=UTC),
                    date(2025, 11, 20),
                    51,
                    210_554,
                    120,
                    0.0006,
                ),
                ("cases", REGION, loaded, date(2025, 11, 29), 61, 88_410, 14, 0.0002),
                ("surveys", REGION, loaded, date(2025, 11, 30), 61, 12_905, 0, 0),
            ],
        )
