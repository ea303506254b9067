"""Queueing models of the office electronic queue and the call-centre queues, calibrated from data.

One engine serves both: clients become ready (a walk-in takes a ticket, a pre-booked client's
slot comes, a call enters the queue), pre-booked clients are called first, everyone else first
come, first served; servers (windows, operators) work only in the intervals the data shows them
working; a client whose patience runs out leaves (a call may also time out of the queue).

Calibration (:func:`calibrate`) reads one unit's rows of ``marts.fct_queue_services`` for a period:

* **servers actually working** — per day and window/agent, from its first call to the end of its
  last service, minus breaks: a gap between two services while a client was waiting for longer
  than ``BREAK_GAP`` seconds is a break (lunch, pause), not idle time;
* **service occupancy** — a server's time per client: the service itself (call → end) plus the
  time until it can call the next client (walking, wrap-up, ring), sampled from back-to-back
  pairs; clients called who never came (no-show) occupy the window their own short time;
* **patience** — calls: Kaplan–Meier from abandon times (answered and timed-out calls are
  censored), and the exponential rate of an Erlang-A fit; walk-ins: a log-normal fitted by
  maximum likelihood, with called clients censored at their wait and clients who left uncalled
  known to have left before their turn;
* **arrivals** — the ready times of every day, resampled by weekday in replications (so the
  weekday × hour profile, including a crowd at the door, is kept as the data shows it).

The model runs as a discrete-event simulation in SimPy with replications (:func:`simulate`): each
replication draws every day of the period from the days of the same weekday, occupancy and
patience from their fitted distributions, with a seeded generator — the same inputs give the
same numbers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

BREAK_GAP = 180  # s: a server idle this long while clients wait is on a break
DAY_END = 24 * 3600
INF = float("inf")


@dataclass
class Day:
    """One unit-day as the data shows it (times in seconds after local midnight)."""

    date: Any
    weekday: int
    ready: np.ndarray  # float, sorted
    priority: np.ndarray  # bool
    service_class: list[str]
    availability: list[list[tuple[float, float]]]  # per server: working intervals


@dataclass
class Calibration:
    """Everything a model of one unit (office or call queue) needs, learned from one period."""

    system: str  # office | call
    unit_id: str
    days: list[Day]
    service: dict[str, np.ndarray]  # class -> service seconds (call → end)
    post: np.ndarray  # seconds between a service's end and the next call at that server
    no_show_share: float
    no_show_time: np.ndarray
    react: np.ndarray  # seconds a free server takes to call a newcomer (ring, "next" button)
    patience_kind: str  # km | lognormal
    patience_km: tuple[np.ndarray, np.ndarray] = (np.zeros(0), np.zeros(0))  # times, survival
    patience_tail_rate: float = 0.0
    patience_lognormal: tuple[float, float] = (math.log(9000.0), 0.5)
    theta: float = 0.0  # exponential abandonment rate (Erlang-A), 1/s
    timeout: float = INF
    windows_seed: int | None = None  # windows by staff list (offices seed)
    issues: list[str] = field(default_factory=list)

    def servers_per_hour(self) -> dict[int, float]:
        """Mean number of servers working per local hour over the period's days."""
        totals: dict[int, float] = {}
        for day in self.days:
            for intervals in day.availability:
                for start, end in intervals:
                    for hour in range(int(start // 3600), math.ceil(end / 3600)):
                        overlap = min(end, (hour + 1) * 3600) - max(start, hour * 3600)
                        if overlap > 0:
                            totals[hour] = totals.get(hour, 0.0) + overlap / 3600
        return {h: v / max(1, len(self.days)) for h, v in sorted(totals.items())}


# ---------------------------------------------------------------- calibration from the data


def _waiting_intervals(rows: dict[str, np.ndarray]) -> np.ndarray:
    """(from, to) of every client's wait; clients who left: until they left or their turn."""
    ready, start = rows["ready_s"], rows["start_s"]
    leave = np.where(~np.isnan(start), start, ready + np.nan_to_num(rows["exit_wait_s"], nan=0.0))
    left = np.isnan(start) & np.isnan(rows["exit_wait_s"])
    if left.any():  # a walk-in who left uncalled waited at most until the next walk-in was called
        called = ~np.isnan(start)
        order = np.argsort(ready)
        for i in np.flatnonzero(left):
            later = order[(ready[order] > ready[i]) & called[order] & ~rows["priority"][order]]
            leave[i] = start[later[0]] if len(later) else ready[i]
    return np.column_stack([ready, np.maximum(leave, ready)])


def _waiting_profile(intervals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step function of the number of waiting clients: breakpoints and the count after each."""
    if len(intervals) == 0:
        return np.zeros(0), np.zeros(0)
    times = np.concatenate([intervals[:, 0], intervals[:, 1]])
    steps = np.concatenate([np.ones(len(intervals)), -np.ones(len(intervals))])
    order = np.lexsort((steps, times))  # leaving before arriving at the same second
    return times[order], np.cumsum(steps[order])


def _first_wait(times: np.ndarray, counts: np.ndarray, a: float, b: float) -> tuple[float, float]:
    """First moment in [a, b) when someone was waiting, and how long in [a, b) someone was."""
    if len(times) == 0 or b <= a:
        return INF, 0.0
    idx = np.searchsorted(times, a, side="right") - 1
    first, total = INF, 0.0
    t, k = a, idx
    while t < b:
        count = counts[k] if k >= 0 else 0.0
        nxt = times[k + 1] if k + 1 < len(times) else INF
        seg_end = min(b, nxt)
        if count > 0 and seg_end > t:
            first = min(first, t)
            total += seg_end - t
        t, k = seg_end, k + 1
    return first, total


def _day_servers(
    rows: dict[str, np.ndarray], servers: np.ndarray
) -> tuple[list[list[tuple[float, float]]], list[float], list[float]]:
    """Working intervals per server of one day, the back-to-back post-service gaps, newcomers' short waits."""
    times, counts = _waiting_profile(_waiting_intervals(rows))
    start, ready = rows["start_s"], rows["ready_s"]
    # a client who found nobody waiting and was called within BREAK_GAP: the server's reaction
    before = np.searchsorted(times, ready, side="left") - 1
    nobody = np.where(before >= 0, counts[np.maximum(before, 0)], 0) == 0
    called = ~np.isnan(start)
    end_all = np.where(np.isnan(rows["end_s"]), start, rows["end_s"])
    idle_server = np.zeros(len(ready), bool)
    for i in np.flatnonzero(nobody & called):
        # some server had finished its last service and not yet started another when i came
        served_before = called & (start < ready[i])
        busy = served_before & (end_all + BREAK_GAP > ready[i])
        idle_server[i] = len({s for s in servers[served_before & ~busy] if s} - set(servers[busy])) > 0
    quick = idle_server & (start - ready < BREAK_GAP)
    reacts = list((start - ready)[quick])
    start, end = rows["start_s"], rows["end_s"]
    availability, posts = [], []
    for name in sorted({s for s in servers if s}):
        mine = np.flatnonzero((servers == name) & ~np.isnan(start))
        mine = mine[np.argsort(start[mine])]
        if len(mine) == 0:
            continue
        intervals: list[tuple[float, float]] = []
        open_from = start[mine[0]]
        for a_idx, b_idx in itertools.pairwise(mine):
            busy_to = max(end[a_idx], start[a_idx])
            nxt = start[b_idx]
            first, waited = _first_wait(times, counts, busy_to, nxt)
            if waited > BREAK_GAP and nxt - first > BREAK_GAP:
                intervals.append((open_from, first))  # on a break from when someone waited
                open_from = nxt
            elif nxt - busy_to <= BREAK_GAP and waited >= (nxt - busy_to) - 1:
                posts.append(max(0.0, nxt - busy_to))  # clients waited all along: the server was not idle
        last = mine[-1]
        intervals.append((open_from, max(end[last], start[last]) + 60))
        availability.append(intervals)
    return availability, posts, reacts


def _kaplan_meier(durations: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Survival function of patience: event = abandoned at that wait, else censored."""
    order = np.argsort(durations)
    d, e = durations[order], events[order]
    at_risk = len(d)
    times, survival, s = [], [], 1.0
    i = 0
    while i < len(d):
        j = i
        while j < len(d) and d[j] == d[i]:
            j += 1
        deaths = int(e[i:j].sum())
        if deaths:
            s *= 1 - deaths / at_risk
            times.append(d[i])
            survival.append(s)
        at_risk -= j - i
        i = j
    return np.array(times), np.array(survival)


def _lognormal_patience(waits_called: np.ndarray, turns_left: np.ndarray) -> tuple[float, float]:
    """MLE of a log-normal patience: called clients waited at least their wait, the others left before their turn."""
    from scipy import optimize, stats

    waits_called = np.maximum(waits_called, 1.0)
    turns_left = np.maximum(turns_left, 1.0)
    if len(turns_left) == 0:
        return math.log(9000.0), 0.5  # nobody left: patience far above the waits seen

    def nll(params: np.ndarray) -> float:
        mu, log_sigma = params
        sigma = math.exp(log_sigma)
        survive = stats.norm.logsf((np.log(waits_called) - mu) / sigma)
        left = stats.norm.logcdf((np.log(turns_left) - mu) / sigma)
        return float(-(survive.sum() + left.sum()))

    result = optimize.minimize(nll, np.array([math.log(3600.0), math.log(0.6)]), method="Nelder-Mead")
    mu, log_sigma = result.x
    return float(mu), float(min(max(math.exp(log_sigma), 0.1), 2.0))


def calibrate(system: str, unit_id: str, frame: Any, windows_seed: int | None = None) -> Calibration:
    """A unit's model from its rows of ``fct_queue_services`` for one period (a pandas frame)."""
    # a total order: the same rows give the same model whatever order the warehouse returns them in
    keys = ["local_date", "ready_s", "service_id"] if "service_id" in frame.columns else ["local_date", "ready_s"]
    frame = frame.sort_values(keys, kind="stable").reset_index(drop=True)
    days: list[Day] = []
    posts: list[float] = []
    reacts: list[float] = []
    service: dict[str, list[float]] = {}
    no_show_time: list[float] = []
    issues: list[str] = []
    for date, group in frame.groupby("local_date", sort=True):
        rows = {
            "ready_s": group["ready_s"].to_numpy(float),
            "start_s": group["start_s"].to_numpy(float),
            "end_s": group["end_s"].to_numpy(float),
            "exit_wait_s": group["exit_wait_s"].to_numpy(float),
            "priority": group["is_priority"].to_numpy(bool),
        }
        servers = group["server"].fillna("").to_numpy(object)
        availability, day_posts, day_reacts = _day_servers(rows, servers)
        posts.extend(day_posts)
        reacts.extend(day_reacts)
        if not availability:
            continue
        days.append(
            Day(
                date=date,
                weekday=int(group["local_weekday"].iloc[0]),
                ready=rows["ready_s"],
                priority=rows["priority"],
                service_class=group["service_class"].fillna("").tolist(),
                availability=availability,
            )
        )
    served = frame[frame["outcome"] == "served"]
    for cls, group in served.groupby("service_class"):
        values = (group["end_s"] - group["start_s"]).to_numpy(float)
        service[str(cls)] = values[values >= 0]
    called = frame[frame["start_s"].notna()]
    no_shows = called[called["outcome"] == "no_show"]
    no_show_share = len(no_shows) / max(1, len(called))
    no_show_time = list(np.full(len(no_shows), np.median(posts) if posts else 60.0))
    post = np.array(posts) if posts else np.array([0.0])
    cal = Calibration(
        system=system,
        unit_id=unit_id,
        days=days,
        service={k: np.asarray(v, float) for k, v in service.items() if len(v)},
        post=post,
        no_show_share=no_show_share,
        no_show_time=np.array(no_show_time) if no_show_time else np.array([60.0]),
        react=np.array(reacts) if reacts else np.array([0.0]),
        patience_kind="km" if system == "call" else "lognormal",
        windows_seed=windows_seed,
        issues=issues,
    )
    if system == "call":
        _calls_patience(cal, frame)
    else:
        _walkin_patience(cal, frame)
    return cal


def _calls_patience(cal: Calibration, frame: Any) -> None:
    hold = np.where(
        frame["outcome"].to_numpy(object) == "served",
        (frame["start_s"] - frame["ready_s"]).to_numpy(float),
        frame["exit_wait_s"].to_numpy(float),
    )
    hold = np.nan_to_num(hold, nan=0.0)
    abandoned = (frame["outcome"] == "abandoned").to_numpy(bool)
    timed_out = frame["outcome"] == "timed_out"
    if timed_out.any():
        cal.timeout = float(np.median(frame.loc[timed_out, "exit_wait_s"]))
    cal.patience_km = _kaplan_meier(hold, abandoned)
    exposure = float(hold.sum())
    cal.theta = float(abandoned.sum()) / exposure if exposure > 0 else 0.0
    # beyond the last wait seen, patience continues with the exponential rate of the fit
    cal.patience_tail_rate = cal.theta if cal.theta > 0 else 1 / 600


def _walkin_patience(cal: Calibration, frame: Any) -> None:
    walk = frame[~frame["is_priority"].astype(bool)]
    called = walk[walk["start_s"].notna()]
    waits = (called["start_s"] - called["ready_s"]).to_numpy(float)
    turns: list[float] = []
    for _, group in walk.groupby("local_date"):
        ready = group["ready_s"].to_numpy(float)
        start = group["start_s"].to_numpy(float)
        for i in np.flatnonzero(np.isnan(start)):
            later = np.flatnonzero((ready > ready[i]) & ~np.isnan(start))
            turns.append((start[later].min() if len(later) else ready.max() + 3600) - ready[i])
    cal.patience_lognormal = _lognormal_patience(waits, np.array(turns))


# ---------------------------------------------------------------- changes to the system


@dataclass(frozen=True)
class Change:
    """What a scenario changes: servers (add / set), service time, on weekdays and hours."""

    kind: str = "none"  # none | add_servers | set_servers | fill_servers | service_time_factor
    value: float = 0.0
    weekdays: frozenset[int] = frozenset(range(1, 8))
    hours: tuple[int, int] = (0, 24)

    def applies(self, weekday: int) -> bool:
        return weekday in self.weekdays


def _clip(intervals: list[tuple[float, float]], lo: float, hi: float) -> list[tuple[float, float]]:
    return [(max(a, lo), min(b, hi)) for a, b in intervals if min(b, hi) > max(a, lo)]


def _cut(intervals: list[tuple[float, float]], lo: float, hi: float) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in intervals:
        if a < lo:
            out.append((a, min(b, lo)))
        if b > hi:
            out.append((max(a, hi), b))
    return [(a, b) for a, b in out if b > a]


def _length(intervals: list[tuple[float, float]]) -> float:
    return sum(b - a for a, b in intervals)


def changed_availability(day: Day, change: Change, windows_seed: int | None) -> list[list[tuple[float, float]]]:
    """The servers' working intervals of a day under a change (copies of the day's fullest server)."""
    servers = [list(s) for s in day.availability]
    if change.kind in ("none", "service_time_factor") or not change.applies(day.weekday) or not servers:
        return servers
    lo, hi = change.hours[0] * 3600.0, change.hours[1] * 3600.0
    template = max(servers, key=_length)
    extra_window = _clip(template, lo, hi) or [(lo, hi)]
    if change.kind == "add_servers":
        return servers + [list(extra_window) for _ in range(round(change.value))]
    target = round(change.value) if change.kind == "set_servers" else (windows_seed or len(servers))
    if target >= len(servers):
        return servers + [list(extra_window) for _ in range(target - len(servers))]
    keep = sorted(servers, key=_length, reverse=True)
    return keep[:target] + [_cut(s, lo, hi) for s in keep[target:]]


# ---------------------------------------------------------------- the simulation


@dataclass
class Outcome:
    """Simulated clients of one replication: ready time, weekday, wait, served/abandoned/timed out."""

    ready: np.ndarray
    weekday: np.ndarray
    priority: np.ndarray
    wait: np.ndarray  # until called, or until leaving
    status: np.ndarray  # 0 served (called), 1 abandoned, 2 timed out, 3 never called (day ended)


def _sample_patience(cal: Calibration, rng: np.random.Generator, n: int) -> np.ndarray:
    if cal.patience_kind == "km":
        times, survival = cal.patience_km
        u = rng.random(n)
        if len(times) == 0:
            return rng.exponential(1 / cal.patience_tail_rate, n)
        # inverse of the Kaplan–Meier survival; beyond its last step an exponential tail
        idx = np.searchsorted(-survival, -u, side="left")
        inside = idx < len(times)
        out = np.empty(n)
        out[inside] = times[np.minimum(idx[inside], len(times) - 1)]
        tail = ~inside
        last_s = survival[-1]
        # S(t) = last_s · exp(−rate · (t − t_last)) past the last abandon seen
        out[tail] = times[-1] + np.log(last_s / np.maximum(u[tail], 1e-12)) / cal.patience_tail_rate
        return out
    mu, sigma = cal.patience_lognormal
    return rng.lognormal(mu, sigma, n)


def _occupancy(cal: Calibration, rng: np.random.Generator, classes: Sequence[str], factor: float) -> np.ndarray:
    n = len(classes)
    pooled = np.concatenate(list(cal.service.values())) if cal.service else np.array([600.0])
    service = np.empty(n)
    for cls in sorted(set(classes)):  # a fixed order of draws: the same numbers in every process
        mask = np.fromiter((c == cls for c in classes), bool, n)
        pool = cal.service.get(cls, pooled)
        service[mask] = rng.choice(pool, int(mask.sum()))
    post = rng.choice(cal.post, n)
    no_show = rng.random(n) < cal.no_show_share
    return np.where(no_show, rng.choice(cal.no_show_time, n), service * factor + post)


def _simulate_day(ready: np.ndarray, priority: np.ndarray, occupancy: np.ndarray, deadline: np.ndarray,
                  react: np.ndarray, availability: list[list[tuple[float, float]]]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """One day in SimPy: returns when each client was called (nan: never) and whether they left."""
    env = simpy.Environment(initial_time=0.0)
    queue = simpy.PriorityStore(env)
    n = len(ready)
    called = np.full(n, np.nan)
    left = np.zeros(n, bool)
    order = np.lexsort((np.arange(n), ready))

    def arrivals() -> Any:
        for i in order:
            if ready[i] > env.now:
                yield env.timeout(ready[i] - env.now)
            queue.put(simpy.PriorityItem((0 if priority[i] else 1, ready[i], int(i)), int(i)))

    def server(intervals: list[tuple[float, float]]) -> Any:
        ordered = sorted(intervals)
        for k, (start, end) in enumerate(ordered):
            if k > 0:
                # a break lasts as long as in the data, from when the server is free to take it
                start = max(start, env.now + (start - ordered[k - 1][1]))
            if env.now < start:
                yield env.timeout(start - env.now)
            while env.now < end:
                get = queue.get()
                if not get.triggered:  # nobody waiting: idle until a client comes or the shift ends
                    fired = yield get | env.timeout(end - env.now)
                    if get not in fired:
                        get.cancel()
                        break
                    idle = True
                else:
                    yield get
                    idle = False
                i = get.value.item  # type: ignore[union-attr]
                if env.now > deadline[i]:
                    left[i] = True  # patience ran out before this client's turn
                    continue
                if idle and react[i] > 0:  # a free server calls a newcomer after a few seconds
                    yield env.timeout(react[i])
                    if env.now > deadline[i]:  # hung up while the phone rang
                        left[i] = True
                        continue
                called[i] = env.now
                yield env.timeout(occupancy[i])

    env.process(arrivals())
    for intervals in availability:
        env.process(server(intervals))
    env.run(until=DAY_END + 6 * 3600)
    return called, left


def simulate(
    cal: Calibration,
    change: Change = Change(),
    *,
    replications: int = 30,
    seed: int = 0,
    resample_days: bool = True,
) -> list[Outcome]:
    """``replications`` runs of the unit over its period under ``change`` (seeded: reproducible)."""
    rng = np.random.default_rng(seed)
    by_weekday: dict[int, list[Day]] = {}
    for day in cal.days:
        by_weekday.setdefault(day.weekday, []).append(day)
    outcomes = []
    for _ in range(replications):
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("ready", "weekday", "priority", "wait", "status")}
        for day in cal.days:
            source = by_weekday[day.weekday][int(rng.integers(len(by_weekday[day.weekday])))] if resample_days else day
            n = len(source.ready)
            factor = change.value if change.kind == "service_time_factor" and change.applies(day.weekday) else 1.0
            if factor != 1.0 and change.hours != (0, 24):
                in_hours = (source.ready >= change.hours[0] * 3600) & (source.ready < change.hours[1] * 3600)
                occupancy = np.where(
                    in_hours,
                    _occupancy(cal, rng, source.service_class, factor),
                    _occupancy(cal, rng, source.service_class, 1.0),
                )
            else:
                occupancy = _occupancy(cal, rng, source.service_class, factor)
            patience = np.where(source.priority, INF, _sample_patience(cal, rng, n))
            limit = np.minimum(patience, cal.timeout)
            deadline = source.ready + limit
            availability = changed_availability(source, change, cal.windows_seed)
            react = rng.choice(cal.react, n)
            called, _left = _simulate_day(source.ready, source.priority, occupancy, deadline, react, availability)
            wait = np.where(np.isnan(called), np.minimum(limit, DAY_END - source.ready), called - source.ready)
            status = np.where(
                ~np.isnan(called), 0, np.where(np.isfinite(limit), np.where(patience <= cal.timeout, 1, 2), 3)
            )
            parts["ready"].append(source.ready)
            parts["weekday"].append(np.full(n, day.weekday))
            parts["priority"].append(source.priority)
            parts["wait"].append(wait)
            parts["status"].append(status)
        outcomes.append(Outcome(**{k: np.concatenate(v) if v else np.zeros(0) for k, v in parts.items()}))
    return outcomes
