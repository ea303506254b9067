"""The journey engine: an agenda of journey steps per day and the contacts those steps make.

A day runs in three phases. (A) ``Engine.run_day`` executes the steps due that day; a step writes
its site, chat, portal and case events at once and asks for calls and office visits
(``CallRequest`` / ``OfficeRequest``). (B) The region feeds those requests through the call-centre
and office queue simulations together with the background traffic. (C) ``DayContext.resolve_*``
hands each request's simulated outcome (answered? waited how long? which ticket?) back to the
step that asked, which may open a case, schedule a repeat contact or send a survey. Steps only
ever schedule for later days.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from include.generator import identity as ident
from include.generator.cases import Cases
from include.generator.chatbot import Chatbot, ChatResult
from include.generator.email_requests import WRITE_SHARE, EmailDesk
from include.generator.feeds import Clock, Tag
from include.generator.journeys import APPLICATION_TYPE, CITIZEN_SERVICES, INFO_JOURNEY, JourneyRun, info_run_id
from include.generator.office import Visit
from include.generator.population import Client
from include.generator.schedule import CALL_HOURLY, HOUR, OFFICE_HOURLY, hourly_weights, office_hours, queue_hours
from include.generator.seeds import RegionSpec
from include.generator.surveys import Respondent, Surveys
from include.generator.website import Website, title

WEB_HOURLY = {
    7: 0.4, 8: 0.7, 9: 1.0, 10: 1.2, 11: 1.2, 12: 1.1, 13: 1.0, 14: 1.1, 15: 1.1, 16: 1.0, 17: 1.0,
    18: 1.1, 19: 1.2, 20: 1.3, 21: 1.1, 22: 0.7,
}  # fmt: skip
WEB_HOURS = (7 * HOUR, 23 * HOUR)
_WEB_WEIGHTS = hourly_weights(WEB_HOURLY, WEB_HOURS)
WEB_HOUR_LIST, WEB_HOUR_CUMULATIVE = list(_WEB_WEIGHTS), list(itertools.accumulate(_WEB_WEIGHTS.values()))
CHAT_PHONE = 0.35


@dataclass(frozen=True)
class CallOutcome:
    """What happened to a requested call."""

    callid: str
    answered: bool
    wait: int  # seconds in the (last) queue
    end: int  # epoch the call ended or left the queue
    topic_exported: bool = False  # the CRM wrote the call's wrap-up row (topic and resolution)
    resolution: str | None = None


@dataclass(frozen=True)
class TicketOutcome:
    """What happened to a requested office visit (times are epochs, -1 when the step did not happen)."""

    ticket_id: str
    office: int
    issued: int
    called: int
    started: int
    ended: int
    outcome: str  # served | no_show | redirected

    @property
    def wait_minutes(self) -> float:
        return (self.called - self.issued) / 60 if self.called >= 0 else 999.0


@dataclass
class CallRequest:
    client: Client
    queue: int  # office index of the queue
    local: int  # local seconds of the arrival
    topic: str
    on_result: Callable[[DayContext, CallOutcome], None] | None
    tags: tuple[Tag, ...] = ()  # journey stages the call shows once its wrap-up topic is exported
    info: bool = False  # a general question: an information request («узнать») of the caller


@dataclass
class OfficeRequest:
    client: Client
    office: int
    visit: Visit
    on_result: Callable[[DayContext, TicketOutcome], None] | None
    tags: tuple[Tag, ...] = field(default=())


@dataclass
class Writers:
    """The event writers shared by all days."""

    spec: RegionSpec
    website: Website
    chatbot: Chatbot
    cases: Cases
    surveys: Surveys
    email: EmailDesk | None = None  # e-mail and web-form requests (their own random stream)


Step = Callable[["DayContext", JourneyRun, dict[str, Any]], None]


class Engine:
    """The agenda of journey steps, by day."""

    def __init__(
        self,
        writers: Writers,
        steps: dict[tuple[str, str], Step],
        runs: list[JourneyRun],
        last_day: dt.date,
        working_day_steps: frozenset[str] = frozenset(),
    ) -> None:
        self.writers = writers
        self.steps = steps
        self.working_day_steps = working_day_steps  # steps the ЦЗН staff take: Monday–Friday only
        self.runs = runs
        self.last_ordinal = last_day.toordinal()
        self.agenda: dict[int, list[tuple[JourneyRun, str, dict[str, Any]]]] = {}
        self.runs_of: dict[str, int] = {}
        # each client's first citizen service run: the one a target group's own events go with
        self.first_service_run: dict[str, int] = {}
        self.desk_visitors: set[str] = set()  # clients with a case event naming a desk visit's ticket
        # clients whose group the data show: a case (every line names the category) or an application
        # form (the applicant declares it); a lens by client group can only see these
        self.group_shown: set[str] = set()
        for run in runs:
            self.runs_of[run.client.cid] = self.runs_of.get(run.client.cid, 0) + 1
            if run.kind in CITIZEN_SERVICES:
                self.first_service_run.setdefault(run.client.cid, run.jid)
            self.schedule(run, "start", run.started_on.toordinal())

    @property
    def truth(self) -> Any:
        return self.writers.website.truth

    def schedule(self, run: JourneyRun, step: str, ordinal: int, payload: dict[str, Any] | None = None) -> None:
        """Put a step on the agenda (steps after the period are never run: the journey is ongoing)."""
        if ordinal <= self.last_ordinal:
            self.agenda.setdefault(ordinal, []).append((run, step, payload or {}))

    def add_run(self, run: JourneyRun) -> None:
        run.jid = len(self.runs) + 1
        self.runs.append(run)
        self.runs_of[run.client.cid] = self.runs_of.get(run.client.cid, 0) + 1
        self.schedule(run, "start", run.started_on.toordinal())

    def run_day(self, clock: Clock, rng: random.Random) -> DayContext:
        """Phase A: execute the steps due on the day; returns the day's context with its requests."""
        ctx = DayContext(self, clock, rng)
        for run, step, payload in self.agenda.pop(clock.ordinal, []):
            if run.closed and not payload.get("after_close"):
                continue
            working_day_only = run.client.is_employer or step in self.working_day_steps
            if working_day_only and clock.day.isoweekday() > 5:
                self.schedule(run, step, clock.ordinal + 8 - clock.day.isoweekday(), payload)
                continue
            self.steps[(run.kind, step)](ctx, run, payload)
        return ctx


class DayContext:
    """Everything a journey step may do on one day."""

    def __init__(self, engine: Engine, clock: Clock, rng: random.Random) -> None:
        self.engine = engine
        self.w = engine.writers
        self.clock = clock
        self.day = clock.day
        self.rng = rng
        self.calls: list[CallRequest] = []
        self.visits: list[OfficeRequest] = []
        self.frozen = False  # set once the queues have been simulated: no more requests today

    # ------------------------------------------------------------------- truth

    @contextmanager
    def tagged(self, tags: tuple[Tag, ...]) -> Iterator[None]:
        """Events written inside the block show these journey stages (``truth/journey_events``)."""
        truth = self.engine.truth
        saved, truth.current = truth.current, tags
        try:
            yield
        finally:
            truth.current = saved

    # ----------------------------------------------------------------- agenda

    def later(self, run: JourneyRun, step: str, low: int, high: int, payload: dict[str, Any] | None = None) -> None:
        """Schedule ``step`` in ``low``–``high`` days (at least one)."""
        self.engine.schedule(run, step, self.clock.ordinal + max(1, self.rng.randint(low, high)), payload)

    def advance(
        self, run: JourneyRun, step: str, keep: float, low: int, high: int, payload: dict[str, Any] | None = None
    ) -> bool:
        """Go on to ``step`` with probability ``keep``; otherwise the client drops out."""
        if self.rng.random() < keep:
            self.later(run, step, low, high, payload)
            return True
        run.outcome = "dropped"
        return False

    # ------------------------------------------------------------------ times

    def _hour_time(self, weights: dict[int, float], low: int, high: int) -> int:
        hour = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        return max(low, min(high, hour * HOUR + self.rng.randrange(HOUR)))

    def web_time(self) -> int:
        """An epoch of the day when people browse or chat."""
        return web_time(self.rng, self.clock)

    def office_open(self, office: int) -> bool:
        return office_hours(self.day, office == 0) is not None

    def queue_open(self, office: int) -> bool:
        return queue_hours(self.day, office == 0) is not None

    def working_time(self, office: int) -> int:
        """An epoch during the office's working hours (case events), or mid-morning when closed."""
        hours = office_hours(self.day, office == 0) or (10 * HOUR, 17 * HOUR)
        return self.clock.epoch(self.rng.randrange(hours[0] + 600, hours[1] - 600))

    def next_open_day(self, office: int, after: int) -> dt.date:
        day = self.day + dt.timedelta(days=max(1, after))
        while office_hours(day, office == 0) is None:
            day += dt.timedelta(days=1)
        return day

    # --------------------------------------------------------------- contacts

    def site(
        self, client: Client, theme: str, pages: int | None = None, at: int | None = None,
        cookie: str | None = None, extra: tuple[tuple[str, int | None], ...] = (), tags: tuple[Tag, ...] = (),
        extra_tags: tuple[tuple[Tag, ...], ...] | None = None,
    ) -> tuple[list[int], str]:  # fmt: skip
        """A site visit: pages on ``theme`` (they show ``tags``), then ``extra`` (url, goal: the portal's
        technical pages, no stage); returns (hit epochs, cookie)."""
        rng = self.rng
        cookie = cookie or (
            rng.choice(client.cookies) if client.cookies else self.w.website.new_cookie(rng, self.clock)
        )
        count = pages if pages is not None else rng.choice((1, 1, 2, 2, 3, 3, 4, 5, 6))
        seen = self.w.website.pages(rng, theme, count) if count else []
        goals = {len(seen) + k: goal for k, (_, goal) in enumerate(extra) if goal}
        seen += [(url, title(url)) for url, _ in extra]
        page_tags = [tags] * count + list(extra_tags if extra_tags is not None else [()] * len(extra))
        start = at if at is not None else self.web_time()
        times = self.w.website.session(rng, self.clock, start, cookie, client.cid, seen, goals, page_tags=page_tags)
        if rng.random() < 0.01:
            self.survey(client, times[-1] + 30, "website", "website", 3.9, ("site",))
        return times, cookie

    def chat(self, client: Client, intents: list[str], at: int | None = None, tags: tuple[Tag, ...] = ()) -> ChatResult:
        rng = self.rng
        phone = client.phone if rng.random() < CHAT_PHONE else None
        user = client.messenger if client.chat_channel != "web" else None
        start = at if at is not None else self.web_time()
        with self.tagged(tags):
            result = self.w.chatbot.session(rng, self.clock, start, client.cid, intents, client.chat_channel, user,
                                            phone, client.snils)  # fmt: skip
        if result.resolved and rng.random() < 0.12:
            self.survey(client, result.end_epoch + 20, "chatbot", "chatbot", 4.3, ("chatbot",))
        elif result.fallback and rng.random() < 0.12:
            self.survey(client, result.end_epoch + 20, "chatbot", "chatbot", 2.8, ("chatbot",))
        return result

    def email_request(
        self,
        client: Client,
        intents: tuple[str, ...],
        tags: tuple[Tag, ...],
        general: bool,
        share: float = WRITE_SHARE,
    ) -> None:
        """Sometimes (``share`` of the contacts) a letter or the site's form about the need of a
        contact, before it (drawn from the e-mail desk's own random stream: nothing else the day
        writes changes)."""
        if self.w.email is not None:
            self.w.email.maybe_write(self.clock, client, intents, tags, general, share)

    def call(
        self, client: Client, topic: str, on_result: Callable[[DayContext, CallOutcome], None] | None = None,
        queue: int | None = None, tags: tuple[Tag, ...] = (), info: bool = False,
    ) -> bool:  # fmt: skip
        """Ask for a call into the client's office queue (sometimes the central one)."""
        self._check_open_for_requests()
        if queue is None:
            queue = client.office if self.rng.random() < 0.7 else 0
        if not self.queue_open(queue):
            queue = 0
        hours = queue_hours(self.day, queue == 0)
        if hours is None or (client.is_employer and self.day.isoweekday() > 5):
            return False
        local = self._hour_time(hourly_weights(CALL_HOURLY, hours), hours[0], hours[1] - 120)
        self.calls.append(CallRequest(client, queue, local, topic, on_result, tags, info))
        return True

    def visit(
        self, client: Client, office: int, service: str,
        on_result: Callable[[DayContext, TicketOutcome], None] | None, slot: int | None = None,
        tags: tuple[Tag, ...] = (),
    ) -> bool:  # fmt: skip
        """Ask for an office visit: walk-in, or pre-booked for the local time ``slot``."""
        self._check_open_for_requests()
        hours = office_hours(self.day, office == 0)
        if hours is None:
            return False
        rng = self.rng
        if slot is None:
            time = self._hour_time(hourly_weights(OFFICE_HOURLY, hours), hours[0], hours[1] - 900)
            phone = ""
        else:
            time = max(hours[0], min(slot, hours[1] - 1800))
            time -= (time - hours[0]) % 900
            phone = ident.office_phone(client.phone, rng.randrange(4)) if client.phone and rng.random() < 0.9 else ""
        visit = Visit(service, slot is not None, time, phone, client.cid)
        self.visits.append(OfficeRequest(client, office, visit, on_result, tags))
        return True

    def _check_open_for_requests(self) -> None:
        if self.frozen:
            raise RuntimeError("calls and visits must be requested before the day's queues are simulated")

    def slot(self, office: int, day: dt.date) -> int:
        """A bookable slot (local seconds) on ``day`` at ``office``."""
        hours = office_hours(day, office == 0) or (9 * HOUR, 18 * HOUR)
        return hours[0] + 900 * self.rng.randrange(max(1, (hours[1] - 1800 - hours[0]) // 900))

    # ------------------------------------------------------------- records

    def portal(
        self,
        client: Client,
        epoch: int,
        event_type: str,
        cookie: str | None = None,
        tags: tuple[Tag, ...] = (),
        **fields: Any,
    ) -> str:
        record: dict[str, Any] = {"event_type": event_type, "user_type": client.kind}
        if client.esia:
            record["esia_id"] = client.esia
        if cookie:
            record["metrica_client_id"] = cookie
        record.update((k, v) for k, v in fields.items() if v is not None)
        if record.get("client_group"):
            self.engine.group_shown.add(client.cid)
        with self.tagged(tags):
            return str(self.w.website.portal_event(self.clock, epoch, client.cid, record))

    def case(self, run: JourneyRun, epoch: int, event_type: str, stage: str | None = None,
             tags: tuple[Tag, ...] = (), **extra: Any) -> str:  # fmt: skip
        """A case event of the run's case; it shows the run's ``stage`` (and any further ``tags``)."""
        if run.case_id is None:
            run.case_id = self.w.cases.new_case(run.office, self.day.year)
        if extra.get("ticket_id"):
            self.engine.desk_visitors.add(run.client.cid)
        self.engine.group_shown.add(run.client.cid)
        # every line of a case names its service (the export carries the case's programme)
        extra.setdefault("service_type", APPLICATION_TYPE[run.kind])
        with self.tagged(run.tags(stage) + tags):
            return str(
                self.w.cases.event(
                    self.rng, self.clock, epoch, run.client, run.case_id, run.office, event_type, **extra
                )
            )

    def survey(
        self, client: Client, epoch: int, channel: str, touchpoint: str, mood: float, themes: tuple[str, ...],
        ticket: tuple[str, str] | None = None, case_id: str | None = None, tags: tuple[Tag, ...] = (),
    ) -> None:  # fmt: skip
        who = Respondent(client.cid, client.phone, client.esia, client.email, client.snils, ticket, case_id)
        with self.tagged(tags):
            self.w.surveys.respond(self.rng, self.clock, epoch, channel, touchpoint, mood, themes, who)

    # ------------------------------------------------------------ outcomes

    def resolve_calls(self, outcomes: dict[int, CallOutcome]) -> None:
        """Phase C for calls: ``outcomes`` by index in ``self.calls``."""
        self.frozen = True
        for index, request in enumerate(self.calls):
            outcome = outcomes.get(index)
            if outcome is None:
                continue
            if outcome.topic_exported:
                tags = request.tags
                if request.info:
                    tags += info_tags(request.client.cid, outcome.resolution == "resolved")
                self.engine.truth.tag("call_centre", outcome.callid, tags)
            if outcome.answered and self.rng.random() < 0.1:
                self.survey(request.client, outcome.end + 15, "call_centre", "call_centre_operator",
                            call_mood(outcome.wait), ("call_wait",))  # fmt: skip
            if request.on_result:
                request.on_result(self, outcome)

    def resolve_visits(self, outcomes: dict[int, TicketOutcome]) -> None:
        """Phase C for office visits (of one office): ``outcomes`` by index in ``self.visits``."""
        self.frozen = True
        for index in sorted(outcomes):
            request, outcome = self.visits[index], outcomes[index]
            if request.tags and outcome.issued >= 0:
                office_id = self.w.spec.offices[outcome.office].office_id
                self.engine.truth.tag("office_visits", f"{office_id}/{self.day.isoformat()}/{outcome.ticket_id}",
                                      request.tags)  # fmt: skip
            if outcome.started >= 0 and self.rng.random() < 0.15:
                office_id = self.w.spec.offices[outcome.office].office_id
                self.survey(request.client, outcome.ended + 60, "office", "office_window",
                            office_mood(outcome.wait_minutes), ("wait",), ticket=(outcome.ticket_id, office_id))  # fmt: skip
            if request.on_result:
                request.on_result(self, outcome)


def web_time(rng: random.Random, clock: Clock) -> int:
    """An epoch of the day when people browse or chat (7:00–23:00, evening peak)."""
    hour = rng.choices(WEB_HOUR_LIST, cum_weights=WEB_HOUR_CUMULATIVE)[0]
    return clock.epoch(hour * HOUR + rng.randrange(HOUR))


def call_mood(wait: int) -> float:
    """Expected CSAT after a call answered after ``wait`` seconds."""
    return 4.5 if wait <= 30 else 4.1 if wait <= 90 else 3.4 if wait <= 180 else 2.7


def office_mood(wait_minutes: float) -> float:
    """Expected CSAT after an office visit with a wait of ``wait_minutes``."""
    return 4.6 if wait_minutes <= 10 else 4.2 if wait_minutes <= 20 else 3.3 if wait_minutes <= 45 else 2.3


def info_tags(person: str, answered: bool) -> tuple[Tag, ...]:
    """An information request («узнать»): the question, and the answer when the contact gave one."""
    run_id = info_run_id(person)
    return ((run_id, INFO_JOURNEY, "contact"),) + (((run_id, INFO_JOURNEY, "answer"),) if answered else ())
