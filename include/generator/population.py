"""The region's population: one set of clients that every source sees.

A region has about ``600 × offices × scale`` clients: citizens (``c000123``) and employers
(``e000045``), each living in one office area and belonging to one client group of
``client_groups.csv``. Their identifiers are what real systems hold: citizens a mobile phone
(≈90 %; minors often give a parent's phone, some couples share one), a SNILS (all), an ESIA
account (≈75 %), an e-mail (≈50 %), one or two Metrica cookies and sometimes a messenger id;
employers a legal INN + OGRN (a few individual entrepreneurs with a 12-digit INN and OGRNIP),
the HR person's phone, ESIA account and e-mail. Two numbers are shared by many clients on
purpose — a social worker's mobile and the landline of a rehabilitation centre — to test that
stitching does not merge everybody who called from them.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from include.generator import identity as ident
from include.generator.phones import in_pool
from include.generator.seeds import RegionSpec

CLIENTS_PER_OFFICE = 600
EMPLOYER_SHARE = 0.1
CITIZEN_GROUPS = {
    "unemployed": 0.22, "job_seeker": 0.15, "youth": 0.13, "minor": 0.06, "disabled": 0.07,
    "pre_retirement": 0.1, "young_parent": 0.06, "long_term_unemployed": 0.07, "low_income": 0.08,
    "layoff_risk": 0.06,
}  # fmt: skip
EMPLOYER_GROUPS = {"employer": 0.65, "large_employer": 0.35}
CHANNELS = ("site", "chat", "call", "office")
# preferred channel for contacts (site, chatbot, phone, office) per client group
CHANNEL_PREFS = {
    "youth": (0.5, 0.3, 0.12, 0.08),
    "minor": (0.5, 0.32, 0.1, 0.08),
    "pre_retirement": (0.15, 0.05, 0.45, 0.35),
    "disabled": (0.2, 0.1, 0.4, 0.3),
    "long_term_unemployed": (0.25, 0.1, 0.35, 0.3),
    "employer": (0.55, 0.05, 0.35, 0.05),
    "large_employer": (0.55, 0.05, 0.35, 0.05),
}
DEFAULT_PREFS = (0.4, 0.15, 0.3, 0.15)
ESIA_SHARE = {"minor": 0.3, "pre_retirement": 0.62, "disabled": 0.65, "youth": 0.85, "job_seeker": 0.85}
OWN_PHONE = 0.9
FAMILY_SHARE = 0.03  # adults who give their spouse's number
MINOR_PARENT_PHONE = 0.7
SHARED_GROUPS = ("disabled", "pre_retirement", "long_term_unemployed", "low_income")
SHARED_PER_NUMBER = 0.01  # clients per shared number, as a share of the population
ENTREPRENEUR_SHARE = 0.12


@dataclass(slots=True)
class Client:
    """One modelled client and the identifiers the sources may carry."""

    n: int
    cid: str
    kind: str  # citizen | employer
    group: str
    office: int  # index of the home office among the generated offices
    phone: str | None  # ten-digit national number the client gives (own, family or shared)
    phone_kind: str  # own | family | social_worker | landline | none
    snils: str | None
    esia: str | None
    email: str | None
    cookies: tuple[str, ...]
    messenger: str | None
    chat_channel: str  # web | telegram | vk | max
    inn: str | None
    ogrn: str | None
    entrepreneur: bool
    prefs: tuple[float, ...]

    @property
    def is_employer(self) -> bool:
        return self.kind == "employer"


@dataclass(frozen=True)
class SharedPhone:
    """A number used by many clients (manifest ``shared_phones``)."""

    number: str
    kind: str
    description_ru: str


def population_size(offices: int, scale: float) -> int:
    """Number of clients of a region."""
    return max(60, round(CLIENTS_PER_OFFICE * offices * scale))


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Numbers:
    """Hands out mobile numbers that are unique and outside every background pool."""

    def __init__(self, seed: int, areas: int, pool: int) -> None:
        self.seed, self.areas, self.pool = seed, areas, pool
        self.used: set[str] = set()
        self.counter = 0

    def take(self) -> str:
        while True:
            number = ident.mobile(self.counter, self.seed)
            self.counter += 1
            if number not in self.used and not in_pool(number, self.areas, self.pool, self.seed):
                self.used.add(number)
                return number


def build_population(
    rng: random.Random, spec: RegionSpec, scale: float, seed: int, pool: int, start: dt.date
) -> tuple[list[Client], list[SharedPhone]]:
    """Every client of the region with stable ids and identifiers."""
    size = population_size(len(spec.offices), scale)
    numbers = _Numbers(seed, len(spec.offices), pool)
    shared = [
        SharedPhone(
            numbers.take(), "social_worker", "Мобильный телефон социального работника, звонящего за подопечных"
        ),
        SharedPhone(ident.landline(seed), "landline", "Городской телефон реабилитационного центра"),
    ]
    office_weights = [o.windows for o in spec.offices]
    first_seen = int(dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp())
    clients: list[Client] = []
    counters = {"citizen": 0, "employer": 0}
    for n in range(size):
        kind = "employer" if rng.random() < EMPLOYER_SHARE else "citizen"
        counters[kind] += 1
        cid = f"{kind[0]}{counters[kind]:06d}"
        group = _pick(rng, EMPLOYER_GROUPS if kind == "employer" else CITIZEN_GROUPS)
        office = rng.choices(range(len(spec.offices)), weights=office_weights)[0]
        maker = _employer if kind == "employer" else _citizen
        clients.append(maker(rng, n, cid, group, office, numbers, seed, first_seen))
    _share_phones(rng, clients, shared)
    return clients, shared


def _cookies(rng: random.Random, n: int, seed: int, first_seen: int) -> tuple[str, ...]:
    count = 1 if rng.random() < 0.65 else 2
    return tuple(
        ident.metrica_client_id(2 * n + k, seed, first_seen - rng.randrange(86400, 86400 * 700)) for k in range(count)
    )


def _messenger(rng: random.Random, n: int, seed: int, prefs: tuple[float, ...]) -> tuple[str | None, str]:
    if rng.random() > 0.35 + prefs[1]:
        return None, "web"
    roll = rng.random()
    if roll < 0.55:
        return f"tg:{ident.unique(n, 9, seed, 'tg') + 100_000_000}", "telegram"
    if roll < 0.95:
        return f"vk:{ident.unique(n, 8, seed, 'vk') + 10_000_000}", "vk"
    return f"max:{ident.unique(n, 8, seed, 'max') + 50_000_000}", "max"


def _citizen(
    rng: random.Random, n: int, cid: str, group: str, office: int, numbers: _Numbers, seed: int, first_seen: int
) -> Client:
    prefs = CHANNEL_PREFS.get(group, DEFAULT_PREFS)
    own = rng.random() < (0.3 if group == "minor" else OWN_PHONE)
    messenger, chat_channel = _messenger(rng, n, seed, prefs)
    return Client(
        n=n, cid=cid, kind="citizen", group=group, office=office,
        phone=numbers.take() if own else None, phone_kind="own" if own else "none",
        snils=ident.snils(n, seed),
        esia=ident.esia_id(n, seed) if rng.random() < ESIA_SHARE.get(group, 0.75) else None,
        email=ident.email(rng, n) if rng.random() < 0.5 else None,
        cookies=_cookies(rng, n, seed, first_seen), messenger=messenger, chat_channel=chat_channel,
        inn=None, ogrn=None, entrepreneur=False, prefs=prefs,
    )  # fmt: skip


def _employer(
    rng: random.Random, n: int, cid: str, group: str, office: int, numbers: _Numbers, seed: int, first_seen: int
) -> Client:
    prefs = CHANNEL_PREFS.get(group, DEFAULT_PREFS)
    entrepreneur = group == "employer" and rng.random() < ENTREPRENEUR_SHARE
    phone = numbers.take() if entrepreneur or rng.random() < 0.7 else ident.landline(seed + 1 + n)
    return Client(
        n=n, cid=cid, kind="employer", group=group, office=office, phone=phone, phone_kind="own",
        snils=None, esia=ident.esia_id(n, seed) if rng.random() < 0.9 else None,
        email=ident.email(rng, n + 5000), cookies=_cookies(rng, n, seed, first_seen),
        messenger=None, chat_channel="web",
        inn=ident.person_inn(n, seed) if entrepreneur else ident.legal_inn(n, seed),
        ogrn=ident.ogrn(n, seed, entrepreneur), entrepreneur=entrepreneur, prefs=prefs,
    )  # fmt: skip


def _share_phones(rng: random.Random, clients: list[Client], shared: list[SharedPhone]) -> None:
    """Minors give a parent's number, some couples share one, many call via the shared numbers."""
    adults = [c for c in clients if c.kind == "citizen" and c.phone_kind == "own" and c.group != "minor"]
    if not adults:
        return
    for client in clients:
        if client.kind != "citizen" or client.phone_kind != "none":
            continue
        if client.group == "minor" and rng.random() < MINOR_PARENT_PHONE:
            client.phone, client.phone_kind = rng.choice(adults).phone, "family"
    for client in adults:
        if client.phone_kind == "own" and rng.random() < FAMILY_SHARE:
            partner = rng.choice(adults)
            if partner is not client and partner.phone_kind == "own":
                client.phone, client.phone_kind = partner.phone, "family"
    per_number = max(6, round(SHARED_PER_NUMBER * len(clients)))
    candidates = [c for c in clients if c.phone_kind == "none" and c.group in SHARED_GROUPS]
    rng.shuffle(candidates)
    for k, number in enumerate(shared):
        for client in candidates[k * per_number : (k + 1) * per_number]:
            client.phone, client.phone_kind = number.number, number.kind
