"""A corpus of hostile input over every source, each through the real loader, the real
connectors, the real Great Expectations suites and a real PostgreSQL.

For every case: the good lines load, every bad line is rejected with its reason (or the file is
refused with one), ``read = loaded + rejected + duplicate``, the batch is validated — or, for the
cases the reject gate must stop, not validated, its rows removed and an alert naming the file —
nothing personal (phones in every format, SNILS, e-mail, ESIA id) is stored in any table or
written to any log in clear, and loading takes at most 2 s per MB (per started MB for small
files). The measured times are written to ``test-artifacts/bad_input/timings.json``.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from importlib import import_module
from pathlib import Path
from typing import Any

import psycopg
import pytest

from include.connectors import SOURCES, connector_for
from include.ingest import load_interval, validate_batch
from tests.bad_input import sources as s
from tests.bad_input.corpus import Case, one
from tests.bad_input.sources import DAY, REGION, SECRETS, YEKT, epoch, lines

pytestmark = pytest.mark.timeout(300)

KEY = b"corpus-key-0123456789abcdef"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "bad_input"
MB = 1_000_000
PREVIOUS_DAY = DAY - timedelta(days=1)


Q = "queue_log-20260901"
T = "call_topics-20260901.csv"
O = "ens-02/eq_ens-02_20260901.csv"  # noqa: E741
H = "hits-20260901.tsv"
V = "visits-20260901.tsv"
P = "portal_events-20260901.jsonl"
C = "chatbot_events-20260901.jsonl"
K = "case_events-20260901.jsonl"
S = "survey_responses-20260901.csv"
SJ = "survey_responses-20260901.jsonl"
GOOD_Q = len(s.queue_log())
E9 = epoch(9, 30)


def q(event: str, *data: str, when: int = E9, call: str | None = None, queue: str = "czn_ens01") -> str:
    return "|".join([str(when), call or f"{when}.77", queue, "PJSIP/op01", event, *data])


def utf16(text: bytes, *, bom: bool = True, big: bool = False) -> bytes:
    encoded = text.decode("utf-8").encode("utf-16-be" if big else "utf-16-le")
    mark = (codecs.BOM_UTF16_BE if big else codecs.BOM_UTF16_LE) if bom else b""
    return mark + encoded


def big_letters(size: int) -> str:
    return "x" * size


def _symlink(target: str, name: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).symlink_to(target)

    return make


def _fifo(name: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        os.mkfifo(folder / name)

    return make


def _folder(name: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).mkdir()
        (folder / name / "inside.txt").write_text("not a file of the day")

    return make


def _stored(table: str, column: str, expected: Any, where: str = "true") -> Callable[..., None]:
    def check(query: Callable[..., list[tuple[Any, ...]]]) -> None:
        values = {row[0] for row in query(f"select {column} from raw.{table} where {where}")}
        assert expected in values, values

    return check


# A 10 MB line, 40 lines of 200 KB, a 60 KB URL … (built once: the module is imported once)
TEN_MB_LINE = big_letters(10 * MB)
LONG_TOKEN_AT = "a" * 3 * MB + "@" + "b" * 100
GARBAGE_200K = [
    (f"{s.PHONE} " + "a." * 40_000 + f" {s.EMAIL} " + "1" * 30_000 + f" {s.SNILS} " + "8(-" * 10_000)[:200_000]
    for _ in range(40)
]
URL_60K = "https://czn-ens.ru/search?text=" + "%D0%BF%D0%BE%D0%B2%D0%B0%D1%80+" * 2_000 + f"&mail={s.EMAIL}"

CASES: list[Case] = [
    # -- call centre: queue_log ---------------------------------------------------------------------
    Case(
        "cc-10mb-line",
        "call_centre",
        {Q: lines(s.queue_log()[:5], TEN_MB_LINE, s.queue_log()[5:])},
        GOOD_Q,
        one(Q, 6, "longer than the limit"),
    ),
    Case(
        "cc-3mb-token-before-at-sign",
        "call_centre",
        {Q: lines(s.queue_log(), LONG_TOKEN_AT)},
        GOOD_Q,
        one(Q, GOOD_Q + 1, "longer than the limit"),
    ),
    Case(
        "cc-40-lines-of-200kb-garbage",  # each masked whole (below the limit), then the gate stops the day
        "call_centre",
        {Q: lines(s.queue_log(), GARBAGE_200K)},
        GOOD_Q,  # loaded, then removed: the batch is not validated
        {(Q, GOOD_Q + n): "expected at least 5" for n in range(1, 41)},
        validated=False,
    ),
    Case(
        "cc-30-digit-talk-time",
        "call_centre",
        {Q: lines(s.queue_log(), q("COMPLETECALLER", "20", "1" * 30, "1"))},
        GOOD_Q,
        one(Q, GOOD_Q + 1, "has 30 digits"),
    ),
    Case(
        "cc-negative-talk-time",
        "call_centre",
        {Q: lines(s.queue_log(), q("COMPLETECALLER", "20", "-95", "1"))},
        GOOD_Q,
        one(Q, GOOD_Q + 1, "limit queue_log.talk"),
    ),
    Case(
        "cc-5000-digit-hold",
        "call_centre",
        {Q: lines(s.queue_log(), q("CONNECT", "9" * 5000, "x.1", "3"))},
        GOOD_Q,
        one(Q, GOOD_Q + 1, "limit queue_log.hold"),
    ),
    Case(
        "cc-hold-above-ceiling",
        "call_centre",
        {Q: lines(s.queue_log(), q("CONNECT", "86401", "x.1", "3"))},
        GOOD_Q,
        one(Q, GOOD_Q + 1, "outside the plausible range 0–14400 s"),
    ),
    Case(
        "cc-non-integer-wait-of-exitwithkey",  # staging casts data4 of EXITWITHKEY
        "call_centre",
        {Q: lines(s.queue_log(), q("EXITWITHKEY", "5", "1", "1", "soon"))},
        GOOD_Q,
        one(Q, GOOD_Q + 1, "data4 'soon' is not an integer"),
    ),
    Case(
        "cc-dated-2099",
        "call_centre",
        {Q: lines(s.queue_log(), q("ENTERQUEUE", "", "anonymous", "1", when=4_070_000_000))},
        GOOD_Q,
        one(Q, GOOD_Q + 1, "not on the file's day 2026-09-01"),
    ),
    Case(
        "cc-dated-2005",
        "call_centre",
        {Q: lines(s.queue_log(), q("ENTERQUEUE", "", "anonymous", "1", when=1_120_000_000))},
        GOOD_Q,
        one(Q, GOOD_Q + 1, "not on the file's day"),
    ),
    Case(
        "cc-nul-byte-in-a-line",
        "call_centre",
        {Q: lines(s.queue_log()[:3]) + q("PAUSE", "a\x00b").encode() + b"\n" + lines(s.queue_log()[3:])},
        GOOD_Q,
        one(Q, 4, "NUL byte"),
    ),
    Case("cc-utf16-with-bom", "call_centre", {Q: utf16(lines(s.queue_log()))}, GOOD_Q),
    Case("cc-utf16-without-bom", "call_centre", {Q: utf16(lines(s.queue_log()), bom=False)}, GOOD_Q),
    Case("cc-utf16-big-endian", "call_centre", {Q: utf16(lines(s.queue_log()), big=True)}, GOOD_Q),
    Case(
        "cc-one-windows-1251-line-in-utf8",
        "call_centre",
        {Q: lines(s.queue_log()) + q("PAUSE", "перерыв").encode("cp1251") + b"\n"},
        GOOD_Q + 1,
        check=_stored("raw_call_centre_queue_log", "data1", "перерыв", "event = 'PAUSE'"),
    ),
    Case(
        "cc-windows-1251-cyrillic-after-the-first-megabyte",  # the old guess read only the first megabyte
        "call_centre",
        {
            Q: lines([line for line in s.queue_log() if line.isascii()])
            + b"".join(q("PAUSE", f"{n:04d}" + "x" * 900).encode() + b"\n" for n in range(1200))
            + lines([line for line in s.queue_log() if not line.isascii()], q("PAUSE", "перерыв"))
            .decode()
            .encode("cp1251")
        },
        GOOD_Q + 1200 + 1,
        check=_stored("raw_call_centre_queue_log", "data1", "перерыв", "event = 'PAUSE'"),
    ),
    Case(
        "cc-bytes-neither-utf8-nor-1251",
        "call_centre",
        {Q: lines(s.queue_log()) + q("PAUSE").encode() + b"|\x98\xff\x98\n"},
        GOOD_Q,
        one(Q, GOOD_Q + 1, "neither UTF-8 nor Windows-1251"),
    ),
    Case(
        "cc-unknown-queue-names-stop-the-day",
        "call_centre",
        {Q: lines(s.queue_log()[:2], [q("ENTERQUEUE", "", "anonymous", "1", queue="czn_nowhere")])},
        2,
        one(Q, 3, "unknown queue 'czn_nowhere'"),
        validated=False,
    ),
    Case(
        "cc-only-empty-lines",
        "call_centre",
        {Q: b"\n" * 500},
        0,
        {(Q, n): "empty line" for n in range(1, 501)},
        validated=False,
    ),
    Case("cc-empty-export", "call_centre", {Q: b""}, 0),
    Case(
        "cc-symlink-to-a-system-file",
        "call_centre",
        {T: lines(s.call_topics())},
        2,
        one(Q, 0, "symbolic link"),
        prepare=_symlink("/etc/passwd", Q),
    ),
    Case(
        "cc-fifo-named-like-the-export",  # opening it would block forever
        "call_centre",
        {T: lines(s.call_topics())},
        2,
        one(Q, 0, "not a regular file"),
        prepare=_fifo(Q),
    ),
    Case(
        "cc-folder-named-like-the-export",
        "call_centre",
        {T: lines(s.call_topics())},
        2,
        one(Q, 0, "not a regular file"),
        prepare=_folder(Q),
    ),
    Case(
        "cc-impossible-date-in-a-name",
        "call_centre",
        {Q: lines(s.queue_log()), "queue_log-20261341": lines(s.queue_log())},
        GOOD_Q,
        one("queue_log-20261341", 0, "is not a date"),
        rerun=True,
    ),
    Case(
        "cc-name-ending-in-a-newline",
        "call_centre",
        {Q: lines(s.queue_log()), Q + "\n": lines(s.queue_log())},
        GOOD_Q,
        one(Q + "\n", 0, "spaces or control characters"),
    ),
    # -- call centre: CRM topics ---------------------------------------------------------------------
    Case(
        "cc-topics-unknown-header-stops-the-day",
        "call_centre",
        {T: lines(["id;code;name"], s.call_topics()[1:])},
        0,
        {(T, 1): "unexpected header", (T, 2): "file rejected", (T, 3): "file rejected"},
        validated=False,
    ),
    Case(
        "cc-topics-field-above-the-csv-limit",
        "call_centre",
        {T: lines(s.call_topics(), f'{E9}.5,other,"{"z" * 140_000}",resolved,2026-09-01T10:00:00+05:00')},
        2,
        one(T, 4, "could not parse the line"),
    ),
    Case(
        "cc-topics-wrap-up-a-week-later",
        "call_centre",
        {T: lines(s.call_topics(), f"{E9}.5,other,Прочее,resolved,2026-09-08T10:00:00+05:00")},
        2,
        one(T, 4, "not on the file's day"),
    ),
    Case(
        "cc-topics-conflict-with-another-days-file",
        "call_centre",
        {
            T: lines(
                s.call_topics()[:1],
                [f"{epoch(23, 0, 0, PREVIOUS_DAY)}.9,documents,X,resolved,2026-09-01T00:30:00+05:00"],
            )
        },
        0,
        one(T, 2, "already loaded by batch"),
        earlier={
            "call_topics-20260831.csv": lines(
                s.call_topics()[:1],
                [f"{epoch(23, 0, 0, PREVIOUS_DAY)}.9,benefit_status,Y,resolved,2026-09-01T00:30:00+05:00"],
            )
        },
    ),
    # -- office visits -------------------------------------------------------------------------------
    Case(
        "ov-a-400-day-visit",
        "office_visits",
        {
            O: lines(
                s.tickets(),
                [
                    "А-900,ens-02,consultation,0,,2026-09-01 09:00:00,2026-09-01 09:05:00,"
                    "2026-09-01 09:06:00,2027-10-06 09:00:00,Окно 1,served,"
                ],
            )
        },
        4,
        one(O, 6, "limit tickets.visit"),
    ),
    Case(
        "ov-issued-in-2099",
        "office_visits",
        {O: lines(s.tickets(), ["А-901,ens-02,consultation,0,,2099-09-01 09:00:00,,,,Окно 1,no_show,"])},
        4,
        one(O, 6, "not on the file's day"),
    ),
    Case(
        "ov-booked-for-another-year",
        "office_visits",
        {
            O: lines(
                s.tickets(), ["З-902,ens-02,consultation,1,2027-09-01 10:00:00,2026-09-01 09:00:00,,,,Окно 1,no_show,"]
            )
        },
        4,
        one(O, 6, "booked_for"),
    ),
    Case("ov-nul-byte", "office_visits", {O: lines(s.tickets()) + b"\x00\x00\x00,ens-02\n"}, 4, one(O, 6, "NUL")),
    Case("ov-utf16-excel-export", "office_visits", {O: utf16(lines(s.tickets()))}, 4),
    Case(
        "ov-one-windows-1251-row",
        "office_visits",
        {
            O: lines(s.tickets())
            + "А-010,ens-02,consultation,0,,2026-09-01 13:00:00,,,,Окно 9,неявка,\n".encode("cp1251")
        },
        5,
        check=_stored("raw_office_visits_tickets", "window_name", "Окно 9"),
    ),
    Case("ov-header-only", "office_visits", {O: lines(s.tickets()[:1])}, 0),
    Case(
        "ov-unknown-header-stops-the-day",
        "office_visits",
        {O: lines(["номер;окно"], s.tickets()[1:])},
        0,
        {(O, 1): "unexpected header", **{(O, n): "file rejected" for n in range(2, 6)}},
        validated=False,
    ),
    Case(
        "ov-300kb-row",
        "office_visits",
        {
            O: lines(
                s.tickets(), f"А-011,ens-02,consultation,0,,2026-09-01 13:00:00,,,,{s.PHONE} {'Ж' * 150_000},no_show,"
            )
        },
        4,
        one(O, 6, "longer than the limit"),
    ),
    Case(
        "ov-office-folder-is-a-link",  # not followed: only the real office's file is read
        "office_visits",
        {O: lines(s.tickets())},
        4,
        prepare=lambda folder: (folder / "ens-03").symlink_to(folder / "ens-02", target_is_directory=True),
    ),
    # -- website -------------------------------------------------------------------------------------
    Case(
        "web-portal-deeply-nested-array",
        "website",
        {H: lines(s.hits()), P: lines(s.portal_events(), "[" * 100_000)},
        6,
        one(P, 4, "nested too deeply"),
    ),
    Case(
        "web-portal-deeply-nested-object",
        "website",
        {H: lines(s.hits()), P: lines(s.portal_events(), '{"a":' * 30_000 + "1" + "}" * 30_000)},
        6,
        one(P, 4, "nested too deeply"),
    ),
    Case(
        "web-portal-number-of-100000-digits",
        "website",
        {P: lines(s.portal_events(), '{"event_id": ' + "7" * 100_000 + "}")},
        3,
        one(P, 4, "malformed JSON"),
    ),
    Case(
        "web-portal-lone-surrogate",
        "website",
        {P: lines(s.portal_events(), json.dumps(s.portal_event(7)).replace('"ev-7"', '"ev-\\ud800"'))},
        3,
        one(P, 4, "unpaired surrogate"),
    ),
    Case(
        "web-portal-appointment-in-2099",
        "website",
        {
            P: lines(
                s.portal_events(),
                json.dumps(
                    s.portal_event(8, event_type="appointment_booked", appointment_at="2099-01-01T10:00:00+05:00")
                ),
            )
        },
        3,
        one(P, 4, "limit portal.appointment_ahead"),
    ),
    Case(
        "web-60kb-percent-encoded-url",
        "website",
        {H: lines(s.hits(), [s.hit(9, url=URL_60K)])},
        4,
        check=_stored("raw_website_hits", "left(url, 36)", "https://czn-ens.ru/search?text=повар"),
    ),
    Case(
        "web-url-in-windows-1251-escapes",
        "website",
        {H: lines(s.hits(), [s.hit(9, url="https://czn-ens.ru/%EF%EE%E8%F1%EA")])},
        4,
        check=_stored("raw_website_hits", "url", "https://czn-ens.ru/поиск"),
    ),
    Case(
        "web-url-with-escaped-nul",  # Logs API "\0" escape: PostgreSQL cannot store NUL
        "website",
        {H: lines(s.hits(), [s.hit(9, url="https://czn-ens.ru/a\\0b")])},
        3,
        one(H, 5, "NUL character"),
    ),
    Case(
        "web-empty-portal-export-does-not-stop-the-hits",
        "website",
        {H: lines(s.hits()), V: lines(s.visits()), P: b""},
        5,
    ),
    Case(
        "web-half-the-hits-rejected-stops-the-day",
        "website",
        {H: lines(s.hits(30), [s.hit(100 + n, at="2026-13-01 10:00:00") for n in range(29)])},
        30,
        {(H, 32 + n): "not a valid date/time" for n in range(29)},
        validated=False,
    ),
    Case(
        "web-hits-header-lacks-a-column-stops-the-day",
        "website",
        {H: lines([line.replace("\t1700000000123456789", "") for line in s.hits()]).replace(b"ym:pv:clientID\t", b"")},
        0,
        {(H, 1): "header lacks", **{(H, n): "file rejected" for n in range(2, 5)}},
        validated=False,
    ),
    Case("web-utf16-logs-api-export", "website", {H: utf16(lines(s.hits())), V: utf16(lines(s.visits()))}, 5),
    Case(
        "web-visit-duration-and-page-views-beyond-limits",
        "website",
        {
            V: lines(
                s.visits(),
                [s.visit(7, **{"ym:s:visitDuration": "1000000000000"}), s.visit(8, **{"ym:s:pageViews": "99999"})],
            )
        },
        2,
        {(V, 4): "visitDuration", (V, 5): "limit visits.page_views"},
    ),
    Case(
        "web-counter-in-its-own-time-zone",  # Moscow counter, Yekaterinburg region: 23:30 MSK is the file's day
        "website",
        {H: lines(s.hits(1), [s.hit(5, at="2026-09-01 23:30:00")])},
        2,
        env={"CJW_METRICA_TIMEZONE_ENSKAYA": "Europe/Moscow"},
        check=_stored("raw_website_hits", "hit_at", datetime.fromisoformat("2026-09-01T23:30:00+03:00")),
    ),
    # -- chatbot -------------------------------------------------------------------------------------
    Case("chat-personal-data-in-every-format", "chatbot", {C: lines(s.chat())}, 4),
    Case(
        "chat-dated-2099",
        "chatbot",
        {C: lines(s.chat(), json.dumps({**s.chat_event(9), "ts": "2099-09-01T10:00:00+05:00"}))},
        4,
        one(C, 5, "not on the file's day"),
    ),
    Case(
        "chat-200kb-message",
        "chatbot",
        {C: lines(s.chat(), json.dumps({**s.chat_event(9), "text": "a." * 90_000 + s.FREE_TEXT}, ensure_ascii=False))},
        5,
    ),
    Case(
        "chat-raw-nul-byte",
        "chatbot",
        {C: lines(s.chat()) + b'{"session_id": "s-9", "seq": 1\x00}\n'},
        4,
        one(C, 5, "NUL"),
    ),
    Case(
        "chat-escaped-nul",
        "chatbot",
        {C: lines(s.chat(), json.dumps({**s.chat_event(9), "text": "a\u0000b"}))},
        4,
        one(C, 5, "NUL character"),
    ),
    Case(
        "chat-deeply-nested",
        "chatbot",
        {C: lines(s.chat(), '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}")},
        4,
        one(C, 5, "nested too deeply"),
    ),
    Case(
        "chat-same-event-other-values-in-another-days-file",
        "chatbot",
        {
            C: lines(
                [
                    json.dumps(
                        {
                            **s.chat_event(0, "chat_started", "s-night"),
                            "channel": "web",
                            "ts": "2026-09-01T00:10:00+05:00",
                        }
                    ),
                    json.dumps(
                        {**s.chat_event(1, "message", "s-night"), "text": "ночью", "ts": "2026-09-01T00:11:00+05:00"}
                    ),
                ]
            )
        },
        0,
        one(C, 1, "already loaded by batch"),
        duplicate=1,
        earlier={
            "chatbot_events-20260831.jsonl": lines(
                [
                    json.dumps(
                        {
                            **s.chat_event(0, "chat_started", "s-night"),
                            "channel": "vk",
                            "ts": "2026-09-01T00:10:00+05:00",
                        }
                    ),
                    json.dumps(
                        {**s.chat_event(1, "message", "s-night"), "text": "ночью", "ts": "2026-09-01T00:11:00+05:00"}
                    ),
                ]
            )
        },
    ),
    # -- cases ---------------------------------------------------------------------------------------
    Case("cases-personal-data-in-free-fields", "cases", {K: lines(s.case_events())}, 3, rerun=True),
    Case(
        "cases-dated-2005",
        "cases",
        {
            K: lines(
                s.case_events(),
                json.dumps(s.case_event(9, occurred_at="2005-09-01T10:00:00+05:00"), ensure_ascii=False),
            )
        },
        3,
        one(K, 4, "not on the file's day"),
    ),
    Case(
        "cases-amount-of-30-digits",
        "cases",
        {
            K: lines(
                s.case_events(),
                json.dumps(s.case_event(9), ensure_ascii=False).replace(
                    '"ticket_id"', '"amount_rub": 1' + "0" * 29 + ', "ticket_id"'
                ),
            )
        },
        3,
        one(K, 4, "amount_rub"),
    ),
    Case("cases-utf16", "cases", {K: utf16(lines(s.case_events()))}, 3),
    Case(
        "cases-repeated-field",
        "cases",
        {K: lines(s.case_events(), '{"event_id": "a", "event_id": "b"}')},
        3,
        one(K, 4, "appears twice"),
    ),
    # -- surveys -------------------------------------------------------------------------------------
    Case("surveys-personal-data-in-comments", "surveys", {S: lines(s.surveys())}, 3),
    Case(
        "surveys-responded-in-2099",
        "surveys",
        {S: lines(s.surveys(), s.survey_row("SR-009", at="2099-09-01 12:00:00"))},
        3,
        one(S, 5, "not on the file's day"),
    ),
    Case(
        "surveys-one-windows-1251-row",
        "surveys",
        {S: lines(s.surveys()) + s.survey_row("SR-010", comment="Очень долго").encode("cp1251") + b"\n"},
        4,
        check=_stored("raw_surveys_responses", "comment_scrubbed", "Очень долго"),
    ),
    Case(
        "surveys-comment-above-the-csv-limit",
        "surveys",
        {S: lines(s.surveys(), s.survey_row("SR-011", comment=f"{s.PHONE} " + "d" * 140_000))},
        3,
        one(S, 5, "field larger than field limit"),
    ),
    Case(
        "surveys-unknown-header-stops-the-day",
        "surveys",
        {S: lines(["id,оценка"], s.surveys()[1:])},
        0,
        {(S, 1): "unexpected header", **{(S, n): "file rejected" for n in range(2, 5)}},
        validated=False,
    ),
    Case(
        "surveys-jsonl-deeply-nested",
        "surveys",
        {
            SJ: lines(
                json.dumps(
                    {
                        "response_id": "SR-1",
                        "channel": "office",
                        "touchpoint_id": "office_window",
                        "responded_at": "2026-09-01T12:00:00+05:00",
                        "csat": 4,
                    }
                ),
                '{"comment": ' + "[" * 100_000 + "}",
            )
        },
        1,
        one(SJ, 2, "nested too deeply"),
    ),
]


# A source added later brings its cases in a module of its own, tests/bad_input/cases_<source>.py
# (a list CASES of Case), so that adding a source does not edit this file.
for _module in sorted(Path(__file__).resolve().parent.glob("cases_*.py")):
    CASES += import_module(f"tests.bad_input.{_module.stem}").CASES

# -- the harness ----------------------------------------------------------------------------------

TIMINGS: dict[str, dict[str, float]] = {}
TOKENS = re.compile(r"<[a-z_]+(?::[0-9a-f]*)?>|\b[0-9a-f]{64}\b|\b[0-9a-f]{32}\b")


def _needles(secrets: tuple[str, ...]) -> list[str]:
    needles = []
    for secret in secrets:
        digits = re.sub(r"\D", "", secret)
        needles.append(digits[-10:] if len(digits) >= 10 else secret.lower())
    return needles


def _leaks(text: str, needles: list[str]) -> list[str]:
    cleaned = TOKENS.sub(" ", text)
    flat = re.sub(r"\D", "", cleaned)
    lowered = cleaned.lower()
    return [n for n in needles if (n.isdigit() and n in flat) or (not n.isdigit() and n in lowered)]


def _stored_texts(dsn: str) -> list[tuple[str, str, str]]:
    """Every text value stored in any schema of the database: (table, column, value)."""
    found = []
    with psycopg.connect(dsn) as conn:
        columns = conn.execute(
            "select table_schema, table_name, column_name from information_schema.columns"
            " where table_schema not in ('pg_catalog', 'information_schema')"
            " and data_type in ('text', 'character varying', 'jsonb', 'json', 'ARRAY')"
        ).fetchall()
        for schema, table, column in columns:
            query = f'select "{column}"::text from "{schema}"."{table}" where "{column}" is not null'
            found += [(f"{schema}.{table}", column, value) for (value,) in conn.execute(query)]  # type: ignore[arg-type]
    return found


def _write_files(folder: Path, files: dict[str, bytes]) -> int:
    size = 0
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        size += len(content)
    return size


def _interval(day: Any) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), YEKT)
    return start, start + timedelta(days=1)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(
    case: Case,
    fresh_db: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    landing = tmp_path / "landing"
    folder = landing / REGION / case.source
    folder.mkdir(parents=True)

    def load(day: Any) -> dict[str, Any]:
        start, end = _interval(day)
        return load_interval(case.source, REGION, start, end, dsn=fresh_db, key=KEY, landing=landing)

    if case.earlier:
        _write_files(folder, case.earlier)
        earlier = load(PREVIOUS_DAY)
        assert validate_batch(case.source, earlier["batch_id"], dsn=fresh_db)["success"]
        for name in case.earlier:
            (folder / name).unlink()
    size = _write_files(folder, case.files)
    if case.prepare:
        case.prepare(folder)

    started = time.perf_counter()
    report = load(DAY)
    load_seconds = time.perf_counter() - started
    if case.rerun:  # re-running the interval replaces its batch: same figures, rows once
        first = report
        report = load(DAY)
        assert report["replaced_batches"] == [first["batch_id"]]
        assert {k: report[k] for k in ("read", "loaded", "rejected", "duplicate")} == {
            k: first[k] for k in ("read", "loaded", "rejected", "duplicate")
        }
    started = time.perf_counter()
    result = validate_batch(case.source, report["batch_id"], dsn=fresh_db, run_id=f"corpus-{case.id}")
    validate_seconds = time.perf_counter() - started

    def query(sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(fresh_db) as conn:
            return list(conn.execute(sql, params or None).fetchall())  # type: ignore[arg-type]

    # the batch balances, the good lines load, each bad line is rejected with its reason
    assert report["read"] == report["loaded"] + report["rejected"] + report["duplicate"], report
    assert (report["loaded"], report["duplicate"]) == (case.loaded, case.duplicate), report
    rejected_table = f"rejected_{case.source}"
    rows = query(
        f"select f.path, r.line_no, r.reason from raw.{rejected_table} r"
        " join raw.ingest_files f using (batch_id, file_seq) where r.batch_id = %s",
        report["batch_id"],
    )
    got = {(str(Path(path).relative_to(folder)), line_no): reason for path, line_no, reason in rows}
    assert set(got) == set(case.rejected), sorted(got.items())[:5]
    for key, part in case.rejected.items():
        assert part in got[key], (key, got[key])
    assert report["rejected"] == len(case.rejected)

    # the verdict: validated, or stopped by the gate with its rows removed and an alert naming the file
    assert result["success"] is case.validated, result.get("reason")
    (status,) = query("select status from raw.ingest_batches where batch_id = %s", report["batch_id"])[0]
    assert status == ("validated" if case.validated else "failed_validation")
    if not case.validated:
        tables = [table.name for table in connector_for(case.source).tables.values()]
        for table in tables:
            assert query(f"select count(*) from raw.{table} where batch_id = %s", report["batch_id"]) == [(0,)]
        [(message,)] = query("select message_ru from ops.alerts where run_id = %s", f"corpus-{case.id}")
        named = {Path(name).name for name, _ in case.rejected}
        assert any(name in message for name in named), message
    if case.check:
        case.check(query)

    # nothing personal in clear: not in any table, not in the logs, not in what the functions returned
    needles = _needles(SECRETS)
    leaks = [(table, column, _leaks(value, needles)) for table, column, value in _stored_texts(fresh_db)]
    assert [leak for leak in leaks if leak[2]] == []
    logged = caplog.text + "".join(capsys.readouterr()) + json.dumps(report) + json.dumps(result, default=str)
    assert _leaks(logged, needles) == []

    # linear work: at most 2 s per MB of input (per started MB for small files)
    megabytes = size / MB
    TIMINGS[case.id] = {
        "megabytes": round(megabytes, 3),
        "load_seconds": round(load_seconds, 3),
        "seconds_per_mb": round(load_seconds / max(megabytes, 1e-9), 3),
        "validate_seconds": round(validate_seconds, 3),
    }
    assert load_seconds <= 2.0 * max(1.0, megabytes), TIMINGS[case.id]


def test_the_corpus_covers_every_source_and_class() -> None:
    assert len(CASES) >= 60
    assert {c.source for c in CASES} == set(SOURCES)
    assert len({c.id for c in CASES}) == len(CASES)
    assert sum(not c.validated for c in CASES) >= 5  # the reject gate's cases


@pytest.fixture(scope="module", autouse=True)
def _write_timings() -> Any:
    yield
    if TIMINGS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "timings.json").write_text(json.dumps(TIMINGS, indent=2, sort_keys=True))
