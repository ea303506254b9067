"""The Russian words the pages put on codes of the marts, in one place.

A label the warehouse already holds comes with the marts and is not repeated here: KPI names,
formulas and norm sources (seed ``kpi_definitions``), touchpoints, offices, call queues, journeys
and stages, improvement instruments (their seeds). What is here are the codes that have no seed of
their own yet: statuses of a value, norm kinds, channels, kinds of clients, cost classes, the
systems of the queue models, weekdays. Sources and the channels of their events are named by the
``sources`` seed (mart ``dim_sources``, :func:`include.report.common.source_name` and
:func:`~include.report.common.channel_name`); here are only the channels no source's events are in.
"""

from __future__ import annotations

# --- a KPI value against its norm ------------------------------------------------------

STATUS_WORDS = {
    "green": "норматив выполнен",
    "amber": "близко к нормативу",
    "red": "норматив не выполнен",
    "suppressed": "мало наблюдений",
    "no_data": "нет данных",
}
TILE_STATUS = {
    "green": "Норматив выполнен",
    "amber": "Близко к нормативу",
    "red": "Норматив не выполнен",
    "suppressed": "Мало наблюдений (меньше {min_cell}): значение скрыто",
    "no_data": "Нет данных за месяц",
}
NORM_LABELS = {
    "V": "подтверждённый норматив",
    "E": "аналог из других правил",
    "P": "предложение рабочей группы",
}

# --- channels and sources ---------------------------------------------------------------------

# channels only touchpoints have (dim_touchpoints.channel), no source's events: the journey map
# names the channel of every touchpoint. The channels of the sources' events (ЦЗН, телефон, сайт,
# портал, чат-бот, …) are named by the seed `sources` (channel_name_ru), a new source's too.
TOUCHPOINT_CHANNEL_NAMES = {
    "notifications": "уведомления",
    "events": "мероприятия",
    "partner": "партнёр",
    "feedback": "опросы",
}
CHANNEL_TITLES = {
    "office": "Центры занятости",
    "call_centre": "Контакт-центр",
    "chatbot": "Чат-бот",
    "website": "Портал и сайт",
    "feedback": "Опросы клиентов",
    "journey": "Весь маршрут: оценки клиентов, чат-бот, результат обращений",
}
# the heatmaps of the KPI page
PROFILE_TITLES = {"weekday": "по дням недели", "hour": "по часам суток (местное время)"}

# --- journeys -------------------------------------------------------------------------------------

CLIENT_KINDS = {
    "citizen": "Граждане",
    "employer": "Работодатели",
    "staff": "Сотрудники ЦЗН (внутренние клиенты)",
}
BASIS_NAMES = {
    "service_type": "Вид услуги",
    "application_type": "Вид услуги",
    "czn_interactions": "Число обращений в ЦЗН",
    "interactions": "Число обращений в ЦЗН",
    "service_count": "Число услуг",
    "services": "Число услуг",
    "target_group": "Целевая группа",
    "task_type": "Тип задачи",
    "internal": "Внутренний клиент",
}
INTERACTIONS = {
    "none": "без посещения ЦЗН",
    "zero": "без посещения ЦЗН",
    "one": "одно посещение ЦЗН",
    "single": "одно посещение ЦЗН",
    "one_visit": "одно посещение ЦЗН",
    "many": "несколько посещений ЦЗН",
    "multiple": "несколько посещений ЦЗН",
    "many_visits": "несколько посещений ЦЗН",
}

# --- measures and their models -------------------------------------------------------------

COST_WORDS = {"low": "малые", "medium": "средние", "high": "большие"}
COST_TEXTS = {code: f"{words} затраты" for code, words in COST_WORDS.items()}  # on their own, in a list
HORIZON_RU = {"quick": "быстрая победа", "medium": "среднесрочное", "long": "долгосрочное"}
SYSTEM_RU = {"office": "Электронная очередь", "call": "Очередь звонков"}
WEEKDAYS_RU = {1: "пн", 2: "вт", 3: "ср", 4: "чт", 5: "пт", 6: "сб", 7: "вс"}
WEEKDAY_PLURAL_RU = {1: "понедельникам", 2: "вторникам", 3: "средам", 4: "четвергам", 5: "пятницам",
                     6: "субботам", 7: "воскресеньям"}  # fmt: skip
