"""Feedback surveys: scores that follow the experience and Russian comments from a phrase bank.

A contact (answered call, office visit, resolved chat, portal application, complaint answer)
sometimes ends with a survey. The mean score comes from the experience (``mood`` 1–5: a long
wait or a fallback lowers it), each channel asks its own scores (the office «Ваш контроль»
criteria, the IVR CSAT and CES, the portal CSAT/CES/NPS). About a third of responses have a
comment whose themes match the experience; a few comments contain the respondent's phone,
e-mail or SNILS (masked at ingestion). About 60 % carry a reference (phone, ESIA id, ticket +
office, case id). The phrase bank is Windows-1251-safe: one day's export is written in cp1251.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field

from include.generator import identity as ident
from include.generator.feeds import Clock, Feed, Truth

HEADER = (
    "response_id", "channel", "touchpoint_id", "responded_at", "csat", "ces", "nps", "vk_politeness",
    "vk_competence", "vk_speed", "vk_comfort", "vk_information", "relevance", "comment", "phone", "esia_id",
    "ticket_id", "office_id", "case_id",
)  # fmt: skip
SCORES = {  # channel -> scores asked («relevance»: what was offered fitted the client's situation)
    "office": ("csat", "vk_politeness", "vk_competence", "vk_speed", "vk_comfort", "vk_information", "relevance"),
    "call_centre": ("csat", "ces"),
    "chatbot": ("csat",),
    "portal": ("csat", "ces", "nps", "relevance"),
    "website": ("csat", "nps"),
}
COMMENT_SHARE = 0.35
PHRASES = {
    "wait": ("Очень долго ждал в очереди", "ожидание больше часа, это ненормально", "Очередь огромная, окон мало",
             "ждали вызова почти час, никто ничего не объясняет"),
    "call_wait": ("дозвониться невозможно", "Долго висел на линии, музыка надоела", "сбрасывают звонок",
                  "звонил три раза, пока ответили"),
    "site": ("сайт не работает, ошибка при входе", "Госуслуги выкидывают при входе", "на сайте ничего не найти",
             "заявление не отправляется с телефона"),
    "documents": ("Вернули заявление, не понятно каких документов не хватает", "попросили принести ещё справку",
                  "документы пришлось сдавать два раза"),
    "benefit": ("пособие задержали", "Выплата пришла позже, чем обещали", "почему пособие такое маленькое"),
    "chatbot": ("бот ничего не понимает", "Чат-бот отвечает не на тот вопрос", "пришлось звать оператора"),
    "complaint": ("Жалобу так и не рассмотрели по существу", "отписка вместо ответа", "хамское отношение"),
    "polite": ("Спасибо, специалист вежливая и всё объяснила", "Вежливый оператор, всё подсказал",
               "быстро и вежливо", "Спасибо за помощь!"),
    "fast": ("Всё быстро, без очереди", "Приняли точно по записи", "удобно подать заявление онлайн"),
    "neutral": ("Нормально", "в целом устроило", "Хотелось бы больше вакансий", "мало вакансий по моей профессии"),
}  # fmt: skip
CONTACT_PREFIX = ("перезвоните мне", "свяжитесь со мной", "мой телефон", "ответ пришлите на почту")


@dataclass(frozen=True)
class Respondent:
    """Who answers and what the response may reference."""

    client_id: str
    phone: str | None = None  # ten-digit national number
    esia: str | None = None
    email: str | None = None
    snils: str | None = None
    ticket: tuple[str, str] | None = None  # (ticket_id, office_id), same local day
    case_id: str | None = None


@dataclass
class Surveys:
    """Writes survey rows (CSV text) bucketed by the day of the response."""

    seed: int
    truth: Truth
    feed: Feed = field(default_factory=Feed)
    count: int = 0

    def respond(
        self,
        rng: random.Random,
        clock: Clock,
        epoch: int,
        channel: str,
        touchpoint: str,
        mood: float,
        themes: tuple[str, ...],
        who: Respondent,
    ) -> str:
        """One response at ``epoch``; ``mood`` is the expected CSAT (1–5)."""
        self.count += 1
        response_id = f"SR{ident.unique(self.count, 7, self.seed, 'survey') + 1_000_000 * (1 + self.seed % 8):08d}"
        row = dict.fromkeys(HEADER, "")
        row.update(response_id=response_id, channel=channel, touchpoint_id=touchpoint, responded_at=clock.local(epoch))
        csat = _score(rng, mood, 0.75)
        for name in SCORES[channel]:
            if name == "nps":
                row[name] = str(max(0, min(10, round(2.4 * csat - 2 + rng.gauss(0, 1.3)))))
            elif name == "csat" or rng.random() < 0.9:
                row[name] = str(csat if name == "csat" else _score(rng, mood + (csat - mood) * 0.5, 0.7))
        if rng.random() < COMMENT_SHARE:
            row["comment"] = _comment(rng, mood, themes, who)
        if rng.random() < 0.6:
            _reference(rng, row, who)
        ordinal = clock.ordinal_of(epoch)
        self.feed.add(ordinal, epoch, csv_line([row[k] for k in HEADER]))
        self.truth.add(ordinal, "surveys", response_id, who.client_id)
        return response_id


def _score(rng: random.Random, mean: float, sigma: float) -> int:
    return max(1, min(5, round(rng.gauss(mean, sigma))))


def _comment(rng: random.Random, mood: float, themes: tuple[str, ...], who: Respondent) -> str:
    pool: tuple[str, ...]
    if mood >= 4.0:
        pool = ("polite", "fast", "neutral")
    elif mood >= 3.2:
        pool = ("neutral", *themes) if themes else ("neutral", "polite")
    else:
        pool = themes or ("neutral",)
    text = rng.choice(PHRASES[rng.choice(pool)])
    roll = rng.random()
    if roll < 0.05 and who.phone:
        text = f"{text}, {rng.choice(CONTACT_PREFIX[:3])} {ident.survey_phone(who.phone, rng.randrange(3))}"
    elif roll < 0.08 and who.email:
        text = f"{text}; {CONTACT_PREFIX[3]} {who.email}"
    elif roll < 0.1 and who.snils:
        text = f"{text}. СНИЛС {ident.snils_text(who.snils, rng.random() < 0.6)}"
    return text


def _reference(rng: random.Random, row: dict[str, str], who: Respondent) -> None:
    options = []
    if who.ticket:
        options.append("ticket")
    if who.case_id:
        options.append("case")
    if who.esia:
        options.append("esia")
    if who.phone:
        options.append("phone")
    if not options:
        return
    kind = rng.choice(options)
    if kind == "ticket" and who.ticket:
        row["ticket_id"], row["office_id"] = who.ticket
    elif kind == "case":
        row["case_id"] = who.case_id or ""
    elif kind == "esia":
        row["esia_id"] = who.esia or ""
    elif who.phone:
        row["phone"] = ident.survey_phone(who.phone, rng.randrange(3))


def csv_line(fields: list[str], sep: str = ",") -> str:
    """One CSV record without line end, quoted as the csv module does."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="").writerow(fields)
    return buffer.getvalue()
