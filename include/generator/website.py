"""The website as Yandex Metrica sees it (Logs API hits and visits) and «Работа России» portal events.

A site session is one Metrica visit: a few page views of one theme (information on
unemployment, vacancy search, the employer's cabinet…) under the browser's ``clientID`` cookie.
Logging in through ESIA or submitting an application is a session whose pages carry goals and
whose portal event carries the same cookie as ``metrica_client_id`` — the link between the
anonymous site and the logged-in person. Hits are written in the counter's (region's) time,
portal events in Moscow time with an explicit offset.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from include.generator import identity as ident
from include.generator.feeds import Clock, Feed, Tag, Truth, json_line

TV = "https://trudvsem.ru"
HITS_HEADER = (
    "ym:pv:watchID", "ym:pv:dateTime", "ym:pv:title", "ym:pv:URL", "ym:pv:referer", "ym:pv:clientID",
    "ym:pv:goalsID", "ym:pv:lastTrafficSource",
)  # fmt: skip
VISITS_HEADER = (
    "ym:s:visitID", "ym:s:dateTime", "ym:s:clientID", "ym:s:startURL", "ym:s:pageViews", "ym:s:visitDuration",
    "ym:s:goalsID", "ym:s:lastTrafficSource",
)  # fmt: skip
GOAL_LOGIN, GOAL_APPLICATION, GOAL_APPOINTMENT = 30101, 30102, 30104
# theme -> (title, paths); "{czn}" is the regional ЦЗН site, the rest is trudvsem.ru
THEMES: dict[str, tuple[str, tuple[str, ...]]] = {
    "unemployment": ("Постановка на учёт по безработице", (
        "{czn}/unemployment", "{czn}/unemployment/registration", "{czn}/unemployment/benefit",
        f"{TV}/information-pages/unemployment", f"{TV}/information-pages/benefit",
    )),
    "documents": ("Документы и справки", (
        "{czn}/documents", f"{TV}/information-pages/documents", "{czn}/documents/certificates",
    )),
    "benefit": ("Пособие по безработице", (
        "{czn}/unemployment/benefit", f"{TV}/information-pages/benefit", "{czn}/unemployment/benefit/payments",
    )),
    "vacancies": ("Поиск вакансий", (
        f"{TV}/vacancy/search?regionCode=6600000000000", f"{TV}/vacancy/search?regionCode=6600000000000&page=2",
        f"{TV}/vacancy/card/1026600000000/{{card}}", f"{TV}/vacancy/card/1036600000000/{{card}}",
    )),
    "training": ("Профессиональное обучение", (
        f"{TV}/education/programs", "{czn}/training", "{czn}/training/retraining",
    )),
    "career": ("Профориентация", (f"{TV}/career/test", "{czn}/career-guidance", "{czn}/career-guidance/youth")),
    "employer": ("Кабинет работодателя", (
        f"{TV}/employer/cabinet", f"{TV}/employer/vacancy/new", f"{TV}/employer/responses", "{czn}/employers",
    )),
    "complaint": ("Обратная связь", ("{czn}/feedback", "{czn}/feedback/complaint")),
    "general": ("Центр занятости населения", ("{czn}/", "{czn}/contacts", "{czn}/news", f"{TV}/")),
    "cabinet": ("Личный кабинет", (f"{TV}/cabinet", f"{TV}/cabinet/applications")),
}  # fmt: skip
LOGIN_URL = f"{TV}/auth/login"
ERROR_URL = f"{TV}/error/500"
ERROR_SHARE = 0.04  # visits that end on the portal's error page
APPLY_URL = f"{TV}/cabinet/applications/new?type={{type}}"
APPOINTMENT_URL = f"{TV}/cabinet/appointments/new"
CABINET_URL = f"{TV}/cabinet"
APPLICATIONS_URL = f"{TV}/cabinet/applications"
SOURCES = ("organic", "direct", "referral", "ad", "internal", "social", "email")
SOURCE_WEIGHTS = (0.42, 0.25, 0.12, 0.06, 0.05, 0.07, 0.03)
SOURCE_CUMULATIVE = tuple(itertools.accumulate(SOURCE_WEIGHTS))
REFERERS = {
    "organic": "https://yandex.ru/search/",
    "referral": "https://www.gosuslugi.ru/",
    "ad": "https://yandex.ru/",
    "social": "https://vk.com/",
    "email": "https://e.mail.ru/",
}


@dataclass
class Website:
    """Writes Metrica hits and visits and portal events; ids are unique per run."""

    region_id: str
    seed: int
    truth: Truth
    hits: Feed = field(default_factory=Feed)
    visits: Feed = field(default_factory=Feed)
    portal: Feed = field(default_factory=Feed)
    counters: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(("hit", "visit", "event", "cookie", "application"), 0)
    )

    def new_application_id(self, year: int) -> str:
        self.counters["application"] += 1
        return f"RR-{year}-{ident.unique(self.counters['application'], 7, self.seed, 'application') + 1:07d}"

    @property
    def czn(self) -> str:
        return f"https://czn.{self.region_id}.ru"

    def new_cookie(self, rng: random.Random, clock: Clock) -> str:
        """A browser never seen before (background visitors)."""
        self.counters["cookie"] += 1
        first = clock.midnight - rng.randrange(0, 86400 * 400)
        return ident.metrica_client_id(10**7 + self.counters["cookie"], self.seed + 7, first)

    def pages(self, rng: random.Random, theme: str, count: int) -> list[tuple[str, str]]:
        """``count`` pages (url, title) of a theme, often starting from the theme's main page."""
        paths = THEMES[theme][1]
        picked = [paths[0], *rng.choices(paths, k=count - 1)] if rng.random() < 0.6 else rng.choices(paths, k=count)
        czn = self.czn
        return [
            (p.replace("{czn}", czn).replace("{card}", f"{rng.getrandbits(48):012x}") if "{" in p else p, title(p))
            for p in picked
        ]

    def session(
        self,
        rng: random.Random,
        clock: Clock,
        start: int,
        cookie: str,
        client_id: str,
        pages: list[tuple[str, str]],
        goals: dict[int, int] | None = None,
        source: str | None = None,
        page_tags: list[tuple[Tag, ...]] | None = None,
    ) -> list[int]:
        """One visit of page views (url, title) starting at epoch ``start``; returns the epochs of its hits.

        ``goals`` maps a page's position to the goal reached on it.
        """
        if rng.random() < ERROR_SHARE:  # the portal failed under the visitor: an error page
            pages = [*pages, (ERROR_URL, title(ERROR_URL))]
            page_tags = [*page_tags, ()] if page_tags else None
        source = source or rng.choices(SOURCES, cum_weights=SOURCE_CUMULATIVE)[0]
        referer = REFERERS.get(source, "")
        ordinal, now, reached, times = clock.ordinal, start, [], []
        goals = goals or {}
        for k, (url, page_title) in enumerate(pages):
            goal = goals.get(k)
            goal_text = f"[{goal}]" if goal else "[]"
            if goal:
                reached.append(goal)
            self.counters["hit"] += 1
            watch = ident.watch_id(self.counters["hit"], self.seed)
            row = (watch, clock.local(now), page_title, url, referer, cookie, goal_text, source)
            self.hits.add(ordinal, now, "\t".join(row))
            times.append(now)
            self.truth.add(ordinal, "website_hits", watch, client_id, page_tags[k] if page_tags else None)
            referer = url
            if k + 1 < len(pages):
                now += rng.randint(8, 150)
        self.counters["visit"] += 1
        visit = ident.watch_id(self.counters["visit"], self.seed + 1)
        duration = now - start + (rng.randint(5, 90) if len(pages) > 1 or rng.random() < 0.6 else 0)
        goals_text = "[" + ",".join(str(g) for g in sorted(set(reached))) + "]"
        row = (visit, clock.local(start), cookie, pages[0][0], str(len(pages)), str(duration), goals_text, source)
        self.visits.add(ordinal, start, "\t".join(row))
        self.truth.add(ordinal, "website_visits", visit, client_id, ())
        return times

    def portal_event(self, clock: Clock, epoch: int, client_id: str, record: dict[str, Any]) -> str:
        """One portal event (``record`` without id and time, in the documented field order)."""
        self.counters["event"] += 1
        event_id = ident.uuid_like(self.counters["event"], self.seed + 11)
        line = json_line({"event_id": event_id, "event_type": record.pop("event_type"),
                          "occurred_at": clock.iso_moscow(epoch), **record})  # fmt: skip
        ordinal = clock.ordinal_of(epoch)
        self.portal.add(ordinal, epoch, line)
        self.truth.add(ordinal, "portal", event_id, client_id)
        return event_id


_TITLES = {
    "/vacancy": "Вакансии — Работа России",
    "/auth": "Вход через Госуслуги — Работа России",
    "/error": "Ошибка — Работа России",
    "/cabinet/applications/new": "Подача заявления — Работа России",
    "/cabinet/appointments": "Запись на приём — Работа России",
    "/cabinet": "Личный кабинет — Работа России",
    "/employer": "Работодателям — Работа России",
    "/education": "Обучение — Работа России",
    "/career": "Профориентационный тест — Работа России",
    "/unemployment": "Безработным — ЦЗН",
    "/information-pages": "Справочная информация — Работа России",
    "/training": "Обучение и переобучение — ЦЗН",
    "/feedback": "Обратная связь — ЦЗН",
    "/employers": "Работодателям — ЦЗН",
}


@lru_cache(maxsize=512)
def title(url: str) -> str:
    """Page title of a url (or url template) of the site."""
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else "/"
    best = max((p for p in _TITLES if path.startswith(p)), key=len, default="")
    return _TITLES.get(best, "Центр занятости населения")
