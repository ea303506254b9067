"""Good files of every source, carrying personal data in every place it can be, for the corpus.

Each builder returns lines (text, without line breaks) of one valid export of the local day
2026-09-01 in region ``enskaya`` (Yekaterinburg, UTC+5). The personal values of ``SECRETS`` sit
in the identifier fields (hashed at ingestion) and in free text and free fields (masked): the
corpus checks that none of them is stored or logged in clear, whatever hostile lines surround them.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from include.connectors.metrica import HIT_FIELDS, VISIT_FIELDS
from include.connectors.office_visits import COLUMNS as OFFICE_COLUMNS
from include.connectors.surveys import COLUMNS as SURVEY_COLUMNS

REGION = "enskaya"
YEKT = ZoneInfo("Asia/Yekaterinburg")
DAY = date(2026, 9, 1)

PHONE = "+7 912 345-67-89"
PHONE_DOTTED = "8.913.456.78.90"
PHONE_BARE = "9145678901"  # ten digits, no 7/8
PHONE_BRACKETS = "(916) 789-01-23"
SNILS = "112-233-445 95"
EMAIL = "ivan.petrov@mail.ru"
ESIA = "1087654321"
SECRETS = (PHONE, PHONE_DOTTED, PHONE_BARE, PHONE_BRACKETS, SNILS, EMAIL, ESIA)
# what a person writes in a chat or a comment: every secret, in the formats the issue names
FREE_TEXT = (
    f"Звоните {PHONE} или {PHONE_DOTTED}, мобильный {PHONE_BARE}, рабочий {PHONE_BRACKETS}; "
    f"СНИЛС {SNILS}, почта {EMAIL}, ЕСИА {ESIA}"
)


def epoch(hour: int, minute: int, second: int = 0, day: date = DAY) -> int:
    return int(datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=YEKT).timestamp())


# -- call centre ---------------------------------------------------------------------------------


def queue_log(day: date = DAY) -> list[str]:
    """10 lines: a queue start, two calls (one answered, one abandoned), free data with secrets."""

    def e(h: int, m: int, s: int = 0) -> int:
        return epoch(h, m, s, day)

    return [
        f"{e(8, 0)}|NONE|NONE|NONE|QUEUESTART|",
        f"{e(8, 0)}|NONE|czn_ens01|SIP/{PHONE_BARE}|ADDMEMBER|",  # an agent named by a phone
        f"{e(9, 0)}|{e(9, 0)}.1|czn_ens01|NONE|DID|{PHONE_DOTTED}",
        f"{e(9, 0)}|{e(9, 0)}.1|czn_ens01|NONE|ENTERQUEUE|https://czn.ru/?mail={EMAIL}|{PHONE}|1",
        f"{e(9, 0, 20)}|{e(9, 0)}.1|czn_ens01|PJSIP/op01|CONNECT|20|{e(9, 0)}.2|3",
        f"{e(9, 3)}|{e(9, 0)}.1|czn_ens01|PJSIP/op01|COMPLETECALLER|20|160|1",
        f"{e(9, 5)}|{e(9, 5)}.3|czn_ens02|NONE|ENTERQUEUE||{PHONE_BARE}|1",
        f"{e(9, 7)}|{e(9, 5)}.3|czn_ens02|NONE|ABANDON|1|1|120",
        f"{e(9, 8)}|NONE|czn_ens02|PJSIP/op02|PAUSE|обед, тел {PHONE_BRACKETS}",
        f"{e(9, 9)}|NONE|czn_ens02|PJSIP/op02|UNPAUSE|",
    ]


TOPICS_HEADER = "call_id,topic_code,topic_name,resolution,wrapup_at"


def call_topics(day: date = DAY) -> list[str]:
    d = day.isoformat()
    return [
        TOPICS_HEADER,
        f"{epoch(9, 0, 0, day)}.1,benefit_status,Назначение и выплата пособия,resolved,{d}T09:03:30+05:00",
        f'{epoch(9, 5, 0, day)}.3,other,"перезвонить {PHONE}, СНИЛС {SNILS}",callback,{d}T09:08:00+05:00',
    ]


# -- office --------------------------------------------------------------------------------------

OFFICE_HEADER = ",".join(OFFICE_COLUMNS)


def tickets() -> list[str]:
    return [
        OFFICE_HEADER,
        "А-001,ens-02,registration,0,,2026-09-01 09:14:05,2026-09-01 09:31:40,2026-09-01 09:32:10,"
        "2026-09-01 09:44:51,Окно 3,served,",
        f"З-002,ens-02,reregistration,1,2026-09-01 10:00:00,2026-09-01 09:52:11,2026-09-01 10:01:02,"
        f"2026-09-01 10:01:30,2026-09-01 10:09:03,Окно 1,served,{PHONE}",
        f'А-003,ens-02,consultation,0,,2026-09-01 11:00:00,2026-09-01 11:20:00,,,"Окно 2, тел {PHONE_BARE}",no_show,',
        f"{SNILS},ens-02,consultation,0,,2026-09-01 12:00:00,2026-09-01 12:05:00,2026-09-01 12:06:00,"
        f"2026-09-01 12:16:00,Окно 4,served,{PHONE_DOTTED}",
    ]


# -- website -------------------------------------------------------------------------------------


def hit(n: int, at: str = "2026-09-01 10:00:00", url: str = "https://czn-ens.ru/vacancies", **over: str) -> str:
    values = {
        "ym:pv:watchID": str(9_000_000_000_000_000_000 + n),
        "ym:pv:dateTime": at,
        "ym:pv:URL": url,
        "ym:pv:referer": "https://ya.ru/",
        "ym:pv:clientID": "1700000000123456789",
        "ym:pv:goalsID": "[]",
        "ym:pv:lastTrafficSource": "organic",
        **over,
    }
    return "\t".join(values[name] for name in HIT_FIELDS)


def hits(count: int = 3) -> list[str]:
    urls = [
        "https://czn-ens.ru/vacancies",
        f"https://czn-ens.ru/search?text=повар&phone={PHONE_BARE}",
        f"https://czn-ens.ru/feedback?mail={EMAIL.replace('@', '%40')}&tel=%2B7%20912%20345-67-89",
    ]
    return ["\t".join(HIT_FIELDS)] + [hit(n, f"2026-09-01 10:{n % 60:02d}:00", urls[n % 3]) for n in range(count)]


def visit(n: int, **over: str) -> str:
    values = {
        "ym:s:visitID": str(8_000_000_000_000_000_000 + n),
        "ym:s:dateTime": "2026-09-01 09:59:00",
        "ym:s:clientID": "1700000000123456789",
        "ym:s:startURL": f"https://czn-ens.ru/?snils={SNILS}",
        "ym:s:pageViews": "3",
        "ym:s:visitDuration": "125",
        "ym:s:goalsID": "[101]",
        "ym:s:lastTrafficSource": "organic",
        **over,
    }
    return "\t".join(values[name] for name in VISIT_FIELDS)


def visits() -> list[str]:
    return ["\t".join(VISIT_FIELDS), visit(1), visit(2, **{"ym:s:dateTime": "2026-09-01 23:00:00"})]


def portal_event(n: int, **over: Any) -> dict[str, Any]:
    return {
        "event_id": f"ev-{n}",
        "event_type": "application_submitted",
        "occurred_at": f"2026-09-01T1{n % 10}:05:00+05:00",
        "user_type": "citizen",
        "esia_id": ESIA,
        "metrica_client_id": "1700000000123456789",
        "snils": SNILS,
        "phone": PHONE,
        "email": EMAIL,
        "application_id": f"APP-{PHONE_BARE}-{n}",  # an id someone built from a phone
        "application_type": "unemployment_registration",
        "status": "submitted",
        "office_id": "ens-02",
        **over,
    }


def portal_events(count: int = 3) -> list[str]:
    return [json.dumps(portal_event(n), ensure_ascii=False) for n in range(count)]


# -- chatbot -------------------------------------------------------------------------------------


def chat_event(seq: int, event: str = "message", session: str = "s-0001", **fields: Any) -> dict[str, Any]:
    return {"session_id": session, "seq": seq, "ts": f"2026-09-01T10:{10 + seq % 50:02d}:00+05:00", "event": event}


def chat() -> list[str]:
    events = [
        {**chat_event(0, "chat_started"), "channel": "telegram", "user_id": f"tg:{PHONE_BARE}"},
        {**chat_event(1), "text": FREE_TEXT},
        {**chat_event(2), "text": "спасибо", "phone": PHONE},
        {**chat_event(3, "chat_started", session=f"vk:{PHONE_BRACKETS}"), "channel": "vk"},
    ]
    return [json.dumps(e, ensure_ascii=False) for e in events]


# -- cases ---------------------------------------------------------------------------------------


def case_event(n: int, event_type: str = "benefit_paid", **over: Any) -> dict[str, Any]:
    return {
        "event_id": f"ev-{n:04d}",
        "case_id": f"дело {SNILS}",  # a case numbered by the client's SNILS
        "event_type": event_type,
        "occurred_at": f"2026-09-01T{9 + n % 8:02d}:05:00+05:00",
        "office_id": "ens-01",
        "client_kind": "citizen",
        "snils": SNILS,
        "phone": PHONE,
        "ticket_id": f"т. {PHONE_BARE}",
        **over,
    }


def case_events() -> list[str]:
    events = [
        case_event(1, "case_opened", service_type="unemployment_registration"),
        case_event(2, "benefit_paid", amount_rub=12792.5),
        case_event(3, "vacancy_offered", application_id=f"app {EMAIL}"),
    ]
    return [json.dumps(e, ensure_ascii=False) for e in events]


# -- surveys -------------------------------------------------------------------------------------

SURVEY_HEADER = ",".join(SURVEY_COLUMNS)


def survey_row(response_id: str, at: str = "2026-09-01 12:30:00", **fields: str) -> str:
    values = dict.fromkeys(SURVEY_COLUMNS, "")
    values.update(response_id=response_id, channel="office", touchpoint_id="office_window", responded_at=at, csat="4")
    values.update(fields)
    cells = []
    for name in SURVEY_COLUMNS:
        value = values[name]
        cells.append(f'"{value}"' if any(c in value for c in ',"\n') else value)
    return ",".join(cells)


def surveys() -> list[str]:
    return [
        SURVEY_HEADER,
        survey_row("SR-001", comment=FREE_TEXT.replace(",", ";"), phone=PHONE, esia_id=ESIA),
        survey_row("SR-002", comment="Всё хорошо", case_id=f"дело {SNILS}", ticket_id="А-017", office_id="ens-02"),
        survey_row("SR-003", csat="5"),
    ]


def lines(*parts: list[str] | str) -> bytes:
    """Lines joined with newlines (and a final one), UTF-8."""
    flat: list[str] = []
    for part in parts:
        flat.extend([part] if isinstance(part, str) else part)
    return ("\n".join(flat) + "\n").encode("utf-8")
