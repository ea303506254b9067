"""Synthetic clients' phone numbers, shared by the call centre and the offices.

Every office area has a pool of clients; client ``i`` of area ``k`` always has the same mobile
number, so the same person calls several times and books visits with the same phone — which is
what identity stitching and first-contact resolution need. Picks are skewed towards the start
of the pool so that some clients come back often.
"""

from __future__ import annotations

import numpy as np

_MULTIPLIER = 2654435761  # coprime with 10**9: client index -> number is one-to-one per area
_AREA_STEP = 104729
CALLER_FORMATS = ("7{n}", "+7{n}", "8{n}")
CALLER_WEIGHTS = (0.47, 0.2, 0.28)  # the remaining 0.05 are anonymous


def pool_size(scale: float) -> int:
    """Clients per office area."""
    return max(200, int(4000 * scale))


def national_numbers(rng: np.random.Generator, area: np.ndarray, pool: int, seed: int) -> list[str]:
    """Ten-digit numbers ``9XXXXXXXXX`` of clients drawn from the areas' pools."""
    index = (pool * rng.random(len(area)) ** 2).astype(np.int64)
    body = (index * _MULTIPLIER + area.astype(np.int64) * _AREA_STEP + seed * 7919) % 10**9
    return [f"9{b:09d}" for b in body.tolist()]


def caller_ids(rng: np.random.Generator, area: np.ndarray, pool: int, seed: int) -> list[str]:
    """Asterisk caller ids: ``79…``, ``+79…``, ``89…`` or ``anonymous`` (~5 %)."""
    numbers = national_numbers(rng, area, pool, seed)
    kind = rng.choice(4, size=len(numbers), p=(*CALLER_WEIGHTS, 0.05)).tolist()
    return ["anonymous" if k == 3 else CALLER_FORMATS[k].format(n=n) for k, n in zip(kind, numbers, strict=True)]


def _office_format(number: str, kind: int) -> str:
    if kind == 0:
        return f"+7 {number[:3]} {number[3:6]}-{number[6:8]}-{number[8:]}"
    if kind == 1:
        return f"8{number}"
    if kind == 2:
        return f"7{number}"
    return f"8 ({number[:3]}) {number[3:6]} {number[6:8]} {number[8:]}"


def ticket_phones(rng: np.random.Generator, area: int, n: int, pool: int, seed: int, present: float) -> list[str]:
    """Phones written on pre-booked tickets, in varied formats; empty when not given."""
    numbers = national_numbers(rng, np.full(n, area), pool, seed)
    kinds = rng.choice(4, size=n, p=(0.35, 0.3, 0.15, 0.2)).tolist()
    given = (rng.random(n) < present).tolist()
    return [_office_format(num, k) if g else "" for num, k, g in zip(numbers, kinds, given, strict=True)]
