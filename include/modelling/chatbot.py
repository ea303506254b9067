"""A chatbot topic answered instead of falling back: its effect on the bot's KPIs.

From ``marts.fct_touchpoint_events`` — one row per chat, ``attribute`` ``<intent>:<outcome>`` for a
chat whose intent the bot recognised and ``fallback:<topic>:<outcome>`` for one it did not
(outcome ``resolved``, ``handoff`` or ``abandoned``) — and the bot's published daily KPIs
(``fct_client_kpis``). A scenario (``answer_share``: the share of the topic's fallback chats a new
script answers, 0–1) turns that share of the topic's fallback chats into recognised chats that end
as recognised chats end today. Predicted:

* ``chatbot_containment`` — chats resolved without an operator: today's resolved chats plus the
  answered ones times the share of recognised chats that are resolved, over all chats;
* ``chatbot_fallback_rate`` — the bot's replies that are fallbacks (the published KPI), less the
  topic's share of the fallback chats times the answered share.

The interval is a parametric bootstrap (binomial) of the topic's fallback chats, of the fallback
chats and of the resolved share of recognised chats, seeded.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CHATBOT_KPIS = ("chatbot_containment", "chatbot_fallback_rate")


@dataclass(frozen=True)
class Chats:
    total: int
    resolved: int
    fallback: int  # chats the bot did not understand, any topic
    fallback_topic: int  # … of this topic
    fallback_topic_resolved: int
    recognised: int
    recognised_resolved: int


def topics(chats: pd.DataFrame) -> set[str]:
    """The topics the bot fell back on (``fallback:<topic>:<outcome>``)."""
    if chats.empty:
        return set()
    parts = chats["attribute"].fillna("").str.split(":")
    return {p[1] for p in parts if len(p) == 3 and p[0] == "fallback" and p[1]}


def count(chats: pd.DataFrame, topic: str) -> Chats:
    parts = chats["attribute"].fillna("").str.split(":")
    fallback = parts.map(lambda p: len(p) == 3 and p[0] == "fallback")
    outcome = parts.map(lambda p: p[-1] if p else "")
    of_topic = fallback & parts.map(lambda p: len(p) == 3 and p[1] == topic)
    resolved = outcome == "resolved"
    return Chats(
        total=len(chats),
        resolved=int(resolved.sum()),
        fallback=int(fallback.sum()),
        fallback_topic=int(of_topic.sum()),
        fallback_topic_resolved=int((of_topic & resolved).sum()),
        recognised=int((~fallback).sum()),
        recognised_resolved=int((~fallback & resolved).sum()),
    )


def _kpis(c: Chats, fallback_rate: float, share: float, topic: float, p: float, fallback: float) -> dict[str, float]:
    answered = share * topic
    return {
        "chatbot_containment": (c.resolved + answered * p - share * c.fallback_topic_resolved) / c.total,
        "chatbot_fallback_rate": fallback_rate * (1 - answered / fallback) if fallback else fallback_rate,
    }


def predict(
    c: Chats, fallback_rate_now: float, share: float, *, replications: int = 200, seed: int = 0
) -> dict[str, tuple[float, float, float, float]]:
    """KPI -> (now, predicted, low, high) when ``share`` of the topic's fallback chats are answered."""
    if c.total == 0 or c.recognised == 0:
        raise ValueError("no chats (or no recognised chats) in the period")
    p = c.recognised_resolved / c.recognised
    now = _kpis(c, fallback_rate_now, 0.0, c.fallback_topic, p, c.fallback)
    point = _kpis(c, fallback_rate_now, share, c.fallback_topic, p, c.fallback)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {k: [] for k in CHATBOT_KPIS}
    for _ in range(replications):
        topic = rng.binomial(c.total, c.fallback_topic / c.total)
        fallback = max(rng.binomial(c.total, c.fallback / c.total), topic)
        p_b = rng.binomial(c.recognised, p) / c.recognised
        for k, v in _kpis(c, fallback_rate_now, share, topic, p_b, fallback).items():
            draws[k].append(v)
    return {
        k: (now[k], point[k], float(np.percentile(draws[k], 2.5)), float(np.percentile(draws[k], 97.5)))
        for k in CHATBOT_KPIS
    }
