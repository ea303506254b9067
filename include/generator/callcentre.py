"""One day of the region's call centre, simulated per queue and written as Asterisk lines.

Each office queue (``call_queues.csv``) gets Poisson arrivals along an hourly curve, a staffing
plan per hour (square-root staffing on the expected load, named agents with log-in blocks and
breaks) and a first-come-first-served multi-agent simulation with caller patience. A caller
whose patience runs out abandons (``ABANDON``); in an office queue a caller still waiting after
300 s leaves with ``EXITWITHTIMEOUT`` and the same ``callid`` enters the central queue. Answered
calls produce ``CONNECT`` (optionally after a ``RINGNOANSWER``) and ``COMPLETECALLER`` /
``COMPLETEAGENT`` or ``TRANSFER``, and most of them a wrap-up row of the CRM topic export.

Lines are ``(epoch, text, tag)``: ``tag`` marks the lines the noise step will touch. A call is
a tuple ``(arrival, callid, caller, patience, talk, wrap, ring, end, rna, topic, resolution, tag,
bridge)`` — integers in seconds, ``end`` indexes ``END_KINDS``, ``rna`` adds a RINGNOANSWER,
``topic`` indexes the topic table (-1: no wrap-up row), ``bridge`` numbers the agent's channel.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from include.generator.phones import caller_ids
from include.generator.schedule import CALL_HOURLY, HOUR, hourly_weights
from include.generator.seeds import Queue

Line = tuple[int, str, str | None]
TopicRow = tuple[int, list[str]]
INF = 1 << 62
CALLS_LOCAL = 120
CALLS_CENTRAL = 400
PATIENCE_MIN = 8  # seconds every caller waits at least (greeting)
PATIENCE_MEAN = 150.0
OVERFLOW_TIMEOUT = 300
AHT = 240.0  # talk + wrap-up + ring, seconds, used for staffing
MIN_AGENTS = 2
PAIN_HOURS = (8, 12)
PAIN_STAFFING = 0.7  # share of the offered load staffed in the central queue's mornings
SKIPPED_BREAKS = 0.85  # share of the central queue's morning breaks its operators do not take
# Background callers (people outside the modelled journeys) ask general questions: an information
# request each. Questions about a service (registration, benefits, vacancies, a complaint…) come
# from the modelled clients, whose journeys the truth follows.
TOPIC_WEIGHTS = {"documents": 0.34, "appointment": 0.38, "other": 0.28}
DOCUMENTS_RESOLVED = 0.45  # planted: operators answer fewer than half of the questions about documents
RESOLUTIONS = ("resolved", "callback", "redirected")
TOPIC_MISSING = 0.05
END_KINDS = ("COMPLETECALLER", "COMPLETEAGENT", "TRANSFER")


@dataclass
class AgentPlan:
    """Named agents of one queue-day: availability segments, log-in blocks and breaks."""

    names: list[str]
    staff: dict[int, int]  # local hour -> agents on duty
    base: int  # UTC epoch of local midnight
    segments: list[list[tuple[int, int, int]]] = field(default_factory=list)  # (from, to, block)
    blocks: list[list[list[int]]] = field(default_factory=list)  # [start, end, last_busy]
    pauses: list[list[tuple[int, int, str]]] = field(default_factory=list)


@dataclass
class QueueDay:
    """Inputs of one queue for one day."""

    queue: Queue
    base: int  # UTC epoch of local midnight
    hours: tuple[int, int]
    expected: float
    pain: bool


def staffing(day: QueueDay) -> dict[int, int]:
    """Agents per local hour: square-root staffing, understaffed mornings where planted."""
    staff = {}
    for hour, weight in hourly_weights(CALL_HOURLY, day.hours).items():
        load = day.expected * weight * AHT / HOUR
        if day.pain and PAIN_HOURS[0] <= hour < PAIN_HOURS[1]:
            staff[hour] = max(1, round(PAIN_STAFFING * load))
        else:
            staff[hour] = max(MIN_AGENTS, math.ceil(1.1 * load + 2.0 * math.sqrt(load)))
    return staff


def plan_agents(rng: np.random.Generator, day: QueueDay) -> AgentPlan:
    """Turn the hourly staffing into named agents with blocks, breaks and availability."""
    staff = staffing(day)
    prefix = day.queue.queue_name.removeprefix("czn_")
    size = max(staff.values())
    plan = AgentPlan([f"PJSIP/{prefix}_op{j + 1:02d}" for j in range(size)], staff, day.base)
    close = day.base + day.hours[1]
    for j in range(size):
        on = [h for h in sorted(staff) if staff[h] > j]
        blocks = _contiguous(on)
        plan.blocks.append([[day.base + a * HOUR, day.base + b * HOUR, 0] for a, b in blocks])
        pauses = [p for b in blocks for p in _pauses(rng, day.base, b, j)]
        if day.pain:  # planted: the understaffed morning line keeps its operators from their breaks
            pauses = [p for p in pauses if p[0] - day.base >= PAIN_HOURS[1] * HOUR or rng.random() >= SKIPPED_BREAKS]
        plan.pauses.append(pauses)
        plan.segments.append(_segments(plan.blocks[j], pauses, close))
    return plan


def _contiguous(hours: list[int]) -> list[tuple[int, int]]:
    blocks: list[tuple[int, int]] = []
    for h in hours:
        if blocks and blocks[-1][1] == h:
            blocks[-1] = (blocks[-1][0], h + 1)
        else:
            blocks.append((h, h + 1))
    return blocks


def _pauses(rng: np.random.Generator, base: int, block: tuple[int, int], agent: int) -> list[tuple[int, int, str]]:
    """Breaks of one log-in block: one per three hours, staggered between agents."""
    first, last = block
    length = last - first
    count = length // 3
    stagger = ((agent % 4) - 1.5) * 1800
    pauses = []
    for i in range(count):
        centre = base + int((first + (i + 1) * length / (count + 1)) * HOUR + stagger)
        centre += int(rng.integers(-300, 300))
        lunch = length >= 6 and 12 * HOUR <= centre - base < 15 * HOUR
        duration = 1800 if lunch else int(rng.integers(600, 900))
        pauses.append(
            (
                centre - duration // 2,
                centre + duration // 2,
                "lunch" if lunch else "break",
            )
        )
    return pauses


def _segments(blocks: list[list[int]], pauses: list[tuple[int, int, str]], close: int) -> list[tuple[int, int, int]]:
    segments = []
    for b, (start, end, _) in enumerate(blocks):
        end = end + OVERFLOW_TIMEOUT if end >= close else end
        cursor = start
        for p_start, p_end, _reason in pauses:
            if start <= p_start < end:
                if p_start > cursor:
                    segments.append((cursor, p_start, b))
                cursor = max(cursor, p_end)
        if cursor < end:
            segments.append((cursor, end, b))
    return segments


def arrivals(rng: np.random.Generator, day: QueueDay) -> np.ndarray:
    """Arrival epochs of one queue-day (Poisson per hour along the hourly curve)."""
    chunks = [
        rng.integers(hour * HOUR, (hour + 1) * HOUR, rng.poisson(day.expected * weight))
        for hour, weight in hourly_weights(CALL_HOURLY, day.hours).items()
    ]
    return np.sort(np.concatenate(chunks)) + day.base


def topic_probabilities(topics: tuple[tuple[str, str], ...], weekday: int) -> np.ndarray:
    """Topic distribution of the background calls of the day."""
    weights = np.array([
        TOPIC_WEIGHTS.get(code, 0.0)
        for code, _ in topics
    ])  # fmt: skip
    return weights / weights.sum()


@dataclass
class CallDraws:
    """Per-call random attributes of one queue-day (parallel lists)."""

    caller: list[str]
    patience: list[int]
    talk: list[int]
    wrap: list[int]
    ring: list[int]
    end: list[int]
    rna: list[bool]
    topic: list[int]
    resolution: list[int]
    person: list[str]  # truth id of the caller


def draw_calls(
    rng: np.random.Generator,
    n: int,
    areas: np.ndarray,
    topics: tuple[tuple[str, str], ...],
    weekday: int,
    pool: int,
    seed: int,
) -> CallDraws:
    """Caller, patience, talk time, ending and wrap-up topic of ``n`` calls."""
    topic = rng.choice(len(topics), size=n, p=topic_probabilities(topics, weekday))
    resolution = rng.choice(3, size=n, p=(0.82, 0.11, 0.07))
    codes = [code for code, _ in topics]
    documents = codes.index("documents") if "documents" in codes else -1
    documents_resolution = rng.choice(3, size=n, p=(DOCUMENTS_RESOLVED, 1 - DOCUMENTS_RESOLVED - 0.1, 0.1))
    resolution = np.where(topic == documents, documents_resolution, resolution)
    complaint = codes.index("complaint") if "complaint" in codes else -1
    complaint_resolution = rng.choice(3, size=n, p=(0.4, 0.5, 0.1))
    resolution = np.where(topic == complaint, complaint_resolution, resolution)
    callers, people = caller_ids(rng, areas, pool, seed)
    return CallDraws(
        caller=callers,
        patience=(PATIENCE_MIN + rng.exponential(PATIENCE_MEAN, n)).astype(np.int64).tolist(),
        talk=np.clip(rng.lognormal(np.log(170), 0.6, n), 15, 3600).astype(np.int64).tolist(),
        wrap=rng.integers(5, 45, n).tolist(),
        ring=rng.integers(2, 14, n).tolist(),
        end=rng.choice(3, size=n, p=(0.55, 0.42, 0.03)).tolist(),
        rna=(rng.random(n) < 0.05).tolist(),
        topic=np.where(rng.random(n) < TOPIC_MISSING, -1, topic).tolist(),
        resolution=resolution.tolist(),
        person=people,
    )


def _segment_from(segments: list[tuple[int, int, int]], moment: int) -> tuple[int, int, int] | None:
    """The first availability segment that has not ended at ``moment``."""
    for segment in segments:
        if moment < segment[1]:
            return segment
    return None


def _next_agent(agents: list[tuple[int, int]], plan: AgentPlan, arrival: int) -> tuple[int, int, int]:
    """Earliest (start, agent, block) at or after ``arrival``; start is INF when none is left."""
    while True:
        free, j = agents[0]
        if free >= INF:
            return INF, j, -1
        start = max(arrival, free)
        segment = _segment_from(plan.segments[j], start)
        if segment is None:
            heapq.heapreplace(agents, (INF, j))
        elif segment[0] > start:
            heapq.heapreplace(agents, (segment[0], j))
        else:
            return start, j, segment[2]


@dataclass
class QueueRun:
    """What one queue simulation writes to."""

    lines: list[Line]
    topics: list[TopicRow]
    overflow: list[tuple] | None  # calls that time out here and go to the central queue
    wrapup_time: Callable[[int], str]
    topic_table: tuple[tuple[str, str], ...]
    # callid -> (answered 1/0, seconds waited in the last queue, epoch the call left it)
    results: dict[str, tuple[int, int, int]] = field(default_factory=dict)


def run_queue(calls: list[tuple], queue_name: str, plan: AgentPlan, run: QueueRun) -> None:
    """Simulate one queue-day FIFO with ``len(plan.names)`` agents and emit its lines."""
    agents = [(seg[0][0] if seg else INF, j) for j, seg in enumerate(plan.segments)]
    heapq.heapify(agents)
    waiting: list[int] = []
    timeout = OVERFLOW_TIMEOUT if run.overflow is not None else INF
    emit = run.lines.append
    for call in calls:
        arrival, callid, caller, patience, tag = (
            call[0],
            call[1],
            call[2],
            call[3],
            call[11],
        )
        while waiting and waiting[0] <= arrival:
            heapq.heappop(waiting)
        position = len(waiting) + 1
        emit(
            (
                arrival,
                f"{arrival}|{callid}|{queue_name}|NONE|ENTERQUEUE||{caller}|{position}",
                tag,
            )
        )
        start, j, block = _next_agent(agents, plan, arrival)
        connect = start + call[6]
        if connect - arrival <= min(patience, timeout):
            heapq.heapreplace(agents, (connect + call[4] + call[5], j))
            blk = plan.blocks[j][block]
            blk[2] = max(blk[2], connect + call[4])
            heapq.heappush(waiting, connect)
            run.results[callid] = (1, connect - arrival, connect + call[4])
            if tag != "no_exit":
                _answered(call, queue_name, plan, j, start, connect, position, run)
            continue
        timed_out = timeout < patience
        leave = arrival + (timeout if timed_out else patience)
        ahead = sum(1 for d in waiting if d > leave)
        heapq.heappush(waiting, leave)
        run.results[callid] = (0, leave - arrival, leave)
        if tag == "no_exit":
            continue
        event = "EXITWITHTIMEOUT" if timed_out else "ABANDON"
        emit(
            (
                leave,
                f"{leave}|{callid}|{queue_name}|NONE|{event}|{ahead + 1}|{position}|{leave - arrival}",
                None,
            )
        )
        if timed_out and run.overflow is not None:
            run.overflow.append((leave, callid, caller, patience - timeout, *call[4:11], None, call[12]))


def _answered(
    call: tuple,
    queue_name: str,
    plan: AgentPlan,
    j: int,
    start: int,
    connect: int,
    position: int,
    run: QueueRun,
) -> None:
    arrival, callid, talk, end, rna, topic, resolution, bridge = (
        call[0],
        call[1],
        call[4],
        call[7],
        call[8],
        call[9],
        call[10],
        call[12],
    )
    agent, hold, emit = plan.names[j], connect - arrival, run.lines.append
    if rna and start - arrival >= 15:
        on_duty = plan.staff.get((start - plan.base) // HOUR, 0)
        other = plan.names[(j + 1) % max(1, min(on_duty, len(plan.names)))]
        if other != agent:
            emit(
                (
                    start,
                    f"{start}|{callid}|{queue_name}|{other}|RINGNOANSWER|15000||",
                    None,
                )
            )
    emit(
        (
            connect,
            f"{connect}|{callid}|{queue_name}|{agent}|CONNECT|{hold}|{start}.{bridge}|{call[6]}",
            None,
        )
    )
    done = connect + talk
    if end == 2:
        text = f"TRANSFER|{2101 + bridge % 40}|from-internal|{hold}|{talk}|{position}"
    else:
        text = f"{END_KINDS[end]}|{hold}|{talk}|{position}"
    emit((done, f"{done}|{callid}|{queue_name}|{agent}|{text}", None))
    if topic >= 0:
        code, name = run.topic_table[topic]
        wrapup = done + call[5]
        row = [callid, code, name, RESOLUTIONS[resolution], run.wrapup_time(wrapup)]
        run.topics.append((wrapup, row))


def agent_lines(rng: np.random.Generator, plan: AgentPlan, queue_name: str) -> list[Line]:
    """ADDMEMBER / PAUSE / UNPAUSE / REMOVEMEMBER lines of the queue's agents."""
    lines: list[Line] = []
    for j, agent in enumerate(plan.names):
        prefix = f"|NONE|{queue_name}|{agent}|"
        for start, end, last_busy in plan.blocks[j]:
            login = start - int(rng.integers(20, 180))
            logout = max(end, last_busy) + int(rng.integers(5, 90))
            lines.append((login, f"{login}{prefix}ADDMEMBER|||", None))
            lines.append((logout, f"{logout}{prefix}REMOVEMEMBER|||", None))
        for p_start, p_end, reason in plan.pauses[j]:
            lines.append((p_start, f"{p_start}{prefix}PAUSE|{reason}||", None))
            lines.append((p_end, f"{p_end}{prefix}UNPAUSE|||", None))
    return lines
