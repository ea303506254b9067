"""E-mail and web-form requests: the help desk's export (``email_requests-YYYYMMDD.jsonl``).

Some clients with an e-mail address write to the ЦЗН — a letter or the form on the site —
about the same need they then call, chat or come about (the contact the journey makes anyway:
``steps.contact``). Each request is received, answered by the office in its working hours
(Monday–Friday 9:00–18:00 local; a few are never answered, a few are closed as duplicates) and
closed. The form asks for a phone and sometimes a SNILS, so a request links to the client's calls
and case; the e-mail links to the portal (clients without a Госуслуги account use the form). What
a request is about shows only in its subject and text, in words the seed ``email_request_topics``
recognises.

Everything here draws from its own random stream (``P_EMAIL``, seeded per day), never from the
journey engine's: the other sources' files are byte-identical with or without this feed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from include.generator import identity as ident
from include.generator.feeds import Clock, Feed, Tag, Truth, json_line
from include.generator.journeys import INFO_JOURNEY, info_run_id
from include.generator.population import Client
from include.generator.schedule import DAY, HOUR
from include.generator.streams import py_rng

P_EMAIL = "email_requests"
SOURCE = "email_requests"
WRITE_SHARE = 0.25  # of the contacts of a client who has an e-mail address: a letter first
# a complaint is put in writing more often than a question (a written appeal is what the law on
# citizens' appeals, 59-ФЗ, makes the ЦЗН register and answer)
COMPLAINT_WRITE_SHARE = 0.6
WEB_FORM = 0.6  # of the clients with a Госуслуги account; the rest write letters to the ЦЗН's address
FORM_PHONE = 0.95  # the form asks for a phone: nearly everybody who has one gives it
FORM_SNILS = 0.3
LETTER_SIGNATURE_PHONE = 0.2  # a phone in the letter's signature (masked at ingestion)
CENTRAL = 0.1  # requests the help desk leaves unassigned (the central office answers them)
UNANSWERED = 0.03
DUPLICATE = 0.03
MEAN_ANSWER_WORK_SECONDS = 2.5 * HOUR  # of office working time, exponential
WORK_HOURS = (9 * HOUR, 18 * HOUR)  # Monday–Friday, local
# when people write (local hour → weight): evenings as much as office hours
WRITE_HOURS = {
    7: 1,
    8: 2,
    9: 4,
    10: 5,
    11: 5,
    12: 4,
    13: 4,
    14: 4,
    15: 4,
    16: 4,
    17: 3,
    18: 3,
    19: 3,
    20: 4,
    21: 3,
    22: 2,
}

# the chatbot intents of a contact's need → the topic the letter is about
TOPIC_OF_INTENT = {
    "registration_howto": "registration",
    "benefit_status": "benefit",
    "training_programs": "training",
    "vacancy_search": "vacancies",
    "documents_list": "documents",
    "appointment": "appointment",
    "office_hours": "office_hours",
    "employer_vacancy": "employer",
    "complaint": "complaint",
}
# subjects and texts by topic; each subject names its topic in the seed's words, and no text uses
# the words of a topic tried before its own (complaint, benefit, registration, training, employer…)
SUBJECTS = {
    "registration": ("Постановка на учёт", "Регистрация безработного", "Статус безработного"),
    "benefit": ("Пособие", "Выплата пособия", "Не пришла выплата"),
    "training": ("Обучение", "Курсы переобучения", "Повышение квалификации"),
    "vacancies": ("Вакансии", "Поиск работы", "Трудоустройство"),
    "documents": ("Документы", "Какие нужны документы", "Справка"),
    "appointment": ("Запись на приём", "Перенести запись", "Записаться к специалисту"),
    "office_hours": ("Режим работы", "Часы работы ЦЗН", "Адрес центра занятости"),
    "employer": ("Размещение вакансии", "Подбор персонала", "Заявка работодателя"),
    "complaint": ("Жалоба", "Жалоба на специалиста", "Жалоба на работу центра"),
}
BODIES = {
    "registration": (
        "Здравствуйте! Меня сократили в прошлом месяце. Как встать на учёт в качестве безработного?",
        "Добрый день. Можно ли зарегистрироваться безработным через интернет, не приходя в центр?",
        "Подскажите, что нужно, чтобы получить статус безработного.",
    ),
    "benefit": (
        "Здравствуйте, не пришло пособие за прошлый месяц. Когда будет выплата?",
        "Какой размер пособия мне назначат, если я работал по договору?",
        "Почему задерживают выплату пособия?",
    ),
    "training": (
        "Хочу пройти обучение на сварщика, есть ли бесплатные курсы?",
        "Можно ли повысить квалификацию через центр занятости? Работаю бухгалтером.",
        "Какие программы переобучения есть для людей старше 50 лет?",
    ),
    "vacancies": (
        "Ищу работу водителем категории C, какие есть вакансии в районе?",
        "Подберите, пожалуйста, вакансии продавца, опыт 5 лет.",
        "Есть ли работа для студентов на лето? Прикладываю резюме.",
    ),
    "documents": (
        "Какие документы нужно взять с собой?",
        "Нужна ли трудовая книжка, если у меня электронная?",
        "Где взять справку о доходах с последнего места работы?",
    ),
    "appointment": (
        "Хочу записаться на приём к специалисту на следующей неделе.",
        "Прошу перенести мою запись на другой день, заболел ребёнок.",
        "Как записаться на консультацию? По телефону не дозвониться.",
    ),
    "office_hours": (
        "Во сколько вы работаете в субботу?",
        "Подскажите адрес и часы работы вашего отделения.",
        "Работаете ли вы в праздничные дни?",
    ),
    "employer": (
        "Мы, ООО «Энскстрой», хотим разместить вакансию мастера участка. Как подать заявку работодателю?",
        "Нужны сотрудники на склад, 10 человек. Помогите с подбором персонала.",
        "Как работодателю сдать отчётность о квоте для инвалидов?",
    ),
    "complaint": (
        "Пишу жалобу: специалист отказался принять заявление без объяснений.",
        "Жалоба: третий раз прихожу, и меня отправляют домой.",
        "Хочу оставить жалобу на грубость сотрудника.",
    ),
}
ANSWERS = (
    "Здравствуйте! Благодарим за обращение. Ответ на ваш вопрос направлен в личный кабинет.",
    "Добрый день. Специалист свяжется с вами в ближайшее время. С уважением, ЦЗН.",
    "Здравствуйте! Информация размещена на сайте в разделе «Гражданам». С уважением, ЦЗН.",
)


@dataclass
class EmailDesk:
    """Writes the help desk's events; ``maybe_write`` is called for every contact of a journey."""

    seed: int
    truth: Truth
    region_id: str
    offices: tuple[str, ...]
    last_day: dt.date
    feed: Feed = field(default_factory=Feed)
    requests: int = 0
    _rng: random.Random | None = None
    _rng_ordinal: int = -1

    def rng(self, clock: Clock) -> random.Random:
        """The stream of the day (its own: the engine's is not touched)."""
        if self._rng is None or self._rng_ordinal != clock.ordinal:
            self._rng = py_rng(self.seed, P_EMAIL, "", clock.day)
            self._rng_ordinal = clock.ordinal
        return self._rng

    def maybe_write(
        self,
        clock: Clock,
        client: Client,
        intents: tuple[str, ...],
        tags: tuple[Tag, ...],
        general: bool,
        share: float,
    ) -> None:
        """Sometimes (``share`` of the contacts: ``WRITE_SHARE`` unless the need says otherwise) a
        letter or a form about the contact's need, on the contact's day; it shows the stages the
        contact shows (``tags``), or is an information request when ``general``."""
        rng = self.rng(clock)
        if not client.email or rng.random() >= share:
            return
        topic = TOPIC_OF_INTENT.get(rng.choice(intents))
        if topic is None:
            return
        self.requests += 1
        request_id = f"EM-{clock.day.year}-{self.requests:06d}"
        received = clock.epoch(rng.choices(list(WRITE_HOURS), weights=list(WRITE_HOURS.values()))[0] * HOUR
                               + rng.randrange(HOUR))  # fmt: skip
        # the form asks for a phone; a client without a Госуслуги account (whose address the portal
        # does not know) uses the form rather than a letter
        web_form = bool(client.phone) and (not client.esia or rng.random() < WEB_FORM)
        email = client.email.capitalize() if rng.random() < 0.2 else client.email
        body = rng.choice(BODIES[topic])
        record: dict[str, object] = {
            "event_id": f"{request_id}/1",
            "request_id": request_id,
            "ts": clock.iso(received),
            "event": "received",
            "channel": "web_form" if web_form else "email",
        }
        office = None if rng.random() < CENTRAL else self.offices[client.office]
        if office:
            record["office_id"] = office
        record["email"] = email
        if web_form and client.phone and rng.random() < FORM_PHONE:
            record["phone"] = ident.chat_phone(client.phone, rng.randrange(2))
        if web_form and client.snils and rng.random() < FORM_SNILS:
            record["snils"] = ident.snils_text(client.snils, rng.random() < 0.5)
        if not web_form and client.phone and rng.random() < LETTER_SIGNATURE_PHONE:
            body = f"{body}\nТел. {ident.chat_phone(client.phone, 1)}"
        record["subject"] = rng.choice(SUBJECTS[topic])
        record["body"] = body
        info = info_run_id(client.cid)
        self._add(clock, received, record, client.cid, tags + (((info, INFO_JOURNEY, "contact"),) if general else ()))
        roll = rng.random()
        if roll < UNANSWERED:
            return
        if roll < UNANSWERED + DUPLICATE:
            closed = received + rng.randint(600, 4 * HOUR)
            self._add(clock, closed, {"event_id": f"{request_id}/3", "request_id": request_id,
                                      "ts": "", "event": "closed", "resolution": "duplicate"}, client.cid, ())  # fmt: skip
            return
        answered = after_work_seconds(clock, received, int(rng.expovariate(1 / MEAN_ANSWER_WORK_SECONDS)))
        answer: dict[str, object] = {"event_id": f"{request_id}/2", "request_id": request_id, "ts": "",
                                     "event": "answered"}  # fmt: skip
        if office:
            answer["office_id"] = office
        answer["operator_id"] = f"op-{office or self.offices[0]}-{rng.randrange(1, 6)}"
        answer["body"] = rng.choice(ANSWERS)
        self._add(clock, answered, answer, client.cid, ((info, INFO_JOURNEY, "answer"),) if general else ())
        closed = answered + rng.randint(30, 1800)
        self._add(clock, closed, {"event_id": f"{request_id}/3", "request_id": request_id, "ts": "",
                                  "event": "closed", "resolution": "answered"}, client.cid, ())  # fmt: skip

    def _add(self, clock: Clock, epoch: int, record: dict[str, object], client_id: str, tags: tuple[Tag, ...]) -> None:
        """One event into the file of its local day (none after the period: still open then)."""
        ordinal = clock.ordinal_of(epoch)
        if ordinal > self.last_day.toordinal():
            return
        record["ts"] = clock.iso(epoch)
        self.feed.add(ordinal, epoch, json_line(record))
        if record["event"] in ("received", "answered"):  # the events the warehouse keys: request, answer
            self.truth.add(ordinal, SOURCE, event_key(self.region_id, record), client_id, tags)


def event_key(region_id: str, record: dict[str, object]) -> str:
    """The warehouse's key of a received request or an answer: ``<region>/<request or event id>``
    (help desks number requests per region)."""
    return f"{region_id}/{record['request_id'] if record['event'] == 'received' else record['event_id']}"


def after_work_seconds(clock: Clock, start: int, seconds: int) -> int:
    """The epoch ``seconds`` of office working time (Monday–Friday, ``WORK_HOURS``) after ``start``."""
    offset = (start - clock.midnight) // DAY
    moment, remaining = start, seconds
    while True:
        day = clock.day + dt.timedelta(days=offset)
        midnight = clock.midnight + offset * DAY
        if day.isoweekday() <= 5:
            begin, end = max(moment, midnight + WORK_HOURS[0]), midnight + WORK_HOURS[1]
            if begin < end:
                if begin + remaining <= end:
                    return begin + remaining
                remaining -= end - begin
        offset += 1
        moment = midnight + DAY
