"""Identifiers of synthetic people and organisations, and how each source writes them.

Every number is made unique by a bijective mix of a counter (``unique``), so no two clients
share a SNILS, an INN or a cookie by accident; shared phones are shared on purpose
(``population.py``). Checksums are real (SNILS, INN, OGRN), so validators that check them pass.
Formatting functions reproduce how each system writes a phone or a SNILS: stitching has to
normalise them.
"""

from __future__ import annotations

import hashlib
import random
from functools import lru_cache

MOBILE_CODES = ("912", "922", "902", "904", "908", "950", "952", "953", "982", "992", "961", "919")
LANDLINE_AREA = "343"  # city code of the region's capital
_TRANSLIT = (
    "ivanov", "petrova", "smirnov", "kuznetsova", "popov", "vasileva", "sokolov", "mikhailova",
    "novikov", "fedorova", "morozov", "volkova", "alekseev", "lebedeva", "semenov", "egorova",
    "pavlov", "kozlova", "stepanov", "nikolaeva", "orlov", "andreeva", "makarov", "zakharova",
)  # fmt: skip
_MAIL_DOMAINS = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru", "rambler.ru")
_WATCH_MULT = 0x9E3779B97F4A7C15
_MASK63 = (1 << 63) - 1


@lru_cache(maxsize=256)
def _affine(digits: int, salt: int, kind: str) -> tuple[int, int]:
    """Multiplier (coprime with 10) and offset of a scrambling map modulo ``10**digits``."""
    digest = hashlib.blake2b(f"{kind}:{salt}:{digits}".encode(), digest_size=16).digest()
    modulus = 10**digits
    multiplier = int.from_bytes(digest[:8], "big") % modulus | 1
    if multiplier % 5 == 0:
        multiplier += 2
    return multiplier, int.from_bytes(digest[8:], "big") % modulus


def unique(n: int, digits: int, salt: int, kind: str) -> int:
    """``n`` → a random-looking number below ``10**digits``, one-to-one for ``n`` below ``10**digits``.

    ``kind`` gives every sort of identifier its own map, so a client's numbers look unrelated.
    """
    multiplier, offset = _affine(digits, salt, kind)
    return (n * multiplier + offset) % 10**digits


def snils(n: int, salt: int) -> str:
    """A valid SNILS (11 digits, no separators) for client number ``n``."""
    body = f"{(1 + salt % 8) * 100_000_000 + unique(n, 8, salt, 'snils'):09d}"
    total = sum(int(d) * (9 - i) for i, d in enumerate(body))
    check = total if total < 100 else 0 if total in (100, 101) else total % 101
    return f"{body}{check % 100:02d}"


def _inn_check(digits: str, weights: tuple[int, ...]) -> str:
    return str(sum(int(d) * w for d, w in zip(digits, weights, strict=False)) % 11 % 10)


def legal_inn(n: int, salt: int) -> str:
    """A valid 10-digit INN of a legal entity registered in the region (``66…``)."""
    body = f"66{unique(n, 7, salt, 'inn10'):07d}"
    return body + _inn_check(body, (2, 4, 10, 3, 5, 9, 4, 6, 8))


def person_inn(n: int, salt: int) -> str:
    """A valid 12-digit INN of an individual (entrepreneur)."""
    body = f"66{unique(n, 8, salt, 'inn12'):08d}"
    body += _inn_check(body, (7, 2, 4, 10, 3, 5, 9, 4, 6, 8))
    return body + _inn_check(body, (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8))


def ogrn(n: int, salt: int, individual: bool) -> str:
    """OGRN (13 digits) of a company or OGRNIP (15 digits) of an individual entrepreneur."""
    if individual:
        body = f"3{10 + n % 16:02d}66{unique(n, 9, salt, 'ogrnip'):09d}"
        return body + str(int(body) % 13 % 10)
    body = f"1{2 + n % 24:02d}66{unique(n, 7, salt, 'ogrn'):07d}"
    return body + str(int(body) % 11 % 10)


def esia_id(n: int, salt: int) -> str:
    """ESIA (Госуслуги) user oid: 10 digits starting with 10."""
    return f"10{unique(n, 8, salt, 'esia'):08d}"


def mobile(n: int, salt: int) -> str:
    """A ten-digit mobile number ``9XXXXXXXXX`` (national part, without the country code)."""
    code = MOBILE_CODES[(n * 7 + salt) % len(MOBILE_CODES)]
    return f"{code}{unique(n, 7, salt, 'mobile'):07d}"


def landline(n: int) -> str:
    """A ten-digit city number of the capital ``343XXXXXXX``."""
    return f"{LANDLINE_AREA}{2_000_000 + (n * 7_919) % 7_000_000:07d}"


def email(rng: random.Random, n: int) -> str:
    """An e-mail address as people write it (the portal may keep capitals)."""
    name = _TRANSLIT[n % len(_TRANSLIT)]
    initial = "abdeiklmnostv"[(n // len(_TRANSLIT)) % 13]
    return f"{name}.{initial}{n % 997}@{rng.choice(_MAIL_DOMAINS)}"


def metrica_client_id(n: int, salt: int, first_seen_epoch: int) -> str:
    """A Metrica ``clientID``: the first visit's epoch followed by nine unique digits."""
    return f"{first_seen_epoch}{unique(n, 9, salt, 'cookie'):09d}"


def watch_id(n: int, salt: int) -> str:
    """A unique uint64 hit / visit id (63 bits, one-to-one in ``n``)."""
    return str((n * _WATCH_MULT + salt) & _MASK63)


def uuid_like(n: int, salt: int) -> str:
    """A deterministic unique UUID-shaped id (version-4 layout)."""
    value = ((n + 1) * _WATCH_MULT ^ salt * 0xBF58476D1CE4E5B9) & ((1 << 64) - 1)
    high = (n * 0x94D049BB133111EB + salt) & ((1 << 64) - 1)
    text = f"{high:016x}{value:016x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-a{text[17:20]}-{text[20:32]}"


# --------------------------------------------------------------------------- formats per source


def caller_id(number: str, kind: int) -> str:
    """Asterisk caller id of a ten-digit national number: ``7…``, ``+7…`` or ``8…``."""
    return ("7", "+7", "8")[kind] + number


def office_phone(number: str, kind: int) -> str:
    """Phone on an electronic-queue ticket (pre-booking), in one of four common spellings."""
    if kind == 0:
        return f"+7 {number[:3]} {number[3:6]}-{number[6:8]}-{number[8:]}"
    if kind == 1:
        return f"8{number}"
    if kind == 2:
        return f"7{number}"
    return f"8 ({number[:3]}) {number[3:6]} {number[6:8]} {number[8:]}"


def portal_phone(number: str, kind: int) -> str:
    """Phone in a «Работа России» application."""
    return f"+7{number}" if kind else f"+7 ({number[:3]}) {number[3:6]}-{number[6:8]}-{number[8:]}"


def chat_phone(number: str, kind: int) -> str:
    """Phone shared as a contact in a messenger."""
    return f"7{number}" if kind else f"+7{number}"


def case_phone(number: str, kind: int) -> str:
    """Phone in the case-management system (typed by a specialist)."""
    if kind == 0:
        return f"8-{number[:3]}-{number[3:6]}-{number[6:8]}-{number[8:]}"
    if kind == 1:
        return f"8{number}"
    return f"+7 {number[:3]} {number[3:6]} {number[6:8]} {number[8:]}"


def survey_phone(number: str, kind: int) -> str:
    """Phone left by a respondent or typed into a comment."""
    if kind == 0:
        return f"+7 {number[:3]} {number[3:6]}-{number[6:8]}-{number[8:]}"
    if kind == 1:
        return f"8 {number[:3]} {number[3:6]} {number[6:8]} {number[8:]}"
    return f"8{number}"


def snils_text(value: str, with_separators: bool) -> str:
    """SNILS as ``123-456-789 01`` or as 11 bare digits."""
    if not with_separators:
        return value
    return f"{value[:3]}-{value[3:6]}-{value[6:9]} {value[9:]}"
