"""The chatbot: one session per chat, written as JSON lines (``chat_started`` … ``rating``).

A user writes about one need (sometimes two); the bot recognises the intent or falls back, the
user may rephrase, ask for an operator or give up. Planted fact: the bot's model knows nothing
about training, so every message about ``training_programs`` ends in ``fallback`` — never in
``intent_recognised``. Texts sometimes contain a phone or a SNILS typed by the user (masked at
ingestion).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from include.generator import identity as ident
from include.generator.feeds import Clock, Feed, Truth, json_line

NEVER_RECOGNISED = "training_programs"
RECOGNISED = 0.88
REPHRASE = 0.6
TEXTS = {
    "benefit_status": (
        "Когда придёт пособие?",
        "не пришло пособие за этот месяц",
        "Почему задерживают выплату пособия по безработице",
        "статус выплаты пособия",
        "сколько мне будут платить пособие",
    ),
    "registration_howto": (
        "Как встать на учёт по безработице?",
        "хочу встать на биржу",
        "как зарегистрироваться безработным",
        "Что нужно чтобы получить статус безработного",
    ),
    "documents_list": (
        "Какие документы нужны для постановки на учёт?",
        "какие справки принести",
        "нужна ли трудовая книжка",
        "Мне написали что не хватает документов, каких?",
    ),
    "appointment": (
        "Хочу записаться на приём",
        "запись к специалисту",
        "Как записаться в центр занятости",
        "перенести запись",
    ),
    "vacancy_search": (
        "Есть вакансии водителя?",
        "ищу работу продавцом",
        "подберите вакансии",
        "работа для студентов",
        "вакансии без опыта работы",
    ),
    "training_programs": (
        "Какие есть курсы переобучения?",
        "хочу пройти обучение на сварщика",
        "бесплатное обучение от центра занятости",
        "курсы повышения квалификации для предпенсионеров",
        "как попасть на обучение по нацпроекту",
        "можно ли выучиться на оператора ЭВМ",
    ),
    "office_hours": ("Во сколько открывается центр занятости?", "адрес ЦЗН", "часы работы в субботу"),
    "employer_vacancy": (
        "Как разместить вакансию?",
        "нужны сотрудники на склад, куда подать заявку",
        "размещение вакансии работодателем",
    ),
    "complaint": (
        "Хочу пожаловаться на сотрудника",
        "жалоба на работу центра занятости",
        "Меня третий раз отправляют домой",
    ),
    "operator": ("оператор", "позовите человека", "соедините со специалистом"),
}
UNCLEAR = ("а?", "не понял", "и что дальше", "???", "помогите")


@dataclass(frozen=True)
class ChatResult:
    """What the journey needs to know about a chat."""

    session_id: str
    resolved: bool  # resolved by the bot without an operator
    handoff: bool
    fallback: bool
    end_epoch: int


@dataclass
class Chatbot:
    """Writes chat sessions; ``session`` returns how the chat went."""

    seed: int
    truth: Truth
    feed: Feed = field(default_factory=Feed)
    sessions: int = 0

    def session(
        self,
        rng: random.Random,
        clock: Clock,
        start: int,
        client_id: str,
        intents: list[str],
        channel: str,
        user_id: str | None,
        phone: str | None,
        snils: str | None = None,
    ) -> ChatResult:
        """One chat about ``intents`` (usually one) starting at epoch ``start``."""
        self.sessions += 1
        sid = ident.uuid_like(self.sessions, self.seed + 23)
        lines: list[tuple[int, dict]] = []
        now = start
        first: dict = {"session_id": sid, "seq": 0, "ts": "", "event": "chat_started", "channel": channel}
        if user_id:
            first["user_id"] = user_id
        if phone and rng.random() < 0.5:
            first["phone"] = ident.chat_phone(phone, rng.randrange(2))
            phone = None
        lines.append((now, first))
        fallback = unresolved = False
        for intent in intents:
            now, ok, fell = self._need(rng, lines, sid, now, intent, snils if rng.random() < 0.04 else None)
            fallback |= fell
            unresolved |= not ok
        now += rng.randint(10, 90)
        handoff = (unresolved and rng.random() < 0.55) or intents[-1] == "operator"
        if handoff:
            event: dict = {"session_id": sid, "seq": 0, "ts": "", "event": "handoff_to_operator"}
            if phone and rng.random() < 0.6:
                event["phone"] = ident.chat_phone(phone, rng.randrange(2))
            lines.append((now, event))
            now += rng.randint(60, 900)
        ended = "resolved" if (not unresolved or handoff) and rng.random() < 0.88 else "abandoned"
        lines.append((now, {"session_id": sid, "seq": 0, "ts": "", "event": ended}))
        if ended == "resolved" and rng.random() < 0.3:
            now += rng.randint(3, 40)
            score = _rating(rng, fallback, handoff)
            lines.append((now, {"session_id": sid, "seq": 0, "ts": "", "event": "rating", "rating": score}))
        ordinal = clock.ordinal_of(start)
        for seq, (epoch, record) in enumerate(lines):
            record["seq"], record["ts"] = seq, clock.iso(epoch)
            self.feed.add(ordinal, epoch, json_line(record))
        self.truth.add(ordinal, "chatbot", sid, client_id)
        return ChatResult(sid, ended == "resolved" and not handoff, handoff, fallback, now)

    def _need(
        self, rng: random.Random, lines: list[tuple[int, dict]], sid: str, now: int, intent: str, snils: str | None
    ) -> tuple[int, bool, bool]:
        """Messages about one intent; returns (time, recognised, fell back)."""
        fell = False
        for attempt in range(2):
            now += rng.randint(5, 60)
            text = rng.choice(TEXTS[intent]) if attempt == 0 or rng.random() < 0.7 else rng.choice(UNCLEAR)
            if snils and attempt == 0:
                text = f"{text} мой снилс {ident.snils_text(snils, rng.random() < 0.5)}"
            lines.append((now, {"session_id": sid, "seq": 0, "ts": "", "event": "message", "text": text}))
            now += rng.randint(1, 4)
            if intent != NEVER_RECOGNISED and rng.random() < RECOGNISED:
                confidence = round(rng.uniform(0.62, 0.99), 2)
                record = {"session_id": sid, "seq": 0, "ts": "", "event": "intent_recognised",
                          "intent": intent, "confidence": confidence}  # fmt: skip
                lines.append((now, record))
                return now + rng.randint(20, 120), True, fell
            fell = True
            record = {"session_id": sid, "seq": 0, "ts": "", "event": "fallback", "text": text,
                      "confidence": round(rng.uniform(0.05, 0.45), 2)}  # fmt: skip
            lines.append((now, record))
            if rng.random() > REPHRASE:
                break
        return now, False, fell


def _rating(rng: random.Random, fallback: bool, handoff: bool) -> int:
    mean = 4.4 - (1.2 if fallback else 0.0) - (0.4 if handoff else 0.0)
    return max(1, min(5, round(rng.gauss(mean, 0.8))))
