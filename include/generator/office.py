"""One office-day of a ЦЗН electronic queue, simulated as a multi-server queue.

Walk-in clients take a ticket on arrival and are called first come, first served by the next
free window; pre-booked clients take their ticket 0–15 minutes before their slot and are called
with priority from the slot on. Windows take a staggered 30-minute lunch on weekdays. Waits and
service times therefore come out of the simulation, not out of a formula. Walk-ins whose
patience runs out leave uncalled (``no_show`` without ``called_at``); a few called clients never
come to the window (``no_show``) and a few are redirected after a short talk (``redirected``).

Planted pain point: on the office's bad Mondays only half of its windows work while more walk-ins
come (a crowd at the door at opening), so most of them wait 30–90 minutes to be called.

Modelled clients' visits (``Visit``) join the day's tickets and go through the same simulation;
background visitors fill the rest of the expected volume. ``OfficeDay`` returns, next to the
rows, who held each ticket (truth id: a client, ``bg…`` for a background visitor whose phone is
known, empty for an anonymous walk-in) and the simulated times, so journeys can react.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from include.generator.phones import ticket_phones
from include.generator.schedule import (
    HOUR,
    OFFICE_HOURLY,
    OFFICE_WEEKLY,
    hourly_weights,
    local_timestamp,
    office_hours,
)
from include.generator.seeds import Office

HEADER = [
    "ticket_id",
    "office_id",
    "service_code",
    "is_prebooked",
    "booked_for",
    "issued_at",
    "called_at",
    "started_at",
    "ended_at",
    "window",
    "outcome",
    "phone",
]
TICKETS_PER_WINDOW = 16
PREBOOKED_SHARE = 0.3
SLOT_STEP = 15 * 60
PAIN_WALKIN_FACTOR = 1.6
# On the planted Monday a crowd waits at the door: this share of the walk-ins takes a ticket in
# the first ten minutes, the rest arrive along the usual curve.
PAIN_DOOR_CROWD = 0.2
# service code -> (median minutes, weight walk-in, weight pre-booked)
# Pre-booked background visitors (known by the phone on the booking) come with general questions
# (an information request each); services of a journey come from the modelled clients.
SERVICE_PROFILE = {
    "registration": (13.0, 0.24, 0.0),
    "reregistration": (7.0, 0.18, 0.0),
    "consultation": (9.0, 0.22, 0.6),
    "vacancy_selection": (11.0, 0.16, 0.0),
    "documents": (8.0, 0.10, 0.4),
    "employer": (12.0, 0.04, 0.0),
    "career_guidance": (12.0, 0.06, 0.0),
    "training": (10.0, 0.0, 0.0),
    "self_employment": (15.0, 0.0, 0.0),
    "social_contract": (14.0, 0.0, 0.0),
}
SERVICE_SIGMA = 0.35
_DEFAULT_PROFILE = (10.0, 0.05, 0.05)
NO_SHOW_CALLED = 0.02
REDIRECTED = 0.04
PHONE_PRESENT = 0.9


@dataclass(frozen=True)
class Visit:
    """A modelled client's visit: walk-in at ``time`` or pre-booked for the slot ``time`` (local s)."""

    service: str
    prebooked: bool
    time: int
    phone: str  # as written on the ticket; empty when not given
    person: str  # truth id


@dataclass
class OfficeDay:
    """One office-day: export rows, the truth id and simulated times of each row, visits' rows."""

    rows: list[list[str]]
    people: list[str]
    times: list[tuple[int, int, int, int]]  # issued, called, started, ended (local s, -1 missing)
    visit_rows: list[int] = field(default_factory=list)  # row of each Visit, in the given order


@dataclass
class Tickets:
    """Per-ticket attributes drawn up front (parallel lists, ordered by issue time)."""

    issued: list[int]
    ready: list[int]
    prebooked: list[bool]
    slot: list[int]
    service: list[int]
    duration: list[int]
    deadline: list[int]
    no_show: list[bool]
    redirect: list[bool]
    walk: list[int]
    react: list[int]
    origin: list[int]  # -1 background, else index of the Visit


def servers_for(office: Office, day: dt.date, scale: float, pain: bool) -> int:
    """Windows working that day (scaled with volume so that KPIs stay comparable)."""
    servers = max(office.windows, round(office.windows * scale))
    return max(1, -(-servers // 2)) if pain else servers


def _arrivals(rng: np.random.Generator, hours: tuple[int, int], expected: float, crowd: float) -> np.ndarray:
    """Walk-in ticket times: a crowd at opening (share ``crowd``), the rest by the hourly curve."""
    weights = hourly_weights(OFFICE_HOURLY, hours)
    last_issue = hours[1] - 600
    chunks = [rng.integers(hours[0], hours[0] + 600, rng.poisson(expected * crowd))]
    expected *= 1 - crowd
    for hour, weight in weights.items():
        low, high = max(hours[0], hour * HOUR), min(last_issue, (hour + 1) * HOUR)
        if high > low:
            chunks.append(rng.integers(low, high, rng.poisson(expected * weight)))
    return np.sort(np.concatenate(chunks))


def _prebooked(rng: np.random.Generator, hours: tuple[int, int], expected: float) -> tuple:
    grid = np.arange(hours[0], hours[1] - 1800 + 1, SLOT_STEP)
    weights = hourly_weights(OFFICE_HOURLY, hours)
    p = np.array([weights.get(int(s) // HOUR, 0.0) for s in grid])
    n = int(rng.poisson(expected))
    slots = np.sort(rng.choice(grid, size=n, p=p / p.sum()))
    late = rng.random(n) < 0.08
    issued = np.where(late, slots + rng.integers(60, 600, n), slots - rng.integers(0, 900, n))
    issued = np.maximum(issued, hours[0])
    return slots, issued, np.maximum(issued, slots)


def _services(rng: np.random.Generator, prebooked: np.ndarray, services: tuple[str, ...]) -> np.ndarray:
    """Service code index per ticket, by the walk-in / pre-booked mix."""
    profiles = [SERVICE_PROFILE.get(code, _DEFAULT_PROFILE) for code in services]
    service = np.empty(len(prebooked), dtype=np.int64)
    for mask, col in ((~prebooked, 1), (prebooked, 2)):
        p = np.array([prof[col] for prof in profiles])
        service[mask] = rng.choice(len(services), size=int(mask.sum()), p=p / p.sum())
    return service


def _draw_tickets(
    rng: np.random.Generator,
    hours: tuple[int, int],
    expected: float,
    pain: bool,
    services: tuple[str, ...],
    visits: list[Visit],
) -> Tickets:
    """Every ticket of the day with its random attributes, ordered by issue time.

    The modelled visits take the place of as many background tickets of their kind.
    """
    walk_visits = [v for v in visits if not v.prebooked]
    walk_expected = expected * (1 - PREBOOKED_SHARE) * (PAIN_WALKIN_FACTOR if pain else 1.0)
    walk_in = _arrivals(rng, hours, max(0.0, walk_expected - len(walk_visits)), PAIN_DOOR_CROWD if pain else 0.0)
    pb_expected = max(0.0, expected * PREBOOKED_SHARE - (len(visits) - len(walk_visits)))
    slots, pb_issued, pb_ready = _prebooked(rng, hours, pb_expected)
    v_issued, v_ready, v_slot = _visit_times(rng, hours, visits)
    n_bg_walk, n_bg = len(walk_in), len(walk_in) + len(slots)
    n = n_bg + len(visits)
    issued = np.concatenate([walk_in, pb_issued, v_issued]).astype(np.int64)
    prebooked = np.concatenate([np.arange(n_bg) >= n_bg_walk, np.array([v.prebooked for v in visits], dtype=bool)])
    service = _services(rng, prebooked, services)
    codes = {code: i for i, code in enumerate(services)}
    for k, v in enumerate(visits):
        service[n_bg + k] = codes[v.service]
    duration = _durations(rng, service, services)
    patience = rng.lognormal(np.log(150 * 60), 0.5, n).astype(np.int64)
    deadline = np.where(prebooked, hours[1] + 4 * HOUR, issued + patience)
    deadline = np.minimum(deadline, np.maximum(issued, hours[1]) + 1800)  # sent home after closing
    columns = {
        "issued": issued, "ready": np.concatenate([walk_in, pb_ready, v_ready]), "prebooked": prebooked,
        "slot": np.concatenate([np.full(n_bg_walk, -1), slots, v_slot]), "service": service,
        "duration": duration, "deadline": deadline,
        "no_show": rng.random(n) < NO_SHOW_CALLED, "redirect": rng.random(n) < REDIRECTED,
        "walk": rng.integers(10, 90, n), "react": rng.integers(3, 40, n),
        "origin": np.concatenate([np.full(n_bg, -1), np.arange(len(visits))]),
    }  # fmt: skip
    order = np.lexsort((np.arange(n), issued))
    return Tickets(**{k: v[order].tolist() for k, v in columns.items()})


def _visit_times(
    rng: np.random.Generator, hours: tuple[int, int], visits: list[Visit]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Issue time, ready time and slot of the modelled visits (pre-booked: 0–15 min early, some late)."""
    n = len(visits)
    times = np.array([v.time for v in visits], dtype=np.int64)
    booked = np.array([v.prebooked for v in visits], dtype=bool)
    late = rng.random(n) < 0.08
    early = np.where(late, times + rng.integers(60, 600, n), times - rng.integers(0, 900, n))
    issued = np.where(booked, np.maximum(early, hours[0]), times)
    ready = np.where(booked, np.maximum(issued, times), times)
    return issued, ready, np.where(booked, times, -1)


def _durations(rng: np.random.Generator, service: np.ndarray, services: tuple[str, ...]) -> np.ndarray:
    """Service length (seconds, lognormal by service) per ticket."""
    profiles = [SERVICE_PROFILE.get(code, _DEFAULT_PROFILE) for code in services]
    medians = np.array([prof[0] for prof in profiles])[service] * 60
    return np.maximum(120, medians * rng.lognormal(0.0, SERVICE_SIGMA, len(service))).astype(np.int64)


def _lunch(servers: int, hours: tuple[int, int]) -> list[tuple[int, int]]:
    """Staggered 30-minute lunch per window between 12:00 and 15:00 (none on short days)."""
    if hours[1] - hours[0] < 8 * HOUR:
        return [(0, 0)] * servers
    step = 150 * 60 // servers
    return [(12 * HOUR + i * step, 12 * HOUR + i * step + 1800) for i in range(servers)]


def _simulate(t: Tickets, servers: int, hours: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """(called, started, ended, window) per ticket; -1 where the step did not happen."""
    n = len(t.issued)
    result = [(-1, -1, -1, -1)] * n
    lunch = _lunch(servers, hours)
    free = [(hours[0], w) for w in range(servers)]
    order = sorted(range(n), key=lambda i: (t.ready[i], i))
    pre: list[tuple[int, int]] = []
    walk: deque[int] = deque()
    nxt = 0
    while nxt < n or pre or walk:
        now, window = heapq.heappop(free)
        while nxt < n and t.ready[order[nxt]] <= now:
            _enqueue(order[nxt], t, pre, walk)
            nxt += 1
        if not pre and not walk:  # idle until the next client takes a ticket
            heapq.heappush(free, (t.ready[order[nxt]], window))
            continue
        lunch_start, lunch_end = lunch[window]
        if lunch_start <= now < lunch_end:
            heapq.heappush(free, (lunch_end, window))
            continue
        i = heapq.heappop(pre)[1] if pre else walk.popleft()
        if not t.prebooked[i] and t.deadline[i] < now:
            heapq.heappush(free, (now, window))  # left before being called
            continue
        result[i], busy_until = _serve(t, i, now, window)
        heapq.heappush(free, (busy_until, window))
    return result


def _enqueue(i: int, t: Tickets, pre: list[tuple[int, int]], walk: deque[int]) -> None:
    if t.prebooked[i]:
        heapq.heappush(pre, (t.ready[i], i))
    else:
        walk.append(i)


def _serve(t: Tickets, i: int, now: int, window: int) -> tuple[tuple[int, int, int, int], int]:
    now += t.react[i]  # the specialist presses "next" a few seconds after becoming free
    if t.no_show[i]:
        return (now, -1, -1, window), now + 60 + t.walk[i]
    started = now + t.walk[i]
    length = min(t.duration[i], 120 + t.walk[i] * 2) if t.redirect[i] else t.duration[i]
    ended = started + length
    return (now, started, ended, window), ended + 15 + t.walk[i] // 3


def _outcome(t: Tickets, i: int, res: tuple[int, int, int, int]) -> str:
    if res[1] < 0:
        return "no_show"
    return "redirected" if t.redirect[i] else "served"


def _rows(office: Office, day: dt.date, t: Tickets, res: list[tuple[int, int, int, int]], services: tuple[str, ...],
          phones: list[str], people: list[str], visits: list[Visit]) -> OfficeDay:  # fmt: skip
    def ts(value: int) -> str:
        return local_timestamp(day, value) if value >= 0 else ""

    result = OfficeDay([], [], [], [0] * len(visits))
    counters, bg = {True: 0, False: 0}, iter(zip(phones, people, strict=True))
    for i, r in enumerate(res):
        pb, origin = t.prebooked[i], t.origin[i]
        counters[pb] += 1
        if origin >= 0:
            phone, person = visits[origin].phone, visits[origin].person
            result.visit_rows[origin] = i
        else:
            phone, person = next(bg) if pb else ("", "")
        result.rows.append([
            f"{'З' if pb else 'А'}-{counters[pb]:03d}", office.office_id, services[t.service[i]],
            "1" if pb else "0", ts(t.slot[i]) if pb else "", ts(t.issued[i]), ts(r[0]),
            ts(r[1]), ts(r[2]), f"Окно {r[3] + 1}" if r[3] >= 0 else "", _outcome(t, i, r),
            phone if pb else "",
        ])  # fmt: skip
        result.people.append(person)
        result.times.append((t.issued[i], r[0], r[1], r[2]))
    return result


def simulate_office_day(
    rng: np.random.Generator,
    office: Office,
    day: dt.date,
    *,
    scale: float,
    pain: bool,
    services: tuple[str, ...],
    pool: int,
    seed: int,
    visits: list[Visit] | None = None,
    servers: int | None = None,
) -> OfficeDay:
    """The electronic-queue export of one office-day (rows ordered by issue time) and its truth.

    ``servers`` overrides the number of working windows (the planted improvement measure).
    """
    hours = office_hours(day, office.index == 0)
    visits = visits or []
    if hours is None:
        return OfficeDay([], [], [], [])
    expected = office.windows * TICKETS_PER_WINDOW * scale * OFFICE_WEEKLY[day.isoweekday()]
    tickets = _draw_tickets(rng, hours, expected, pain, services, visits)
    working = servers if servers is not None else servers_for(office, day, scale, pain)
    result = _simulate(tickets, working, hours)
    n_pb = sum(1 for pb, origin in zip(tickets.prebooked, tickets.origin, strict=True) if pb and origin < 0)
    phones, people = ticket_phones(rng, office.index, n_pb, pool, seed, PHONE_PRESENT)
    return _rows(office, day, tickets, result, services, phones, people, visits)
