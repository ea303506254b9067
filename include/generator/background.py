"""Background traffic: people outside the modelled journeys on the site, in the chatbot and in surveys.

Most site visitors never log in and most chats are one-off questions; they are written like the
clients' ones but belong to nobody in the population (truth ``client_id`` empty). Background
callers and office visitors (``callcentre`` / ``office``) are people of the phone pools
(``bg<area><index>``) or anonymous walk-ins (empty). A share of them answers a survey.
"""

from __future__ import annotations

import itertools
import random

from include.generator.chatbot import Chatbot
from include.generator.engine import call_mood, office_mood, web_time
from include.generator.feeds import Clock
from include.generator.surveys import Respondent, Surveys
from include.generator.website import Website

WEB_VISITS_PER_OFFICE = 45
CHATS_PER_OFFICE = 5
WEEKLY = {1: 1.2, 2: 1.1, 3: 1.05, 4: 1.0, 5: 0.9, 6: 0.55, 7: 0.5}
THEMES = {
    "vacancies": 0.34, "general": 0.18, "unemployment": 0.14, "benefit": 0.08, "documents": 0.05,
    "training": 0.08, "career": 0.04, "employer": 0.06, "complaint": 0.03,
}  # fmt: skip
INTENTS = {
    "office_hours": 0.22, "vacancy_search": 0.22, "benefit_status": 0.14, "appointment": 0.12,
    "documents_list": 0.1, "registration_howto": 0.08, "training_programs": 0.08, "operator": 0.04,
}  # fmt: skip
CALL_SURVEY = 0.035
OFFICE_SURVEY = 0.05


def web_day(rng: random.Random, clock: Clock, website: Website, offices: int, scale: float) -> None:
    """Anonymous visits of the day (new cookies, never logged in)."""
    expected = WEB_VISITS_PER_OFFICE * offices * scale * WEEKLY[clock.day.isoweekday()]
    themes, weights = list(THEMES), list(itertools.accumulate(THEMES.values()))
    for _ in range(_poisson_like(rng, expected)):
        theme = rng.choices(themes, cum_weights=weights)[0]
        count = rng.choice((1, 1, 1, 2, 2, 3, 4))
        cookie = website.new_cookie(rng, clock)
        website.session(rng, clock, web_time(rng, clock), cookie, "", website.pages(rng, theme, count))


def chat_day(rng: random.Random, clock: Clock, chatbot: Chatbot, offices: int, scale: float) -> None:
    """One-off chats of people outside the journeys (mostly on the website, anonymous)."""
    expected = CHATS_PER_OFFICE * offices * scale * WEEKLY[clock.day.isoweekday()]
    intents, weights = list(INTENTS), list(itertools.accumulate(INTENTS.values()))
    for _ in range(_poisson_like(rng, expected)):
        intent = rng.choices(intents, cum_weights=weights)[0]
        roll = rng.random()
        channel, user = ("web", None) if roll < 0.6 else ("telegram", f"tg:{rng.randrange(2 * 10**9, 7 * 10**9)}")
        if roll > 0.85:
            channel, user = "vk", f"vk:{rng.randrange(5 * 10**8, 9 * 10**8)}"
        chatbot.session(rng, clock, web_time(rng, clock), "", [intent], channel, user, None)


def call_survey(
    rng: random.Random, clock: Clock, surveys: Surveys, person: str, caller: str, wait: int, end: int
) -> None:
    """A background caller answers the post-call survey (sometimes)."""
    if rng.random() >= CALL_SURVEY:
        return
    digits = "".join(ch for ch in caller if ch.isdigit())
    who = Respondent(person, digits[-10:] if len(digits) >= 10 else None)
    surveys.respond(rng, clock, end + 15, "call_centre", "call_centre_operator", call_mood(wait), ("call_wait",), who)


def office_survey(
    rng: random.Random, clock: Clock, surveys: Surveys, person: str, phone: str, ticket: tuple[str, str],
    wait_minutes: float, ended: int,
) -> None:  # fmt: skip
    """A background visitor rates the visit on the terminal (sometimes)."""
    if rng.random() >= OFFICE_SURVEY:
        return
    digits = "".join(ch for ch in phone if ch.isdigit())
    who = Respondent(person, digits[-10:] if len(digits) >= 10 else None, ticket=ticket)
    touchpoint = "office_queue" if wait_minutes > 20 and rng.random() < 0.5 else "office_window"
    surveys.respond(rng, clock, ended + 60, "office", touchpoint, office_mood(wait_minutes), ("wait",), who)


def _poisson_like(rng: random.Random, expected: float) -> int:
    """A Poisson-ish count (normal approximation, fine for the dozens to thousands used here)."""
    return max(0, round(rng.gauss(expected, expected**0.5)))
