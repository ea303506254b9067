"""Phone numbers of the background callers and visitors, shared by the call centre and the offices.

People outside the modelled journeys ("background traffic") come from a pool per office area:
person ``i`` of area ``k`` always has the same mobile number, so the same person calls several
times and books visits with the same phone. Picks are skewed towards the start of the pool so
that some people come back often. In the truth files such a person is ``bg<area><index>``
(``background_id``). Numbers of the modelled clients never fall into a pool (``in_pool``).
"""

from __future__ import annotations

import numpy as np

from include.generator.identity import office_phone

_MULTIPLIER = 2654435761  # coprime with 10**9: client index -> number is one-to-one per area
_INVERSE = pow(_MULTIPLIER, -1, 10**9)
_AREA_STEP = 104729
CALLER_FORMATS = ("7{n}", "+7{n}", "8{n}")
CALLER_WEIGHTS = (0.47, 0.2, 0.28)  # the remaining 0.05 are anonymous


def pool_size(scale: float) -> int:
    """Background people per office area."""
    return max(200, int(4000 * scale))


def background_id(area: int, index: int) -> str:
    """Truth id of background person ``index`` of office area ``area``."""
    return f"bg{area:02d}{index:06d}"


def pool_indexes(rng: np.random.Generator, n: int, pool: int) -> np.ndarray:
    """Indexes of ``n`` background people (skewed: a few come back often)."""
    return (pool * rng.random(n) ** 2).astype(np.int64)


def pool_numbers(index: np.ndarray, area: np.ndarray, seed: int) -> list[str]:
    """Ten-digit numbers ``9XXXXXXXXX`` of background people."""
    body = (index * _MULTIPLIER + area.astype(np.int64) * _AREA_STEP + seed * 7919) % 10**9
    return [f"9{b:09d}" for b in body.tolist()]


def in_pool(number: str, areas: int, pool: int, seed: int) -> bool:
    """Whether a ten-digit number belongs to some area's background pool."""
    if len(number) != 10 or number[0] != "9":
        return False
    body = int(number[1:])
    for area in range(areas):
        index = (body - area * _AREA_STEP - seed * 7919) * _INVERSE % 10**9
        if index < pool:
            return True
    return False


def caller_ids(rng: np.random.Generator, area: np.ndarray, pool: int, seed: int) -> tuple[list[str], list[str]]:
    """Asterisk caller ids (``79…``, ``+79…``, ``89…`` or ``anonymous`` ~5 %) and truth ids."""
    index = pool_indexes(rng, len(area), pool)
    numbers = pool_numbers(index, area, seed)
    kind = rng.choice(4, size=len(numbers), p=(*CALLER_WEIGHTS, 0.05)).tolist()
    callers = ["anonymous" if k == 3 else CALLER_FORMATS[k].format(n=n) for k, n in zip(kind, numbers, strict=True)]
    return callers, [background_id(a, i) for a, i in zip(area.tolist(), index.tolist(), strict=True)]


def ticket_phones(
    rng: np.random.Generator, area: int, n: int, pool: int, seed: int, present: float
) -> tuple[list[str], list[str]]:
    """Phones written on background pre-booked tickets (empty when not given) and truth ids."""
    index = pool_indexes(rng, n, pool)
    numbers = pool_numbers(index, np.full(n, area), seed)
    kinds = rng.choice(4, size=n, p=(0.35, 0.3, 0.15, 0.2)).tolist()
    given = (rng.random(n) < present).tolist()
    phones = [office_phone(num, k) if g else "" for num, k, g in zip(numbers, kinds, given, strict=True)]
    return phones, [background_id(area, i) for i in index.tolist()]
