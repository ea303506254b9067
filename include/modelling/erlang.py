"""Erlang-A (M/M/n+M): the call-centre formula with impatient callers, hour by hour.

For each day and hour of a queue: arrival rate λ (calls offered), n operators working (from the
data, the same availability the simulation uses), service rate μ = 1 / mean occupancy (talk,
wrap-up and ring), abandonment rate θ (maximum likelihood: abandons / total time waited). The
stationary birth–death chain gives the state an arriving caller finds (PASTA); a caller with i
callers ahead is answered after i + 1 advances of rates nμ + mθ, each stage ending early with
probability θ / (nμ + (m + 1)θ). Service level P(answered within t) follows from the
hypoexponential law of the stage times (scipy's matrix exponential). The check is whether this
formula, fed with the same inputs, reproduces the measured KPIs: where it does the queue is close
to a stationary Erlang-A hour by hour; where it does not (an office queue's timeout, breaks,
a crowd at opening) only the simulation is used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import expm

from include.modelling.queueing import Calibration

MAX_AHEAD = 120  # callers ahead considered (the stationary chain is truncated beyond)


@dataclass(frozen=True)
class HourResult:
    offered: float  # calls in the hour
    answered_within: dict[float, float]  # threshold s -> P(answered within threshold)
    abandon: float
    asa: float  # mean wait of answered calls


def erlang_a_hour(lam: float, mu: float, n: int, theta: float, thresholds: tuple[float, ...]) -> HourResult:
    """KPIs of a stationary M/M/n+M hour (rates per second)."""
    if n <= 0:
        return HourResult(lam * 3600, dict.fromkeys(thresholds, 0.0), 1.0 if theta > 0 else 0.0, 0.0)
    theta = max(theta, 1e-9)
    size = n + MAX_AHEAD + 1
    # stationary distribution (log scale: no overflow)
    logp = np.zeros(size)
    for k in range(1, size):
        death = min(k, n) * mu + max(k - n, 0) * theta
        logp[k] = logp[k - 1] + math.log(lam) - math.log(death)
    p = np.exp(logp - logp.max())
    p /= p.sum()
    immediate = p[:n].sum()
    ahead = p[n:]  # i = 0 .. MAX_AHEAD callers ahead
    tail = np.cumsum(ahead[::-1])[::-1]
    ahead = ahead[: max(1, int(np.searchsorted(-tail, -1e-9)))]  # drop what is never reached
    m = np.arange(len(ahead))
    stage_rate = n * mu + (m + 1) * theta  # the tagged caller's stage ends (advance or leave)
    advance = (n * mu + m * theta) / stage_rate
    served_from = np.cumprod(advance)  # P(answered | i ahead)
    mean_wait = np.cumsum(1 / stage_rate)  # E[wait | i ahead], independent of how it ends
    answered = immediate + float((ahead * served_from).sum())
    abandon = 1 - answered
    asa = float((ahead * served_from * mean_wait).sum()) / answered if answered > 0 else 0.0
    # hypoexponential CDF of the stage times for every start: one bidiagonal generator
    q = np.zeros((len(ahead) + 1, len(ahead) + 1))
    for i in range(len(ahead)):
        q[i, i] = -stage_rate[i]
        q[i, i - 1 if i > 0 else len(ahead)] = stage_rate[i]
    within = {}
    for t in thresholds:
        reached = expm(q * t)[: len(ahead), len(ahead)]
        within[t] = immediate + float((ahead * served_from * reached).sum())
    return HourResult(lam * 3600, within, abandon, asa)


def erlang_a_kpis(cal: Calibration, thresholds: dict[str, float]) -> dict[str, float]:
    """The queue's KPIs over its period by Erlang-A per day and hour, weighted by calls offered.

    Every answered call also rings for a few seconds (``cal.react``, from the data): the formula's
    waits are shifted by its mean.
    """
    occupancy = float(np.mean(np.concatenate(list(cal.service.values())))) + float(np.mean(cal.post))
    mu = 1 / occupancy
    ring = float(np.mean(cal.react))
    sl, sl20 = thresholds.get("call_service_level", 90.0), thresholds.get("call_service_level_20s", 20.0)
    keys = (max(sl - ring, 0.0), max(sl20 - ring, 0.0))
    totals = {"offered": 0.0, "sl": 0.0, "sl20": 0.0, "abandon": 0.0, "asa_num": 0.0, "answered": 0.0}
    cache: dict[tuple[int, int], HourResult] = {}
    for day in cal.days:
        counts = np.bincount((day.ready // 3600).astype(int), minlength=24)
        for hour in np.flatnonzero(counts):
            lo, hi = hour * 3600.0, (hour + 1) * 3600.0
            servers = sum(max(0.0, min(b, hi) - max(a, lo)) for s in day.availability for a, b in s) / 3600
            n = round(servers)
            key = (int(counts[hour]), n)
            if key not in cache:
                cache[key] = erlang_a_hour(counts[hour] / 3600, mu, n, cal.theta, keys)
            r = cache[key]
            totals["offered"] += r.offered
            totals["sl"] += r.offered * r.answered_within[keys[0]]
            totals["sl20"] += r.offered * r.answered_within[keys[1]]
            totals["abandon"] += r.offered * r.abandon
            totals["answered"] += r.offered * (1 - r.abandon)
            totals["asa_num"] += r.offered * (1 - r.abandon) * (r.asa + ring)
    offered = totals["offered"] or 1.0
    return {
        "call_service_level": totals["sl"] / offered,
        "call_service_level_20s": totals["sl20"] / offered,
        "call_abandon_rate": totals["abandon"] / offered,
        "call_asa": totals["asa_num"] / (totals["answered"] or 1.0),
    }
