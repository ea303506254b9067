"""The call centre of the region, one day at a time: clients' calls plus background callers.

The modelled clients' calls (``CallRequest``) take the place of as many background calls of
their queue, and all of them go through the queue simulation of ``callcentre``. Only about two
days of lines are held in memory (a day's lines are written once the next day has been
simulated, because a queue in another time zone than the region's can spill into the
neighbouring region-local day). Every call gets a truth row (``callid`` → client or ``bg…``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from operator import itemgetter

import numpy as np

from include.generator import callcentre as cc
from include.generator import identity as ident
from include.generator import noise as nz
from include.generator.engine import CallOutcome, CallRequest, info_tags
from include.generator.feeds import Tag, Truth
from include.generator.output import Output, csv_text
from include.generator.phones import CALLER_WEIGHTS
from include.generator.schedule import (
    CALL_WEEKLY,
    DAY,
    iso_local,
    local_date_of,
    local_midnight_epoch,
    offset_text,
    queue_hours,
    utc_offset,
)
from include.generator.seeds import RegionSpec
from include.generator.streams import S_AGENTS, S_CALL_NOISE, S_CALLS, S_LOG_NOISE, np_rng

TOPICS_HEADER = ["call_id", "topic_code", "topic_name", "resolution", "wrapup_at"]
ANONYMOUS = 0.05
# a finished call: (callid, caller, person, answered, wait, end epoch)
Finished = tuple[str, str, str, bool, int, int]


class CallCentre:
    """Simulates the region's queues day by day and writes queue_log and topic files."""

    def __init__(
        self, spec: RegionSpec, out: Output, truth: Truth, *, seed: int, scale: float, pool: int,
        noise: bool, plan: nz.NoisePlan,
    ) -> None:  # fmt: skip
        self.spec, self.out, self.truth = spec, out, truth
        self.seed, self.scale, self.pool, self.noise, self.plan = seed, scale, pool, noise, plan
        self.seq = 10_000
        self.pending: dict[dt.date, list[cc.Line]] = {}
        self.pending_topics: dict[dt.date, list[cc.TopicRow]] = {}
        self.counts = dict.fromkeys(("queue_log_lines", "calls", "topic_rows"), 0)
        self.topic_index = {code: i for i, (code, _) in enumerate(spec.topics)}

    def _queue_days(self, day: dt.date) -> list[cc.QueueDay]:
        result = []
        for queue in self.spec.queues:
            hours = queue_hours(day, queue.is_central)
            if hours is None:
                continue
            volume = cc.CALLS_CENTRAL if queue.is_central else cc.CALLS_LOCAL
            result.append(cc.QueueDay(
                queue, local_midnight_epoch(day, queue.office.timezone), hours,
                volume * self.scale * CALL_WEEKLY[day.isoweekday()], queue.is_central,
            ))  # fmt: skip
        return result

    def _areas(self, rng: np.random.Generator, queue_day: cc.QueueDay, n: int) -> np.ndarray:
        own = queue_day.queue.office.index
        if not queue_day.queue.is_central:
            return np.full(n, own)
        others = rng.integers(0, len(self.spec.offices), n)
        return np.where(rng.random(n) < 0.5, own, others)

    def _draw_queue(
        self, day: dt.date, qd: cc.QueueDay, requests: list[tuple[int, CallRequest]]
    ) -> tuple[list[int], cc.CallDraws, list[str | None], dict[int, int]]:
        """Arrival epochs, attributes and noise tags of one queue-day; clients' positions by request."""
        index = qd.queue.office.index
        rng = np_rng(self.seed, S_CALLS, index, day)
        background = cc.arrivals(rng, replace(qd, expected=max(0.0, qd.expected - len(requests))))
        client_times = np.array([qd.base + r.local for _, r in requests], dtype=np.int64)
        merged = np.concatenate([background, client_times])
        order = np.argsort(merged, kind="stable")
        times = merged[order].tolist()
        n, n_bg = len(times), len(background)
        draws = cc.draw_calls(rng, n, self._areas(rng, qd, n), self.spec.topics, day.isoweekday(), self.pool, self.seed)
        positions: dict[int, int] = {}
        kinds = rng.choice(4, size=len(requests), p=(*CALLER_WEIGHTS, ANONYMOUS)).tolist()
        for pos, source in enumerate(order.tolist()):
            if source < n_bg:
                continue
            k = source - n_bg
            number, request = requests[k]
            client = request.client
            kind = kinds[k]
            draws.caller[pos] = "anonymous" if kind == 3 or not client.phone else ident.caller_id(client.phone, kind)
            draws.person[pos] = client.cid
            if draws.topic[pos] >= 0:
                draws.topic[pos] = self.topic_index[request.topic]
            positions[number] = pos
        tags = nz.call_tags(np_rng(self.seed, S_CALL_NOISE, index, day), n) if self.noise else [None] * n
        return times, draws, tags, positions

    def _calls(
        self, day: dt.date, queue_days: list[cc.QueueDay], requests: list[CallRequest]
    ) -> tuple[list[list[tuple]], dict[int, str], list[list[str]], dict[int, tuple]]:
        """Calls of every open queue (see ``callcentre.Call``), numbered in order of arrival."""
        by_queue: dict[int, list[tuple[int, CallRequest]]] = {}
        for number, request in enumerate(requests):
            by_queue.setdefault(request.queue, []).append((number, request))
        drawn = [self._draw_queue(day, qd, by_queue.get(qd.queue.office.index, [])) for qd in queue_days]
        order = sorted((t, q, k) for q, (times, _, _, _) in enumerate(drawn) for k, t in enumerate(times))
        seqs: list[list[int]] = [[0] * len(times) for times, _, _, _ in drawn]
        for rank, (_, q, k) in enumerate(order):
            seqs[q][k] = self.seq + 2 * rank  # odd numbers are the agents' channels
        self.seq += 2 * len(order) + 2
        calls, callids, people = [], {}, []
        requested: dict[int, tuple] = {}
        for q, (times, d, tags, positions) in enumerate(drawn):
            attributes = zip(
                d.caller, d.patience, d.talk, d.wrap, d.ring, d.end, d.rna, d.topic, d.resolution, strict=True
            )
            calls.append([
                (t, f"{t}.{s}", *row, tag, s + 1)
                for t, s, tag, row in zip(times, seqs[q], tags, attributes, strict=True)
            ])  # fmt: skip
            people.append(d.person)
            for number, pos in positions.items():
                callids[number] = calls[-1][pos][1]
                requested[number] = calls[-1][pos]
        return calls, callids, people, requested

    def day(self, day: dt.date, requests: list[CallRequest]) -> tuple[dict[int, CallOutcome], list[Finished]]:
        """Simulate a day: outcomes of the clients' calls (by request) and the finished calls."""
        queue_days = self._queue_days(day)
        calls, callids, people, requested = self._calls(day, queue_days, requests)
        offset = utc_offset(day, self.spec.timezone)
        offset_str = offset_text(offset)
        run = cc.QueueRun([], [], None, lambda ep: iso_local(ep, offset, offset_str), self.spec.topics)
        overflow: list[tuple] = []
        # office queues first: their timed-out callers overflow into the central queue
        for qd, queue_calls in sorted(zip(queue_days, calls, strict=True), key=lambda x: x[0].queue.is_central):
            index = qd.queue.office.index
            if qd.queue.is_central:
                queue_calls = sorted(queue_calls + overflow, key=itemgetter(0))
                run.overflow = None
            else:
                run.overflow = overflow
            plan = cc.plan_agents(np_rng(self.seed, S_AGENTS, index, day), qd)
            cc.run_queue(queue_calls, qd.queue.queue_name, plan, run)
            agent_rng = np_rng(self.seed, S_AGENTS, 100 + index, day)
            run.lines.extend(cc.agent_lines(agent_rng, plan, qd.queue.queue_name))
        self._bucket(day, run.lines, self.pending)
        self._bucket(day, run.topics, self.pending_topics)
        finished: list[Finished] = []
        start = local_midnight_epoch(day, self.spec.timezone)
        for queue_calls, persons in zip(calls, people, strict=True):
            for call, person in zip(queue_calls, persons, strict=True):
                callid = call[1]
                ordinal = day.toordinal() + (call[0] - start) // DAY
                answered, wait, end = run.results[callid]
                tags: tuple[Tag, ...] = ()
                if person.startswith("bg") and answered == 1 and call[9] >= 0:
                    # a background caller's general question: an information request, answered or not
                    tags = info_tags(person, cc.RESOLUTIONS[call[10]] == "resolved")
                self.truth.add(ordinal, "call_centre", callid, person, tags)
                finished.append((callid, call[2], person, answered == 1, wait, end))
        outcomes = {}
        for number, callid in callids.items():
            answered, wait, end = run.results[callid]
            call = requested[number]
            exported = answered == 1 and call[9] >= 0
            resolution = cc.RESOLUTIONS[call[10]] if exported else None
            outcomes[number] = CallOutcome(callid, answered == 1, wait, end, exported, resolution)
        return outcomes, finished

    def _bucket(self, day: dt.date, entries: list, target: dict[dt.date, list]) -> None:
        """File entries under the region-local date of their epoch."""
        start = local_midnight_epoch(day, self.spec.timezone)
        today = target.setdefault(day, [])
        for entry in entries:
            if start <= entry[0] < start + DAY:
                today.append(entry)
            else:
                target.setdefault(local_date_of(entry[0], self.spec.timezone), []).append(entry)

    def flush(self, day: dt.date) -> None:
        """Write the queue_log and topic files of a day."""
        lines = sorted(self.pending.pop(day, []), key=itemgetter(0))
        topics = sorted(self.pending_topics.pop(day, []), key=itemgetter(0))
        start_epoch = local_midnight_epoch(day, self.spec.timezone) + 6 * 3600
        if lines:
            start_epoch = min(start_epoch, lines[0][0])
        lines.insert(0, (start_epoch, f"{start_epoch}|NONE|NONE|NONE|QUEUESTART|||", None))
        rel = f"call_centre/queue_log-{day:%Y%m%d}"
        rng = np_rng(self.seed, S_LOG_NOISE, 0, day) if self.noise else None
        text, items, count = nz.queue_log_text(
            lines,
            rel,
            rng,
            self.spec.queues[0].queue_name,
            unknown=day.isoformat() in self.plan.unknown_days,
            truncate=day.isoformat() in self.plan.truncated_days,
        )
        self.out.write_text(rel, text)
        self.out.noise_items.extend(items)
        self.counts["queue_log_lines"] += count
        self.counts["calls"] += sum(1 for _, t, _ in lines if "|ENTERQUEUE|" in t)
        if topics:  # the CRM exports nothing for a day without calls
            rows = [TOPICS_HEADER, *(row for _, row in topics)]
            self.out.write_text(f"call_centre/call_topics-{day:%Y%m%d}.csv", csv_text(rows, ","))
            self.counts["topic_rows"] += len(topics)
