"""Random streams: every stream is seeded from ``(seed, stream, entity, day)``.

Seeding each stream separately keeps the run deterministic and makes the streams independent:
the background traffic of a day does not change when a client's journey does, and the noise
streams only add defects to data that is otherwise the same.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np

# numpy streams (queue simulations, as before)
S_OFFICE, S_CALLS, S_AGENTS, S_CALL_NOISE, S_LOG_NOISE, S_OFFICE_NOISE, S_PLAN = range(1, 8)
# Python streams (per-event logic of the population and the new feeds)
P_POPULATION, P_JOURNEYS, P_ENGINE, P_WEB, P_CHAT, P_SURVEYS, P_FEED_PLAN, P_FEED_NOISE = (
    "population", "journeys", "engine", "web", "chat", "surveys", "feed_plan", "feed_noise",
)  # fmt: skip


def np_rng(seed: int, stream: int, entity: int, day: dt.date | None = None) -> np.random.Generator:
    return np.random.default_rng([seed, stream, entity, day.toordinal() if day else 0])


def py_rng(seed: int, stream: str, entity: str = "", day: dt.date | None = None) -> random.Random:
    """A ``random.Random`` seeded from a string (SHA-512 based, stable across runs and platforms)."""
    return random.Random(f"{seed}:{stream}:{entity}:{day.toordinal() if day else 0}")
