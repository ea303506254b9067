"""The Russian words the pages put on codes of the marts, in one place.

A label the warehouse already holds comes with the marts and is not repeated here: KPI names,
formulas and norm sources (seed ``kpi_definitions``), touchpoints, offices, call queues, journeys
and stages, improvement instruments (their seeds). What is here are the codes that have no seed of
their own yet: statuses of a value, norm kinds, channels, kinds of clients, cost classes, the
systems of the queue models, weekdays, and the names of the loaded sources (``ops`` freshness;
to come from the ``sources`` seed of issue 14 item 1).
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

# channels of touchpoints (dim_touchpoints.channel) in the words of the working group
CHANNEL_NAMES = {
    "office": "ЦЗН",
    "call_centre": "телефон",
    "chatbot": "чат-бот",
    "website": "сайт",
    "portal": "портал «Работа России»",
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
SOURCE_NAMES = {
    "call_centre": "Контакт-центр (звонки)",
    "office_visits": "Электронная очередь ЦЗН",
    "website": "Сайт и портал «Работа России»",
    "chatbot": "Чат-бот",
    "cases": "Личные дела клиентов",
    "surveys": "Опросы клиентов",
}

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
